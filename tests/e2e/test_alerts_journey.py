"""A citizen follows the topic "transport" and the place "Riverton" through the
pages and chooses emails in Chinese; an official opens a transport
consultation in a district of Riverton with the officials' screens, titled in
both languages; the citizen is told in the app, and by email in Chinese, and
the consultation is in the transport feed; the citizen changes their display
name, and the official's open thread and every page show the new one. Real
browser, real server."""

import email
import email.policy
import re
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from taggit.models import Tag

from consult.accounts import services as account_services
from consult.accounts.models import Role, User
from consult.infra.translations import set_translation
from discussion.comments import services as comments
from proposals.models import Proposal, Topic
from proposals.services.subscriptions import subscription_follow
from tests.conftest import BASE_DIR
from tests.e2e import audit
from tests.e2e.conftest import in_thread, open_live, section_url, sign_in, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FMT = "%Y-%m-%dT%H:%M"
TITLE = "Night buses for North Bank"
TITLE_ZH = "北岸夜间公交"
SEPARATOR = "-" * 79


def emails_to(log_path, address: str) -> list[email.message.EmailMessage]:
    """The emails the server's console backend wrote for this address."""
    text = log_path.read_text(encoding="utf-8", errors="replace")
    found = []
    for chunk in text.split(SEPARATOR):
        start = chunk.find("Content-Type: multipart/")
        if start < 0 or f"To: {address}" not in chunk:
            continue
        found.append(email.message_from_string(chunk[start:].strip(), policy=email.policy.default))
    return found


def places(tree):
    """Riverton, a city of the nation, with its district North Bank; and a
    public transport consultation elsewhere, so that the topic exists."""
    create = account_services.jurisdiction_create
    riverton = create(
        actor=None, name="Riverton", slug="riverton", level="city", parent=tree.nation
    )
    create(actor=None, name="North Bank", slug="north-bank", level="district", parent=riverton)
    now = timezone.now()
    earlier = Proposal.objects.create(
        department=tree.ministry,
        jurisdiction=tree.city,
        title="Bus lanes on the ring road",
        slug="bus-lanes",
        summary="Faster buses.",
        status="open",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
    )
    earlier.tags.add("transport")
    topic = Topic.objects.create(tag=Tag.objects.get(slug="transport"))
    set_translation(topic, "zh-hans", name="交通")
    topic.save()


