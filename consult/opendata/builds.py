"""Building a bulk download's file, in the background worker: the data's
fingerprint taken first, the ZIP written again only when it no longer
matches the file's, beside the last good file and renamed into its place.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from consult.opendata import bulk, fingerprint, public
from consult.opendata.models import BuildState, DataFile, Scope
from proposals.models import Proposal

logger = logging.getLogger(__name__)

# A build that has shown no sign of life for this long is taken to be dead
# (its worker stopped) and may be claimed again.
STALE_AFTER = timedelta(minutes=15)
# Progress is stored when it has moved this many points, or this often.
PROGRESS_STEP = 2
TOUCH_EVERY = timedelta(seconds=30)
NOT_PUBLIC = "the consultation is not public"


def folder() -> Path:
    """Where the files are kept: not served by the web server, only by the views."""
    configured = getattr(settings, "CONSULT_OPENDATA_DIR", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "opendata"


def scope_proposals(file: DataFile) -> list[Proposal]:
    """The public consultations that the file covers, in id order."""
    found = public.proposals().order_by("pk")
    if file.scope == Scope.CONSULTATION:
        found = found.filter(pk=file.proposal_id)
    return list(found)


class _Reporter:
    """Stores the build's progress when it has moved enough to be seen."""

    def __init__(self, file: DataFile, total: int) -> None:
        self.file, self.total = file, max(total, 1)
        self.touched = timezone.now()

    def __call__(self, rows: int) -> None:
        percent = min(99, 100 * rows // self.total)
        now = timezone.now()
        if percent - self.file.progress < PROGRESS_STEP and now - self.touched < TOUCH_EVERY:
            return
        self.file.progress, self.touched = max(percent, self.file.progress), now
        DataFile.objects.filter(pk=self.file.pk, attempt=self.file.attempt).update(
            progress=self.file.progress, touched_at=now
        )


def _names(file: DataFile) -> tuple[str, str, str]:
    """(file name stem, package name, title) of the file's ZIP."""
    if file.scope == Scope.SITE:
        return "site", "consult-open-data", "Open data of every public consultation"
    proposal = file.proposal
    return (
        f"consultation-{proposal.pk}",
        f"consult-open-data-{proposal.pk}",
        f"Open data of the consultation “{proposal.title}”",
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _write(file: DataFile, proposals: list[Proposal], progress) -> tuple[str, int, str]:
    """Build the ZIP into a temporary file beside its final place, then give
    it its name in one rename: a reader sees the old file or the new one."""
    stem, name, title = _names(file)
    root = folder()
    root.mkdir(parents=True, exist_ok=True)
    _sweep(root, stem)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed, or removed on failure
        dir=root, prefix=f".{stem}-", suffix=".part", delete=False
    )
    partial = Path(handle.name)
    try:
        with handle:
            bulk.write_zip(
                handle,
                proposals=proposals,
                name=name,
                title=title,
                polis=proposals[0] if file.scope == Scope.CONSULTATION else None,
                progress=progress,
                spool_dir=root,
            )
            handle.flush()
            os.fsync(handle.fileno())
        sha256 = _sha256(partial)
        final = f"{stem}-{sha256[:16]}.zip"
        size = partial.stat().st_size
        partial.chmod(0o644)
        partial.replace(root / final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final, size, sha256


def _sweep(root: Path, stem: str) -> None:
    """Partial files left by a worker that was stopped in the middle of a build."""
    cutoff = (timezone.now() - STALE_AFTER).timestamp()
    for partial in root.glob(f".{stem}-*.part"):
        with contextlib.suppress(FileNotFoundError):  # swept by another process meanwhile
            if partial.stat().st_mtime < cutoff:
                partial.unlink()


def _remove_unused(path: str) -> None:
    if path and not DataFile.objects.filter(path=path).exists():
        (folder() / path).unlink(missing_ok=True)


def data_file_build(*, file_id: int, attempt: int) -> DataFile | None:
    """The task's body: build one queued file again if its data has changed
    (or it has none). A claim already taken, or taken over since, is left alone."""
    now = timezone.now()
    if not DataFile.objects.filter(pk=file_id, attempt=attempt, state=BuildState.QUEUED).update(
        state=BuildState.BUILDING, progress=0, touched_at=now
    ):
        return None
    file = DataFile.objects.select_related("proposal").get(pk=file_id)
    ours = DataFile.objects.filter(pk=file_id, attempt=attempt, state=BuildState.BUILDING)
    previous = file.path
    try:
        proposals = scope_proposals(file)
        if file.scope == Scope.CONSULTATION and not proposals:
            raise LookupError(NOT_PUBLIC)
        # Taken before reading: data that changes during the build makes the
        # file look stale, never fresher than it is.
        taken = fingerprint.fingerprint(proposals)
        if taken.digest == file.fingerprint and (folder() / previous).is_file():
            ours.update(state=BuildState.READY, progress=100, finished_at=timezone.now())
            file.refresh_from_db()
            return file
        path, size, sha256 = _write(file, proposals, _Reporter(file, taken.rows))
    except Exception as exc:
        logger.exception("open data file %s failed to build", file_id)
        error = NOT_PUBLIC if str(exc) == NOT_PUBLIC else "failed"
        ours.update(state=BuildState.FAILED, finished_at=timezone.now(), error=error)
        file.refresh_from_db()
        return file
    finished = timezone.now()
    if ours.update(
        state=BuildState.READY,
        progress=100,
        path=path,
        size=size,
        sha256=sha256,
        fingerprint=taken.digest,
        # The data is as of the claim: what changed after it is not in the file.
        built_at=now,
        finished_at=finished,
        touched_at=finished,
        error="",
    ):
        if previous != path:
            _remove_unused(previous)
    else:
        _remove_unused(path)
    file.refresh_from_db()
    return file
