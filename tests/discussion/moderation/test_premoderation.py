"""Pre-moderation: which comments wait for a moderator, what a held comment
is (and is not) until it is approved, and the page where moderators set a
consultation's rules."""

import json
import threading
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from consult.accounts.models import AuditEntry, Role
from consult.notifications.models import Notification
from discussion.comments import services
from discussion.live import events
from discussion.models import Comment, Event, ModerationPolicy, Report
from discussion.moderation import policy, premoderation
from discussion.moderation import services as moderation
from discussion.responses import services as responses
from proposals.models import Proposal
from tests.conftest import run_manage
from tests.discussion.conftest import section_url, socket_for
from tests.live_helpers import human, next_message, nothing_more

pytestmark = pytest.mark.django_db(transaction=True)

NO_RULES = {"hold_all": False, "min_account_age_days": 0, "max_links": None, "blocked_terms": {}}


@pytest.fixture(autouse=True)
def _no_deployment_rules(settings):
    """Each test states the deployment's rules it needs, whatever the environment says."""
    settings.CONSULT_PREMODERATION = dict(NO_RULES)


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ")


def set_policy(proposal, **rules) -> ModerationPolicy:
    row, _created = ModerationPolicy.objects.update_or_create(proposal=proposal, defaults=rules)
    return row


def codes(reasons: list[dict]) -> list[str]:
    return [reason["code"] for reason in reasons]


def held_for(proposal, author, body: str, now=None) -> list[str]:
    return codes(premoderation.hold_reasons(author=author, proposal=proposal, body=body, now=now))


# --- the rules, one by one ------------------------------------------------------


def test_a_new_account_is_held_until_it_is_exactly_the_set_age(open_proposal, make_user):
    set_policy(open_proposal, min_account_age_days=3)
    author = make_user()
    joined = author.date_joined
    just_before = joined + timedelta(days=3) - timedelta(seconds=1)
    assert held_for(open_proposal, author, "Hello", now=just_before) == [premoderation.NEW_ACCOUNT]
    assert held_for(open_proposal, author, "Hello", now=joined + timedelta(days=3)) == []
    assert held_for(open_proposal, author, "Hello", now=joined + timedelta(days=30)) == []


def test_no_age_rule_holds_no_one(open_proposal, make_user):
    set_policy(open_proposal, min_account_age_days=0)
    assert held_for(open_proposal, make_user(), "Hello") == []


@pytest.mark.parametrize(
    "body, links",
    [
        ("No links here, e.g. none, see Node.js and 3.14.", 0),
        ("Read https://example.org/a and http://example.net", 2),
        ("A [markdown link](https://example.org) and <https://example.com/x>", 2),
        ("Bare www.example.org and example.com/path and example.org alone", 2),
        ("Strung together: https://a.example,https://b.example,www.c.example", 3),
        ("Full width: ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｏｒｇ", 1),
        ("[www.example.org](https://www.example.org)", 1),
    ],
)
def test_links_are_counted_in_every_form(body, links):
    assert premoderation.count_links(body) == links


def test_more_links_than_allowed_are_held_and_as_many_are_not(open_proposal, make_user):
    set_policy(open_proposal, max_links=2)
    author = make_user()
    two = "See [one](https://one.example) and www.two.example"
    three = two + " and https://three.example/x"
    assert held_for(open_proposal, author, two) == []
    reasons = premoderation.hold_reasons(author=author, proposal=open_proposal, body=three)
    assert reasons == [{"code": premoderation.LINKS, "detail": "3"}]
    set_policy(open_proposal, max_links=0)
    assert held_for(open_proposal, author, "Only www.one.example") == [premoderation.LINKS]
    assert held_for(open_proposal, author, "No link at all") == []


