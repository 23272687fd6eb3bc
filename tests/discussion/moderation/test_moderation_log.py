"""The public moderation log of a consultation and the moderators' audit
log: what they count and list, what they never show, who may see the audit
log, their query counts, and hostile text shown harmless."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from consult.accounts.audit import audit_record
from consult.accounts.models import AuditEntry, Role
from discussion.comments import services
from discussion.models import Comment, ModerationPolicy
from discussion.moderation import log, policy
from discussion.moderation import services as moderation
from proposals.models import Proposal, Section

pytestmark = pytest.mark.django_db


def log_url(proposal) -> str:
    return f"{proposal.get_absolute_url()}moderation-log/"


def audit_url(proposal) -> str:
    return f"{proposal.get_absolute_url()}moderation-audit/"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def table(page: BeautifulSoup, section_id: str) -> dict[str, int]:
    rows = page.select(f"section[aria-labelledby={section_id}] tbody tr")
    found = {}
    for row in rows:
        cells = row.find_all(["th", "td"])
        if len(cells) == 2 and cells[0].name == "th":
            found[cells[0].get_text(strip=True)] = int(cells[1].get_text(strip=True))
    return found


def comment(proposal, author, body, section=None):
    return services.comment_create(actor=author, proposal=proposal, section=section, body=body)


@pytest.fixture
def moderated(open_proposal, section, people, make_user):
    """A consultation where a bit of everything happened."""
    mod = people.moderator
    readers = [
        make_user(display_name=f"Reader {n}", email=f"reader{n}@example.org") for n in (1, 2, 3)
    ]
    author = make_user(display_name="Alice Author", email="alice@example.org")
    hidden = comment(open_proposal, author, "Call 555-0100 for pills", section)
    moderation.comment_report(actor=readers[0], comment=hidden, reason="spam", note="secret note")
    moderation.comment_hide(actor=mod, comment=hidden, reason="Advertising", category="spam")
    reported = comment(open_proposal, author, "Rude words here")
    for reader, reason in zip(readers, ("abuse", "abuse", "off_topic"), strict=True):
        moderation.comment_report(actor=reader, comment=reported, reason=reason)
    restored = comment(open_proposal, author, "Misread words", section)
    moderation.comment_hide(actor=mod, comment=restored, reason="Mistake", category="other")
    moderation.comment_restore(actor=mod, comment=restored, reason="It was fine")
    dismissed = comment(open_proposal, author, "Contested words")
    moderation.comment_report(actor=readers[1], comment=dismissed, reason="misinformation")
    moderation.reports_dismiss(actor=mod, comment=dismissed)
    ModerationPolicy.objects.create(proposal=open_proposal, hold_all=True)
    approved = comment(open_proposal, author, "Held then approved")
    moderation.comment_approve(actor=mod, comment=approved)
    rejected = comment(open_proposal, author, "Held then refused")
    moderation.comment_hide(
        actor=mod, comment=rejected, reason="Personal details", category="personal_data"
    )
    return {"author": author, "readers": readers, "hidden": hidden}


def test_the_public_log_counts_actions_reasons_and_reports(client, moderated, open_proposal):
    page = soup(client.get(log_url(open_proposal)))
    assert table(page, "actions-title") == {
        "Hidden by a moderator": 2,
        "Hidden pending review after reports": 1,
        "Restored": 1,
        "Reports dismissed": 1,
        "Held for review": 2,
        "Approved after review": 1,
        "Not published after review": 1,
    }
    assert table(page, "categories-title") == {"Spam": 1, "Personal data": 1}
    assert table(page, "reports-title") == {
        "Abuse or harassment": 2,
        "Spam": 1,
        "Off-topic": 1,
        "Misinformation": 1,
    }
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in page.select("#hidden tbody tr")
    ]
    assert [row[1:] for row in rows] == [
        [
            "The proposal as a whole",
            "Not published after review",
            "Personal data",
            "Personal details",
        ],
        [
            "The proposal as a whole",
            "Hidden pending review after reports",
            "—",
            "Hidden pending review after reports from readers.",
        ],
        ["Purpose", "Hidden by a moderator", "Spam", "Advertising"],
    ]
    # The consultation's own history is not moderation.
    assert "proposal.created" not in page.get_text() and "Other action" not in page.get_text()


def test_the_public_log_shows_no_one_and_no_words(client, moderated, open_proposal, people):
    html = client.get(log_url(open_proposal)).content.decode()
    people_and_words = [
        "Alice Author",
        "alice@example.org",
        "Reader 1",
        "reader1@example.org",
        people.moderator.display_name,
        people.moderator.email,
        "555-0100",
        "Rude words",
        "Held then refused",
        "secret note",
        "It was fine",  # a moderator's note on restoring is for the audit log
        "data-author-id",
        f"/discussion/comments/{moderated['hidden'].pk}/",
    ]
    for text in people_and_words:
        assert text not in html


def test_the_chart_has_a_text_alternative_and_the_tables_data(client, moderated, open_proposal):
    page = soup(client.get(log_url(open_proposal)))
    svg = page.select_one("svg.bar-chart")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert page.find(id=title_id).get_text() == "Moderation actions, by kind"
    described = dict(part.rsplit(": ", 1) for part in page.find(id=desc_id).get_text().split("; "))
    assert {k: int(v) for k, v in described.items()} == table(page, "actions-title")
    bars = svg.find_all("rect")
    assert len(bars) == len(described)
    widths = [int(bar["width"]) for bar in bars]
    assert widths == sorted(widths, reverse=True) and widths[0] == log.CHART_WIDTH


def test_known_future_actions_get_their_label_and_unknown_ones_a_generic_one(
    client, open_proposal, people
):
    target = comment(open_proposal, people.citizen, "Something")
    for action in ("comment.pin", "comment.highlight", "appeal.decide", "comment.sparkle"):
        audit_record(
            actor=people.moderator,
            action=action,
            target=target,
            scope=f"proposal:{open_proposal.pk}",
        )
    counts = table(soup(client.get(log_url(open_proposal))), "actions-title")
    assert counts == {
        "Pinned": 1,
        "Highlighted": 1,
        "Appeals decided": 1,
        "Other action (comment.sparkle)": 1,
    }


def test_an_unmoderated_consultation_says_so(client, open_proposal, people):
    comment(open_proposal, people.citizen, "Just talk")
    page = soup(client.get(log_url(open_proposal)))
    assert "Nothing has been moderated in this consultation yet." in page.get_text()
    assert page.select_one("svg") is None


def test_the_public_log_of_a_draft_is_not_found(client, draft, people):
    assert client.get(log_url(draft)).status_code == 404
    assert client.get("/consultations/nothing-here/moderation-log/").status_code == 404
    assert client.post(log_url(draft)).status_code == 405


def hide_many(proposal, section, people, make_user, n: int) -> None:
    author = make_user()
    for i in range(n):
        target = comment(proposal, author, f"Comment {i}", section if i % 2 else None)
        if i % 3 == 0:
            moderation.comment_report(actor=people.citizen, comment=target, reason="spam")
        moderation.comment_hide(actor=people.moderator, comment=target, reason=f"Reason {i}")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_public_log_is_a_fixed_number_of_queries_and_paginated(
    client, open_proposal, section, people, make_user
):
    hide_many(open_proposal, section, people, make_user, 3)
    small = count_queries(client, log_url(open_proposal))
    hide_many(open_proposal, section, people, make_user, 30)
    assert count_queries(client, log_url(open_proposal)) == small
    # The proposal, actions, held count, categories, reports, hidden count and page.
    assert small == 7
    page_one = soup(client.get(log_url(open_proposal)))
    assert len(page_one.select("#hidden tbody tr")) == log.PUBLIC_PAGE_SIZE
    assert table(page_one, "actions-title")["Hidden by a moderator"] == 33
    last = soup(client.get(log_url(open_proposal) + "?page=2"))
    assert len(last.select("#hidden tbody tr")) == 33 - log.PUBLIC_PAGE_SIZE
    for junk in ("abc", "-1", "999999999999999999999", "2.5"):
        assert client.get(log_url(open_proposal) + f"?page={junk}").status_code == 200


# --- the moderators' audit log ----------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("official", 403),  # officials respond; the audit log is the moderators'
        ("other_moderator", 403),
        ("moderator", 200),
        ("ministry_moderator", 200),
    ],
)
def test_only_moderators_of_the_department_or_above_see_the_audit_log(
    who, status, client, moderated, open_proposal, people, make_user, grant, tree
):
    actors = {
        "citizen": people.citizen,
        "official": people.official,
        "other_moderator": grant(make_user(), tree.other_ministry, Role.MODERATOR),
        "moderator": people.moderator,
        "ministry_moderator": grant(make_user(), tree.ministry, Role.MODERATOR),
    }
    if who != "anonymous":
        client.force_login(actors[who])
    response = client.get(audit_url(open_proposal))
    assert response.status_code == status
    if status == 403:
        assert "Only moderators of this consultation's department" in soup(response).get_text()
        assert "Advertising" not in response.content.decode()


def test_the_audit_log_of_a_draft_is_not_found_for_those_who_cannot_see_it(client, draft, people):
    client.force_login(people.citizen)
    assert client.get(audit_url(draft)).status_code == 404
    # A draft is its officials' alone (proposals.rules.can_see_draft).
    client.force_login(people.moderator)
    assert client.get(audit_url(draft)).status_code == 404
    client.force_login(people.official)
    assert client.get(audit_url(draft)).status_code == 403
    assert client.post(audit_url(draft)).status_code == 405


def test_the_audit_log_says_who_when_what_before_after_and_why(
    client, moderated, open_proposal, people
):
    client.force_login(people.moderator)
    page = soup(client.get(audit_url(open_proposal) + "?action=comment.restore"))
    rows = page.select("table.audit-log tbody tr")
    assert len(rows) == 1
    cells = [cell.get_text(" ", strip=True) for cell in rows[0].find_all("td")]
    assert cells[0]  # when
    assert cells[1] == "Moderator"
    assert cells[2].startswith("Restored")
    assert "hidden" in cells[3] and "reason" in cells[3] and "Mistake" in cells[3]
    assert cells[4] == "It was fine"
    assert rows[0].select_one("del").get_text(" ", strip=True).endswith("yes")
    everything = soup(client.get(audit_url(open_proposal)))
    automatic = [
        row
        for row in everything.select("table.audit-log tbody tr")
        if "Hidden pending review" in row.get_text()
    ]
    assert "Automatic" in automatic[0].get_text()
    # The filter offers what the log holds; an unknown value shows everything.
    options = [o["value"] for o in everything.select("select[name=action] option")]
    assert "" in options and "comment.hide" in options and "proposal.created" in options
    unknown = client.get(audit_url(open_proposal) + "?action=<script>")
    assert unknown.status_code == 200
    assert (
        len(soup(unknown).select("table.audit-log tbody tr"))
        == AuditEntry.objects.filter(scope=f"proposal:{open_proposal.pk}").count()
    )


def test_the_audit_log_is_a_fixed_number_of_queries_and_paginated(
    client, open_proposal, section, people, make_user
):
    client.force_login(people.moderator)
    hide_many(open_proposal, section, people, make_user, 3)
    small = count_queries(client, audit_url(open_proposal))
    hide_many(open_proposal, section, people, make_user, 60)
    assert count_queries(client, audit_url(open_proposal)) == small
    # Session and user, the unread count and the official check of the page,
    # the proposal, the moderator check, the actions of the filter, the count
    # and the page of entries with their actors.
    assert small == 9
    entries = AuditEntry.objects.filter(scope=f"proposal:{open_proposal.pk}").count()
    first = soup(client.get(audit_url(open_proposal)))
    assert len(first.select("table.audit-log tbody tr")) == log.AUDIT_PAGE_SIZE
    pages = (entries - 1) // log.AUDIT_PAGE_SIZE + 1
    last = soup(client.get(audit_url(open_proposal) + f"?page={pages}"))
    assert len(last.select("table.audit-log tbody tr")) == entries - log.AUDIT_PAGE_SIZE * (
        pages - 1
    )
    filtered = client.get(audit_url(open_proposal) + "?action=comment.hide&page=2")
    assert len(soup(filtered).select("table.audit-log tbody tr")) == 63 - log.AUDIT_PAGE_SIZE


# --- hostile text ----------------------------------------------------------------------------

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_log_shows_hostile_text_harmless(
    client, open_proposal, section, people, make_user, payload
):
    title, heading, name, reason, term = (
        f"{kind}{payload}" for kind in ("title", "heading", "name", "reason", "term")
    )
    Proposal.objects.filter(pk=open_proposal.pk).update(title=title)
    Section.objects.filter(pk=section.pk).update(heading=heading)
    people.moderator.display_name = name
    people.moderator.save()
    target = comment(open_proposal, make_user(), "Some words", section)
    moderation.comment_hide(actor=people.moderator, comment=target, reason=reason)
    policy.policy_update(
        actor=people.moderator,
        proposal=open_proposal,
        hold_all=False,
        min_account_age_days=None,
        max_links=None,
        blocked_terms={"en": [term]},
        reason=reason,
    )
    public = client.get(log_url(open_proposal)).content.decode()
    for text in (title, heading, reason):
        assert text not in public and escape(text) in public
    assert escape(name) not in public  # and no one's name at all
    assert escape(term) not in public  # nor the blocked terms
    client.force_login(people.moderator)
    audit = client.get(audit_url(open_proposal)).content.decode()
    # The name is the actor; the reason is both an "after" value and a reason.
    for text in (title, name, reason):
        assert text not in audit and escape(text) in audit
    assert term not in audit  # shown escaped, inside the recorded rules


def test_a_title_with_markup_is_escaped_in_the_chart_page_title(client, open_proposal, people):
    Proposal.objects.filter(pk=open_proposal.pk).update(title="</title><script>alert(1)</script>")
    target = comment(open_proposal, people.citizen, "x")
    moderation.comment_hide(actor=people.moderator, comment=target, reason="r")
    html = client.get(log_url(open_proposal)).content.decode()
    assert "</title><script>" not in html
    assert escape("</title><script>alert(1)</script>") in html


def test_the_discussion_pages_link_to_the_public_log(client, open_proposal, section, people):
    url = log_url(open_proposal)
    for page in (
        open_proposal.get_absolute_url(),
        f"{open_proposal.get_absolute_url()}sections/{section.pk}/",
        f"{open_proposal.get_absolute_url()}discussion/",
    ):
        links = [a["href"] for a in soup(client.get(page)).select("a[href]")]
        assert url in links
        assert audit_url(open_proposal) not in links  # for moderators only
    client.force_login(people.moderator)
    links = [
        a["href"]
        for a in soup(client.get(f"{open_proposal.get_absolute_url()}discussion/")).select("a")
    ]
    assert audit_url(open_proposal) in links
    assert f"{open_proposal.get_absolute_url()}moderation-policy/" in links


def test_comments_count_once_as_held_whatever_happened_after(open_proposal, people, make_user):
    ModerationPolicy.objects.create(proposal=open_proposal, hold_all=True)
    author = make_user()
    held = [comment(open_proposal, author, f"Held {n}") for n in range(3)]
    moderation.comment_approve(actor=people.moderator, comment=held[0])
    services.comment_delete(actor=author, comment=held[1])
    counts = {t.key: t.count for t in log.moderation_log(proposal=open_proposal).actions}
    assert counts[log.HOLD] == 3
    assert Comment.objects.filter(held_at__isnull=False).count() == 2
