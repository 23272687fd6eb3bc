"""Appeals: the author of a hidden comment appeals once with a note; another
moderator than the one who hid it decides once; the author is told. Races
between two tabs appealing and two moderators deciding are settled cleanly."""

import threading

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client

from consult.accounts.models import AuditEntry, Role
from consult.notifications.models import Notification
from discussion.comments import services
from discussion.live import events, moderators
from discussion.models import Appeal, Comment
from discussion.moderation import appeals, sanctions
from discussion.moderation import services as moderation
from tests.discussion.conftest import section_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def comment(open_proposal, section, people):
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Blunt but fair"
    )
    moderation.comment_hide(actor=people.moderator, comment=comment, reason="Too harsh")
    return comment


@pytest.fixture
def second_moderator(make_user, grant, tree):
    return grant(make_user(display_name="Second"), tree.ministry, Role.MODERATOR)


@pytest.fixture
def announced(monkeypatch):
    """What the moderators' queue was told, after commit."""
    sent = []
    monkeypatch.setattr(moderators, "_send", lambda groups, message: sent.append((groups, message)))
    return sent


def test_the_author_appeals_once_with_a_note_and_the_queue_is_told(
    comment, people, announced, tree
):
    appeal = appeals.appeal_create(actor=people.citizen, comment=comment, note="  It was fair  ")
    assert (appeal.note, appeal.author, appeal.hidden_by) == (
        "It was fair",
        people.citizen,
        people.moderator,
    )
    groups, message = announced[-1]
    assert message["change"] == "appealed" and message["comment"] == comment.pk
    assert {f"moderators.{tree.city_office.pk}", f"moderators.{tree.ministry.pk}"} <= set(groups)
    with pytest.raises(ValidationError, match="already appealed"):
        appeals.appeal_create(actor=people.citizen, comment=comment, note="Please, again")
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    "note, message",
    [("", "why the comment should be shown"), ("  \n ", "why"), ("x" * 1001, "1000 characters")],
)
def test_an_appeal_needs_a_note_of_at_most_a_thousand_characters(comment, people, note, message):
    with pytest.raises(ValidationError, match=message):
        appeals.appeal_create(actor=people.citizen, comment=comment, note=note)
    appeals.appeal_create(actor=people.citizen, comment=comment, note="x" * 1000)


def test_only_the_author_of_a_hidden_comment_appeals(
    comment, open_proposal, section, people, make_user
):
    for other in (make_user(), people.moderator, people.official):
        with pytest.raises(PermissionDenied, match="Only the author"):
            appeals.appeal_create(actor=other, comment=comment, note="Not mine")
    public = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Visible"
    )
    with pytest.raises(ValidationError, match="not hidden"):
        appeals.appeal_create(actor=people.citizen, comment=public, note="Nothing to appeal")
    assert not Appeal.objects.exists()


def test_comments_hidden_by_reports_or_not_published_can_be_appealed_too(
    open_proposal, section, people, make_user, settings, second_moderator
):
    reported = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Reported"
    )
    for _ in range(3):
        moderation.comment_report(actor=make_user(), comment=reported, reason="spam")
    appeal = appeals.appeal_create(actor=people.citizen, comment=reported, note="Not spam")
    assert appeal.hidden_by is None  # hidden by readers' reports: any moderator decides

    settings.CONSULT_PREMODERATION = {"hold_all": True}
    held = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Held"
    )
    moderation.comment_hide(actor=people.moderator, comment=held, reason="Off topic")
    assert Comment.objects.get(pk=held.pk).is_held  # rejected, never published
    appeals.appeal_create(actor=people.citizen, comment=held, note="It is on topic")
    appeals.appeal_decide(actor=second_moderator, comment=held, outcome="restored", note="Ok")
    assert Comment.objects.get(pk=held.pk).is_public  # restoring it publishes it
    assert Appeal.objects.count() == 2


