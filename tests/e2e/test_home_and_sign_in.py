"""A person opens the site in both languages and signs in, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import open_live

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(make_proposal):
    return make_proposal("Safer streets near schools")


def test_home_page_in_english_and_chinese_then_sign_in(
    asgi_live_server, page, make_user, published
):
    make_user("casey@example.org", display_name="Casey Citizen")

    page.goto(asgi_live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Have your say on public policy")
    expect(page.get_by_role("link", name="Safer streets near schools")).to_be_visible()

    # The skip link is the first thing the keyboard reaches, and it works.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()

    # Switch to Simplified Chinese with the language form.
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("发表您对公共政策的意见")
    page.get_by_role("link", name="登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    # Back to English and sign in.
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Email").fill("casey@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".signed-in-as")).to_have_text("Signed in as Casey Citizen")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_live_connection_opens_on_a_proposal_page(asgi_live_server, page, published):
    open_live(page, asgi_live_server.url + published.get_absolute_url(), "article.proposal")
