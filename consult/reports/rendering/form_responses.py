"""The published responses to a consultation's form as a spreadsheet: one
row per response, one column per question, with the respondent type, the
organisation type and the channel. Which responses, which names and which
words: `published_form_responses`, the one rule for every public place."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from consult.infra.tables import spreadsheet_cell
from consult.reports.rendering.respondents import (
    channel_label,
    kind_label,
    organisation_type_label,
    publication_label,
)
from proposals.questionnaire.models import FormQuestion

SEPARATOR = "; "


def answer_cell(answer: dict | None) -> str:
    """An answer in one cell: choices by their labels (a ranking numbered in
    the respondent's order), a number as written, or the words."""
    if not answer:
        return ""
    if answer["kind"] == "ranking":
        return SEPARATOR.join(
            f"{place}. {label}" for place, label in enumerate(answer["labels"], start=1)
        )
    if answer["labels"]:
        return SEPARATOR.join(answer["labels"])
    if answer["number"] is not None:
        return answer["number"]
    return answer["text"] or ""


def responses_csv(questions: list[FormQuestion], rows: list[dict]) -> bytes:
    """UTF-8 with a byte order mark (spreadsheets then read Chinese), CRLF,
    and every cell safe from being run as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = [
        _("Response"),
        _("Name"),
        _("Published"),
        _("Responding as"),
        _("Organisation type"),
        _("Official view of the organisation"),
        _("Channel"),
        _("Received on"),
    ]
    header += [f"{index}. {q.prompt}" for index, q in enumerate(questions, start=1)]
    writer.writerow([spreadsheet_cell(item) for item in header])
    for row in rows:
        organisation = row["respondent_kind"] == "organisation"
        cells = [
            row["response"],
            row["name"],
            publication_label(row["publication"]),
            kind_label(row["respondent_kind"]),
            organisation_type_label(row["organisation_type"]) if organisation else "",
            (_("Yes") if row["official_view"] else _("No")) if organisation else "",
            channel_label(row["channel"]),
            row["received_on"] or (row["submitted_at"] or "")[:10],
        ]
        cells += [answer_cell(row["answers"].get(q.pk)) for q in questions]
        writer.writerow([spreadsheet_cell(item) for item in cells])
    return buffer.getvalue().encode("utf-8-sig")