def test_the_moderator_who_hid_it_may_not_decide_and_a_different_one_restores(
    comment, open_proposal, people, second_moderator, announced
):
    appeals.appeal_create(actor=people.citizen, comment=comment, note="It was fair")
    with pytest.raises(PermissionDenied, match="another moderator must decide"):
        appeals.appeal_decide(actor=people.moderator, comment=comment, outcome="restored", note="-")
    before = events.last_seq(open_proposal.pk)
    appeals.appeal_decide(
        actor=second_moderator, comment=comment, outcome="restored", note="Harsh, not abusive"
    )
    restored = Comment.objects.get(pk=comment.pk)
    assert restored.is_public
    assert [e["type"] for e in events.events_since(proposal_id=open_proposal.pk, seq=before)] == [
        "comment.restored"
    ]
    appeal = Appeal.objects.get()
    assert (appeal.outcome, appeal.decided_by, appeal.decision_note) == (
        "restored",
        second_moderator,
        "Harsh, not abusive",
    )
    note = Notification.objects.filter(recipient=people.citizen).latest("pk")
    assert note.kind == "moderation"
    assert "appeal was accepted" in note.excerpt and "Harsh, not abusive" in note.excerpt
    entry = AuditEntry.objects.get(action="appeal.decide")
    assert (entry.actor, entry.after["outcome"], entry.scope) == (
        second_moderator,
        "restored",
        f"proposal:{open_proposal.pk}",
    )
    assert announced[-1][1]["change"] == "resolved"
    with pytest.raises(ValidationError, match="Second has already decided this appeal: Restored"):
        appeals.appeal_decide(actor=second_moderator, comment=comment, outcome="upheld", note="x")


def test_upholding_keeps_it_hidden_and_tells_the_author_why(comment, people, second_moderator):
    appeals.appeal_create(actor=people.citizen, comment=comment, note="It was fair")
    appeals.appeal_decide(
        actor=second_moderator, comment=comment, outcome="upheld", note="Name-calling"
    )
    assert Comment.objects.get(pk=comment.pk).hidden_reason == "Too harsh"
    note = Notification.objects.filter(recipient=people.citizen).latest("pk")
    assert "not accepted" in note.excerpt and "Name-calling" in note.excerpt


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("author", False),
        ("citizen", False),
        ("hider", False),  # the moderator who hid it
        ("parent_moderator", True),
        ("same_department_moderator", True),
        ("other_moderator", False),
        ("official", False),
    ],
)
def test_who_decides_an_appeal(who, allowed, comment, people, make_user, grant, tree):
    appeals.appeal_create(actor=people.citizen, comment=comment, note="Please look again")
    actor = {
        "author": people.citizen,
        "citizen": make_user(),
        "hider": people.moderator,
        "parent_moderator": grant(make_user(), tree.ministry, Role.MODERATOR),
        "same_department_moderator": grant(make_user(), tree.city_office, Role.MODERATOR),
        "other_moderator": grant(make_user(), tree.other_ministry, Role.MODERATOR),
        "official": people.official,
    }[who]
    decide = lambda: appeals.appeal_decide(  # noqa: E731
        actor=actor, comment=comment, outcome="upheld", note="Seen"
    )
    if allowed:
        decide()
        assert Appeal.objects.get().outcome == "upheld"
    else:
        with pytest.raises(PermissionDenied):
            decide()
        assert Appeal.objects.get().decided_at is None


def test_a_decision_needs_a_known_outcome_and_a_note(comment, people, second_moderator):
    appeals.appeal_create(actor=people.citizen, comment=comment, note="Please")
    for outcome, note, message in [
        ("pardon", "x", "restore the comment or uphold"),
        ("", "x", "restore the comment or uphold"),
        ("upheld", "  ", "note the author will read"),
        ("upheld", "x" * 501, "500 characters"),
    ]:
        with pytest.raises(ValidationError, match=message):
            appeals.appeal_decide(
                actor=second_moderator, comment=comment, outcome=outcome, note=note
            )
    assert Appeal.objects.get().decided_at is None
    other = Comment.objects.create(
        proposal=comment.proposal, author=people.citizen, body="x", body_html="x"
    )
    with pytest.raises(ValidationError, match="no appeal"):
        appeals.appeal_decide(actor=second_moderator, comment=other, outcome="upheld", note="x")


