"""What of a consultation's response form is public, for the open data and
the API alike.

The rule (issue 19's meaning of the publication choice):

- Questions: those published with a version of the text (``published_in``
  set); a question being drafted is not public.
- Counts: every *submitted* response counts, whatever its publication
  choice (a withheld response too) and whatever became of its words (a
  hidden or held text answer too): a count reveals nothing personal.
  Drafts count nowhere.
- Responses: only submitted responses whose respondent chose ``named`` or
  ``anonymous``. ``withheld`` responses are never public, not even their
  answers' words. A ``named`` response shows the organisation's name (for a
  response on behalf of an organisation) or else the respondent's name; an
  ``anonymous`` one shows no name at all, neither the person's nor the
  organisation's, though its kind of respondent and organisation type show.
- Answers of a published response: every answer, except the words of a
  text answer that a moderator hid (``hidden_at``) or that wait for review
  (``held_at``): those leave with a marker saying why (``hidden``/``held``).
- A response carries a pseudonym of its own (consult.opendata.pseudonyms,
  kind RESPONSE) and the day it was submitted, never the time; open data
  sorts responses by pseudonym, so that their order gives no time back.

Everything here reads values in a fixed number of queries per consultation.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils import translation

from consult.opendata.pseudonyms import Kind, Pseudonyms
from discussion.submissions import selectors as submissions_selectors
from discussion.submissions.answers import plain
from discussion.submissions.models import (
    Channel,
    FormAnswer,
    Publication,
    RespondentKind,
    ResponseStatus,
)
from proposals.models import Proposal
from proposals.questionnaire.models import FormQuestion, QuestionKind
from proposals.questionnaire.selectors import published_questions

CHUNK = 5_000
# Published responses whose answers are read together.
RESPONSE_CHUNK = 500

# How long counts are kept; they are computed again at once when a response changes.
COUNTS_CACHE_SECONDS = 600

HIDDEN = "hidden"
HELD = "held"

# The groups every question is counted in: (breakdown, group).
ALL = ("all", "")
GROUPS: tuple[tuple[str, str], ...] = (
    ALL,
    *(("respondent_kind", kind) for kind in RespondentKind.values),
    *(("channel", channel) for channel in Channel.values),
)


# --- the selections --------------------------------------------------------------


def questions(proposal: Proposal | int) -> QuerySet[FormQuestion]:
    """The form's published questions, in the form's order."""
    return published_questions(proposal)


# What the counts count, and what may be published: the submissions' own rule.
counted_responses = submissions_selectors.submitted_responses
published_responses = submissions_selectors.published_responses


def public_name(publication: str, kind: str, respondent_name: str, organisation_name: str) -> str:
    """The name a published response shows: none unless it is named."""
    if publication != Publication.NAMED:
        return ""
    return organisation_name if kind == RespondentKind.ORGANISATION else respondent_name


def withheld_because(hidden_at, held_at) -> str:
    """Why an answer's words are not public: hidden, held, or "" when they are."""
    if hidden_at is not None:
        return HIDDEN
    if held_at is not None:
        return HELD
    return ""


def day_of(moment):
    return moment.astimezone(UTC).date() if moment is not None else None


# --- the counts -----------------------------------------------------------------


@dataclass
class Tally:
    """One question's answers within one group of responses."""

    responses: int = 0
    answered: int = 0
    chosen: Counter = field(default_factory=Counter)
    first: Counter = field(default_factory=Counter)


def _groups_of(kind: str, channel: str) -> tuple[tuple[str, str], ...]:
    return ALL, ("respondent_kind", kind), ("channel", channel)


@dataclass(frozen=True)
class Sizes:
    """{(breakdown, group): submitted responses}, and what tells whether any
    response changed since (its count, last id and last change)."""

    groups: Counter
    stamp: str


def group_sizes(proposal: Proposal | int) -> Sizes:
    """One query."""
    groups: Counter = Counter()
    stamp = []
    for kind, channel, n, last, changed in (
        counted_responses(proposal)
        .values_list("respondent_kind", "channel")
        .annotate(n=Count("pk"), last=Max("pk"), changed=Max("updated_at"))
        .order_by("respondent_kind", "channel")
    ):
        for group in _groups_of(kind, channel):
            groups[group] += n
        stamp.append(f"{kind}.{channel}.{n}.{last}.{changed}")
    return Sizes(groups, "/".join(stamp))


def cached_counts(proposal: Proposal, asked: list[FormQuestion]) -> tuple[Sizes, dict]:
    """The counts, computed again only when a submitted response (or the
    form) has changed: reading every answer of a large consultation takes
    seconds, and anyone may ask for the counts (the API)."""
    sizes = group_sizes(proposal)
    digest = hashlib.sha256(f"{[q.pk for q in asked]}|{sizes.stamp}".encode()).hexdigest()
    key = f"consult:form-counts:{proposal.pk}:{digest[:32]}"
    found = cache.get(key)
    if found is None:
        found = counts(proposal, asked, sizes)
        cache.set(key, found, COUNTS_CACHE_SECONDS)
    return sizes, found


