"""A person's rights over their data: a copy of it, and deleting the account.

Download my data: a request queues a background build of a ZIP (at most one
in progress per person, a few a day). Its link works once, for its owner
signed in, for EXPORT_LIFETIME; the file is removed once served, and an
hourly sweep (exports_expire) removes what is left.

Deleting an account anonymises it in one transaction: what names or reaches
the person goes (name, email, sign-in links, second factors, sessions,
tokens, follows, notifications, exports, and whatever the other apps hold,
through `account_erasing`); what they contributed stays, shown as by a
"deleted participant".
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import logging
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.audit import audit_record
from consult.accounts.models import Membership, User
from consult.accounts.services import sessions_end_all
from consult.accounts.signals import account_erasing
from consult.infra.mail import email_enqueue
from consult.privacy import export
from consult.privacy.models import IN_PROGRESS, DataExport, ExportState

logger = logging.getLogger(__name__)

# How long a ready archive's link works.
EXPORT_LIFETIME = timedelta(days=7)
EXPORTS_PER_DAY = 3
# A build that has not finished in this long is taken to be dead (its worker
# stopped): it fails, and the person may ask again.
STALE_AFTER = timedelta(hours=1)
# The record of a request (dates and state, no data) is kept this long, to
# count requests and to say why an old link no longer works.
RECORD_KEPT = timedelta(days=30)

SIGN_IN = _("Sign in to ask for a copy of your data.")
EXPORT_IN_PROGRESS = _(
    "A copy of your data is already being prepared. Wait for it to be ready before asking again."
)
EXPORTS_TOO_MANY = _(
    "You can ask for a copy of your data at most %(limit)d times a day. Please try again tomorrow."
)

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
PLACEHOLDER_DOMAIN = "deleted.invalid"


# --- where the files are, and their links ----------------------------------------------


def folder() -> Path:
    """The archives' folder: private, outside MEDIA_ROOT, served only by the
    download view to the archive's owner."""
    configured = getattr(settings, "CONSULT_EXPORTS_DIR", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "private" / "exports"


def _token_key() -> bytes:
    return hashlib.sha256(f"consult.privacy.export:{settings.SECRET_KEY}".encode()).digest()


def export_token(export: DataExport) -> str:
    """The secret in the archive's link. It is derived from the row's random
    nonce with a key from SECRET_KEY, so the owner's page can show the link
    again while the database alone (nonce and digest) cannot rebuild it."""
    mac = hmac.new(_token_key(), export.nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def export_url(export: DataExport) -> str:
    return reverse("privacy:download", kwargs={"token": export_token(export)})


# --- asking for a copy -----------------------------------------------------------------


def _give_up_stale(user_id: int) -> None:
    stale = timezone.now() - STALE_AFTER
    DataExport.objects.filter(user_id=user_id, state__in=IN_PROGRESS, created_at__lt=stale).update(
        state=ExportState.FAILED, finished_at=timezone.now()
    )


@transaction.atomic
def export_request(*, actor: User, language: str = "") -> DataExport:
    """Queue a build of the person's archive, unless one is under way or they
    asked too often today."""
    from consult.privacy.tasks import export_build

    if not getattr(actor, "is_authenticated", False) or not actor.is_active or actor.is_deleted:
        raise PermissionDenied(SIGN_IN)
    # Locked: two forms sent at once are counted one after the other.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    _give_up_stale(actor.pk)
    mine = DataExport.objects.filter(user=actor)
    if mine.filter(state__in=IN_PROGRESS).exists():
        raise ValidationError(EXPORT_IN_PROGRESS, code="in_progress")
    today = mine.filter(created_at__gt=timezone.now() - timedelta(days=1)).count()
    if today >= EXPORTS_PER_DAY:
        raise ValidationError(EXPORTS_TOO_MANY, code="too_many", params={"limit": EXPORTS_PER_DAY})
    export = DataExport(user=actor, nonce=secrets.token_urlsafe(32), language=language[:16])
    export.token_digest = token_digest(export_token(export))
    try:
        with transaction.atomic():
            export.save()
    except IntegrityError:
        # Another request of the same person won the race (one in progress at a time).
        raise ValidationError(EXPORT_IN_PROGRESS, code="in_progress") from None
    pk = export.pk
    transaction.on_commit(lambda: export_build.enqueue(export_id=pk))
    return export


# --- building it (in the task worker) -----------------------------------------------------


def _write(export_row: DataExport, progress) -> tuple[str, int]:
    """Write the ZIP beside its final place and give it its name in one
    rename. Only the owner of the process may read it."""
    root = folder()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.zip"
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed, or removed on failure
        dir=root, prefix=".export-", suffix=".part", delete=False
    )
    partial = Path(handle.name)
    try:
        with handle:
            user = export_row.user
            with translation.override(export_row.language or settings.LANGUAGE_CODE):
                tables = export.collect(user, progress)
                export.write_zip(handle, user=user, tables=tables, progress=progress)
            handle.flush()
            os.fsync(handle.fileno())
        partial.chmod(0o600)
        size = partial.stat().st_size
        partial.replace(root / name)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return name, size


def export_build(*, export_id: int) -> DataExport | None:
    """The task's body: build one queued archive. A request taken by another
    worker, given up as stale, or deleted with its account meanwhile is left
    alone (and a file written for it removed)."""
    if not DataExport.objects.filter(pk=export_id, state=ExportState.QUEUED).update(
        state=ExportState.BUILDING, progress=0
    ):
        return None
    ours = DataExport.objects.filter(pk=export_id, state=ExportState.BUILDING)
    row = (
        DataExport.objects.select_related("user", "user__home_jurisdiction")
        .filter(pk=export_id)
        .first()
    )
    if row is None:  # the account was deleted since, and its exports with it
        return None

    def progress(percent: int) -> None:
        if percent > row.progress:
            row.progress = percent
            ours.update(progress=percent)

    try:
        path, size = _write(row, progress)
    except Exception:
        logger.exception("data export %s failed to build", export_id)
        ours.update(state=ExportState.FAILED, finished_at=timezone.now())
        return DataExport.objects.filter(pk=export_id).first()
    now = timezone.now()
    if not ours.update(
        state=ExportState.READY,
        progress=100,
        path=path,
        size=size,
        ready_at=now,
        finished_at=now,
        expires_at=now + EXPORT_LIFETIME,
    ):
        (folder() / path).unlink(missing_ok=True)
        return None
    row.refresh_from_db()
    _email_ready(row)
    return row


def _email_ready(row: DataExport) -> None:
    """Tell the person that their archive is ready, in the language they asked in."""
    user = row.user
    if not user.is_active or user.is_deleted:
        return
    site = settings.CONSULT_SITE_URL.rstrip("/")
    with translation.override(row.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "export": row,
            "download_url": site + export_url(row),
            "page_url": site + reverse("privacy:index"),
            "days": EXPORT_LIFETIME.days,
        }
        subject = render_to_string("privacy/email/export_ready_subject.txt", context)
        text = render_to_string("privacy/email/export_ready.txt", context)
        html = render_to_string("privacy/email/export_ready.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()), text, settings.DEFAULT_FROM_EMAIL, [user.email]
    )
    message.attach_alternative(html, "text/html")
    email_enqueue(message)


# --- downloading it ------------------------------------------------------------------------


def export_for_token(*, actor: User, token: str) -> DataExport | None:
    """The actor's own archive behind this link; None for anyone else's."""
    if not getattr(actor, "is_authenticated", False) or not token or len(token) > 100:
        return None
    return DataExport.objects.filter(user_id=actor.pk, token_digest=token_digest(token)).first()


class ServedOnce(io.FileIO):
    """The archive as it is streamed: once its download is claimed, its file
    is removed when the response closes, whether the download finished or
    not (the link was used)."""

    claimed = False

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.claimed:
                Path(self.name).unlink(missing_ok=True)


def export_download_open(*, actor: User, export_row: DataExport) -> ServedOnce | None:
    """Claim the archive's one download and open it; None when it has been
    downloaded, has expired or is not there. Two requests at once: one
    conditional UPDATE decides which one gets it."""
    if export_row.user_id != getattr(actor, "pk", None) or not export_row.is_downloadable():
        return None
    try:
        handle = ServedOnce(folder() / export_row.path, "r")
    except OSError:
        return None
    now = timezone.now()
    claimed = DataExport.objects.filter(
        pk=export_row.pk,
        state=ExportState.READY,
        downloaded_at__isnull=True,
        expires_at__gt=now,
        path=export_row.path,
    ).update(downloaded_at=now, path="")
    if not claimed:
        handle.close()  # another request serves it, and removes it
        return None
    handle.claimed = True
    export_row.downloaded_at, export_row.path = now, ""
    return handle


# --- the hourly sweep -------------------------------------------------------------------


def exports_expire(*, now=None) -> dict[str, int]:
    """Remove archives whose link expired, give up builds that stalled, forget
    old requests, and remove files that no row names (a build that stopped
    half-way, an account deleted while its archive was being written)."""
    now = now or timezone.now()
    root = folder()
    removed = 0
    expired = DataExport.objects.filter(
        Q(expires_at__lte=now) | Q(downloaded_at__isnull=False), ~Q(path="")
    )
    for pk, path in expired.values_list("pk", "path"):
        (root / path).unlink(missing_ok=True)
        removed += DataExport.objects.filter(pk=pk, path=path).update(path="")
    stalled = DataExport.objects.filter(
        state__in=IN_PROGRESS, created_at__lt=now - STALE_AFTER
    ).update(state=ExportState.FAILED, finished_at=now)
    forgotten, _ = DataExport.objects.filter(created_at__lt=now - RECORD_KEPT).delete()
    orphans = _remove_orphans(root, now)
    return {"removed": removed, "stalled": stalled, "forgotten": forgotten, "orphans": orphans}


def _remove_orphans(root: Path, now) -> int:
    if not root.is_dir():
        return 0
    cutoff = (now - STALE_AFTER).timestamp()
    named = set(DataExport.objects.exclude(path="").values_list("path", flat=True))
    removed = 0
    for file in root.iterdir():
        if file.name in named or not file.is_file():
            continue
        with contextlib.suppress(FileNotFoundError):
            if file.stat().st_mtime < cutoff:
                file.unlink()
                removed += 1
    return removed


# --- deleting the account ------------------------------------------------------------------


def confirms_with_password(user: User) -> bool:
    """A person with a password confirms with it; one without (signed up
    through single sign-on) types their account's email address instead."""
    return user.has_usable_password()


def recently_signed_in(request) -> bool:
    """Did this session sign in (through any method) in the last few minutes?"""
    import time

    from allauth.account.authentication import get_authentication_records

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


def _erase_files_on_commit(paths: list[str]) -> None:
    root = folder()

    def erase() -> None:
        for path in paths:
            (root / path).unlink(missing_ok=True)

    transaction.on_commit(erase)


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
    removed first, by another admin.

    The other apps' `account_erasing` receivers run first, while the account
    is still as it was, so that they can find what is theirs."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    from consult.api.models import AccessToken
    from consult.api.tokens import tokens_revoke_all
    from consult.notifications.models import Notification
    from discussion.models import Appeal, Report
    from proposals.models import Follow

    user = User.objects.select_for_update().get(pk=user.pk)
    own = actor is not None and actor.pk == user.pk
    if not own and actor is not None and not account_rules.is_staff_admin(actor):
        raise PermissionDenied(NOT_YOURS)
    if user.is_deleted:
        raise ValidationError(ALREADY_DELETED, code="deleted")
    if user.is_staff or user.is_superuser:
        raise ValidationError(STAFF_KEPT, code="staff")
    if own:
        _confirm(user, password, confirmation, recently_signed_in)

    account_erasing.send(sender=User, user=user)
    roles = Membership.objects.filter(user=user).delete()[0]
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()  # and their tokens
    Authenticator.objects.filter(user=user).delete()
    Follow.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    _stances_withdraw_where_residence_counts(user)
    # Free text they wrote to moderators goes; the decisions stay.
    Report.objects.filter(reporter=user).update(note="")
    Appeal.objects.filter(author=user).update(note="")
    exports = DataExport.objects.filter(user=user)
    _erase_files_on_commit([path for path in exports.values_list("path", flat=True) if path])
    exports.delete()
    tokens = tokens_revoke_all(user=user)
    AccessToken.objects.filter(user=user).update(name="")

    user.display_name = ""
    user.email = f"deleted-{user.pk}-{secrets.token_hex(8)}@{PLACEHOLDER_DOMAIN}"
    user.set_unusable_password()
    user.is_active = False
    user.home_jurisdiction = None
    user.last_login = None
    user.deleted_at = timezone.now()
    user.save(
        update_fields=[
            "display_name",
            "email",
            "password",
            "is_active",
            "home_jurisdiction",
            "last_login",
            "deleted_at",
        ]
    )
    sessions = sessions_end_all(user=user)
    pk = user.pk
    transaction.on_commit(lambda: history_rewrite_enqueue(pk))
    audit_record(
        actor=actor,
        action="account.deleted",
        target=user,
        after={"by_self": own, "roles_removed": roles, "tokens_revoked": tokens},
    )
    logger.info("account %s deleted (%d sessions ended)", user.pk, sessions)
    return user


def _stances_withdraw_where_residence_counts(user: User) -> None:
    """Stances on open consultations limited to verified residents go with
    the account: they stood on an identity that the deletion releases, and
    the same person verified anew must not count twice."""
    from consult.infra import live
    from proposals.models import Proposal, ProposalStance, SectionStance, Status

    still_open = (
        Proposal.objects.with_effective_status()
        .filter(requires_verification=True, live_status=Status.OPEN)
        .values("pk")
    )
    touched: set[int] = set()
    for model in (ProposalStance, SectionStance):
        stances = model.objects.filter(user=user, proposal__in=still_open)
        touched.update(stances.values_list("proposal_id", flat=True))
        stances.delete()
    for proposal_id in sorted(touched):
        live.stance_changed(proposal_id=proposal_id)


def history_rewrite_enqueue(user_id: int) -> None:
    from consult.privacy.tasks import author_history_rewrite

    author_history_rewrite.enqueue(user_id=user_id)


# Comments whose live events are rewritten per query.
HISTORY_CHUNK = 500


def author_history_rewrite(*, user_id: int) -> int:
    """The live event log keeps each comment's HTML as it was sent, to replay
    it to a page that missed it; a deleted person's comments are drawn again
    there, so that a replay never brings back their name. Returns how many
    events were rewritten. Run in the background after the deletion: a
    prolific person's comments are many to draw."""
    from discussion.comments.services import comment_fragment
    from discussion.models import Comment, Event

    rewritten = 0
    ids = list(
        Comment.objects.filter(author_id=user_id).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), HISTORY_CHUNK):
        chunk = ids[start : start + HISTORY_CHUNK]
        comments = {
            comment.pk: comment
            for comment in Comment.objects.filter(pk__in=chunk).select_related(
                "author", "proposal", "section"
            )
        }
        events = Event.objects.filter(
            proposal_id__in={comment.proposal_id for comment in comments.values()},
            type__startswith="comment.",
            payload__id__in=chunk,
        )
        drawn: dict[int, dict] = {}
        for event in events:
            comment = comments.get(event.payload.get("id"))
            if comment is None or "html" not in event.payload:
                continue
            if comment.pk not in drawn:
                drawn[comment.pk] = comment_fragment(comment)
            event.payload["html"] = drawn[comment.pk]
            event.save(update_fields=["payload"])
            rewritten += 1
    return rewritten
