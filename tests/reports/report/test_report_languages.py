"""The report in the reader's language: the words officials draft in each
language, the consultation's title and names, the summary's headings and
prompts; where a text is not written in the reader's language, the one there
is, marked "not yet translated" (on the page and in the PDF)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from consult.reports.report.drafting import report_draft
from consult.reports.report.editing import report_save
from consult.reports.report.languages import snapshot_in
from consult.reports.report.publishing import report_publish
from tests.reports.helpers import close_and_refresh
from tests.reports.rendering.test_exports import pdf_pages

pytestmark = pytest.mark.django_db

INTRO_ZH = "感谢所有参与咨询的人。"
SAID_ZH = "大家希望学校门口更安全。"
DID_ZH = "我们降低了限速。"


def in_chinese(client):
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    return client


def name_in_chinese(row, name: str, field: str = "name") -> None:
    row.translations = {"zh-hans": {field: name}}
    row.save(update_fields=["translations"])


@pytest.fixture
def bilingual(drafted, people, crowd, django_capture_on_commit_callbacks):
    """A closed consultation's report with its title, its department, its
    first section and the first section's entry written in Chinese too; the
    other entries in English only."""
    proposal = drafted.proposal
    name_in_chinese(proposal, "学校周边更安全的街道", "title")
    name_in_chinese(proposal.department, "市政办公室")
    name_in_chinese(crowd["sections"][0], "限速", "heading")
    report = close_and_refresh(drafted, people, django_capture_on_commit_callbacks)
    entry = report.entries.get(kind="section", key=str(crowd["sections"][0].pk))
    report_save(
        actor=people.official,
        report=report,
        revision=report.revision,
        intro="Thank you to everyone who took part.",
        entries={entry.pk: {"you_said": "Safer gates.", "we_did": "We lowered the limit."}},
        texts_in={
            "zh-hans": {
                "intro": INTRO_ZH,
                "entries": {entry.pk: {"you_said": SAID_ZH, "we_did": DID_ZH}},
            }
        },
    )
    report.refresh_from_db()
    return report, entry


def test_drafting_titles_a_section_entry_in_each_language_its_heading_is_written_in(
    drafted, people, crowd
):
    section = crowd["sections"][0]
    name_in_chinese(section, "限速", "heading")
    report = report_draft(actor=people.official, proposal=drafted.proposal)
    entry = report.entries.get(kind="section", key=str(section.pk))
    assert entry.translations == {"zh-hans": {"title": "限速"}}
    other = report.entries.get(kind="section", key=str(crowd["sections"][1].pk))
    assert other.translations == {}


def test_the_editor_saves_the_words_in_the_other_language(drafted, people, client):
    entry = drafted.entries.first()
    client.force_login(people.official)
    url = reverse("reports:report-edit", args=[drafted.proposal.slug])
    form = client.get(url).content.decode()
    assert 'name="intro-zh-hans"' in form and f'name="entry-{entry.pk}-we_did-zh-hans"' in form
    saved = client.post(
        url,
        {
            "revision": drafted.revision,
            "intro": "Thanks",
            "intro-zh-hans": f"  {INTRO_ZH}\r\n",
            f"entry-{entry.pk}-we_did": "Done",
            f"entry-{entry.pk}-title-zh-hans": " 速度 ",
            f"entry-{entry.pk}-we_did-zh-hans": DID_ZH,
        },
    )
    assert saved.status_code == 302
    drafted.refresh_from_db()
    entry.refresh_from_db()
    assert drafted.translations == {"zh-hans": {"intro": INTRO_ZH}}
    assert entry.translations["zh-hans"] == {"title": "速度", "we_did": DID_ZH}
    assert INTRO_ZH in client.get(url).content.decode()
    # A save from a page without the Chinese boxes leaves the Chinese words alone.
    kept = client.post(url, {"revision": drafted.revision, "intro": "Thanks again"})
    assert kept.status_code == 302
    drafted.refresh_from_db()
    assert drafted.translations == {"zh-hans": {"intro": INTRO_ZH}}


def test_chinese_words_over_the_limit_are_refused_and_kept_on_the_page(drafted, people, client):
    entry = drafted.entries.first()
    client.force_login(people.official)
    url = reverse("reports:report-edit", args=[drafted.proposal.slug])
    too_long = "长" * 10_001
    page = client.post(
        url,
        {
            "revision": drafted.revision,
            "intro": "Thanks",
            "intro-zh-hans": INTRO_ZH,
            f"entry-{entry.pk}-you_said-zh-hans": too_long,
        },
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "At most 10000 characters" in body and too_long in body and INTRO_ZH in body
    drafted.refresh_from_db()
    assert drafted.translations == {} and drafted.intro == ""


def test_blanking_the_chinese_words_removes_them(bilingual, people):
    report, entry = bilingual
    report_save(
        actor=people.official,
        report=report,
        revision=report.revision,
        intro=report.intro,
        entries={},
        texts_in={"zh-hans": {"intro": "   ", "entries": {entry.pk: {"you_said": ""}}}},
    )
    report.refresh_from_db()
    entry.refresh_from_db()
    assert report.translations == {}
    assert entry.translations["zh-hans"] == {"title": "限速", "we_did": DID_ZH}


def test_the_published_report_is_in_the_readers_language_with_the_fallback_marked(
    bilingual, people, client
):
    report, _entry = bilingual
    report = report_publish(actor=people.official, report=report)
    url = reverse("reports:public", args=[report.proposal.slug])
    english = client.get(url).content.decode()
    assert "Thank you to everyone who took part." in english and INTRO_ZH not in english
    assert 'class="untranslated"' not in english
    page = in_chinese(client).get(url).content.decode()
    for text in (INTRO_ZH, SAID_ZH, DID_ZH, "学校周边更安全的街道", "市政办公室", "限速"):
        assert text in page, text
    assert "Thank you to everyone who took part." not in page
    # The second section's entry has no Chinese: its English words, marked.
    assert 'class="untranslated"' in page
    assert '<span lang="en">Speed</span>' in page  # the theme's title
    assert '<div lang="en">' in page  # a drafted "you said" in English


def test_the_pdf_is_in_the_readers_language(bilingual, people, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report, _entry = bilingual
    report = report_publish(actor=people.official, report=report)
    url = reverse("reports:download", args=[report.proposal.slug, "pdf"])
    english = "".join(pdf_pages(b"".join(client.get(url).streaming_content)))
    assert "Thankyoutoeveryonewhotookpart." in english and INTRO_ZH not in english
    chinese = "".join(pdf_pages(b"".join(in_chinese(client).get(url).streaming_content)))
    for text in (INTRO_ZH, SAID_ZH, DID_ZH, "学校周边更安全的街道"):
        assert text in chinese, text
    with translation.override("zh-hans"):
        mark = "".join(gettext("(not yet translated)").split())
    assert mark in chinese
    assert len(list(tmp_path.joinpath("reports").glob("*.pdf"))) == 2


def test_a_snapshot_from_before_translations_is_shown_as_it_is(bilingual, people):
    report, _entry = bilingual
    report = report_publish(actor=people.official, report=report)
    old = {key: value for key, value in report.snapshot.items() if key != "translations"}
    old["proposal"] = {k: v for k, v in old["proposal"].items() if k != "translations"}
    old["entries"] = [{k: v for k, v in e.items() if k != "translations"} for e in old["entries"]]
    shown = snapshot_in(old, "zh-hans")
    assert shown["intro"] == "Thank you to everyone who took part."
    assert not getattr(shown["intro"], "fallback", False)
    assert not getattr(shown["entries"][0]["title"], "fallback", False)


def test_the_summary_names_sections_in_the_readers_language(drafted, people, client, crowd):
    name_in_chinese(crowd["sections"][0], "限速", "heading")
    client.force_login(people.official)
    in_chinese(client)
    page = client.get(reverse("reports:summary", args=[drafted.proposal.slug])).content.decode()
    assert "限速" in page
    assert crowd["sections"][0].heading not in page
