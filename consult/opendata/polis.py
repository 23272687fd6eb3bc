"""Polis-compatible exchange: a consultation's public comments and votes as the
files of a Polis export, and such an export imported as a read-only archive.

The files, as Polis writes them (compdemocracy/polis, server `routes/export`):
comments.csv, votes.csv, participants-votes.csv (Polis' server also names it
participant-votes.csv) and summary.csv (key,value lines without a header).
Votes are 1 agree, -1 disagree, 0 pass; timestamps are POSIX seconds (older
exports wrote milliseconds, which the import recognises). What the export
leaves out and why, and what the import skips, is in docs/open-data-polis.md.

Reads and writes go in bulk (value lists, numpy, bulk inserts): nothing here
loads a model instance per row. Import this module in a worker or a command,
not in a web process at start-up (it loads the numeric libraries).
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consult.accounts.models import DISPLAY_NAME_MAX_LENGTH, Department, User
from consult.analysis import groups as group_analysis
from consult.infra.columns import columns as to_columns
from consult.infra.columns import seconds as to_seconds
from consult.infra.names import comparable
from consult.infra.tables import FORMULA_STARTS
from consult.infra.text import render_markdown
from consult.opendata import public
from consult.opendata.pseudonyms import Kind, Pseudonyms
from discussion.models import COMMENT_MAX_LENGTH, Comment, CommentVote, VoteValue
from proposals.models import Proposal
from proposals.services.archives import proposal_archive_create

ORIGIN = "polis"
COMMENTS, VOTES, PARTICIPANTS, SUMMARY = (
    "comments.csv",
    "votes.csv",
    "participants-votes.csv",
    "summary.csv",
)
FILES = (COMMENTS, VOTES, PARTICIPANTS, SUMMARY)
PARTICIPANTS_ALIASES = (PARTICIPANTS, "participant-votes.csv")
COMMENT_COLUMNS = (
    "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
    "comment-body",
)  # fmt: skip
VOTE_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANT_COLUMNS = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
REQUIRED = {
    COMMENTS: ("timestamp", "comment-id", "author-id", "moderated", "comment-body"),
    VOTES: ("timestamp", "comment-id", "voter-id", "vote"),
    PARTICIPANTS: ("participant", "group-id"),
}
VOTE_CODES = {VoteValue.AGREE: 1, VoteValue.DISAGREE: -1, VoteValue.PASS: 0}
VOTE_VALUES = {1: VoteValue.AGREE, -1: VoteValue.DISAGREE, 0: VoteValue.PASS}
SHOWN, UNMODERATED, MODERATED_OUT = 1, 0, -1
CHUNK = 50_000
BATCH = 5_000
DAY = 86_400
# Polis timestamps are seconds; anything this large is milliseconds (in
# seconds it would be past the year 5000).
MILLISECONDS_FROM = 100_000_000_000
EXAMPLES = 5
# How JavaScript's Date.toString() writes a time, as Polis' datetime column does.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- export -----------------------------------------------------------------------------


@dataclass
class _Public:
    comment_id: np.ndarray
    comment_author: np.ndarray
    comment_time: np.ndarray
    comment_text: list[str]
    vote_comment: np.ndarray
    vote_user: np.ndarray
    vote_value: np.ndarray
    vote_time: np.ndarray


def export_files(proposal: Proposal) -> dict[str, bytes]:
    """The four files of a Polis export of the consultation's public data."""
    buffers = {name: io.BytesIO() for name in FILES}
    write_files(proposal, lambda name: buffers[name])
    return {name: buffer.getvalue() for name, buffer in buffers.items()}


