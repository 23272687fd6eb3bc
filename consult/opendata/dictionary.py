"""The data dictionary of the bulk downloads: every table, every column.

This is the one column spec. The writers (consult.opendata.bulk) take their
headers and the order of each row's values from it, and the README.md and
datapackage.json in every ZIP are generated from it, so the description
cannot drift from what is written. Text here is English: the files are data
for reuse, not pages of the site.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings

# How the writer (consult.infra.tables) joins a list in one CSV cell.
from consult.infra.tables import LIST_SEPARATOR
from consult.opendata.columns import CONSULTATION, WHEN, Column, Table
from consult.opendata.form_dictionary import FORM_PRIVACY_RULES, FORM_TABLES
from consult.opendata.polis.dictionary import POLIS_FILES_BY_NAME, PolisFile

# Bumped whenever a file's columns or meaning change: every ZIP is then rebuilt.
# 5: the response form's tables (form_questions, form_counts, form_responses,
# form_answers).
FORMAT_VERSION = 5

TABLES: tuple[Table, ...] = (
    Table(
        "consultations",
        "Consultations",
        "One row per public consultation: never a draft. Its state is as of when the file "
        "was built.",
        (
            CONSULTATION,
            Column("slug", "string", "Its name in the address: /consultations/<slug>/."),
            Column("title", "string", "Title."),
            Column("summary", "string", "Summary, as shown at the top of its page."),
            Column(
                "status",
                "string",
                "scheduled, open, closed, report_published or withdrawn, at the time of "
                "building (a window that has passed counts as closed).",
            ),
            Column(
                "status_reason",
                "string",
                "The public note on its last change of state (why it was closed early, "
                "extended or withdrawn); empty if none.",
            ),
            Column("department", "string", "The department that runs it."),
            Column("jurisdiction", "string", "The place it concerns."),
            Column("responsible_office", "string", "The office responsible, if given."),
            Column("topics", "list", "Its topics."),
            Column("opens_at", "datetime", f"When the consultation window opens. {WHEN}"),
            Column("closes_at", "datetime", f"When the consultation window closes. {WHEN}"),
            Column(
                "current_version",
                "integer",
                "The number of the published version shown now (versions.version).",
            ),
            Column(
                "archived",
                "boolean",
                "true for an archive imported from another platform: kept as it was, read only.",
            ),
            Column("origin", "string", 'Where an archive came from ("polis"), or empty.'),
        ),
        ("consultation_id",),
    ),
    Table(
        "versions",
        "Versions",
        "Every published version of each consultation's text. Versions never change once "
        "published; the draft being edited is never included.",
        (
            CONSULTATION,
            Column("version", "integer", "Version number, from 1."),
            Column("published_at", "datetime", f"When it was published. {WHEN}"),
            Column("change_note", "string", "What changed, in the officials' words."),
        ),
        ("consultation_id", "version"),
    ),
    Table(
        "sections",
        "Sections",
        "The text of each published version, section by section, exactly as published. "
        "Text edited since the last publication is not included.",
        (
            CONSULTATION,
            Column("version", "integer", "The version it belongs to (versions.version)."),
            Column(
                "section_id",
                "integer",
                "The section's number: the same in every version, so a section can be "
                "followed from version to version.",
            ),
            Column("order", "integer", "Its place in that version, from 0."),
            Column("heading", "string", "Heading."),
            Column("body", "string", "Text, in Markdown."),
        ),
        ("consultation_id", "version", "section_id"),
    ),
    Table(
        "questions",
        "Questions",
        "The consultation's questions to the public; comments may answer one.",
        (
            CONSULTATION,
            Column("question_id", "integer", "The question's number."),
            Column("order", "integer", "Its place in the list, from 0."),
            Column("prompt", "string", "The question."),
        ),
        ("question_id",),
    ),
    Table(
        "comments",
        "Comments",
        "Every public comment and reply. Comments deleted by their authors, hidden by "
        "moderators or held for review are left out, with their words and votes.",
        (
            CONSULTATION,
            Column("comment_id", "integer", "The comment's number."),
            Column(
                "parent_id",
                "integer",
                "The comment it replies to; empty for a comment that starts a thread. The "
                "parent may be missing from this file if it is no longer public.",
            ),
            Column("root_id", "integer", "The comment that starts its thread."),
            Column("depth", "integer", "0 for a comment that starts a thread, 1 for a reply..."),
            Column(
                "section_id",
                "integer",
                "The section discussed (sections.section_id); empty for the whole "
                "consultation or a question.",
            ),
            Column("question_id", "integer", "The question answered (questions.question_id)."),
            Column("version", "integer", "The version of the text it was written against."),
            Column(
                "author",
                "string",
                "The author's pseudonym: the same for one person throughout one "
                "consultation, different in every other consultation.",
            ),
            Column("created_at", "datetime", f"When it was posted. {WHEN}"),
            Column(
                "edited_at",
                "datetime",
                f"When its author last edited it; empty if never. {WHEN}",
            ),
            Column("body", "string", "The comment as it reads now, in Markdown."),
        ),
        ("comment_id",),
    ),
    Table(
        "votes",
        "Votes on comments",
        "Agree, disagree and pass votes on the public comments. Voters have pseudonyms of "
        "their own, apart from authors' pseudonyms; votes carry a day, never "
        "a time, and are sorted by comment and pseudonym, not by when they were cast.",
        (
            CONSULTATION,
            Column("comment_id", "integer", "The comment voted on (comments.comment_id)."),
            Column(
                "voter",
                "string",
                "The voter's pseudonym: the same for one person throughout one "
                "consultation; unrelated to the author pseudonyms.",
            ),
            Column("value", "string", "agree, disagree or pass."),
            Column("day", "date", "The day (UTC) the vote was cast or last changed."),
        ),
        ("comment_id", "voter"),
    ),
    Table(
        "stances",
        "Stances",
        "How many people support, oppose or are neutral on each consultation and each "
        "section. Counts only: nobody's stance is published.",
        (
            CONSULTATION,
            Column(
                "section_id",
                "integer",
                "The section (sections.section_id); empty for the consultation as a whole.",
            ),
            Column("value", "string", "support, oppose or neutral."),
            Column("count", "integer", "How many people hold that stance now."),
        ),
        ("consultation_id", "section_id", "value"),
    ),
    Table(
        "responses",
        "Official responses",
        "The department's official answers to what the public said: to comments, to a "
        "section as a whole or to a theme as a whole.",
        (
            CONSULTATION,
            Column("response_id", "integer", "The response's number."),
            Column("department", "string", "The department that answered."),
            Column("status", "string", "accepted, partly, not_accepted or noted."),
            Column("kind", "string", "What it answers: comments, section or theme."),
            Column(
                "comment_ids",
                "list",
                "The public comments it answers (comments.comment_id); answered comments "
                "that are no longer public are left out.",
            ),
            Column("section_id", "integer", "The section it answers as a whole."),
            Column(
                "section_heading",
                "string",
                "That section's heading as published when it was answered.",
            ),
            Column("theme", "string", "The theme it answers as a whole."),
            Column("explanation", "string", "The explanation, in Markdown."),
            Column(
                "changed_version",
                "integer",
                "The version in which the text changed because of it (versions.version).",
            ),
            Column(
                "changed_section_id",
                "integer",
                "The section that changed because of it (sections.section_id).",
            ),
            Column("created_at", "datetime", f"When it was published. {WHEN}"),
        ),
        ("response_id",),
    ),
    Table(
        "moderation",
        "Moderation counts",
        "How each consultation's discussion was moderated, as its public moderation log "
        "counts it: never who moderated, whose comment it was, or a hidden comment's words.",
        (
            CONSULTATION,
            Column(
                "kind",
                "string",
                "action (a moderation action taken), hidden_category (why comments were "
                "hidden) or report_reason (why readers reported comments).",
            ),
            Column(
                "code",
                "string",
                "The action (comment.hide, comment.restore, comment.hold, ...), category or "
                "reason.",
            ),
            Column("label", "string", "The same in words."),
            Column("count", "integer", "How many times."),
        ),
        ("consultation_id", "kind", "code"),
    ),
    *FORM_TABLES,
)

TABLES_BY_NAME = {table.name: table for table in TABLES}

PRIVACY_RULES = (
    "Only public consultations are included, never a draft, and only text that was "
    "published: the draft being edited is not.",
    "Only public comments are included. A comment deleted by its author, hidden by a "
    "moderator or held for review is left out, and so are its words and the votes on it.",
    "Nobody who comments or votes is named. Authors and voters appear as pseudonyms, which "
    "are stable within one consultation and differ from one consultation to the next.",
    "Authors and voters get pseudonyms of different kinds: an author's pseudonym and the "
    "same person's voter pseudonym share nothing, because comments are signed with names on "
    "the site. The votes themselves can still hint at a link in a small consultation: "
    "nobody votes on their own comments.",
    "Votes carry the day they were cast, never the time, and are sorted by comment and "
    "pseudonym, so that their order cannot link them to comments posted at the same moment.",
    "Stances (support, oppose, neutral) are published as counts only.",
    "No email address, account number or network address is included, and no display "
    "name except a respondent's, on a form response they chose to publish with their name. "
    "Moderation appears as counts only, without moderators or hidden words.",
    *FORM_PRIVACY_RULES,
)

POLIS_FOLDER = "polis/"
POLIS_NOTE = (
    "The consultation's comments and votes in the Polis export format (comments.csv, "
    "votes.csv, participants-votes.csv, summary.csv), for tools that read Polis data. The "
    "same privacy rules apply. As Polis writes them: UTF-8 without a byte order mark, lines "
    "ending in LF; text that a spreadsheet would run as a formula starts with an apostrophe."
)


def licence() -> dict[str, str]:
    """The deployment's licence for its open data (CONSULT_OPENDATA_LICENCE)."""
    default = {
        "name": "CC-BY-4.0",
        "title": "Creative Commons Attribution 4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
    }
    return {**default, **getattr(settings, "CONSULT_OPENDATA_LICENCE", {})}


