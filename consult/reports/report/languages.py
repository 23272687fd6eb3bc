"""The report in each of the site's languages.

The snapshot is built and frozen once, with every language's texts in it:
each part that has words in several languages (the consultation's title, its
department and place, the introduction, each entry, a version's note) keeps
them in a `translations` dict, ``{"zh-hans": {"title": "…"}}``, beside the
texts of its own columns; the summary's labels (section headings, question
prompts and choices) are in `labels`. `snapshot_in` gives the snapshot as a
reader of one language sees it: their language where it is written, else
the text it has, marked as a fallback (a `Localized`), so that the page and
the PDF can say "not yet translated". A snapshot frozen before there were
translations is shown as it is, unmarked.
"""

from __future__ import annotations

from collections.abc import Iterable

from consult.infra.text import render_markdown
from consult.infra.translations import Localized, languages, reader_language, translated
from proposals.models import Proposal

PROPOSAL_FIELDS = ("title", "department", "jurisdiction")
INTRO_FIELDS = ("intro", "intro_html")
ENTRY_FIELDS = ("title", "you_said", "you_said_html", "we_did", "we_did_html")


def written_in(obj, fields: Iterable[str]) -> dict[str, dict[str, str]]:
    """Every language's written texts of these fields, by language."""
    found = {}
    for code in languages():
        texts = {field: translated(obj, field, code) for field in fields}
        texts = {field: text for field, text in texts.items() if text}
        if texts:
            found[code] = texts
    return found


def with_html(texts: dict[str, dict[str, str]], *fields: str) -> dict[str, dict[str, str]]:
    """The texts with each Markdown field rendered beside it (`<field>_html`)."""
    for row in texts.values():
        for field in fields:
            if row.get(field):
                row[f"{field}_html"] = render_markdown(row[field])
    return texts


def proposal_texts(proposal: Proposal) -> dict[str, dict[str, str]]:
    """The title, the department's and the place's names, in every language."""
    department = proposal.department
    jurisdiction = getattr(department, "jurisdiction", None)
    found: dict[str, dict[str, str]] = {}
    for code in languages():
        texts = {
            "title": translated(proposal, "title", code),
            "department": translated(department, "name", code),
            "jurisdiction": translated(jurisdiction, "name", code) if jurisdiction else "",
        }
        texts = {field: text for field, text in texts.items() if text}
        if texts:
            found[code] = texts
    return found


def summary_labels(proposal: Proposal) -> dict:
    """The summary's labels in every language: each section's heading, each
    form question's prompt and choices' labels (two queries)."""
    sections = {
        str(section.pk): {
            code: texts["heading"] for code, texts in written_in(section, ["heading"]).items()
        }
        for section in proposal.sections.all()
    }
    questions = {}
    for question in proposal.form_questions.select_related("section"):
        if question.section is not None:
            question.section.proposal = proposal
        questions[str(question.pk)] = {
            code: {
                "prompt": translated(question, "prompt", code),
                "choices": question.choice_labels_in(code),
                "section": translated(question.section, "heading", code)
                if question.section
                else "",
            }
            for code in languages()
        }
    return {"sections": sections, "questions": questions}


# --- reading in one language --------------------------------------------------------


def _source_of(texts: dict, field: str, text: str, language: str) -> str:
    """The language a text stands in from: the one it is written in."""
    for code, row in texts.items():
        if isinstance(row, dict) and row.get(field) == text:
            return code
    return language


def localized(row: dict, fields: Iterable[str], language: str) -> dict:
    """A copy of `row` with each field in `language` where written, else its
    own text marked as a fallback. A row without `translations` is kept."""
    texts = row.get("translations")
    if not isinstance(texts, dict):
        return row
    shown = dict(row)
    wanted = texts.get(language) if isinstance(texts.get(language), dict) else {}
    for field in fields:
        written = wanted.get(field)
        if isinstance(written, str) and written:
            shown[field] = Localized(written, language=language, fallback=False)
            continue
        text = row.get(field) or ""
        source = _source_of(texts, field, text, language)
        shown[field] = Localized(text, language=source, fallback=bool(text) and source != language)
    return shown


def _relabel_section(row: dict, headings: dict, language: str) -> dict:
    heading = (headings.get(str(row.get("id"))) or {}).get(language)
    return {**row, "heading": heading} if heading else row


def _relabel_choices(items: list, labels: dict) -> list:
    return [
        {**item, "label": labels[str(item.get("key"))]} if str(item.get("key")) in labels else item
        for item in items or []
    ]


def _relabel_question(row: dict, questions: dict, language: str) -> dict:
    texts = (questions.get(str(row.get("id"))) or {}).get(language) or {}
    labels = texts.get("choices") or {}
    shown = {**row, "choices": _relabel_choices(row.get("choices"), labels)}
    shown["ranking"] = _relabel_choices(row.get("ranking"), labels)
    for field in ("prompt", "section"):
        if texts.get(field) and row.get(field):
            shown[field] = texts[field]
    return shown


def summary_in(
    summary: dict, labels: dict | None, language: str, header: dict | None = None
) -> dict:
    """The summary with its section headings, question prompts and choices
    in `language` where they are written (copied where changed, not all)."""
    if not labels:
        return summary
    headings, questions = labels.get("sections") or {}, labels.get("questions") or {}
    shown = dict(summary)
    for part in ("stances", "coverage"):
        if isinstance(summary.get(part), dict) and summary[part].get("sections"):
            shown[part] = {
                **summary[part],
                "sections": [
                    _relabel_section(row, headings, language) for row in summary[part]["sections"]
                ],
            }
    form = summary.get("form")
    if isinstance(form, dict) and form.get("questions"):
        shown["form"] = {
            **form,
            "questions": [_relabel_question(q, questions, language) for q in form["questions"]],
        }
    if header and isinstance(summary.get("proposal"), dict):
        shown["proposal"] = {
            **summary["proposal"],
            **{k: header[k] for k in ("title", "department")},
        }
    return shown


def snapshot_in(snapshot: dict, language: str | None = None) -> dict:
    """The snapshot as a reader of `language` (default: the active one) sees it."""
    language = reader_language(language)
    shown = localized(snapshot, INTRO_FIELDS, language)
    shown["proposal"] = localized(snapshot.get("proposal") or {}, PROPOSAL_FIELDS, language)
    entries = []
    for entry in snapshot.get("entries") or []:
        entry = localized(entry, ENTRY_FIELDS, language)
        if isinstance(entry.get("version"), dict):
            entry["version"] = localized(entry["version"], ["change_note"], language)
        entries.append(entry)
    shown["entries"] = entries
    if isinstance(snapshot.get("summary"), dict):
        shown["summary"] = summary_in(
            snapshot["summary"], snapshot.get("labels"), language, header=shown["proposal"]
        )
    shown["language"] = language
    return shown