def run_at_once(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
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


def test_two_tabs_appealing_at_once_make_one_appeal(comment, people):
    outcomes = run_at_once(
        *[
            (lambda n=n: appeals.appeal_create(actor=people.citizen, comment=comment, note=f"#{n}"))
            for n in range(4)
        ]
    )
    made = [o for o in outcomes if isinstance(o, Appeal)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(made) == 1 and len(refused) == 3
    assert all("already appealed" in " ".join(r.messages) for r in refused)
    assert Appeal.objects.count() == 1


def test_two_moderators_deciding_at_once_one_wins_and_the_other_is_told(
    comment, people, second_moderator, make_user, grant, tree
):
    third = grant(make_user(display_name="Third"), tree.city_office, Role.MODERATOR)
    appeals.appeal_create(actor=people.citizen, comment=comment, note="Please")
    outcomes = run_at_once(
        lambda: appeals.appeal_decide(
            actor=second_moderator, comment=comment, outcome="restored", note="Fine"
        ),
        lambda: appeals.appeal_decide(actor=third, comment=comment, outcome="upheld", note="No"),
    )
    winners = [o for o in outcomes if isinstance(o, Appeal)]
    losers = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1
    assert "has already decided this appeal" in " ".join(losers[0].messages)
    appeal = Appeal.objects.get()
    assert appeal.outcome == winners[0].outcome
    assert Comment.objects.get(pk=comment.pk).is_hidden == (appeal.outcome == "upheld")
    assert AuditEntry.objects.filter(action="appeal.decide").count() == 1
    assert Notification.objects.filter(key__startswith="appeal:").count() == 1


def test_a_suspended_author_may_still_appeal(comment, people):
    sanctions.user_suspend(actor=people.moderator, person=people.citizen, days=3, reason="Harsh")
    appeals.appeal_create(actor=people.citizen, comment=comment, note="I disagree")
    assert Appeal.objects.count() == 1


def test_the_author_appeals_from_the_page_and_then_sees_where_it_stands(
    client, comment, open_proposal, section, people, second_moderator
):
    url = section_url(open_proposal, section)
    client.force_login(people.citizen)
    page = BeautifulSoup(client.get(url).content, "html.parser")
    box = page.select_one(f"#comment-{comment.pk} .appeal-form-box")
    assert box.summary.get_text() == "Appeal"
    form = box.form
    assert form["action"] == f"/discussion/comments/{comment.pk}/appeal/"
    assert page.select_one(f"label[for='{form.textarea['id']}']")

    response = client.post(form["action"], {"note": "x" * 1500})
    assert response.status_code == 400
    assert "1000 characters" in response.content.decode()
    assert BeautifulSoup(response.content, "html.parser").textarea.get_text() == "x" * 1500

    response = client.post(form["action"], {"note": "It was fair comment"})
    assert response.status_code == 302 and response["Location"] == comment.url_in_context()
    page = client.get(url).content.decode()
    assert "Your appeal is sent." in page and "Your appeal is under review." in page
    response = client.post(form["action"], {"note": "Again"})
    assert "already appealed" in response.content.decode()

    appeals.appeal_decide(actor=second_moderator, comment=comment, outcome="upheld", note="Rude")
    page = BeautifulSoup(client.get(url).content, "html.parser")
    status = page.select_one(f"#comment-{comment.pk} .appeal-status").get_text()
    assert status == "Your appeal was not accepted (hiding upheld): Rude"
    # Nobody else sees the appeal box or its status.
    client.force_login(second_moderator)
    assert "appeal-form-box" not in client.get(url).content.decode()
    assert client.get(f"/discussion/comments/{comment.pk}/appeal/").status_code == 404


def test_a_moderator_decides_from_the_decision_page(
    client, comment, open_proposal, section, people, second_moderator
):
    appeals.appeal_create(actor=people.citizen, comment=comment, note="Fair <b>comment</b>")
    decide = f"/discussion/comments/{comment.pk}/appeal/decide/"
    client.force_login(people.moderator)
    page = BeautifulSoup(client.get(section_url(open_proposal, section)).content, "html.parser")
    link = page.select_one(f"#comment-{comment.pk} .appeal-note a")
    assert link["href"] == decide
    own = client.get(decide).content.decode()
    assert "another moderator must decide" in own and 'name="outcome"' not in own

    for outsider in (people.citizen, people.official):
        client.force_login(outsider)
        assert client.get(decide).status_code == 403
    assert Client().get(decide).status_code == 302  # to sign in

    client.force_login(second_moderator)
    page = client.get(decide).content.decode()
    assert "Blunt but fair" in page and "Fair &lt;b&gt;comment&lt;/b&gt;" in page
    response = client.post(decide, {"outcome": "restored", "note": ""})
    assert response.status_code == 400 and "note the author will read" in response.content.decode()
    response = client.post(decide, {"outcome": "restored", "note": "Fair enough"})
    assert response.status_code == 302 and response["Location"] == decide
    shown = client.get(decide).content.decode()
    assert "The comment is restored and its author is told." in shown
    assert "Decided by Second: Restored. Fair enough" in shown
    assert Comment.objects.get(pk=comment.pk).is_public
    assert client.get("/discussion/comments/999999/appeal/decide/").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(second_moderator)
    assert strict.post(decide, {"outcome": "upheld", "note": "x"}).status_code == 403


def test_restoring_or_deleting_answers_an_open_appeal(comment, people, second_moderator):
    appeals.appeal_create(actor=people.citizen, comment=comment, note="I was fair.")
    moderation.comment_restore(actor=second_moderator, comment=comment)
    appeal = Appeal.objects.get(comment=comment)
    assert appeal.decided_at is not None and appeal.outcome == "restored"
    assert appeal.decided_by == second_moderator


def test_the_author_deleting_withdraws_an_open_appeal(comment, people):
    appeals.appeal_create(actor=people.citizen, comment=comment, note="I was fair.")
    services.comment_delete(actor=people.citizen, comment=comment)
    assert not Appeal.objects.filter(comment=comment).exists()


def test_upholding_a_hide_by_reports_makes_it_a_moderators_decision(
    open_proposal, section, people, make_user, second_moderator
):
    reported = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Sharp words"
    )
    for _ in range(3):
        moderation.comment_report(actor=make_user(), comment=reported, reason="abuse")
    reported.refresh_from_db()
    assert reported.hidden_pending_review
    appeals.appeal_create(actor=people.citizen, comment=reported, note="Not abuse.")
    appeals.appeal_decide(
        actor=second_moderator, comment=reported, outcome="upheld", note="Personal attack"
    )
    reported.refresh_from_db()
    assert reported.is_hidden and not reported.hidden_pending_review
    assert reported.hidden_reason == "Personal attack"
    assert not reported.reports.filter(resolved_at__isnull=True).exists()


def test_a_moderator_does_not_decide_on_their_own_comment(
    open_proposal, section, people, second_moderator
):
    own = services.comment_create(
        actor=people.moderator, proposal=open_proposal, section=section, body="My view"
    )
    moderation.comment_hide(actor=second_moderator, comment=own, reason="Off topic")
    with pytest.raises(PermissionDenied, match="cannot moderate your own comment"):
        moderation.comment_restore(actor=people.moderator, comment=own)
    appeals.appeal_create(actor=people.moderator, comment=own, note="It was on topic.")
    with pytest.raises(PermissionDenied):
        appeals.appeal_decide(
            actor=people.moderator, comment=own, outcome="restored", note="Fine after all"
        )
    assert Comment.objects.get(pk=own.pk).is_hidden


def test_a_nul_byte_in_a_note_is_dropped_not_a_server_error(comment, people):
    appeal = appeals.appeal_create(actor=people.citizen, comment=comment, note="fair\x00 enough")
    assert appeal.note == "fair enough"
