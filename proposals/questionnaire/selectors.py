"""What the officials' screens read of a response form, and the questions
respondents are shown (every reader of the form starts from those)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse

from proposals.models import Proposal
from proposals.questionnaire.models import FormQuestion


def published_questions(proposal: Proposal | int) -> QuerySet[FormQuestion]:
    """The questions a version has published (what respondents are shown),
    in the form's order, each with its section. The proposal comes in the
    same query: each text's language is the proposal's (FormQuestion.language)."""
    return (
        FormQuestion.objects.filter(proposal=proposal, published_in__isnull=False)
        .select_related("section__proposal", "proposal")
        .order_by("order", "pk")
    )


@dataclass(frozen=True)
class FormOverview:
    """How many questions the form has, how many wait for the next version,
    how many people have already answered (frozen)."""

    total: int
    unpublished: int
    frozen: int


def form_overview(proposal: Proposal) -> FormOverview:
    """The three counts in one query."""
    counts = FormQuestion.objects.filter(proposal=proposal).aggregate(
        total=Count("pk"),
        unpublished=Count("pk", filter=Q(published_in__isnull=True)),
        frozen=Count("pk", filter=Q(frozen_at__isnull=False)),
    )
    return FormOverview(**counts)


def form_questions_for_builder(proposal: Proposal) -> list[FormQuestion]:
    """Every question of the form in order, with what the builder shows of
    each (its section, the question it depends on, the version that
    published it) read in the same query."""
    return list(
        FormQuestion.objects.filter(proposal=proposal)
        .select_related("section", "shown_if", "published_in")
        .order_by("order", "pk")
    )


def entry_url(slug: str) -> str | None:
    """The staff's entry page for responses received outside the website, or
    None where that page is not part of the site."""
    try:
        return reverse("discussion:form-entry", kwargs={"slug": slug})
    except NoReverseMatch:
        return None
