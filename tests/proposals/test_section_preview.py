"""The preview of a section while editing it: the text as publication will
render it (the same Markdown renderer and sanitiser), shown beside the form
kept as typed, with nothing saved. It works without JavaScript: the button
submits the form."""

import pytest
from bs4 import BeautifulSoup

from consult.accounts.models import AuditEntry
from consult.infra.text import render_markdown
from proposals.models import Section, SectionVersion
from proposals.services import versions

pytestmark = pytest.mark.django_db

HOSTILE = (
    "**Bold** and a [link](https://example.org)\n\n"
    "<script>alert('x')</script>\n\n"
    '<img src=x onerror="alert(1)">\n\n'
    "[click](javascript:alert(1))\n\n"
    "# A heading"
)


def edit_url(proposal, section) -> str:
    return f"/manage/{proposal.pk}/sections/{section.pk}/"


def preview(client, proposal, section, body: str, heading: str = "Purpose"):
    return client.post(
        edit_url(proposal, section),
        {"heading": heading, "body": body, "revision": section.revision, "preview": "1"},
    )


def test_the_preview_button_is_on_the_edit_page(official_client, draft):
    section = draft.sections.first()
    page = BeautifulSoup(official_client.get(edit_url(draft, section)).content, "html.parser")
    button = page.find("button", attrs={"name": "preview"})
    assert button.get_text(strip=True) == "Preview" and button["type"] == "submit"
    assert page.select_one("#preview") is None


def test_the_preview_renders_as_publication_and_saves_nothing(official_client, draft, people):
    section = draft.sections.order_by("order").first()
    before = (section.heading, section.body, section.revision)
    entries = AuditEntry.objects.count()
    response = preview(official_client, draft, section, HOSTILE, heading="New heading")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    shown = page.select_one("#preview .preview-body")
    assert shown.decode_contents().strip() == render_markdown(HOSTILE).strip()
    assert shown.find("strong").get_text() == "Bold"
    assert shown.find("a", string="link")["href"] == "https://example.org"
    # Raw HTML stays text, scripts and handlers never reach the page.
    assert shown.find("script") is None and page.find("img") is None
    assert not [tag for tag in shown.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assert all(not a.get("href", "").startswith("javascript") for a in shown.find_all("a"))
    assert shown.find("h3").get_text() == "A heading"  # below the page's own headings
    # The form keeps what was typed, to go on editing or save.
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == HOSTILE.strip()
    assert page.find("input", attrs={"name": "heading"})["value"] == "New heading"
    section.refresh_from_db()
    assert (section.heading, section.body, section.revision) == before
    assert AuditEntry.objects.count() == entries


def test_the_preview_is_what_the_published_version_shows(official_client, draft, people):
    section = draft.sections.order_by("order").first()
    shown = BeautifulSoup(
        preview(official_client, draft, section, HOSTILE).content, "html.parser"
    ).select_one("#preview .preview-body")
    official_client.post(
        edit_url(draft, section),
        {"heading": "Purpose", "body": HOSTILE, "revision": section.revision},
    )
    versions.version_publish(actor=people.official, proposal=draft, change_note="First.")
    published = SectionVersion.objects.get(section=section)
    assert shown.decode_contents().strip() == published.body_html.strip()


def test_a_preview_of_an_invalid_form_shows_the_errors_and_no_preview(official_client, draft):
    section = draft.sections.first()
    response = preview(official_client, draft, section, "Text", heading="")
    page = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 400
    assert page.select_one("#preview") is None
    assert "This field is required" in page.get_text()
    assert Section.objects.get(pk=section.pk).heading == section.heading


def test_saving_after_a_preview_still_saves(official_client, draft):
    section = draft.sections.first()
    preview(official_client, draft, section, "Previewed *first*")
    response = official_client.post(
        edit_url(draft, section),
        {"heading": "Purpose", "body": "Previewed *first*", "revision": section.revision},
    )
    assert response.status_code == 302
    assert Section.objects.get(pk=section.pk).body == "Previewed *first*"


def test_only_those_who_manage_it_may_preview(client, draft, people):
    section = draft.sections.first()
    for person in (people.citizen, people.other_official, people.moderator):
        client.force_login(person)
        assert preview(client, draft, section, "Hello").status_code == 404