def test_a_citizen_following_transport_and_riverton_hears_of_a_new_consultation_in_chinese(
    asgi_live_server, browser, page, tree, make_user, grant
):
    base = asgi_live_server.url
    places(tree)
    grant(
        make_user("official@example.org", display_name="Olu Official"), tree.ministry, Role.OFFICIAL
    )
    make_user("citizen@example.org", display_name="Chen Citizen")

    # The citizen follows the topic from the list filtered by it ...
    citizen = signed_in_page(browser, base, "citizen@example.org")
    citizen.goto(base + "/consultations/")
    citizen.get_by_label("Topic").select_option(label="transport")
    citizen.get_by_role("button", name="Show consultations").click()
    citizen.get_by_role("button", name="Follow the topic “transport”").click()
    expect(citizen.locator(".messages")).to_contain_text("You now follow transport")
    expect(
        citizen.get_by_role("button", name="Stop following the topic “transport”")
    ).to_be_visible()

    # ... the place from the page of what they follow, with the keyboard ...
    citizen.goto(base + "/notifications/preferences/")
    citizen.get_by_role("link", name="What you follow: topics, departments and places").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("What you follow")
    citizen.get_by_label("Place").select_option(label="– Riverton")
    citizen.get_by_role("button", name="Follow this place").focus()
    citizen.keyboard.press("Enter")
    expect(citizen.locator(".messages")).to_contain_text("You now follow Riverton")
    followed = citizen.locator(".subscription-list")
    expect(followed).to_contain_text("transport")
    expect(followed).to_contain_text("Riverton")

    # ... and chooses emails in Chinese.
    citizen.goto(base + "/notifications/preferences/")
    citizen.get_by_label("Language of the emails").select_option(label="Simplified Chinese")
    citizen.get_by_role("button", name="Save preferences").click()
    expect(citizen.locator(".messages")).to_contain_text("preferences are saved")

    # The official drafts a transport consultation for North Bank, in Riverton.
    sign_in(page, base, "official@example.org")
    page.get_by_role("link", name="Manage").click()
    page.get_by_role("link", name="Start a new draft").click()
    page.get_by_label("Department").select_option(label="City office")
    page.get_by_label("Applies to").select_option(label="North Bank")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Buses every half hour through the night.")
    page.get_by_label("Topics").fill("transport")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft created")
    # Its Chinese title, in the box for the other language.
    page.get_by_role("region", name="Details").get_by_label("Title (Simplified Chinese)").fill(
        TITLE_ZH
    )
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".messages")).to_contain_text("saved")
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.translations == {"zh-hans": {"title": TITLE_ZH}}

    page.get_by_label("Heading:", exact=True).fill("Routes")
    page.get_by_label("Text:", exact=True).fill("Two night routes across the river.")
    page.get_by_role("button", name="Add section").click()
    expect(page.locator(".messages")).to_contain_text("Section added")
    page.get_by_label("What changed:", exact=True).fill("First public draft.")
    page.get_by_role("button", name="Publish version").click()
    expect(page.locator(".messages")).to_contain_text("Version published")

    # Nobody is told of a draft; then the official opens it.
    citizen.reload()
    expect(citizen.locator("[data-unread]")).to_be_hidden()
    now = timezone.localtime()
    page.get_by_label("Opens at").fill((now - timedelta(minutes=5)).strftime(FMT))
    page.get_by_label("Closes at").fill((now + timedelta(days=30)).strftime(FMT))
    page.get_by_role("button", name="Schedule consultation").click()
    expect(page.locator(".messages")).to_contain_text("Consultation window set")

    # The citizen is told in the app: the unread count, and the inbox ...
    expect(citizen.locator("[data-unread-count]")).to_have_text("1")
    citizen.get_by_role("link", name=re.compile("^Notifications")).click()
    told = citizen.locator(".notification")
    expect(told).to_have_count(1)
    expect(told).to_contain_text(TITLE_ZH)
    told.get_by_role("button", name="Open").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(TITLE)

    proposal.refresh_from_db()
    # ... and by email, once, in Chinese.
    log = BASE_DIR / "var" / f"live-server-{asgi_live_server.port}.log"
    [message] = emails_to(log, "citizen@example.org")
    assert message["Subject"] == f"“{TITLE_ZH}”已开始征求意见：欢迎发表看法"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert TITLE_ZH in body and "在网站上打开：" in body
    assert f"/consultations/{proposal.slug}/" in body

    # The consultation is in the transport feed, titled in the reader's language.
    feed = feedparser.parse(
        citizen.request.get(base + "/feeds/topics/transport.atom?lang=zh-hans").body()
    )
    assert feed.bozo == 0
    entry = next(e for e in feed.entries if e.link.endswith(proposal.get_absolute_url()))
    assert entry.title == TITLE_ZH

    # The citizen comments, the official reads the thread live; then the
    # citizen changes their display name.
    section = proposal.sections.get()
    comment = in_thread(
        comments.comment_create,
        actor=User.objects.get(email="citizen@example.org"),
        proposal=proposal,
        section=section,
        body="Please stop at the hospital.",
    )
    thread = section_url(base, proposal, section)
    open_live(page, thread)
    byline = page.locator(f"#comment-{comment.pk}-by")
    expect(byline).to_have_text("Chen Citizen")
    citizen.goto(base + "/accounts/name/")
    citizen.get_by_label("Display name").fill("Chen Wei")
    citizen.get_by_role("button", name="Save the name").click()
    expect(citizen.locator(".messages")).to_contain_text("Chen Wei")
    # The open socket shows the new name, and so does every page drawn now.
    expect(byline).to_have_text("Chen Wei")
    for url in (thread, base + f"/discussion/comments/{comment.pk}/"):
        page.goto(url)
        expect(page.locator(f"#comment-{comment.pk}-by")).to_have_text("Chen Wei")
        expect(page.locator("main")).not_to_contain_text("Chen Citizen")
    citizen.goto(base + "/accounts/activity/")
    expect(citizen.locator(".signed-in-as")).to_contain_text("Chen Wei")


@pytest.mark.a11y
def test_the_pages_to_follow_from_pass_the_audit_in_both_languages_and_widths(
    asgi_live_server, browser, tree, make_user
):
    """The page of what one follows, and the list and consultation pages with
    their follow buttons, as a citizen: axe-core, phone width, contrast."""
    if not audit.AXE_SOURCE.exists():
        pytest.fail(f"{audit.AXE_SOURCE} is missing: `make setup` installs axe-core")
    base = asgi_live_server.url
    places(tree)
    citizen = make_user("citizen@example.org", display_name="Chen Citizen")
    subscription_follow(actor=citizen, kind="place", slug="riverton")
    page = signed_in_page(browser, base, "citizen@example.org")
    paths = ("/accounts/following/", "/consultations/?topic=transport", "/consultations/bus-lanes/")
    problems = []
    for lang in audit.LANGUAGES:
        page.context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        for width in audit.WIDTHS:
            page.set_viewport_size({"width": width, "height": audit.HEIGHT[width]})
            for path in paths:
                assert page.goto(base + path).status == 200
                problems += [f"{lang} {width} {path}: {p}" for p in audit.check_page(page)]
    assert problems == []
