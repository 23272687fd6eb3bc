"""The response form as a page sends it and shows it again.

`read_typed` keeps what a person sent exactly as typed (so that a refused
form comes back as it was); `raw_answers` turns it into what the services
check ({question id: raw value}), a ranking's places into the ordered list
of choices. `question_groups` shapes the questions for the template
(templates/discussion/submissions/_questions.html) with what was typed and
each question's message. The respondent's form and the staff entry page
share all of it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consult.infra.translations import text_in
from discussion.submissions.answers import field_name, plain
from discussion.submissions.models import FormResponse
from discussion.submissions.services import Entry, Respondent
from proposals.questionnaire.models import FormQuestion, QuestionKind

RANK_PLACE_INVALID = gettext_lazy("Choose a place from the list for each answer you rank.")
RANK_SAME_PLACE = gettext_lazy(
    "Give each answer a place of its own: “%(first)s” and “%(second)s” are both number %(place)s."
)
DATE_INVALID = gettext_lazy("Enter the date received as a date, such as 2026-12-01.")
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE)
SAFE_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")  # a choice key as a CSS id
NAME_LIMIT = 1000  # longer than any field takes: the services say what is too long


@dataclass
class Typed:
    """What the person sent (or what their saved response says), as text."""

    respondent_kind: str = ""
    organisation_name: str = ""
    organisation_type: str = ""
    official_view: bool = False
    publication: str = ""
    # Per question: the choices ticked, or the one number or text typed.
    values: dict[int, list[str]] = field(default_factory=dict)
    # Per ranking question: the place typed for each choice ("" = not ranked).
    ranks: dict[int, dict[str, str]] = field(default_factory=dict)
    channel: str = ""
    received_on: str = ""
    respondent_name: str = ""

    def respondent(self) -> Respondent:
        return Respondent(
            kind=self.respondent_kind,
            organisation_name=self.organisation_name,
            organisation_type=self.organisation_type,
            official_view=self.official_view,
            publication=self.publication,
        )

    def entry(self) -> tuple[Entry, dict[str, list[str]]]:
        """The entry, and the date's message when it is not a date."""
        errors: dict[str, list[str]] = {}
        received = None
        if self.received_on.strip():
            try:
                received = datetime.date.fromisoformat(self.received_on.strip())
            except ValueError:
                errors["received_on"] = [str(DATE_INVALID)]
        entry = Entry(
            channel=self.channel, received_on=received, respondent_name=self.respondent_name
        )
        return entry, errors


def rank_field(question: FormQuestion, key: str) -> str:
    return f"{field_name(question)}-rank-{key}"


def read_typed(data: QueryDict, questions: list[FormQuestion]) -> Typed:
    typed = Typed(
        respondent_kind=data.get("respondent_kind", ""),
        organisation_name=data.get("organisation_name", "")[:NAME_LIMIT],
        organisation_type=data.get("organisation_type", ""),
        official_view=data.get("official_view") == "1",
        publication=data.get("publication", ""),
        channel=data.get("channel", ""),
        received_on=data.get("received_on", "")[:20],
        respondent_name=data.get("respondent_name", "")[:NAME_LIMIT],
    )
    for question in questions:
        if question.kind == QuestionKind.RANKING:
            typed.ranks[question.pk] = {
                key: data.get(rank_field(question, key), "")[:5] for key in question.choice_keys()
            }
        else:
            typed.values[question.pk] = data.getlist(field_name(question))
    return typed


def typed_from(response: FormResponse | None) -> Typed:
    """What a saved response says, to fill the form again. Its answers must
    be loaded with their questions."""
    if response is None:
        return Typed(respondent_kind="individual")
    typed = Typed(
        respondent_kind=response.respondent_kind,
        organisation_name=response.organisation_name,
        organisation_type=response.organisation_type,
        official_view=response.official_view,
        publication=response.publication,
    )
    for answer in response.answers.all():
        kind = answer.question.kind
        if kind == QuestionKind.RANKING:
            typed.ranks[answer.question_id] = {
                key: str(place) for place, key in enumerate(answer.choices, start=1)
            }
        elif kind == QuestionKind.NUMBER:
            typed.values[answer.question_id] = (
                [] if answer.number is None else [plain(answer.number)]
            )
        elif kind == QuestionKind.TEXT:
            typed.values[answer.question_id] = [answer.text]
        else:
            typed.values[answer.question_id] = list(answer.choices)
    return typed