@pytest.mark.parametrize(
    "body, held",
    [
        ("This is a class act", False),  # a word containing the term is another word
        ("Assessment of the plan", False),
        ("What an ass!", True),
        ("ASS", True),
        ("what an ＡＳＳ", True),  # full-width letters
        ("what an a\u200bs\u00ads", True),  # zero-width and soft hyphen inside the word
        ("你是ass吗", True),  # a whole word, even inside unspaced Chinese
        ("Buy   pills, now", True),
        ("buy-pills", True),
        ("buypills today", True),
        ("buy some pills", False),
    ],
)
def test_latin_terms_match_whole_words_only(open_proposal, make_user, body, held):
    set_policy(open_proposal, blocked_terms={"en": ["ass", "buy pills"], "zh-hans": ["buypills"]})
    assert (premoderation.BLOCKED_TERM in held_for(open_proposal, make_user(), body)) is held


@pytest.mark.parametrize(
    "body, held",
    [
        ("你真是个傻瓜吧", True),  # inside unspaced text
        ("你真是个傻 瓜吧", True),  # a space slipped in
        ("你真是个傻，瓜吧", True),  # punctuation slipped in
        ("傻-瓜 and 傻.瓜", True),
        ("傻\u200b瓜", True),  # a zero-width space slipped in
        ("今天天气很好，我们去公园散步。", False),
        ("傻子和西瓜", False),  # the same characters apart are not the term
    ],
)
def test_chinese_terms_match_inside_unspaced_text(open_proposal, make_user, body, held):
    set_policy(open_proposal, blocked_terms={"zh-hans": ["傻瓜"]})
    reasons = premoderation.hold_reasons(author=make_user(), proposal=open_proposal, body=body)
    assert (reasons == [{"code": premoderation.BLOCKED_TERM, "detail": "傻瓜"}]) is held


def test_every_list_applies_to_every_comment(open_proposal, make_user):
    """A comment's language is not declared: an English comment quoting a
    Chinese term is held, and the reason names the term."""
    set_policy(open_proposal, blocked_terms={"zh-hans": ["傻瓜"], "en": ["scam"]})
    reasons = premoderation.hold_reasons(
        author=make_user(), proposal=open_proposal, body="He called me 傻瓜, a SCAM."
    )
    assert sorted(r["detail"] for r in reasons) == ["scam", "傻瓜"]
    assert sorted(premoderation.describe(reasons)) == ["Blocked term: scam", "Blocked term: 傻瓜"]


def test_terms_are_cleaned_before_they_are_kept():
    assert premoderation.clean_terms({"en": ["  buy   pills ", "", "buy pills", "scam"]}) == {
        "en": ["buy pills", "scam"]
    }
    assert premoderation.clean_terms({"en": ["", "  "]}) == {}
    with pytest.raises(ValidationError, match="site's languages"):
        premoderation.clean_terms({"fr": ["arnaque"]})
    with pytest.raises(ValidationError, match="at most 100 characters"):
        premoderation.clean_terms({"en": ["x" * 101]})
    with pytest.raises(ValidationError, match="at most 500 blocked terms"):
        premoderation.clean_terms({"en": [f"term{n}" for n in range(501)]})
    with pytest.raises(ValidationError, match="at least one letter or digit"):
        premoderation.clean_terms({"en": ["!!!"]})


# --- the deployment's rules and the consultation's ------------------------------


def test_the_stricter_of_the_deployment_and_the_consultation_applies(
    settings, open_proposal, make_user
):
    settings.CONSULT_PREMODERATION = {
        "hold_all": False,
        "min_account_age_days": 2,
        "max_links": 5,
        "blocked_terms": {"en": ["scam"]},
    }
    author = make_user()
    now = author.date_joined + timedelta(days=3)
    assert held_for(open_proposal, author, "Fine words", now=now) == []
    set_policy(open_proposal, min_account_age_days=7, max_links=1, blocked_terms={"en": ["fraud"]})
    rules = premoderation.rules_for(open_proposal)
    assert (rules.min_account_age, rules.max_links) == (timedelta(days=7), 1)
    assert held_for(open_proposal, author, "Fine words", now=now) == [premoderation.NEW_ACCOUNT]
    later = author.date_joined + timedelta(days=8)
    assert held_for(open_proposal, author, "a scam and a fraud", now=later) == [
        premoderation.BLOCKED_TERM,
        premoderation.BLOCKED_TERM,
    ]
    assert held_for(open_proposal, author, "www.a.example www.b.example", now=later) == [
        premoderation.LINKS
    ]
    # A looser consultation does not undo the deployment's rules.
    set_policy(open_proposal, min_account_age_days=0, max_links=50, blocked_terms={})
    assert held_for(open_proposal, author, "x", now=author.date_joined) == [
        premoderation.NEW_ACCOUNT
    ]
    assert premoderation.rules_for(open_proposal).max_links == 5


