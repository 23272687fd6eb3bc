"""The summary of a consultation with a response form: each question's
counts, the organisations, letters entered by staff counted under their
channel (and as a campaign when identical), words never quoted where their
authors or moderators said no, and the officials' list of the responses
behind a figure, its queries pinned."""

# The fixtures imported from the form's tests are redefined as arguments.
# ruff: noqa: F811

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from consult.accounts.models import Role
from consult.reports.report.snapshots import public_summary
from consult.reports.summary.loader import load_form
from discussion.submissions import services
from discussion.submissions.models import (
    FormAnswer,
    FormResponse,
    Publication,
    ResponseStatus,
)
from discussion.submissions.services import Entry, Respondent
from tests.discussion.submissions.conftest import (  # noqa: F401 - fixtures used below
    form_consultation,
    official,
    questions,
)
from tests.discussion.submissions.test_services import full_answers
from tests.reports.helpers import run_summary

pytestmark = pytest.mark.django_db

ORGANISATION = Respondent(
    kind="organisation",
    organisation_name="Parents for Safe Streets",
    organisation_type="community",
    official_view=True,
    publication=Publication.ANONYMOUS,
)
NAMED = Respondent(kind="individual", publication=Publication.NAMED)
WITHHELD = Respondent(kind="individual", publication=Publication.WITHHELD)
LETTER = Entry(channel="post", received_on=datetime.date(2026, 12, 1), respondent_name="A. Writer")
CAMPAIGN_LETTER = (
    "We the undersigned parents of Hill Street primary school ask the council to fund a "
    "crossing patrol at the school gates every morning and afternoon of the school year."
)


@pytest.fixture
def clerk(make_user, grant, tree):
    return grant(make_user(display_name="Clerk"), tree.ministry, Role.CLERK)


def submit(make_user, proposal, respondent, answers):
    return services.response_save(
        actor=make_user(), proposal=proposal, respondent=respondent, answers=answers, submit=True
    )


@pytest.fixture
def answered(make_user, clerk, form_consultation, questions):
    """An organisation (web, "No", anonymous), a person (web, "Yes", named),
    a letter (post, "No", named) and a draft that never counts."""
    submit(make_user, form_consultation, ORGANISATION, full_answers(questions))
    yes = full_answers(questions, agree="Yes")
    del yes[questions["why_not"].pk]
    submit(make_user, form_consultation, NAMED, yes)
    letter = full_answers(questions)
    del letter[questions["safety"].pk]
    services.response_enter(
        actor=clerk, proposal=form_consultation, entry=LETTER, respondent=NAMED, answers=letter
    )
    services.response_save(
        actor=make_user(),
        proposal=form_consultation,
        respondent=NAMED,
        answers=full_answers(questions, agree="Yes"),
        submit=False,
    )
    return form_consultation


def summary_of(proposal, official, capture):
    run = run_summary(proposal, official, capture)
    assert run.state == "done", run.error
    return run.result


