# ruff: noqa: F811 - the fixtures imported below are arguments of the tests
"""The response form's figures in the officials' summary and the public
report: every kind of question with its chart, text alternative and table,
the empty states, the organisations as each chose to be published, the
"you said / we did" of each question, and the published responses' CSV."""

from __future__ import annotations

import copy
import csv
import datetime
import io
import re

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from consult.reports.models import EntryKind, ReportState, ResponseReport, RunState, SummaryRun
from consult.reports.rendering import questionnaire
from consult.reports.rendering.exports import report_csv
from consult.reports.rendering.form_responses import responses_csv
from consult.reports.report.drafting import report_draft
from consult.reports.report.editing import report_save
from consult.reports.report.publishing import report_publish
from consult.reports.report.questions import question_said
from consult.reports.report.snapshots import public_summary
from discussion.submissions import services as submissions
from discussion.submissions.models import FormAnswer, FormResponse, Publication
from discussion.submissions.selectors import (
    published_form_questions,
    published_form_responses,
)
from discussion.submissions.services import Entry, Respondent
from proposals.services import lifecycle as proposal_lifecycle
from tests.discussion.submissions.conftest import (  # noqa: F401 - fixtures
    form_consultation,
    official,
    questions,
)
from tests.discussion.submissions.test_services import full_answers
from tests.reports.helpers import run_summary

pytestmark = pytest.mark.django_db


def _choice(key, label, count, share, *, individual=0, organisation=0, web=0, post=0, email=0):
    return {
        "key": key,
        "label": label,
        "count": count,
        "share": share,
        "by_kind": {"individual": individual, "organisation": organisation},
        "by_channel": {"web": web, "post": post, "email": email, "phone": 0, "meeting": 0},
    }


def _question(qid, order, kind, prompt, answered, skipped=0, **more):
    return {
        "id": qid,
        "order": order,
        "kind": kind,
        "prompt": prompt,
        "section": more.pop("section", None),
        "answered": answered,
        "skipped": skipped,
        "choices": more.pop("choices", []),
        "ranking": more.pop("ranking", []),
        "number": more.pop("number", None),
        "text": more.pop("text", None),
        **more,
    }


FORM = {
    "responses": 5,
    "by_kind": {"individual": 2, "organisation": 3},
    "by_channel": {"web": 3, "post": 1, "email": 1, "phone": 0, "meeting": 0},
    "questions": [
        _question(
            11,
            1,
            "single",
            "Do you agree with the proposed 20 km/h limit?",
            5,
            choices=[
                _choice("c1", "Yes", 3, 0.6, individual=1, organisation=2, web=2, post=1),
                _choice("c2", "No", 2, 0.4, individual=1, organisation=1, web=1, email=1),
            ],
        ),
        _question(
            12,
            2,
            "multiple",
            "How do you travel near schools?",
            4,
            1,
            section="Speed limits",
            shares_sum_over_100=True,
            choices=[
                _choice("c1", "On foot", 4, 1.0, individual=2, organisation=2, web=3, post=1),
                _choice("c2", "By bus", 2, 0.5, individual=1, organisation=1, web=2),
            ],
        ),
        _question(
            13,
            3,
            "scale",
            "Streets near schools are safe today.",
            5,
            choices=[
                _choice("strongly_agree", "Strongly agree", 1, 0.2, individual=1, web=1),
                _choice("disagree", "Disagree", 4, 0.8, individual=1, organisation=3, web=2),
            ],
        ),
        _question(
            14,
            4,
            "ranking",
            "Rank these measures.",
            4,
            1,
            ranking=[
                {
                    "key": "c2",
                    "label": "Crossings",
                    "mean_rank": 1.25,
                    "first": 3,
                    "ranked": 4,
                    "score": 11,
                },
                {
                    "key": "c1",
                    "label": "Speed limit",
                    "mean_rank": 2.0,
                    "first": 1,
                    "ranked": 4,
                    "score": 8,
                },
            ],
        ),
        _question(
            15,
            5,
            "number",
            "How many children in your household walk to school?",
            4,
            1,
            number={
                "count": 4,
                "mean": 1.75,
                "median": 2,
                "min": 0,
                "max": 3,
                "bins": [
                    {"low": 0, "high": 1, "count": 1},
                    {"low": 1, "high": 2, "count": 2},
                    {"low": 2, "high": 3, "count": 1},
                ],
            },
        ),
        _question(
            16, 6, "text", "Anything else?", 3, 2, text={"answered": 3, "hidden": 1, "held": 1}
        ),
        _question(17, 7, "single", "Should the limit apply at weekends?", 0, 5, choices=[]),
    ],
    "organisations": [
        {
            "response": 101,
            "name": "Parents for Safe Streets",
            "type": "community",
            "official_view": True,
            "publication": "named",
            "channel": "web",
        },
        {
            "response": 102,
            "name": "Quiet Traders Ltd",
            "type": "business",
            "official_view": False,
            "publication": "anonymous",
            "channel": "post",
        },
        {
            "response": 103,
            "name": "Secret Cyclists Club",
            "type": "community",
            "official_view": True,
            "publication": "withheld",
            "channel": "email",
        },
    ],
    "documents": {"attached": 3, "read": 1, "failed": 1, "pending": 1},
}