@pytest.mark.parametrize("deployment, consultation", [(True, False), (False, True)])
def test_holding_everything_in_either_place_holds_everything(
    settings, open_proposal, make_user, deployment, consultation
):
    settings.CONSULT_PREMODERATION = {**NO_RULES, "hold_all": deployment}
    set_policy(open_proposal, hold_all=consultation)
    author = make_user(date_joined=timezone.now() - timedelta(days=400))
    assert held_for(open_proposal, author, "Perfectly fine") == [premoderation.HOLD_ALL]


def test_two_terms_with_the_same_letters_both_apply(settings, open_proposal, make_user):
    """ "buy pills" (two words, from the deployment) and "buypills" (one word,
    from the consultation) are different terms, and each holds its own text."""
    settings.CONSULT_PREMODERATION = {**NO_RULES, "blocked_terms": {"en": ["buy pills"]}}
    set_policy(open_proposal, blocked_terms={"en": ["buypills"]})
    author = make_user()
    assert held_for(open_proposal, author, "buypills here") == [premoderation.BLOCKED_TERM]
    assert held_for(open_proposal, author, "buy pills here") == [premoderation.BLOCKED_TERM]


@pytest.mark.parametrize(
    "who, held",
    [
        ("moderator", False),
        ("official", False),
        ("parent_official", False),  # an official of the ministry above
        ("ministry_moderator", False),
        ("other_moderator", True),  # a moderator elsewhere is a citizen here
        ("citizen", True),
    ],
)
def test_moderators_and_officials_of_the_department_are_never_held(
    who, held, open_proposal, people, make_user, grant, tree
):
    set_policy(open_proposal, hold_all=True, min_account_age_days=30, blocked_terms={"en": ["x"]})
    actors = {
        "moderator": people.moderator,
        "official": people.official,
        "parent_official": people.parent_official,
        "ministry_moderator": grant(make_user(), tree.ministry, Role.MODERATOR),
        "other_moderator": grant(make_user(), tree.other_ministry, Role.MODERATOR),
        "citizen": people.citizen,
    }
    comment = services.comment_create(actor=actors[who], proposal=open_proposal, body="x marks")
    assert comment.is_held is held


# --- the deployment's rules come from the environment ------------------------------


def _deployment_rules(env: dict) -> dict:
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.CONSULT_PREMODERATION))"
    )
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_deployment_rules_are_read_from_the_environment(tmp_path):
    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps({"en": [" buy  pills ", ""], "zh-hans": ["傻瓜"]}), "utf-8")
    assert _deployment_rules({}) == NO_RULES
    assert _deployment_rules(
        {
            "PREMODERATION_HOLD_ALL": "true",
            "PREMODERATION_MIN_ACCOUNT_AGE_DAYS": "3",
            "PREMODERATION_MAX_LINKS": "0",
            "PREMODERATION_BLOCKED_TERMS_FILE": str(terms),
        }
    ) == {
        "hold_all": True,
        "min_account_age_days": 3,
        "max_links": 0,
        "blocked_terms": {"en": ["buy pills"], "zh-hans": ["傻瓜"]},
    }