def test_the_summary_counts_each_question_by_kind_and_channel(
    answered,
    official,
    questions,
    django_capture_on_commit_callbacks,
):
    result = summary_of(answered, official, django_capture_on_commit_callbacks)
    form = result["form"]
    assert form["responses"] == 3  # the draft does not count
    assert form["by_kind"] == {"individual": 2, "organisation": 1}
    assert form["by_channel"] == {"web": 2, "post": 1, "email": 0, "phone": 0, "meeting": 0}
    by_id = {q["id"]: q for q in form["questions"]}
    agree = by_id[questions["agree"].pk]
    yes, no, _dont_know = agree["choices"]
    assert (yes["count"], no["count"], no["share"]) == (1, 2, 0.6667)
    assert no["by_channel"]["post"] == 1 and no["by_kind"]["organisation"] == 1
    safety = by_id[questions["safety"].pk]
    assert (safety["answered"], safety["skipped"]) == (2, 1)  # the letter did not say
    assert safety["choices"][3]["key"] == "disagree" and safety["choices"][3]["count"] == 2
    travel = by_id[questions["travel"].pk]
    assert travel["shares_sum_over_100"] and [c["share"] for c in travel["choices"]] == [
        1.0, 0.0, 0.0, 1.0
    ]  # fmt: skip
    ranking = by_id[questions["priorities"].pk]["ranking"]
    assert ranking[0]["label"] == "Crossings" and ranking[0]["score"] == 3.0
    assert by_id[questions["children"].pk]["number"]["mean"] == 2.0
    assert by_id[questions["why_not"].pk]["text"] == {"answered": 2, "hidden": 0, "held": 0}
    (organisation,) = form["organisations"]
    # Officials see who responded; the report's public snapshot does not name it.
    assert organisation["name"] == "Parents for Safe Streets"
    assert organisation["official_view"] is True
    assert (organisation["type"], organisation["publication"]) == ("community", "anonymous")
    public = public_summary(result)["form"]
    assert public["organisations"] == [] and public["organisations_unnamed"] == 1
    assert form["documents"] == {"attached": 0, "read": 0, "failed": 0, "pending": 0}


def test_a_consultation_without_a_form_has_no_form_figures(
    open_proposal, people, crowd, django_capture_on_commit_callbacks
):
    result = summary_of(open_proposal, people.official, django_capture_on_commit_callbacks)
    assert "form" not in result
    assert (
        result["campaigns"]["groups"] == []
        or "response_ids" not in result["campaigns"]["groups"][0]
    )


def test_thirty_identical_letters_are_a_campaign_by_post(
    client,
    make_user,
    clerk,
    form_consultation,
    questions,
    official,
    django_capture_on_commit_callbacks,
):
    for _ in range(30):
        services.response_enter(
            actor=clerk,
            proposal=form_consultation,
            entry=LETTER,
            respondent=NAMED,
            answers={questions["comments"].pk: CAMPAIGN_LETTER},
        )
    submit(
        make_user,
        form_consultation,
        NAMED,
        {
            questions["agree"].pk: questions["agree"].choices[0][0],
            questions[
                "comments"
            ].pk: "A different thought about buses and their timetables near schools.",
        },
    )
    result = summary_of(form_consultation, official, django_capture_on_commit_callbacks)
    (campaign,) = result["campaigns"]["groups"]
    assert campaign["size"] == 30 and campaign["responses"] == 30
    assert campaign["comment_ids"] == [] and campaign["representative"] is None
    assert campaign["by_channel"] == {"web": 0, "post": 30, "email": 0, "phone": 0, "meeting": 0}
    quoted = result["form"]["excerpts"][str(campaign["representative_response"])]
    client.force_login(official)
    listed = client.get(url(form_consultation, campaign=campaign["id"], channel="post"))
    assert "30 submitted responses are behind this figure." in listed.content.decode()
    assert quoted == {"excerpt": CAMPAIGN_LETTER, "channel": "post"}
    assert result["campaigns"]["unique_comments"] == 2  # the campaign once, the other response


def test_withheld_and_hidden_words_are_never_quoted(
    make_user,
    clerk,
    form_consultation,
    questions,
    official,
    django_capture_on_commit_callbacks,
):
    secret = "Withheld words about the crossing patrol at the school gates every single morning."
    for _ in range(3):
        services.response_enter(
            actor=clerk,
            proposal=form_consultation,
            entry=LETTER,
            respondent=WITHHELD,
            answers={questions["comments"].pk: secret},
        )
    result = summary_of(form_consultation, official, django_capture_on_commit_callbacks)
    (campaign,) = result["campaigns"]["groups"]
    assert campaign["responses"] == 3 and campaign["representative_response"] is None
    assert "Withheld words" not in json.dumps(result)


# --- the officials' list of the responses behind a figure -------------------------------


