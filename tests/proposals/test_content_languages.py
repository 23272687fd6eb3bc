"""A consultation written in one language and translated into the other:
officials write both through their pages, versions keep both, the diff and
the public pages show the reader's language (the original, marked, where it
is not written), and search finds either."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from consult.accounts.audit import AuditEntry
from proposals import diff, selectors
from proposals.models import Proposal, Section, SectionVersion
from proposals.questionnaire import services as questionnaire
from proposals.questionnaire.models import FormQuestion, QuestionKind
from proposals.services import attachments, drafts, lifecycle, versions
from tests.proposals.conftest import PDF

pytestmark = pytest.mark.django_db

ZH = "zh-hans"
NOT_TRANSLATED_EN = "(not yet translated)"


def chinese(client):
    client.post("/i18n/setlang/", {"language": ZH})
    return client


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def details_post(proposal: Proposal, **changes) -> dict:
    """The details form as the page sends it, with `changes`."""
    data = {
        "jurisdiction": proposal.jurisdiction_id,
        "title": proposal.title,
        "summary": proposal.summary,
        "questions": "\n".join(q.prompt for q in proposal.questions.all()),
        "tags": ", ".join(t.name for t in proposal.tags.all()),
    }
    data.update(changes)
    return data


def open_it(proposal: Proposal, official) -> Proposal:
    now = timezone.now()
    lifecycle.proposal_schedule(
        actor=official,
        proposal=proposal,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=30),
    )
    proposal.refresh_from_db()
    return proposal


def translate(official, section, **texts) -> None:
    """The section's texts in Chinese, its own words as they are."""
    drafts.section_update(
        actor=official,
        section=section,
        heading=section.heading,
        body=section.body,
        translations={ZH: texts},
    )


@pytest.fixture
def bilingual(draft, people) -> Proposal:
    """The English draft with Chinese title, summary, question and its first
    section (the second stays English only), published and open."""
    drafts.proposal_update(
        actor=people.official,
        proposal=draft,
        title=draft.title,
        summary=draft.summary,
        jurisdiction=draft.jurisdiction,
        questions=["Would this change how you travel?"],
        translations={ZH: {"title": "学校附近更安全的街道", "summary": "学校附近限速二十公里。"}},
        question_translations={ZH: ["这会改变您的出行方式吗？"]},
    )
    first = draft.sections.order_by("order").first()
    translate(people.official, first, heading="目的", body="更**安静**的街道。")
    versions.version_publish(
        actor=people.official,
        proposal=draft,
        change_note="First draft.",
        translations={ZH: {"change_note": "初稿。"}},
    )
    return open_it(Proposal.objects.get(pk=draft.pk), people.official)


# --- authoring ------------------------------------------------------------------------


def test_a_new_draft_is_written_in_the_officials_language_unless_chosen(
    official_client, tree, people
):
    official_client.post("/i18n/setlang/", {"language": ZH})
    data = {"department": tree.city_office.pk, "jurisdiction": tree.city.pk}
    official_client.post(reverse("manage:new"), {**data, "title": "公交专用道", "summary": "试点"})
    official_client.post(
        reverse("manage:new"),
        {**data, "title": "Bus lanes", "summary": "A trial", "language": "en"},
    )
    assert Proposal.objects.get(title="公交专用道").language == ZH
    assert Proposal.objects.get(title="Bus lanes").language == "en"


