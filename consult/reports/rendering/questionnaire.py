"""The response form's questions in the summary and the report: for each
closed question a bar chart with its table (counts and shares, by respondent
type and by channel), a ranking's mean places and scores, a number's
histogram, and a free-text question's counts.

Like every figure of the report, each function here is a pure function of the
summary's form block (`result["form"]`, see the summary's schema) and draws an
`<svg role="img">` named by its title and described in full by its desc,
with the same figures in a table beside it. Counts may carry a link to the
responses behind them (`links`, given only on the officials' pages).
"""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consult.reports.rendering import svg
from consult.reports.rendering.respondents import (
    KINDS,
    Links,
    cell,
    channel_figure,
    channel_label,
    channels_used,
    documents_sentence,
    kind_figure,
    kind_label,
    labelled,
    organisations,
    people,
)
from consult.reports.rendering.svg import BAR, GRID, INK, MUTED, number, percent
from proposals.questionnaire.models import QuestionKind

CHOICE_KINDS = ("single", "multiple", "scale")


def kind_name(kind: str) -> str:
    """The kind of question as the form builder names it."""
    return str(QuestionKind(kind).label) if kind in QuestionKind.values else kind


# --- choices --------------------------------------------------------------------------


def choices_chart(question: dict, *, prefix: str) -> SafeString:
    choices = question.get("choices") or []
    if not question.get("answered") or not choices:
        return SafeString("")
    rows = [
        {
            "label": choice.get("label", ""),
            "value": f"{number(choice.get('count', 0))} ({percent(choice.get('share'))})",
            "parts": [(choice.get("count", 0), BAR)],
        }
        for choice in choices
    ]
    return svg.document(
        prefix,
        question.get("prompt", ""),
        choices_desc(question),
        640,
        len(rows) * 42 + 4,
        svg.horizontal_bars(prefix, rows, []),
    )


def choices_desc(question: dict) -> str:
    parts = [
        _("%(label)s: %(count)s (%(share)s)")
        % {
            "label": choice.get("label", ""),
            "count": number(choice.get("count", 0)),
            "share": percent(choice.get("share")),
        }
        for choice in question.get("choices") or []
    ]
    text = "; ".join(parts) + ". " + answered_sentence(question)
    if question.get("shares_sum_over_100"):
        text += " " + more_than_one()
    return text


def more_than_one() -> str:
    return _("People could pick more than one answer, so the shares add up to more than 100%.")


def answered_sentence(question: dict) -> str:
    answered, skipped = question.get("answered", 0), question.get("skipped", 0)
    text = ngettext(
        "%(count)s person answered this question",
        "%(count)s people answered this question",
        answered,
    ) % {"count": number(answered)}
    if skipped:
        text += ngettext(
            "; %(count)s left it unanswered.", "; %(count)s left it unanswered.", skipped
        ) % {"count": number(skipped)}
    else:
        text += "."
    return text


def choices_table(question: dict, form: dict, links: Links) -> dict:
    """One row per answer: people and share, then by respondent type and by channel."""
    channels = channels_used(form)
    columns = [_("Answer"), _("People"), _("Share")]
    columns += [kind_label(kind) for kind in KINDS] + [channel_label(c) for c in channels]
    rows = []
    qid = question.get("id")
    for choice in question.get("choices") or []:
        key = choice.get("key")
        by_kind, by_channel = choice.get("by_kind") or {}, choice.get("by_channel") or {}
        row = [
            cell(choice.get("label", "")),
            cell(number(choice.get("count", 0)), links.to(question=qid, choice=key)),
            cell(percent(choice.get("share"))),
        ]
        row += [
            cell(number(by_kind.get(kind, 0)), links.to(question=qid, choice=key, kind=kind))
            for kind in KINDS
        ]
        row += [
            cell(number(by_channel.get(c, 0)), links.to(question=qid, choice=key, channel=c))
            for c in channels
        ]
        rows.append(row)
    caption = _("Answers to “%(prompt)s”") % {"prompt": question.get("prompt", "")}
    return {"caption": caption, "columns": columns, "rows": rows}


# --- ranking --------------------------------------------------------------------------


