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


# --- Every language the text is written in ------------------------------------

CHINESE = "**加粗**的文字\n\n# 一个标题"


def previews(response) -> list:
    """Each preview: (its heading, its language, the rendered text)."""
    page = BeautifulSoup(response.content, "html.parser")
    found = []
    for region in page.select("#preview section"):
        heading = page.find(id=region["aria-labelledby"])
        assert heading.name == "h2" and region.find("h2") is heading
        body = region.select_one(".preview-body")
        found.append((heading.get_text(strip=True), body and body["lang"], body))
    return found


def test_the_translation_has_its_own_preview_labelled_with_its_language(official_client, draft):
    section = draft.sections.first()
    response = official_client.post(
        edit_url(draft, section),
        {
            "heading": "Purpose",
            "body": "*Calmer* streets.",
            "heading_zh_hans": "目的",
            "body_zh_hans": CHINESE,
            "revision": section.revision,
            "preview": "1",
        },
    )
    assert response.status_code == 200
    (english, chinese) = previews(response)
    assert english[:2] == ("Preview (English)", "en")
    assert english[2].decode_contents().strip() == render_markdown("*Calmer* streets.").strip()
    assert chinese[:2] == ("Preview (Simplified Chinese)", "zh-hans")
    assert chinese[2].decode_contents().strip() == render_markdown(CHINESE).strip()
    assert chinese[2].find("strong").get_text() == "加粗"
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("textarea", attrs={"name": "body_zh_hans"}).get_text().strip() == CHINESE


def test_only_the_languages_with_text_are_previewed(official_client, draft):
    section = draft.sections.first()
    only_chinese = official_client.post(
        edit_url(draft, section),
        {"heading": "Purpose", "body_zh_hans": CHINESE, "revision": section.revision, "preview": 1},
    )
    assert [label for label, *_ in previews(only_chinese)] == ["Preview (Simplified Chinese)"]
    nothing = preview(official_client, draft, section, "  ")
    page = BeautifulSoup(nothing.content, "html.parser")
    assert page.select_one("#preview .preview-body") is None
    assert "There is no text to preview yet" in page.select_one("#preview").get_text()


def test_the_preview_speaks_the_officials_language(official_client, draft):
    section = draft.sections.first()
    response = official_client.post(
        edit_url(draft, section),
        {"heading": "Purpose", "body": "Text", "body_zh_hans": CHINESE, "preview": "1"},
        headers={"accept-language": "zh-hans"},
    )
    assert [label for label, *_ in previews(response)] == ["预览（英语）", "预览（简体中文）"]


# --- Before the section is added ----------------------------------------------


def add_url(proposal) -> str:
    return f"/manage/{proposal.pk}/sections/add/"


def test_the_add_section_form_has_a_preview_button(official_client, draft):
    page = BeautifulSoup(official_client.get(f"/manage/{draft.pk}/").content, "html.parser")
    form = page.find("form", action=add_url(draft))
    button = form.find("button", attrs={"name": "preview"})
    assert button["type"] == "submit" and button["formaction"] == add_url(draft) + "#preview"
    assert page.select_one("#preview") is None


def test_a_new_section_is_previewed_in_each_language_and_not_added(official_client, draft):
    count = draft.sections.count()
    response = official_client.post(
        add_url(draft),
        {"heading": "Costs", "body": HOSTILE, "body_zh_hans": CHINESE, "preview": "1"},
    )
    assert response.status_code == 200
    (english, chinese) = previews(response)
    assert english[2].decode_contents().strip() == render_markdown(HOSTILE).strip()
    assert chinese[:2] == ("Preview (Simplified Chinese)", "zh-hans")
    assert "Nothing is added yet" in response.content.decode()
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("input", attrs={"name": "heading", "value": "Costs"}) is not None
    assert draft.sections.count() == count


def test_a_new_section_that_is_invalid_shows_the_errors_and_no_preview(official_client, draft):
    response = official_client.post(add_url(draft), {"heading": "", "body": "x", "preview": "1"})
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("#preview") is None
    assert "This field is required" in page.get_text()