def test_the_details_are_written_in_the_other_language_through_the_page(official_client, draft):
    page = soup_of(official_client.get(reverse("manage:proposal", args=[draft.pk])))
    assert page.find(id="id_language")  # a draft never published
    field = page.find(attrs={"name": "title_zh_hans"})
    assert field["lang"] == ZH
    assert "Simplified Chinese" in page.find("label", attrs={"for": field["id"]}).text

    response = official_client.post(
        reverse("manage:proposal", args=[draft.pk]),
        details_post(
            draft,
            title_zh_hans="学校附近更安全的街道",
            summary_zh_hans="限速",
            questions_zh_hans="这会改变您的出行方式吗？",
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Safer streets near schools"
    assert draft.translations == {ZH: {"title": "学校附近更安全的街道", "summary": "限速"}}
    assert draft.questions.get().translations == {ZH: {"prompt": "这会改变您的出行方式吗？"}}
    entry = AuditEntry.objects.filter(action="proposal.updated").latest("pk")
    assert entry.after["translations"] == draft.translations
    # What was written is in the form again.
    page = soup_of(official_client.get(reverse("manage:proposal", args=[draft.pk])))
    assert page.find(attrs={"name": "title_zh_hans"})["value"] == "学校附近更安全的街道"


def test_a_blank_translation_removes_it(official_client, bilingual):
    official_client.post(
        reverse("manage:proposal", args=[bilingual.pk]),
        details_post(bilingual, title_zh_hans="", summary_zh_hans="新的摘要"),
    )
    bilingual.refresh_from_db()
    assert bilingual.translations == {ZH: {"summary": "新的摘要"}}


def test_a_hostile_translation_gets_the_source_fields_messages(official_client, draft):
    response = official_client.post(
        reverse("manage:proposal", args=[draft.pk]),
        details_post(draft, title_zh_hans="长" * 201, summary_zh_hans="x"),
    )
    assert response.status_code == 400
    assert b"Ensure this value has at most 200 characters" in response.content
    with pytest.raises(ValidationError) as refused:
        drafts.proposal_update(
            actor=draft.created_by,
            proposal=draft,
            title=draft.title,
            summary=draft.summary,
            jurisdiction=draft.jurisdiction,
            translations={ZH: {"summary": "摘" * 2001}},
        )
    assert refused.value.message_dict == {
        "summary_zh_hans": ["The summary can be at most 2000 characters."]
    }
    with pytest.raises(ValidationError):
        drafts.proposal_update(
            actor=draft.created_by,
            proposal=draft,
            title=draft.title,
            summary=draft.summary,
            jurisdiction=draft.jurisdiction,
            translations={"xx": {"title": "?"}},
        )
    response = official_client.post(
        reverse("manage:proposal", args=[draft.pk]),
        details_post(draft, questions_zh_hans="一\n二\n三"),
    )
    assert response.status_code == 400
    assert b"more translated questions than questions" in response.content
    draft.refresh_from_db()
    assert draft.translations == {}


def test_a_section_is_edited_in_both_languages_and_refused_as_the_source_is(official_client, draft):
    section = draft.sections.order_by("order").first()
    url = reverse("manage:section_edit", args=[draft.pk, section.pk])
    page = soup_of(official_client.get(url))
    assert page.find(attrs={"name": "body_zh_hans"})["lang"] == ZH
    fields = {"heading": section.heading, "body": section.body, "revision": section.revision}
    nul = official_client.post(url, {**fields, "heading_zh_hans": "目的\x00"})
    assert nul.status_code == 400
    assert "Null characters are not allowed." in nul.content.decode()
    response = official_client.post(
        url, {**fields, "heading_zh_hans": " 目的 ", "body_zh_hans": "更安静的街道。\r\n"}
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.translations == {ZH: {"heading": "目的", "body": "更安静的街道。"}}
    too_long = official_client.post(
        url,
        {
            "heading": section.heading,
            "body": section.body,
            "revision": section.revision,
            "body_zh_hans": "字" * 20_001,
        },
    )
    assert too_long.status_code == 400
    assert "A section can be at most 20000 characters; this one has 20001." in (
        too_long.content.decode()
    )


def test_the_language_can_change_only_on_a_draft_never_published(draft, people):
    drafts.proposal_update(
        actor=people.official,
        proposal=draft,
        title=draft.title,
        summary=draft.summary,
        jurisdiction=draft.jurisdiction,
        translations={ZH: {"title": "中文标题"}},
        language=ZH,
    )
    draft.refresh_from_db()
    # The texts written as "the other language" follow the correction.
    assert draft.language == ZH
    assert draft.translations == {"en": {"title": "中文标题"}}
    # Its parts say so in their own column, which pages read without the draft.
    assert draft.sections.exists()
    assert set(draft.sections.values_list("language", flat=True)) == {ZH}
    versions.version_publish(actor=people.official, proposal=draft, change_note="v1")
    with pytest.raises(ValidationError) as refused:
        drafts.proposal_update(
            actor=people.official,
            proposal=draft,
            title=draft.title,
            summary=draft.summary,
            jurisdiction=draft.jurisdiction,
            language="en",
        )
    assert refused.value.message_dict["language"] == [str(drafts.LANGUAGE_FIXED)]


def test_the_language_field_is_gone_once_published(official_client, bilingual):
    page = soup_of(official_client.get(reverse("manage:proposal", args=[bilingual.pk])))
    assert page.find(id="id_language") is None
    assert page.find(attrs={"name": "summary_zh_hans"}) is not None


def test_an_attachment_gets_its_title_and_text_alternative_in_the_other_language(
    official_client, draft
):
    response = official_client.post(
        reverse("manage:attachment_add", args=[draft.pk]),
        {
            "attachment-file": SimpleUploadedFile("plan.pdf", PDF),
            "attachment-title": "Plan",
            "attachment-title_zh_hans": "规划",
        },
    )
    assert response.status_code == 302
    attachment = draft.attachments.get()
    assert attachment.translations == {ZH: {"title": "规划"}}
    url = reverse("manage:attachment_translate", args=[draft.pk, attachment.pk])
    refused = official_client.post(url, {f"a{attachment.pk}-title_zh_hans": "图" * 201})
    assert refused.status_code == 400
    official_client.post(url, {f"a{attachment.pk}-title_zh_hans": "总体规划"})
    attachment.refresh_from_db()
    assert attachment.translations == {ZH: {"title": "总体规划"}}
    assert AuditEntry.objects.filter(action="proposal.attachment_translated").count() == 1


# --- the response form's questions -----------------------------------------------------


def choice_question(people, proposal, **translations) -> FormQuestion:
    return questionnaire.question_add(
        actor=people.official,
        proposal=proposal,
        data=questionnaire.QuestionInput(
            kind=QuestionKind.SINGLE,
            prompt="How do you travel?",
            choices=["Bus", "Bike"],
            translations=translations or None,
        ),
    )


def test_a_form_question_is_written_in_the_other_language(official_client, draft, people):
    response = official_client.post(
        reverse("manage:form_add", args=[draft.pk]),
        {
            "kind": "single",
            "prompt": "How do you travel?",
            "choices": "Bus\nBike",
            "prompt_zh_hans": "您如何出行？",
            "help_text_zh_hans": "选一个。",
            "choices_zh_hans": "公交\n自行车",
        },
    )
    assert response.status_code == 302
    question = FormQuestion.objects.get(proposal=draft)
    assert question.translations == {
        ZH: {
            "prompt": "您如何出行？",
            "help_text": "选一个。",
            "choices": {"c1": "公交", "c2": "自行车"},
        }
    }
    with translation.override(ZH):
        assert question.choice_pairs() == [("c1", "公交"), ("c2", "自行车")]
    twice = official_client.post(
        reverse("manage:form_question", args=[draft.pk, question.pk]),
        {"kind": "single", "prompt": "How do you travel?", "choices": "Bus\nBike",
         "choices_zh_hans": "公交\n公交"},
    )  # fmt: skip
    assert twice.status_code == 400
    assert "The answer “公交” is given twice." in twice.content.decode()


def test_a_frozen_question_takes_a_missing_translation_but_keeps_a_written_one(draft, people):
    question = choice_question(people, draft, **{ZH: {"prompt": "您如何出行？"}})
    versions.version_publish(actor=people.official, proposal=draft, change_note="v1")
    questionnaire.questions_freeze(draft.pk)
    question.refresh_from_db()

    def update(texts):
        return questionnaire.question_update(
            actor=people.official,
            question=question,
            data=questionnaire.QuestionInput(
                kind=QuestionKind.SINGLE,
                prompt="How do you travel?",
                choices=["Bus", "Bike"],
                translations={ZH: texts},
            ),
        )

    update({"prompt": "您如何出行？", "choices": ["公交", "自行车"]})  # labels were missing
    with pytest.raises(ValidationError) as refused:
        update({"prompt": "您怎么出行？", "choices": ["公交", "自行车"]})
    assert "Simplified Chinese" in refused.value.messages[0]
    question.refresh_from_db()
    assert question.translations[ZH]["prompt"] == "您如何出行？"
    assert question.translations[ZH]["choices"] == {"c1": "公交", "c2": "自行车"}


# --- versions, unpublished changes and the diff -----------------------------------------


def test_a_version_keeps_each_language_rendered_and_sanitised(bilingual, people):
    version = bilingual.current_version
    assert version.translations == {ZH: {"change_note": "初稿。"}}
    first, second = version.section_versions.order_by("order")
    assert first.language == "en"
    assert first.translations == {
        ZH: {
            "heading": "目的",
            "body": "更**安静**的街道。",
            "body_html": "<p>更<strong>安静</strong>的街道。</p>\n",
        }
    }
    assert second.translations == {}
    section = bilingual.sections.order_by("order").last()
    translate(people.official, section, body="<script>alert(1)</script>[x](javascript:alert(1))")
    versions.version_publish(actor=people.official, proposal=bilingual, change_note="v2")
    html = SectionVersion.objects.get(version__number=2, section=section).translations[ZH][
        "body_html"
    ]
    assert "<script" not in html
    assert 'href="javascript' not in html


def unpublished(proposal) -> bool:
    return selectors.with_unpublished_changes(Proposal.objects.filter(pk=proposal.pk)).get()


def test_a_changed_translation_is_an_unpublished_change(bilingual, people):
    assert unpublished(bilingual).unpublished_changes is False
    with pytest.raises(ValidationError):
        versions.version_publish(actor=people.official, proposal=bilingual, change_note="same")
    section = bilingual.sections.order_by("order").first()
    translate(people.official, section, heading="宗旨", body="更**安静**的街道。")
    assert unpublished(bilingual).unpublished_changes is True
    versions.version_publish(actor=people.official, proposal=bilingual, change_note="v2")
    assert unpublished(bilingual).unpublished_changes is False
    # Removing a translation is a change too.
    translate(people.official, Section.objects.get(pk=section.pk), heading="", body="")
    assert unpublished(bilingual).unpublished_changes is True


def test_the_diff_is_in_the_readers_language_where_both_versions_have_it(bilingual, people):
    first, second = bilingual.sections.order_by("order")
    translate(people.official, first, heading="目的", body="更安静、更安全的街道。")
    drafts.section_update(
        actor=people.official, section=second, heading="Limits", body="30 km/h at night."
    )
    versions.version_publish(actor=people.official, proposal=bilingual, change_note="v2")
    old, new = (
        list(selectors.version_get(proposal=bilingual, number=n).section_versions.all())
        for n in (1, 2)
    )
    chinese_first, chinese_second = diff.compare(old, new, language=ZH)
    assert (chinese_first.language, chinese_first.fallback) == (ZH, False)
    assert "<ins>" in chinese_first.body and "安全" in chinese_first.body
    assert (chinese_second.language, chinese_second.fallback) == ("en", True)
    assert "30" in chinese_second.body
    english_first, _ = diff.compare(old, new, language="en")
    assert english_first.kind == "unchanged" and not english_first.fallback


def test_the_version_and_changes_pages_show_the_readers_language(client, bilingual, people):
    section = bilingual.sections.order_by("order").first()
    translate(people.official, section, heading="目的", body="更安静、更安全的街道。")
    versions.version_publish(
        actor=people.official,
        proposal=bilingual,
        change_note="Safer",
        translations={ZH: {"change_note": "更安全"}},
    )
    chinese(client)
    version = soup_of(client.get(reverse("proposals:version", args=[bilingual.slug, 2])))
    assert "更安全" in version.find("p", class_="lead").text
    headings = [h.text for h in version.select("section.section h2")]
    assert headings[0] == "目的"
    assert version.select("section.section")[1].find("div", attrs={"lang": "en"})
    changes = soup_of(client.get(reverse("proposals:changes", args=[bilingual.slug])))
    first, second = changes.select("section.diff")
    assert "安全" in first.find("div", class_="diff-body").text
    assert second.find(attrs={"lang": "en"}) is not None
    assert second.find("a", class_="untranslated") is not None


# --- search ---------------------------------------------------------------------------


def test_search_finds_a_consultation_by_either_languages_words(bilingual, people):
    """An English consultation with a Chinese title is found by a Chinese word
    and by an English one; a Chinese one with an English title likewise (on
    whichever database runs the tests: search.py has a path for each)."""
    written_in_chinese = drafts.proposal_create(
        actor=people.official,
        department=bilingual.department,
        jurisdiction=bilingual.jurisdiction,
        title="公交专用道试点",
        summary="在主干道上试行公交专用道。",
        language=ZH,
    )
    drafts.section_add(
        actor=people.official,
        proposal=written_in_chinese,
        heading="范围",
        body="三条主干道。",
        translations={"en": {"heading": "Scope", "body": "Three arterial roads for buses."}},
    )
    drafts.proposal_update(
        actor=people.official,
        proposal=written_in_chinese,
        title=written_in_chinese.title,
        summary=written_in_chinese.summary,
        jurisdiction=written_in_chinese.jurisdiction,
        translations={"en": {"title": "Bus lane trial", "summary": "A trial of bus lanes."}},
    )
    versions.version_publish(actor=people.official, proposal=written_in_chinese, change_note="1")
    open_it(written_in_chinese, people.official)

    def found(query: str) -> set[str]:
        browse = selectors.Browse(q=query)
        return {p.title for p in selectors.proposal_list_public(browse)}

    assert found("学校") == {"Safer streets near schools"}  # the Chinese title
    assert found("安静") == {"Safer streets near schools"}  # a Chinese section
    assert found("schools") == {"Safer streets near schools"}
    assert found("公交") == {"公交专用道试点"}
    assert found("trial") == {"公交专用道试点"}  # the English title
    assert found("arterial") == {"公交专用道试点"}  # an English section


# --- the public pages in the reader's language ----------------------------------------


def test_the_chinese_pages_show_chinese_where_written_and_mark_the_rest(client, bilingual):
    chinese(client)
    home = soup_of(client.get("/"))
    card = home.select_one("li.card")
    assert card.find("h3").a.text == "学校附近更安全的街道"
    assert "学校附近限速二十公里。" in card.text

    listing = soup_of(client.get(reverse("proposals:list")))
    assert listing.select_one("li.card h2").a.text == "学校附近更安全的街道"

    page = soup_of(client.get(bilingual.get_absolute_url()))
    assert page.title.text.startswith("学校附近更安全的街道")
    assert page.find("h1").text == "学校附近更安全的街道"
    first, second = page.select("div.sections section.section")
    assert first.find("h2").text == "目的"
    assert first.find("div", class_="section-body").strong.text == "安静"
    # The second section has no Chinese yet: English, marked.
    heading = second.find("h2")
    assert heading.find("span", attrs={"lang": "en"}).text == "Limits"
    assert heading.find("a", class_="untranslated")["href"] == "#language-select"
    assert second.find("div", class_="section-body").find("div", attrs={"lang": "en"})
    assert page.select_one("ol.questions").a.text == "这会改变您的出行方式吗？"
    assert "初稿。" in page.select_one("ol.versions").text


def english_only(people, tree) -> Proposal:
    """A consultation written in English and not translated at all, open."""
    proposal = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Bike lanes on Main Street",
        summary="Two protected lanes.",
    )
    drafts.section_add(actor=people.official, proposal=proposal, heading="Scope", body="Two.")
    versions.version_publish(actor=people.official, proposal=proposal, change_note="One.")
    return open_it(proposal, people.official)


@pytest.mark.parametrize(("url", "level"), [("/", "h3"), ("/consultations/", "h2")])
def test_the_chinese_cards_mark_a_consultation_not_yet_translated(
    client, bilingual, people, tree, url, level
):
    """Home and list share the card: Chinese where written, else the English
    with its `lang` and the mark."""
    english_only(people, tree)
    chinese(client)
    cards = {card.find(level).a.text: card for card in soup_of(client.get(url)).select("li.card")}
    assert set(cards) == {"学校附近更安全的街道", "Bike lanes on Main Street"}
    written = cards["学校附近更安全的街道"]
    assert written.find(level).a.get("lang") is None
    assert written.find(level).select_one("a.untranslated") is None
    assert written.find_all("p")[-1].text == "学校附近限速二十公里。"
    title = cards["Bike lanes on Main Street"].find(level)
    assert title.a["lang"] == "en"
    mark = title.select_one("a.untranslated")
    assert mark.text == "（尚未翻译）" and mark["href"] == "#language-select"
    summary = cards["Bike lanes on Main Street"].find_all("p")[-1]
    assert summary.find("span", attrs={"lang": "en"}).text == "Two protected lanes."
    assert summary.select_one("a.untranslated").text == "（尚未翻译）"


def test_the_english_pages_mark_a_consultation_written_in_chinese(client, tree, people):
    proposal = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="公交专用道试点",
        summary="在主干道上试行公交专用道。",
        language=ZH,
    )
    drafts.section_add(actor=people.official, proposal=proposal, heading="范围", body="三条。")
    drafts.proposal_update(
        actor=people.official,
        proposal=proposal,
        title=proposal.title,
        summary=proposal.summary,
        jurisdiction=proposal.jurisdiction,
        translations={"en": {"title": "Bus lane trial"}},
    )
    versions.version_publish(actor=people.official, proposal=proposal, change_note="一")
    open_it(proposal, people.official)
    card = soup_of(client.get("/")).select_one("li.card")
    assert card.find("h3").a.text == "Bus lane trial"
    summary = card.find_all("p")[-1]
    assert summary.find("span", attrs={"lang": ZH}).text == "在主干道上试行公交专用道。"
    assert NOT_TRANSLATED_EN in summary.text
    page = soup_of(client.get(proposal.get_absolute_url()))
    assert page.find("h1").text == "Bus lane trial"
    assert page.select_one("section.section h2 span[lang=zh-hans]").text == "范围"
    assert NOT_TRANSLATED_EN in page.select_one("section.section h2").text


def test_the_respondents_form_shows_the_readers_language(client, bilingual, people):
    choice_question(
        people,
        bilingual,
        **{ZH: {"prompt": "您如何出行？", "choices": ["公交"]}},
    )
    versions.version_publish(actor=people.official, proposal=bilingual, change_note="form")
    client.force_login(people.citizen)
    chinese(client)
    page = soup_of(client.get(reverse("discussion:form", args=[bilingual.slug])))
    (fieldset,) = [
        f for f in page.select("fieldset.form-question") if "您如何出行？" in f.legend.text
    ]
    assert [label.text for label in fieldset.select("label")] == ["公交", "Bike"]


# --- queries --------------------------------------------------------------------------


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_reading_in_the_other_language_costs_no_query(client, bilingual, people):
    """The pages read each text's language from the proposal already loaded."""
    urls = [
        "/",
        reverse("proposals:list"),
        bilingual.get_absolute_url(),
        reverse("proposals:version", args=[bilingual.slug, 1]),
    ]
    english = {url: count(client, url) for url in urls}
    chinese(client)
    assert {url: count(client, url) for url in urls} == english
    attachments.attachment_add(
        actor=people.official,
        proposal=bilingual,
        upload=SimpleUploadedFile("plan.pdf", PDF),
        title="Plan",
        translations={ZH: {"title": "规划"}},
    )
    assert count(client, bilingual.get_absolute_url()) == english[bilingual.get_absolute_url()]


def test_parts_added_to_a_consultation_written_in_chinese_keep_each_language_in_its_place(
    draft, people
):
    """A section, a question and a version made for a Chinese consultation are
    Chinese from the start: English given with them is their translation, and
    their own columns keep the Chinese."""
    drafts.proposal_update(
        actor=people.official,
        proposal=draft,
        title=draft.title,
        summary=draft.summary,
        jurisdiction=draft.jurisdiction,
        language=ZH,
    )
    draft.refresh_from_db()
    section = drafts.section_add(
        actor=people.official,
        proposal=draft,
        heading="目的",
        body="更安静的街道。",
        translations={"en": {"heading": "Purpose", "body": "Quieter streets."}},
    )
    section.refresh_from_db()
    assert (section.language, section.heading) == (ZH, "目的")
    assert section.translations == {"en": {"heading": "Purpose", "body": "Quieter streets."}}
    version = versions.version_publish(
        actor=people.official,
        proposal=draft,
        change_note="初稿。",
        translations={"en": {"change_note": "First draft."}},
    )
    version.refresh_from_db()
    assert (version.language, version.change_note) == (ZH, "初稿。")
    assert version.translations == {"en": {"change_note": "First draft."}}


def test_a_section_with_only_its_heading_translated_is_compared_in_its_own_language(
    bilingual, people
):
    """Its text is not in the reader's language: comparing the translated
    heading with an empty text would show the text as gone."""
    second = bilingual.sections.order_by("order")[1]
    translate(people.official, second, heading="限速")
    versions.version_publish(actor=people.official, proposal=bilingual, change_note="v2")
    second = Section.objects.get(pk=second.pk)
    drafts.section_update(
        actor=people.official,
        section=second,
        heading=second.heading,
        body=second.body + " Also at night.",
        translations={ZH: {"heading": "限速"}},
    )
    versions.version_publish(actor=people.official, proposal=bilingual, change_note="v3")
    old, new = (
        list(selectors.version_get(proposal=bilingual, number=n).section_versions.all())
        for n in (2, 3)
    )
    _first, changed = diff.compare(old, new, language=ZH)
    assert (changed.language, changed.fallback) == ("en", True)
    assert "night" in changed.body