def export_dir(proposal: Proposal, path: str | Path) -> list[Path]:
    """Write the four files into a folder (made if missing); their paths."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: (folder / name).open("wb") for name in FILES}
    try:
        write_files(proposal, lambda name: files[name])
    finally:
        for file in files.values():
            file.close()
    return [folder / name for name in FILES]


def write_files(proposal: Proposal, open_file: Callable[[str], IO[bytes]]) -> None:
    """Write each file to the binary stream `open_file(name)` gives, one after
    another: participants-votes.csv (a voter x comment table) goes out in chunks."""
    data = _read_public(proposal)
    voter_ids = np.unique(data.vote_user)
    # Voters are numbered in the order of their keyed pseudonyms: the numbers
    # say nothing of who joined first.
    rank = _pseudonym_ranks(proposal, voter_ids)
    voter = rank[np.searchsorted(voter_ids, data.vote_user)]
    author = _author_numbers(data.comment_author, offset=voter_ids.size)
    analysis = _groups(data)
    group = np.empty(voter_ids.size, dtype=np.int64)
    group[rank] = _group_of_voters(voter_ids, analysis)
    agree, disagree = _tallies(data)
    _write_comments(open_file(COMMENTS), data, author, agree, disagree)
    _write_votes(open_file(VOTES), data, voter)
    _write_participants(open_file(PARTICIPANTS), data, voter, voter_ids.size, group)
    _write_summary(open_file(SUMMARY), proposal, data, voter_ids.size, analysis)


def _read_public(proposal: Proposal) -> _Public:
    comments = public.comments(proposal).order_by("pk")
    ids, authors, times, texts = to_columns(
        comments.values_list("pk", "author_id", "created_at", "body").iterator(chunk_size=CHUNK),
        4,
    )
    votes = public.votes(proposal).order_by("pk")
    vote_comment, vote_user, values, vote_times = to_columns(
        votes.values_list("comment_id", "user_id", "value", "updated_at").iterator(
            chunk_size=CHUNK
        ),
        4,
    )
    data = _Public(
        comment_id=np.asarray(ids, dtype=np.int64),
        comment_author=np.asarray(authors, dtype=np.int64),
        comment_time=to_seconds(times),
        comment_text=texts,
        vote_comment=np.asarray(vote_comment, dtype=np.int64),
        vote_user=np.asarray(vote_user, dtype=np.int64),
        vote_value=np.fromiter((VOTE_CODES[v] for v in values), dtype=np.int8, count=len(values)),
        vote_time=to_seconds(vote_times),
    )
    # The two reads are not one snapshot: a vote on a comment that became
    # public between them is left out, never matched to the wrong row.
    known = np.isin(data.vote_comment, data.comment_id)
    if not known.all():
        data.vote_comment, data.vote_user = data.vote_comment[known], data.vote_user[known]
        data.vote_value, data.vote_time = data.vote_value[known], data.vote_time[known]
    return data


def _author_numbers(comment_author: np.ndarray, *, offset: int) -> np.ndarray:
    """Each comment's author number: offset + rank of the author's first comment."""
    authors, first = np.unique(comment_author, return_index=True)
    rank = np.empty(authors.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(authors.size)
    return offset + rank[np.searchsorted(authors, comment_author)]


def _groups(data: _Public) -> group_analysis.Analysis:
    """The opinion groups as the summary computes them: authors' own votes left out."""
    at = np.searchsorted(data.comment_id, data.vote_comment)
    others = data.comment_author[at] != data.vote_user
    return group_analysis.opinion_groups_with_members(
        data.vote_user[others], data.vote_comment[others], data.vote_value[others]
    )


def _pseudonym_ranks(proposal: Proposal, voter_ids: np.ndarray) -> np.ndarray:
    """Each voter's number (by position in `voter_ids`): its rank among the
    consultation's voter pseudonyms."""
    names = Pseudonyms(proposal.pk, Kind.VOTER)
    order = sorted(range(voter_ids.size), key=lambda i: names(int(voter_ids[i])))
    rank = np.empty(voter_ids.size, dtype=np.int64)
    rank[order] = np.arange(voter_ids.size)
    return rank


def _group_of_voters(voter_ids: np.ndarray, analysis: group_analysis.Analysis) -> np.ndarray:
    """Each voter's group, -1 when not considered or when there are no groups."""
    group = np.full(voter_ids.size, -1, dtype=np.int64)
    if analysis.labels is not None:
        group[np.searchsorted(voter_ids, analysis.participant_ids)] = analysis.labels
    return group


def _tallies(data: _Public) -> tuple[np.ndarray, np.ndarray]:
    at = np.searchsorted(data.comment_id, data.vote_comment)
    size = data.comment_id.size
    agree = np.bincount(at[data.vote_value == 1], minlength=size)
    disagree = np.bincount(at[data.vote_value == -1], minlength=size)
    return agree, disagree


