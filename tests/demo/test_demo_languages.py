"""The demo in both languages: names of places, departments and topics in
Chinese, some consultations and the published report written in both, and
some in one language only, so that the marked fallback shows."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from taggit.models import Tag

from consult.accounts.models import Department, Jurisdiction
from consult.infra.translations import text_in
from proposals.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def test_places_departments_and_topics_have_chinese_names(demo):
    assert text_in(Jurisdiction.objects.get(slug="riverton"), "name", "zh-hans") == "河滨市"
    office = Department.objects.get(slug="riverton-housing")
    assert text_in(office, "name", "zh-hans") == "河滨市住房和交通办公室"
    assert text_in(Tag.objects.get(name="transport").topic, "name", "zh-hans") == "交通"
    # The Chinese bus plan is filed under the same topics as the English ones.
    bus = Proposal.objects.get(slug="riverton-bus-network-2027")
    assert set(bus.tags.names()) == {"transport", "public transport"}


def test_some_consultations_are_in_both_languages_and_some_in_one(demo):
    streets = Proposal.objects.get(slug="safer-streets-near-schools")
    assert text_in(streets, "title", "zh-hans") == "学校周边更安全的街道"
    assert text_in(streets.sections.order_by("order").first(), "heading", "zh-hans") == "目的"
    agree = streets.form_questions.order_by("order").first()
    assert agree.translations["zh-hans"]["prompt"].startswith("您是否同意")
    bus = Proposal.objects.get(slug="riverton-bus-network-2027")
    assert bus.language == "zh-hans"
    assert text_in(bus, "title", "en") == "Riverton bus network 2027"
    deposits = text_in(Proposal.objects.get(slug="rental-deposit-reform"), "title", "zh-hans")
    assert deposits == "Rental deposit reform" and deposits.fallback
    lifts = text_in(Proposal.objects.get(slug="elevator-retrofit-subsidy"), "title", "en")
    assert lifts.language == "zh-hans" and lifts.fallback


def test_the_published_demo_report_reads_in_chinese(demo, client):
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    page = client.get(reverse("reports:public", args=["cycle-parking-standards"]))
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("新建建筑自行车停车标准", "感谢所有参与的人", "货运自行车", "住房和交通部"):
        assert text in html, text


def test_a_consultation_written_in_chinese_has_its_sections_in_chinese_and_english(demo, client):
    """The bus plan is written in Chinese: its sections say so, keep their
    Chinese in their own columns, and read in English where translated, on
    the published page too."""
    bus = Proposal.objects.get(slug="riverton-bus-network-2027")
    first = bus.sections.order_by("order").first()
    assert first.language == "zh-hans"
    assert text_in(first, "heading", "en") == "General provisions"
    assert not text_in(first, "heading", "zh-hans").fallback
    assert text_in(first, "heading", "zh-hans") != "General provisions"
    client.post("/i18n/setlang/", {"language": "en"})
    english = client.get(bus.get_absolute_url()).content.decode()
    assert "General provisions" in english
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    chinese = client.get(bus.get_absolute_url()).content.decode()
    assert str(text_in(first, "heading", "zh-hans")) in chinese
    assert "General provisions" not in chinese
