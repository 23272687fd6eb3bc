"""Officials answer comments, sections and themes: with a badge and a status,
pushed live, the people answered told once each, and what changed because
of it linked."""

import pytest
from asgiref.sync import sync_to_async
from bs4 import BeautifulSoup
from channels.testing import WebsocketCommunicator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from asgi import application
from consult.accounts.models import AuditEntry
from consult.notifications.models import Notification
from consult.testing.data import open_consultation
from discussion.comments import services
from discussion.models import Comment, Event, OfficialResponse
from discussion.moderation import curation
from discussion.moderation import services as moderation
from discussion.responses import services as responses
from proposals.services import drafts, lifecycle, stances, versions
from tests.live_helpers import next_message

pytestmark = pytest.mark.django_db(transaction=True)


def a_comment(people, proposal, section):
    return services.comment_create(
        actor=people.citizen, proposal=proposal, section=section, body="Lower the limit"
    )


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("citizen", False),
        ("moderator", False),  # moderators hide; they do not answer for the department
        ("official", True),
        ("parent_official", True),
        ("other_official", False),
    ],
)
def test_officials_of_the_department_or_above_respond(who, allowed, open_proposal, section, people):
    comment = a_comment(people, open_proposal, section)
    actor = getattr(people, who)
    if allowed:
        responses.response_post(
            actor=actor, comment=comment, status="accepted", explanation="We will."
        )
        assert OfficialResponse.objects.get().comments.get() == comment
    else:
        with pytest.raises(PermissionDenied):
            responses.response_post(
                actor=actor, comment=comment, status="accepted", explanation="We will."
            )
        assert not OfficialResponse.objects.exists()


def test_a_response_is_shown_with_its_badge_and_the_author_is_told(
    client, open_proposal, section, people
):
    comment = a_comment(people, open_proposal, section)
    response = responses.response_post(
        actor=people.official,
        comment=comment,
        status="partly",
        explanation="We lower it near *schools*.",
    )
    page = client.get(f"{open_proposal.get_absolute_url()}sections/{section.pk}/").content.decode()
    assert "Official response" in page and "Partly accepted" in page
    assert "<em>schools</em>" in page
    assert response.department.name in page
    note = Notification.objects.get(recipient=people.citizen)
    assert (note.kind, note.url) == ("response", comment.url_in_context())
    client.force_login(people.citizen)
    assert "An official response to your comment" in client.get("/notifications/").content.decode()
    assert AuditEntry.objects.filter(action="response.post", actor=people.official).exists()


def test_bad_responses_are_refused_with_the_text_kept(client, open_proposal, section, people):
    comment = a_comment(people, open_proposal, section)
    with pytest.raises(ValidationError, match="Choose accepted"):
        responses.response_post(
            actor=people.official, comment=comment, status="maybe", explanation="x"
        )
    client.force_login(people.official)
    response = client.post(
        f"/discussion/comments/{comment.pk}/respond/",
        {"status": "noted", "explanation": "x" * 5001},
    )
    assert response.status_code == 400
    assert "at most 5000 characters" in response.content.decode()
    assert "x" * 5001 in response.content.decode()
    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Spam")
    response = client.post(
        f"/discussion/comments/{comment.pk}/respond/", {"status": "noted", "explanation": "Seen"}
    )
    assert response.status_code == 400
    assert "cannot be answered" in response.content.decode()
    assert not OfficialResponse.objects.exists()


def test_no_responses_before_a_consultation_opens_or_after_it_is_withdrawn(
    open_proposal, section, people
):
    comment = a_comment(people, open_proposal, section)
    lifecycle.proposal_withdraw(actor=people.official, proposal=open_proposal, reason="Replaced")
    with pytest.raises(PermissionDenied):
        responses.response_post(
            actor=people.official, comment=comment, status="noted", explanation="Too late"
        )


