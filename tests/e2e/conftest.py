"""Browser tests: Playwright driving Debian's Chromium against a real Daphne.

Never a downloaded browser. Without /usr/bin/chromium the tests are skipped
on a developer's machine and fail in CI, where .ci/run installs it.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "e2e"

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make to set up data are plain synchronous ones. Servers and commands
# the tests start never inherit this (tests.conftest.subprocess_env).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            f"CI needs Chromium for the browser tests and found none at {CHROMIUM}"
        )
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


# Per module, not per session: Playwright's sync API keeps an event loop running
# in this thread, and asynchronous tests collected later need the thread free.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(message.text),
    )
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


@pytest.fixture
def section(open_proposal):  # noqa: F811 - the imported fixture is its argument
    """The first section of the open consultation: where the live tests talk."""
    return open_proposal.sections.first()


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".signed-in-as")).to_be_visible()


def new_page(browser, **context):
    """Another person's browser: a context of its own, in British English."""
    return browser.new_context(locale="en-GB", **context).new_page()


def signed_in_page(browser, base: str, email: str, **context):
    """Another person's browser, signed in as them."""
    page = new_page(browser, **context)
    sign_in(page, base, email)
    return page


def section_url(base: str, proposal, section) -> str:
    return f"{base}{proposal.get_absolute_url()}sections/{section.pk}/"


def open_live(page, url: str, live: str = "article.section-page") -> None:
    """Open a page and wait until its socket is connected."""
    page.goto(url)
    expect(page.locator(live)).to_have_attribute("data-live", "connected")


def in_thread(function, **kwargs):
    """Run a service as a request would, off this thread: Playwright's event
    loop runs here, where the on-commit broadcasts cannot be sent. What the
    service raises is raised here."""
    from django.db import connections

    result = {}

    def run() -> None:
        try:
            result.update(value=function(**kwargs))
        except BaseException as error:  # raised below, in the test's thread
            result.update(error=error)
        finally:
            # The thread's own connection must not outlive it (PostgreSQL
            # refuses to drop a test database someone is still connected to).
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: E402, F401
