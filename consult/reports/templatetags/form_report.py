"""What the summary and report templates need from the response form's
figures: the whole block ready to show, the "you said / we did" entry of a
question, and the links to the responses behind a count."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

from consult.reports.rendering import questionnaire

register = template.Library()

QUESTION = "question"


def form_evidence_base(proposal) -> str:
    """The officials' list of the responses behind a figure, or "" when the
    site has no such page (yet)."""
    slug = getattr(proposal, "slug", None)
    if not slug:
        return ""
    try:
        return reverse("reports:form-responses", args=[slug])
    except NoReverseMatch:
        return ""


def responses_download(proposal) -> str:
    slug = getattr(proposal, "slug", None)
    if not slug:
        return ""
    try:
        return reverse("reports:form-responses-download", args=[slug])
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def form_figures(context, form: dict | None, public: bool = False) -> dict | None:
    """`{% form_figures result.form as form %}` on the officials' summary (with
    links to the responses behind each count); `public=True` in the report
    (no links; only the organisations that chose to be named)."""
    base = "" if public else form_evidence_base(context.get("proposal"))
    return questionnaire.form_view(form, public=public, evidence_base=base)


@register.simple_tag(takes_context=True)
def form_responses_download(context) -> str:
    """The published responses as a CSV, on the published report only."""
    if context.get("preview") or context.get("for_print") or not context.get("downloads"):
        return ""
    return responses_download(context.get("proposal"))


@register.simple_tag
def question_entry(snapshot: dict, question_id) -> dict | None:
    """The report's "you said / we did" entry of one question, if drafted."""
    key = str(question_id)
    for entry in (snapshot or {}).get("entries") or []:
        if entry.get("kind") == QUESTION and str(entry.get("key")) == key:
            return entry
    return None


@register.filter
def without_questions(entries: list[dict] | None) -> list[dict]:
    """The entries of themes and sections: a question's is shown with its chart."""
    return [entry for entry in entries or [] if entry.get("kind") != QUESTION]