async def test_a_response_goes_out_live(open_proposal, section, people):
    comment = await sync_to_async(a_comment)(people, open_proposal, section)
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = WebsocketCommunicator(application, f"/ws/proposals/{open_proposal.pk}/", headers)
    await socket.connect()
    await next_message(socket)
    await sync_to_async(responses.response_post)(
        actor=people.official, comment=comment, status="accepted", explanation="Agreed."
    )
    event = await next_message(socket)
    assert event["type"] == "response.posted" and event["comments"] == [comment.pk]
    assert "Official response" in event["html"] and "Agreed." in event["html"]
    await socket.disconnect()


def test_rewriting_a_comments_history_leaves_a_response_with_the_same_id_alone(
    open_proposal, section, people
):
    from django.db import transaction

    from discussion.live.events import event_append
    from discussion.models import Event

    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Hello"
    )
    with transaction.atomic():
        # A response whose id happens to equal the comment's.
        event_append(
            proposal=open_proposal,
            type="response.posted",
            payload={"id": comment.pk, "comments": [1], "html": {"en": "the response"}},
        )
    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Off topic")
    response_event = Event.objects.get(proposal=open_proposal, type="response.posted")
    assert response_event.payload["html"] == {"en": "the response"}
    created = Event.objects.get(proposal=open_proposal, type="comment.created")
    assert "Hello" not in str(created.payload["html"])


# --- sections and themes as a whole ---------------------------------------------------


def test_a_section_response_tells_commenters_and_stance_takers_once_each(
    client, open_proposal, section, people, make_user
):
    both, stance_only, held_author, deleted_author, elsewhere = (
        make_user(display_name=n) for n in ("Both", "Stance", "Held", "Gone", "Elsewhere")
    )
    services.comment_create(actor=both, proposal=open_proposal, section=section, body="One")
    services.comment_create(actor=both, proposal=open_proposal, section=section, body="Two")
    stances.stance_cast(actor=both, proposal=open_proposal, section=section, value="oppose")
    stances.stance_cast(actor=stance_only, proposal=open_proposal, section=section, value="support")
    held = services.comment_create(
        actor=held_author, proposal=open_proposal, section=section, body="Wait"
    )
    Comment.objects.filter(pk=held.pk).update(held_at=timezone.now())
    gone = services.comment_create(
        actor=deleted_author, proposal=open_proposal, section=section, body="Oops"
    )
    services.comment_delete(actor=deleted_author, comment=gone)
    other_section = open_proposal.sections.exclude(pk=section.pk).get()
    services.comment_create(
        actor=elsewhere, proposal=open_proposal, section=other_section, body="Not here"
    )
    services.comment_create(
        actor=people.official, proposal=open_proposal, section=section, body="Mine"
    )

    response = responses.response_post_section(
        actor=people.official,
        proposal=open_proposal,
        section=section,
        status="accepted",
        explanation="We keep **this section** as it is.",
    )

    assert (response.kind, response.section) == ("section", section)
    told = Notification.objects.filter(kind="response").order_by("recipient_id")
    assert [n.recipient_id for n in told] == [both.pk, stance_only.pk]
    section_page = f"/consultations/{open_proposal.slug}/sections/{section.pk}/"
    assert {n.url for n in told} == {f"{section_page}#section-responses"}
    assert told[0].subject == f"{open_proposal.title}: {section.heading}"
    event = Event.objects.get(type="response.posted")
    assert (event.payload["section"], event.payload["comments"]) == (section.pk, [])
    assert AuditEntry.objects.get(action="response.post").after["section"] == section.pk

    soup = BeautifulSoup(client.get(section_page).content, "html.parser")
    top = soup.select_one(f'[data-section-responses="{section.pk}"]')
    assert not top.has_attr("hidden")
    body = top.select_one(f'[data-response-id="{response.pk}"] .official-response-body')
    assert body.strong.text == "this section"
    # Not under any comment: it answers the section, not them one by one.
    assert not soup.select(f'[data-responses-to] [data-response-id="{response.pk}"]')
    other_page = client.get(f"/consultations/{open_proposal.slug}/sections/{other_section.pk}/")
    assert "We keep" not in other_page.content.decode()

    proposal_page = BeautifulSoup(
        client.get(open_proposal.get_absolute_url()).content, "html.parser"
    )
    beside = proposal_page.select_one(f"#section-{section.pk} [data-section-responses]")
    assert beside.select_one(f'[data-response-id="{response.pk}"]') is not None
    assert (
        proposal_page.select_one(f"#section-{other_section.pk} [data-section-responses]")["hidden"]
        is not None
    )