@pytest.mark.parametrize(
    "setting, value, content",
    [
        ("PREMODERATION_BLOCKED_TERMS_FILE", "missing.json", None),
        ("PREMODERATION_BLOCKED_TERMS_FILE", "terms.json", "{not json"),
        ("PREMODERATION_BLOCKED_TERMS_FILE", "terms.json", '["scam"]'),
        ("PREMODERATION_BLOCKED_TERMS_FILE", "terms.json", '{"fr": ["arnaque"]}'),
        ("PREMODERATION_BLOCKED_TERMS_FILE", "terms.json", '{"en": "scam"}'),
        ("PREMODERATION_MAX_LINKS", "many", None),
        ("PREMODERATION_MIN_ACCOUNT_AGE_DAYS", "-1", None),
        ("PREMODERATION_HOLD_ALL", "perhaps", None),
    ],
)
def test_a_wrong_deployment_rule_stops_start_up_with_one_line(tmp_path, setting, value, content):
    if content is not None:
        (tmp_path / value).write_text(content, "utf-8")
    if setting.endswith("_FILE"):
        value = str(tmp_path / value)
    result = run_manage("check", env={setting: value})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and setting in lines[0], result.stderr
    assert "Traceback" not in result.stderr


# --- a held comment -----------------------------------------------------------------


@pytest.fixture
def held(open_proposal, section, make_user):
    """A comment of a new account held under the consultation's rule."""
    set_policy(open_proposal, hold_all=True)
    return services.comment_create(
        actor=make_user(display_name="Newcomer"),
        proposal=open_proposal,
        section=section,
        body="Held words",
    )


def test_a_held_comment_is_shown_to_its_author_only(client, held, open_proposal, section, people):
    assert held.is_held and held.held_reasons == [{"code": premoderation.HOLD_ALL}]
    assert "Held words" not in client.get(section_url(open_proposal, section)).content.decode()
    assert client.get(held.get_absolute_url()).status_code == 404
    client.force_login(people.citizen)
    assert "Held words" not in client.get(section_url(open_proposal, section)).content.decode()
    assert client.get(held.get_absolute_url()).status_code == 404
    client.force_login(held.author)
    for url in (section_url(open_proposal, section), held.get_absolute_url()):
        page = BeautifulSoup(client.get(url).content, "html.parser")
        article = page.select_one(f"#comment-{held.pk}")
        assert "Held words" in article.get_text()
        assert "Awaiting a moderator's review" in article.select_one(".held-note").get_text()


def test_posting_through_the_form_says_the_comment_awaits_review(
    client, open_proposal, section, make_user
):
    set_policy(open_proposal, max_links=0)
    client.force_login(make_user())
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/",
        human(body="See www.example.org", section=section.pk),
        follow=True,
    )
    assert "Your comment is awaiting a moderator's review" in text(response)
    comment = Comment.objects.get()
    assert comment.held_reasons == [{"code": premoderation.LINKS, "detail": "1"}]
    assert not Event.objects.filter(type="comment.created").exists()


async def test_a_held_comment_goes_out_on_no_public_socket(open_proposal, make_user):
    await sync_to_async(set_policy)(open_proposal, hold_all=True)
    author = await sync_to_async(make_user)()
    listener, mine = socket_for(open_proposal), socket_for(open_proposal, user=author)
    for socket in (listener, mine):
        assert (await socket.connect())[0]
        assert (await next_message(socket))["type"] == "hello"
    await mine.send_json_to({**human(), "type": "comment.post", "body": "Quietly", "ref": "h1"})
    answer = await next_message(mine)
    comment = await Comment.objects.aget(body="Quietly")
    assert answer["type"] == "ok" and answer["ref"] == "h1"
    assert answer["held"]["id"] == comment.pk and "Quietly" in answer["held"]["html"]
    assert "Awaiting a moderator's review" in answer["held"]["html"]
    assert await nothing_more(listener, timeout=0.5)
    assert await nothing_more(mine)
    assert not await Event.objects.filter(proposal=open_proposal, type="comment.created").aexists()
    for socket in (listener, mine):
        await socket.disconnect()