def js_datetime(seconds: int) -> str:
    """UTC, written the way Polis' datetime column writes it."""
    t = datetime.fromtimestamp(seconds, UTC)
    return (
        f"{WEEKDAYS[t.weekday()]} {MONTHS[t.month - 1]} {t.day:02d} {t.year} "
        f"{t:%H:%M:%S} GMT+0000 (Coordinated Universal Time)"
    )


def _text_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_writer(stream: IO[bytes]) -> tuple[io.TextIOWrapper, csv.Writer]:
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    return text, csv.writer(text, lineterminator="\n")


def _finish(text: io.TextIOWrapper) -> None:
    # Let go of the binary stream without closing it: the caller owns it.
    text.flush()
    text.detach()


def _write_comments(stream, data: _Public, author, agree, disagree) -> None:
    text, writer = _csv_writer(stream)
    writer.writerow(COMMENT_COLUMNS)
    for i in range(data.comment_id.size):
        seconds = int(data.comment_time[i])
        writer.writerow(
            (
                seconds,
                js_datetime(seconds),
                int(data.comment_id[i]),
                int(author[i]),
                int(agree[i]),
                int(disagree[i]),
                SHOWN,
                _text_cell(data.comment_text[i]),
            )
        )
    _finish(text)


def _write_votes(stream, data: _Public, voter: np.ndarray) -> None:
    text, writer = _csv_writer(stream)
    writer.writerow(VOTE_COLUMNS)
    order = np.lexsort((voter, data.vote_comment))
    days = (data.vote_time // DAY * DAY).astype(np.int64)
    names: dict[int, str] = {}
    for start in range(0, order.size, CHUNK):
        chunk = order[start : start + CHUNK]
        rows = []
        for day, comment, who, value in zip(
            days[chunk].tolist(),
            data.vote_comment[chunk].tolist(),
            voter[chunk].tolist(),
            data.vote_value[chunk].tolist(),
            strict=True,
        ):
            name = names.get(day) or names.setdefault(day, js_datetime(day))
            rows.append((day, name, comment, who, value))
        writer.writerows(rows)
    _finish(text)


def _write_participants(
    stream, data: _Public, voter: np.ndarray, n_voters: int, group: np.ndarray
) -> None:
    """One row per voter; n-comments is 0 since authors are numbered apart from
    voters. A row costs its voter's votes, not the (often far larger) number
    of comments: the empty cells between two votes are written as one run of commas."""
    header = (*PARTICIPANT_COLUMNS, *map(str, data.comment_id.tolist()))
    stream.write((",".join(header) + "\n").encode())
    n_comments = data.comment_id.size
    column = np.searchsorted(data.comment_id, data.vote_comment)
    order = np.lexsort((column, voter))
    voter, column, value = voter[order], column[order], data.vote_value[order]
    starts = np.searchsorted(voter, np.arange(n_voters + 1)).tolist()
    cell = {1: b"1", -1: b"-1", 0: b"0"}
    rows: list[bytes] = []
    size = 0
    for who in range(n_voters):
        mine = value[starts[who] : starts[who + 1]]
        head = (
            who,
            "" if group[who] < 0 else int(group[who]),
            0,
            mine.size,
            int(np.count_nonzero(mine == 1)),
            int(np.count_nonzero(mine == -1)),
        )
        parts = [",".join(map(str, head)).encode()]
        before = -1
        for at, vote in zip(
            column[starts[who] : starts[who + 1]].tolist(), mine.tolist(), strict=True
        ):
            parts += (b"," * (at - before), cell[vote])
            before = at
        parts.append(b"," * (n_comments - 1 - before) + b"\n")
        row = b"".join(parts)
        rows.append(row)
        size += len(row)
        if size > 8 * 1024 * 1024:
            stream.write(b"".join(rows))
            rows, size = [], 0
    stream.write(b"".join(rows))


def _write_summary(
    stream, proposal: Proposal, data: _Public, n_voters: int, analysis: group_analysis.Analysis
) -> None:
    result = analysis.result
    text, writer = _csv_writer(stream)
    writer.writerows(
        (
            ("topic", _text_cell(proposal.title)),
            ("url", proposal.get_absolute_url()),
            ("voters", n_voters),
            ("voters-in-conv", result["participants_considered"]),
            ("commenters", np.unique(data.comment_author).size),
            ("comments", data.comment_id.size),
            ("groups", len(result["groups"])),
            ("conversation-description", _text_cell(proposal.summary)),
        )
    )
    _finish(text)


# --- import -----------------------------------------------------------------------------


class PolisImportError(Exception):
    """The export cannot be imported at all; nothing was written."""


REASONS = {
    "malformed": gettext_lazy("row with fewer fields than the header"),
    "bad_comment_id": gettext_lazy("comment-id is not a whole number"),
    "bad_author_id": gettext_lazy("author-id is not a whole number"),
    "bad_voter_id": gettext_lazy("voter-id is not a whole number"),
    "bad_timestamp": gettext_lazy("timestamp is not a time"),
    "bad_moderated": gettext_lazy("moderated is not -1, 0 or 1"),
    "moderated_out": gettext_lazy("removed by the conversation's moderators (moderated = -1)"),
    "duplicate_comment": gettext_lazy("comment-id already seen"),
    "empty_comment": gettext_lazy("empty comment"),
    "too_long": gettext_lazy("comment longer than %(limit)d characters"),
    "bad_characters": gettext_lazy("text with a NUL character"),
    "bad_vote": gettext_lazy("vote is not 1, -1 or 0"),
    "unknown_comment": gettext_lazy("comment-id not in comments.csv"),
    "skipped_comment": gettext_lazy("its comment was skipped"),
    "own_comment": gettext_lazy("the author's own vote on their comment"),
    "superseded": gettext_lazy("replaced by a later vote of the same voter on the same comment"),
}


@dataclass
class Skipped:
    count: int = 0
    lines: list[int] = field(default_factory=list)

    def add(self, line: int) -> None:
        self.count += 1
        if len(self.lines) < EXAMPLES:
            self.lines.append(line)


@dataclass
class FileAccount:
    """What became of one file's rows."""

    name: str
    read: int = 0
    imported: int = 0
    skipped: dict[str, Skipped] = field(default_factory=dict)

    def skip(self, reason: str, line: int) -> None:
        self.skipped.setdefault(reason, Skipped()).add(line)

    @property
    def skipped_total(self) -> int:
        return sum(s.count for s in self.skipped.values())


@dataclass
class ImportResult:
    proposal: Proposal
    files: list[FileAccount]
    participants: int
    notes: list[str] = field(default_factory=list)


def reason_text(reason: str) -> str:
    text = REASONS[reason]
    return str(text) % {"limit": COMMENT_MAX_LENGTH} if reason == "too_long" else str(text)


@dataclass
class _Comments:
    polis_id: list[int] = field(default_factory=list)
    author: list[int] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


@dataclass
class _Votes:
    comment: np.ndarray  # position in _Comments
    voter: np.ndarray  # Polis participant id
    value: np.ndarray
    time: np.ndarray


@dataclass
class _Export:
    comments: _Comments
    votes: _Votes
    summary: dict[str, str]
    accounts: list[FileAccount]
    notes: list[str]


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
    export = _read_export(folder)
    if not export.comments.polis_id:
        raise PolisImportError(_("No comment in comments.csv could be imported."))
    with transaction.atomic():
        proposal, participants = _write(export, department=department, title=title)
    return ImportResult(proposal, export.accounts, participants, export.notes)


def _find(folder: Path, names: Iterable[str], *, required: bool) -> Path | None:
    for name in names:
        if (folder / name).is_file():
            return folder / name
    if required:
        raise PolisImportError(
            _("%(name)s is missing from %(folder)s.")
            % {"name": next(iter(names)), "folder": folder}
        )
    return None


def _rows(path: Path, required: Iterable[str]) -> Iterator[tuple[int, dict[str, int], list[str]]]:
    """(line, column positions, fields) per record, streamed; BOM, CRLF and quoted
    newlines as csv reads them. The header must name every required column."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            header = next(reader, None)
            if header is None:
                raise PolisImportError(_("%(name)s is empty.") % {"name": path.name})
            columns = {name.strip().lower(): i for i, name in enumerate(header)}
            missing = [name for name in required if name not in columns]
            if missing:
                raise PolisImportError(
                    _("%(name)s has no column %(columns)s.")
                    % {"name": path.name, "columns": ", ".join(missing)}
                )
            line = reader.line_num
            for fields in reader:
                if fields:
                    yield line + 1, columns, fields
                line = reader.line_num
    except UnicodeDecodeError:
        raise PolisImportError(_("%(name)s is not UTF-8 text.") % {"name": path.name}) from None
    except csv.Error as exc:
        raise PolisImportError(
            _("%(name)s cannot be read as CSV: %(error)s") % {"name": path.name, "error": exc}
        ) from None


# Ids beyond this are not ids any export makes (and do not fit 64 bits).
ID_LIMIT = 2**62


def _integer(text: str) -> int | None:
    try:
        number = int(text.strip())
    except ValueError:
        return None
    return number if -ID_LIMIT < number < ID_LIMIT else None


def _timestamp(text: str, latest: float) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if value >= MILLISECONDS_FROM:
        value /= 1000
    return value if 0 <= value <= latest else None


def _body(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def _read_export(folder: Path) -> _Export:
    comments_path = _find(folder, (COMMENTS,), required=True)
    votes_path = _find(folder, (VOTES,), required=True)
    participants_path = _find(folder, PARTICIPANTS_ALIASES, required=False)
    summary_path = _find(folder, (SUMMARY,), required=False)
    latest = timezone.now().timestamp() + DAY
    comments, comment_account, skipped_ids = _read_comments(comments_path, latest)
    votes, vote_account = _read_votes(votes_path, comments, skipped_ids, latest)
    export = _Export(
        comments=comments,
        votes=votes,
        summary=_read_summary(summary_path) if summary_path else {},
        accounts=[comment_account, vote_account],
        notes=[],
    )
    if participants_path:
        export.notes.append(_read_participants(participants_path))
    return export


def _read_comments(path: Path, latest: float) -> tuple[_Comments, FileAccount, set[int]]:
    account = FileAccount(COMMENTS)
    comments = _Comments()
    seen: set[int] = set()
    skipped_ids: set[int] = set()
    for line, columns, fields in _rows(path, REQUIRED[COMMENTS]):
        account.read += 1
        width = max(columns.values()) + 1
        if len(fields) < width:
            account.skip("malformed", line)
            continue
        body_at = columns["comment-body"]
        if len(fields) > width and body_at == width - 1:
            # Polis' own server writes the last column unquoted: commas split it.
            fields = [*fields[:body_at], ",".join(fields[body_at:])]
        polis_id = _integer(fields[columns["comment-id"]])
        if polis_id is None or polis_id < 0:
            account.skip("bad_comment_id", line)
            continue
        if polis_id in seen:
            account.skip("duplicate_comment", line)
            continue
        seen.add(polis_id)
        reason = _comment_problem(fields, columns, latest)
        if reason:
            skipped_ids.add(polis_id)
            account.skip(reason, line)
            continue
        comments.polis_id.append(polis_id)
        comments.author.append(int(fields[columns["author-id"]]))
        comments.time.append(_timestamp(fields[columns["timestamp"]], latest))
        comments.text.append(_body(fields[columns["comment-body"]]))
        account.imported += 1
    return comments, account, skipped_ids


def _comment_problem(fields: list[str], columns: dict[str, int], latest: float) -> str | None:
    author = _integer(fields[columns["author-id"]])
    if author is None or author < 0:
        return "bad_author_id"
    if _timestamp(fields[columns["timestamp"]], latest) is None:
        return "bad_timestamp"
    moderated = _integer(fields[columns["moderated"]])
    if moderated not in (SHOWN, UNMODERATED, MODERATED_OUT):
        return "bad_moderated"
    if moderated == MODERATED_OUT:
        return "moderated_out"
    body = _body(fields[columns["comment-body"]])
    if not body:
        return "empty_comment"
    if len(body) > COMMENT_MAX_LENGTH:
        return "too_long"
    if "\x00" in body:
        return "bad_characters"
    return None


def _read_votes(
    path: Path, comments: _Comments, skipped_ids: set[int], latest: float
) -> tuple[_Votes, FileAccount]:
    account = FileAccount(VOTES)
    index = {polis_id: i for i, polis_id in enumerate(comments.polis_id)}
    at_list, voters, values, lines = array("q"), array("q"), array("q"), array("q")
    times = array("d")
    for line, columns, fields in _rows(path, REQUIRED[VOTES]):
        account.read += 1
        if len(fields) < max(columns.values()) + 1:
            account.skip("malformed", line)
            continue
        reason, vote = _vote_problem(fields, columns, index, skipped_ids, comments.author, latest)
        if reason:
            account.skip(reason, line)
            continue
        at_list.append(vote[0])
        voters.append(vote[1])
        values.append(vote[2])
        times.append(vote[3])
        lines.append(line)
    comment_at, voter = np.frombuffer(at_list, np.int64), np.frombuffer(voters, np.int64)
    time, line_of = np.frombuffer(times, np.float64), np.frombuffer(lines, np.int64)
    # The latest vote of a voter on a comment counts (the later line on a tie).
    order = np.lexsort((line_of, time, voter, comment_at))
    comment_at, voter = comment_at[order], voter[order]
    last = np.ones(order.size, dtype=bool)
    last[:-1] = (comment_at[1:] != comment_at[:-1]) | (voter[1:] != voter[:-1])
    for line in np.sort(line_of[order][~last]).tolist():
        account.skip("superseded", line)
    account.imported = int(last.sum())
    votes = _Votes(
        comment=comment_at[last],
        voter=voter[last],
        value=np.frombuffer(values, np.int64)[order][last].astype(np.int8),
        time=time[order][last],
    )
    return votes, account


def _vote_problem(
    fields: list[str],
    columns: dict[str, int],
    index: dict[int, int],
    skipped_ids: set[int],
    authors: list[int],
    latest: float,
) -> tuple[str | None, tuple[int, int, int, float]]:
    """The reason to skip the row, or None and (comment position, voter, value, time)."""
    nothing = (0, 0, 0, 0.0)
    polis_comment = _integer(fields[columns["comment-id"]])
    if polis_comment is None or polis_comment < 0:
        return "bad_comment_id", nothing
    voter = _integer(fields[columns["voter-id"]])
    if voter is None or voter < 0:
        return "bad_voter_id", nothing
    value = _integer(fields[columns["vote"]])
    if value not in VOTE_VALUES:
        return "bad_vote", nothing
    seconds = _timestamp(fields[columns["timestamp"]], latest)
    if seconds is None:
        return "bad_timestamp", nothing
    at = index.get(polis_comment)
    if at is None:
        reason = "skipped_comment" if polis_comment in skipped_ids else "unknown_comment"
        return reason, nothing
    if authors[at] == voter:
        return "own_comment", nothing
    return None, (at, voter, value, seconds)


def _read_participants(path: Path) -> str:
    """A note for the account only: the votes come from votes.csv."""
    rows = 0
    groups: set[str] = set()
    for _line, columns, fields in _rows(path, REQUIRED[PARTICIPANTS]):
        rows += 1
        at = columns["group-id"]
        if at < len(fields) and fields[at].strip():
            groups.add(fields[at].strip())
    return _(
        "%(name)s lists %(rows)d participants in %(groups)d opinion groups of Polis' own; "
        "the votes were taken from votes.csv."
    ) % {"name": path.name, "rows": rows, "groups": len(groups)}


def _read_summary(path: Path) -> dict[str, str]:
    summary: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            for fields in csv.reader(file):
                if len(fields) >= 2 and fields[0].strip():
                    summary[fields[0].strip().lower()] = _body(fields[1])
    except (UnicodeDecodeError, csv.Error):
        raise PolisImportError(
            _("%(name)s cannot be read as UTF-8 CSV.") % {"name": path.name}
        ) from None
    return summary


# --- writing the archive ------------------------------------------------------------------


def _write(export: _Export, *, department: Department, title: str | None) -> tuple[Proposal, int]:
    comments = export.comments
    order = np.argsort(np.asarray(comments.polis_id, dtype=np.int64), kind="stable")
    times = np.concatenate([np.asarray(comments.time, dtype=np.float64), export.votes.time])
    description = export.summary.get("conversation-description", "")
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
    Proposal.objects.filter(pk=proposal.pk).update(activity_count=len(comments.polis_id))
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
    comments: _Comments,
    order: np.ndarray,
    author_user: np.ndarray,
    votes: _Votes,
) -> np.ndarray:
    """Comments in order of Polis comment id; each one's primary key, by position."""
    size = len(comments.polis_id)
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
            )
            for i in chunk
        )
        pks[chunk] = [comment.pk for comment in created]
    Comment.objects.filter(proposal=proposal).update(root_id=F("pk"))
    return pks


def _create_votes(votes: _Votes, comment_pk: np.ndarray, user_of_vote: np.ndarray) -> None:
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