def url(proposal, **query):
    base = reverse("reports:form-responses", args=[proposal.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_officials_read_the_responses_behind_a_choice(client, answered, official, questions):
    no = questions["agree"].choices[1][0]
    client.force_login(official)
    page = client.get(url(answered, question=questions["agree"].pk, choice=no)).content.decode()
    assert "2 submitted responses are behind this figure." in page
    assert (
        "Parents for Safe Streets" in page
        and "Entered by staff from a letter received 1 Dec 2026" in page
    )
    assert "Publish my response anonymously" in page
    by_post = client.get(url(answered, question=questions["agree"].pk, choice=no, channel="post"))
    assert "1 submitted response is behind this figure." in by_post.content.decode()
    organisations = client.get(url(answered, kind="organisation")).content.decode()
    assert "1 submitted response is behind" in organisations
    # The list can be narrowed again without JavaScript, keeping its figure.
    assert '<option value="organisation" selected>' in organisations
    assert f'name="question" value="{questions["agree"].pk}"' in page


@pytest.mark.parametrize(
    "query",
    [
        {"question": "999999"},
        {"question": "x"},
        {"kind": "robot"},
        {"channel": "fax"},
        {"campaign": "7"},
    ],
)
def test_a_figure_that_is_not_there_is_not_found(client, answered, official, query):
    client.force_login(official)
    assert client.get(url(answered, **query)).status_code == 404


def test_a_choice_not_on_the_question_is_not_found(client, answered, official, questions):
    client.force_login(official)
    assert (
        client.get(url(answered, question=questions["agree"].pk, choice="c99")).status_code == 404
    )


def test_only_officials_of_the_department_read_responses(
    client, make_user, grant, tree, answered, clerk
):
    client.force_login(grant(make_user(), tree.other_ministry, Role.OFFICIAL))
    assert client.get(url(answered)).status_code in (403, 404)
    client.force_login(clerk)
    assert client.get(url(answered)).status_code in (403, 404)
    client.logout()
    assert client.get(url(answered)).status_code == 302


# --- queries do not grow with responses ---------------------------------------------------


def bulk_responses(proposal, questions, count: int) -> None:
    """`count` submitted responses answering every question, in bulk (for size only)."""
    now = timezone.now()
    made = FormResponse.objects.bulk_create(
        FormResponse(
            proposal=proposal,
            respondent_name=f"Writer {i}",
            respondent_kind="organisation" if i % 4 == 0 else "individual",
            organisation_name=f"Group {i}" if i % 4 == 0 else "",
            organisation_type="community" if i % 4 == 0 else "",
            publication=Publication.NAMED,
            channel="post" if i % 2 else "web",
            status=ResponseStatus.SUBMITTED,
            submitted_at=now,
        )
        for i in range(count)
    )
    q = questions
    FormAnswer.objects.bulk_create(
        answer
        for response in made
        for answer in (
            FormAnswer(response=response, question=q["agree"], choices=[q["agree"].choices[0][0]]),
            FormAnswer(response=response, question=q["travel"], choices=["c1", "c2"]),
            FormAnswer(response=response, question=q["safety"], choices=["agree"]),
            FormAnswer(response=response, question=q["priorities"], choices=["c2", "c1", "c3"]),
            FormAnswer(response=response, question=q["children"], number=Decimal("3")),
            FormAnswer(response=response, question=q["comments"], text=f"Words {response.pk}"),
        )
    )


@pytest.mark.parametrize("count", [20, 200])
def test_the_form_loads_in_the_same_queries_at_any_size(
    form_consultation,
    questions,
    count,
    django_assert_num_queries,
):
    bulk_responses(form_consultation, questions, count)
    with django_assert_num_queries(4):
        form = load_form(form_consultation)
    assert form.response_id.size == count and len(form.text) == count


@pytest.mark.parametrize("count", [20, 200])
def test_the_responses_page_takes_the_same_queries_at_any_size(
    client,
    form_consultation,
    questions,
    official,
    count,
    django_assert_num_queries,
):
    bulk_responses(form_consultation, questions, count)
    client.force_login(official)
    choice = questions["agree"].choices[0][0]
    with django_assert_num_queries(12):
        page = client.get(url(form_consultation, question=questions["agree"].pk, choice=choice))
    assert page.status_code == 200
    assert f"{count} submitted responses are behind this figure." in page.content.decode()


def test_the_summary_page_and_exports_take_a_campaign_of_letters(
    client, clerk, form_consultation, questions, official, django_capture_on_commit_callbacks
):
    from consult.reports.rendering import exports
    from consult.reports.rendering.figures import report_figure

    for _ in range(3):
        services.response_enter(
            actor=clerk,
            proposal=form_consultation,
            entry=LETTER,
            respondent=NAMED,
            answers={questions["comments"].pk: CAMPAIGN_LETTER},
        )
    result = summary_of(form_consultation, official, django_capture_on_commit_callbacks)
    snapshot = {"summary": result, "entries": []}
    assert b"campaign" in exports.report_csv(snapshot)
    assert report_figure("campaigns", snapshot)
    client.force_login(official)
    page = client.get(reverse("reports:summary", args=[form_consultation.slug]))
    assert page.status_code == 200
    shown = page.content.decode()
    assert CAMPAIGN_LETTER[:60] in shown and "Comment None" not in shown


def test_documents_text_counts_and_hidden_words_are_not_quotable(
    clerk, form_consultation, questions
):
    from discussion.submissions.models import ResponseDocument

    made = [
        services.response_enter(
            actor=clerk,
            proposal=form_consultation,
            entry=LETTER,
            respondent=respondent,
            answers={questions["comments"].pk: f"Typed words {i}."},
        )
        for i, respondent in enumerate([NAMED, NAMED, WITHHELD])
    ]
    for response, state, text in zip(
        made, ["done", "pending", "done"], [CAMPAIGN_LETTER, "", "Withheld scan."], strict=True
    ):
        ResponseDocument.objects.create(
            response=response,
            proposal=form_consultation,
            file="responses/x.pdf",
            original_name="letter.pdf",
            content_type="application/pdf",
            extension=".pdf",
            size=10,
            sha256="0" * 64,
            is_scan=True,
            extraction=state,
            extracted_text=text,
        )
    FormAnswer.objects.filter(response=made[1]).update(hidden_at=timezone.now())
    form = load_form(form_consultation)
    assert form.documents == {"attached": 3, "read": 2, "failed": 0, "pending": 1}
    texts = dict(zip(form.text_response.tolist(), form.text, strict=True))
    public = dict(zip(form.text_response.tolist(), form.public_text, strict=True))
    # Answers first, then the documents' text: all of it counts ...
    assert texts[made[0].pk] == "Typed words 0.\n\n" + CAMPAIGN_LETTER
    assert texts[made[1].pk] == "Typed words 1." and texts[made[2].pk].endswith("Withheld scan.")
    # ... but only what may be published is quotable.
    assert public[made[0].pk] == texts[made[0].pk]
    assert public[made[1].pk] == "" and public[made[2].pk] == ""


def test_the_same_form_gives_the_same_summary_and_a_new_response_changes_it(
    make_user, answered, official, questions, django_capture_on_commit_callbacks
):
    first = run_summary(answered, official, django_capture_on_commit_callbacks)
    second = run_summary(answered, official, django_capture_on_commit_callbacks)
    assert json.dumps(first.result, sort_keys=True) == json.dumps(second.result, sort_keys=True)
    submit(make_user, answered, NAMED, full_answers(questions, agree="Yes"))
    third = run_summary(answered, official, django_capture_on_commit_callbacks)
    assert third.fingerprint != first.fingerprint and third.result["form"]["responses"] == 4