def _ranking(question: FormQuestion, places: dict[str, str]) -> list[str]:
    """The choices in the order of their places; refused when a place is not
    on the list or two choices share one."""
    count = len(question.choice_keys())
    by_place: dict[int, str] = {}
    for key in question.choice_keys():
        place = places.get(key, "").strip()
        if not place:
            continue
        if not (place.isascii() and place.isdigit() and 1 <= int(place) <= count):
            raise ValueError(str(RANK_PLACE_INVALID))
        if int(place) in by_place:
            raise ValueError(
                str(RANK_SAME_PLACE)
                % {
                    "first": question.label_of(by_place[int(place)]),
                    "second": question.label_of(key),
                    "place": int(place),
                }
            )
        by_place[int(place)] = key
    return [by_place[place] for place in sorted(by_place)]


def raw_answers(
    typed: Typed, questions: list[FormQuestion]
) -> tuple[dict[int, object], dict[str, list[str]]]:
    """The answers as the services take them, and the messages of what the
    page itself cannot turn into an answer (a ranking's places)."""
    raw: dict[int, object] = {}
    errors: dict[str, list[str]] = {}
    for question in questions:
        if question.kind == QuestionKind.RANKING:
            try:
                raw[question.pk] = _ranking(question, typed.ranks.get(question.pk, {}))
            except ValueError as error:
                errors[field_name(question)] = [str(error)]
        elif question.kind in CHOICE_KINDS:
            raw[question.pk] = typed.values.get(question.pk, [])
        else:
            values = typed.values.get(question.pk, [])
            raw[question.pk] = values[0] if len(values) == 1 else values
    return raw, errors


@dataclass
class ChoiceView:
    key: str
    label: str
    id: str
    checked: bool = False
    place: str = ""


@dataclass
class QuestionView:
    """One question as the page shows it, with what was typed and its message."""

    question: FormQuestion
    number: int
    name: str
    choices: list[ChoiceView]
    value: str = ""
    errors: list[str] = field(default_factory=list)
    hint: str = ""
    lead: str = ""

    @property
    def first_id(self) -> str:
        """Where the error summary's link takes the person."""
        return self.choices[0].id if self.choices else self.name

    @property
    def described_by(self) -> str:
        ids = [
            f"{self.name}-{part}"
            for part, present in (
                ("lead", self.lead),
                ("help", self.question.help_text),
                ("hint", self.hint),
                ("error", self.errors),
            )
            if present
        ]
        return " ".join(ids)

    @property
    def places(self) -> range:
        return range(1, len(self.choices) + 1)


@dataclass
class Group:
    heading: str
    questions: list[QuestionView]


def _hint(question: FormQuestion) -> str:
    if question.kind == QuestionKind.TEXT and question.text_limit:
        return _("Up to %(limit)d characters.") % {"limit": question.text_limit}
    if question.kind != QuestionKind.NUMBER:
        return ""
    low, high = question.min_value, question.max_value
    if low is not None and high is not None:
        return _("A number from %(low)s to %(high)s.") % {"low": plain(low), "high": plain(high)}
    if low is not None:
        return _("A number of at least %(low)s.") % {"low": plain(low)}
    if high is not None:
        return _("A number of at most %(high)s.") % {"high": plain(high)}
    return _("A number, such as 12 or 3.5.")


def _lead(question: FormQuestion, numbers: dict[int, int], by_id: dict[int, FormQuestion]) -> str:
    earlier = by_id.get(question.shown_if_id)
    if earlier is None:
        return ""
    labels = [f"“{earlier.label_of(key)}”" for key in question.shown_if_choices]
    return _("Answer this if you answered %(answers)s to question %(number)s.") % {
        "answers": _(" or ").join(labels),
        "number": numbers[earlier.pk],
    }


