"""The moderators' queue: who sees it, what each item carries, filters, the
bulk actions and their refusals, hostile input, and two moderators at once."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consult.accounts.models import AuditEntry, Role
from discussion.comments import services
from discussion.models import Appeal, Comment, ModerationPolicy, Report
from discussion.moderation import bulk
from discussion.moderation import selectors as queue
from discussion.moderation import services as moderation
from proposals.models import Proposal, Status

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "/discussion/moderation/"


@dataclass
class Items:
    held: Comment
    reported: Comment
    appealed: Comment
    reply: Comment  # held, three levels down a thread


def hold_everything(proposal: Proposal) -> None:
    ModerationPolicy.objects.update_or_create(proposal=proposal, defaults={"hold_all": True})


def post(author, proposal, body="A comment", **where) -> Comment:
    return services.comment_create(actor=author, proposal=proposal, body=body, **where)


@pytest.fixture
def items(open_proposal, section, people, make_user, moderators) -> Items:
    """One item of each kind, and a held reply deep in a thread."""
    root = post(people.citizen, open_proposal, "The root of it all", section=section)
    middle = post(make_user(display_name="Middle"), open_proposal, "In between", parent=root)
    parent = post(make_user(display_name="Parent"), open_proposal, "Just above", parent=middle)
    reported = post(people.citizen, open_proposal, "Buy pills here", section=section)
    for reason, note in (("spam", "ads"), ("spam", "more ads"), ("abuse", "")):
        moderation.comment_report(actor=make_user(), comment=reported, reason=reason, note=note)
    reported.refresh_from_db()  # three reports hide it pending review
    appealed = post(people.citizen, open_proposal, "My honest view", section=section)
    moderation.comment_hide(actor=moderators.parent, comment=appealed, reason="Rude")
    Appeal.objects.create(
        comment=appealed,
        author=people.citizen,
        note="I was not rude.",
        hidden_by=moderators.parent,
    )
    hold_everything(open_proposal)
    held = post(people.citizen, open_proposal, "Visit www.example.com/x now", section=section)
    reply = post(make_user(display_name="Deep"), open_proposal, "Deep reply", parent=parent)
    return Items(held=held, reported=reported, appealed=appealed, reply=reply)


def page_of(client, user, url=QUEUE):
    client.force_login(user)
    response = client.get(url)
    return response, BeautifulSoup(response.content, "html.parser")


def listed(soup) -> list[int]:
    return [int(li["data-queue-item"]) for li in soup.select("[data-queue-item]")]


def result_text(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(soup.select_one("[data-queue-status]").get_text().split())


def messages_text(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(m.get_text(" ", strip=True) for m in soup.select(".messages li"))


# --- Who may see the queue ------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, items):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(QUEUE, {"action": "approve", "items": [items.held.pk]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Comment.objects.get(pk=items.held.pk).is_held


@pytest.mark.parametrize("who", ["stranger", "author", "official", "parent_official"])
def test_citizens_authors_and_officials_are_refused_with_a_clear_page(
    client, items, people, make_user, who
):
    user = {"stranger": make_user(), "author": people.citizen}.get(who) or people.by_name(who)
    response, soup = page_of(client, user)
    assert response.status_code == 403
    assert "The moderation queue is for moderators" in soup.get_text()
    assert "Buy pills here" not in response.content.decode()
    response = client.post(QUEUE, {"action": "approve", "items": [items.held.pk]})
    assert response.status_code == 403
    assert Comment.objects.get(pk=items.held.pk).is_held
    assert client.get(f"/discussion/moderation/items/{items.held.pk}/").status_code == 403


@pytest.mark.parametrize("who", ["own", "parent"])
def test_moderators_of_the_department_and_above_see_every_item(client, items, moderators, who):
    response, soup = page_of(client, getattr(moderators, who))
    assert response.status_code == 200
    assert set(listed(soup)) == {
        items.held.pk,
        items.reported.pk,
        items.appealed.pk,
        items.reply.pk,
    }
    nav = soup.select_one("nav.site-nav a[aria-current=page]")
    assert nav.get_text() == "Moderation"


def test_a_moderator_elsewhere_sees_none_of_it_and_cannot_act_on_it(
    client, items, moderators, make_proposal, tree, people
):
    elsewhere = make_proposal(department=tree.other_ministry, slug="elsewhere")
    theirs = post(people.citizen, elsewhere, "Their own business")
    hold_everything(elsewhere)
    theirs_held = post(people.citizen, elsewhere, "Held in their department")
    response, soup = page_of(client, moderators.other)
    assert listed(soup) == [theirs_held.pk]
    assert "Buy pills here" not in response.content.decode()
    assert theirs.pk not in listed(soup)
    response = client.post(
        QUEUE,
        {"action": "hide", "reason": "Mine now", "items": [items.held.pk, items.reported.pk]},
    )
    assert response.status_code == 409
    assert result_text(response).count("This item is not in your queue") == 2
    # No name or words of the other department's items leak through the refusal.
    assert "Citizen" not in result_text(response)
    assert Comment.objects.get(pk=items.held.pk).is_held
    assert not Comment.objects.get(pk=items.reported.pk).hidden_reason
    assert client.get(f"/discussion/moderation/items/{items.held.pk}/").status_code == 204


def test_the_menu_shows_moderation_to_moderators_only_at_no_extra_query(client, people):
    def nav(user) -> list[str]:
        client.force_login(user)
        soup = BeautifulSoup(client.get("/notifications/").content, "html.parser")
        return [a.get_text(strip=True) for a in soup.select("nav.site-nav a")]

    assert "Moderation" in nav(people.moderator)
    assert "Moderation" not in nav(people.official) and "Manage" in nav(people.official)
    assert "Moderation" not in nav(people.citizen)
    # The menu's roles (official? moderator?) are one query for both.
    client.force_login(people.official)
    with CaptureQueriesContext(connection) as captured:
        client.get("/notifications/")
    membership_queries = [q for q in captured if "accounts_membership" in q["sql"]]
    assert len(membership_queries) == 1


# --- What each item carries -------------------------------------------------------


def test_each_kind_of_item_comes_with_its_context(items, moderators, people):
    _page, found = queue.queue_page(user=moderators.own)
    by_pk = {item.pk: item for item in found}
    held = by_pk[items.held.pk]
    assert held.kinds == ["held"]
    assert held.held_reasons == ["Every comment in this consultation is reviewed first"]
    assert held.thread == [] and held.appeal is None and held.reports == []

    reported = by_pk[items.reported.pk]
    assert reported.kinds == ["reported"] and reported.open_reports == 3
    assert [(g.reason, g.count, g.notes) for g in reported.reports] == [
        ("spam", 2, ["ads", "more ads"]),
        ("abuse", 1, []),
    ]
    assert reported.comment.hidden_pending_review

    appealed = by_pk[items.appealed.pk]
    assert appealed.kinds == ["appealed"] and appealed.appeal.note == "I was not rude."
    assert not appealed.hid_it_myself
    # Whoever hid it is told that another moderator decides.
    _page, theirs = queue.queue_page(user=moderators.parent)
    assert next(i for i in theirs if i.pk == items.appealed.pk).hid_it_myself

    deep = by_pk[items.reply.pk]
    assert [c.body for c in deep.thread] == ["The root of it all", "Just above"]
    assert deep.skipped == 1  # "In between"

    # The author's recent history: their other comments, newest first, and
    # how many of all theirs were hidden.
    assert [c.pk for c in held.history] == [
        items.appealed.pk,
        items.reported.pk,
        Comment.objects.get(body="The root of it all").pk,
    ]
    assert (held.author_comments, held.author_hidden) == (4, 2)
    assert items.held.pk not in [c.pk for c in held.history]


def test_the_page_shows_the_context_escaped(client, open_proposal, section, people, make_user):
    author = make_user(display_name="<b>Mallory</b>")
    comment = post(author, open_proposal, "<script>alert(1)</script> hello", section=section)
    moderation.comment_report(
        actor=make_user(), comment=comment, reason="spam", note="<img src=x onerror=alert(1)>"
    )
    response, soup = page_of(client, people.moderator)
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page
    item = soup.select_one(f"#queue-item-{comment.pk}")
    assert "“<img src=x onerror=alert(1)>”" in item.get_text()
    assert "Spam × 1" in item.get_text()


def test_a_reported_comment_its_author_deletes_leaves_the_queue(
    client, open_proposal, section, people, make_user
):
    comment = post(people.citizen, open_proposal, "Regrettable words", section=section)
    report = moderation.comment_report(actor=make_user(), comment=comment, reason="abuse")
    response, soup = page_of(client, people.moderator)
    assert soup.select_one(f"#queue-item-{comment.pk}") is not None
    services.comment_delete(actor=people.citizen, comment=comment)
    # Nothing public is left to decide on: the reports are settled.
    report.refresh_from_db()
    assert report.resolved_at is not None
    response, soup = page_of(client, people.moderator)
    assert soup.select_one(f"#queue-item-{comment.pk}") is None
    assert "Regrettable" not in response.content.decode()


def test_claims_show_who_has_an_item_until_when_and_lapse(items, moderators, settings):
    moderation.comment_claim(actor=moderators.parent, comment=items.held)
    _page, found = queue.queue_page(user=moderators.own)
    item = next(i for i in found if i.pk == items.held.pk)
    assert item.claimed_by == moderators.parent and item.taken_by_other
    assert item.claimed_until > timezone.now()
    _page, found = queue.queue_page(user=moderators.parent)
    mine = next(i for i in found if i.pk == items.held.pk)
    assert mine.claimed_by == moderators.parent and not mine.taken_by_other
    Comment.objects.filter(pk=items.held.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=queue.claim_seconds() + 1)
    )
    _page, found = queue.queue_page(user=moderators.own)
    lapsed = next(i for i in found if i.pk == items.held.pk)
    assert lapsed.claimed_by is None and not lapsed.taken_by_other


def test_filters(client, items, moderators, people, make_user, make_proposal, tree):
    other = make_proposal(department=tree.district_office, slug="district", title="Benches")
    hold_everything(other)
    benches = post(people.citizen, other, "Benches please")
    # A held comment cannot be reported (it is not public); a second public one is.
    parks = make_proposal(department=tree.district_office, slug="parks", title="Parks")
    off_topic = post(people.citizen, parks, "Parking, not benches")
    moderation.comment_report(actor=make_user(), comment=off_topic, reason="off_topic")
    moderation.comment_claim(actor=moderators.parent, comment=items.reply)
    client.force_login(moderators.own)

    def shown(query: str) -> list[int]:
        response = client.get(f"{QUEUE}?{query}")
        assert response.status_code == 200
        return listed(BeautifulSoup(response.content, "html.parser"))

    everything = shown("")
    assert set(everything) == {
        items.held.pk,
        items.reported.pk,
        items.appealed.pk,
        items.reply.pk,
        benches.pk,
        off_topic.pk,
    }
    assert set(shown("kind=held")) == {items.held.pk, items.reply.pk, benches.pk}
    assert set(shown("kind=reported")) == {items.reported.pk, off_topic.pk}
    assert shown("kind=appealed") == [items.appealed.pk]
    assert shown(f"proposal={other.pk}") == [benches.pk]
    assert shown("reason=off_topic") == [off_topic.pk]
    assert shown("reason=spam&kind=reported") == [items.reported.pk]
    assert items.reply.pk not in shown("untaken=on")
    # Oldest first by default (the time each began to wait), newest first on request.
    assert shown("order=newest") == list(reversed(everything))
    assert everything.index(items.reported.pk) < everything.index(off_topic.pk)
    # Unreadable filters are left out, with a word about it, never an error page.
    response = client.get(f"{QUEUE}?kind=everything&proposal=abc&reason=%00&order=sideways")
    assert response.status_code == 200
    assert "Some filters could not be read" in messages_text(response)
    assert set(listed(BeautifulSoup(response.content, "html.parser"))) == set(everything)


def test_a_page_of_the_queue_costs_the_same_queries_for_3_and_30_items(
    client, open_proposal, section, people, make_user, django_assert_num_queries
):
    readers = [make_user() for _ in range(2)]

    def add(n: int) -> None:
        """n items of each kind: a held reply three levels down, a reported
        reply with two reports, and an appealed comment; all by new authors."""
        for i in range(n):
            root = post(make_user(), open_proposal, f"Root {i}", section=section)
            reply = post(make_user(), open_proposal, f"Reply {i}", parent=root)
            for reader in readers:
                moderation.comment_report(actor=reader, comment=reply, reason="spam", note="x")
            appealed = post(make_user(), open_proposal, f"Appealed {i}", section=section)
            moderation.comment_hide(actor=people.moderator, comment=appealed, reason="Rude")
            Appeal.objects.create(comment=appealed, author=appealed.author, note="Unfair")
            hold_everything(open_proposal)
            post(make_user(), open_proposal, f"Held {i}", parent=reply)
            ModerationPolicy.objects.filter(proposal=open_proposal).delete()

    def count_page() -> tuple[int, list[int]]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE)
        assert response.status_code == 200
        return len(captured), listed(BeautifulSoup(response.content, "html.parser"))

    client.force_login(people.moderator)
    add(1)
    small, shown = count_page()
    assert len(shown) == 3
    with django_assert_num_queries(5):
        queue.queue_page(user=people.moderator)
    add(9)
    large, shown = count_page()
    assert len(shown) == 30
    # Session and user, the role check, the menu's roles and unread count,
    # the consultations of the filter, the count, the page, the reports,
    # the threads and the authors' histories.
    assert small == large == 11
    # The selector alone: the count, the page, and one query each for the
    # reports, the threads and the histories.
    with django_assert_num_queries(5):
        _page, found = queue.queue_page(user=people.moderator)
    assert {tuple(item.kinds) for item in found} == {("held",), ("reported",), ("appealed",)}


def test_the_queue_is_paginated_and_keeps_its_filters(client, open_proposal, section, people):
    hold_everything(open_proposal)
    for n in range(queue.PAGE_SIZE + 3):
        post(people.citizen, open_proposal, f"Held {n}", section=section)
    _response, soup = page_of(client, people.moderator, f"{QUEUE}?kind=held")
    assert len(listed(soup)) == queue.PAGE_SIZE
    assert soup.select_one("a[rel=next]")["href"] == "?kind=held&page=2"
    _response, soup = page_of(client, people.moderator, f"{QUEUE}?kind=held&page=2")
    assert len(listed(soup)) == 3
    # The bulk form acts, and comes back, on the same filtered page.
    assert soup.select_one("#queue-form")["action"] == f"{QUEUE}?kind=held&page=2"


def test_select_all_without_javascript_ticks_every_item_that_is_free(client, items, moderators):
    moderation.comment_claim(actor=moderators.parent, comment=items.reply)
    _response, soup = page_of(client, moderators.own)
    assert not soup.select("input[name=items][checked]")
    link = soup.select_one("[data-select-all]")["href"]
    _response, soup = page_of(client, moderators.own, f"{QUEUE}{link}")
    ticked = {int(box["value"]) for box in soup.select("input[name=items][checked]")}
    assert ticked == {items.held.pk, items.reported.pk, items.appealed.pk}
    taken = soup.select_one(f"#queue-select-{items.reply.pk}")
    assert taken.has_attr("disabled")
    assert "Taken by Ministry moderator" in soup.select_one(f"#queue-item-{items.reply.pk}").text


def test_the_page_is_labelled_for_keyboards_and_screen_readers(client, items, moderators):
    _response, soup = page_of(client, moderators.own)
    for box in soup.select("input[name=items]"):
        label = soup.select_one(f"label[for={box['id']}]")
        assert label and label.get_text(strip=True).startswith("Comment ")
    for field in soup.select("#queue-form input[type=text], #queue-form select, form select"):
        assert soup.select_one(f"label[for={field['id']}]"), field
    assert soup.select_one("[data-queue-status]")["role"] == "status"
    # Enter in the reason field hides: the first button of the form is "Hide".
    assert soup.select_one("#queue-form button")["value"] == "hide"
    assert soup.find("script", src="/static/js/queue.js")


# --- Acting on several items ------------------------------------------------------


def test_approving_several_held_comments(client, open_proposal, section, people):
    hold_everything(open_proposal)
    held = [post(people.citizen, open_proposal, f"Held {n}", section=section) for n in range(3)]
    client.force_login(people.moderator)
    response = client.post(
        f"{QUEUE}?kind=held", {"action": "approve", "items": [c.pk for c in held]}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{QUEUE}?kind=held"
    assert not Comment.objects.filter(held_at__isnull=False).exists()
    text = messages_text(response)
    assert text.startswith("Approved: ") and all(f"Comment {c.pk} by Citizen" in text for c in held)
    assert AuditEntry.objects.filter(action="comment.approve").count() == 3
    assert listed(BeautifulSoup(response.content, "html.parser")) == []


def test_hiding_several_with_a_public_reason_and_a_category(client, items, moderators):
    client.force_login(moderators.own)
    chosen = [items.held.pk, items.reported.pk]
    decisions = AuditEntry.objects.filter(action__in=["comment.hide", "comment.reject"]).order_by(
        "pk"
    )
    before = decisions.count()
    client.post(
        QUEUE,
        {"action": "hide", "items": chosen, "reason": "  Advertising  ", "category": "spam"},
    )
    for pk in chosen:
        comment = Comment.objects.get(pk=pk)
        assert comment.is_hidden and not comment.hidden_pending_review
        assert (comment.hidden_reason, comment.hidden_category) == ("Advertising", "spam")
    assert not Report.objects.filter(comment_id=items.reported.pk, resolved_at=None).exists()
    # A held comment hidden is a rejection: it was never public.
    assert sorted(decisions.values_list("action", flat=True)[before:]) == [
        "comment.hide",
        "comment.reject",
    ]
    assert {e.actor for e in decisions[before:]} == {moderators.own}


def test_dismissing_reports_puts_a_comment_hidden_pending_review_back(client, items, moderators):
    client.force_login(moderators.own)
    response = client.post(QUEUE, {"action": "dismiss", "items": [items.reported.pk]})
    assert response.status_code == 302
    comment = Comment.objects.get(pk=items.reported.pk)
    assert not comment.is_hidden
    assert not Report.objects.filter(comment=comment, resolved_at=None).exists()


def test_a_mix_says_which_were_done_and_which_were_refused_and_keeps_the_reason(
    client, items, moderators
):
    moderation.comment_claim(actor=moderators.parent, comment=items.reply)
    client.force_login(moderators.own)
    response = client.post(
        QUEUE,
        {
            "action": "approve",
            "items": [items.held.pk, items.reported.pk, items.reply.pk],
            "reason": "Typed and kept",
        },
    )
    assert response.status_code == 200
    text = result_text(response)
    assert f"Approved: Comment {items.held.pk} by Citizen." in text
    assert f"Comment {items.reported.pk} by Citizen: This comment is not awaiting review" in text
    assert f"Comment {items.reply.pk} by Deep: Ministry moderator is handling this comment" in text
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("#queue-reason")["value"] == "Typed and kept"
    assert soup.select_one(f"#queue-select-{items.reported.pk}").has_attr("checked")
    assert not Comment.objects.get(pk=items.held.pk).is_held
    assert Comment.objects.get(pk=items.reply.pk).is_held

    # The page offers to take over what another moderator has, and only that.
    confirm = soup.select_one("button[name=confirm_take_over]")
    assert confirm["value"] == "approve"
    assert [i["value"] for i in soup.select("input[name=take_over_ids]")] == [str(items.reply.pk)]
    response = client.post(
        QUEUE,
        {
            "confirm_take_over": "approve",
            "take_over_ids": [items.reply.pk],
            "items": [items.reported.pk],
        },
    )
    assert response.status_code == 302
    assert not Comment.objects.get(pk=items.reply.pk).is_held
    assert not Comment.objects.get(pk=items.reported.pk).is_held  # it never was; untouched
    assert Comment.objects.get(pk=items.reported.pk).hidden_pending_review


def test_hiding_refused_for_an_item_keeps_the_reason_for_the_next_try(client, items, moderators):
    moderation.comment_claim(actor=moderators.parent, comment=items.held)
    client.force_login(moderators.own)
    response = client.post(
        QUEUE,
        {"action": "hide", "items": [items.held.pk], "reason": "Spam link", "category": "spam"},
    )
    assert response.status_code == 409
    assert "Nothing was done" in result_text(response)
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("#queue-reason")["value"] == "Spam link"
    assert soup.select_one("#queue-category option[selected]")["value"] == "spam"
    client.post(
        QUEUE,
        {
            "confirm_take_over": "hide",
            "take_over_ids": [items.held.pk],
            "reason": "Spam link",
            "category": "spam",
        },
    )
    assert Comment.objects.get(pk=items.held.pk).hidden_reason == "Spam link"
    assert AuditEntry.objects.get(action="comment.reject").actor == moderators.own


def test_taking_and_releasing_items_and_taking_one_over(client, items, moderators):
    client.force_login(moderators.own)
    client.post(QUEUE, {"action": "take", "items": [items.held.pk, items.reported.pk]})
    assert set(Comment.objects.filter(claimed_by=moderators.own).values_list("pk", flat=True)) == {
        items.held.pk,
        items.reported.pk,
    }
    other = Client()
    other.force_login(moderators.parent)
    response = other.post(QUEUE, {"action": "take", "items": [items.held.pk]})
    assert "Moderator is handling this comment" in result_text(response)
    response = other.post(QUEUE, {"take_over_item": str(items.held.pk)})
    assert response.status_code == 302
    assert Comment.objects.get(pk=items.held.pk).claimed_by == moderators.parent
    # Releasing lets go of one's own claims only.
    client.post(QUEUE, {"action": "release", "items": [items.held.pk, items.reported.pk]})
    assert Comment.objects.get(pk=items.held.pk).claimed_by == moderators.parent
    assert Comment.objects.get(pk=items.reported.pk).claimed_by is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "approve"}, "Select at least one item first."),
        ({"action": "approve", "items": ["12x"]}, "could not be read"),
        ({"action": "approve", "items": ["-1"]}, "could not be read"),
        ({"action": "approve", "items": ["99999999999999999999999"]}, "could not be read"),
        ({"action": "approve", "items": ["١٢"]}, "could not be read"),  # Arabic-Indic digits
        ({"action": "hide", "items": ["HELD"]}, "Give the reason the public will see"),
        ({"action": "hide", "items": ["HELD"], "reason": "   "}, "Give the reason"),
        ({"action": "hide", "items": ["HELD"], "reason": "x" * 301}, "at most 300 characters"),
        (
            {"action": "hide", "items": ["HELD"], "reason": "ok", "category": "boring"},
            "Select a valid choice",
        ),
        ({"action": "explode", "items": ["HELD"]}, "Choose what to do"),
        ({"items": ["HELD"]}, "Choose what to do"),
        ({"action": "approve", "items": [str(n) for n in range(1, 60)]}, "at most 50 items"),
        ({"take_over_item": "abc"}, "could not be read"),
        ({"confirm_take_over": "approve"}, "Select at least one item first."),
    ],
)
def test_hostile_input_gets_a_clear_message_and_changes_nothing(
    client, items, moderators, data, message
):
    data = {
        k: [items.held.pk if v == "HELD" else v for v in vs] if k == "items" else vs
        for k, vs in data.items()
    }
    client.force_login(moderators.own)
    before = list(Comment.objects.order_by("pk").values_list("held_at", "hidden_at", "claimed_by"))
    audit = AuditEntry.objects.count()
    response = client.post(QUEUE, data)
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert message in soup.select_one("#queue-form [role=alert]").get_text()
    if "reason" in data:
        assert soup.select_one("#queue-reason")["value"] == data["reason"]
    assert (
        list(Comment.objects.order_by("pk").values_list("held_at", "hidden_at", "claimed_by"))
        == before
    )
    assert AuditEntry.objects.count() == audit


def test_unknown_ids_and_ids_of_other_departments_are_refused_one_by_one(
    client, items, moderators, make_proposal, tree, people
):
    elsewhere = make_proposal(department=tree.other_ministry, slug="elsewhere")
    hold_everything(elsewhere)
    foreign = post(people.citizen, elsewhere, "Not yours")
    client.force_login(moderators.own)
    response = client.post(
        QUEUE, {"action": "approve", "items": [999999, foreign.pk, items.held.pk]}
    )
    assert response.status_code == 200
    text = result_text(response)
    assert "Item 999999: This item is not in your queue" in text
    assert f"Item {foreign.pk}: This item is not in your queue" in text
    assert f"Approved: Comment {items.held.pk} by Citizen." in text
    assert Comment.objects.get(pk=foreign.pk).is_held


def test_no_change_without_the_csrf_token_or_by_other_methods(items, moderators):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderators.own)
    response = client.post(QUEUE, {"action": "approve", "items": [items.held.pk]})
    assert response.status_code == 403
    lenient = Client()
    lenient.force_login(moderators.own)
    assert lenient.put(QUEUE).status_code == 405
    assert lenient.post(f"/discussion/moderation/items/{items.held.pk}/").status_code == 405
    # A GET with an action in its query string only shows the page.
    assert lenient.get(f"{QUEUE}?action=approve&items={items.held.pk}").status_code == 200
    assert Comment.objects.get(pk=items.held.pk).is_held


def test_the_item_fragment_is_the_item_while_it_waits_and_nothing_after(client, items, moderators):
    client.force_login(moderators.own)
    url = f"/discussion/moderation/items/{items.held.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("li[data-queue-item]")["id"] == f"queue-item-{items.held.pk}"
    assert client.get(f"{url}?kind=reported").status_code == 204  # not what the page shows
    assert client.get(f"{url}?kind=held").status_code == 200
    moderation.comment_approve(actor=moderators.parent, comment=items.held)
    response = client.get(url)
    assert (response.status_code, response.content) == (204, b"")
    assert client.get("/discussion/moderation/items/0/").status_code == 204


# --- Two moderators at once -------------------------------------------------------


def run_together(*calls) -> list:
    """Run the calls in threads released at the same moment; their results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:  # reported in the results
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize(
    "kind, first, second",
    [
        ("held", "approve", "approve"),
        ("held", "approve", "hide"),
        ("held", "hide", "approve"),
        ("reported", "dismiss", "hide"),
        ("reported", "dismiss", "dismiss"),
    ],
)
def test_two_moderators_acting_on_one_item_at_once_one_succeeds_the_other_is_told(
    items, moderators, kind, first, second
):
    item = getattr(items, kind)
    decisions = AuditEntry.objects.filter(
        target_id=str(item.pk),
        action__in=["comment.approve", "comment.reject", "comment.hide", "reports.dismiss"],
    )

    def act(user, action):
        return lambda: bulk.items_act(
            actor=user, action=action, comment_ids=[item.pk], reason="Spam"
        )[0]

    outcomes = run_together(act(moderators.own, first), act(moderators.parent, second))
    assert sorted(o.done for o in outcomes) == [False, True]
    refused = next(o for o in outcomes if not o.done)
    # Whoever came second finds the item decided, whatever they meant to do.
    assert refused.message == str(bulk.ALREADY_DECIDED)
    assert decisions.count() == 1
    assert not queue.open_items(moderators.own).filter(pk=item.pk).exists()


