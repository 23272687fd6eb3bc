"""The demo response form of "Safer streets near schools": its questions, and
responses from the website and from a posted letter, through the same
services officials, citizens and data entry clerks use."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from consult.accounts.models import User
from consult.demo.languages import form_question_in_chinese
from discussion.submissions.services import Entry, Respondent, response_enter, response_save
from proposals.models import Proposal
from proposals.questionnaire.services import QuestionInput, question_add

AGREE = "Do you agree with a 20 km/h limit on the streets around every school?"
WHY_NOT = "If not, why not?"


def seed_form_questions(proposal: Proposal, official: User, sections: list) -> None:
    """Before the first version: the questions are part of it."""
    agree = question_add(
        actor=official,
        proposal=proposal,
        data=QuestionInput(
            kind="single", prompt=AGREE, choices=["Yes", "No", "Don't know"], required=True
        ),
    )
    form_question_in_chinese(agree)
    no = agree.choices[1][0]
    questions = [
        QuestionInput(
            kind="text",
            prompt=WHY_NOT,
            text_limit=1000,
            shown_if_id=agree.pk,
            shown_if_choices=[no],
        ),
        QuestionInput(
            kind="multiple",
            prompt="How does your household travel to school?",
            choices=["On foot", "By bike or scooter", "By car", "By bus"],
        ),
        QuestionInput(
            kind="scale",
            prompt="School streets should be closed to through traffic at drop-off and pick-up.",
            section_id=sections[1].pk if len(sections) > 1 else None,
        ),
        QuestionInput(
            kind="ranking",
            prompt="Rank these measures from most to least important.",
            choices=["Safe crossings", "Speed cameras", "Wider pavements"],
        ),
        QuestionInput(
            kind="number",
            prompt="How many children in your household walk or cycle to school?",
            min_value="0",
            max_value="15",
        ),
        QuestionInput(
            kind="text",
            prompt="Is there anything else you would like to tell us?",
            help_text="Please do not include personal details about other people.",
            text_limit=3000,
        ),
    ]
    for data in questions:
        question_add(actor=official, proposal=proposal, data=data)


def _answers(proposal: Proposal, picks: dict[str, object]) -> dict:
    """{prompt start: value with labels} -> {question id: value with keys}."""
    answers = {}
    for question in proposal.form_questions.order_by("order"):
        for start, value in picks.items():
            if question.prompt.startswith(start):
                keys = {label: key for key, label in question.choice_pairs()}
                if isinstance(value, list):
                    answers[question.pk] = [keys.get(v, v) for v in value]
                else:
                    answers[question.pk] = keys.get(value, value)
    return answers


def seed_form_responses(proposal: Proposal, citizens: list[User], clerk: User) -> None:
    response_save(
        actor=citizens[0],
        proposal=proposal,
        respondent=Respondent(kind="individual", publication="named"),
        answers=_answers(
            proposal,
            {
                "Do you agree": "Yes",
                "How does your household": ["On foot", "By bus"],
                "School streets should": "Strongly agree",
                "Rank these": ["Safe crossings", "Wider pavements", "Speed cameras"],
                "How many children": "2",
            },
        ),
        submit=True,
    )
    response_save(
        actor=citizens[1],
        proposal=proposal,
        respondent=Respondent(
            kind="organisation",
            organisation_name="Riverton Parents' Association",
            organisation_type="community",
            official_view=True,
            publication="anonymous",
        ),
        answers=_answers(
            proposal,
            {
                "Do you agree": "No",
                "If not": "Calmer streets, yes; but the limit should apply at school times only.",
                "School streets should": "Agree",
                "Is there anything else": "我们希望在学校附近增加安全的人行横道。",
            },
        ),
        submit=True,
    )
    response_enter(
        actor=clerk,
        proposal=proposal,
        entry=Entry(
            channel="post",
            received_on=timezone.localdate() - timedelta(days=3),
            respondent_name="M. Okafor",
        ),
        respondent=Respondent(kind="individual", publication="withheld"),
        answers=_answers(
            proposal,
            {
                "Do you agree": "No",
                "If not": "The bus I take to work would be slower.",
                "Is there anything else": "Written by hand and posted to the council.",
            },
        ),
    )
