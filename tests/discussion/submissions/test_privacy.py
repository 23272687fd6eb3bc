"""A respondent's form responses in "download my data", and what deleting
the account leaves of them."""

from __future__ import annotations

from consult.privacy.export import collect
from consult.privacy.services import erasure
from discussion.submissions import services
from discussion.submissions.models import FormResponse, Publication

from .test_services import INDIVIDUAL, ORGANISATION, full_answers


def tables(user) -> dict:
    return {table.name: table for table in collect(user)}


def test_my_data_lists_every_response_with_its_answers(make_user, form_consultation, questions):
    citizen = make_user(display_name="Mei Lin")
    services.response_save(
        actor=citizen,
        proposal=form_consultation,
        respondent=ORGANISATION,
        answers=full_answers(questions),
        submit=True,
    )
    found = tables(citizen)
    [row] = found["form_responses"].rows
    assert row["organisation"] == "Parents for Safe Streets"
    assert row["publication"] == Publication.ANONYMOUS and row["submissions"] == 1
    answers = {a["question"]: a["answer"] for a in row["answers"]}
    assert answers["Rank these measures."] == "Crossings; Speed limit; Cameras"
    assert answers["If not, why not?"] == "Buses would be slower."
    assert found["form_documents"].rows == []


def test_deleting_the_account_keeps_the_response_without_the_name(
    make_user, form_consultation, questions
):
    citizen, drafter = make_user(display_name="Mei Lin"), make_user(display_name="Draft Person")
    kept = services.response_save(
        actor=citizen,
        proposal=form_consultation,
        respondent=INDIVIDUAL,
        answers=full_answers(questions),
        submit=True,
    )
    services.response_save(
        actor=drafter, proposal=form_consultation, respondent=INDIVIDUAL, answers={}, submit=False
    )
    assert kept.publication == Publication.NAMED and kept.respondent_name == "Mei Lin"
    erasure.account_delete(actor=None, user=citizen)
    erasure.account_delete(actor=None, user=drafter)
    kept.refresh_from_db()
    assert (kept.respondent_name, kept.publication) == ("", Publication.ANONYMOUS)
    assert kept.answers.count() == len(full_answers(questions))  # it still counts
    assert not FormResponse.objects.filter(respondent=drafter).exists()
