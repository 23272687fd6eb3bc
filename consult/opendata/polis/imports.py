"""A Polis export imported as an archived, read-only consultation: read and
checked first (consult.opendata.polis.reading), then written in one
transaction, in bulk."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH, Department, User
from consult.infra.names import comparable
from consult.infra.text import render_markdown
from consult.opendata.polis.formats import DESCRIPTION, ORIGIN, VOTE_VALUES
from consult.opendata.polis.reading import (
    Comments,
    Export,
    FileAccount,
    PolisImportError,
    Votes,
    read_export,
)
from discussion.models import Comment, CommentVote, ReportReason
from proposals.models import SECTION_MAX_LENGTH, Proposal
from proposals.services.archives import proposal_archive_create
from proposals.services.participation import counters_recount

BATCH = 5_000
# The public reason of a comment the conversation's moderators removed in
# Polis: imported hidden, as a moderator hides one here (Polis keeps no reason).
REMOVED_IN_POLIS = gettext_lazy(
    "Removed in Polis by the conversation's own moderators (Polis records no reason)."
)


@dataclass
class ImportResult:
    proposal: Proposal
    files: list[FileAccount]
    participants: int
    notes: list[str] = field(default_factory=list)


def import_dir(
    path: str | Path, *, department: Department, title: str | None = None
) -> ImportResult:
    """Import a Polis export folder as an archived, read-only consultation.

    comments.csv and votes.csv are required; participants-votes.csv and
    summary.csv are read when present. Every file is read before anything is
    written, and everything is written in one transaction.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise PolisImportError(_("%(path)s is not a folder.") % {"path": folder})
    export = read_export(folder)
    if not export.comments.polis_id:
        raise PolisImportError(_("No comment in comments.csv could be imported."))
    if all(export.comments.removed):
        raise PolisImportError(
            _(
                "Every comment of comments.csv that could be imported was removed by the "
                "conversation's moderators: there is no public comment to import."
            )
        )
    description = export.summary.get(DESCRIPTION, "")
    if len(description) > SECTION_MAX_LENGTH:
        export.notes.append(
            _(
                "The conversation's description has %(length)d characters: only the first "
                "%(limit)d were kept."
            )
            % {"length": len(description), "limit": SECTION_MAX_LENGTH}
        )
    with transaction.atomic():
        proposal, participants = _write(export, department=department, title=title)
    return ImportResult(proposal, export.accounts, participants, export.notes)


def _write(export: Export, *, department: Department, title: str | None) -> tuple[Proposal, int]:
    comments = export.comments
    order = np.argsort(np.asarray(comments.polis_id, dtype=np.int64), kind="stable")
    times = np.concatenate([np.asarray(comments.time, dtype=np.float64), export.votes.time])
    # The conversation's own description is kept whole as the archive's one
    # section, and only there (the export reads it back from there: see
    # consult.opendata.polis.export.conversation_description). The summary, which
    # every consultation must have, is its opening, or a stand-in of our own when
    # the export gave no description: a stand-in no export ever writes back.
    description = export.summary.get(DESCRIPTION, "")
    proposal = proposal_archive_create(
        department=department,
        title=(title or export.summary.get("topic") or _("Imported Polis conversation"))[:200],
        summary=description or _("A conversation imported from a Polis export."),
        origin=ORIGIN,
        opens_at=datetime.fromtimestamp(float(times.min()), UTC),
        closes_at=datetime.fromtimestamp(float(times.max()) + 1, UTC),
        section_heading=_("The conversation") if description else "",
        section_body=description,
    )
    people = np.unique(
        np.concatenate([np.asarray(comments.author, dtype=np.int64), export.votes.voter])
    )
    user_ids = _create_participants(people)
    author_user = user_ids[np.searchsorted(people, np.asarray(comments.author, dtype=np.int64))]
    comment_pk = _create_comments(proposal, comments, order, author_user, export.votes)
    _create_votes(export.votes, comment_pk, user_ids[np.searchsorted(people, export.votes.voter)])
    # Comments as they are counted when published here: the public ones.
    public = comments.removed.count(False)
    Proposal.objects.filter(pk=proposal.pk).update(activity_count=public)
    # Written in bulk, past the services that count: counted from the rows.
    counters_recount([proposal.pk])
    proposal.refresh_from_db()
    return proposal, int(people.size)


