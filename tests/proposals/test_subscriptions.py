"""Following a topic, a department or a place: who may, what is refused, and
who is told (once, in their language, by email as they chose) when a
consultation there opens, closes within three days, or has its report."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from consult.accounts import services as account_services
from consult.infra import ratelimit
from consult.infra.translations import set_translation
from consult.notifications.models import Delivery, Notification, Preference
from consult.notifications.tasks import digests_send
from proposals.models import Follow, Proposal, Subscription, Topic
from proposals.services import drafts, followers, lifecycle, versions
from proposals.services.subscriptions import (
    NOT_FOUND,
    subscription_follow,
    subscription_unfollow,
)
from proposals.tasks import closing_soon_notify
from tests.notifications.conftest import sent_to

TITLE = "Safer streets near schools"
TITLE_ZH = "学校附近更安全的街道"
SET = "/accounts/following/set/"
INDEX = "/accounts/following/"


@pytest.fixture
def riverton(tree):
    """Riverton, a city of the nation, and North Bank, a district of it."""
    city = account_services.jurisdiction_create(
        actor=None, name="Riverton", slug="riverton", level="city", parent=tree.nation
    )
    district = account_services.jurisdiction_create(
        actor=None, name="North Bank", slug="north-bank", level="district", parent=city
    )
    return city, district


def subscribe(user, **target) -> Subscription:
    if "topic" in target:
        slug = target["topic"]
        target["topic"] = Tag.objects.filter(slug=slug).first() or Tag.objects.create(
            name=slug, slug=slug
        )
    return Subscription.objects.create(user=user, **target)


def district_draft(people, tree, riverton, *, tags=("transport",)) -> Proposal:
    """A draft of the district office (below the city office, below the
    ministry) for North Bank, with a published version."""
    proposal = drafts.proposal_create(
        actor=people.official,
        department=tree.district_office,
        jurisdiction=riverton[1],
        title=TITLE,
        summary="A 20 km/h limit near schools.",
        tags=list(tags),
    )
    drafts.section_add(actor=people.official, proposal=proposal, heading="Limits", body="20.")
    versions.version_publish(actor=people.official, proposal=proposal, change_note="First.")
    proposal.refresh_from_db()
    return proposal


def open_now(people, proposal, capture) -> None:
    now = timezone.now()
    with capture(execute=True):
        lifecycle.proposal_schedule(
            actor=people.official,
            proposal=proposal,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=30),
        )
    proposal.refresh_from_db()


def prefer(user, **choices) -> None:
    Preference.objects.update_or_create(user=user, defaults=choices)


def told(user, kind: str = "opened") -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


# --- following and stopping --------------------------------------------------


def test_a_citizen_follows_and_stops_following_a_topic_a_department_and_a_place(
    open_proposal, people, tree
):
    citizen = people.citizen
    for kind, slug in (("topic", "transport"), ("department", "ministry"), ("place", "city")):
        subscription_follow(actor=citizen, kind=kind, slug=slug)
        subscription_follow(actor=citizen, kind=kind, slug=slug)  # again: nothing more
    rows = Subscription.objects.filter(user=citizen)
    assert rows.count() == 3
    assert {str(row.target) for row in rows} == {"transport", "Ministry", "City"}

    for kind, slug in (("topic", "transport"), ("department", "ministry"), ("place", "city")):
        subscription_unfollow(actor=citizen, kind=kind, slug=slug)
        subscription_unfollow(actor=citizen, kind=kind, slug=slug)  # again: no error
    assert not Subscription.objects.filter(user=citizen).exists()


@pytest.mark.parametrize(
    ("kind", "slug", "words"),
    [
        ("topic", "no-such-topic", "No public consultation has the topic “no-such-topic”"),
        ("department", "nowhere", "There is no department “nowhere”."),
        ("place", "atlantis", "There is no place “atlantis”."),
        ("topic", "", "No public consultation has the topic “”"),
    ],
)
def test_following_what_does_not_exist_is_refused_and_nothing_is_written(
    open_proposal, people, kind, slug, words
):
    with pytest.raises(ValidationError) as refused:
        subscription_follow(actor=people.citizen, kind=kind, slug=slug)
    assert refused.value.code == NOT_FOUND
    assert words in refused.value.messages[0]
    assert not Subscription.objects.exists()


def test_a_topic_only_drafts_carry_reads_as_unknown(draft, people):
    """A draft's topic is nobody's business: "no such topic", as for any other."""
    with pytest.raises(ValidationError) as refused:
        subscription_follow(actor=people.citizen, kind="topic", slug="transport")
    assert refused.value.messages == [
        "No public consultation has the topic “transport”, so it cannot be followed."
    ]
    assert not Subscription.objects.exists()
    # Stopping is refused alike: the answer tells it from no topic at all.
    with pytest.raises(ValidationError) as unfollowed:
        subscription_unfollow(actor=people.citizen, kind="topic", slug="transport")
    assert unfollowed.value.messages == refused.value.messages


def test_an_unknown_kind_of_target_is_refused(open_proposal, people):
    with pytest.raises(ValidationError) as refused:
        subscription_follow(actor=people.citizen, kind="person", slug="transport")
    assert refused.value.messages == ["Choose a topic, a department or a place to follow."]
    assert not Subscription.objects.exists()


def test_only_a_signed_in_active_person_may_follow(open_proposal, people, make_user):
    gone = make_user(is_active=False)
    for actor in (people.anonymous, gone):
        with pytest.raises(PermissionDenied, match="Sign in to take part"):
            subscription_follow(actor=actor, kind="place", slug="city")
    assert not Subscription.objects.exists()


def test_a_suspended_or_banned_person_may_still_follow_as_they_may_follow_a_consultation(
    open_proposal, make_user
):
    """Following is reading, not taking part: as followers.follow_set has it."""
    suspended = make_user(suspended_until=timezone.now() + timedelta(days=3))
    banned = make_user(banned_at=timezone.now())
    for person in (suspended, banned):
        followers.follow_set(actor=person, proposal=open_proposal, following=True)
        subscription_follow(actor=person, kind="place", slug="city")
    assert Subscription.objects.count() == 2


def test_following_too_often_is_refused_with_the_wait(open_proposal, people, monkeypatch):
    monkeypatch.setitem(ratelimit.DEFAULT_RATES, "subscription", {"user": ["2/60"]})
    subscription_follow(actor=people.citizen, kind="place", slug="city")
    subscription_follow(actor=people.citizen, kind="place", slug="nation")
    with pytest.raises(ratelimit.RateLimited, match="You are doing that too often"):
        subscription_follow(actor=people.citizen, kind="department", slug="ministry")
    assert Subscription.objects.count() == 2


# --- the pages ------------------------------------------------------------------


def test_the_list_filtered_by_a_topic_offers_to_follow_it_and_the_button_does(
    client, open_proposal, people
):
    url = "/consultations/?topic=transport&jurisdiction=city"
    assert "Follow the topic" not in client.get(url).content.decode()  # anonymous: no button

    client.force_login(people.citizen)
    page = client.get(url).content.decode()
    assert "Follow the topic “transport”" in page and "Follow the place “City”" in page
    response = client.post(SET, {"kind": "topic", "slug": "transport", "follow": "1", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert Subscription.objects.get(user=people.citizen).topic.slug == "transport"
    page = client.get(url).content.decode()
    assert "You now follow transport" in page
    assert "Stop following the topic “transport”" in page


def test_the_consultation_page_offers_its_topics_department_and_place(
    client, open_proposal, people
):
    subscribe(people.citizen, department=open_proposal.department)
    client.force_login(people.citizen)
    page = client.get(open_proposal.get_absolute_url()).content.decode()
    for words in (
        "Follow the topic “transport”",
        "Follow the topic “road safety”",
        "Stop following the department “City office”",
        "Follow the place “City”",
    ):
        assert words in page


def test_a_draft_page_offers_nothing_to_follow(client, draft, people):
    client.force_login(people.official)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Follow the topic" not in page


def test_refusals_on_the_page_say_why_with_the_right_status(client, open_proposal, people):
    client.force_login(people.citizen)
    unknown = client.post(SET, {"kind": "place", "slug": "atlantis", "follow": "1"})
    assert unknown.status_code == 404
    assert "There is no place “atlantis”." in unknown.content.decode()
    wrong = client.post(SET, {"kind": "nothing", "slug": "x"})
    assert wrong.status_code == 400
    assert "Choose a topic, a department or a place to follow." in wrong.content.decode()
    assert not Subscription.objects.exists()


def test_an_anonymous_post_is_sent_to_sign_in_and_writes_nothing(client, open_proposal):
    response = client.post(SET, {"kind": "place", "slug": "city"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Subscription.objects.exists()


def test_the_page_of_what_one_follows_lists_names_in_the_readers_language(
    client, open_proposal, people, tree
):
    topic = Topic.objects.create(tag=Tag.objects.get(slug="transport"))
    set_translation(topic, "zh-hans", name="交通")
    topic.save()
    set_translation(tree.city, "zh-hans", name="城市")
    tree.city.save()
    for kind, slug in (("topic", "transport"), ("topic", "road-safety"), ("place", "city")):
        subscription_follow(actor=people.citizen, kind=kind, slug=slug)
    client.force_login(people.citizen)
    assert INDEX in client.get("/notifications/preferences/").content.decode()

    page = client.get(INDEX, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "交通" in page and "城市" in page
    # A topic without names of its own: the tag's, marked as not yet translated.
    assert '<span lang="en">road safety</span>' in page

    response = client.post(SET, {"kind": "place", "slug": "city", "follow": "0"}, follow=True)
    assert response.redirect_chain == [(INDEX, 302)]
    assert Subscription.objects.filter(user=people.citizen).count() == 2


def test_the_form_of_what_one_follows_offers_only_public_topics(
    client, open_proposal, people, make_proposal
):
    make_proposal(title="Hidden", status="draft").tags.add("secret-plans")
    client.force_login(people.citizen)
    page = client.get(INDEX).content.decode()
    assert 'value="transport"' in page and 'value="secret-plans"' not in page
    assert 'value="ministry"' in page and 'value="city"' in page


# --- who is told ----------------------------------------------------------------


def test_an_opening_in_a_district_tells_the_city_the_department_above_and_the_topic_once_each(
    people, tree, riverton, make_user, django_capture_on_commit_callbacks
):
    proposal = district_draft(people, tree, riverton)
    city_sub = subscribe(make_user(), jurisdiction=riverton[0]).user
    ministry_sub = subscribe(make_user(), department=tree.ministry).user
    topic_sub = subscribe(make_user(), topic="transport").user
    Follow.objects.create(proposal=proposal, user=topic_sub)  # and a follower too
    subscribe(topic_sub, jurisdiction=riverton[1])  # and of the district itself
    elsewhere = make_user()
    subscribe(elsewhere, jurisdiction=tree.city)
    subscribe(elsewhere, department=tree.other_ministry)
    subscribe(elsewhere, topic="parks")
    subscribe(people.official, topic="transport")  # the one who opens it

    open_now(people, proposal, django_capture_on_commit_callbacks)

    for person in (city_sub, ministry_sub, topic_sub):
        [notification] = told(person)
        assert notification.subject == TITLE
        assert notification.url == proposal.get_absolute_url()
        assert len(sent_to(person)) == 1
    assert told(elsewhere) == [] and told(people.official) == []
    assert sent_to(elsewhere) == []


def test_a_new_version_is_for_followers_only(
    open_proposal, people, make_user, django_capture_on_commit_callbacks
):
    subscriber = subscribe(make_user(), topic="transport").user
    follower = make_user()
    Follow.objects.create(proposal=open_proposal, user=follower)
    section = open_proposal.sections.first()
    with django_capture_on_commit_callbacks(execute=True):
        drafts.section_update(
            actor=people.official, section=section, heading=section.heading, body="Slower."
        )
        versions.version_publish(actor=people.official, proposal=open_proposal, change_note="2")
    assert len(told(follower, "version")) == 1
    assert told(subscriber, "version") == []


def test_a_draft_tells_no_subscriber(draft, people, make_user):
    """Should anything ever tell of a draft, its topics and place stay unsaid."""
    draft = Proposal.objects.select_related("department", "jurisdiction").get(pk=draft.pk)
    subscriber = subscribe(make_user(), topic="transport").user
    follower = make_user()
    Follow.objects.create(proposal=draft, user=follower)
    followers.followers_tell(draft, kind="opened", key=f"opened:{draft.pk}")
    assert told(subscriber) == [] and len(told(follower)) == 1


def test_closing_within_three_days_tells_subscribers_once(
    open_proposal, make_user, django_capture_on_commit_callbacks
):
    Proposal.objects.filter(pk=open_proposal.pk).update(
        closes_at=timezone.now() + timedelta(days=2)
    )
    subscriber = subscribe(make_user(), jurisdiction=open_proposal.jurisdiction).user
    with django_capture_on_commit_callbacks(execute=True):
        assert closing_soon_notify.call() == 1
        assert closing_soon_notify.call() == 0
    [message] = sent_to(subscriber)
    assert message.subject == f"“{TITLE}” closes within three days"


@pytest.mark.django_db(transaction=True)
def test_a_published_report_tells_subscribers_in_their_language(open_proposal, people, make_user):
    from consult.reports.report.drafting import report_draft
    from consult.reports.report.publishing import report_publish
    from consult.reports.summary.services import summary_start

    subscriber = subscribe(make_user(), department=open_proposal.department).user
    chinese = subscribe(make_user(), topic="road-safety").user
    prefer(chinese, language="zh-hans")
    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done.")
    summary_start(actor=people.official, proposal=open_proposal)
    report = report_draft(actor=people.official, proposal=open_proposal)
    mail.outbox.clear()

    report_publish(actor=people.official, report=report)

    [message] = sent_to(subscriber)
    assert message.subject == f"The response report of “{TITLE}” is published"
    [notification] = told(subscriber, "report")
    assert notification.url == f"/consultations/{open_proposal.slug}/report/"
    assert notification.excerpt == "The official response report has been published."
    [in_chinese] = told(chinese, "report")
    assert in_chinese.excerpt != notification.excerpt and in_chinese.subject == TITLE


def test_a_chinese_reader_is_told_the_chinese_title_where_written(
    people, tree, riverton, make_user, django_capture_on_commit_callbacks
):
    proposal = district_draft(people, tree, riverton)
    set_translation(proposal, "zh-hans", title=TITLE_ZH, summary="学校附近限速20公里。")
    proposal.save()
    chinese = subscribe(make_user(), topic="transport").user
    prefer(chinese, language="zh-hans")
    english = subscribe(make_user(), jurisdiction=riverton[0]).user
    last_used = subscribe(make_user(), jurisdiction=riverton[0]).user
    prefer(last_used, last_language="zh-hans")

    open_now(people, proposal, django_capture_on_commit_callbacks)

    assert told(chinese)[0].subject == TITLE_ZH
    assert told(chinese)[0].excerpt == "学校附近限速20公里。"
    assert told(last_used)[0].subject == TITLE_ZH
    assert told(english)[0].subject == TITLE
    [message] = sent_to(chinese)
    assert message.subject == f"“{TITLE_ZH}”已开始征求意见：欢迎发表看法"
    assert sent_to(english)[0].subject == f"“{TITLE}” is open: have your say"


def test_without_a_chinese_title_a_chinese_reader_is_told_the_english_one(
    people, tree, riverton, make_user, django_capture_on_commit_callbacks
):
    proposal = district_draft(people, tree, riverton)
    chinese = subscribe(make_user(), topic="transport").user
    prefer(chinese, language="zh-hans")
    open_now(people, proposal, django_capture_on_commit_callbacks)
    assert told(chinese)[0].subject == TITLE
    assert sent_to(chinese)[0].subject == f"“{TITLE}”已开始征求意见：欢迎发表看法"


def test_subscribers_emails_follow_their_preferences(
    people, tree, riverton, make_user, django_capture_on_commit_callbacks
):
    proposal = district_draft(people, tree, riverton)
    people_by_choice = {}
    for delivery in Delivery.values:
        person = subscribe(make_user(), jurisdiction=riverton[0]).user
        prefer(person, delivery=delivery)
        people_by_choice[delivery] = person
    muted = subscribe(make_user(), jurisdiction=riverton[0]).user
    prefer(muted, email={"opened": False})

    open_now(people, proposal, django_capture_on_commit_callbacks)

    for person in (*people_by_choice.values(), muted):
        assert len(told(person)) == 1  # the inbox has it whatever they chose
    [message] = sent_to(people_by_choice[Delivery.IMMEDIATE])
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert sent_to(people_by_choice[Delivery.NONE]) == [] and sent_to(muted) == []
    assert sent_to(people_by_choice[Delivery.DIGEST]) == []
    Preference.objects.filter(user=people_by_choice[Delivery.DIGEST]).update(
        digest_sent_at=timezone.now() - timedelta(days=2)
    )
    assert digests_send.call() == 1
    [digest] = sent_to(people_by_choice[Delivery.DIGEST])
    assert f"“{TITLE}” is open: have your say" in digest.body


def _subscribers(n: int, proposal: Proposal, make_user) -> None:
    """n people, each following one of its topic, department or place, one
    in two reading Chinese."""
    targets = [
        {"topic": "transport"},
        {"department": proposal.department},
        {"jurisdiction": proposal.jurisdiction},
    ]
    for i in range(n):
        person = subscribe(make_user(), **targets[i % 3]).user
        if i % 2:
            prefer(person, language="zh-hans")


@pytest.mark.parametrize("n", [2, 50])
def test_telling_subscribers_takes_the_same_queries_whatever_their_number(
    open_proposal, make_user, n
):
    _subscribers(n, open_proposal, make_user)
    proposal = Proposal.objects.select_related("department", "jurisdiction").get(
        pk=open_proposal.pk
    )
    # Who is to be told (one query); then per language, who is active and one insert.
    with CaptureQueriesContext(connection) as queries:
        assert followers.followers_tell(proposal, kind="opened", key="opened:x") == n
    assert len(queries) == 5


def test_one_subscriber_takes_fewer_queries_only_by_having_one_language(
    open_proposal, make_user, django_assert_num_queries
):
    _subscribers(1, open_proposal, make_user)
    proposal = Proposal.objects.select_related("department", "jurisdiction").get(
        pk=open_proposal.pk
    )
    with django_assert_num_queries(3):
        assert followers.followers_tell(proposal, kind="opened", key="opened:x") == 1


def test_a_topic_no_public_consultation_carries_any_more_can_still_be_unfollowed(
    open_proposal, people
):
    subscription_follow(actor=people.citizen, kind="topic", slug="transport")
    open_proposal.tags.remove("transport")
    with pytest.raises(ValidationError):
        subscription_follow(actor=people.citizen, kind="topic", slug="transport")
    subscription_unfollow(actor=people.citizen, kind="topic", slug="transport")
    assert not Subscription.objects.exists()


def test_following_too_often_from_the_page_says_how_long_to_wait(
    client, open_proposal, people, monkeypatch
):
    monkeypatch.setitem(ratelimit.DEFAULT_RATES, "subscription", {"user": ["1/60"]})
    client.force_login(people.citizen)
    assert client.post(SET, {"kind": "place", "slug": "city"}).status_code == 302
    refused = client.post(SET, {"kind": "place", "slug": "nation"})
    assert refused.status_code == 429
    assert "You are doing that too often." in refused.content.decode()
    assert Subscription.objects.count() == 1


def test_the_list_filtered_by_a_topic_only_drafts_carry_offers_nothing(client, draft, people):
    client.force_login(people.citizen)
    page = client.get("/consultations/?topic=transport").content.decode()
    assert "Follow the topic" not in page


def test_an_opening_told_after_a_withdrawal_tells_nobody(open_proposal, people):
    """The worker runs after the opening was committed; if the consultation
    was withdrawn in between, "it is open" would be false."""
    followers.follow_set(actor=people.citizen, proposal=open_proposal, following=True)
    Proposal.objects.filter(pk=open_proposal.pk).update(status="withdrawn")
    told = followers.followers_notify.call(
        proposal_id=open_proposal.pk, kind="opened", key=f"opened:{open_proposal.pk}"
    )
    assert told == 0
    assert not Notification.objects.filter(key=f"opened:{open_proposal.pk}").exists()
