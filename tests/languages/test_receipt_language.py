"""The receipt of a response to the form is in the language the person
answered in: the consultation's title and the questions' prompts and
choices in it where written, the consultation's own where not."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from discussion.submissions import services
from tests.discussion.submissions.conftest import form_consultation, official, questions  # noqa: F401
from tests.discussion.submissions.test_services import ORGANISATION, full_answers

pytestmark = pytest.mark.django_db


def test_the_receipt_reads_in_the_language_the_person_answered_in(
    make_user,
    form_consultation,  # noqa: F811 - the imported fixture
    questions,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    form_consultation.translations = {"zh-hans": {"title": "学校周边更安全的街道"}}
    form_consultation.save(update_fields=["translations"])
    agree = questions["agree"]
    no = agree.choices[1][0]
    agree.translations = {"zh-hans": {"prompt": "您同意限速吗？", "choices": {no: "不同意"}}}
    agree.save(update_fields=["translations"])
    citizen = make_user(display_name="Mei Lin")
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        services.response_save(
            actor=citizen,
            proposal=form_consultation,
            respondent=ORGANISATION,
            answers=full_answers(questions),
            submit=True,
        )
    [message] = mail.outbox
    assert "学校周边更安全的街道" in message.subject
    assert "学校周边更安全的街道" in message.body
    assert "您同意限速吗？" in message.body and "不同意" in message.body
    # Not written in Chinese: the consultation's own words.
    assert "If not, why not?" in message.body