def _create_participants(people: np.ndarray) -> np.ndarray:
    """Placeholder accounts, in order of Polis participant id: inactive, with an
    unusable password and an address that cannot receive mail, so nobody can
    ever sign in as one."""
    batch = secrets.token_hex(8)
    label = _("Polis participant %(number)d")
    ids = np.empty(people.size, dtype=np.int64)
    for start in range(0, people.size, BATCH):
        chunk = people[start : start + BATCH].tolist()
        names = {number: (label % {"number": number})[:DISPLAY_NAME_MAX_LENGTH] for number in chunk}
        users = User.objects.bulk_create(
            User(
                email=f"polis-{_digest(batch, number)}@imported.invalid",
                display_name=names[number],
                # bulk_create skips save(): the compared form is set here.
                display_name_key=comparable(names[number]),
                password=make_password(None),
                is_active=False,
            )
            for number in chunk
        )
        ids[start : start + len(users)] = [user.pk for user in users]
    return ids


def _digest(batch: str, number: int) -> str:
    return hashlib.sha256(f"{batch}:{number}".encode()).hexdigest()[:24]


def _create_comments(
    proposal: Proposal,
    comments: Comments,
    order: np.ndarray,
    author_user: np.ndarray,
    votes: Votes,
) -> np.ndarray:
    """Comments in order of Polis comment id; each one's primary key, by position.
    One its moderators removed in Polis is hidden as a moderator hides one here
    (discussion.moderation.services.comment_hide: a public reason, the category
    "other", no one named), at its own time: Polis does not say when it was
    removed, and the earliest moment keeps the archive's history inside the
    conversation and the same at every import of the same files."""
    size = len(comments.polis_id)
    reason = str(REMOVED_IN_POLIS)
    counts = {
        value: np.bincount(votes.comment[votes.value == value], minlength=size)
        for value in VOTE_VALUES
    }
    pks = np.empty(size, dtype=np.int64)
    for start in range(0, size, BATCH):
        chunk = order[start : start + BATCH].tolist()
        created = Comment.objects.bulk_create(
            Comment(
                proposal=proposal,
                author_id=int(author_user[i]),
                version_id=proposal.current_version_id,
                body=comments.text[i],
                body_html=render_markdown(comments.text[i]),
                created_at=datetime.fromtimestamp(comments.time[i], UTC),
                agree_count=int(counts[1][i]),
                disagree_count=int(counts[-1][i]),
                pass_count=int(counts[0][i]),
                **(_hidden(comments.time[i], reason) if comments.removed[i] else {}),
            )
            for i in chunk
        )
        pks[chunk] = [comment.pk for comment in created]
    Comment.objects.filter(proposal=proposal).update(root_id=F("pk"))
    return pks


def _hidden(seconds: float, reason: str) -> dict:
    return {
        "hidden_at": datetime.fromtimestamp(seconds, UTC),
        "hidden_reason": reason,
        "hidden_category": ReportReason.OTHER,
    }


def _create_votes(votes: Votes, comment_pk: np.ndarray, user_of_vote: np.ndarray) -> None:
    for start in range(0, votes.value.size, BATCH):
        span = slice(start, start + BATCH)
        CommentVote.objects.bulk_create(
            _votes(
                comment_pk[votes.comment[span]].tolist(),
                user_of_vote[span].tolist(),
                votes.value[span].tolist(),
                votes.time[span].tolist(),
            )
        )


def _votes(comments, users, values, times) -> Iterator[CommentVote]:
    for comment, user, value, seconds in zip(comments, users, values, times, strict=True):
        at = datetime.fromtimestamp(seconds, UTC)
        yield CommentVote(
            comment_id=comment, user_id=user, value=VOTE_VALUES[value], created_at=at, updated_at=at
        )
