"""Deleting an account: it is anonymised in one transaction. What names or
reaches the person goes: each app that holds rows about them deletes or
blanks its own through `account_erasing` (consult.accounts.signals), and
the account itself is anonymised last (consult.accounts.services.account_anonymise).
What they contributed stays, shown as by a "deleted participant".
"""

from __future__ import annotations

import logging
import time

from allauth.account.authentication import get_authentication_records
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.accounts.services import account_anonymise
from consult.accounts.signals import account_erasing
from consult.privacy.tasks import author_history_rewrite

logger = logging.getLogger(__name__)

NOT_YOURS = _("You can delete only your own account.")
ALREADY_DELETED = _("This account has already been deleted.")
STAFF_KEPT = _(
    "A staff admin account cannot be deleted. Ask another admin to remove your admin rights "
    "first, then delete your account."
)
WRONG_PASSWORD = _("That password is not right. Your account has not been deleted.")
SIGN_IN_AGAIN = _(
    "For your safety, sign in again with the service you use to sign in, then delete your "
    "account within %(minutes)d minutes. Your account has not been deleted."
)
# An account without a password proves it is its owner by a sign-in this recent.
RECENT_SIGN_IN_SECONDS = 10 * 60
WRONG_CONFIRMATION = _(
    "Type the email address of your account exactly as shown to confirm. Your account has not "
    "been deleted."
)


def confirms_with_password(user: User) -> bool:
    """A person with a password confirms with it; one without (signed up
    through single sign-on) types their account's email address instead."""
    return user.has_usable_password()


def recently_signed_in(request) -> bool:
    """Did this session sign in (through any method) in the last few minutes?"""
    records = (
        get_authentication_records(request, request.user) if request.user.is_authenticated else []
    )
    latest = max((record.get("at", 0) for record in records), default=0)
    return time.time() - latest < RECENT_SIGN_IN_SECONDS


def _confirm(user: User, password: str, confirmation: str, recent: bool) -> None:
    if confirms_with_password(user):
        if not password or not user.check_password(password):
            raise ValidationError({"password": WRONG_PASSWORD})
        return
    # Typing the address guards against a slip; holding the session is not
    # proof of being its owner, so a fresh sign-in with the provider is.
    if not recent:
        raise ValidationError(SIGN_IN_AGAIN, params={"minutes": RECENT_SIGN_IN_SECONDS // 60})
    if " ".join((confirmation or "").split()).casefold() != user.email.casefold():
        raise ValidationError({"confirmation": WRONG_CONFIRMATION})


def _refuse_unless_allowed(actor: User | None, user: User) -> bool:
    """Whether the person deletes their own account; refused when the actor
    may not delete it, or it may not be deleted."""
    own = actor is not None and actor.pk == user.pk
    if not own and actor is not None and not account_rules.is_staff_admin(actor):
        raise PermissionDenied(NOT_YOURS)
    if user.is_deleted:
        raise ValidationError(ALREADY_DELETED, code="deleted")
    if user.is_staff or user.is_superuser:
        raise ValidationError(STAFF_KEPT, code="staff")
    return own


def _erase_everywhere(user: User) -> dict[str, int]:
    """Every app's receiver erases what of its own names or reaches the
    person, while the account is still as it was, so that each finds what is
    its own. Returns the counts they give for the audit log."""
    counts: dict[str, int] = {}
    for _receiver, answer in account_erasing.send(sender=User, user=user):
        if isinstance(answer, dict):
            counts.update(answer)
    return counts


@transaction.atomic
def account_delete(
    *,
    actor: User | None,
    user: User,
    password: str = "",
    confirmation: str = "",
    recently_signed_in: bool = False,
) -> User:
    """Anonymise a person's account. The person confirms with their password
    (or, without one, their email address); a staff admin may delete another
    person's account on their behalf (a request by letter), and actor None is
    the system. Staff admin accounts are never deleted: their rights are
    removed first, by another admin."""
    user = User.objects.select_for_update().get(pk=user.pk)
    own = _refuse_unless_allowed(actor, user)
    if own:
        _confirm(user, password, confirmation, recently_signed_in)
    counts = _erase_everywhere(user)
    sessions = account_anonymise(user=user)
    pk = user.pk
    transaction.on_commit(lambda: history_rewrite_enqueue(pk))
    audit_record(
        actor=actor, action="account.deleted", target=user, after={"by_self": own, **counts}
    )
    logger.info("account %s deleted (%d sessions ended)", user.pk, sessions)
    return user


def history_rewrite_enqueue(user_id: int) -> None:
    """Redraw the person's comments in the live event log, in the background
    (consult.privacy.services.history)."""
    author_history_rewrite.enqueue(user_id=user_id)
