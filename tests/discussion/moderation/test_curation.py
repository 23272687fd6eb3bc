"""Moderators' curation: highlighting, pinning, themes and duplicates. Who may,
what every reader sees (also live), what goes on the audit log, the races,
hostile input, and the discussion page's query count with all of it present."""

import threading

import pytest
from asgiref.sync import sync_to_async
from bs4 import BeautifulSoup
from channels.testing import WebsocketCommunicator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from asgi import application
from consult.accounts.models import AuditEntry, Role
from consult.testing.data import bulk_comments, open_consultation
from discussion.comments import services
from discussion.live import events
from discussion.models import Comment, Event, Pin, ThemedComment
from discussion.moderation import curation
from discussion.moderation import services as moderation
from tests.discussion.conftest import section_url
from tests.live_helpers import next_message

pytestmark = pytest.mark.django_db(transaction=True)


def post(proposal, section, author, body="A view", **fields):
    return services.comment_create(
        actor=author, proposal=proposal, section=section, body=body, **fields
    )


@pytest.fixture
def earlier(open_proposal, section, people):
    return post(open_proposal, section, people.citizen, "Slow the traffic near the school")


@pytest.fixture
def comment(open_proposal, section, make_user, earlier):
    return post(open_proposal, section, make_user(display_name="Author"), "Slower cars, please")


@pytest.fixture
def actors(people, make_user, grant, tree, comment):
    return {
        "citizen": make_user(),
        "author": comment.author,
        "moderator": people.moderator,  # of the city office, the consultation's department
        "parent_moderator": grant(make_user(), tree.ministry, Role.MODERATOR),
        "other_moderator": grant(make_user(), tree.other_ministry, Role.MODERATOR),
        "official": people.official,  # officials respond; they do not curate
    }


def themes_of(comment) -> list[str]:
    return sorted(
        ThemedComment.objects.filter(content_object_id=comment.pk).values_list(
            "tag__name", flat=True
        )
    )


