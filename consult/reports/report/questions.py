"""The report's "you said / we did" entries of the response form's questions:
what people answered, drafted in words from the summary's figures, and what
the government did about it, written by officials in the report editor."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext

from consult.reports.rendering.questionnaire import decimal, number_sentence
from consult.reports.rendering.svg import number, percent

# How many of a question's answers the drafted words name.
NAMED_ANSWERS = 3


def _choices_said(question: dict) -> list[str]:
    top = sorted(
        (c for c in question.get("choices") or [] if c.get("count")),
        key=lambda c: -c.get("count", 0),
    )[:NAMED_ANSWERS]
    if not top:
        return []
    named = ", ".join(
        gettext("“%(label)s” (%(share)s)")
        % {"label": c.get("label", ""), "share": percent(c.get("share"))}
        for c in top
    )
    return [gettext("The answers given most: %(answers)s.") % {"answers": named}]


def _ranking_said(question: dict) -> list[str]:
    ranking = [item for item in question.get("ranking") or [] if item.get("ranked")]
    if not ranking:
        return []
    best = max(ranking, key=lambda item: (item.get("first", 0), -(item.get("mean_rank") or 0)))
    return [
        ngettext(
            "Ranked first most often: “%(label)s” (%(count)s first choice, mean place %(place)s).",
            "Ranked first most often: “%(label)s” (%(count)s first choices, mean place %(place)s).",
            best.get("first", 0),
        )
        % {
            "label": best.get("label", ""),
            "count": number(best.get("first", 0)),
            "place": decimal(best.get("mean_rank")),
        }
    ]


def question_said(question: dict) -> str:
    """The drafted "you said" of a question: how many answered, and what most said."""
    answered = question.get("answered", 0) or 0
    lines = [
        ngettext(
            "%(count)s person answered this question.",
            "%(count)s people answered this question.",
            answered,
        )
        % {"count": number(answered)}
    ]
    if not answered:
        return lines[0]
    kind = question.get("kind")
    if kind in ("single", "multiple", "scale"):
        lines += _choices_said(question)
    elif kind == "ranking":
        lines += _ranking_said(question)
    elif kind == "number":
        lines.append(number_sentence(question))
    return " ".join(line for line in lines if line)


def question_rows(result: dict) -> list[dict]:
    """The form's questions the report drafts an entry for, in the form's order."""
    form = result.get("form") or {}
    return sorted(form.get("questions") or [], key=lambda q: (q.get("order", 0), q.get("id", 0)))


def question_figures(result: dict) -> dict[str, dict]:
    """Each question's counts for its entry in the snapshot, by the entry's key."""
    return {
        str(q.get("id")): {"answered": q.get("answered", 0), "skipped": q.get("skipped", 0)}
        for q in question_rows(result)
    }