UNNAMED = ("Quiet Traders Ltd", "Secret Cyclists Club")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def render(form, *, public=False, proposal=None, snapshot=None, **context) -> str:
    template = Template(
        "{% load form_report %}{% form_figures data public=public as form %}"
        '{% include "reports/_form.html" %}'
    )
    return template.render(
        Context(
            {
                "data": form,
                "public": public,
                "proposal": proposal,
                "snapshot": snapshot or {},
                **context,
            }
        )
    )


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", html, flags=re.S)


# --- every kind of question ------------------------------------------------------------


def test_every_closed_question_is_a_named_chart_with_its_table():
    html = render(FORM)
    charts = svgs(html)
    # Channels, respondent types, single, multiple, scale, ranking, number.
    assert len(charts) == 7
    for chart in charts:
        assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    single = next(c for c in charts if 'id="form-q11"' in c)
    assert "Do you agree with the proposed 20 km/h limit?</title>" in single
    assert "Yes: 3 (60%); No: 2 (40%). 5 people answered this question." in single
    # The table beside it: counts, shares, by respondent type and by channel.
    assert "<caption>Answers to “Do you agree with the proposed 20 km/h limit?”</caption>" in html
    for column in ("People", "Share", "Individuals", "Organisations", "Website", "Post", "Email"):
        assert f'<th scope="col">{column}</th>' in html
    # No response arrived by phone or at a meeting: no empty columns for them.
    assert '<th scope="col">Phone</th>' not in html.split('id="form-question-11"')[1]


def test_multiple_choice_says_its_shares_add_up_to_more_than_all():
    html = render(FORM)
    block = html.split('id="form-question-12"')[1].split('id="form-question-13"')[0]
    assert "shares add up to more than 100%" in block
    assert "Section: Speed limits" in block
    assert "4 people answered this question; 1 left it unanswered." in block


def test_ranking_is_a_table_of_mean_place_and_first_choices_with_a_bar_of_the_score():
    html = render(FORM)
    block = html.split('id="form-question-14"')[1].split('id="form-question-15"')[0]
    for column in ("Mean place", "First choices", "Ranked by", "Score"):
        assert f'<th scope="col">{column}</th>' in block
    assert '<th scope="row">Crossings</th><td>1.25</td><td>3</td><td>4</td><td>11</td>' in block
    assert "Crossings: mean place 1.25, first choice of 3, score 11" in block  # the desc
    assert "<rect" in block


def test_numbers_are_a_histogram_with_the_mean_median_lowest_and_highest_in_words():
    html = render(FORM)
    block = html.split('id="form-question-15"')[1].split('id="form-question-16"')[0]
    assert "4 people gave a number: mean 1.75, median 2, lowest 0, highest 3." in block
    assert "0–1: 1; 1–2: 2; 2–3: 1." in block  # the text alternative
    assert '<th scope="row">1–2</th><td>2</td>' in block


def test_free_text_is_counted_not_quoted():
    html = render(FORM)
    block = html.split('id="form-question-16"')[1].split('id="form-question-17"')[0]
    assert "<svg" not in block
    assert "<dt>Answered</dt><dd>3</dd>" in block
    assert "<dt>Hidden by moderators</dt><dd>1</dd>" in block
    assert "<dt>Awaiting a moderator&#x27;s review</dt><dd>1</dd>" in block


