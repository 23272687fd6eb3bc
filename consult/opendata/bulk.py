"""The bulk downloads: a ZIP of CSV and JSON tables.

Every row comes from consult.opendata.public, is read as values in chunks
(never a model instance per row, never a whole table in memory), and is
written in the column order of consult.opendata.dictionary, which also
writes the README.md and datapackage.json that describe it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from json.encoder import encode_basestring
from pathlib import Path
from typing import BinaryIO

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from taggit.models import TaggedItem

# The report's CSV guard against spreadsheet formulas, so both downloads agree.
from consult.infra.tables import FORMULA_STARTS, spreadsheet_cell
from consult.opendata import public
from consult.opendata.dictionary import (
    LIST_SEPARATOR,
    POLIS_FOLDER,
    TABLES,
    Package,
    Table,
    datapackage,
    readme,
)
from consult.opendata.fingerprint import batches
from consult.opendata.pseudonyms import Kind, Pseudonyms
from discussion.models import OfficialResponse
from discussion.moderation.log import moderation_log
from proposals.models import (
    ConsultationQuestion,
    Proposal,
    SectionVersion,
)

# Rows fetched from the database at a time: one chunk is the most of a table
# held in memory.
CHUNK = 5_000
# Responses whose answered comments are read together.
RESPONSE_CHUNK = 500
# How often (in rows) the writer reports its progress.
PROGRESS_EVERY = 10_000

Row = tuple
Progress = Callable[[int], None]


# --- the rows of each table -------------------------------------------------------


def _values(queryset, *fields: str) -> Iterator[tuple]:
    return queryset.values_list(*fields).iterator(chunk_size=CHUNK)


def _topics(ids: list[int]) -> dict[int, list[str]]:
    topics: dict[int, list[str]] = {}
    for object_id, name in (
        TaggedItem.objects.filter(
            content_type__app_label="proposals", content_type__model="proposal", object_id__in=ids
        )
        .order_by("object_id", "tag__name")
        .values_list("object_id", "tag__name")
    ):
        topics.setdefault(object_id, []).append(name)
    return topics


def consultations(proposals: list[Proposal]) -> Iterator[Row]:
    topics: dict[int, list[str]] = {}
    for ids in batches(proposals):
        topics.update(_topics(ids))
    for p in proposals:
        yield (
            p.pk,
            p.slug,
            p.title,
            p.summary,
            p.effective_status(),
            p.status_reason,
            p.department.name,
            p.jurisdiction.name,
            p.responsible_office,
            topics.get(p.pk, []),
            p.opens_at,
            p.closes_at,
            p.current_version.number,
            p.archived,
            p.origin,
        )


def versions(proposals: list[Proposal]) -> Iterator[Row]:
    for p in proposals:
        for number, published_at, note in _values(
            public.versions(p), "number", "published_at", "change_note"
        ):
            yield p.pk, number, published_at, note


def sections(proposals: list[Proposal]) -> Iterator[Row]:
    for p in proposals:
        published = SectionVersion.objects.filter(version__in=public.versions(p)).order_by(
            "version__number", "order", "pk"
        )
        for row in _values(published, "version__number", "section_id", "order", "heading", "body"):
            yield p.pk, *row


def questions(proposals: list[Proposal]) -> Iterator[Row]:
    for ids in batches(proposals):
        asked = ConsultationQuestion.objects.filter(proposal__in=ids)
        yield from _values(
            asked.order_by("proposal_id", "order", "pk"), "proposal_id", "pk", "order", "prompt"
        )


def comments(proposals: list[Proposal]) -> Iterator[Row]:
    for p in proposals:
        pseudonym = Pseudonyms(p.pk, Kind.AUTHOR)
        rows = _values(
            public.comments(p).order_by("pk"),
            "pk",
            "parent_id",
            "root_id",
            "depth",
            "section_id",
            "question_id",
            "version__number",
            "author_id",
            "created_at",
            "edited_at",
            "body",
        )
        for pk, parent, root, depth, section, question, version, who, at, edited, body in rows:
            yield (
                p.pk,
                pk,
                parent,
                root,
                depth,
                section,
                question,
                version,
                pseudonym(who),
                at,
                edited,
                body,
            )


def votes(proposals: list[Proposal]) -> Iterator[Row]:
    """In comment order, and within a comment in pseudonym order: the order in
    which votes were cast (the table's ids) must not show, or it would give
    back the times that the day hides."""
    for p in proposals:
        voter = Pseudonyms(p.pk, Kind.VOTER)
        rows = _values(
            public.votes(p).order_by("comment_id"), "comment_id", "user_id", "value", "updated_at"
        )
        for comment_id, group in groupby(rows, key=lambda row: row[0]):
            cast = sorted(
                (voter(user), value, at.astimezone(UTC).date()) for _, user, value, at in group
            )
            for who, value, day in cast:
                yield p.pk, comment_id, who, value, day


def stances(proposals: list[Proposal]) -> Iterator[Row]:
    for p in proposals:
        counts = public.stance_counts(p)
        for section_id in sorted(counts, key=lambda key: (key is not None, key or 0)):
            for value, n in sorted(counts[section_id].items()):
                yield p.pk, section_id, value, n


def _answered(response_ids: list[int], proposal: Proposal) -> dict[int, list[int]]:
    # EXISTS per link, not IN (the public comments): SQLite would walk the
    # whole list of public comments once per response.
    links = (
        OfficialResponse.comments.through.objects.filter(
            Exists(public.comments(proposal).filter(pk=OuterRef("comment_id"))),
            officialresponse_id__in=response_ids,
        )
        .order_by("officialresponse_id", "comment_id")
        .values_list("officialresponse_id", "comment_id")
    )
    answered: dict[int, list[int]] = {}
    for response_id, comment_id in links:
        answered.setdefault(response_id, []).append(comment_id)
    return answered


def responses(proposals: list[Proposal]) -> Iterator[Row]:
    fields = (
        "pk",
        "department__name",
        "status",
        "section_id",
        "section_heading",
        "theme_name",
        "explanation",
        "changed_version__number",
        "changed_section_id",
        "created_at",
    )
    for p in proposals:
        rows = _values(public.responses(p), *fields)
        while chunk := _take(rows, RESPONSE_CHUNK):
            answered = _answered([row[0] for row in chunk], p)
            for pk, department, status, section, heading, theme, text, changed, where, at in chunk:
                kind = "section" if section else "theme" if theme else "comments"
                yield (
                    p.pk,
                    pk,
                    department,
                    status,
                    kind,
                    answered.get(pk, []),
                    section,
                    heading,
                    theme,
                    text,
                    changed,
                    where,
                    at,
                )


def _take(rows: Iterator, n: int) -> list:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == n:
            break
    return chunk


def moderation(proposals: list[Proposal]) -> Iterator[Row]:
    """The public moderation log's own counts, so the file says what the page says."""
    with translation.override("en"):
        for p in proposals:
            log = moderation_log(proposal=p, page=1)
            for kind, tallies in (
                ("action", log.actions),
                ("hidden_category", log.categories),
                ("report_reason", log.report_reasons),
            ):
                for tally in sorted(tallies, key=lambda tally: tally.key):
                    yield p.pk, kind, tally.key, str(tally.label), tally.count


ROWS: dict[str, Callable[[list[Proposal]], Iterable[Row]]] = {
    "consultations": consultations,
    "versions": versions,
    "sections": sections,
    "questions": questions,
    "comments": comments,
    "votes": votes,
    "stances": stances,
    "responses": responses,
    "moderation": moderation,
}


# --- writing ------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    """To the second, in UTC: finer than the pages show is of no use to anyone."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _guarded(value: str | None) -> str:
    # The test first: most text starts with a letter and needs no guard.
    return spreadsheet_cell(value) if value is None or value.startswith(FORMULA_STARTS) else value


def _csv_converter(column_type: str) -> Callable | None:
    """None where the csv module writes the value as it is (numbers, None as
    an empty cell, dates as YYYY-MM-DD)."""
    if column_type == "list":
        return lambda items: _guarded(LIST_SEPARATOR.join(str(item) for item in items))
    if column_type == "datetime":
        return lambda value: _instant(value) or ""
    if column_type == "string":
        return _guarded
    return None


def _quoted(text: str | None) -> str:
    return "null" if text is None else f'"{text}"'


def _json_encoder(column_type: str) -> Callable:
    """The value as JSON text, as json.dumps(ensure_ascii=False) writes it, one
    column at a time: a dict and a json.dumps per row cost three times more."""
    if column_type == "integer":
        return lambda value: "null" if value is None else str(int(value))
    if column_type == "string":
        return lambda value: "null" if value is None else encode_basestring(value)
    if column_type == "datetime":
        return lambda value: _quoted(_instant(value))
    if column_type == "date":
        return lambda value: _quoted(value.isoformat() if value is not None else None)
    return lambda value: json.dumps(value, ensure_ascii=False)


@dataclass
class _Counter:
    progress: Progress
    written: int = 0
    reported: int = 0

    def add(self, n: int = 1) -> None:
        self.written += n
        if self.written - self.reported >= PROGRESS_EVERY:
            self.reported = self.written
            self.progress(self.written)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_table(
    archive: zipfile.ZipFile, table: Table, rows: Iterable[Row], counter: _Counter, spool_dir
) -> int:
    """Both files of one table in one pass over the rows: the CSV straight
    into the ZIP, the JSON into a temporary file copied in afterwards (a ZIP
    is written one member at a time)."""
    names, width = table.names, len(table.columns)
    to_csv = [
        (i, convert)
        for i, column in enumerate(table.columns)
        if (convert := _csv_converter(column.type))
    ]
    keys = [json.dumps(name) + ": " for name in names]
    to_json = list(zip(keys, [_json_encoder(column.type) for column in table.columns], strict=True))
    csv_name, json_name = table.files
    count = 0
    with tempfile.TemporaryFile(dir=spool_dir) as spool:
        json_text = io.TextIOWrapper(spool, encoding="utf-8", newline="\n")
        json_text.write("[")
        with io.TextIOWrapper(
            archive.open(_entry(csv_name), "w", force_zip64=True), encoding="utf-8-sig", newline=""
        ) as csv_text:
            writer = csv.writer(csv_text, lineterminator="\r\n")
            writer.writerow(names)
            for row in rows:
                if len(row) != width:
                    raise ValueError(
                        f"{table.name}: a row of {len(row)} values for {width} columns"
                    )
                cells = list(row)
                for i, convert in to_csv:
                    cells[i] = convert(cells[i])
                writer.writerow(cells)
                fields = [key + encode(value) for (key, encode), value in zip(to_json, row)]  # noqa: B905
                json_text.write(("\n{" if count == 0 else ",\n{") + ", ".join(fields) + "}")
                count += 1
                counter.add()
        json_text.write("\n]\n" if count else "]\n")
        json_text.flush()
        raw = json_text.detach()
        raw.seek(0)
        with archive.open(_entry(json_name), "w", force_zip64=True) as out:
            shutil.copyfileobj(raw, out, 1 << 20)
    return count


def _write_polis(archive: zipfile.ZipFile, proposal: Proposal) -> list[str]:
    """The consultation in the Polis export format, under polis/ in its ZIP,
    streamed entry by entry (its voter x comment table can be large)."""
    from consult.opendata.polis.export import write_files  # NumPy: in the worker only

    written: list[str] = []
    current: list = []

    def open_entry(name: str):
        if current:
            current.pop().close()
        written.append(POLIS_FOLDER + name)
        current.append(archive.open(_entry(POLIS_FOLDER + name), "w", force_zip64=True))
        return current[-1]

    try:
        write_files(proposal, open_entry)
    finally:
        if current:
            current.pop().close()
    return written


@dataclass
class Built:
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def write_zip(
    target: BinaryIO,
    *,
    proposals: list[Proposal],
    name: str,
    title: str,
    polis: Proposal | None = None,
    progress: Progress = lambda rows: None,
    spool_dir: str | Path | None = None,
) -> Built:
    """Write the ZIP of these consultations to `target` (a seekable binary file)."""
    built = Built()
    counter = _Counter(progress)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for table in TABLES:
            built.rows[table.name] = write_table(
                zf, table, ROWS[table.name](proposals), counter, spool_dir
            )
            built.files += table.files
        extra = _write_polis(zf, polis) if polis is not None else []
        package = Package(
            name=name,
            title=title,
            built_at=timezone.now().replace(microsecond=0).isoformat(),
            rows=built.rows,
            extra_files=tuple(extra),
        )
        zf.writestr(_entry("README.md"), readme(package))
        zf.writestr(_entry("datapackage.json"), datapackage(package))
        built.files += [*extra, "README.md", "datapackage.json"]
    counter.progress(counter.written)
    return built
