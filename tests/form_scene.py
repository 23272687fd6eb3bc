"""A consultation's response form answered every way that matters to what
is public: named, anonymous and withheld responses, a draft, a letter
entered by staff, a text answer hidden by a moderator and one held for
review. Built through the services; shared by the open data's and the
API's tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from discussion.models import ModerationPolicy
from discussion.submissions import services
from discussion.submissions.models import FormAnswer, FormResponse
from discussion.submissions.services import Entry, Respondent
from tests.discussion.submissions.conftest import (  # noqa: F401
    form_consultation,
    official,
    questions,
)

NAMED_PERSON = "Zorilla Namedperson"
ORGANISATION = "Zorilla Parents for Safe Streets"
ORGANISATION_PERSON = "Zorilla Orgperson"
ANONYMOUS_ORGANISATION = "Zorilla Anonymous Trust"
ANONYMOUS_PERSON = "Zorilla Anonperson"
WITHHELD_PERSON = "Zorilla Withheldperson"
LETTER_WRITER = "Zorilla Letterwriter"
WITHHELD_WORDS = "Zorilla-withheld-words-7103"
DRAFT_WORDS = "Zorilla-draft-words-7104"
HIDDEN_WORDS = "Zorilla-hidden-answer-7101"
HELD_WORDS = "Zorilla-held-answer-7102"
# Names and words that must never be public.
NEVER_PUBLIC = (
    ORGANISATION_PERSON,
    ANONYMOUS_ORGANISATION,
    ANONYMOUS_PERSON,
    WITHHELD_PERSON,
    WITHHELD_WORDS,
    DRAFT_WORDS,
    HIDDEN_WORDS,
    HELD_WORDS,
)


def answers(q, *, agree: str = "Yes", words: str = "", travel=("On foot",)) -> dict:
    """Answers to the form of `every_kind_of_question`, by the questions' names."""
    keys = {label: key for key, label in q["agree"].choices}
    modes = {label: key for key, label in q["travel"].choices}
    ranks = {label: key for key, label in q["priorities"].choices}
    given = {
        q["agree"].pk: keys[agree],
        q["travel"].pk: [modes[mode] for mode in travel],
        q["safety"].pk: "agree",
        q["priorities"].pk: [ranks["Crossings"], ranks["Speed limit"], ranks["Cameras"]],
        q["children"].pk: "2",
    }
    if agree == "No":
        given[q["why_not"].pk] = "Buses would be slower."
    if words:
        given[q["comments"].pk] = words
    return given


@dataclass
class FormScene:
    proposal: object
    questions: dict
    named: FormResponse
    organisation: FormResponse
    anonymous: FormResponse
    withheld: FormResponse
    draft: FormResponse
    letter: FormResponse
    hidden: FormResponse
    held: FormResponse
    people: list = field(default_factory=list)

    @property
    def published(self) -> list[FormResponse]:
        return [self.named, self.organisation, self.anonymous, self.letter, self.hidden, self.held]

    @property
    def submitted(self) -> list[FormResponse]:
        return [*self.published, self.withheld]


def respond(proposal, q, person, respondent: Respondent, *, submit=True, **given):
    return services.response_save(
        actor=person,
        proposal=proposal,
        respondent=respondent,
        answers=answers(q, **given),
        submit=submit,
    )


def build_form_scene(*, official, proposal, q, make_user) -> FormScene:  # noqa: F811
    def person(name):
        return make_user(display_name=name)

    named = respond(
        proposal,
        q,
        person(NAMED_PERSON),
        Respondent(kind="individual", publication="named"),
        words="Named words.",
    )
    org_person = person(ORGANISATION_PERSON)
    organisation = respond(
        proposal,
        q,
        org_person,
        Respondent(
            kind="organisation",
            organisation_name=ORGANISATION,
            organisation_type="community",
            official_view=True,
            publication="named",
        ),
        agree="No",
        words="Organisation words.",
    )
    anonymous = respond(
        proposal,
        q,
        person(ANONYMOUS_PERSON),
        Respondent(
            kind="organisation",
            organisation_name=ANONYMOUS_ORGANISATION,
            organisation_type="business",
            publication="anonymous",
        ),
        agree="No",
        words="Anonymous words.",
        travel=("By car",),
    )
    withheld = respond(
        proposal,
        q,
        person(WITHHELD_PERSON),
        Respondent(kind="individual", publication="withheld"),
        agree="No",
        words=WITHHELD_WORDS,
    )
    draft = respond(
        proposal,
        q,
        person("Zorilla Draftperson"),
        Respondent(kind="individual", publication="named"),
        submit=False,
        words=DRAFT_WORDS,
    )
    letter = services.response_enter(
        actor=official,
        proposal=proposal,
        entry=Entry(
            channel="post",
            received_on=timezone.localdate() - datetime.timedelta(days=2),
            respondent_name=LETTER_WRITER,
        ),
        respondent=Respondent(kind="individual", publication="named"),
        answers=answers(q, agree="No", words="Letter words."),
    )
    hidden = respond(
        proposal,
        q,
        person("Zorilla Hiddenperson"),
        Respondent(kind="individual", publication="anonymous"),
        words=HIDDEN_WORDS,
    )
    FormAnswer.objects.filter(response=hidden, question=q["comments"]).update(
        hidden_at=timezone.now(), hidden_reason="Off topic", hidden_by=official
    )
    ModerationPolicy.objects.update_or_create(proposal=proposal, defaults={"hold_all": True})
    held = respond(
        proposal,
        q,
        person("Zorilla Heldperson"),
        Respondent(kind="individual", publication="anonymous"),
        words=HELD_WORDS,
    )
    ModerationPolicy.objects.filter(proposal=proposal).update(hold_all=False)
    assert FormAnswer.objects.get(response=held, question=q["comments"]).held_at is not None
    return FormScene(
        proposal, q, named, organisation, anonymous, withheld, draft, letter, hidden, held
    )


@pytest.fixture
def form_scene(official, form_consultation, questions, make_user) -> FormScene:  # noqa: F811
    return build_form_scene(
        official=official, proposal=form_consultation, q=questions, make_user=make_user
    )


def more_responses(scene_or_proposal, q, make_user, count: int) -> None:
    """`count` more submitted responses, half of them withheld."""
    proposal = getattr(scene_or_proposal, "proposal", scene_or_proposal)
    for n in range(count):
        publication = "withheld" if n % 2 else "anonymous"
        respond(
            proposal,
            q,
            make_user(display_name=f"Respondent {n}"),
            Respondent(kind="individual", publication=publication),
            words=f"Words {n}.",
        )