def test_approval_publishes_counts_and_tells_everyone_once(open_proposal, section, people):
    parent = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Parent"
    )
    set_policy(open_proposal, min_account_age_days=30)
    replier = people.other_official  # an official elsewhere: a new account here
    activity = Proposal.objects.get(pk=open_proposal.pk).activity_count
    reply = services.comment_create(
        actor=replier, proposal=open_proposal, body="Held reply", parent=parent
    )
    before = events.last_seq(open_proposal.pk)
    assert reply.is_held
    assert Comment.objects.get(pk=parent.pk).reply_count == 0
    assert Proposal.objects.get(pk=open_proposal.pk).activity_count == activity
    assert not Notification.objects.exists()

    moderation.comment_approve(actor=people.moderator, comment=reply)
    assert [e["type"] for e in events.events_since(proposal_id=open_proposal.pk, seq=before)] == [
        "comment.created"
    ]
    assert Comment.objects.get(pk=parent.pk).reply_count == 1
    assert Proposal.objects.get(pk=open_proposal.pk).activity_count == activity + 1
    told = set(Notification.objects.values_list("recipient_id", "kind"))
    assert told == {(people.citizen.pk, "reply"), (replier.pk, "moderation")}
    entry = AuditEntry.objects.get(action="comment.approve")
    assert (entry.actor, entry.scope) == (people.moderator, f"proposal:{open_proposal.pk}")
    assert entry.before["reasons"] == [{"code": premoderation.NEW_ACCOUNT}]
    with pytest.raises(ValidationError, match="not awaiting review"):
        moderation.comment_approve(actor=people.moderator, comment=reply)
    assert Event.objects.filter(type="comment.created", payload__id=reply.pk).count() == 1


def test_two_moderators_approving_at_once_publish_it_once(
    held, open_proposal, people, make_user, grant, tree
):
    moderators = [people.moderator, grant(make_user(), tree.ministry, Role.MODERATOR)]
    barrier = threading.Barrier(len(moderators))
    outcomes: list[str] = []

    def approve(moderator):
        try:
            barrier.wait()
            moderation.comment_approve(actor=moderator, comment=held)
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(m,)) for m in moderators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted(["approved", str(moderation.NOT_HELD)])
    assert Event.objects.filter(type="comment.created", payload__id=held.pk).count() == 1
    assert AuditEntry.objects.filter(action="comment.approve").count() == 1
    assert not Comment.objects.get(pk=held.pk).is_held


def test_a_held_comment_not_published_stays_off_public_pages_with_its_reason(
    client, held, open_proposal, section, people
):
    before = events.last_seq(open_proposal.pk)
    moderation.comment_hide(
        actor=people.moderator, comment=held, reason="Advertising", category="spam"
    )
    assert events.last_seq(open_proposal.pk) == before  # nothing public to take back
    decisions = AuditEntry.objects.filter(action__startswith="comment.")
    assert list(decisions.values_list("action", flat=True)) == ["comment.reject"]
    assert "Advertising" not in client.get(section_url(open_proposal, section)).content.decode()
    client.force_login(held.author)
    page = BeautifulSoup(client.get(held.get_absolute_url()).content, "html.parser")
    text = page.select_one(f"#comment-{held.pk}").get_text(" ", strip=True)
    assert "Not published by a moderator." in text
    assert "Removed by a moderator: Advertising" in text
    assert "Held words" not in text
    with pytest.raises(ValidationError, match="not awaiting review"):
        moderation.comment_approve(actor=people.moderator, comment=held)


