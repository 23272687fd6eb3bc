"""Every main page, as each role that sees it differently, in English and
Chinese, on a desktop and a 390 px phone, passes the audit of
tests/e2e/audit.py: no serious or critical axe-core violation, no sideways
scrolling on the phone, nothing drawn inside a [hidden] ancestor, and no
button or link text under 4.5:1 contrast.

One server and one set of demo data serve the whole module; each role signs
in once and keeps its browser context across pages, languages and widths.
With CONSULT_SCREENSHOTS=<folder> (`make screenshots`) every page checked is
also saved as <role>-<lang>-<width>-<page>.png for review.
"""

from __future__ import annotations

import os
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from consult.demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e import audit
from tests.e2e.audit import Finding, Target
from tests.e2e.conftest import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.a11y]

ACCOUNTS = {
    "citizen": "citizen@example.org",
    "moderator": "moderator@example.org",
    "official": "official@example.org",
    "admin": "admin@example.org",
}


def _seed() -> dict[str, list[Target]]:
    """The demo data, a computed summary and a drafted report, and the pages to visit."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from consult.accounts.models import User
    from consult.api.tokens import token_create
    from consult.reports.models import SummaryRun
    from consult.reports.report.drafting import report_draft
    from consult.reports.summary.running import summary_compute
    from discussion.models import Comment
    from discussion.moderation.curation import comment_theme_add
    from proposals.models import Proposal

    call_command("seed_demo", verbosity=0)
    official = User.objects.get(email=ACCOUNTS["official"])
    citizen = User.objects.get(email=ACCOUNTS["citizen"])
    moderator = User.objects.get(email=ACCOUNTS["moderator"])
    # A token with a long name, so the tokens table has a row to fit on a phone.
    token_create(actor=citizen, name="Neighbourhood dashboard sync", can_write=True)
    admin = User.objects.get(email=ACCOUNTS["admin"])
    secret = generate_totp_secret()
    if not Authenticator.objects.filter(user=admin).exists():
        TOTP.activate(admin, secret)

    live = Proposal.objects.get(slug="safer-streets-near-schools")
    closed = Proposal.objects.get(slug="empty-homes-levy")
    published = Proposal.objects.get(slug="cycle-parking-standards")
    draft = Proposal.objects.get(slug="street-trees-plan")
    run = SummaryRun.objects.create(proposal=closed, requested_by=official)
    summary_compute(run_id=run.pk)
    report_draft(actor=official, proposal=closed)

    section = (
        live.sections.filter(comments__isnull=False, comments__parent__isnull=True)
        .order_by("order")
        .first()
    )
    question = live.questions.order_by("pk").first()
    first = Comment.objects.filter(proposal=live, section=section).order_by("pk").first()
    commenter = first.author
    # The commenter chose a public profile, so that page has content to check.
    User.objects.filter(pk=commenter.pk).update(profile_public=True)
    own = Comment.objects.filter(proposal=live, author=citizen).order_by("pk").first()
    # A theme on it, so the moderator's "Remove" button for themes is on the page.
    comment_theme_add(actor=moderator, comment=first, name="Deliveries")
    slug = live.slug
    public = [
        Target("home", "/"),
        Target("consultations", "/consultations/"),
        Target("consultation", f"/consultations/{slug}/"),
        Target("section", f"/consultations/{slug}/sections/{section.pk}/"),
        Target("discussion", f"/consultations/{slug}/discussion/"),
        Target("question", f"/consultations/{slug}/questions/{question.pk}/"),
        Target("version", f"/consultations/{slug}/versions/1/"),
        Target("changes", f"/consultations/{slug}/changes/"),
        Target("report", f"/consultations/{published.slug}/report/"),
        Target("open-data", "/open-data/"),
        Target("privacy", "/privacy/"),
        Target("api-docs", "/api/v1/docs/"),
    ]
    # Staff see the public pages as everyone does, but for their own controls
    # on a few of them (their menus are on their own pages below): those few
    # are checked as each staff role, the rest as a reader and a citizen.
    staff_view = {"consultation", "section", "discussion", "question", "report", "changes"}
    staff_public = [target for target in public if target.name in staff_view]
    return {
        "anonymous": [
            *public,
            Target("sign-in", "/accounts/login/"),
            Target("sign-up", "/accounts/signup/"),
        ],
        "citizen": [
            *public,
            Target("notifications", "/notifications/"),
            Target("preferences", "/notifications/preferences/"),
            Target("tokens", "/accounts/tokens/"),
            Target("residence", "/accounts/identity/"),
            Target("your-data", "/accounts/privacy/"),
            Target("emails", "/accounts/email/"),
            Target("password", "/accounts/password/change/"),
            Target("display-name", "/accounts/name/"),
            Target("activity", "/accounts/activity/"),
            Target("activity-votes", "/accounts/activity/votes/"),
            Target("public-profile", f"/people/{commenter.pk}/"),
            Target("delete-comment", f"/discussion/comments/{own.pk}/delete/"),
            Target("response-form", f"/discussion/consultations/{slug}/form/"),
        ],
        "moderator": [
            *staff_public,
            Target("queue", "/discussion/moderation/"),
            Target("moderation-log", f"/consultations/{slug}/moderation-log/"),
            Target("audit-log", f"/consultations/{slug}/moderation-audit/"),
            Target("policy", f"/consultations/{slug}/moderation-policy/"),
            Target("person", f"/discussion/people/{commenter.pk}/"),
            Target("summary", f"/consultations/{closed.slug}/summary/"),
        ],
        "official": [
            *staff_public,
            Target("manage", "/manage/"),
            Target("manage-consultation", f"/manage/{live.pk}/"),
            Target("manage-draft", f"/manage/{draft.pk}/"),
            Target("delete-draft", f"/manage/{draft.pk}/delete/"),
            Target(
                "edit-section",
                f"/manage/{draft.pk}/sections/{draft.sections.order_by('order').first().pk}/",
            ),
            Target("summary", f"/consultations/{closed.slug}/summary/"),
            Target("report-edit", f"/consultations/{closed.slug}/report/edit/"),
            Target("respond", f"/discussion/consultations/{slug}/respond/"),
            Target("form-builder", f"/manage/{live.pk}/form/"),
            Target("form-entry", f"/discussion/consultations/{slug}/form/enter/"),
            Target("form-entry-list", "/discussion/responses/enter/"),
            Target("form-responses", f"/consultations/{slug}/summary/form/responses/"),
        ],
        "admin": [
            *staff_public,
            Target("admin", "/admin/"),
            Target("admin-change", f"/admin/accounts/user/{commenter.pk}/change/"),
        ],
    }, secret


def _sign_in(page, base: str, role: str, secret: str) -> None:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(ACCOUNTS[role])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign In").click()
    if role == "admin":
        # Staff pass the second factor, as a person with an authenticator app would.
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        page.locator("input[name=code]").fill(code)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".signed-in-as")).to_be_visible(timeout=15_000)


def _audit_role(context, base: str, role: str, targets: list[Target], secret: str):
    """The findings and the number of page checks for one role, its context reused."""
    # The audit's scripts arrive with every page, not sent again after each load.
    context.add_init_script(audit.scripts())
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    findings: list[Finding] = []
    checks = 0
    if role != "anonymous":
        try:
            _sign_in(page, base, role, secret)
        except AssertionError as error:
            sign_in = Finding(role, "en", 1280, Target("sign-in", "/accounts/login/"))
            sign_in.problems.append(f"could not sign in: {str(error).splitlines()[0]}")
            return [sign_in], 0
    for lang in audit.LANGUAGES:
        context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
        for width in audit.WIDTHS:
            page.set_viewport_size({"width": width, "height": audit.HEIGHT[width]})
            for target in targets:
                finding = Finding(role, lang, width, target)
                checks += 1
                try:
                    response = page.goto(base + target.path, wait_until="load")
                    if response is None or response.status != 200 or page.url != base + target.path:
                        status = response.status if response else "nothing"
                        finding.problems.append(f"answered {status}, ended at {page.url}")
                    else:
                        finding.problems += audit.check_page(page)
                        audit.screenshot(page, role, lang, width, target)
                except Exception as error:  # reported with the rest
                    finding.problems.append(f"could not be checked: {error}")
                finding.problems += [f"script error: {error}" for error in errors]
                errors.clear()
                if finding.problems:
                    findings.append(finding)
    page.close()
    return findings, checks


@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
def test_every_main_page_passes_the_audit_for_each_role_language_and_width(
    browser, asgi_live_server
):
    if not audit.AXE_SOURCE.exists():
        # As with Chromium: skipped on a developer's machine without npm, never in CI.
        missing = f"{audit.AXE_SOURCE} is missing: `make setup` installs axe-core with npm ci"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    started = time.monotonic()
    targets, secret = in_thread(_seed)
    base = asgi_live_server.url
    findings: list[Finding] = []
    checks = 0
    for role in audit.ONLY_ROLES or audit.ROLES:
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        try:
            found, count = _audit_role(context, base, role, targets[role], secret)
        finally:
            context.close()
        findings += found
        checks += count
    print(f"{checks} page checks in {time.monotonic() - started:.0f} s")
    report = "\n".join(str(finding) for finding in findings)
    assert not findings, f"{len(findings)} of {checks} page checks failed:\n{report}"
