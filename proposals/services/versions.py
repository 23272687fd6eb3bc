"""Publishing the working text as the next version of a consultation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.infra.text import TextRule, render_markdown
from consult.infra.translations import source_language
from consult.notifications.models import Kind as NotificationKind
from proposals.models import (
    CHANGE_NOTE_MAX_LENGTH,
    Proposal,
    ProposalVersion,
    Section,
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


def section_translations(section: Section) -> dict[str, dict[str, str]]:
    """The section's other languages as a version keeps them: heading, body,
    and body_html rendered by the same renderer and sanitiser as the source."""
    snapshot = {}
    for code, texts in (section.translations or {}).items():
        if not isinstance(texts, dict) or code == section.language:
            continue
        kept = {f: texts[f] for f in ("heading", "body") if isinstance(texts.get(f), str)}
        if "body" in kept:
            kept["body_html"] = render_markdown(kept["body"])
        if kept:
            snapshot[code] = kept
    return snapshot


def _written(translations: dict) -> dict:
    """Translations as compared for "what changed" (the rendering left out)."""
    return {
        code: {f: t for f, t in texts.items() if f != "body_html"}
        for code, texts in (translations or {}).items()
        if isinstance(texts, dict)
    }


def _unchanged(previous: ProposalVersion, sections: list[Section], language: str) -> bool:
    """Whether the working draft is the published text, in every language."""
    before = [
        (section_id, heading, body, snapshot_language, _written(translations))
        for section_id, heading, body, snapshot_language, translations in (
            previous.section_versions.values_list(
                "section_id", "heading", "body", "language", "translations"
            )
        )
    ]
    after = [(s.pk, s.heading, s.body, language, _written(s.translations)) for s in sections]
    return before == after


def _snapshot(
    version: ProposalVersion, sections: list[Section], language: str
) -> list[SectionVersion]:
    return SectionVersion.objects.bulk_create(
        SectionVersion(
            version=version,
            section=section,
            order=order,
            heading=section.heading,
            body=section.body,
            body_html=render_markdown(section.body),
            language=language,
            translations=section_translations(section),
        )
        for order, section in enumerate(sections)
    )


@transaction.atomic
def version_publish(
    *,
    actor: User,
    proposal: Proposal,
    change_note: str,
    translations: dict[str, dict[str, str]] | None = None,
) -> ProposalVersion:
    """Snapshot every section of the working draft, in each of its languages,
    as the next version. `translations` are the change note in other languages."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, *common.EDITABLE)
    change_note = CHANGE_NOTE.clean(change_note)
    language = source_language(proposal)
    notes = common.translations_clean(language, translations, [CHANGE_NOTE])
    sections = list(proposal.sections.filter(is_removed=False).order_by("order", "pk"))
    if not sections:
        raise ValidationError(NO_SECTIONS)
    previous = proposal.current_version
    if (
        previous is not None
        and _unchanged(previous, sections, language)
        and not questionnaire.unpublished_questions(proposal)
    ):
        raise ValidationError(NOTHING_CHANGED, params={"number": previous.number})
    number = (previous.number if previous else 0) + 1
    version = ProposalVersion(
        proposal=proposal, number=number, change_note=change_note, published_by=actor
    )
    common.translations_apply(version, notes)
    version.save()
    snapshots = _snapshot(version, sections, language)
    questionnaire.questions_publish(version)
    common.current_version_set(proposal, version, snapshots)
    common.audit(
        actor,
        "proposal.version_published",
        proposal,
        after={"version": number, "change_note": change_note, "translations": notes},
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
