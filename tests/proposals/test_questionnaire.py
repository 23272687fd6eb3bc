"""Officials build the response form: checked questions, conditions, the
version that publishes them, and the freeze once they are answered."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consult.accounts.audit import AuditEntry
from proposals.questionnaire.models import FormQuestion
from proposals.questionnaire.services import (
    QuestionInput,
    question_add,
    question_move,
    question_remove,
    question_update,
)
from proposals.services import versions

YES_NO = QuestionInput(kind="single", prompt="Do you agree?", choices=["Yes", "No"])


def test_a_question_is_added_checked_and_audited(draft, people):
    question = question_add(
        actor=people.official,
        proposal=draft,
        data=QuestionInput(
            kind="multiple", prompt="  How do you travel?  ", choices=["Walk", "", "Bike"]
        ),
    )
    assert question.prompt == "How do you travel?"
    assert question.choices == [["c1", "Walk"], ["c2", "Bike"]]
    assert question.published_in is None
    assert AuditEntry.objects.filter(action="proposal.form_question_added").count() == 1


@pytest.mark.parametrize(
    "data, field",
    [
        (QuestionInput(kind="poll", prompt="?"), "kind"),
        (QuestionInput(kind="single", prompt="   ", choices=["a", "b"]), "prompt"),
        (QuestionInput(kind="single", prompt="?", choices=["only one"]), "choices"),
        (QuestionInput(kind="single", prompt="?", choices=["same", "same"]), "choices"),
        (QuestionInput(kind="single", prompt="?", choices=[str(n) for n in range(21)]), "choices"),
        (QuestionInput(kind="text", prompt="?", text_limit=0), "text_limit"),
        (QuestionInput(kind="text", prompt="?", text_limit=50_000), "text_limit"),
        (QuestionInput(kind="number", prompt="?", min_value="10", max_value="1"), "max_value"),
        (QuestionInput(kind="number", prompt="?", min_value="ten"), "min_value"),
        (QuestionInput(kind="text", prompt="x" * 501), "prompt"),
    ],
)
def test_a_bad_question_is_refused_with_its_field(draft, people, data, field):
    with pytest.raises(ValidationError) as refused:
        question_add(actor=people.official, proposal=draft, data=data)
    assert field in refused.value.message_dict
    assert not FormQuestion.objects.exists()


def test_a_condition_looks_back_at_a_choice_question(draft, people):
    first = question_add(actor=people.official, proposal=draft, data=YES_NO)
    free = question_add(
        actor=people.official, proposal=draft, data=QuestionInput(kind="text", prompt="Why?")
    )
    shown = question_add(
        actor=people.official,
        proposal=draft,
        data=QuestionInput(
            kind="text", prompt="If not, why not?", shown_if_id=first.pk, shown_if_choices=["c2"]
        ),
    )
    assert (shown.shown_if, shown.shown_if_choices) == (first, ["c2"])
    for bad, field in [
        (
            QuestionInput(kind="text", prompt="?", shown_if_id=free.pk, shown_if_choices=["c1"]),
            "shown_if",
        ),
        (
            QuestionInput(kind="text", prompt="?", shown_if_id=first.pk, shown_if_choices=["c9"]),
            "shown_if_choices",
        ),
        (QuestionInput(kind="text", prompt="?", shown_if_id=first.pk), "shown_if_choices"),
    ]:
        with pytest.raises(ValidationError) as refused:
            question_add(actor=people.official, proposal=draft, data=bad)
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError, match="depends on"):
        question_remove(actor=people.official, question=first)
    with pytest.raises(ValidationError, match="depends on"):
        question_move(actor=people.official, question=shown, direction="up")
        question_move(actor=people.official, question=shown, direction="up")


def test_choices_keep_their_keys_when_relabelled_around(draft, people):
    question = question_add(actor=people.official, proposal=draft, data=YES_NO)
    changed = question_update(
        actor=people.official,
        question=question,
        data=QuestionInput(kind="single", prompt="Do you agree?", choices=["No", "Maybe", "Yes"]),
    )
    assert changed.choices == [["c2", "No"], ["c3", "Maybe"], ["c1", "Yes"]]


def test_questions_are_published_with_the_next_version(published, people):
    question = question_add(actor=people.official, proposal=published, data=YES_NO)
    # Only a new question changed: that is a change worth a version.
    version = versions.version_publish(
        actor=people.official, proposal=published, change_note="A form."
    )
    question.refresh_from_db()
    assert question.published_in == version
    with pytest.raises(ValidationError, match="Nothing has changed"):
        versions.version_publish(actor=people.official, proposal=published, change_note="Again.")


def test_only_the_departments_officials_build_the_form(draft, people):
    for outsider in (people.citizen, people.moderator):
        with pytest.raises(PermissionDenied):
            question_add(actor=outsider, proposal=draft, data=YES_NO)
    assert not FormQuestion.objects.exists()


def test_a_frozen_question_keeps_its_words_but_not_its_help(published, people):
    question = question_add(actor=people.official, proposal=published, data=YES_NO)
    versions.version_publish(actor=people.official, proposal=published, change_note="A form.")
    FormQuestion.objects.filter(pk=question.pk).update(frozen_at="2026-12-01T00:00:00Z")
    question.refresh_from_db()
    helped = QuestionInput(
        kind="single", prompt="Do you agree?", choices=["Yes", "No"], help_text="Pick one."
    )
    assert (
        question_update(actor=people.official, question=question, data=helped).help_text
        == "Pick one."
    )
    with pytest.raises(ValidationError, match="already answered"):
        question_update(
            actor=people.official,
            question=question,
            data=QuestionInput(kind="single", prompt="Do you really agree?", choices=["Yes", "No"]),
        )
    with pytest.raises(ValidationError, match="cannot be removed"):
        question_remove(actor=people.official, question=question)


def test_a_question_others_depend_on_keeps_the_answers_they_need(draft, people):
    first = question_add(
        actor=people.official,
        proposal=draft,
        data=QuestionInput(kind="single", prompt="Do you agree?", choices=["Yes", "No", "Maybe"]),
    )
    question_add(
        actor=people.official,
        proposal=draft,
        data=QuestionInput(
            kind="text", prompt="Why not?", shown_if_id=first.pk, shown_if_choices=["c2"]
        ),
    )
    for change in (
        QuestionInput(kind="text", prompt="Do you agree?"),
        QuestionInput(kind="ranking", prompt="Do you agree?", choices=["Yes", "No", "Maybe"]),
        QuestionInput(kind="single", prompt="Do you agree?", choices=["Yes", "Maybe"]),
    ):
        with pytest.raises(ValidationError, match="depends on"):
            question_update(actor=people.official, question=first, data=change)
    kept = QuestionInput(kind="multiple", prompt="Which apply?", choices=["Yes", "No"])
    assert question_update(actor=people.official, question=first, data=kept).choices == [
        ["c1", "Yes"],
        ["c2", "No"],
    ]


def test_a_bad_largest_number_is_reported_on_its_own_field(draft, people):
    with pytest.raises(ValidationError) as refused:
        question_add(
            actor=people.official,
            proposal=draft,
            data=QuestionInput(kind="number", prompt="How many?", min_value="1", max_value="many"),
        )
    assert list(refused.value.message_dict) == ["max_value"]