def test_no_reply_vote_report_or_response_on_a_held_comment(
    client, held, open_proposal, people, make_user
):
    reader = make_user()
    with pytest.raises(ValidationError, match="reply once it appears"):
        services.comment_create(actor=reader, proposal=open_proposal, body="Re", parent=held)
    with pytest.raises(ValidationError, match="awaiting a moderator's review"):
        services.comment_vote(actor=reader, comment=held, value="agree")
    with pytest.raises(ValidationError, match="awaiting a moderator's review"):
        moderation.comment_report(actor=people.moderator, comment=held, reason="spam")
    with pytest.raises(ValidationError, match="awaiting a moderator's review"):
        responses.response_post(
            actor=people.official, comment=held, status="noted", explanation="Thanks"
        )
    assert not Report.objects.exists() and Comment.objects.count() == 1
    # The author, who sees it, replying through the form: refused, text kept.
    client.force_login(held.author)
    response = client.post(
        f"{open_proposal.get_absolute_url()}comments/", human(body="My own reply", parent=held.pk)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "reply once it appears" in page and "My own reply" in page
    # Everyone else cannot reach it at all.
    client.force_login(reader)
    assert (
        client.post(f"/discussion/comments/{held.pk}/vote/", {"value": "agree"}).status_code == 404
    )
    assert client.post(
        f"/discussion/comments/{held.pk}/report/", {"reason": "spam"}
    ).status_code == (404)


def test_a_held_comment_cannot_be_edited_but_its_author_may_delete_it(
    held, open_proposal, make_user
):
    before = events.last_seq(open_proposal.pk)
    # The moderator approves the words they read: no changing them meanwhile.
    with pytest.raises(ValidationError, match="awaiting review cannot be changed"):
        services.comment_edit(actor=held.author, comment=held, body="Better words")
    assert Comment.objects.get(pk=held.pk).body == held.body
    services.comment_delete(actor=held.author, comment=held)
    deleted = Comment.objects.get(pk=held.pk)
    assert deleted.is_deleted and deleted.is_held
    assert events.last_seq(open_proposal.pk) == before  # never anything public


def test_an_edit_that_would_be_held_is_refused_and_the_words_stay(open_proposal, section, people):
    comment = services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Fair point"
    )
    ModerationPolicy.objects.create(
        proposal=open_proposal, max_links=0, blocked_terms={"zh-hans": ["广告"]}
    )
    before = events.last_seq(open_proposal.pk)
    for body in ("Fair point, see www.example.com/x", "Fair point 广 告"):
        with pytest.raises(ValidationError, match="would need a moderator's review"):
            services.comment_edit(actor=people.citizen, comment=comment, body=body)
    assert Comment.objects.get(pk=comment.pk).body == "Fair point"
    assert events.last_seq(open_proposal.pk) == before
    # A change within the rules goes through as before.
    services.comment_edit(actor=people.citizen, comment=comment, body="Fair point, I think")
    assert Comment.objects.get(pk=comment.pk).body == "Fair point, I think"


# --- the consultation's rules page ---------------------------------------------------------


def policy_url(proposal) -> str:
    return f"{proposal.get_absolute_url()}moderation-policy/"


def form_data(**fields) -> dict:
    base = {
        "min_account_age_days": "",
        "max_links": "",
        "terms_en": "",
        "terms_zh_hans": "",
        "reason": "",
        "version": policy.NEW,
    }
    return {**base, **fields}