# --- the dictionary as files in the ZIP -------------------------------------


@dataclass(frozen=True)
class Package:
    """What the dictionary says about one ZIP besides its tables."""

    name: str
    title: str
    built_at: str
    rows: dict[str, int]
    extra_files: tuple[str, ...] = ()


def datapackage(package: Package) -> bytes:
    """A Frictionless Data Package descriptor, with the privacy rules added."""
    resources = []
    for table in TABLES:
        csv_name, json_name = table.files
        fields = [
            {"name": c.name, "type": c.csv_type, "description": c.description}
            for c in table.columns
        ]
        json_fields = [
            {"name": c.name, "type": c.package_type, "description": c.description}
            for c in table.columns
        ]
        schema = {"fields": fields, "primaryKey": list(table.primary_key)}
        common = {"title": table.title, "description": table.description}
        resources.append(
            {
                "name": table.name,
                "path": csv_name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                **common,
                "count": package.rows.get(table.name, 0),
                "schema": schema,
            }
        )
        resources.append(
            {
                "name": f"{table.name}-json",
                "path": json_name,
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                **common,
                "count": package.rows.get(table.name, 0),
                "schema": {**schema, "fields": json_fields},
            }
        )
    for path in package.extra_files:
        name = path.replace("/", "-").replace(".", "-").replace("_", "-").lower()
        resources.append({"name": name, "path": path, **_polis_resource(path)})
    descriptor = {
        "profile": "tabular-data-package",
        "name": package.name,
        "title": package.title,
        "created": package.built_at,
        "version": str(FORMAT_VERSION),
        "licenses": [licence()],
        "privacy": list(PRIVACY_RULES),
        "resources": resources,
    }
    text = json.dumps(descriptor, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _polis_file(path: str) -> PolisFile | None:
    return POLIS_FILES_BY_NAME.get(path.removeprefix(POLIS_FOLDER))


def _polis_resource(path: str) -> dict:
    """A Polis file's description, and each of its columns' (`polisColumns`: the
    files are not all tables with a header, so not a Table Schema)."""
    polis = _polis_file(path)
    if polis is None:
        return {"description": POLIS_NOTE}
    columns = [
        {"name": c.name, "type": c.type, "description": c.description} for c in polis.columns
    ]
    return {"description": f"{POLIS_NOTE} {polis.description}", "polisColumns": columns}


def _polis_lines(extra_files: tuple[str, ...]) -> list[str]:
    lines = ["", f"## Polis export: `{POLIS_FOLDER}`", "", POLIS_NOTE]
    for path in extra_files:
        polis = _polis_file(path)
        if polis is None:
            continue
        head = "key" if polis.keyed else "column"
        lines += ["", f"### `{path}`", "", polis.description, "", f"| {head} | type | meaning |"]
        lines.append("|---|---|---|")
        lines += [f"| `{c.name}` | {c.type} | {_cell(c.description)} |" for c in polis.columns]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def readme(package: Package) -> bytes:
    licence_ = licence()
    lines = [
        f"# {package.title}",
        "",
        f"Open data from the consultation platform, built {package.built_at} "
        f"(format version {FORMAT_VERSION}). Every table comes twice, with the same columns: "
        "as CSV (UTF-8 with a byte order mark, so spreadsheets read every script; a cell "
        "that a spreadsheet would run as a formula starts with an apostrophe) and as JSON "
        "(an array of objects). Times are ISO 8601 in UTC; empty cells in the CSV are "
        f'`null` in the JSON; lists are joined by "{LIST_SEPARATOR}" in the CSV and are '
        "arrays in the JSON. `datapackage.json` describes the same in a machine-readable "
        "form (a Frictionless Data Package).",
        "",
        "## Licence",
        "",
        f"{licence_['title']} ({licence_['name']}): {licence_['path']}",
        "",
        "## Privacy",
        "",
        *(f"- {rule}" for rule in PRIVACY_RULES),
        "",
        "## Files",
        "",
        "| file | rows | what it holds |",
        "|---|---|---|",
    ]
    for table in TABLES:
        csv_name, json_name = table.files
        rows = package.rows.get(table.name, 0)
        lines.append(f"| `{csv_name}`, `{json_name}` | {rows} | {_cell(table.description)} |")
    if package.extra_files:
        lines.append(f"| `{POLIS_FOLDER}` | | {_cell(POLIS_NOTE)} |")
    for table in TABLES:
        lines += [
            "",
            f"## {table.title}: `{table.name}.csv`, `{table.name}.json`",
            "",
            table.description,
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        lines += [f"| `{c.name}` | {c.type} | {_cell(c.description)} |" for c in table.columns]
    if package.extra_files:
        lines += _polis_lines(package.extra_files)
    return ("\n".join(lines) + "\n").encode("utf-8")
