"""Taking, changing and withdrawing a stance on a consultation or on one of
its sections. Two clicks or two tabs at once still leave one row."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.models import User
from consult.infra import live
from consult.infra.db import retry_on_conflict
from proposals import rules
from proposals.models import (
    Proposal,
    ProposalStance,
    Section,
    SectionStance,
    SectionVersion,
    StanceValue,
)
from proposals.services import common, participation

STANCE_ARCHIVED = _(
    "This consultation is an archive imported from another platform: it takes no stances."
)
STANCE_NOT_OPEN = _("Stances can only be taken while the consultation is open; it is %(status)s.")
STANCE_VALUE_INVALID = _("Choose support, oppose or neutral.")
STANCE_NEEDS_VERIFICATION = _(
    "Stances on this consultation are limited to verified residents of %(place)s. Verify where "
    "you live at %(url)s, then try again. Reading and commenting stay open to everyone."
)
SECTION_NOT_IN_PROPOSAL = _("That section is not part of the published text of this consultation.")


def stance_cast(
    *, actor: User, proposal: Proposal, value: str, section: Section | None = None
) -> ProposalStance | SectionStance:
    """Take or change a stance. Two clicks or two tabs at once still leave one row."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(common.SIGN_IN_REQUIRED)
    if value not in StanceValue.values:
        raise ValidationError(STANCE_VALUE_INVALID)
    return retry_on_conflict(
        lambda: _stance_write(actor=actor, proposal_id=proposal.pk, value=value, section=section)
    )


def _verification_url(proposal: Proposal) -> str:
    path = reverse("identity:index")
    return f"{settings.CONSULT_SITE_URL}{path}?jurisdiction={proposal.jurisdiction_id}"


def _proposal_taking_stances(*, actor: User, proposal_id: int) -> Proposal:
    """The proposal, read fresh, if `actor` may take or withdraw a stance on it
    now: the window may have closed since the page was drawn, or a moderator
    may have suspended the person."""
    account_rules.ensure_not_sanctioned(User.objects.get(pk=actor.pk))
    proposal = Proposal.objects.get(pk=proposal_id)
    if proposal.archived:
        raise ValidationError(STANCE_ARCHIVED)
    if not rules.can_take_stance(actor, proposal):
        raise ValidationError(
            STANCE_NOT_OPEN, params={"status": proposal.get_effective_status_display().lower()}
        )
    return proposal


@transaction.atomic
def _stance_write(*, actor: User, proposal_id: int, value: str, section: Section | None):
    proposal = _proposal_taking_stances(actor=actor, proposal_id=proposal_id)
    if rules.stance_needs_verification(actor, proposal):
        raise ValidationError(
            STANCE_NEEDS_VERIFICATION,
            params={"place": proposal.jurisdiction.name, "url": _verification_url(proposal)},
        )
    now = timezone.now()
    if section is not None:
        # Only what the public can read: a section of the current version.
        if not SectionVersion.objects.filter(
            version_id=proposal.current_version_id,
            section_id=section.pk,
            section__proposal_id=proposal.pk,
        ).exists():
            raise ValidationError(SECTION_NOT_IN_PROPOSAL)
        stance, created = SectionStance.objects.get_or_create(
            section_id=section.pk,
            user=actor,
            defaults={
                "proposal": proposal,
                "value": value,
                "version_id": proposal.current_version_id,
            },
        )
    else:
        stance, created = ProposalStance.objects.get_or_create(
            proposal=proposal,
            user=actor,
            defaults={"value": value, "version_id": proposal.current_version_id},
        )
    if created:
        Proposal.objects.filter(pk=proposal.pk).update(activity_count=F("activity_count") + 1)
        participation.participant_add(proposal_id=proposal.pk, user_id=actor.pk)
    elif stance.value != value:
        stance.value, stance.version_id, stance.updated_at = value, proposal.current_version_id, now
        stance.save(update_fields=["value", "version", "updated_at"])
    else:
        return stance
    live.stance_changed(proposal_id=proposal.pk)
    return stance


def stance_withdraw(*, actor: User, proposal: Proposal, section: Section | None = None) -> bool:
    """Take a stance back while the consultation is open: the row goes and the
    tallies drop. True if there was one; none is not an error (a second click,
    another tab). No verification is asked: taking back needs no residence."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(common.SIGN_IN_REQUIRED)
    return retry_on_conflict(
        lambda: _stance_delete(actor=actor, proposal_id=proposal.pk, section=section)
    )


@transaction.atomic
def _stance_delete(*, actor: User, proposal_id: int, section: Section | None) -> bool:
    proposal = _proposal_taking_stances(actor=actor, proposal_id=proposal_id)
    if section is not None:
        stances = SectionStance.objects.filter(section_id=section.pk, proposal=proposal)
    else:
        stances = ProposalStance.objects.filter(proposal=proposal)
    # Locked: a change and a withdrawal at once leave one outcome, counted once.
    stance = stances.select_for_update().filter(user=actor).first()
    if stance is None:
        return False
    stance.delete()
    # Taking a stance counted once for "sort by activity"; taking it back uncounts it,
    # so that taking and withdrawing again and again does not lift a consultation.
    Proposal.objects.filter(pk=proposal.pk, activity_count__gt=0).update(
        activity_count=F("activity_count") - 1
    )
    live.stance_changed(proposal_id=proposal.pk)
    return True
