"""Suspensions and bans: who may, what the person can no longer do (and can
again afterwards), their sockets closing at once, hiding their comments in
bulk, the person page for moderators, and the forms without JavaScript."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from bs4 import BeautifulSoup
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asgi import application
from consult.accounts.models import AuditEntry, Role, User
from consult.notifications.models import Notification
from consult.testing.data import bulk_comments, open_consultation
from discussion.comments import services
from discussion.models import Comment, Event
from discussion.moderation import sanctions
from discussion.moderation import services as moderation
from proposals.services import stances
from tests.conftest import PASSWORD
from tests.live_helpers import next_message

pytestmark = pytest.mark.django_db(transaction=True)


def post(proposal, section, author, body="A view", **fields):
    return services.comment_create(
        actor=author, proposal=proposal, section=section, body=body, **fields
    )


@pytest.fixture
def person(open_proposal, section, make_user):
    someone = make_user(display_name="Loud Person")
    post(open_proposal, section, someone, "First words")
    return someone


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def actors(people, make_user, grant, tree, person):
    return {
        "citizen": people.citizen,
        "the_person": person,
        "moderator": people.moderator,  # of the city office, where the person commented
        "parent_moderator": grant(make_user(), tree.ministry, Role.MODERATOR),
        "other_moderator": grant(make_user(), tree.other_ministry, Role.MODERATOR),
        "official": people.official,
        "staff": make_user(is_staff=True),
    }


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("citizen", False),
        ("the_person", False),
        ("moderator", True),
        ("parent_moderator", True),
        ("other_moderator", False),  # the person never commented under that ministry
        ("official", False),
        ("staff", True),
    ],
)
def test_moderators_under_whom_the_person_commented_and_staff_may_sanction(
    who, allowed, actors, person
):
    actor = actors[who]
    if allowed:
        sanctions.user_suspend(actor=actor, person=person, days=3, reason="Insults")
        assert fresh(person).sanctioned()
        sanctions.user_lift(actor=actor, person=person)
        sanctions.user_ban(actor=actor, person=person, reason="Insults again")
        assert fresh(person).banned_at is not None
        assert AuditEntry.objects.filter(actor=actor, action__startswith="user.").count() == 3
    else:
        for act in (
            lambda: sanctions.user_suspend(actor=actor, person=person, days=3, reason="Insults"),
            lambda: sanctions.user_ban(actor=actor, person=person, reason="Insults"),
        ):
            with pytest.raises(PermissionDenied):
                act()
        assert not fresh(person).sanctioned()
        assert not AuditEntry.objects.filter(action__startswith="user.").exists()


def test_staff_admins_may_sanction_someone_who_never_commented_and_moderators_may_not(
    people, make_user
):
    quiet = make_user(display_name="Quiet")
    with pytest.raises(PermissionDenied, match="commented in a consultation you moderate"):
        sanctions.user_ban(actor=people.moderator, person=quiet, reason="No reason to")
    sanctions.user_ban(actor=make_user(is_staff=True), person=quiet, reason="Fraudulent account")
    assert fresh(quiet).banned_at is not None
    # A moderator may not sanction a staff admin, who is managed in the administration.
    staff = make_user(is_staff=True)
    with pytest.raises(PermissionDenied, match="administration"):
        sanctions.user_ban(actor=people.moderator, person=staff, reason="No")


def test_a_suspension_is_saved_audited_and_told_with_its_reason_and_end(people, person):
    before = timezone.now()
    result = sanctions.user_suspend(
        actor=people.moderator, person=person, days="7", reason="  Repeated   insults "
    )
    saved = fresh(person)
    assert saved.sanction_reason == "Repeated insults" and saved.banned_at is None
    assert timedelta(days=7) <= saved.suspended_until - before < timedelta(days=7, minutes=1)
    assert (result.hidden, result.skipped) == (0, 0)
    entry = AuditEntry.objects.get(action="user.suspend")
    assert (entry.actor, entry.target_id, entry.reason) == (
        people.moderator,
        str(person.pk),
        "Repeated insults",
    )
    assert entry.before["suspended_until"] is None
    assert entry.after["suspended_until"] == saved.suspended_until.isoformat()
    note = Notification.objects.get(recipient=person)
    assert note.kind == "moderation"
    assert "Repeated insults" in note.excerpt and "suspended from taking part until" in note.excerpt
    # A second suspension replaces the running one; the log keeps both.
    sanctions.user_suspend(actor=people.moderator, person=person, days=1, reason="Calmer now")
    assert fresh(person).suspended_until < saved.suspended_until
    assert AuditEntry.objects.filter(action="user.suspend").count() == 2


@pytest.mark.parametrize("days", [0, 366, -1, "", "abc", "7.5", "1e3", "9" * 50, None, "٣"])
def test_days_outside_one_to_a_year_are_refused_and_nothing_changes(days, people, person):
    with pytest.raises(ValidationError, match="from 1 to 365"):
        sanctions.user_suspend(actor=people.moderator, person=person, days=days, reason="Rude")
    assert not fresh(person).sanctioned()
    assert not Notification.objects.filter(recipient=person).exists()


def test_a_reason_and_a_known_category_are_required(people, person):
    refusals = [("", "Give the reason"), ("   ", "Give the reason"), ("x" * 301, "300")]
    for reason, message in refusals:
        with pytest.raises(ValidationError, match=message):
            sanctions.user_ban(actor=people.moderator, person=person, reason=reason)
    with pytest.raises(ValidationError, match="category"):
        sanctions.user_ban(actor=people.moderator, person=person, reason="Spam", category="x")
    assert fresh(person).banned_at is None


def test_a_suspended_person_takes_no_part_until_the_period_ends(
    open_proposal, section, people, person
):
    other = post(open_proposal, section, people.citizen, "Someone else's view")
    sanctions.user_suspend(actor=people.moderator, person=person, days=2, reason="Flooding")
    attempts = {
        "comment": lambda: post(open_proposal, section, person, "Still here"),
        "reply": lambda: post(open_proposal, None, person, "Reply", parent=other),
        "vote": lambda: services.comment_vote(actor=person, comment=other, value="agree"),
        "report": lambda: moderation.comment_report(actor=person, comment=other, reason="spam"),
        "stance": lambda: stances.stance_cast(
            actor=person, proposal=open_proposal, value="support"
        ),
    }
    for name, attempt in attempts.items():
        with pytest.raises(PermissionDenied, match="suspended from taking part until") as error:
            attempt()
        assert "Flooding" in str(error.value), name
    assert Comment.objects.filter(author=person).count() == 1
    # The period is over: everything works again without anyone lifting it.
    User.objects.filter(pk=person.pk).update(suspended_until=timezone.now() - timedelta(seconds=1))
    for attempt in attempts.values():
        attempt()
    assert Comment.objects.filter(author=person).count() == 3


def test_a_ban_lasts_until_lifted(open_proposal, section, people, person, make_user):
    sanctions.user_ban(actor=people.moderator, person=person, reason="Threats")
    with pytest.raises(PermissionDenied, match=r"banned from taking part\. Reason given: Threats"):
        post(open_proposal, section, person, "Let me in")
    with pytest.raises(ValidationError, match="already banned"):
        sanctions.user_ban(actor=people.moderator, person=person, reason="Again")
    with pytest.raises(ValidationError, match="lift the ban before suspending"):
        sanctions.user_suspend(actor=people.moderator, person=person, days=3, reason="Less")
    note = Notification.objects.get(recipient=person)
    assert "until further notice" in note.excerpt and "Threats" in note.excerpt
    # A ban is lifted by a site administrator, not by a department's moderator.
    with pytest.raises(PermissionDenied, match="Only a site administrator can lift a ban"):
        sanctions.user_lift(actor=people.moderator, person=person, reason="Apologised")
    assert fresh(person).banned_at is not None
    staff = make_user(is_staff=True)
    sanctions.user_lift(actor=staff, person=person, reason="Apologised")
    post(open_proposal, section, person, "Thank you")
    with pytest.raises(ValidationError, match="neither suspended nor banned"):
        sanctions.user_lift(actor=staff, person=person)
    lifted = AuditEntry.objects.get(action="user.lift")
    assert lifted.before["banned"] is True and lifted.after["banned"] is False
    assert Notification.objects.filter(recipient=person).count() == 2
    assert fresh(person).sanction_reason == ""


def signed_in_client(email: str) -> Client:
    client = Client()
    assert client.login(email=email, password=PASSWORD)
    return client


async def test_suspending_closes_every_open_socket_of_the_person(open_proposal, people, person):
    client = await sync_to_async(signed_in_client)(person.email)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", b"http://127.0.0.1"),
        (b"cookie", cookie.encode()),
    ]
    sockets = [
        WebsocketCommunicator(application, "/ws/me/", headers),
        WebsocketCommunicator(application, f"/ws/proposals/{open_proposal.pk}/", headers),
    ]
    for socket in sockets:
        assert (await socket.connect())[0]
        await next_message(socket)
    await sync_to_async(sanctions.user_suspend)(
        actor=people.moderator, person=person, days=1, reason="Cooling off"
    )
    for socket in sockets:
        while True:
            output = await socket.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                assert output["code"] == 4401
                break


def test_hiding_in_bulk_covers_what_the_moderator_moderates_and_skips_what_another_handles(
    open_proposal, section, people, person, make_user, grant, tree
):
    mod = people.moderator
    second = post(open_proposal, section, person, "Second")
    claimed = post(open_proposal, section, person, "Third, claimed")
    other_moderator = grant(make_user(display_name="Mina"), tree.ministry, Role.MODERATOR)
    moderation.comment_claim(actor=other_moderator, comment=claimed)
    elsewhere_proposal = open_consultation(
        official=grant(make_user(), tree.other_ministry, Role.OFFICIAL),
        department=tree.other_ministry,
        jurisdiction=tree.nation,
        title="Unrelated",
    )
    elsewhere = post(elsewhere_proposal, elsewhere_proposal.sections.first(), person, "Elsewhere")
    first = Comment.objects.get(author=person, body="First words")
    seq = Event.objects.filter(type="comment.hidden").count()

    result = sanctions.user_suspend(
        actor=mod, person=person, days=5, reason="Spam run", hide_comments=True, category="spam"
    )
    assert (result.hidden, result.skipped) == (2, 1)
    hidden = Comment.objects.filter(hidden_at__isnull=False)
    assert set(hidden.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert set(hidden.values_list("hidden_reason", "hidden_category")) == {("Spam run", "spam")}
    assert not Comment.objects.get(pk=claimed.pk).is_hidden
    assert not Comment.objects.get(pk=elsewhere.pk).is_hidden  # not under this moderator
    assert Event.objects.filter(type="comment.hidden").count() == seq + 2
    assert AuditEntry.objects.filter(action="comment.hide", actor=mod).count() == 2


def test_the_person_page_shows_what_the_moderator_moderates_with_a_fixed_query_count(
    client, open_proposal, section, people, person, make_user, grant, tree
):
    elsewhere_proposal = open_consultation(
        official=grant(make_user(), tree.other_ministry, Role.OFFICIAL),
        department=tree.other_ministry,
        jurisdiction=tree.nation,
        title="Unrelated",
    )
    post(elsewhere_proposal, elsewhere_proposal.sections.first(), person, "Not yours to see")
    sanctions.user_suspend(actor=people.moderator, person=person, days=2, reason="Shouting")
    url = f"/discussion/people/{person.pk}/"
    for outsider in (
        people.citizen,
        people.official,
        # Below the consultation's department: a role holds downwards only.
        grant(make_user(), tree.district_office, Role.MODERATOR),
    ):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(people.moderator)
    assert client.get("/discussion/people/999999/").status_code == 404

    def load() -> tuple[int, BeautifulSoup]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), BeautifulSoup(response.content, "html.parser")

    small, page = load()
    text = page.get_text()
    assert "First words" in text and "Not yours to see" not in text
    assert "Suspended until" in text and "Shouting" in text
    assert page.select_one(".sanction-history li").get_text().count("Suspended") == 1
    bulk_comments(proposal=open_proposal, section=section, author=person, count=300)
    large, page = load()
    assert large == small
    assert len(page.select(".data-table tbody tr")) == 25
    # Every field of the forms has a label.
    for field in page.select("form input:not([type=hidden]):not([type=checkbox]), form select"):
        assert page.select_one(f"label[for='{field['id']}']"), field


def test_the_sanction_forms_work_without_javascript_and_keep_what_was_typed(
    client, open_proposal, section, people, person
):
    post(open_proposal, section, person, "Second words")
    client.force_login(people.moderator)
    base = f"/discussion/people/{person.pk}"
    response = client.post(f"{base}/suspend/", {"days": "abc", "reason": "Typed with care"})
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert "from 1 to 365" in page.select_one("[role=alert]").get_text()
    assert page.select_one("#suspend-reason")["value"] == "Typed with care"
    assert not fresh(person).sanctioned()

    response = client.post(
        f"{base}/suspend/", {"days": "3", "reason": "Spam", "hide": "1", "category": "spam"}
    )
    assert response.status_code == 302 and response["Location"] == f"{base}/"
    shown = client.get(response["Location"]).content.decode()
    assert "Loud Person is suspended until" in shown and "2 comments hidden." in shown
    assert Comment.objects.filter(author=person, hidden_category="spam").count() == 2

    response = client.post(f"{base}/lift/", {"reason": "x" * 400})
    assert response.status_code == 400 and "300 characters" in response.content.decode()
    response = client.post(f"{base}/lift/", {"reason": "Done"}, follow=True)
    assert "Loud Person can take part again." in response.content.decode()
    assert client.get(f"{base}/ban/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.moderator)
    assert strict.post(f"{base}/ban/", {"reason": "No token"}).status_code == 403
    assert fresh(person).banned_at is None


def test_people_holding_a_role_are_sanctioned_by_site_administrators_only(
    open_proposal, section, people, make_user, grant, tree
):
    # An official of a parent department who commented in the city's consultation.
    official = grant(make_user(display_name="Senior"), tree.ministry, Role.OFFICIAL)
    post(open_proposal, section, official, "Speaking for the ministry")
    with pytest.raises(PermissionDenied, match="only a site administrator can sanction them"):
        sanctions.user_suspend(actor=people.moderator, person=official, days=3, reason="Rude")
    assert not fresh(official).sanctioned()
    sanctions.user_suspend(actor=make_user(is_staff=True), person=official, days=3, reason="Rude")
    assert fresh(official).sanctioned()


def test_a_suspended_moderator_moderates_nothing(open_proposal, section, people, make_user):
    from discussion import rules

    assert rules.can_moderate(people.moderator, open_proposal)
    User.objects.filter(pk=people.moderator.pk).update(
        suspended_until=timezone.now() + timedelta(days=1)
    )
    assert not rules.can_moderate(fresh(people.moderator), open_proposal)