ACTIONS = {
    "highlight": (
        lambda actor, c, e: curation.comment_highlight(actor=actor, comment=c),
        lambda c: Comment.objects.get(pk=c.pk).highlighted_at is not None,
    ),
    "pin": (
        lambda actor, c, e: curation.comment_pin(actor=actor, comment=c),
        lambda c: Pin.objects.filter(comment=c).exists(),
    ),
    "theme": (
        lambda actor, c, e: curation.comment_theme_add(actor=actor, comment=c, name="Safety"),
        lambda c: themes_of(c) == ["Safety"],
    ),
    "duplicate": (
        lambda actor, c, e: curation.comment_mark_duplicate(actor=actor, comment=c, original=e.pk),
        lambda c: Comment.objects.get(pk=c.pk).duplicate_of_id is not None,
    ),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize(
    "who, allowed",
    [
        ("citizen", False),
        ("author", False),
        ("moderator", True),
        ("parent_moderator", True),  # a role in a department holds below it
        ("other_moderator", False),
        ("official", False),
    ],
)
def test_only_moderators_of_the_department_or_above_curate(
    action, who, allowed, actors, comment, earlier
):
    act, done = ACTIONS[action]
    if allowed:
        act(actors[who], comment, earlier)
        assert done(comment)
        entry = AuditEntry.objects.get(action__startswith="comment.", actor=actors[who])
        assert entry.scope == f"proposal:{comment.proposal_id}"
    else:
        with pytest.raises(PermissionDenied):
            act(actors[who], comment, earlier)
        assert not done(comment)
        assert not AuditEntry.objects.filter(action__startswith="comment.").exists()


def test_a_highlight_shows_a_worded_badge_to_everyone_and_can_be_removed(
    client, open_proposal, section, people, comment
):
    before = events.last_seq(open_proposal.pk)
    curation.comment_highlight(actor=people.moderator, comment=comment, reason="  Helpful  ")
    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    badge = page.select_one(f"#comment-{comment.pk} header .comment-badge-highlighted")
    assert badge.get_text() == "Highlighted by moderators"
    assert "Slower cars, please" in page.select_one(f"#comment-{comment.pk}").get_text()
    entry = AuditEntry.objects.get(action="comment.highlight")
    assert (entry.before, entry.after, entry.reason) == (
        {"highlighted": False},
        {"highlighted": True},
        "Helpful",
    )
    with pytest.raises(ValidationError, match="already highlighted"):
        curation.comment_highlight(actor=people.moderator, comment=comment)
    curation.comment_unhighlight(actor=people.moderator, comment=comment)
    page = client.get(section_url(open_proposal, section)).content.decode()
    assert "Highlighted by moderators" not in page
    with pytest.raises(ValidationError, match="not highlighted"):
        curation.comment_unhighlight(actor=people.moderator, comment=comment)
    new = events.events_since(proposal_id=open_proposal.pk, seq=before)
    assert [e["type"] for e in new] == ["comment.curated", "comment.curated"]


def test_only_public_comments_are_highlighted_and_only_public_thread_starters_pinned(
    open_proposal, section, people, comment, make_user, settings
):
    reply = post(open_proposal, None, make_user(), "A reply", parent=comment)
    with pytest.raises(ValidationError, match="starts a thread"):
        curation.comment_pin(actor=people.moderator, comment=reply)
    curation.comment_highlight(actor=people.moderator, comment=reply)  # replies may be highlighted

    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Rude")
    for act in (curation.comment_highlight, curation.comment_pin):
        with pytest.raises(ValidationError, match="Only a public comment"):
            act(actor=people.moderator, comment=comment)

    deleted = post(open_proposal, section, people.citizen, "Gone soon")
    services.comment_delete(actor=people.citizen, comment=deleted)
    with pytest.raises(ValidationError, match="deleted"):
        curation.comment_pin(actor=people.moderator, comment=deleted)

    settings.CONSULT_PREMODERATION = {"hold_all": True}
    held = post(open_proposal, section, make_user(), "Waiting for review")
    assert held.is_held
    with pytest.raises(ValidationError, match="Only a public comment"):
        curation.comment_highlight(actor=people.moderator, comment=held)
    assert not Pin.objects.exists()
    assert list(Comment.objects.filter(highlighted_at__isnull=False)) == [reply]


def test_the_pinned_thread_heads_the_first_page_once_in_every_order(
    client, open_proposal, section, people
):
    roots = [post(open_proposal, section, people.citizen, f"Thread {i}") for i in range(25)]
    pinned = roots[-1]  # the newest: on the second page when the oldest come first
    curation.comment_pin(actor=people.moderator, comment=pinned)
    for sort in ("oldest", "newest", "agreed", "discussed", "controversial"):
        first = BeautifulSoup(
            client.get(section_url(open_proposal, section), {"sort": sort}).content, "html.parser"
        )
        ids = [a["data-comment-id"] for a in first.select("[data-threads] > li > article")]
        assert ids[0] == str(pinned.pk), sort
        assert ids.count(str(pinned.pk)) == 1
        head = first.select_one(f"#comment-{pinned.pk}")
        assert "comment-pinned" in head["class"]
        assert head.select_one(".comment-badge-pinned").get_text() == "Pinned"
        second = client.get(section_url(open_proposal, section), {"sort": sort, "page": 2})
        second_page = BeautifulSoup(second.content, "html.parser")
        second_ids = [
            a["data-comment-id"] for a in second_page.select("[data-threads] > li > article")
        ]
        assert str(pinned.pk) not in second_ids
        assert len(ids) + len(second_ids) == 25
    # Hidden, it no longer heads the discussion (its pin waits for a restore).
    moderation.comment_hide(actor=people.moderator, comment=pinned, reason="Spam")
    first = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    assert first.select_one("[data-threads] > li > article")["data-comment-id"] == str(roots[0].pk)
    assert first.select_one(".comment-badge-pinned") is None


def test_pinning_another_in_the_same_place_replaces_the_first_and_places_are_separate(
    open_proposal, section, people, comment, earlier
):
    other_section = open_proposal.sections.exclude(pk=section.pk).first()
    elsewhere = post(open_proposal, other_section, people.citizen, "Elsewhere")
    general = post(open_proposal, None, people.citizen, "On the whole")
    before = events.last_seq(open_proposal.pk)
    curation.comment_pin(actor=people.moderator, comment=earlier)
    curation.comment_pin(actor=people.moderator, comment=elsewhere)
    curation.comment_pin(actor=people.moderator, comment=general)
    with pytest.raises(ValidationError, match="already pinned"):
        curation.comment_pin(actor=people.moderator, comment=earlier)
    curation.comment_pin(actor=people.moderator, comment=comment, reason="Clearer")
    assert set(Pin.objects.values_list("place", "comment_id")) == {
        (f"section:{section.pk}", comment.pk),
        (f"section:{other_section.pk}", elsewhere.pk),
        ("general", general.pk),
    }
    replaced = AuditEntry.objects.get(action="comment.unpin")
    assert replaced.target_id == str(earlier.pk)
    assert replaced.after == {"pinned": False, "replaced_by": comment.pk}
    # Both comments' fragments change: the new one gains the badge, the old loses it.
    last_two = events.events_since(proposal_id=open_proposal.pk, seq=before)[-2:]
    assert [(e["type"], e["id"]) for e in last_two] == [
        ("comment.curated", earlier.pk),
        ("comment.curated", comment.pk),
    ]
    assert "Pinned" not in last_two[0]["html"]["en"] and "Pinned" in last_two[1]["html"]["en"]
    curation.comment_unpin(actor=people.moderator, comment=comment)
    assert not Pin.objects.filter(comment=comment).exists()
    with pytest.raises(ValidationError, match="not pinned"):
        curation.comment_unpin(actor=people.moderator, comment=comment)


def run_at_once(*calls):
    """Run the calls in threads released together; return what each raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
        except BaseException as error:  # returned to the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_moderators_pinning_at_once_leave_exactly_one_pin(
    open_proposal, section, people, grant, make_user, tree, comment, earlier
):
    second = grant(make_user(), tree.ministry, Role.MODERATOR)
    outcomes = run_at_once(
        lambda: curation.comment_pin(actor=people.moderator, comment=earlier),
        lambda: curation.comment_pin(actor=second, comment=comment),
    )
    assert outcomes == [None, None]  # the second replaced the first; nobody saw an error
    pins = list(Pin.objects.filter(place=f"section:{section.pk}"))
    assert len(pins) == 1 and pins[0].comment_id in {comment.pk, earlier.pk}
    assert AuditEntry.objects.filter(action="comment.pin").count() == 2
    assert AuditEntry.objects.filter(action="comment.unpin").count() == 1


def test_themes_are_tidied_shared_whatever_their_case_limited_and_removable(
    client, open_proposal, section, people, comment, earlier
):
    mod = people.moderator
    assert Tag.objects.filter(name="road safety").exists()  # a tag of the proposal
    curation.comment_theme_add(actor=mod, comment=comment, name="  Road   SAFETY \n")
    assert themes_of(comment) == ["road safety"]  # the existing tag, not a second one
    curation.comment_theme_add(actor=mod, comment=earlier, name="Speed limits")
    curation.comment_theme_add(actor=mod, comment=comment, name="speed LIMITS")
    assert Tag.objects.filter(name__iexact="speed limits").count() == 1
    assert themes_of(comment) == ["Speed limits", "road safety"]
    with pytest.raises(ValidationError, match="already has the theme “Speed limits”"):
        curation.comment_theme_add(actor=mod, comment=comment, name="SPEED limits")
    for name, message in [
        ("   ", "Give the theme a name"),
        ("x" * 51, "50 characters"),
        ("Safe\u202eytefas", "letters, digits"),
        ("Tab\x00null", "letters, digits"),
    ]:
        with pytest.raises(ValidationError, match=message):
            curation.comment_theme_add(actor=mod, comment=comment, name=name)
    for i in range(8):
        curation.comment_theme_add(actor=mod, comment=comment, name=f"Theme {i}")
    with pytest.raises(ValidationError, match="at most 10 themes"):
        curation.comment_theme_add(actor=mod, comment=comment, name="The eleventh")
    assert len(themes_of(comment)) == 10

    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    chips = page.select(f"#comment-{comment.pk} .comment-curation .theme-chip")
    assert [c.get_text() for c in chips][:2] == ["road safety", "Speed limits"]
    assert page.select_one(f"#comment-{comment.pk} .theme-chips")["aria-label"] == "Themes"

    curation.comment_theme_remove(actor=mod, comment=comment, name="ROAD safety")
    assert "road safety" not in themes_of(comment)
    with pytest.raises(ValidationError, match="has no theme “Nothing”"):
        curation.comment_theme_remove(actor=mod, comment=comment, name="Nothing")
    removed = AuditEntry.objects.get(action="comment.theme_remove")
    assert "road safety" in removed.before["themes"]
    assert "road safety" not in removed.after["themes"]


def test_two_moderators_creating_one_new_theme_at_once_share_one_tag(
    people, grant, make_user, tree, comment, earlier
):
    second = grant(make_user(), tree.ministry, Role.MODERATOR)
    outcomes = run_at_once(
        lambda: curation.comment_theme_add(actor=people.moderator, comment=comment, name="Noise"),
        lambda: curation.comment_theme_add(actor=second, comment=earlier, name="noise"),
    )
    assert outcomes == [None, None]
    assert Tag.objects.filter(name__iexact="noise").count() == 1
    assert len(themes_of(comment)) == len(themes_of(earlier)) == 1


def test_duplicates_point_at_an_earlier_public_comment_of_the_same_consultation(
    client, open_proposal, section, people, comment, earlier, tree, make_user
):
    mod = people.moderator
    later = post(open_proposal, section, make_user(), "Slow the traffic, said before")
    other = open_consultation(
        official=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Another consultation",
    )
    elsewhere = post(other, other.sections.first(), people.citizen, "Elsewhere")
    for original, message in [
        (comment.pk, "itself"),
        (elsewhere.pk, "same consultation"),
        (later.pk, "earlier of the two"),
        ("999999", "no comment with that number"),
        ("", "number or the address"),
        ("x" * 501, "number or the address"),
        ("²", "number or the address"),
        ("9" * 40, "number or the address"),
        ("javascript:alert(1)", "number or the address"),
        ("http://[broken", "number or the address"),
        ("/consultations/nowhere/", "number or the address"),
    ]:
        with pytest.raises(ValidationError, match=message):
            curation.comment_mark_duplicate(actor=mod, comment=comment, original=original)
    assert Comment.objects.get(pk=comment.pk).duplicate_of_id is None

    # By the address of the discussion with its anchor, as a moderator copies it.
    curation.comment_mark_duplicate(
        actor=mod, comment=comment, original=f"https://example.org{earlier.url_in_context()}"
    )
    assert Comment.objects.get(pk=comment.pk).duplicate_of_id == earlier.pk
    with pytest.raises(ValidationError, match="already marked"):
        curation.comment_mark_duplicate(actor=mod, comment=comment, original=f"#{earlier.pk}")
    # A chain is never made: pointing at a duplicate points at its original.
    curation.comment_mark_duplicate(
        actor=mod, comment=later, original=f"/discussion/comments/{comment.pk}/"
    )
    assert Comment.objects.get(pk=later.pk).duplicate_of_id == earlier.pk
    # Nor a loop: the original cannot be marked as a duplicate of its own duplicate.
    with pytest.raises(ValidationError, match="this one is the original"):
        curation.comment_mark_duplicate(actor=mod, comment=earlier, original=comment.pk)

    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    note = page.select_one(f"#comment-{comment.pk} .duplicate-note a")
    assert note.get_text() == "Similar to an earlier comment"
    assert note["href"] == f"/discussion/comments/{earlier.pk}/#comment-{earlier.pk}"
    # The duplicate stays visible with its words.
    assert "Slower cars, please" in page.select_one(f"#comment-{comment.pk}").get_text()

    curation.comment_unmark_duplicate(actor=mod, comment=comment)
    assert Comment.objects.get(pk=comment.pk).duplicate_of_id is None
    with pytest.raises(ValidationError, match="not marked as a duplicate"):
        curation.comment_unmark_duplicate(actor=mod, comment=comment)
    actions = list(
        AuditEntry.objects.filter(action__startswith="comment.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["comment.mark_duplicate"] * 2 + ["comment.unmark_duplicate"]


def test_marking_an_original_as_a_duplicate_moves_its_duplicates_to_the_new_original(
    open_proposal, section, people, comment, earlier, make_user
):
    later = post(open_proposal, section, make_user(), "Same again")
    curation.comment_mark_duplicate(actor=people.moderator, comment=later, original=comment.pk)
    curation.comment_mark_duplicate(actor=people.moderator, comment=comment, original=earlier.pk)
    assert Comment.objects.get(pk=later.pk).duplicate_of_id == earlier.pk
    # The moved duplicate's fragment now links to the new original, also on replay.
    replay = events.events_since(proposal_id=open_proposal.pk, seq=0)
    latest = [e for e in replay if e.get("id") == later.pk][-1]
    assert f"/discussion/comments/{earlier.pk}/" in latest["html"]["en"]


def test_an_item_another_moderator_is_handling_is_refused_unless_taken_over(
    people, grant, make_user, tree, comment
):
    other = grant(make_user(display_name="Mina"), tree.ministry, Role.MODERATOR)
    moderation.comment_claim(actor=other, comment=comment)
    with pytest.raises(ValidationError, match="Mina is handling this comment"):
        curation.comment_highlight(actor=people.moderator, comment=comment)
    curation.comment_highlight(actor=people.moderator, comment=comment, take_over=True)
    assert Comment.objects.get(pk=comment.pk).highlighted_at is not None


async def test_curation_reaches_a_public_listener_with_no_moderator_markup(
    open_proposal, section, people, comment
):
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = WebsocketCommunicator(application, f"/ws/proposals/{open_proposal.pk}/", headers)
    assert (await socket.connect())[0]
    assert (await next_message(socket))["type"] == "hello"
    mod = people.moderator
    await sync_to_async(curation.comment_highlight)(actor=mod, comment=comment)
    await sync_to_async(curation.comment_pin)(actor=mod, comment=comment)
    await sync_to_async(curation.comment_theme_add)(actor=mod, comment=comment, name="Schools")
    received = [await next_message(socket) for _ in range(3)]
    assert [(m["type"], m["id"]) for m in received] == [("comment.curated", comment.pk)] * 3
    html = received[-1]["html"]
    assert "Highlighted by moderators" in html and ">Pinned<" in html and ">Schools<" in html
    for private in ("moderate-box", "Moderate", "/discussion/people/", "Hide comment", "Unpin"):
        assert private not in html
    await socket.disconnect()


def test_a_replay_carries_the_comment_as_it_is_now(open_proposal, section, people, comment):
    curation.comment_highlight(actor=people.moderator, comment=comment)
    curation.comment_unhighlight(actor=people.moderator, comment=comment)
    replay = events.events_since(proposal_id=open_proposal.pk, seq=0)
    mine = [e for e in replay if e.get("id") == comment.pk]
    assert [e["type"] for e in mine] == ["comment.created", "comment.curated", "comment.curated"]
    assert all("Highlighted by moderators" not in e["html"]["en"] for e in mine)


def test_curating_a_hidden_comment_sends_nothing_public(open_proposal, people, comment):
    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Rude")
    before = events.last_seq(open_proposal.pk)
    curation.comment_theme_add(actor=people.moderator, comment=comment, name="Rudeness")
    assert events.last_seq(open_proposal.pk) == before
    assert themes_of(comment) == ["Rudeness"]


def test_the_discussion_page_query_count_holds_with_pins_themes_and_duplicates(
    client, open_proposal, section, people
):
    url = section_url(open_proposal, section)
    mod = people.moderator

    def curate(count: int) -> None:
        roots = list(Comment.objects.filter(depth=0).order_by("-pk")[:count])
        replies = list(Comment.objects.filter(depth__gt=0).order_by("-pk")[:count])
        for target in roots + replies:
            curation.comment_theme_add(actor=mod, comment=target, name=f"Theme {target.pk % 3}")
            curation.comment_theme_add(actor=mod, comment=target, name="Shared")
            curation.comment_highlight(actor=mod, comment=target)
        curation.comment_pin(actor=mod, comment=roots[-1])
        curation.comment_mark_duplicate(actor=mod, comment=roots[0], original=roots[-1].pk)

    def queries(viewer) -> int:
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("theme-chip") >= 2
        return len(captured)

    bulk_comments(proposal=open_proposal, section=section, author=people.citizen, count=100)
    curate(3)
    small = {"moderator": queries(mod), "anonymous": queries(None)}
    bulk_comments(proposal=open_proposal, section=section, author=people.citizen, count=2000)
    curate(6)
    assert Event.objects.filter(type="comment.curated").count() > 20
    assert {"moderator": queries(mod), "anonymous": queries(None)} == small
    # Unchanged by curation: the pin rides on the roots' query and the themes
    # on the roots' and replies' queries (see tests/discussion/comments/test_pages_and_input.py).
    assert small["moderator"] == 25


def test_moderators_get_the_moderate_box_and_readers_do_not(
    client, open_proposal, section, people, comment
):
    url = section_url(open_proposal, section)
    client.force_login(people.citizen)
    assert "moderate-box" not in client.get(url).content.decode()
    client.force_login(people.official)
    assert "moderate-box" not in client.get(url).content.decode()
    client.force_login(people.moderator)
    page = BeautifulSoup(client.get(url).content, "html.parser")
    box = page.select_one(f"#comment-{comment.pk} details.moderate-box")
    assert box.summary.get_text() == "Moderate"
    actions = {form["action"] for form in box.select("form")}
    assert {
        f"/discussion/comments/{comment.pk}/highlight/",
        f"/discussion/comments/{comment.pk}/pin/",
        f"/discussion/comments/{comment.pk}/themes/add/",
        f"/discussion/comments/{comment.pk}/duplicate/",
        f"/discussion/comments/{comment.pk}/hide/",
    } <= actions
    # Every field has a label.
    for field in box.select("input:not([type=hidden]), select, textarea"):
        assert box.select_one(f"label[for='{field['id']}']"), field
    assert box.select_one(f"a[href='/discussion/people/{comment.author_id}/']")


def test_the_forms_work_without_javascript_and_refuse_hostile_requests(
    client, open_proposal, section, people, comment, earlier
):
    base = f"/discussion/comments/{comment.pk}"
    client.force_login(people.moderator)
    for path, data, message in [
        ("highlight", {}, "readers see it marked as constructive"),
        ("pin", {}, "pinned at the top"),
        ("themes/add", {"theme": " Schools "}, "theme is added"),
        ("themes/add", {"theme": "x" * 10_000}, "50 characters"),
        ("themes/remove", {"theme": "schools"}, "theme is removed"),
        ("duplicate", {"original": str(earlier.pk)}, "similar to an earlier comment"),
        ("duplicate", {"original": "not a number"}, "number or the address"),
        ("duplicate/remove", {}, "no longer marked"),
        ("unpin", {}, "unpinned"),
        ("unhighlight", {}, "highlight is removed"),
        ("hide", {"reason": "Rude", "category": "abuse"}, "comment is hidden"),
    ]:
        response = client.post(f"{base}/{path}/", data)
        assert response.status_code == 302, path
        assert response["Location"] == comment.url_in_context()
        shown = client.get(response["Location"]).content.decode()
        assert message in shown, path
    assert Comment.objects.get(pk=comment.pk).hidden_category == "abuse"

    assert client.get(f"{base}/highlight/").status_code == 405
    assert client.post("/discussion/comments/999999/pin/").status_code == 404
    assert client.post("/discussion/comments/abc/pin/").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.moderator)
    assert strict.post(f"/discussion/comments/{earlier.pk}/highlight/").status_code == 403
    anonymous = Client()
    response = anonymous.post(f"/discussion/comments/{earlier.pk}/highlight/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(people.official)
    response = client.post(f"/discussion/comments/{earlier.pk}/highlight/", follow=True)
    assert "Only moderators of this consultation" in response.content.decode()
    assert Comment.objects.get(pk=earlier.pk).highlighted_at is None