def test_channels_and_respondent_types_have_a_chart_and_a_table():
    html = render(FORM)
    assert "How responses arrived</title>" in html
    assert "Website: 3 (60%); Post: 1 (20%); Email: 1 (20%); Phone: 0 (0%); Meeting: 0 (0%)" in html
    assert '<th scope="row">Post</th><td>1</td><td>20%</td>' in html
    assert '<th scope="row">Organisations</th><td>3</td><td>60%</td>' in html
    assert "3 documents attached to responses: 1 read, 1 could not be read" in html


# --- empty states --------------------------------------------------------------------------


def test_a_question_nobody_answered_says_so():
    html = render(FORM)
    block = html.split('id="form-question-17"')[1]
    assert "Nobody answered this question." in block
    assert "<svg" not in block


def test_a_form_without_responses_says_no_responses_yet():
    empty = {
        "responses": 0,
        "by_kind": {"individual": 0, "organisation": 0},
        "by_channel": dict.fromkeys(("web", "post", "email", "phone", "meeting"), 0),
        "questions": [_question(11, 1, "single", "Agree?", 0, 0, choices=[])],
        "organisations": [],
        "documents": {"attached": 0, "read": 0, "failed": 0, "pending": 0},
    }
    html = render(empty)
    assert "No responses yet." in html
    assert "<svg" not in html
    # Each question is still there, for its "you said / we did" in the report.
    assert "Agree?</h3>" in html and "Nobody answered this question." in html
    assert "How responses arrived" not in html


def test_a_consultation_without_a_form_shows_nothing_of_it():
    assert render(None).strip() == ""
    assert questionnaire.form_view(None, public=True) is None


# --- organisations -----------------------------------------------------------------------


def test_officials_see_every_organisation_with_its_official_view_flag():
    html = render(FORM)
    block = html.split('id="form-organisations"')[1].split('id="form-question-11"')[0]
    for name in ("Parents for Safe Streets", *UNNAMED):
        assert f'<th scope="row">{name}</th>' in block
    assert block.count("Yes: the organisation's official view") == 2
    assert "Anonymously" in block and "Not to be published" in block


def test_the_public_report_names_only_organisations_that_chose_to_be_named():
    html = render(FORM, public=True)
    assert "Parents for Safe Streets" in html
    assert "the organisation's official view" in html
    for name in UNNAMED:
        assert name not in html
    assert "and 2 organisations that asked not to be named." in html


def test_the_published_snapshot_holds_only_the_named_organisations():
    shown = public_summary({"themes": {}, "form": copy.deepcopy(FORM)})
    assert [row["name"] for row in shown["form"]["organisations"]] == ["Parents for Safe Streets"]
    assert shown["form"]["organisations_unnamed"] == 2
    html = render(shown["form"], public=True)
    assert "and 2 organisations that asked not to be named." in html
    # The report's CSV of figures carries no unnamed organisation either.
    text = report_csv({"summary": shown}).decode("utf-8-sig")
    assert "Parents for Safe Streets" in text
    assert not any(name in text for name in UNNAMED)


def test_when_no_organisation_may_be_named_the_public_report_only_counts_them():
    form = copy.deepcopy(FORM)
    form["organisations"] = form["organisations"][1:]
    html = render(form, public=True)
    assert "2 organisations responded and asked not to be named." in html


# --- links to the responses behind a count --------------------------------------------------


def test_counts_link_to_their_responses_on_the_officials_summary_only():
    view = questionnaire.form_view(FORM, public=False, evidence_base="/behind/")
    single = view["questions"][0]["table"]
    yes = single["rows"][0]
    assert yes[1]["href"] == "/behind/?question=11&choice=c1"
    assert yes[3]["href"] == "/behind/?question=11&choice=c1&kind=individual"
    assert yes[6]["href"] == "/behind/?question=11&choice=c1&channel=post"
    assert yes[6]["label"] == "1: Yes, Post"  # a screen reader hears what it counts
    assert view["channels"]["table"]["rows"][1][1]["href"] == "/behind/?channel=post"
    public = questionnaire.form_view(FORM, public=True, evidence_base="/behind/")
    assert "/behind/" not in repr(public)


def test_the_summary_links_counts_when_the_evidence_page_exists(form_consultation):
    try:
        base = reverse("reports:form-responses", args=[form_consultation.slug])
    except NoReverseMatch:
        html = render(FORM, proposal=form_consultation)
        assert "?question=11&amp;choice=c1" not in html
        return
    html = render(FORM, proposal=form_consultation)
    assert f'href="{base}?question=11&amp;choice=c1"' in html
    assert base not in render(FORM, public=True, proposal=form_consultation)


