"""Every write about verified residents: starting, withdrawing and deciding
requests, the letters of the postal method, and the identity claims.

One identity verifies one account: approving a request claims the keyed
hash of its identifier under a unique constraint, and the constraint, not a
look beforehand, settles two approvals of one identity at the same moment.

A refusal that changes something (a wrong code counts as a try; an identity
held elsewhere closes the request) is committed first and raised after, so
the person sees why and the change stays.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.audit import audit_record
from consult.accounts.models import Jurisdiction, User
from consult.identity import rules, selectors
from consult.identity.identifiers import identity_digest
from consult.identity.methods import VerificationMethod, files_of, method_get, postal
from consult.identity.methods.document import private_storage
from consult.identity.models import (
    CODE_EXPIRED,
    CODE_LIFETIME_DAYS,
    CODE_LOCKED,
    IDENTITY_TAKEN,
    LIVE_STATUSES,
    PENDING_MAX_DAYS,
    REASON_MAX_LENGTH,
    IdentityClaim,
    Status,
    Verification,
)
from consult.infra.text import TextRule, clean_text

logger = logging.getLogger(__name__)

SIGN_IN_REQUIRED = _("Sign in to verify where you live.")
METHOD_UNKNOWN = _("That way of verifying is not offered.")
JURISDICTION_REQUIRED = _("Choose the place where you live.")
ALREADY_VERIFIED = _("You are already a verified resident of %(place)s.")
ALREADY_PENDING = _(
    "You already have a request for %(place)s. Withdraw it first if you want to start again."
)
TOO_MANY_PENDING = _(
    "You have %(limit)d requests waiting. Wait for a decision, or withdraw one, first."
)
NOT_YOURS = _("This request is not yours.")
NOT_REVIEWER = _(
    "Only staff admins and officials of this place or one above it can decide this request, "
    "and never their own."
)
NOT_LIVE = _("This request is already %(status)s.")
NOT_PENDING = _("This request has already been decided: it is %(status)s.")
NOT_VERIFIED = _("Only a verified resident's status can be revoked; this request is %(status)s.")
NOT_STAFF_REVIEWED = _("Requests of this kind are not approved by staff.")
NOT_POSTAL = _("This request does not use a code by post.")
REASON_REQUIRED = _("Give a reason; it is shown to the person.")
REASON_TOO_LONG = _("The reason can be at most %(limit)d characters.")
LETTER_NOT_PRINTED = _("Print the letter before marking it as posted.")
NO_CODE_YET = _("Your letter has not been posted yet: wait for it before typing a code.")
CODE_REQUIRED = _("Type the code from the letter.")
CODE_WRONG = _("That code is not right. Tries left: %(left)d.")

MAX_PENDING = 3
# A reviewer's reason for refusing or revoking, shown to the person.
REASON = TextRule("reason", REASON_MAX_LENGTH, REASON_TOO_LONG, required=REASON_REQUIRED)


# --- helpers -------------------------------------------------------------------


def _access(verification_id: int) -> Verification:
    """The request, locked: two reviewers or two tabs decide it once."""
    return (
        Verification.objects.select_for_update()
        .select_related("jurisdiction")
        .get(pk=verification_id)
    )


def _method(verification: Verification) -> VerificationMethod | None:
    return method_get(verification.method)


def _status_label(verification: Verification) -> str:
    return str(Status(verification.status).label).lower()


def _require_pending(verification: Verification) -> None:
    if verification.status != Status.PENDING:
        raise ValidationError(NOT_PENDING, params={"status": _status_label(verification)})


def _require_reviewer(actor: User, verification: Verification) -> None:
    if not rules.can_review(actor, verification):
        raise PermissionDenied(NOT_REVIEWER)


def _delete_files(names: list[str]) -> None:
    if not names:
        return
    storage = private_storage()

    def delete() -> None:
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("could not delete an identity scan")

    transaction.on_commit(delete)


def _audit(actor: User | None, action: str, verification: Verification, before: str, **fields):
    audit_record(
        actor=actor,
        action=action,
        target=verification,
        before={"status": before},
        after={
            "status": verification.status,
            "method": verification.method,
            "jurisdiction": verification.jurisdiction_id,
        },
        **fields,
    )


def _decide(
    verification: Verification,
    *,
    status: str,
    actor: User | None,
    reason: str = "",
    reason_code: str = "",
    action: str = "",
) -> Verification:
    """Close or grant the request, drop what the method kept (the number,
    the scan, the address, the code's hash) and record the decision."""
    before = verification.status
    _delete_files(files_of(verification.method_data))
    verification.status = status
    verification.decided_at = timezone.now()
    verification.decided_by = actor if actor is not None and actor.pk else None
    verification.reason = reason
    verification.reason_code = reason_code
    verification.method_data = {}
    verification.save()
    if action:
        _audit(actor, action, verification, before, reason=reason or reason_code)
    return verification


def _claim(user_id: int, digest: str) -> IdentityClaim | None:
    """The person's claim on the identity, or None when another account holds it.

    The insert runs in a savepoint: when it loses the unique constraint (now,
    or to a concurrent approval that commits first), the transaction goes on
    and learns who holds the identity."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdentityClaim.objects.create(digest=digest, user_id=user_id)
        except IntegrityError:
            holder = IdentityClaim.objects.filter(digest=digest).first()
            if holder is not None:
                return holder if holder.user_id == user_id else None
            # Released between the insert and the look: try again.
    return None


def _verify(
    verification: Verification, method: VerificationMethod, *, actor: User | None
) -> str | None:
    """Claim the identity and grant the status; or close the request when
    the identity verifies another account, returning the refusal."""
    digest = identity_digest(method.identifier(verification.method_data))
    claim = _claim(verification.user_id, digest)
    if claim is None:
        _decide(
            verification,
            status=Status.REJECTED,
            actor=actor,
            reason_code="taken",
            action="identity.rejected",
        )
        return str(IDENTITY_TAKEN)
    verification.claim = claim
    _decide(verification, status=Status.VERIFIED, actor=actor, action="identity.verified")
    return None


def _raise_after(outcome: tuple[Verification, str | None]) -> Verification:
    verification, refusal = outcome
    if refusal:
        raise ValidationError(refusal)
    return verification


# --- the person ----------------------------------------------------------------


def verification_start(
    *, actor: User, method_key: str, jurisdiction: Jurisdiction | None, data: dict
) -> Verification:
    """Ask to be verified as a resident of a place, with the method's form data."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN_REQUIRED)
    method = method_get(method_key)
    if method is None:
        raise ValidationError(METHOD_UNKNOWN)
    if jurisdiction is None:
        raise ValidationError({"jurisdiction": ValidationError(JURISDICTION_REQUIRED)})
    if selectors.is_verified_resident(actor, jurisdiction):
        raise ValidationError(ALREADY_VERIFIED, params={"place": jurisdiction.name})
    pending = Verification.objects.filter(user_id=actor.pk, status=Status.PENDING).count()
    if pending >= MAX_PENDING:
        raise ValidationError(TOO_MANY_PENDING, params={"limit": MAX_PENDING})
    # Whether the identity already verifies another account is told only
    # when the request is decided (after a document check or a letter), never
    # here: an instant answer would let anyone find out who is verified.
    method.identifier(data)  # what cannot identify anyone is refused now
    method_data = method.begin(user=actor, data=data)
    try:
        with transaction.atomic():
            return Verification.objects.create(
                user=actor, jurisdiction=jurisdiction, method=method.key, method_data=method_data
            )
    except IntegrityError:
        _delete_now(files_of(method_data))
        raise ValidationError(ALREADY_PENDING, params={"place": jurisdiction.name}) from None
    except BaseException:
        _delete_now(files_of(method_data))
        raise


def _delete_now(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        storage.delete(name)


@transaction.atomic
def verification_withdraw(*, actor: User, verification_id: int) -> Verification:
    """Withdraw a pending request, or give up a verified status. The identity
    stays bound to this account (until it is deleted), so it cannot verify
    another one."""
    verification = _access(verification_id)
    if verification.user_id != actor.pk:
        raise PermissionDenied(NOT_YOURS)
    if verification.status not in LIVE_STATUSES:
        raise ValidationError(NOT_LIVE, params={"status": _status_label(verification)})
    return _decide(verification, status=Status.WITHDRAWN, actor=actor)


# --- reviewers -----------------------------------------------------------------


def verification_approve(*, actor: User, verification_id: int) -> Verification:
    """Grant the status after checking the document. Refused, and the request
    rejected, when the identity already verifies another account."""
    return _raise_after(_approve(actor=actor, verification_id=verification_id))


@transaction.atomic
def _approve(*, actor: User, verification_id: int) -> tuple[Verification, str | None]:
    verification = _access(verification_id)
    _require_reviewer(actor, verification)
    _require_pending(verification)
    method = _method(verification)
    if method is None or not method.staff_reviewed:
        raise ValidationError(NOT_STAFF_REVIEWED)
    return verification, _verify(verification, method, actor=actor)


@transaction.atomic
def verification_reject(*, actor: User, verification_id: int, reason: str) -> Verification:
    verification = _access(verification_id)
    _require_reviewer(actor, verification)
    _require_pending(verification)
    return _decide(
        verification,
        status=Status.REJECTED,
        actor=actor,
        reason=clean_text(reason, REASON),
        action="identity.rejected",
    )


@transaction.atomic
def verification_revoke(*, actor: User, verification_id: int, reason: str) -> Verification:
    """End a verified status (a mistake, a fraud). The identity is released
    when no other verified request of the person rests on it, so that its
    rightful owner can use it."""
    verification = _access(verification_id)
    _require_reviewer(actor, verification)
    if verification.status != Status.VERIFIED:
        raise ValidationError(NOT_VERIFIED, params={"status": _status_label(verification)})
    reason = clean_text(reason, REASON)
    claim_id = verification.claim_id
    _decide(
        verification, status=Status.REVOKED, actor=actor, reason=reason, action="identity.revoked"
    )
    if (
        claim_id
        and not Verification.objects.filter(claim_id=claim_id, status=Status.VERIFIED).exists()
    ):
        IdentityClaim.objects.filter(pk=claim_id).delete()
    return verification


# --- code by post ----------------------------------------------------------------


def _postal(verification: Verification) -> None:
    if verification.method != postal.PostalCode.key:
        raise ValidationError(NOT_POSTAL)


@transaction.atomic
def letter_print(*, actor: User, verification_id: int) -> tuple[Verification, str]:
    """Make the letter's code: returned this once, only its hash is kept.
    Printing again makes a new code; the old one stops working."""
    verification = _access(verification_id)
    _require_reviewer(actor, verification)
    _require_pending(verification)
    _postal(verification)
    code = postal.new_code()
    verification.method_data = {
        **verification.method_data,
        "code_hash": postal.code_hash(verification.pk, code),
        "printed_at": timezone.now().isoformat(),
        "sent_at": None,
        "attempts": 0,
    }
    verification.save(update_fields=["method_data"])
    _audit(actor, "identity.letter_printed", verification, verification.status)
    return verification, code


@transaction.atomic
def letter_mark_sent(*, actor: User, verification_id: int) -> Verification:
    verification = _access(verification_id)
    _require_reviewer(actor, verification)
    _require_pending(verification)
    _postal(verification)
    if not verification.method_data.get("code_hash"):
        raise ValidationError(LETTER_NOT_PRINTED)
    verification.method_data = {**verification.method_data, "sent_at": timezone.now().isoformat()}
    verification.save(update_fields=["method_data"])
    _audit(actor, "identity.letter_sent", verification, verification.status)
    return verification


def code_confirm(*, actor: User, verification_id: int, code: str) -> Verification:
    """The person types the code from the letter. A wrong code counts as a
    try even though it is refused; the last allowed try, or an expired code,
    closes the request."""
    return _raise_after(_code_check(actor=actor, verification_id=verification_id, code=code))


@transaction.atomic
def _code_check(*, actor: User, verification_id: int, code: str) -> tuple[Verification, str | None]:
    verification = _access(verification_id)
    if verification.user_id != actor.pk:
        raise PermissionDenied(NOT_YOURS)
    _require_pending(verification)
    _postal(verification)
    data = verification.method_data
    if not data.get("code_hash"):
        raise ValidationError(NO_CODE_YET)
    if not postal.normalise_code(code or ""):
        raise ValidationError({"code": ValidationError(CODE_REQUIRED)})
    if postal.code_expired(data, timezone.now()):
        _decide(
            verification,
            status=Status.REJECTED,
            actor=None,
            reason_code="expired",
            action="identity.rejected",
        )
        return verification, str(CODE_EXPIRED) % {"days": CODE_LIFETIME_DAYS}
    if postal.code_matches(verification.pk, code, data["code_hash"]):
        method = _method(verification) or postal.PostalCode()
        return verification, _verify(verification, method, actor=actor)
    attempts = int(data.get("attempts") or 0) + 1
    if attempts >= postal.MAX_ATTEMPTS:
        _decide(
            verification,
            status=Status.REJECTED,
            actor=None,
            reason_code="locked",
            action="identity.rejected",
        )
        return verification, str(CODE_LOCKED)
    verification.method_data = {**data, "attempts": attempts}
    verification.save(update_fields=["method_data"])
    return verification, str(CODE_WRONG % {"left": postal.MAX_ATTEMPTS - attempts})


def postal_codes_expire(*, now: datetime | None = None) -> int:
    """Close the postal requests whose code has expired (a periodic task):
    their name and address are not kept longer than the code is good for."""
    now = now or timezone.now()
    expired = [
        pk
        for pk, data in Verification.objects.filter(
            method=postal.PostalCode.key, status=Status.PENDING
        ).values_list("pk", "method_data")
        if postal.code_expired(data, now)
    ]
    closed = 0
    for pk in expired:
        with transaction.atomic():
            verification = _access(pk)
            if verification.status == Status.PENDING and postal.code_expired(
                verification.method_data, now
            ):
                _decide(
                    verification,
                    status=Status.REJECTED,
                    actor=None,
                    reason_code="expired",
                    action="identity.rejected",
                )
                closed += 1
    return closed + _stale_requests_close(now)


def _stale_requests_close(now: datetime) -> int:
    """Requests nobody decided within PENDING_MAX_DAYS (a scan never reviewed,
    a letter never printed) close, and their scan, number or address go."""
    cutoff = now - timedelta(days=PENDING_MAX_DAYS)
    closed = 0
    stale = Verification.objects.filter(status=Status.PENDING, created_at__lt=cutoff)
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            verification = _access(pk)
            if verification.status == Status.PENDING and verification.created_at < cutoff:
                _decide(
                    verification,
                    status=Status.REJECTED,
                    actor=None,
                    reason_code="stale",
                    action="identity.rejected",
                )
                closed += 1
    return closed


# --- erasing an account --------------------------------------------------------


def identity_erase(*, user: User) -> None:
    """Everything that links the person to an identity: requests, claims, scans.
    Runs inside the transaction that anonymises the account."""
    names = [
        name
        for data in Verification.objects.filter(user_id=user.pk).values_list(
            "method_data", flat=True
        )
        for name in files_of(data)
    ]
    Verification.objects.filter(user_id=user.pk).delete()
    IdentityClaim.objects.filter(user_id=user.pk).delete()
    _delete_files(names)