def counts(
    proposal: Proposal | int, asked: list[FormQuestion], sizes: Sizes | None = None
) -> dict[int, dict[tuple, Tally]]:
    """{question id: {(breakdown, group): Tally}} over every submitted
    response: two aggregate queries whatever their number (one with `sizes`
    given)."""
    sizes = group_sizes(proposal) if sizes is None else sizes
    tallies = {
        q.pk: {group: Tally(responses=sizes.groups[group]) for group in GROUPS} for q in asked
    }
    # Grouped in the database by the answer as a whole: as many rows as there
    # are different answers (orders of a ranking, sets of a multiple choice),
    # not as many as there are responses.
    rows = (
        FormAnswer.objects.filter(
            response__proposal=proposal, response__status=ResponseStatus.SUBMITTED
        )
        .values_list("question_id", "choices", "response__respondent_kind", "response__channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for question_id, choices, kind, channel, n in rows:
        by_group = tallies.get(question_id)
        if by_group is None:
            continue
        for group in _groups_of(kind, channel):
            tally = by_group.get(group)
            if tally is None:  # a value no longer among the groups
                continue
            tally.answered += n
            for key in choices or []:
                tally.chosen[key] += n
            if choices:
                tally.first[choices[0]] += n
    return tallies


# --- the open data's rows ---------------------------------------------------------


def question_rows(proposals: list[Proposal]) -> Iterator[tuple]:
    for p in proposals:
        for q in questions(p).select_related("published_in"):
            with translation.override("en"):  # the agreement scale's labels
                pairs = q.choice_pairs()
            yield (
                p.pk,
                q.pk,
                q.order,
                q.kind,
                q.prompt,
                q.help_text,
                q.section_id,
                q.required,
                [key for key, _label in pairs],
                [label for _key, label in pairs],
                q.shown_if_id,
                list(q.shown_if_choices or []) if q.shown_if_id else [],
                q.text_limit if q.kind == QuestionKind.TEXT else None,
                None if q.min_value is None else plain(q.min_value),
                None if q.max_value is None else plain(q.max_value),
                q.published_in.number,
            )


def count_rows(proposals: list[Proposal]) -> Iterator[tuple]:
    for p in proposals:
        asked = list(questions(p))
        tallies = counts(p, asked)
        for q in asked:
            with translation.override("en"):
                pairs = q.choice_pairs() if q.has_choices else [("", "")]
            ranking = q.kind == QuestionKind.RANKING
            for group in GROUPS:
                tally = tallies[q.pk][group]
                for key, label in pairs:
                    n = tally.chosen[key] if key else tally.answered
                    first = tally.first[key] if ranking else None
                    yield p.pk, q.pk, *group, tally.responses, tally.answered, key, label, n, first


def response_rows(proposals: list[Proposal]) -> Iterator[tuple]:
    fields = (
        "pk",
        "publication",
        "respondent_kind",
        "respondent_name",
        "organisation_name",
        "organisation_type",
        "official_view",
        "channel",
        "submitted_at",
        "received_on",
        "version__number",
    )
    for p in proposals:
        pseudonym = Pseudonyms(p.pk, Kind.RESPONSE)
        rows = []
        for row in published_responses(p).values_list(*fields).iterator(chunk_size=CHUNK):
            pk, publication, kind, name, organisation, org_type, official, *rest = row
            channel, submitted_at, received_on, version = rest
            organisation_kind = kind == RespondentKind.ORGANISATION
            rows.append(
                (
                    p.pk,
                    pseudonym(pk),
                    publication,
                    public_name(publication, kind, name, organisation),
                    kind,
                    org_type if organisation_kind else "",
                    official if organisation_kind else None,
                    channel,
                    day_of(submitted_at),
                    received_on,
                    version,
                )
            )
        # In pseudonym order: the order responses arrived in must not show.
        rows.sort(key=lambda row: row[1])
        yield from rows


def _in_pseudonym_order(proposal: Proposal, pseudonym: Pseudonyms) -> list[tuple[str, int]]:
    ids = published_responses(proposal).values_list("pk", flat=True).iterator(chunk_size=CHUNK)
    return sorted((pseudonym(pk), pk) for pk in ids)


def answer_rows(proposals: list[Proposal]) -> Iterator[tuple]:
    """Response by response in pseudonym order, each one's answers in the
    form's order; answers read RESPONSE_CHUNK responses at a time, so that
    one chunk of them is the most held in memory."""
    fields = ("response_id", "question_id", "choices", "number", "text", "hidden_at", "held_at")
    for p in proposals:
        pseudonym = Pseudonyms(p.pk, Kind.RESPONSE)
        order = {pk: n for n, pk in enumerate(questions(p).values_list("pk", flat=True))}
        listed = _in_pseudonym_order(p, pseudonym)
        for start in range(0, len(listed), RESPONSE_CHUNK):
            chunk = listed[start : start + RESPONSE_CHUNK]
            found: dict[int, list[tuple]] = {}
            answers = FormAnswer.objects.filter(response_id__in=[pk for _name, pk in chunk])
            for row in answers.values_list(*fields):
                found.setdefault(row[0], []).append(row)
            for name, pk in chunk:
                given = sorted(
                    found.get(pk, []), key=lambda row: (order.get(row[1], 1 << 30), row[1])
                )
                for _pk, question_id, choices, number, text, hidden_at, held_at in given:
                    withheld = withheld_because(hidden_at, held_at) if text else ""
                    yield (
                        p.pk,
                        name,
                        question_id,
                        list(choices or []),
                        None if number is None else plain(number),
                        "" if withheld else text,
                        withheld,
                    )
