"""Suspending a person for a while, banning them, and lifting either.

A sanctioned person still reads and signs in but takes no part: every
participation service refuses them (consult.accounts.rules.ensure_not_sanctioned).
Their open sockets close at once, and a moderator may hide, with the same
public reason, every public comment of theirs in the consultations that
moderator looks after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import roles
from consult.accounts import rules as account_rules
from consult.accounts.audit import audit_record
from consult.accounts.models import AuditEntry, Role, User
from consult.accounts.roles import department_ids_for_role
from consult.infra import live
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from discussion.comments.services import fresh_actor
from discussion.models import Comment, ReportReason
from discussion.moderation import services as moderation

DAYS_MIN, DAYS_MAX = 1, 365
REASON_LIMIT = 300
ACTIONS = ("user.suspend", "user.ban", "user.lift")

DAYS = _("Give a number of days from %(min)d to %(max)d.")
REASON_NEEDED = _("Give the reason; the person will be told it.")
HOLDS_ROLE = _(
    "This person is an official or moderator: only a site administrator can sanction them."
)
BAN_IS_STAFFS = _("Only a site administrator can lift a ban.")
CATEGORY = _("Choose the category of the reason.")
NOT_ALLOWED = _("You can only act on people who have commented in a consultation you moderate.")
SELF = _("You cannot sanction your own account.")
STAFF = _("Staff admins' accounts are managed in the administration.")
BANNED_ALREADY = _("This person is already banned.")
BANNED_LIFT_FIRST = _("This person is banned; lift the ban before suspending them.")
NOT_SANCTIONED = _("This person is neither suspended nor banned.")
SUBJECT = _("Your account")
SUSPENDED_NOTE = _("Your account is suspended from taking part until %(until)s. Reason: %(reason)s")
BANNED_NOTE = _("Your account is banned from taking part until further notice. Reason: %(reason)s")
LIFTED_NOTE = _("You can take part again: the suspension or ban of your account was lifted.")


@dataclass
class Sanction:
    """What a sanction did: the person as saved, and the comments it hid or,
    being handled by another moderator at that moment, left alone."""

    person: User
    hidden: int = 0
    skipped: int = 0


def moderated_comments(*, actor: User, person: User) -> QuerySet[Comment]:
    """The person's comments in consultations the actor moderates (any, for staff)."""
    comments = Comment.objects.filter(author_id=person.pk)
    if account_rules.is_staff_admin(actor):
        return comments
    departments = department_ids_for_role(user=actor, role=Role.MODERATOR)
    return comments.filter(proposal__department__in=departments)


def can_sanction(actor: User, person: User) -> bool:
    """Staff admins, and moderators of a department under which the person has
    commented (a role in a department holds in every department below it)."""
    if not account_rules.is_citizen(actor) or actor.pk == person.pk:
        return False
    if account_rules.is_staff_admin(actor):
        return True
    return moderated_comments(actor=actor, person=person).exists()


def sanction_history(*, person: User) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        target_type=User._meta.label_lower, target_id=str(person.pk), action__in=ACTIONS
    ).select_related("actor")


def clean_days(days) -> int:
    text = str(days if days is not None else "").strip()
    days = int(text) if re.fullmatch(r"\d{1,3}", text, re.ASCII) else 0
    if not DAYS_MIN <= days <= DAYS_MAX:
        raise ValidationError(
            {"days": ValidationError(DAYS, params={"min": DAYS_MIN, "max": DAYS_MAX})}
        )
    return days


def clean_reason(reason: str) -> str:
    return moderation.clean_reason(reason, needed=REASON_NEEDED)


def _clean_category(category: str) -> str:
    if category not in ReportReason.values:
        raise ValidationError({"category": ValidationError(CATEGORY)})
    return category


def _sanctionable(actor: User, person_id: int) -> tuple[User, User]:
    actor = fresh_actor(actor)
    # Locked: two moderators acting on one person take turns; the second sees the first's.
    person = User.objects.select_for_update().get(pk=person_id)
    if actor.pk == person.pk:
        raise PermissionDenied(SELF)
    staff = account_rules.is_staff_admin(actor)
    if person.is_staff and not staff:
        raise PermissionDenied(STAFF)
    if not staff and roles.granted_any_role(user_id=person.pk):
        # An official or moderator elsewhere is beyond one department's say.
        raise PermissionDenied(HOLDS_ROLE)
    if not can_sanction(actor, person):
        raise PermissionDenied(NOT_ALLOWED)
    return actor, person