def test_many_moderators_claiming_one_item_at_once_leave_one_holder(
    items, moderators, make_user, grant, tree
):
    crowd = [grant(make_user(), tree.city_office, Role.MODERATOR) for _ in range(6)]
    results = run_together(
        *[
            (
                lambda user=user: bulk.items_act(
                    actor=user, action="take", comment_ids=[items.held.pk]
                )
            )
            for user in crowd
        ]
    )
    outcomes = [result[0] for result in results]
    assert sum(o.done for o in outcomes) == 1
    holder = crowd[[o.done for o in outcomes].index(True)]
    assert Comment.objects.get(pk=items.held.pk).claimed_by == holder
    assert all(
        f"{holder.display_name} is handling this comment" in o.message
        for o in outcomes
        if not o.done
    )


def test_a_claim_by_one_refuses_the_other_until_they_take_over(items, moderators):
    bulk.items_act(actor=moderators.own, action="take", comment_ids=[items.held.pk])
    refused = bulk.items_act(
        actor=moderators.parent, action="hide", comment_ids=[items.held.pk], reason="Spam"
    )[0]
    assert not refused.done and refused.taken
    assert refused.message.startswith("Moderator is handling this comment")
    assert Comment.objects.get(pk=items.held.pk).is_held
    done = bulk.items_act(
        actor=moderators.parent,
        action="hide",
        comment_ids=[items.held.pk],
        reason="Spam",
        take_over=True,
    )[0]
    assert done.done
    assert Comment.objects.get(pk=items.held.pk).hidden_reason == "Spam"


def test_a_closed_consultation_can_still_be_moderated(client, items, moderators, open_proposal):
    Proposal.objects.filter(pk=open_proposal.pk).update(
        status=Status.CLOSED, closes_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(moderators.own)
    client.post(QUEUE, {"action": "dismiss", "items": [items.reported.pk]})
    assert not Comment.objects.get(pk=items.reported.pk).is_hidden


def test_an_appealed_item_links_to_its_decision_page(client, items, moderators):
    _response, soup = page_of(client, moderators.own)
    item = soup.select_one(f"#queue-item-{items.appealed.pk}")
    link = item.find("a", string="Decide the appeal")
    assert link["href"] == reverse("discussion:appeal-decide", args=[items.appealed.pk])
    # The page it leads to is the decision form for that appeal.
    decision = client.get(link["href"])
    assert decision.status_code == 200
    assert "I was not rude." in decision.content.decode()
