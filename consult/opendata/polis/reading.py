"""An export's files read before anything is written: every row checked,
and each one skipped counted with its reason and its line."""

from __future__ import annotations

import csv
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consult.infra.tables import FORMULA_STARTS
from consult.opendata.polis.formats import (
    COMMENTS,
    DAY,
    MILLISECONDS_FROM,
    MODERATED_OUT,
    PARTICIPANTS,
    PARTICIPANTS_ALIASES,
    REQUIRED,
    SHOWN,
    SUMMARY,
    UNMODERATED,
    VOTE_VALUES,
    VOTES,
)
from discussion.models import COMMENT_MAX_LENGTH

EXAMPLES = 5


class PolisImportError(Exception):
    """The export cannot be imported at all; nothing was written."""


REASONS = {
    "malformed": gettext_lazy("row with fewer fields than the header"),
    "bad_comment_id": gettext_lazy("comment-id is not a whole number"),
    "bad_author_id": gettext_lazy("author-id is not a whole number"),
    "bad_voter_id": gettext_lazy("voter-id is not a whole number"),
    "bad_timestamp": gettext_lazy("timestamp is not a time"),
    "bad_moderated": gettext_lazy("moderated is not -1, 0 or 1"),
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
    """What became of one file's rows. `hidden`: of the comments imported,
    those the conversation's moderators removed in Polis (moderated = -1),
    imported hidden with their votes."""

    name: str
    read: int = 0
    imported: int = 0
    skipped: dict[str, Skipped] = field(default_factory=dict)
    hidden: Skipped = field(default_factory=Skipped)

    def skip(self, reason: str, line: int) -> None:
        self.skipped.setdefault(reason, Skipped()).add(line)

    @property
    def skipped_total(self) -> int:
        return sum(s.count for s in self.skipped.values())


def reason_text(reason: str) -> str:
    text = REASONS[reason]
    return str(text) % {"limit": COMMENT_MAX_LENGTH} if reason == "too_long" else str(text)


@dataclass
class Comments:
    polis_id: list[int] = field(default_factory=list)
    author: list[int] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    # Removed by the conversation's moderators in Polis (moderated = -1):
    # imported hidden, as a comment a moderator hid here, with its votes.
    removed: list[bool] = field(default_factory=list)


@dataclass
class Votes:
    comment: np.ndarray  # position in Comments
    voter: np.ndarray  # Polis participant id
    value: np.ndarray
    time: np.ndarray


@dataclass
class Export:
    comments: Comments
    votes: Votes
    summary: dict[str, str]
    accounts: list[FileAccount]
    notes: list[str]


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


def read_export(folder: Path) -> Export:
    comments_path = _find(folder, (COMMENTS,), required=True)
    votes_path = _find(folder, (VOTES,), required=True)
    participants_path = _find(folder, PARTICIPANTS_ALIASES, required=False)
    summary_path = _find(folder, (SUMMARY,), required=False)
    latest = timezone.now().timestamp() + DAY
    comments, comment_account, skipped_ids = _read_comments(comments_path, latest)
    votes, vote_account = _read_votes(votes_path, comments, skipped_ids, latest)
    export = Export(
        comments=comments,
        votes=votes,
        summary=_read_summary(summary_path) if summary_path else {},
        accounts=[comment_account, vote_account],
        notes=[],
    )
    if participants_path:
        export.notes.append(_read_participants(participants_path))
    return export


def _read_comments(path: Path, latest: float) -> tuple[Comments, FileAccount, set[int]]:
    account = FileAccount(COMMENTS)
    comments = Comments()
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
        removed = _integer(fields[columns["moderated"]]) == MODERATED_OUT
        comments.removed.append(removed)
        if removed:
            account.hidden.add(line)
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
    body = _body(fields[columns["comment-body"]])
    if not body:
        return "empty_comment"
    if len(body) > COMMENT_MAX_LENGTH:
        return "too_long"
    if "\x00" in body:
        return "bad_characters"
    return None


def _read_votes(
    path: Path, comments: Comments, skipped_ids: set[int], latest: float
) -> tuple[Votes, FileAccount]:
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
    votes = Votes(
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
    """key -> value, each value cleaned as typed text is (consult.infra.text):
    the topic and the description become the archive's title and text."""
    summary: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            for fields in csv.reader(file):
                if len(fields) >= 2 and fields[0].strip():
                    # A NUL is never text (and PostgreSQL refuses it): dropped.
                    value = _body(fields[1].replace("\x00", ""))
                    summary[fields[0].strip().lower()] = value
    except (UnicodeDecodeError, csv.Error):
        raise PolisImportError(
            _("%(name)s cannot be read as UTF-8 CSV.") % {"name": path.name}
        ) from None
    return summary
