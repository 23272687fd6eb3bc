"""The bulk downloads' files: when to build one, and serving it (the build
itself is consult.opendata.builds, run by the task worker).

A download never waits for a build, nor for the data to be looked at. It is
given the last good file at once, and a check is queued for the background
worker (at most once every CONSULT_OPENDATA_CHECK_SECONDS per file): the
worker takes the data's fingerprint and, if it no longer matches the file's,
builds the file again. Only the very first request of a file, when there is
none yet, gets a page that says it is being prepared. One build at a time
per file: it is claimed by one conditional UPDATE, which one request wins.
"""

from __future__ import annotations

from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from consult.opendata.builds import STALE_AFTER, folder
from consult.opendata.models import ACTIVE_STATES, BuildState, DataFile, Scope
from consult.opendata.tasks import build_data_file
from discussion.models import Comment
from proposals.models import Proposal

# A build that failed is not tried again before this.
RETRY_AFTER = timedelta(minutes=10)


def check_seconds() -> int:
    """How often, at most, a download has the data looked at again."""
    return int(getattr(settings, "CONSULT_OPENDATA_CHECK_SECONDS", 30))


# --- reads ------------------------------------------------------------------------


def data_file_for(*, proposal: Proposal | None) -> DataFile:
    """The row of the site's file (no proposal) or of one consultation's."""
    scope = Scope.CONSULTATION if proposal else Scope.SITE
    try:
        with transaction.atomic():
            file, _ = DataFile.objects.get_or_create(scope=scope, proposal=proposal)
    except IntegrityError:
        # Two first requests at once: the other one made it.
        file = DataFile.objects.get(scope=scope, proposal=proposal)
    if proposal is not None:
        file.proposal = proposal
    return file


def data_file_open(file: DataFile) -> tuple[DataFile, BinaryIO] | None:
    """The last good file, opened; None if there is none yet. A file replaced
    between reading the row and opening it is found again once."""
    for _ in range(2):
        if not file.path:
            return None
        try:
            return file, (folder() / file.path).open("rb")
        except FileNotFoundError:
            file.refresh_from_db()
    return None


def words_withdrawn_since(file: DataFile) -> bool:
    """Has a comment in the file been hidden or deleted since its data was
    read? Then the file must not be served again: one query."""
    if file.built_at is None:
        return False
    gone = Comment.objects.filter(Q(hidden_at__gt=file.built_at) | Q(deleted_at__gt=file.built_at))
    if file.scope == Scope.CONSULTATION:
        gone = gone.filter(proposal_id=file.proposal_id)
    return gone.exists()


# --- writes -----------------------------------------------------------------------


def data_file_request(*, file: DataFile) -> bool:
    """Queue a build of the file (which first checks whether the data has
    changed at all), unless one is under way or one failed a moment ago.
    Returns whether this call queued it."""
    now = timezone.now()
    if (
        file.state == BuildState.FAILED
        and file.finished_at
        and file.finished_at > now - RETRY_AFTER
    ):
        return False
    stale = now - STALE_AFTER
    claimable = (
        ~Q(state__in=ACTIVE_STATES)
        | Q(state=BuildState.QUEUED, queued_at__lt=stale)
        | Q(state=BuildState.BUILDING, touched_at__lt=stale)
    )
    attempt = file.attempt + 1
    # The claim: one conditional UPDATE, won by one request only.
    claimed = DataFile.objects.filter(claimable, pk=file.pk, attempt=file.attempt).update(
        state=BuildState.QUEUED,
        attempt=attempt,
        progress=0,
        queued_at=now,
        touched_at=now,
        error="",
    )
    if not claimed:
        return False
    file.state, file.attempt, file.progress = BuildState.QUEUED, attempt, 0
    file.queued_at = file.touched_at = now
    pk = file.pk
    transaction.on_commit(lambda: build_data_file.enqueue(file_id=pk, attempt=attempt))
    return True


def data_file_refresh(file: DataFile) -> DataFile:
    """What a download does besides serving: the first one queues the first
    build; later ones queue a check of the data, once in a while."""
    if file.path:
        seconds = check_seconds()
        key = f"opendata:checked:{file.pk}"
        # cache.add: of the requests in one interval, one queues the check.
        if seconds > 0 and not cache.add(key, True, seconds):
            return file
    if data_file_request(file=file):
        file.refresh_from_db()
    return file
