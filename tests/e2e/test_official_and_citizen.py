"""An official drafts, publishes and schedules a consultation; a citizen finds
it by search and takes a stance on a section. Real browser, real server."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consult.accounts.models import Role
from tests.e2e.conftest import sign_in, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FMT = "%Y-%m-%dT%H:%M"


def test_official_publishes_and_citizen_takes_a_stance(
    asgi_live_server, browser, page, tree, make_user, grant
):
    base = asgi_live_server.url
    grant(
        make_user("official@example.org", display_name="Olu Official"), tree.ministry, Role.OFFICIAL
    )
    make_user("citizen@example.org", display_name="Chen Citizen")

    # The official drafts a consultation with the officials' own screens.
    sign_in(page, base, "official@example.org")
    page.get_by_role("link", name="Manage").click()
    page.get_by_role("link", name="Start a new draft").click()
    page.get_by_label("Department").select_option(label="City office")
    page.get_by_label("Applies to").select_option(label="City")
    page.get_by_label("Title").fill("Quiet hours for leaf blowers")
    page.get_by_label("Summary").fill("Limit noisy garden machines to daytime hours.")
    page.get_by_label("Topics").fill("noise, environment")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft created")

    page.get_by_label("Heading:", exact=True).fill("Permitted hours")
    page.get_by_label("Text:", exact=True).fill(
        "Leaf blowers may be used from **9:00 to 18:00** on weekdays."
    )
    page.get_by_role("button", name="Add section").click()
    expect(page.locator(".messages")).to_contain_text("Section added")

    page.get_by_label("What changed:", exact=True).fill("First public draft.")
    page.get_by_role("button", name="Publish version").click()
    expect(page.locator(".messages")).to_contain_text("Version published")

    now = timezone.localtime()
    page.get_by_label("Opens at").fill((now - timedelta(minutes=5)).strftime(FMT))
    page.get_by_label("Closes at").fill((now + timedelta(days=30)).strftime(FMT))
    page.get_by_role("button", name="Schedule consultation").click()
    expect(page.locator(".messages")).to_contain_text("Consultation window set")
    expect(page.locator("p.meta .badge")).to_have_text("Open")

    # A citizen, in another browser session, finds it by search ...
    citizen = signed_in_page(browser, base, "citizen@example.org")
    citizen.goto(base + "/consultations/")
    citizen.get_by_label("Search").fill("leaf blowers")
    citizen.get_by_role("button", name="Show consultations").click()
    expect(citizen.locator(".result-count")).to_have_text("1 consultation")
    citizen.get_by_role("link", name="Quiet hours for leaf blowers").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Quiet hours for leaf blowers")

    # ... and takes a stance on its section, with the keyboard-reachable form.
    fieldset = citizen.get_by_role("group", name="Your stance on “Permitted hours”")
    fieldset.get_by_label("Support").check()
    fieldset.get_by_role("button", name="Record my stance").click()
    expect(citizen.locator(".messages")).to_contain_text("Your stance is recorded")
    row = citizen.locator("table.heatmap tr", has_text="Permitted hours")
    expect(row.locator("td").first).to_have_text("1 (100%)")
    expect(
        citizen.get_by_role("group", name="Your stance on “Permitted hours”").get_by_label(
            "Support"
        )
    ).to_be_checked()

    # ... and takes it back: the count drops, and the form asks afresh.
    fieldset = citizen.get_by_role("group", name="Your stance on “Permitted hours”")
    fieldset.get_by_role("button", name="Withdraw my stance").click()
    expect(citizen.locator(".messages")).to_contain_text("Your stance is withdrawn.")
    expect(row.locator("td").first).not_to_have_text("1 (100%)")
    fieldset = citizen.get_by_role("group", name="Your stance on “Permitted hours”")
    expect(fieldset.get_by_label("Support")).not_to_be_checked()
    expect(fieldset.get_by_role("button", name="Record my stance")).to_be_visible()
    expect(fieldset.get_by_role("button", name="Withdraw my stance")).to_have_count(0)
    citizen.context.close()