def test_a_section_of_another_consultation_cannot_be_answered(open_proposal, people):
    other = open_consultation(
        official=people.official,
        department=open_proposal.department,
        jurisdiction=open_proposal.jurisdiction,
        title="Another",
    )
    with pytest.raises(ValidationError, match="That section is not part of this consultation"):
        responses.response_post_section(
            actor=people.official,
            proposal=open_proposal,
            section=other.sections.get(),
            status="noted",
            explanation="No",
        )
    assert not OfficialResponse.objects.exists()
    assert not Event.objects.filter(type="response.posted").exists()


@pytest.fixture
def themed(open_proposal, section, people, make_user):
    """Ana's two comments and Bo's one carry "Speed"; Cai's does not."""
    ana, bo, cai = (make_user(display_name=n) for n in ("Ana", "Bo", "Cai"))
    made = {
        "ana1": services.comment_create(
            actor=ana, proposal=open_proposal, section=section, body="Too slow"
        ),
        "ana2": services.comment_create(actor=ana, proposal=open_proposal, body="Much too slow"),
        "bo": services.comment_create(
            actor=bo, proposal=open_proposal, section=section, body="Slow"
        ),
        "cai": services.comment_create(
            actor=cai, proposal=open_proposal, section=section, body="Fine"
        ),
    }
    for key in ("ana1", "ana2", "bo"):
        curation.comment_theme_add(actor=people.moderator, comment=made[key], name="Speed")
    return made


def test_a_theme_response_tells_the_authors_of_its_comments_once_each(
    client, open_proposal, section, people, themed
):
    tag = Tag.objects.get(name="Speed")
    response = responses.response_post_theme(
        actor=people.official,
        proposal=open_proposal,
        theme=tag,
        status="not_accepted",
        explanation="The limit stays at 20.",
    )
    assert (response.kind, response.theme, response.theme_name) == ("theme", tag, "Speed")
    assert str(response) == f"Not accepted by {open_proposal.department_id} on theme Speed"
    told = Notification.objects.filter(kind="response").order_by("recipient_id")
    assert [n.recipient_id for n in told] == [themed["ana1"].author_id, themed["bo"].author_id]
    assert told[0].url == themed["ana1"].url_in_context()  # her first comment with the theme
    event = Event.objects.get(type="response.posted")
    assert (event.payload["theme"], event.payload["theme_name"]) == ("speed", "Speed")

    # Shown above a discussion whose comments carry the theme, and not elsewhere.
    page = BeautifulSoup(
        client.get(f"/consultations/{open_proposal.slug}/sections/{section.pk}/").content,
        "html.parser",
    )
    box = page.select_one("[data-theme-responses]")
    assert not box.has_attr("hidden")
    assert "The limit stays at 20." in box.text and "to the theme “Speed”" in box.text
    other = open_proposal.sections.exclude(pk=section.pk).get()
    page = BeautifulSoup(
        client.get(f"/consultations/{open_proposal.slug}/sections/{other.pk}/").content,
        "html.parser",
    )
    assert page.select_one("[data-theme-responses]").has_attr("hidden")


def test_a_theme_not_used_in_this_consultation_cannot_be_answered(open_proposal, people, themed):
    other = open_consultation(
        official=people.official,
        department=open_proposal.department,
        jurisdiction=open_proposal.jurisdiction,
        title="Another",
    )
    elsewhere = services.comment_create(actor=people.citizen, proposal=other, body="Elsewhere")
    curation.comment_theme_add(actor=people.moderator, comment=elsewhere, name="Parking")
    for theme in (Tag.objects.get(name="Parking"), 999_999):
        with pytest.raises(ValidationError, match="No comment of this consultation carries"):
            responses.response_post_theme(
                actor=people.official,
                proposal=open_proposal,
                theme=theme,
                status="noted",
                explanation="No",
            )
    assert not OfficialResponse.objects.exists()


