"""The officials' dashboard: what needs attention per consultation, counted
right, most pressing first, only for the official's own departments, in a
fixed number of queries at 10 and at 1,000 consultations."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consult.accounts.models import AuditEntry, Role
from consult.reports import workspace
from consult.reports.models import ResponseReport, RunState, SummaryRun
from discussion.comments import services as comments
from discussion.models import Comment, Report
from discussion.moderation import services as moderation
from discussion.responses import services as responses
from proposals.models import Proposal, Status
from proposals.services import drafts

pytestmark = pytest.mark.django_db


def agree(comment, voters):
    for voter in voters:
        comments.comment_vote(actor=voter, comment=comment, value="agree")


@pytest.fixture
def official_client(client, people):
    client.force_login(people.official)
    return client


@pytest.fixture
def citizens(make_user):
    return [make_user(display_name=f"Resident {i}") for i in range(5)]


@pytest.fixture
def discussed(open_proposal, people, citizens):
    """An open consultation: five comments starting threads, a reply, one
    hidden comment; one answered; agree votes 3, 1, 2, 0 on the unanswered
    ones and 4 on the answered; two comments reported (one twice)."""
    said = [
        comments.comment_create(actor=citizens[i], proposal=open_proposal, body=f"Comment {i}")
        for i in range(5)
    ]
    comments.comment_create(
        actor=citizens[1], proposal=open_proposal, body="A reply", parent=said[0]
    )
    hidden = comments.comment_create(actor=citizens[2], proposal=open_proposal, body="Rude")
    moderation.comment_hide(actor=people.moderator, comment=hidden, reason="Off topic")
    agree(said[0], citizens[1:4])
    agree(said[1], citizens[:1])
    agree(said[2], citizens[3:5])
    agree(said[4], citizens[:4])
    responses.response_post(
        actor=people.official, comment=said[4], status="accepted", explanation="We agree."
    )
    moderation.comment_report(actor=citizens[3], comment=said[1], reason="spam")
    moderation.comment_report(actor=citizens[4], comment=said[1], reason="spam")
    moderation.comment_report(actor=citizens[0], comment=said[3], reason="spam")
    return open_proposal, said


def rows_by_title(user):
    return {row.proposal.title: row for row in workspace.dashboard(user=user).rows}


def test_each_count_is_right(discussed, people):
    proposal, said = discussed
    row = rows_by_title(people.official)[proposal.title]
    # Comments 0-3 start a thread, are public and unanswered; the reply, the
    # hidden comment and the answered one are not awaiting.
    assert row.awaiting == 4
    assert [c.pk for c in row.top_agreed] == [said[0].pk, said[2].pk, said[1].pk]
    assert [c.agree_count for c in row.top_agreed] == [3, 2, 1]
    assert row.reported == 2  # two comments, three reports
    assert row.days_left() == 30
    assert row.summary == workspace.SUMMARY_MISSING
    assert row.report_state is None
    assert not row.deletable
    assert row.needs_attention


def test_the_page_shows_the_counts_with_links(discussed, official_client):
    proposal, said = discussed
    page = BeautifulSoup(official_client.get("/manage/").content, "html.parser")
    row = page.select_one("table.dashboard-table tbody tr")
    cells = {td["data-label"]: td for td in row.select("td")}
    awaiting = cells["Awaiting an answer"].a
    assert awaiting.get_text(strip=True) == "4 comments"
    assert (
        awaiting["href"]
        == f"/discussion/consultations/{proposal.slug}/respond/?unanswered=1&order=agreed"
    )
    links = [a["href"] for a in cells["Most agreed, unanswered"].select("li a")]
    assert links == [f"/discussion/comments/{c.pk}/" for c in (said[0], said[2], said[1])]
    assert "3 agree votes" in cells["Most agreed, unanswered"].get_text()
    assert cells["Reported"].get_text(strip=True) == "2 comments"
    assert cells["Days left"].get_text(strip=True) == "30 days"
    assert cells["Summary and report"].get_text(strip=True) == "No summary yet"


def test_the_summary_and_report_states(discussed, people, citizens):
    proposal, said = discussed
    run = SummaryRun.objects.create(
        proposal=proposal, state=RunState.DONE, started_at=timezone.now(), result={}
    )
    assert rows_by_title(people.official)[proposal.title].summary == workspace.SUMMARY_CURRENT
    comments.comment_vote(actor=citizens[4], comment=said[3], value="agree")
    assert rows_by_title(people.official)[proposal.title].summary == workspace.SUMMARY_STALE
    SummaryRun.objects.create(proposal=proposal, state=RunState.RUNNING)
    assert rows_by_title(people.official)[proposal.title].summary == workspace.SUMMARY_RUNNING
    ResponseReport.objects.create(proposal=proposal, summary_run=run)
    assert rows_by_title(people.official)[proposal.title].report_state == "draft"


def test_a_closed_consultation_still_awaits_answers_until_its_report(discussed, people):
    proposal, _said = discussed
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.CLOSED)
    row = rows_by_title(people.official)[proposal.title]
    assert row.awaiting == 4 and len(row.top_agreed) == 3 and row.days_left() is None
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.REPORT_PUBLISHED)
    row = rows_by_title(people.official)[proposal.title]
    assert row.awaiting == 0 and row.top_agreed == []


def test_an_imported_archive_awaits_no_answers(discussed, people):
    """An archive is read-only: nothing in it can be answered, so nothing waits."""
    proposal, _said = discussed
    Proposal.objects.filter(pk=proposal.pk).update(archived=True)
    row = rows_by_title(people.official)[proposal.title]
    assert row.awaiting == 0 and row.top_agreed == [] and not row.answering
    assert row.reported == 2


def new_draft(people, tree, title):
    return drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title=title,
        summary="S",
    )


def test_what_needs_attention_comes_first(discussed, people, tree, make_proposal):
    proposal, _said = discussed
    quiet = new_draft(people, tree, "A quiet draft")
    # Edited last, so "most recently edited" alone would put it first.
    Proposal.objects.filter(pk=quiet.pk).update(updated_at=timezone.now() + timedelta(days=1))
    closing = make_proposal(
        "Closing soon",
        department=tree.city_office,
        closes_at=timezone.now() + timedelta(days=2),
        opens_at=timezone.now() - timedelta(days=1),
    )
    titles = [row.proposal.title for row in workspace.dashboard(user=people.official).rows]
    assert titles == [proposal.title, closing.title, quiet.title]
    # Three comments reported there, more than the two here: it comes first.
    author = Comment.objects.filter(proposal=proposal).first().author
    for n in range(3):
        reported = comments.comment_create(actor=author, proposal=closing, body=f"Said {n}")
        Report.objects.create(comment=reported, reporter=people.citizen, reason="spam")
    titles = [row.proposal.title for row in workspace.dashboard(user=people.official).rows]
    assert titles == [closing.title, proposal.title, quiet.title]


def test_a_draft_never_published_is_offered_for_deletion(official_client, people, tree):
    draft = new_draft(people, tree, "Never published")
    page = BeautifulSoup(official_client.get("/manage/").content, "html.parser")
    link = page.find("a", string="Delete this draft")
    assert link["href"] == f"/manage/{draft.pk}/delete/"


def test_a_draft_deleted_from_the_dashboard_is_gone_and_audited(official_client, people, tree):
    draft = new_draft(people, tree, "Started by mistake")
    page = BeautifulSoup(official_client.get("/manage/").content, "html.parser")
    confirm = official_client.get(page.find("a", string="Delete this draft")["href"])
    assert confirm.status_code == 200 and Proposal.objects.filter(pk=draft.pk).exists()
    response = official_client.post(f"/manage/{draft.pk}/delete/", follow=True)
    assert "Started by mistake" not in str(BeautifulSoup(response.content, "html.parser").table)
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    entry = AuditEntry.objects.get(action="proposal.deleted")
    assert entry.actor == people.official and entry.before["title"] == "Started by mistake"


def test_a_published_consultation_is_not_offered_and_is_refused(discussed, official_client):
    proposal, _said = discussed
    assert "Delete this draft" not in official_client.get("/manage/").content.decode()
    assert official_client.post(f"/manage/{proposal.pk}/delete/").status_code == 400
    assert Proposal.objects.filter(pk=proposal.pk).exists()
    assert not AuditEntry.objects.filter(action="proposal.deleted").exists()


def test_the_empty_state(client, make_user, grant, tree):
    client.force_login(grant(make_user(), tree.other_ministry, Role.OFFICIAL))
    page = BeautifulSoup(client.get("/manage/").content, "html.parser")
    assert page.select_one("table") is None
    assert "no consultations yet" in page.select_one(".empty-state").get_text()


def test_an_official_of_another_department_sees_nothing_of_this_one(discussed, client, people):
    proposal, said = discussed
    client.force_login(people.other_official)
    page = client.get("/manage/").content.decode()
    assert proposal.title not in page and said[0].body not in page
    assert workspace.dashboard(user=people.other_official).rows == []


def test_an_official_of_the_department_above_sees_it(discussed, people):
    proposal, _said = discussed
    assert proposal.title in rows_by_title(people.parent_official)


def test_citizens_and_moderators_are_refused(client, people):
    for person in (people.citizen, people.moderator):
        client.force_login(person)
        assert client.get("/manage/").status_code == 403
    client.logout()
    assert client.get("/manage/").status_code == 302


def test_a_page_number_that_makes_no_sense_shows_a_page(discussed, official_client):
    for page in ("abc", "999", "-1", "1" * 40):
        response = official_client.get("/manage/", {"page": page})
        assert response.status_code == 200
        assert discussed[0].title in response.content.decode()


# --- a fixed number of queries -----------------------------------------------------


def build(tree, people, n: int) -> None:
    """n open consultations of the city office, each with four comments
    (agreed with 0 to 3 times), one of them reported; every other one summarised."""
    now = timezone.now()
    start = Proposal.objects.count()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            department=tree.city_office,
            jurisdiction=tree.city,
            title=f"Bulk {start + i}",
            slug=f"bulk-{start + i}",
            summary="S",
            status=Status.OPEN,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1 + i % 20),
        )
        for i in range(n)
    )
    said = Comment.objects.bulk_create(
        Comment(
            proposal=p,
            author=people.citizen,
            body=f"Comment {k}",
            body_html=f"<p>Comment {k}</p>",
            agree_count=k,
        )
        for p in proposals
        for k in range(4)
    )
    Report.objects.bulk_create(
        Report(comment=c, reporter=people.moderator, reason="spam") for c in said[::4]
    )
    SummaryRun.objects.bulk_create(
        SummaryRun(proposal=p, state=RunState.DONE, started_at=now, result={})
        for p in proposals[::2]
    )


def dashboard_queries(client, page: int = 1) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/manage/", {"page": page})
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_dashboard_is_a_fixed_number_of_queries_at_10_and_1000(official_client, tree, people):
    build(tree, people, 10)
    small, page = dashboard_queries(official_client)
    assert page.count('<tr class="needs-attention">') == 10
    build(tree, people, 990)
    large, page = dashboard_queries(official_client)
    assert page.count('<tr class="needs-attention">') == workspace.PAGE_SIZE
    assert "Page 1 of 20" in page
    last, page = dashboard_queries(official_client, page=20)
    assert page.count('<tr class="needs-attention">') == workspace.PAGE_SIZE
    # Session and user; the officials' check (memberships, departments); the
    # dashboard: its departments, every consultation's marks, the two grouped
    # counts, the page's consultations, the most agreed unanswered of the
    # page; the menu's roles and unread count.
    assert small == large == last == 12
