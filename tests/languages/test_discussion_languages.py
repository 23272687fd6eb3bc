"""The discussion pages in the reader's language: the consultation's title,
a question's prompt, a section's heading, where written; the text there is,
marked, where not; and no query more for it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from consult.infra.translations import text_in
from discussion.comments import services
from discussion.models import ModerationPolicy
from discussion.moderation import selectors as queue
from proposals.models import ConsultationQuestion
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_chinese(open_proposal):  # noqa: F811 - the imported fixture is its argument
    open_proposal.translations = {"zh-hans": {"title": "学校周边更安全的街道"}}
    open_proposal.save(update_fields=["translations"])
    return open_proposal


def test_a_question_page_reads_in_chinese_and_marks_what_is_not(client, in_chinese):
    asked = ConsultationQuestion.objects.create(
        proposal=in_chinese,
        prompt="Which streets need it most?",
        translations={"zh-hans": {"prompt": "哪些街道最需要？"}},
    )
    unwritten = ConsultationQuestion.objects.create(
        proposal=in_chinese, prompt="What else should we know?", order=1
    )
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    page = client.get(reverse("question-discussion", args=[in_chinese.slug, asked.pk]))
    html = page.content.decode()
    assert "<h1>哪些街道最需要？</h1>" in html
    assert "学校周边更安全的街道</a>" in html and "Safer streets near schools" not in html
    other = client.get(reverse("question-discussion", args=[in_chinese.slug, unwritten.pk]))
    assert '<h1><span lang="en">What else should we know?</span> <a class="untranslated"' in (
        other.content.decode()
    )


def test_the_queue_reads_headings_in_their_consultations_language_at_no_query_each(
    in_chinese, make_user, grant, tree, django_assert_num_queries
):
    from consult.accounts.models import Role

    moderator = grant(make_user(display_name="Mod"), tree.city_office, Role.MODERATOR)
    ModerationPolicy.objects.update_or_create(proposal=in_chinese, defaults={"hold_all": True})
    sections = list(in_chinese.sections.order_by("order"))
    sections[0].translations = {"zh-hans": {"heading": "目的"}}
    sections[0].save(update_fields=["translations"])
    for section in sections:
        services.comment_create(
            actor=make_user(), proposal=in_chinese, body="On this section", section=section
        )
    _page, items = queue.queue_page(user=moderator)
    assert len(items) == len(sections)
    with django_assert_num_queries(0), translation.override("zh-hans"):
        headings = [text_in(item.comment.section, "heading") for item in items]
    assert "目的" in headings
    assert any(heading.fallback for heading in headings)