# --- you said / we did ---------------------------------------------------------------------


def test_the_drafted_you_said_of_each_kind_names_what_most_answered():
    by_id = {q["id"]: q for q in FORM["questions"]}
    assert question_said(by_id[11]) == (
        "5 people answered this question. The answers given most: “Yes” (60%), “No” (40%)."
    )
    assert "Ranked first most often: “Crossings” (3 first choices, mean place 1.25)." in (
        question_said(by_id[14])
    )
    assert "mean 1.75, median 2" in question_said(by_id[15])
    assert question_said(by_id[17]) == "0 people answered this question."


@pytest.fixture
def report_with_form(form_consultation, official, django_capture_on_commit_callbacks):
    """A closed consultation whose summary has the form's figures, its report drafted."""
    proposal_lifecycle.proposal_close_early(
        actor=official, proposal=form_consultation, reason="The window has ended."
    )
    form_consultation.refresh_from_db()
    run = run_summary(form_consultation, official, django_capture_on_commit_callbacks)
    run.result["form"] = copy.deepcopy(FORM)
    run.save(update_fields=["result"])
    return report_draft(actor=official, proposal=form_consultation)


def test_the_summary_page_shows_officials_the_form_and_every_organisation(
    client, report_with_form, official
):
    client.force_login(official)
    url = reverse("reports:summary", args=[report_with_form.proposal.slug])
    html = client.get(url).content.decode()
    assert "Answers to the response form" in html
    for name in ("Parents for Safe Streets", *UNNAMED):
        assert f'<th scope="row">{name}</th>' in html
    run = report_with_form.summary_run
    del run.result["form"]
    run.save(update_fields=["result"])
    html = client.get(url).content.decode()
    # Without a form the summary is as it was.
    assert "Answers to the response form" not in html and 'id="form"' not in html


def test_the_report_has_a_we_did_per_question_that_officials_write(
    client, report_with_form, official
):
    report = report_with_form
    entries = {e.key: e for e in report.entries.filter(kind=EntryKind.QUESTION)}
    assert set(entries) == {str(q["id"]) for q in FORM["questions"]}
    agree = entries["11"]
    assert agree.title == "Do you agree with the proposed 20 km/h limit?"
    client.force_login(official)
    page = client.get(reverse("reports:report-edit", args=[report.proposal.slug]))
    assert f'name="entry-{agree.pk}-we_did"' in page.content.decode()
    assert "Question: Do you agree with the proposed 20 km/h limit?" in page.content.decode()
    report_save(
        actor=official,
        report=report,
        revision=report.revision,
        intro="",
        entries={agree.pk: {"you_said": agree.you_said, "we_did": "We kept 20 km/h."}},
    )
    preview = client.get(reverse("reports:report-preview", args=[report.proposal.slug]))
    html = preview.content.decode()
    block = html.split('id="form-question-11"')[1].split('id="form-question-12"')[0]
    assert "We kept 20 km/h." in block and "The answers given most" in block
    # Shown with its chart, not again among the themes and sections.
    assert html.count("We kept 20 km/h.") == 1
    for name in UNNAMED:
        assert name not in html


def test_a_draft_updated_again_keeps_the_words_written_for_a_question(report_with_form, official):
    agree = report_with_form.entries.get(kind=EntryKind.QUESTION, key="11")
    agree.we_did = "We kept it."
    agree.save(update_fields=["we_did"])
    report_draft(actor=official, proposal=report_with_form.proposal)
    agree.refresh_from_db()
    assert agree.we_did == "We kept it."


def test_the_published_report_keeps_unnamed_organisations_out_of_every_download(
    client, report_with_form, official
):
    report_publish(actor=official, report=report_with_form)
    slug = report_with_form.proposal.slug
    page = client.get(reverse("reports:public", args=[slug])).content.decode()
    assert "Parents for Safe Streets" in page
    # In the form's section and among the report's downloads.
    assert page.count(reverse("reports:form-responses-download", args=[slug])) == 2
    for fmt in ("json", "csv"):
        body = client.get(reverse("reports:download", args=[slug, fmt])).content.decode()
        assert "Parents for Safe Streets" in body
        assert not any(name in body for name in UNNAMED)


# --- the published responses -------------------------------------------------------------------


