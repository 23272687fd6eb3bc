"""A consultation's own pre-moderation rules, set by its moderators.

The rules add to the deployment's (CONSULT_PREMODERATION) and the stricter of
the two applies (discussion/moderation/premoderation.py). Changing them is a moderation
decision like any other: only moderators of the consultation's department or
of one above it, checked on fresh rows, and on the audit log with the rules
before and after.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from discussion import rules
from discussion.comments.services import fresh_actor
from discussion.models import ModerationPolicy
from discussion.moderation import premoderation
from proposals.models import Proposal

AGE_LIMIT = 365
LINKS_LIMIT = 50
REASON_LIMIT = 300
NOT_MODERATOR = _("Only moderators of this consultation's department can change its rules.")
AGE_RANGE = _("Give a number of days from 0 to %(limit)d.")
LINKS_RANGE = _("Give a number of links from 0 to %(limit)d, or leave it empty for no limit.")
REASON_TOO_LONG = _("Keep the reason to %(limit)d characters.")
STALE = _(
    "Another moderator changed these rules after you opened this page. Their rules are "
    "shown below; your changes are still in the form: check them and save again."
)
NEW = "new"


def policy_version(policy: ModerationPolicy | None) -> str:
    """What a form remembers of the rules it was drawn with, so that saving
    over another moderator's change is noticed rather than silently undone."""
    return policy.updated_at.isoformat() if policy is not None else NEW


def policy_state(policy: ModerationPolicy | None) -> dict:
    """The rules as the audit log records them."""
    if policy is None:
        return {"hold_all": False, "min_account_age_days": None, "max_links": None, "terms": {}}
    return {
        "hold_all": policy.hold_all,
        "min_account_age_days": policy.min_account_age_days,
        "max_links": policy.max_links,
        "terms": policy.blocked_terms or {},
    }


def _in_range(value: int | None, limit: int, message, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise ValidationError({field: ValidationError(message, params={"limit": limit})})
    return value


def _clean_terms(blocked_terms: dict) -> dict[str, list[str]]:
    try:
        return premoderation.clean_terms(blocked_terms)
    except ValidationError as error:
        raise ValidationError({"blocked_terms": error}) from None


@transaction.atomic
def policy_update(
    *,
    actor: User,
    proposal: Proposal,
    hold_all: bool,
    min_account_age_days: int | None,
    max_links: int | None,
    blocked_terms: dict,
    reason: str = "",
    version: str | None = None,
) -> ModerationPolicy:
    """Set the consultation's rules. `version` is policy_version() of the rules
    the form was drawn with; a different current version is refused."""
    min_account_age_days = _in_range(
        min_account_age_days, AGE_LIMIT, AGE_RANGE, "min_account_age_days"
    )
    max_links = _in_range(max_links, LINKS_LIMIT, LINKS_RANGE, "max_links")
    terms = _clean_terms(blocked_terms)
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_LIMIT:
        raise ValidationError(
            {"reason": ValidationError(REASON_TOO_LONG, params={"limit": REASON_LIMIT})}
        )
    # Locked: two moderators saving at once take turns, and the first save
    # creates the one policy row instead of both trying to.
    proposal = Proposal.objects.select_for_update().select_related("department").get(pk=proposal.pk)
    actor = fresh_actor(actor)
    if not rules.can_moderate(actor, proposal):
        raise PermissionDenied(NOT_MODERATOR)
    policy = ModerationPolicy.objects.filter(proposal=proposal).first()
    if version is not None and version != policy_version(policy):
        raise ValidationError(STALE, code="stale")
    before = policy_state(policy)
    policy = policy or ModerationPolicy(proposal=proposal)
    policy.hold_all = bool(hold_all)
    policy.min_account_age_days = min_account_age_days
    policy.max_links = max_links
    policy.blocked_terms = terms
    after = policy_state(policy)
    if policy.pk is not None and before == after:
        return policy
    policy.updated_by = actor
    policy.save()
    audit_record(
        actor=actor,
        action="moderation.policy_update",
        target=policy,
        department=proposal.department,
        before=before,
        after=after,
        reason=reason,
        scope=f"proposal:{proposal.pk}",
    )
    return policy
