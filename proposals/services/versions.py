"""Publishing the working text as the next version of a consultation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.infra.text import TextRule, render_markdown
from consult.notifications.models import Kind as NotificationKind
from proposals.models import (
    CHANGE_NOTE_MAX_LENGTH,
    Proposal,
    ProposalVersion,
    SectionVersion,
    Status,
)
from proposals.questionnaire import services as questionnaire
from proposals.services import common, followers

CHANGE_NOTE_REQUIRED = _("Say what changed in this version.")
CHANGE_NOTE_TOO_LONG = _("The change note can be at most %(limit)d characters.")
NO_SECTIONS = _("Add at least one section before publishing a version.")
NOTHING_CHANGED = _("Nothing has changed since version %(number)d.")

CHANGE_NOTE = TextRule(
    "change_note", CHANGE_NOTE_MAX_LENGTH, CHANGE_NOTE_TOO_LONG, required=CHANGE_NOTE_REQUIRED
)


@transaction.atomic
def version_publish(*, actor: User, proposal: Proposal, change_note: str) -> ProposalVersion:
    """Snapshot every section of the working draft as the next version."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, *common.EDITABLE)
    change_note = CHANGE_NOTE.clean(change_note)
    sections = list(proposal.sections.filter(is_removed=False).order_by("order", "pk"))
    if not sections:
        raise ValidationError(NO_SECTIONS)
    previous = proposal.current_version
    if previous is not None:
        before = list(previous.section_versions.values_list("section_id", "heading", "body"))
        after = [(s.pk, s.heading, s.body) for s in sections]
        if before == after and not questionnaire.unpublished_questions(proposal):
            raise ValidationError(NOTHING_CHANGED, params={"number": previous.number})
    number = (previous.number if previous else 0) + 1
    version = ProposalVersion.objects.create(
        proposal=proposal, number=number, change_note=change_note, published_by=actor
    )
    SectionVersion.objects.bulk_create(
        SectionVersion(
            version=version,
            section=section,
            order=order,
            heading=section.heading,
            body=section.body,
            body_html=render_markdown(section.body),
        )
        for order, section in enumerate(sections)
    )
    questionnaire.questions_publish(version)
    common.current_version_set(proposal, version, sections)
    common.audit(
        actor,
        "proposal.version_published",
        proposal,
        after={"version": number, "change_note": change_note},
    )
    if proposal.status != Status.DRAFT:
        # A draft's versions are not public yet: nobody outside is told of them.
        followers.followers_notify_on_commit(
            proposal=proposal,
            kind=NotificationKind.VERSION,
            key=f"version:{version.pk}",
            actor=actor,
            excerpt=change_note,
        )
    return version