def test_a_theme_response_of_one_consultation_stays_off_anothers_pages(
    client, open_proposal, people, themed
):
    other = open_consultation(
        official=people.official,
        department=open_proposal.department,
        jurisdiction=open_proposal.jurisdiction,
        title="Another",
    )
    elsewhere = services.comment_create(actor=people.citizen, proposal=other, body="Speeding")
    curation.comment_theme_add(actor=people.moderator, comment=elsewhere, name="Speed")
    responses.response_post_theme(
        actor=people.official,
        proposal=open_proposal,
        theme=Tag.objects.get(name="Speed"),
        status="noted",
        explanation="Only about the first consultation",
    )
    page = client.get(f"/consultations/{other.slug}/discussion/").content.decode()
    assert "theme-chip" in page
    assert "Only about the first consultation" not in page


def test_a_response_has_one_target_at_most(open_proposal, section, people):
    tag = Tag.objects.create(name="Speed", slug="speed")
    fields = {
        "proposal": open_proposal,
        "author": people.official,
        "department": open_proposal.department,
        "status": "noted",
        "explanation": "x",
        "explanation_html": "<p>x</p>",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialResponse.objects.create(section=section, theme=tag, theme_name="Speed", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialResponse.objects.create(theme=tag, theme_name="", **fields)
    assert str(OfficialResponse.objects.create(section=section, **fields)) == (
        f"Noted by {open_proposal.department_id} on section {section.pk}"
    )


# --- what changed because of a response ------------------------------------------------


@pytest.fixture
def second_version(open_proposal, people):
    """Version 2 changes "Limits" and adds "Exceptions"."""
    limits = open_proposal.sections.get(heading="Limits")
    drafts.section_update(
        actor=people.official, section=limits, heading="Speed limits", body="30 km/h at night."
    )
    added = drafts.section_add(
        actor=people.official, proposal=open_proposal, heading="Exceptions", body="Buses."
    )
    version = versions.version_publish(
        actor=people.official, proposal=open_proposal, change_note="Nights at 30"
    )
    return version, limits, added


def test_a_response_links_to_the_version_and_section_it_changed(
    client, open_proposal, section, people, second_version
):
    version, limits, _added = second_version
    comment = a_comment(people, open_proposal, section)
    response = responses.response_post(
        actor=people.official,
        comment=comment,
        status="partly",
        explanation="Thirty at night.",
        changed_version=version,
        changed_section=limits,
    )
    assert (response.changed_version, response.changed_section) == (version, limits)
    diff = f"/consultations/{open_proposal.slug}/changes/?from=1&amp;to=2"
    expected = f'<a href="{diff}">Changed in version 2: Speed limits</a>'
    assert expected in Event.objects.get(type="response.posted").payload["html"]["en"]
    page = client.get(f"/consultations/{open_proposal.slug}/sections/{section.pk}/")
    assert expected in page.content.decode()
    assert AuditEntry.objects.get(action="response.post").after["changed_version"] == 2


def test_the_first_version_and_a_section_alone_link_where_they_can(open_proposal, section, people):
    first = open_proposal.versions.get()
    one = responses.response_post(
        actor=people.official,
        comment=a_comment(people, open_proposal, section),
        status="accepted",
        explanation="As first published.",
        changed_version=first.pk,
    )
    html = responses.response_fragment(one)["en"]
    assert (
        f'href="/consultations/{open_proposal.slug}/versions/1/">Changed in version 1</a>' in html
    )
    two = responses.response_post(
        actor=people.official,
        comment=a_comment(people, open_proposal, section),
        status="accepted",
        explanation="Being redrafted.",
        changed_section=section.pk,
    )
    html = responses.response_fragment(two)["en"]
    section_page = f"/consultations/{open_proposal.slug}/sections/{section.pk}/"
    assert f'href="{section_page}">Changed: {section.heading}</a>' in html


def test_changes_elsewhere_are_refused_and_nothing_is_written(
    open_proposal, section, people, second_version
):
    _version, _limits, added = second_version
    other = open_consultation(
        official=people.official,
        department=open_proposal.department,
        jurisdiction=open_proposal.jurisdiction,
        title="Another",
    )
    comment = a_comment(people, open_proposal, section)
    first = open_proposal.versions.get(number=1)
    cases = [
        ({"changed_version": other.versions.get()}, "not a version of this consultation"),
        ({"changed_section": other.sections.get()}, "changed section is not part of this"),
        ({"changed_version": first, "changed_section": added}, "“Exceptions” is not in version 1"),
        ({"changed_version": 999_999}, "not a version of this consultation"),
    ]
    for fields, message in cases:
        with pytest.raises(ValidationError, match=message):
            responses.response_post(
                actor=people.official, comment=comment, status="noted", explanation="x", **fields
            )
    assert not OfficialResponse.objects.exists()
    assert not Notification.objects.filter(kind="response").exists()
    assert not AuditEntry.objects.filter(action="response.post").exists()


def test_the_single_respond_form_keeps_a_bad_version_choice(client, open_proposal, section, people):
    comment = a_comment(people, open_proposal, section)
    client.force_login(people.official)
    response = client.post(
        f"/discussion/comments/{comment.pk}/respond/",
        {"status": "noted", "explanation": "Typed", "changed_version": "two"},
    )
    assert response.status_code == 400
    assert "Choose a version from the list." in response.content.decode()
    assert "Typed" in response.content.decode()
    assert not OfficialResponse.objects.exists()


# --- live -------------------------------------------------------------------------------


async def test_a_bulk_and_a_section_response_go_out_live_once_each(open_proposal, section, people):
    first = await sync_to_async(a_comment)(people, open_proposal, section)
    second = await sync_to_async(a_comment)(people, open_proposal, section)
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = WebsocketCommunicator(application, f"/ws/proposals/{open_proposal.pk}/", headers)
    await socket.connect()
    await next_message(socket)
    await sync_to_async(responses.responses_post_bulk)(
        actor=people.official,
        proposal=open_proposal,
        comments=[second, first],
        status="noted",
        explanation="Both read.",
    )
    event = await next_message(socket)
    assert event["type"] == "response.posted"
    assert event["comments"] == [first.pk, second.pk] and event["section"] is None
    await sync_to_async(responses.response_post_section)(
        actor=people.official,
        proposal=open_proposal,
        section=section,
        status="accepted",
        explanation="The whole section.",
    )
    event = await next_message(socket)
    assert (event["comments"], event["section"], event["theme"]) == ([], section.pk, None)
    assert "to the section “Purpose” as a whole" in event["html"]
    await socket.disconnect()


# --- cost -------------------------------------------------------------------------------


def test_section_and_theme_responses_cost_no_query_on_the_discussion_page(
    client, open_proposal, section, people
):
    url = f"/consultations/{open_proposal.slug}/sections/{section.pk}/"
    client.force_login(people.moderator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def answer(n: int) -> None:
        for i in range(n):
            comment = a_comment(people, open_proposal, section)
            curation.comment_theme_add(actor=people.moderator, comment=comment, name=f"T{i}")
            responses.response_post(
                actor=people.official, comment=comment, status="noted", explanation="c"
            )
            responses.response_post_theme(
                actor=people.official,
                proposal=open_proposal,
                theme=Tag.objects.get(name=f"T{i}"),
                status="noted",
                explanation="t",
            )
            responses.response_post_section(
                actor=people.official,
                proposal=open_proposal,
                section=section,
                status="noted",
                explanation="s",
            )

    answer(1)
    small = queries()
    answer(6)
    # The 25 pinned in tests/discussion/comments/test_pages_and_input.py, and
    # one more: with responses on the page, the existence check that spares
    # pages without any the full read is followed by the read itself.
    assert queries() == small == 26


def test_section_responses_add_no_query_per_response_on_the_proposal_page(
    client, open_proposal, people
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(open_proposal.get_absolute_url()).status_code == 200
        return len(captured)

    before = queries()
    for section in open_proposal.sections.all():
        for _ in range(3):
            responses.response_post_section(
                actor=people.official,
                proposal=open_proposal,
                section=section,
                status="noted",
                explanation="s",
            )
    assert queries() == before