def _choices(question: FormQuestion, typed: Typed) -> list[ChoiceView]:
    name = field_name(question)
    if question.kind == QuestionKind.RANKING:
        places = typed.ranks.get(question.pk, {})
        return [
            ChoiceView(key, label, rank_field(question, key), place=places.get(key, ""))
            for key, label in question.choice_pairs()
        ]
    ticked = set(typed.values.get(question.pk, []))
    return [
        ChoiceView(key, label, f"{name}-{key}", checked=key in ticked)
        for key, label in question.choice_pairs()
    ]


def ordered(questions: list[FormQuestion]) -> list[FormQuestion]:
    """The whole draft's questions first, then each section's, in the
    sections' order (the questions must be loaded with their section)."""
    return sorted(
        questions,
        key=lambda q: (
            q.section_id is not None,
            (q.section.order, q.section_id) if q.section_id else (0, 0),
            q.order,
            q.pk,
        ),
    )


def question_groups(
    questions: list[FormQuestion], typed: Typed, errors: dict[str, list[str]]
) -> list[Group]:
    """The questions in the page's order, grouped by where they belong."""
    questions = ordered(questions)
    numbers = {q.pk: n for n, q in enumerate(questions, start=1)}
    by_id = {q.pk: q for q in questions}
    groups: list[Group] = []
    for question in questions:
        heading = text_in(question.section, "heading") if question.section_id else ""
        if not groups or groups[-1].heading != heading:
            groups.append(Group(heading, []))
        name = field_name(question)
        values = typed.values.get(question.pk, [])
        groups[-1].questions.append(
            QuestionView(
                question=question,
                number=numbers[question.pk],
                name=name,
                choices=_choices(question, typed) if question.has_choices else [],
                value=values[0] if values and not question.has_choices else "",
                errors=errors.get(name, []),
                hint=_hint(question),
                lead=_lead(question, numbers, by_id),
            )
        )
    return groups


def condition_rules(questions: list[FormQuestion]) -> list[str]:
    """CSS that hides each conditional question until its condition holds:
    no JavaScript, and a browser without `:has()` shows every question."""
    by_id = {q.pk: q for q in questions}
    rules = []
    for question in questions:
        earlier = by_id.get(question.shown_if_id)
        if earlier is None or earlier.kind not in CHOICE_KINDS:
            continue
        keys = [
            key
            for key in question.shown_if_choices
            if key in earlier.choice_keys() and SAFE_KEY.fullmatch(key)
        ]
        checked = ", ".join(f"#{field_name(earlier)}-{key}:checked" for key in keys)
        hidden = f"#{field_name(question)}-field"
        rules.append(
            f".response-form:not(:has({checked})) {hidden} {{ display: none; }}"
            if checked
            else f"{hidden} {{ display: none; }}"
        )
    return rules


# Where the error summary's link for each field of the form's other parts goes.
ANCHORS = {
    "channel": "channel-post",
    "received_on": "received_on",
    "respondent_name": "respondent_name",
    "respondent_kind": "respondent_kind-individual",
    "organisation_name": "organisation_name",
    "organisation_type": "organisation_type",
    "publication": "publication-named",
}


def error_summary(errors: dict[str, list[str]], groups: list[Group]) -> list[tuple[str, str]]:
    """(link, message) in the page's order, GOV.UK's pattern; a message of
    the form as a whole has no link."""
    summary = [("", message) for message in errors.get("__all__", [])]
    summary += [
        (f"#{anchor}", message)
        for key, anchor in ANCHORS.items()
        for message in errors.get(key, [])
    ]
    for group in groups:
        for view in group.questions:
            summary += [
                (
                    f"#{view.first_id}",
                    _("Question %(number)d: %(message)s")
                    % {
                        "number": view.number,
                        "message": message,
                    },
                )
                for message in view.errors
            ]
    for key in ("documents", "scans"):
        summary += [(f"#{key}", message) for message in errors.get(key, [])]
    known = {*ANCHORS, "documents", "scans", "__all__"}
    known |= {view.name for group in groups for view in group.questions}
    summary += [("", m) for key, messages in errors.items() if key not in known for m in messages]
    return summary