def test_a_moderator_sets_the_rules_and_the_change_is_audited(
    client, settings, open_proposal, people
):
    settings.CONSULT_PREMODERATION = {**NO_RULES, "min_account_age_days": 2, "max_links": 4}
    client.force_login(people.moderator)
    page = client.get(policy_url(open_proposal)).content.decode()
    assert "the stricter of the two applies" in page
    assert "Younger than 2 days" in page and "More than 4 links" in page  # the deployment's
    response = client.post(
        policy_url(open_proposal),
        form_data(
            hold_all="on",
            min_account_age_days="7",
            max_links="1",
            terms_en="scam\n  buy   pills \n\nscam",
            terms_zh_hans="傻瓜",
            reason="Campaign of spam",
        ),
        follow=True,
    )
    assert "The rules of this consultation are saved." in response.content.decode()
    row = ModerationPolicy.objects.get(proposal=open_proposal)
    assert (row.hold_all, row.min_account_age_days, row.max_links) == (True, 7, 1)
    assert row.blocked_terms == {"en": ["scam", "buy pills"], "zh-hans": ["傻瓜"]}
    assert row.updated_by == people.moderator
    entry = AuditEntry.objects.get(action="moderation.policy_update")
    assert entry.scope == f"proposal:{open_proposal.pk}" and entry.reason == "Campaign of spam"
    assert entry.before == policy.policy_state(None)
    assert entry.after["terms"] == row.blocked_terms and entry.after["max_links"] == 1
    # The rules in force: the stricter of each.
    text = BeautifulSoup(response.content, "html.parser").select_one("main").get_text(" ")
    assert "Younger than 7 days" in text and "More than 1 link" in text
    # Saving the same again changes nothing and records nothing.
    data = form_data(
        hold_all="on",
        min_account_age_days="7",
        max_links="1",
        terms_en="scam\nbuy pills",
        terms_zh_hans="傻瓜",
        version=policy.policy_version(row),
    )
    response = client.post(policy_url(open_proposal), data, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert AuditEntry.objects.filter(action="moderation.policy_update").count() == 1


@pytest.mark.parametrize(
    "who, status",
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("other_moderator", 403),
        ("official", 200),
        ("moderator", 200),
        ("ministry_moderator", 200),
    ],
)
def test_who_may_see_the_rules_page(
    who, status, client, open_proposal, people, make_user, grant, tree
):
    actors = {
        "citizen": people.citizen,
        "other_moderator": grant(make_user(), tree.other_ministry, Role.MODERATOR),
        "official": people.official,
        "moderator": people.moderator,
        "ministry_moderator": grant(make_user(), tree.ministry, Role.MODERATOR),
    }
    set_policy(open_proposal, blocked_terms={"en": ["secretterm"]})
    if who != "anonymous":
        client.force_login(actors[who])
    response = client.get(policy_url(open_proposal))
    assert response.status_code == status
    page = text(response)
    if status == 302:
        assert "/accounts/login/" in response["Location"]
    if status == 403:
        assert "Only moderators of this consultation's department" in page
    if who == "official":
        assert 'name="version"' not in response.content.decode()
        assert "secretterm" not in page and "English: 1 term" in page
        assert "Only moderators of this consultation's department can change" in page
    if who.endswith("moderator") and status == 200:
        assert "secretterm" in page


def test_an_official_cannot_change_the_rules(client, open_proposal, people):
    client.force_login(people.official)
    response = client.post(policy_url(open_proposal), form_data(hold_all="on"))
    assert response.status_code == 403
    assert not ModerationPolicy.objects.exists()
    assert not AuditEntry.objects.filter(action="moderation.policy_update").exists()
    with pytest.raises(Exception, match="Only moderators"):
        policy.policy_update(
            actor=people.official,
            proposal=open_proposal,
            hold_all=True,
            min_account_age_days=None,
            max_links=None,
            blocked_terms={},
        )


def test_the_rules_page_of_a_draft_or_an_unknown_consultation_is_not_found(client, draft, people):
    client.force_login(people.citizen)
    assert client.get(policy_url(draft)).status_code == 404
    assert client.get("/consultations/no-such-thing/moderation-policy/").status_code == 404
    # A draft is its officials' alone; its moderators set the rules once it
    # is public, before it opens.
    client.force_login(people.moderator)
    assert client.get(policy_url(draft)).status_code == 404
    client.force_login(people.official)
    assert client.get(policy_url(draft)).status_code == 200


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"min_account_age_days": "400"}, "less than or equal to 365"),
        ({"min_account_age_days": "-1"}, "greater than or equal to 0"),
        ({"max_links": "lots"}, "Enter a whole number"),
        ({"max_links": "51"}, "less than or equal to 50"),
        ({"max_links": "9" * 40}, "less than or equal to 50"),
        ({"terms_en": "x" * 101}, "at most 100 characters"),
        ({"terms_en": "ok\n!!!"}, "at least one letter or digit"),
        ({"terms_zh_hans": "词\n" * 40_000}, "at most"),
        ({"reason": "r" * 301}, "at most 300 characters"),
    ],
)
def test_wrong_rules_come_back_with_a_message_and_nothing_lost(
    client, open_proposal, people, fields, message
):
    client.force_login(people.moderator)
    data = form_data(**{"terms_en": "keepme", **fields})
    response = client.post(policy_url(open_proposal), data)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    if "terms_en" not in fields:
        assert "keepme" in page
    assert not ModerationPolicy.objects.exists()
    assert not AuditEntry.objects.filter(action="moderation.policy_update").exists()


