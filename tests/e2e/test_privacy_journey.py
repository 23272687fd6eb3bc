"""A citizen chooses which notifications come by email, downloads their data,
and deletes their account; their comments then show "deleted participant"."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from consult.accounts.models import User
from consult.notifications.models import Delivery, Kind, Preference
from discussion.comments import services
from discussion.models import Comment
from tests.conftest import PASSWORD
from tests.e2e.conftest import in_thread, sign_in
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preferences_download_and_deletion(asgi_live_server, page, open_proposal, section, people):  # noqa: F811
    base = asgi_live_server.url
    citizen = people.citizen
    User.objects.filter(pk=citizen.pk).update(display_name="Mina Resident")
    comment = in_thread(
        services.comment_create,
        actor=citizen,
        proposal=open_proposal,
        section=section,
        body="Crossings near the school need a lollipop warden.",
    )
    in_thread(
        services.comment_create,
        actor=people.moderator,
        proposal=open_proposal,
        section=section,
        body="Agreed, mornings especially.",
        parent=comment,
    )

    sign_in(page, base, citizen.email)

    # Preferences: no email for replies, and a daily digest for the rest.
    page.goto(base + "/notifications/")
    page.get_by_role("link", name="Choose which notifications come by email").click()
    page.get_by_label("A reply to your comment").uncheck()
    page.get_by_label("One daily digest").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator("body")).to_contain_text("Your notification preferences are saved.")
    expect(page.get_by_label("A reply to your comment")).not_to_be_checked()
    preference = Preference.objects.get(user=citizen)
    assert preference.delivery == Delivery.DIGEST
    assert not preference.kind_on(Kind.REPLY)
    assert preference.kind_on(Kind.RESPONSE)

    # Download my data: prepared in the background, the link works once.
    page.goto(base + "/accounts/privacy/")
    page.get_by_role("button", name="Ask for a copy of my data").click()
    link = page.get_by_role("link", name="Download your data")
    for _attempt in range(20):
        if link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    with page.expect_download() as download_info:
        link.click()
    archive = zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes()))
    names = archive.namelist()
    assert any(name.endswith(".json") for name in names) and "README.txt" in names
    everything = "".join(
        archive.read(name).decode("utf-8-sig") for name in names if name.endswith(".json")
    )
    assert "lollipop warden" in everything
    assert "Agreed, mornings especially." not in everything
    profile = json.loads(archive.read(next(n for n in names if n.endswith("profile.json"))))
    assert citizen.email in json.dumps(profile)
    again = page.request.get(base + href)
    assert again.status == 410

    # Delete the account.
    page.goto(base + "/accounts/privacy/")
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("deleted")
    expect(page.locator(".signed-in-as")).to_have_count(0)

    # The comment stays, by a "deleted participant".
    page.goto(base + f"/consultations/{open_proposal.slug}/sections/{section.pk}/")
    article = page.locator(f"#comment-{comment.pk}")
    expect(article).to_contain_text("lollipop warden")
    expect(article).to_contain_text("deleted participant")
    expect(page.locator("body")).not_to_contain_text("Mina Resident")
    gone = User.objects.get(pk=citizen.pk)
    assert gone.deleted_at is not None and not gone.is_active and gone.display_name == ""
    assert Comment.objects.filter(pk=comment.pk, author_id=citizen.pk).exists()
    assert not Preference.objects.filter(user=citizen).exists()
