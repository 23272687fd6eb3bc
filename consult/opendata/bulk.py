"""The bulk downloads: a ZIP of CSV and JSON tables.

Every row comes from consult.opendata.public, is read as values in chunks
(never a model instance per row, never a whole table in memory), and is
written in the column order of consult.opendata.dictionary, which also
writes the README.md and datapackage.json that describe it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from itertools import groupby
from pathlib import Path
from typing import BinaryIO

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from taggit.models import TaggedItem

from consult.infra.tables import Progress, TableZip
from consult.opendata import form, public
from consult.opendata.dictionary import (
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

Row = tuple


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
    "form_questions": form.question_rows,
    "form_counts": form.count_rows,
    "form_responses": form.response_rows,
    "form_answers": form.answer_rows,
}


# --- writing ------------------------------------------------------------------------


def write_table(archive: TableZip, table: Table, rows: Iterable[Row]) -> int:
    """Both files of one table, in the dictionary's column order."""
    return archive.table(table.name, [(c.name, c.type) for c in table.columns], rows)


def _write_polis(archive: TableZip, proposal: Proposal) -> list[str]:
    """The consultation in the Polis export format, under polis/ in its ZIP,
    streamed file by file (its voter x comment table can be large)."""
    from consult.opendata.polis.export import write_files  # NumPy: in the worker only

    written: list[str] = []
    current: list = []

    def open_entry(name: str):
        if current:
            current.pop().close()
        written.append(POLIS_FOLDER + name)
        current.append(archive.open(POLIS_FOLDER + name))
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
    with TableZip(target, large=True, progress=progress, spool_dir=spool_dir) as archive:
        for table in TABLES:
            built.rows[table.name] = write_table(archive, table, ROWS[table.name](proposals))
            built.files += table.files
        extra = _write_polis(archive, polis) if polis is not None else []
        package = Package(
            name=name,
            title=title,
            built_at=timezone.now().replace(microsecond=0).isoformat(),
            rows=built.rows,
            extra_files=tuple(extra),
        )
        archive.write("README.md", readme(package))
        archive.write("datapackage.json", datapackage(package))
        built.files += [*extra, "README.md", "datapackage.json"]
    return built
