"""What the services of proposals share: the locked fetch for officials'
changes, the state check, the title rule, slugs, the search index, the
current version, the live state event and the audit record."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra import live
from consult.infra.text import TextRule
from proposals import rules
from proposals.models import TITLE_MAX_LENGTH, Proposal, ProposalVersion, Section, Status
from proposals.search import cjk_bigrams

NOT_OFFICIAL = _("Only officials of the department that owns this consultation can do that.")
SIGN_IN_REQUIRED = _("Sign in to take part.")
TITLE_REQUIRED = _("Give the draft a title.")
TITLE_TOO_LONG = _("The title can be at most %(limit)d characters.")
WRONG_STATE = _("This cannot be done while the consultation is %(status)s.")
ARCHIVED = _(
    "This consultation is an archive imported from another platform: it cannot be changed, "
    "and its window cannot be scheduled, extended or closed."
)

TITLE = TextRule("title", TITLE_MAX_LENGTH, TITLE_TOO_LONG, required=TITLE_REQUIRED)
# States in which officials may still change the text and documents.
EDITABLE = (Status.DRAFT, Status.SCHEDULED, Status.OPEN, Status.CLOSED)


def access_proposal_for_edit(*, actor: User, proposal_id: int) -> Proposal:
    """Lock the proposal row and check that the actor manages it and may change it."""
    proposal = Proposal.objects.select_for_update().select_related("department").get(pk=proposal_id)
    if not rules.can_manage(actor, proposal):
        raise PermissionDenied(NOT_OFFICIAL)
    if proposal.archived:
        raise ValidationError(ARCHIVED)
    return proposal


def require_state(proposal: Proposal, *allowed: str) -> str:
    status = proposal.effective_status()
    if status not in allowed:
        raise ValidationError(WRONG_STATE, params={"status": Status(status).label.lower()})
    return status


# Slugs must not tell of drafts. Were a new consultation to take the next free
# number ("title-2"), its slug would tell its officials that a consultation
# called "title" exists, even one hidden in another department's drafts. So a
# draft's slug is its title and a random part, drawn whatever else exists, and
# the plain slug is taken only when it goes public (proposal_schedule), numbered
# among the slugs that are already public: drafts never hold a plain one.
DRAFT_SLUG_RANDOM_BYTES = 4


def draft_slug(title: str) -> str:
    base = slugify(title, allow_unicode=True)[:200] or "consultation"
    return f"{base}-{secrets.token_hex(DRAFT_SLUG_RANDOM_BYTES)}"


def unique_slug(title: str) -> str:
    """The public slug: the title, numbered when a public one has it."""
    base = slugify(title, allow_unicode=True)[:200] or "consultation"
    slug, n = base, 1
    while Proposal.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def save_with_unique_slug(proposal: Proposal, *, update_fields: list[str] | None = None) -> None:
    # Two consultations with one title saved at the same moment both find the
    # slug free; the loser of the insert takes a random one instead of failing.
    for attempt in range(5):
        try:
            with transaction.atomic():
                proposal.save(update_fields=update_fields)
            return
        except IntegrityError:
            if attempt == 4:
                raise
            proposal.slug = draft_slug(proposal.title)


def refresh_search(proposal: Proposal) -> None:
    """Chinese has no spaces between words: index it as bigrams (see proposals.search)."""
    text = f"{proposal.title}\n{proposal.summary}\n{proposal.search_text}"
    proposal.search_cjk = cjk_bigrams(text, with_characters=True)


def current_version_set(
    proposal: Proposal, version: ProposalVersion, sections: Iterable[Section]
) -> None:
    """Make `version` the public text, its sections what search finds."""
    proposal.current_version = version
    proposal.search_text = "\n".join(f"{s.heading}\n{s.body}" for s in sections)
    refresh_search(proposal)
    proposal.save(update_fields=["current_version", "search_text", "search_cjk", "updated_at"])


def state_event(proposal: Proposal) -> None:
    """Tell every open page that the consultation's state or window changed."""
    live.emit(
        proposal=proposal,
        type="proposal.state",
        payload={
            "status": proposal.effective_status(),
            "opens_at": proposal.opens_at.isoformat() if proposal.opens_at else None,
            "closes_at": proposal.closes_at.isoformat() if proposal.closes_at else None,
        },
    )


def audit(actor: User, action: str, proposal: Proposal, **fields) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=proposal,
        department=proposal.department,
        scope=f"proposal:{proposal.pk}",
        **fields,
    )