def _respond(make_user, proposal, questions, name, publication, **more):
    respondent = Respondent(publication=publication, **more)
    return submissions.response_save(
        actor=make_user(display_name=name),
        proposal=proposal,
        respondent=respondent,
        answers=full_answers(questions),
        submit=True,
    )


@pytest.fixture
def responses(make_user, form_consultation, questions, official):
    """One response for each publication choice, an organisation's, a draft, a letter."""
    made = {
        "named": _respond(make_user, form_consultation, questions, "Mei Lin", Publication.NAMED),
        "anonymous": _respond(
            make_user, form_consultation, questions, "Sam Doe", Publication.ANONYMOUS
        ),
        "withheld": _respond(
            make_user, form_consultation, questions, "Wren Hall", Publication.WITHHELD
        ),
        "organisation": _respond(
            make_user,
            form_consultation,
            questions,
            "Ada Clerk",
            Publication.NAMED,
            kind="organisation",
            organisation_name="Parents for Safe Streets",
            organisation_type="community",
            official_view=True,
        ),
        "anonymous_organisation": _respond(
            make_user,
            form_consultation,
            questions,
            "Bo Trader",
            Publication.ANONYMOUS,
            kind="organisation",
            organisation_name="Quiet Traders Ltd",
            organisation_type="business",
        ),
    }
    submissions.response_save(
        actor=make_user(display_name="Dee Draft"),
        proposal=form_consultation,
        respondent=Respondent(publication=Publication.NAMED),
        answers={questions["comments"].pk: "Only a draft."},
        submit=False,
    )
    made["letter"] = submissions.response_enter(
        actor=official,
        proposal=form_consultation,
        entry=Entry(
            channel="post",
            received_on=timezone.localdate() - datetime.timedelta(days=1),
            respondent_name="Pat Letter",
        ),
        respondent=Respondent(publication=Publication.NAMED),
        answers={questions["comments"].pk: "=HYPERLINK(1) by post"},
    )
    return made


def _text_of(row, questions):
    answer = row["answers"].get(questions["comments"].pk)
    return answer and answer["text"]


def test_only_named_and_anonymous_submitted_responses_are_published(responses, form_consultation):
    rows = {row["response"]: row for row in published_form_responses(form_consultation)}
    assert set(rows) == {
        responses[k].pk
        for k in ("named", "anonymous", "organisation", "anonymous_organisation", "letter")
    }
    assert rows[responses["named"].pk]["name"] == "Mei Lin"
    assert rows[responses["organisation"].pk]["name"] == "Parents for Safe Streets"
    assert rows[responses["organisation"].pk]["official_view"] is True
    # Anonymous: no name at all, the kind and organisation type may be shown.
    assert rows[responses["anonymous"].pk]["name"] == ""
    hidden_org = rows[responses["anonymous_organisation"].pk]
    assert hidden_org["name"] == ""
    assert (hidden_org["respondent_kind"], hidden_org["organisation_type"]) == (
        "organisation",
        "business",
    )
    assert "Quiet Traders Ltd" not in repr(rows) and "Wren Hall" not in repr(rows)
    assert rows[responses["letter"].pk]["channel"] == "post"
    assert rows[responses["letter"].pk]["name"] == "Pat Letter"


def test_the_published_responses_are_read_in_three_queries_whatever_their_number(
    responses, form_consultation, django_assert_num_queries
):
    with django_assert_num_queries(3):
        assert len(published_form_responses(form_consultation)) == 5


def test_hidden_words_are_replaced_and_held_words_left_out(responses, form_consultation, questions):
    comments = questions["comments"]
    FormAnswer.objects.filter(response=responses["named"], question=comments).update(
        hidden_at=timezone.now(), hidden_reason="Personal details"
    )
    FormAnswer.objects.filter(response=responses["anonymous"], question=comments).update(
        held_at=timezone.now(), held_reasons=["link"]
    )
    rows = {row["response"]: row for row in published_form_responses(form_consultation)}
    named = rows[responses["named"].pk]
    assert _text_of(named, questions) == "[removed by a moderator: Personal details]"
    assert _text_of(rows[responses["anonymous"].pk], questions) is None
    assert _text_of(rows[responses["organisation"].pk], questions) == "Thank you."
    # The closed answers of a response whose words were hidden are still there.
    assert named["answers"][questions["agree"].pk]["labels"] == ["No"]