def ranking_chart(question: dict, *, prefix: str) -> SafeString:
    ranking = question.get("ranking") or []
    if not question.get("answered") or not ranking:
        return SafeString("")
    rows = [
        {
            "label": item.get("label", ""),
            "value": _("score %(score)s") % {"score": decimal(item.get("score"))},
            "parts": [(max(float(item.get("score") or 0), 0.0), BAR)],
        }
        for item in ranking
    ]
    return svg.document(
        prefix,
        question.get("prompt", ""),
        ranking_desc(question),
        640,
        len(rows) * 42 + 4,
        svg.horizontal_bars(prefix, rows, []),
    )


def ranking_desc(question: dict) -> str:
    parts = [
        _("%(label)s: mean place %(place)s, first choice of %(first)s, score %(score)s")
        % {
            "label": item.get("label", ""),
            "place": decimal(item.get("mean_rank")),
            "first": number(item.get("first", 0)),
            "score": decimal(item.get("score")),
        }
        for item in question.get("ranking") or []
    ]
    return "; ".join(parts) + ". " + ranking_explained() + " " + answered_sentence(question)


def ranking_explained() -> str:
    return _(
        "The mean place is the average position people gave an option (1 is first); "
        "the score adds up the places, first place counting most, so a higher score "
        "means ranked higher by more people."
    )


def ranking_table(question: dict, links: Links) -> dict:
    rows = [
        [
            cell(item.get("label", "")),
            cell(decimal(item.get("mean_rank"))),
            cell(
                number(item.get("first", 0)),
                links.to(question=question.get("id"), choice=item.get("key")),
            ),
            cell(number(item.get("ranked", 0))),
            cell(decimal(item.get("score"))),
        ]
        for item in question.get("ranking") or []
    ]
    return {
        "caption": _("Ranking of “%(prompt)s”") % {"prompt": question.get("prompt", "")},
        "columns": [_("Option"), _("Mean place"), _("First choices"), _("Ranked by"), _("Score")],
        "rows": rows,
    }


def decimal(value) -> str:
    """A mean or a score to two decimals at most: 2.5, 1.33, 4."""
    if value is None:
        return "—"
    return svg.num(round(float(value), 2))


# --- numbers ---------------------------------------------------------------------------