def test_the_rules_page_refuses_a_form_without_its_csrf_token(open_proposal, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.moderator)
    response = client.post(policy_url(open_proposal), form_data(hold_all="on"))
    assert response.status_code == 403
    assert not ModerationPolicy.objects.exists()


def test_saving_over_another_moderators_change_is_refused_then_allowed(
    client, open_proposal, people, make_user, grant, tree
):
    other = grant(make_user(display_name="Ana"), tree.ministry, Role.MODERATOR)
    client.force_login(people.moderator)
    drawn = BeautifulSoup(client.get(policy_url(open_proposal)).content, "html.parser")
    version = drawn.select_one("input[name=version]")["value"]
    policy.policy_update(
        actor=other,
        proposal=open_proposal,
        hold_all=False,
        min_account_age_days=None,
        max_links=None,
        blocked_terms={"en": ["theirs"]},
    )
    data = form_data(terms_en="mine", version=version)
    response = client.post(policy_url(open_proposal), data)
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert "Another moderator changed these rules" in page.get_text()
    assert page.select_one("textarea[name=terms_en]").get_text().strip() == "mine"
    assert "theirs" in page.get_text()  # their rules are shown
    assert ModerationPolicy.objects.get().blocked_terms == {"en": ["theirs"]}
    # Saving again, having seen theirs, goes through.
    data["version"] = page.select_one("input[name=version]")["value"]
    client.post(policy_url(open_proposal), data)
    assert ModerationPolicy.objects.get().blocked_terms == {"en": ["mine"]}


def test_two_moderators_saving_at_once_leave_one_policy_and_two_entries(
    open_proposal, people, make_user, grant, tree
):
    moderators = [people.moderator, grant(make_user(), tree.ministry, Role.MODERATOR)]
    barrier = threading.Barrier(len(moderators))
    errors: list[BaseException] = []

    def save(moderator, days):
        try:
            barrier.wait()
            policy.policy_update(
                actor=moderator,
                proposal=open_proposal,
                hold_all=False,
                min_account_age_days=days,
                max_links=None,
                blocked_terms={},
            )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(m, d)) for m, d in zip(moderators, (3, 9), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ModerationPolicy.objects.count() == 1
    first, second = AuditEntry.objects.filter(action="moderation.policy_update").order_by("pk")
    # Each saw the other's: the second's "before" is the first's "after".
    assert second.before == first.after
    assert (
        ModerationPolicy.objects.get().min_account_age_days == second.after["min_account_age_days"]
    )


def test_blocked_terms_are_never_on_public_pages(client, open_proposal, section, people):
    set_policy(open_proposal, blocked_terms={"en": ["hushhush"]})
    client.force_login(people.citizen)
    for url in (
        open_proposal.get_absolute_url(),
        section_url(open_proposal, section),
        f"{open_proposal.get_absolute_url()}discussion/",
        f"{open_proposal.get_absolute_url()}moderation-log/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "hushhush" not in response.content.decode()


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_the_rules_page_shows_hostile_text_harmless(
    client, settings, open_proposal, people, payload
):
    settings.CONSULT_PREMODERATION = {**NO_RULES, "blocked_terms": {"en": [f"site{payload}"]}}
    Proposal.objects.filter(pk=open_proposal.pk).update(title=f"title{payload}")
    people.moderator.display_name = f"name{payload}"
    people.moderator.save()
    set_policy(open_proposal, blocked_terms={"en": [f"term{payload}"]})
    client.force_login(people.moderator)
    page = client.get(policy_url(open_proposal)).content.decode()
    for text in (f"site{payload}", f"title{payload}", f"name{payload}", f"term{payload}"):
        assert text not in page
        assert escape(text) in page
