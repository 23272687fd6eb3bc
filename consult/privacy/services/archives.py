"""A person's "download my data" archives: their files, their links, building
them (in the task worker), serving each once, and the hourly sweep.

A ready archive's link works once, for its owner signed in, for
EXPORT_LIFETIME; the file is removed once served, and an hourly sweep
(exports_expire) removes what is left. Asking for one: consult.privacy.services.exports.
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
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from consult.accounts.models import User
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


# --- erasing them with the account -------------------------------------------------------


def exports_erase(*, user: User) -> None:
    """A person's requests go with their account, and their files once it commits."""
    exports = DataExport.objects.filter(user=user)
    paths = [path for path in exports.values_list("path", flat=True) if path]
    exports.delete()
    root = folder()

    def erase() -> None:
        for path in paths:
            (root / path).unlink(missing_ok=True)

    transaction.on_commit(erase)
