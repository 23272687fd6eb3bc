"""A consultation's public comments and votes as the four files of a Polis
export (consult.opendata.polis.formats). What it leaves out and why is in
docs/open-data-polis.md."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import numpy as np

from consult.analysis import groups as group_analysis
from consult.infra.columns import columns as to_columns
from consult.infra.columns import seconds as to_seconds
from consult.infra.tables import csv_writer, spreadsheet_cell
from consult.opendata import public
from consult.opendata.polis.formats import (
    COMMENT_COLUMNS,
    COMMENTS,
    DAY,
    DESCRIPTION,
    FILES,
    MODERATED_OUT,
    ORIGIN,
    PARTICIPANT_COLUMNS,
    PARTICIPANTS,
    SHOWN,
    SUMMARY,
    VOTE_CODES,
    VOTE_COLUMNS,
    VOTES,
)
from consult.opendata.pseudonyms import Kind, Pseudonyms
from proposals.models import Proposal

CHUNK = 50_000
# How JavaScript's Date.toString() writes a time, as Polis' datetime column does.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
    # Comments moderators hid: written with moderated = -1 and without their
    # words, as the columns of zeros the opinion groups keep for them.
    removed_id: np.ndarray
    removed_author: np.ndarray
    removed_time: np.ndarray


REMOVED_TEXT = "This comment was removed by the moderators; its words are not published."


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
    author = _author_numbers(
        np.concatenate([data.comment_author, data.removed_author]),
        np.concatenate([data.comment_id, data.removed_id]),
        offset=voter_ids.size,
    )
    analysis = _groups(data, proposal)
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
    removed = public.removed_comments(proposal).order_by("pk")
    removed_ids, removed_authors, removed_times = to_columns(
        removed.values_list("pk", "author_id", "created_at").iterator(chunk_size=CHUNK), 3
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
        removed_id=np.asarray(removed_ids, dtype=np.int64),
        removed_author=np.asarray(removed_authors, dtype=np.int64),
        removed_time=to_seconds(removed_times),
    )
    # The two reads are not one snapshot: a vote on a comment that became
    # public between them is left out, never matched to the wrong row.
    known = np.isin(data.vote_comment, data.comment_id)
    if not known.all():
        data.vote_comment, data.vote_user = data.vote_comment[known], data.vote_user[known]
        data.vote_value, data.vote_time = data.vote_value[known], data.vote_time[known]
    return data


def _author_numbers(
    comment_author: np.ndarray, comment_id: np.ndarray, *, offset: int
) -> np.ndarray:
    """Each comment's author number: offset + rank of the author's first comment."""
    by_id = np.argsort(comment_id, kind="stable")
    authors, first = np.unique(comment_author[by_id], return_index=True)
    rank = np.empty(authors.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(authors.size)
    return offset + rank[np.searchsorted(authors, comment_author)]


def _groups(data: _Public, proposal: Proposal) -> group_analysis.Analysis:
    """The opinion groups as the summary computes them: the same votes, the
    same count of removed comments."""
    return group_analysis.opinion_groups_with_members(
        *group_analysis.others_votes(
            data.comment_id, data.comment_author, data.vote_comment, data.vote_user, data.vote_value
        ),
        removed_comments=public.removed_comment_count(proposal),
    )


def _pseudonym_ranks(proposal: Proposal, voter_ids: np.ndarray) -> np.ndarray:
    """Each voter's number (by position in `voter_ids`): its rank among the
    consultation's voter pseudonyms."""
    names = Pseudonyms(proposal.pk, Kind.VOTER)
    order = sorted(range(voter_ids.size), key=lambda i: names(int(voter_ids[i])))
    rank = np.empty(voter_ids.size, dtype=np.int64)
    rank[order] = np.arange(voter_ids.size)
    return rank


def groups_shown(analysis: group_analysis.Analysis) -> bool:
    """Whether the summary shows opinion groups: only then does the export
    fill group-id and count groups, as Polis writes a conversation without
    groups (0 groups, every group-id empty)."""
    return analysis.result["status"] == group_analysis.STATUS_OK and analysis.labels is not None


def _group_of_voters(voter_ids: np.ndarray, analysis: group_analysis.Analysis) -> np.ndarray:
    """Each voter's group (by position in the sorted `voter_ids`), -1 when not
    considered or when the summary shows no groups."""
    group = np.full(voter_ids.size, -1, dtype=np.int64)
    if groups_shown(analysis):
        # participant_ids[i] is in group labels[i]; the analysis keeps its
        # participants in an order of its own, which need not be by id.
        group[np.searchsorted(voter_ids, analysis.participant_ids)] = analysis.labels
    return group


def conversation_description(proposal: Proposal) -> str:
    """summary.csv's conversation-description: the summary its officials wrote
    (plain text). An archive imported from a Polis export keeps that export's
    description whole as its one published section (consult.opendata.polis.imports),
    and has no section when the export gave none: its summary is then a
    stand-in of the import's, not the conversation's words, and the
    description is empty, as it came."""
    if proposal.origin != ORIGIN:
        return proposal.summary
    sections = public.sections(proposal.current_version_id).values_list("body", flat=True)
    return sections.first() or ""


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


def _polis_csv(stream: IO[bytes]):
    """Polis' dialect: UTF-8 without a byte order mark, LF line ends."""
    return csv_writer(stream, bom=False, line_end="\n")


def _write_comments(stream, data: _Public, author, agree, disagree) -> None:
    shown = data.comment_id.size
    rows = [
        (data.comment_id[i], data.comment_time[i], author[i], agree[i], disagree[i], SHOWN,
         spreadsheet_cell(data.comment_text[i]))
        for i in range(shown)
    ] + [
        (data.removed_id[i], data.removed_time[i], author[shown + i], 0, 0, MODERATED_OUT,
         REMOVED_TEXT)
        for i in range(data.removed_id.size)
    ]  # fmt: skip
    with _polis_csv(stream) as writer:
        writer.writerow(COMMENT_COLUMNS)
        for comment, at, who, agrees, disagrees, moderated, body in sorted(rows):
            seconds = int(at)
            writer.writerow(
                (seconds, js_datetime(seconds), int(comment), int(who), int(agrees),
                 int(disagrees), moderated, body)
            )  # fmt: skip


def _write_votes(stream, data: _Public, voter: np.ndarray) -> None:
    with _polis_csv(stream) as writer:
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
    with _polis_csv(stream) as writer:
        writer.writerows(
            (
                ("topic", spreadsheet_cell(proposal.title)),
                ("url", proposal.get_absolute_url()),
                ("voters", n_voters),
                ("voters-in-conv", result["participants_considered"]),
                ("commenters", np.unique(data.comment_author).size),
                ("comments", data.comment_id.size),
                ("groups", len(result["groups"]) if groups_shown(analysis) else 0),
                (DESCRIPTION, spreadsheet_cell(conversation_description(proposal))),
            )
        )