def number_chart(question: dict, *, prefix: str) -> SafeString:
    figures = question.get("number") or {}
    bins = figures.get("bins") or []
    if not figures.get("count") or not bins:
        return SafeString("")
    left, right, top, bottom, width, height = 52, 628, 20, 200, 640, 250
    top_count = max(b.get("count", 0) for b in bins) or 1
    step = svg.nice_step(top_count)
    y_max = step * -(-top_count // step)
    body = []
    for tick in range(0, y_max + 1, step):
        y = bottom - (bottom - top) * tick / y_max
        body.append(
            f'<line x1="{left}" y1="{svg.num(y)}" x2="{right}" y2="{svg.num(y)}"'
            f' stroke="{GRID}" stroke-width="0.75"/>'
        )
        body.append(svg.text(left - 6, y + 4, number(tick), size=11, anchor="end", fill=MUTED))
    slot = (right - left) / len(bins)
    for index, item in enumerate(bins):
        x, count = left + index * slot, item.get("count", 0)
        if count:
            h = (bottom - top) * count / y_max
            body.append(svg.rect(x + 1, bottom - h, slot - 2, h, BAR, stroke=INK))
            body.append(
                svg.text(x + slot / 2, bottom - h - 3, number(count), size=10, anchor="middle")
            )
        # Narrow columns cut their label; the table has every range in full.
        label = svg.fit(bin_label(item), max(int(slot / 5.5), 3))
        body.append(svg.text(x + slot / 2, bottom + 16, label, size=10, anchor="middle"))
    body.append(svg.text(left, height - 8, _("Number given"), size=11, fill=MUTED))
    return svg.document(
        prefix, question.get("prompt", ""), number_desc(question), width, height, body
    )


def bin_label(item: dict) -> str:
    low, high = decimal(item.get("low")), decimal(item.get("high"))
    return low if low == high else f"{low}–{high}"


def number_sentence(question: dict) -> str:
    figures = question.get("number") or {}
    count = figures.get("count") or 0
    if not count:
        return ""
    return ngettext(
        "%(count)s person gave a number: mean %(mean)s, median %(median)s, "
        "lowest %(min)s, highest %(max)s.",
        "%(count)s people gave a number: mean %(mean)s, median %(median)s, "
        "lowest %(min)s, highest %(max)s.",
        count,
    ) % {
        "count": number(count),
        "mean": decimal(figures.get("mean")),
        "median": decimal(figures.get("median")),
        "min": decimal(figures.get("min")),
        "max": decimal(figures.get("max")),
    }


def number_desc(question: dict) -> str:
    bins = (question.get("number") or {}).get("bins") or []
    parts = [
        _("%(range)s: %(count)s") % {"range": bin_label(b), "count": number(b.get("count", 0))}
        for b in bins
    ]
    return (
        number_sentence(question)
        + " "
        + _("How many gave each number:")
        + " "
        + ("; ".join(parts) + ".")
    )


def number_table(question: dict) -> dict:
    bins = (question.get("number") or {}).get("bins") or []
    return {
        "caption": _("Numbers given to “%(prompt)s”") % {"prompt": question.get("prompt", "")},
        "columns": [_("From – to"), _("People")],
        "rows": [[cell(bin_label(b)), cell(number(b.get("count", 0)))] for b in bins],
    }


# --- free text -------------------------------------------------------------------------


def text_counts(question: dict, links: Links) -> list[dict]:
    """Answered, hidden by moderators, awaiting review: each in words."""
    figures = question.get("text") or {}
    answered = figures.get("answered", question.get("answered", 0)) or 0
    return [
        {
            "label": _("Answered"),
            "value": number(answered),
            "href": links.to(question=question.get("id")) if answered else "",
        },
        {"label": _("Hidden by moderators"), "value": number(figures.get("hidden", 0) or 0)},
        {"label": _("Awaiting a moderator's review"), "value": number(figures.get("held", 0) or 0)},
    ]


# --- one question ----------------------------------------------------------------------


def question_figure(question: dict, form: dict, links: Links) -> dict:
    """Everything shown for one question: title, chart, table, sentences, and
    what to say when nobody answered it."""
    kind, qid = question.get("kind", ""), question.get("id")
    prefix = f"form-q{qid}"
    figure = {
        "id": f"form-question-{qid}",
        "question": qid,
        "kind": kind,
        "kind_label": kind_name(kind),
        "prompt": question.get("prompt", ""),
        "section": question.get("section") or "",
        "answered": question.get("answered", 0),
        "answered_sentence": answered_sentence(question),
        "answered_href": links.to(question=qid),
        "svg": SafeString(""),
        "table": None,
        "notes": [],
        "counts": [],
        "empty": "",
    }
    if not question.get("answered"):
        figure["empty"] = _("Nobody answered this question.")
        if kind == "text":
            figure["counts"] = text_counts(question, links)
        return figure
    if kind in CHOICE_KINDS:
        figure["svg"] = choices_chart(question, prefix=prefix)
        figure["table"] = choices_table(question, form, links)
        if question.get("shares_sum_over_100") or kind == "multiple":
            figure["notes"].append(more_than_one())
    elif kind == "ranking":
        figure["svg"] = ranking_chart(question, prefix=prefix)
        figure["table"] = ranking_table(question, links)
        figure["notes"].append(ranking_explained())
    elif kind == "number":
        figure["svg"] = number_chart(question, prefix=prefix)
        figure["table"] = number_table(question)
        figure["notes"].append(number_sentence(question))
    elif kind == "text":
        figure["counts"] = text_counts(question, links)
    return figure


def form_view(form: dict | None, *, public: bool, evidence_base: str = "") -> dict | None:
    """The whole form block as the templates show it, or None when the
    consultation has no form. Links only when `evidence_base` is given and the
    page is not public."""
    if not form:
        return None
    links = Links("" if public else evidence_base)
    responses = form.get("responses") or 0
    figures = [channel_figure(form, links), kind_figure(form, links)]
    questions = [question_figure(q, form, links) for q in form.get("questions") or []]
    for figure in figures + questions:
        labelled(figure["table"])
    return {
        "responses": responses,
        "responses_sentence": people(responses),
        "empty": "" if responses else _("No responses yet."),
        "channels": figures[0],
        "kinds": figures[1],
        "questions": questions,
        "organisations": organisations(form, public=public),
        "documents": documents_sentence(form),
        "public": public,
    }
