"""Officials answer many similar comments at once, and sections and themes as
a whole, from one page: who may, what is written (all or nothing), who is
told (once each), what goes live, hostile input, and the page's query count."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from consult.accounts.models import AuditEntry
from consult.notifications.models import Notification
from consult.testing.data import bulk_comments, open_consultation
from discussion.comments import services
from discussion.models import Comment, Event, OfficialResponse
from discussion.moderation import curation
from discussion.moderation import services as moderation
from proposals.services import drafts, lifecycle

pytestmark = pytest.mark.django_db(transaction=True)


def bulk_url(proposal, query: str = "") -> str:
    return f"/discussion/consultations/{proposal.slug}/respond/" + (f"?{query}" if query else "")


def post(proposal, author, body="Lower the limit", section=None, **fields) -> Comment:
    return services.comment_create(
        actor=author, proposal=proposal, section=section, body=body, **fields
    )


def nothing_written() -> dict[str, int]:
    return {
        "responses": OfficialResponse.objects.count(),
        "links": OfficialResponse.comments.through.objects.count(),
        "notifications": Notification.objects.filter(kind="response").count(),
        "audit": AuditEntry.objects.filter(action="response.post").count(),
        "events": Event.objects.filter(type="response.posted").count(),
    }


ZERO = {"responses": 0, "links": 0, "notifications": 0, "audit": 0, "events": 0}


def apply(client, proposal, ids, explanation="We will lower it near schools.", **fields):
    data = {
        "action": "apply",
        "comments": [str(i) for i in ids],
        "status": "partly",
        "explanation": explanation,
        **fields,
    }
    return client.post(bulk_url(proposal), data)


def ticked(html: str) -> set[int]:
    soup = BeautifulSoup(html, "html.parser")
    boxes = soup.select('input[name="comments"][type="checkbox"][checked]')
    hidden = soup.select('input[name="comments"][type="hidden"]')
    return {int(box["value"]) for box in [*boxes, *hidden]}


@pytest.fixture
def authors(make_user):
    return [make_user(display_name=name) for name in ("Ana", "Bo", "Cai")]


@pytest.fixture
def similar(open_proposal, section, authors):
    """Four similar comments: Ana wrote two of them."""
    ana, bo, cai = authors
    return [
        post(open_proposal, ana, "Twenty is too slow on the main road", section),
        post(open_proposal, ana, "Keep thirty on the main road", section),
        post(open_proposal, bo, "The main road needs thirty"),
        post(open_proposal, cai, "Thirty on the main road, please", section),
    ]


# --- the happy path ------------------------------------------------------------------


def test_one_response_answers_many_comments_and_tells_each_author_once(
    client, open_proposal, people, authors, similar
):
    ana, bo, cai = authors
    client.force_login(people.official)
    ids = [c.pk for c in similar]
    response = apply(client, open_proposal, ids)
    assert response.status_code == 302
    assert "under 4 comments; each author is told once" in (
        client.get(response["Location"]).content.decode()
    )

    answer = OfficialResponse.objects.get()
    assert sorted(answer.comments.values_list("pk", flat=True)) == sorted(ids)
    assert answer.kind == "comments" and answer.section_id is None and answer.theme_name == ""
    notes = Notification.objects.filter(kind="response").order_by("recipient_id")
    assert [n.recipient_id for n in notes] == [ana.pk, bo.pk, cai.pk]
    # Ana wrote two of them: she is told once, and sent to the first.
    assert notes[0].url == similar[0].url_in_context()
    assert notes[0].key == f"response:{answer.pk}"
    entry = AuditEntry.objects.get(action="response.post")
    assert entry.after["comments"] == sorted(ids) and entry.actor == people.official
    event = Event.objects.get(type="response.posted")
    assert event.payload["comments"] == sorted(ids)
    assert event.payload["section"] is None and event.payload["theme"] is None
    assert "Official response" in event.payload["html"]["en"]

    page = client.get(open_proposal.get_absolute_url() + f"sections/{similar[0].section_id}/")
    soup = BeautifulSoup(page.content, "html.parser")
    for comment in (similar[0], similar[1], similar[3]):
        box = soup.select_one(f'[data-responses-to="{comment.pk}"]')
        assert box.select_one(f'[data-response-id="{answer.pk}"]') is not None


def test_the_actor_is_not_told_about_their_own_comment(client, open_proposal, people, similar):
    own = post(open_proposal, people.official, "An official's own view")
    client.force_login(people.official)
    assert apply(client, open_proposal, [similar[2].pk, own.pk]).status_code == 302
    assert not Notification.objects.filter(recipient=people.official).exists()
    assert Notification.objects.filter(kind="response").count() == 1


def test_duplicate_ids_answer_a_comment_once(client, open_proposal, people, similar):
    client.force_login(people.official)
    pk = similar[0].pk
    assert apply(client, open_proposal, [pk, pk, f" {pk} "]).status_code == 302
    assert OfficialResponse.comments.through.objects.count() == 1
    assert Notification.objects.filter(kind="response").count() == 1
    assert Event.objects.get(type="response.posted").payload["comments"] == [pk]


def test_answering_every_comment_matching_the_filters_on_every_page(
    client, open_proposal, section, people
):
    bulk_comments(proposal=open_proposal, section=section, author=people.citizen, count=60)
    client.force_login(people.official)
    query = f"section={section.pk}"
    page = client.get(bulk_url(open_proposal, query)).content.decode()
    assert 'name="matching" value="60"' in page  # two pages of 50
    response = client.post(
        bulk_url(open_proposal, query),
        {"action": "apply", "matching": "60", "status": "noted", "explanation": "Read."},
    )
    assert response.status_code == 302
    assert OfficialResponse.objects.get().comments.count() == 60
    assert Notification.objects.filter(kind="response").count() == 1  # one author


def test_answering_all_matching_is_refused_when_they_changed_meanwhile(
    client, open_proposal, section, people
):
    bulk_comments(proposal=open_proposal, section=section, author=people.citizen, count=60)
    client.force_login(people.official)
    response = client.post(
        bulk_url(open_proposal, f"section={section.pk}"),
        {"action": "apply", "matching": "59", "status": "noted", "explanation": "Read."},
    )
    assert response.status_code == 400
    assert "59 then, 60 now" in response.content.decode()
    assert nothing_written() == ZERO


# --- refusals: nothing written, text and ticks kept ----------------------------------


def test_nothing_ticked_is_refused_with_the_text_kept(client, open_proposal, people, similar):
    client.force_login(people.official)
    response = apply(client, open_proposal, [], explanation="Kept *as typed*")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick at least one comment to answer." in page
    assert "Kept *as typed*" in page
    assert nothing_written() == ZERO


@pytest.mark.parametrize("spoil", ["hidden", "deleted", "held", "elsewhere", "missing"])
def test_one_comment_that_cannot_be_answered_refuses_them_all_and_says_which(
    spoil, client, open_proposal, people, similar
):
    bad = similar[1]
    expected = {
        "hidden": f"Comment {bad.pk} was deleted or removed",
        "deleted": f"Comment {bad.pk} was deleted or removed",
        "held": f"Comment {bad.pk} is awaiting a moderator",
        "elsewhere": f"Comment {bad.pk} is not part of this consultation.",
        "missing": "Comment 999999 is not part of this consultation.",
    }[spoil]
    if spoil == "hidden":
        moderation.comment_hide(actor=people.moderator, comment=bad, reason="Rude")
    elif spoil == "deleted":
        services.comment_delete(actor=bad.author, comment=bad)
    elif spoil == "held":
        Comment.objects.filter(pk=bad.pk).update(held_at=timezone.now())
    elif spoil == "elsewhere":
        other = open_consultation(
            official=people.official,
            department=open_proposal.department,
            jurisdiction=open_proposal.jurisdiction,
            title="Another consultation",
        )
        Comment.objects.filter(pk=bad.pk).update(proposal=other, section=None)
    ids = [similar[0].pk, 999999 if spoil == "missing" else bad.pk, similar[2].pk]
    client.force_login(people.official)
    response = apply(client, open_proposal, ids, explanation="Thirty stays.")
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page
    assert "Thirty stays." in page
    # The good ticks come back ticked (the bad one too, to be unticked by hand).
    assert {similar[0].pk, similar[2].pk} <= ticked(page)
    assert nothing_written() == ZERO


def test_more_than_the_maximum_at_once_is_refused(client, open_proposal, section, people):
    bulk_comments(proposal=open_proposal, section=section, author=people.citizen, count=501)
    ids = list(Comment.objects.values_list("pk", flat=True))
    client.force_login(people.official)
    response = apply(client, open_proposal, ids)
    assert response.status_code == 400
    assert "At most 500 comments can be answered at once; 501 were chosen." in (
        response.content.decode()
    )
    assert nothing_written() == ZERO
    # Exactly the maximum is fine.
    assert apply(client, open_proposal, ids[:500]).status_code == 302
    assert OfficialResponse.objects.get().comments.count() == 500


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"status": "maybe"}, "Choose accepted, partly accepted, not accepted or noted."),
        ({"explanation": "   \r\n  "}, "Explain the response: the public will read it."),
        ({"explanation": "x" * 5001}, "An explanation can be at most 5000 characters."),
        ({"explanation": "y" * 1_000_000}, "An explanation can be at most 5000 characters."),
    ],
)
def test_bad_text_is_refused_and_kept(fields, message, client, open_proposal, people, similar):
    client.force_login(people.official)
    response = apply(client, open_proposal, [similar[0].pk], **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ticked(response.content.decode()) == {similar[0].pk}
    assert nothing_written() == ZERO


def test_nul_bytes_are_dropped_from_the_explanation(client, open_proposal, people, similar):
    client.force_login(people.official)
    assert apply(client, open_proposal, [similar[0].pk], explanation="We\x00 agree").status_code
    assert OfficialResponse.objects.get().explanation == "We agree"


@pytest.mark.parametrize("raw", ["abc", "1e3", "-1", "１２", "3.0", "9" * 40, "\x00"])
def test_ids_that_are_not_numbers_are_refused_by_name(raw, client, open_proposal, people, similar):
    client.force_login(people.official)
    response = apply(client, open_proposal, [similar[0].pk, raw])
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a comment number." in page
    assert "\x00" not in page
    assert nothing_written() == ZERO


def test_hostile_filters_do_not_break_the_page(client, open_proposal, people, similar):
    client.force_login(people.official)
    for query in [
        "q=%00%00main",
        "section=abc&theme=%00&order=drop+table&page=-3",
        "section=99999999999999999999&unanswered=yes",
        "q=" + "road+" * 500,
        "theme=" + "x" * 5000,
    ]:
        assert client.get(bulk_url(open_proposal, query)).status_code == 200, query


# --- ticking without JavaScript --------------------------------------------------------


def test_tick_every_comment_on_the_page_keeps_the_text_and_writes_nothing(
    client, open_proposal, people, similar
):
    client.force_login(people.official)
    response = client.post(
        bulk_url(open_proposal),
        {"action": "tick", "status": "accepted", "explanation": "Half written"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert ticked(page) == {c.pk for c in similar}
    assert "Half written" in page
    assert nothing_written() == ZERO
    cleared = client.post(
        bulk_url(open_proposal), {"action": "untick", "comments": [similar[0].pk]}
    )
    assert ticked(cleared.content.decode()) == set()


def test_ticks_travel_across_pages(client, open_proposal, section, people):
    bulk_comments(proposal=open_proposal, section=section, author=people.citizen, count=60)
    first_page = list(Comment.objects.order_by("-created_at", "-pk")[:50])
    client.force_login(people.official)
    chosen = [first_page[0].pk, first_page[1].pk]
    response = client.post(
        bulk_url(open_proposal),
        {"go": "2", "comments": chosen, "explanation": "Still here"},
    )
    page = response.content.decode()
    assert "Page 2 of 2" in page and "Still here" in page
    soup = BeautifulSoup(page, "html.parser")
    carried = {int(i["value"]) for i in soup.select('input[type="hidden"][name="comments"]')}
    assert carried == set(chosen)
    assert soup.select_one("form.respond-form")["action"].endswith("?page=2")


# --- filters -----------------------------------------------------------------------------


def test_filters_by_place_theme_words_and_answered(client, open_proposal, section, people, similar):
    curation.comment_theme_add(actor=people.moderator, comment=similar[0], name="Speed")
    curation.comment_theme_add(actor=people.moderator, comment=similar[2], name="Speed")
    held = post(open_proposal, people.citizen, "Held on the main road", section)
    Comment.objects.filter(pk=held.pk).update(held_at=timezone.now())
    client.force_login(people.official)

    def shown(query: str) -> set[int]:
        soup = BeautifulSoup(client.get(bulk_url(open_proposal, query)).content, "html.parser")
        return {int(box["value"]) for box in soup.select('input[type="checkbox"][name="comments"]')}

    every = {c.pk for c in similar}
    assert shown("") == every  # never the held one
    assert shown(f"section={section.pk}") == {similar[0].pk, similar[1].pk, similar[3].pk}
    assert shown("section=whole") == {similar[2].pk}
    assert shown("theme=speed") == {similar[0].pk, similar[2].pk}
    assert shown("q=thirty+main") == {similar[1].pk, similar[2].pk, similar[3].pk}
    assert shown("q=THIRTY+please") == {similar[3].pk}
    apply(client, open_proposal, [similar[1].pk])
    assert shown("unanswered=1") == every - {similar[1].pk}


def test_orders_are_stable(client, open_proposal, people, similar):
    Comment.objects.filter(pk=similar[2].pk).update(agree_count=5)
    Comment.objects.filter(pk=similar[0].pk).update(agree_count=5)
    client.force_login(people.official)
    soup = BeautifulSoup(client.get(bulk_url(open_proposal, "order=agreed")).content, "html.parser")
    order = [int(b["value"]) for b in soup.select('input[type="checkbox"][name="comments"]')]
    # Most agreed first; ties by newest first.
    assert order == [similar[2].pk, similar[0].pk, similar[3].pk, similar[1].pk]


# --- permissions -------------------------------------------------------------------------

WRITES = {
    "apply": lambda similar, section, theme: {"comments": [similar[0].pk]},
    "section": lambda similar, section, theme: {"section": section.pk},
    "theme": lambda similar, section, theme: {"theme": theme.slug},
}


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("citizen", False),
        ("moderator", False),
        ("other_official", False),
        ("official", True),
        ("parent_official", True),
    ],
)
def test_only_officials_of_the_department_or_above_reach_the_page_or_publish(
    who, allowed, client, open_proposal, section, people, similar
):
    curation.comment_theme_add(actor=people.moderator, comment=similar[0], name="Speed")
    theme = Tag.objects.get(name="Speed")
    client.force_login(people.by_name(who))
    page = client.get(bulk_url(open_proposal, f"section={section.pk}&theme=speed"))
    assert page.status_code == (200 if allowed else 403)
    refused = "Only officials of this consultation&#x27;s department can respond"
    assert (refused in page.content.decode()) != allowed
    for action, fields in WRITES.items():
        response = client.post(
            bulk_url(open_proposal),
            {
                "action": action,
                "status": "noted",
                "explanation": f"Answer by {who}",
                **fields(similar, section, theme),
            },
        )
        assert response.status_code == (302 if allowed else 403), action
    redrawn = client.post(bulk_url(open_proposal), {"action": "tick", "go": "1"})
    assert redrawn.status_code == (200 if allowed else 403)
    assert OfficialResponse.objects.count() == (3 if allowed else 0)
    assert Notification.objects.filter(kind="response").exists() == allowed


def test_signed_out_visitors_are_sent_to_sign_in(client, open_proposal, similar):
    response = client.get(bulk_url(open_proposal))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = apply(client, open_proposal, [similar[0].pk])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert nothing_written() == ZERO


def test_closed_consultations_can_be_answered_withdrawn_ones_cannot(
    client, open_proposal, people, similar
):
    client.force_login(people.official)
    lifecycle.proposal_close_early(
        actor=people.official, proposal=open_proposal, reason="Enough heard"
    )
    assert client.get(bulk_url(open_proposal)).status_code == 200
    assert apply(client, open_proposal, [similar[0].pk]).status_code == 302
    lifecycle.proposal_withdraw(actor=people.official, proposal=open_proposal, reason="Replaced")
    assert client.get(bulk_url(open_proposal)).status_code == 403
    assert apply(client, open_proposal, [similar[1].pk]).status_code == 403
    assert OfficialResponse.objects.count() == 1


def test_drafts_cannot_be_answered(client, draft, people):
    client.force_login(people.official)
    assert client.get(bulk_url(draft)).status_code == 403
    client.force_login(people.citizen)
    assert client.get(bulk_url(draft)).status_code == 404  # a draft is not public


def test_the_official_tools_link_to_the_page(client, open_proposal, section, people):
    client.force_login(people.official)
    link = f'href="{bulk_url(open_proposal)}"'
    assert link in client.get(open_proposal.get_absolute_url()).content.decode()
    section_page = client.get(f"{open_proposal.get_absolute_url()}sections/{section.pk}/")
    assert f'href="{bulk_url(open_proposal, f"section={section.pk}")}"' in (
        section_page.content.decode()
    )
    client.force_login(people.citizen)
    assert link not in client.get(open_proposal.get_absolute_url()).content.decode()
    assert (
        bulk_url(open_proposal)
        not in client.get(
            f"{open_proposal.get_absolute_url()}sections/{section.pk}/"
        ).content.decode()
    )


# --- sections and themes as a whole, from the page ---------------------------------------------


def test_a_section_answered_from_the_page(client, open_proposal, section, people, similar):
    client.force_login(people.official)
    response = client.post(
        bulk_url(open_proposal, f"section={section.pk}"),
        {"action": "section", "section": section.pk, "status": "accepted", "explanation": "Done"},
    )
    assert response.status_code == 302
    assert response["Location"] == bulk_url(open_proposal, f"section={section.pk}")
    answer = OfficialResponse.objects.get()
    assert (answer.section, answer.kind) == (section, "section")
    page = client.get(response["Location"]).content.decode()
    assert f"The section “{section.heading}” as a whole" in page
    assert "to the section “Purpose” as a whole" in page


def test_a_section_of_another_consultation_is_refused(client, open_proposal, people, similar):
    other = open_consultation(
        official=people.official,
        department=open_proposal.department,
        jurisdiction=open_proposal.jurisdiction,
        title="Another consultation",
    )
    client.force_login(people.official)
    for value in [other.sections.get().pk, "nope"]:
        response = client.post(
            bulk_url(open_proposal),
            {"action": "section", "section": value, "status": "noted", "explanation": "Kept"},
        )
        assert response.status_code == 400
        assert "That section is not part of this consultation." in response.content.decode()
        assert "Kept" in response.content.decode()
    assert nothing_written() == ZERO


def test_a_theme_answered_from_the_page_and_shown_there(client, open_proposal, people, similar):
    curation.comment_theme_add(actor=people.moderator, comment=similar[0], name="Speed")
    client.force_login(people.official)
    response = client.post(
        bulk_url(open_proposal, "theme=speed"),
        {"action": "theme", "theme": "speed", "status": "noted", "explanation": "Heard you"},
    )
    assert response.status_code == 302
    page = client.get(bulk_url(open_proposal, "theme=speed")).content.decode()
    assert "The theme “Speed” as a whole" in page and "Heard you" in page
    assert "answered as a whole" in page
    unknown = client.post(
        bulk_url(open_proposal),
        {"action": "theme", "theme": "no-such-theme", "status": "noted", "explanation": "x"},
    )
    assert unknown.status_code == 400
    assert "No comment of this consultation carries that theme." in unknown.content.decode()
    assert OfficialResponse.objects.count() == 1


def test_a_changed_version_from_another_consultation_is_refused_on_the_page(
    client, open_proposal, people, similar
):
    other = open_consultation(
        official=people.official,
        department=open_proposal.department,
        jurisdiction=open_proposal.jurisdiction,
        title="Another consultation",
    )
    client.force_login(people.official)
    response = apply(
        client,
        open_proposal,
        [similar[0].pk],
        changed_version=str(other.versions.get().pk),
        changed_section="x",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a section from the list." in page
    response = apply(
        client, open_proposal, [similar[0].pk], changed_version=str(other.versions.get().pk)
    )
    assert "That version is not a version of this consultation." in response.content.decode()
    assert nothing_written() == ZERO


# --- the page's cost -----------------------------------------------------------------------


def test_the_page_costs_the_same_queries_at_any_size(client, open_proposal, section, people):
    client.force_login(people.official)

    def queries(query: str = "") -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(bulk_url(open_proposal, query))
        assert response.status_code == 200
        return len(captured)

    def grow(count: int) -> None:
        bulk_comments(proposal=open_proposal, section=section, author=people.citizen, count=count)
        roots = list(Comment.objects.filter(depth=0).order_by("-pk")[:3])
        for n, comment in enumerate(roots):
            curation.comment_theme_add(actor=people.moderator, comment=comment, name=f"T{n}")
        apply(client, open_proposal, [r.pk for r in roots])
        client.post(
            bulk_url(open_proposal),
            {"action": "section", "section": section.pk, "status": "noted", "explanation": "S"},
        )

    grow(10)
    small = {query: queries(query) for query in ["", f"section={section.pk}", "theme=t0"]}
    grow(400)
    assert Comment.objects.count() == 410
    assert {query: queries(query) for query in small} == small
    # Session and user, the role check, the proposal, the count and the page
    # of comments (themes and "answered" ride along), the sections, the
    # section and theme responses, the themes, the versions, and the menu's
    # official check and unread count.
    assert small[""] == 12


def test_only_published_sections_are_answered_under_their_published_heading(
    client, open_proposal, section, people, similar
):
    from discussion.responses.services import response_post_section

    # The working draft moves on: a new section, and a heading not yet published.
    added = drafts.section_add(
        actor=people.official, proposal=open_proposal, heading="Draft only", body="Not out yet."
    )
    drafts.section_update(
        actor=people.official, section=section, heading="Renamed in the draft", body=section.body
    )
    client.force_login(people.official)
    before = nothing_written()
    response = client.post(
        bulk_url(open_proposal),
        {"action": "section", "section": added.pk, "status": "noted", "explanation": "Kept"},
    )
    assert response.status_code == 400
    assert "not in the published version" in response.content.decode()
    assert "Kept" in response.content.decode()
    assert nothing_written() == before
    answer = response_post_section(
        actor=people.official,
        proposal=open_proposal,
        section=section,
        status="accepted",
        explanation="Done",
    )
    assert answer.section_heading == "Purpose"
    page = client.get(f"/consultations/{open_proposal.slug}/sections/{section.pk}/")
    assert "to the section “Purpose” as a whole" in page.content.decode()
    told = Notification.objects.filter(kind="response").first()
    assert told.subject.endswith(": Purpose")


def test_ticking_more_than_can_be_answered_is_refused_and_keeps_the_ticks(
    client, open_proposal, section, people
):
    bulk_comments(proposal=open_proposal, section=section, author=people.citizen, count=520)
    ids = list(Comment.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    client.force_login(people.official)
    already = ids[100:520]  # 420 ticked on other pages
    response = client.post(
        bulk_url(open_proposal),
        {"action": "tick", "comments": already, "explanation": "Still typed"},
    )
    page = response.content.decode()
    assert "can be answered at once" not in page
    assert ticked(page) == set(ids[:50]) | set(already)  # 470
    more = client.post(
        bulk_url(open_proposal, "page=2"),
        {"action": "tick", "comments": [*ids[:50], *already], "explanation": "Still typed"},
    )
    page = more.content.decode()
    assert "At most 500 comments can be answered at once; 520 were chosen." in page
    assert "Still typed" in page
    assert ticked(page) == set(ids[:50]) | set(already)  # page 2's were not added