def test_the_csv_has_a_column_per_question_and_safe_cells(responses, form_consultation, questions):
    FormAnswer.objects.filter(response=responses["named"], question=questions["comments"]).update(
        hidden_at=timezone.now(), hidden_reason="Personal details"
    )
    shown = published_form_questions(form_consultation)
    body = responses_csv(shown, published_form_responses(form_consultation))
    assert body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, rows = table[0], table[1:]
    assert header[:8] == [
        "Response",
        "Name",
        "Published",
        "Responding as",
        "Organisation type",
        "Official view of the organisation",
        "Channel",
        "Received on",
    ]
    assert header[8:] == [f"{i}. {q.prompt}" for i, q in enumerate(shown, start=1)]
    assert len(rows) == 5
    by_id = {int(row[0]): row for row in rows}
    named = by_id[responses["named"].pk]
    column = {q.pk: 8 + i for i, q in enumerate(shown)}
    assert named[1] == "Mei Lin" and named[6] == "Website"
    assert named[column[questions["comments"].pk]] == "[removed by a moderator: Personal details]"
    assert named[column[questions["priorities"].pk]] == "1. Crossings; 2. Speed limit; 3. Cameras"
    assert named[column[questions["children"].pk]] == "2"
    letter = by_id[responses["letter"].pk]
    assert letter[6] == "Post"
    assert letter[column[questions["comments"].pk]] == "'=HYPERLINK(1) by post"
    organisation = by_id[responses["organisation"].pk]
    assert organisation[3:6] == ["Organisations", "Community or residents' group", "Yes"]
    assert "Wren Hall" not in body.decode("utf-8-sig")


def test_the_csv_download_is_on_the_published_report_only(
    client,
    responses,
    form_consultation,
    official,
):
    url = reverse("reports:form-responses-download", args=[form_consultation.slug])
    assert client.get(url).status_code == 404  # no published report yet
    run = SummaryRun.objects.create(
        proposal=form_consultation, state=RunState.DONE, result={"comments": {}}
    )
    ResponseReport.objects.create(
        proposal=form_consultation,
        summary_run=run,
        state=ReportState.PUBLISHED,
        published_at=timezone.now(),
        snapshot={"summary": {"comments": {}}, "entries": []},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "Mei Lin" in text and "Parents for Safe Streets" in text
    assert "Wren Hall" not in text and "Quiet Traders Ltd" not in text
    assert FormResponse.objects.filter(proposal=form_consultation).count() == 7


def test_the_form_renders_in_chinese():
    with translation.override("zh-hans"):
        html = render(FORM, public=True)
    assert "<svg" in html
    assert "How responses arrived" not in html


def test_the_key_figures_count_the_form_responses_and_those_from_outside_the_website():
    from consult.reports.templatetags.reports import report_facts

    facts = report_facts({"summary": {"form": FORM}})
    assert facts[1]["label"] == "Responses to the form"
    assert (facts[1]["shown"], facts[1]["note"]) == ("5", "2 by post, email, phone or at a meeting")
    assert "Responses to the form" not in [f["label"] for f in report_facts({"summary": {}})]


def test_the_pdf_shows_the_form_figures_as_text():
    import pypdf

    from consult.reports.rendering import exports
    from tests.reports.factories import sample_snapshot
    from tests.reports.rendering.test_exports import pdf_pages

    snapshot = sample_snapshot()
    snapshot["summary"] = public_summary({**snapshot["summary"], "form": copy.deepcopy(FORM)})
    data = exports.report_pdf(snapshot, base_url="http://testserver/")
    assert pypdf.PdfReader(io.BytesIO(data)).pages
    text = "".join(pdf_pages(data))
    for words in ("Howresponsesarrived", "Rankthesemeasures.", "Hiddenbymoderators"):
        assert words in text
    assert "ParentsforSafeStreets" in text
    assert "QuietTraders" not in text
    assert "2organisationsthataskednottobenamed" in text


def test_words_typed_by_officials_and_organisations_are_escaped_everywhere():
    form = copy.deepcopy(FORM)
    form["questions"][0]["prompt"] = "<script>alert(1)</script>"
    form["questions"][0]["choices"][0]["label"] = '<img src=x onerror="alert(2)">'
    form["organisations"][0]["name"] = "<b>Bold</b> Ltd"
    for public in (False, True):
        html = render(form, public=public)
        assert "<script>" not in html and "<img" not in html and "<b>Bold" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