def _state(person: User) -> dict:
    return {
        "suspended_until": person.suspended_until.isoformat() if person.suspended_until else None,
        "banned": person.banned_at is not None,
        "reason": person.sanction_reason,
    }


def _save(person: User, *, action: str, actor: User, before: dict, reason: str) -> AuditEntry:
    person.save(update_fields=["suspended_until", "banned_at", "sanction_reason"])
    return audit_record(
        actor=actor,
        action=action,
        target=person,
        before=before,
        after=_state(person),
        reason=reason,
    )


def _tell(person: User, entry: AuditEntry, excerpt: str) -> None:
    notifications.notify(
        recipient=person,
        kind=NotificationKind.MODERATION,
        key=f"sanction:{entry.pk}",
        actor=None,
        subject=str(SUBJECT),
        excerpt=excerpt,
        url=reverse("notifications:inbox"),
    )


def _hide_all(actor: User, person: User, *, reason: str, category: str) -> tuple[int, int]:
    """Hide each public comment of the person that the actor may moderate, one
    by one through the moderators' own action (each its audit entry and live
    event). One that another moderator is handling is left to them."""
    departments = department_ids_for_role(user=actor, role=Role.MODERATOR)
    public = (
        Comment.objects.public()
        .filter(author_id=person.pk, proposal__department__in=departments)
        .order_by("pk")
    )
    hidden = skipped = 0
    for comment in public.only("pk"):
        try:
            moderation.comment_hide(actor=actor, comment=comment, reason=reason, category=category)
        except ValidationError:
            skipped += 1
        else:
            hidden += 1
    return hidden, skipped


def _sanctioned(actor: User, person: User, *, hide: bool, reason: str, category: str) -> Sanction:
    # Every open page of theirs stops taking part now, not at the next action.
    live.user_sockets_close(user_id=person.pk)
    result = Sanction(person=person)
    if hide:
        result.hidden, result.skipped = _hide_all(actor, person, reason=reason, category=category)
    return result


@transaction.atomic
def user_suspend(
    *,
    actor: User,
    person: User,
    days: int | str,
    reason: str,
    hide_comments: bool = False,
    category: str = ReportReason.OTHER,
) -> Sanction:
    """Suspend from taking part for 1-365 days (a new suspension replaces the
    one running, and the log keeps both)."""
    days, reason, category = clean_days(days), clean_reason(reason), _clean_category(category)
    actor, person = _sanctionable(actor, person.pk)
    if person.banned_at is not None:
        raise ValidationError(BANNED_LIFT_FIRST)
    before = _state(person)
    person.suspended_until = timezone.now() + timedelta(days=days)
    person.sanction_reason = reason
    entry = _save(person, action="user.suspend", actor=actor, before=before, reason=reason)
    until = formats.date_format(timezone.localtime(person.suspended_until), "DATETIME_FORMAT")
    _tell(person, entry, str(SUSPENDED_NOTE) % {"until": until, "reason": reason})
    return _sanctioned(actor, person, hide=hide_comments, reason=reason, category=category)


@transaction.atomic
def user_ban(
    *,
    actor: User,
    person: User,
    reason: str,
    hide_comments: bool = False,
    category: str = ReportReason.OTHER,
) -> Sanction:
    reason, category = clean_reason(reason), _clean_category(category)
    actor, person = _sanctionable(actor, person.pk)
    if person.banned_at is not None:
        raise ValidationError(BANNED_ALREADY)
    before = _state(person)
    person.banned_at, person.suspended_until = timezone.now(), None
    person.sanction_reason = reason
    entry = _save(person, action="user.ban", actor=actor, before=before, reason=reason)
    _tell(person, entry, str(BANNED_NOTE) % {"reason": reason})
    return _sanctioned(actor, person, hide=hide_comments, reason=reason, category=category)


@transaction.atomic
def user_lift(*, actor: User, person: User, reason: str = "") -> User:
    """End a suspension or a ban now. Hidden comments stay hidden: each is
    restored (or not) on its own merits."""
    reason = " ".join((reason or "").split())
    if reason:
        reason = clean_reason(reason)
    actor, person = _sanctionable(actor, person.pk)
    if not person.sanctioned():
        raise ValidationError(NOT_SANCTIONED)
    if person.banned_at is not None and not account_rules.is_staff_admin(actor):
        raise PermissionDenied(BAN_IS_STAFFS)
    before = _state(person)
    person.suspended_until, person.banned_at, person.sanction_reason = None, None, ""
    entry = _save(person, action="user.lift", actor=actor, before=before, reason=reason)
    _tell(person, entry, str(LIFTED_NOTE))
    return person
