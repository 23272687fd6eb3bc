"""Atom feeds of open consultations and published reports, read with a real
feed parser: valid, public content only, the list page's filters, the
reader's language, and a clear 404 for what is not there."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consult.feeds.selectors import FEED_LIMIT
from consult.reports.models import ResponseReport
from proposals.models import Proposal, Topic

pytestmark = pytest.mark.django_db


def fetch(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def titles(parsed) -> set[str]:
    return {entry.title for entry in parsed.entries}


def list_titles(client, query: str) -> set[str]:
    response = client.get(f"/consultations/?{query}")
    return {p.title for p in response.context["page"].object_list}


def test_the_feed_lists_exactly_the_open_public_consultations(client, site):
    parsed = fetch(client, "/feeds/consultations.atom")
    assert titles(parsed) == {"Rental deposit reform", "Safer streets near schools", "Bus network"}
    # Never a draft, a withdrawn one, one past its date or one not yet open.
    assert titles(parsed) == list_titles(client, "status=open")


def test_an_entry_has_what_a_reader_needs(client, site, tree):
    parsed = fetch(client, "/feeds/consultations.atom")
    entry = next(e for e in parsed.entries if e.title == "Bus network")
    proposal = site.buses
    assert entry.link == f"http://localhost:8000/consultations/{proposal.slug}/"
    created = proposal.created_at.astimezone(UTC).date().isoformat()
    assert entry.id == f"tag:localhost,{created}:consultation/{proposal.pk}"
    assert entry.author == "District office"
    assert sorted(tag.term for tag in entry.tags) == ["buses", "transport"]
    assert "A 20 km/h limit near schools." in entry.summary
    assert "Closes on" in entry.summary
    updated = datetime(*entry.updated_parsed[:6], tzinfo=UTC)
    assert updated == proposal.opens_at
    assert parsed.feed.title == "Open consultations"
    assert parsed.feed.language == "en"


def test_ids_do_not_change_between_fetches(client, site):
    first = [e.id for e in fetch(client, "/feeds/consultations.atom").entries]
    second = [e.id for e in fetch(client, "/feeds/consultations.atom").entries]
    assert first == second and len(set(first)) == 3


def test_a_reader_polling_an_unchanged_feed_gets_not_modified(client, site, consultation):
    etag = client.get("/feeds/consultations.atom")["ETag"]
    headers = {"if-none-match": etag}
    assert client.get("/feeds/consultations.atom", headers=headers).status_code == 304
    consultation("Something new")
    assert client.get("/feeds/consultations.atom", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("topic=transport", {"Safer streets near schools", "Bus network"}),
        ("topic=buses", {"Bus network"}),
        # A department or a place takes in those below it.
        ("department=city-office", {"Safer streets near schools", "Bus network"}),
        ("department=district", {"Bus network"}),
        (
            "department=ministry",
            {"Rental deposit reform", "Safer streets near schools", "Bus network"},
        ),
        ("jurisdiction=city", {"Safer streets near schools", "Bus network"}),
        (
            "jurisdiction=nation",
            {"Rental deposit reform", "Safer streets near schools", "Bus network"},
        ),
        ("topic=housing&jurisdiction=city", set()),
        (
            "topic=&department=&jurisdiction=",
            {"Rental deposit reform", "Safer streets near schools", "Bus network"},
        ),
    ],
)
def test_filters_show_what_the_list_page_shows(client, site, query, expected):
    parsed = fetch(client, f"/feeds/consultations.atom?{query}")
    assert titles(parsed) == expected
    assert titles(parsed) == list_titles(client, f"status=open&{query}")


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/feeds/topics/transport.atom", "topic=transport"),
        ("/feeds/departments/city-office.atom", "department=city-office"),
        ("/feeds/places/city.atom", "jurisdiction=city"),
    ],
)
def test_the_address_by_topic_department_or_place_is_the_same_feed(client, site, path, query):
    by_path = fetch(client, path)
    by_query = fetch(client, f"/feeds/consultations.atom?{query}")
    assert [e.id for e in by_path.entries] == [e.id for e in by_query.entries]
    assert by_path.feed.id == by_query.feed.id
    assert by_path.feed.title != "Open consultations"  # it names what it is about


def test_the_reports_feed_lists_published_reports_newest_first(client, site):
    parsed = fetch(client, "/feeds/reports.atom")
    assert [e.title for e in parsed.entries] == ["Cycle parking", "Library hours"]
    entry = parsed.entries[0]
    assert entry.link == f"http://localhost:8000/consultations/{site.cycles.slug}/report/"
    assert entry.id.endswith(f":report/{site.cycles.pk}")
    assert "Report published on" in entry.summary
    assert client.get(entry.link.removeprefix("http://localhost:8000")).status_code == 200
    assert titles(fetch(client, "/feeds/reports.atom?department=city-office")) == {"Cycle parking"}


def test_a_report_not_yet_published_is_not_in_the_reports_feed(client, site, consultation):
    consultation("Waiting for its report", "reported")
    assert "Waiting for its report" not in titles(fetch(client, "/feeds/reports.atom"))


def test_the_feed_is_capped_at_the_newest(client, tree, consultation):
    for n in range(FEED_LIMIT + 3):
        consultation(f"Consultation {n}")
    assert len(fetch(client, "/feeds/consultations.atom").entries) == FEED_LIMIT


def test_an_empty_feed_is_still_a_valid_feed(client, tree):
    parsed = fetch(client, "/feeds/consultations.atom")
    assert parsed.entries == [] and parsed.feed.title == "Open consultations"


# --- In the reader's language ---------------------------------------------------


def test_a_chinese_feed_has_chinese_words_and_chinese_texts_where_written(client, site):
    site.streets.translations = {
        "zh-hans": {"title": "学校附近街道更安全", "summary": "学校附近限速"}
    }
    site.streets.save()
    parsed = fetch(client, "/feeds/consultations.atom?lang=zh-hans")
    assert parsed.feed.language == "zh-hans"
    assert b'xml:lang="zh-hans"' in client.get("/feeds/consultations.atom?lang=zh-hans").content
    assert parsed.feed.title == "开放中的咨询"
    by_link = {entry.link.rsplit("/", 2)[-2]: entry for entry in parsed.entries}
    streets = by_link[site.streets.slug]
    assert streets.title == "学校附近街道更安全"
    assert "学校附近限速" in streets.summary
    assert "截止" in streets.summary  # "closes on", in Chinese
    # Not translated: the text as written.
    assert by_link[site.buses.slug].title == "Bus network"


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM = "{http://www.w3.org/2005/Atom}"


def entries_by_slug(content: bytes) -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(content)  # noqa: S314 - our own feed, parsed to check it
    return {
        entry.find(f"{ATOM}link").get("href").rsplit("/", 2)[-2]: entry
        for entry in root.iter(f"{ATOM}entry")
    }


def test_texts_standing_in_from_another_language_say_which(client, site):
    site.streets.translations = {"zh-hans": {"title": "学校附近街道更安全", "summary": "限速"}}
    site.streets.save()
    content = client.get("/feeds/consultations.atom?lang=zh-hans").content
    entries = entries_by_slug(content)
    buses = entries[site.buses.slug]  # not translated: English in a Chinese feed
    assert buses.find(f"{ATOM}title").get(XML_LANG) == "en"
    summary = buses.find(f"{ATOM}summary")
    assert summary.get(XML_LANG) == "en"
    # Our own line in it is in the reader's language, and says so.
    note = BeautifulSoup(summary.text, "html.parser").find_all("p")[-1]
    assert note["lang"] == "zh-hans" and note.text.startswith("截止于")
    assert buses.find(f"{ATOM}author/{ATOM}name").get(XML_LANG) == "en"
    streets = entries[site.streets.slug]  # in the feed's language: nothing to say
    assert streets.find(f"{ATOM}title").get(XML_LANG) is None
    assert streets.find(f"{ATOM}summary").get(XML_LANG) is None
    assert "lang=" not in streets.find(f"{ATOM}summary").text
    # What a feed reader makes of it.
    parsed = {entry.title: entry for entry in feedparser.parse(content).entries}
    assert parsed["Bus network"].title_detail.language == "en"
    assert parsed["学校附近街道更安全"].title_detail.language == "zh-hans"


def test_an_english_feed_of_english_texts_marks_no_element(client, site):
    content = client.get("/feeds/consultations.atom").content
    for entry in entries_by_slug(content).values():
        assert [element.tag for element in entry.iter() if element.get(XML_LANG)] == []


def test_a_date_ending_in_a_full_stop_gets_no_second_one(client, site):
    evening = timezone.localtime().replace(hour=20, minute=35, second=0, microsecond=0)
    Proposal.objects.filter(pk=site.buses.pk).update(closes_at=evening + timedelta(days=5))
    # A published report is immutable to the model; the date is the test's.
    ResponseReport.objects.filter(proposal=site.cycles).update(
        published_at=evening - timedelta(days=1)
    )
    buses = next(
        e for e in fetch(client, "/feeds/consultations.atom").entries if e.title == "Bus network"
    )
    assert "8:35 p.m.</p>" in buses.summary and ".." not in buses.summary
    cycles = fetch(client, "/feeds/reports.atom").entries[0]
    assert "8:35 p.m.</p>" in cycles.summary and ".." not in cycles.summary


def test_names_of_topics_and_departments_follow_the_language(client, site, tree):
    tree.district_office.translations = {"zh-hans": {"name": "区办公室"}}
    tree.district_office.save()
    from taggit.models import Tag

    Topic.objects.create(
        tag=Tag.objects.get(slug="transport"), translations={"zh-hans": {"name": "交通"}}
    )
    parsed = fetch(client, "/feeds/topics/transport.atom?lang=zh-hans")
    assert parsed.feed.title == "开放中的咨询：交通"
    entry = next(e for e in parsed.entries if e.title == "Bus network")
    assert entry.author == "区办公室"
    assert "交通" in [tag.term for tag in entry.tags]


@pytest.mark.parametrize("lang", ["xx", "klingon", "", "q" * 300, "\u202e"])
def test_an_unknown_language_gives_the_default_one(client, site, lang):
    parsed = fetch(client, f"/feeds/consultations.atom?lang={lang}")
    assert parsed.feed.language == "en"
    assert parsed.feed.title == "Open consultations"


def test_without_a_parameter_the_request_language_applies(client, site):
    parsed = fetch(client, "/feeds/consultations.atom")
    assert parsed.feed.language == "en"
    response = client.get("/feeds/consultations.atom", headers={"accept-language": "zh-Hans"})
    assert feedparser.parse(response.content).feed.language == "zh-hans"


# --- Bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/feeds/consultations.atom?topic=no-such-topic", "There is no topic “no-such-topic”"),
        ("/feeds/topics/no-such-topic.atom", "There is no topic “no-such-topic”"),
        ("/feeds/departments/nowhere.atom", "There is no department “nowhere”"),
        ("/feeds/consultations.atom?jurisdiction=atlantis", "There is no place “atlantis”"),
        ("/feeds/reports.atom?topic=no-such-topic", "There is no topic"),
        ("/feeds/closing-dates.ics?department=nowhere", "There is no department"),
        # A topic seen only on a draft is not known outside.
        ("/feeds/topics/ring-road.atom", "There is no topic “ring-road”"),
        ("/feeds/consultations.atom?topic=" + "a" * 5000, "There is no topic"),
        ("/feeds/topics/交通.atom", "There is no topic “交通”"),
        ("/feeds/consultations.atom?topic=%F0%9F%9A%8C", "There is no topic"),
        ("/feeds/consultations.atom?topic=a%00b", "There is no topic"),
        ("/feeds/consultations.atom?department=..%2F..%2Fetc", "There is no department"),
        ("/feeds/places/%E2%80%AEcity.atom", "There is no place"),
    ],
)
def test_a_feed_for_what_is_not_there_is_a_clear_404(client, site, url, words):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert words in response.content.decode()


def test_the_404_speaks_the_asked_language(client, site):
    response = client.get("/feeds/topics/no-such-topic.atom?lang=zh-hans")
    assert response.status_code == 404
    assert "没有" in response.content.decode()


def test_feeds_refuse_writes(client, site):
    assert client.post("/feeds/consultations.atom").status_code == 405


# --- Queries do not grow ------------------------------------------------------------

# The consultations with department, place and version (or report) joined,
# and their topics with the topics' names in other languages.
PINNED = {
    "/feeds/consultations.atom": 2,
    "/feeds/reports.atom": 2,
    # And the topic (one query), the department (found, then its path read by
    # the list's filter), the place likewise.
    "/feeds/consultations.atom?topic=transport&department=ministry&jurisdiction=nation": 7,
    # The calendar names no topic: the consultations alone.
    "/feeds/closing-dates.ics": 1,
}


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_feeds_read_a_fixed_number_of_queries(client, tree, consultation):
    from tests.feeds.conftest import publish_report

    consultation("First", tags=["transport"])
    publish_report(consultation("Reported", "reported", tags=["transport"]))
    small = {url: count(client, url) for url in PINNED}
    for n in range(15):
        consultation(f"Open {n}", tags=["transport", f"t{n}"], department=tree.city_office)
        consultation(f"Scheduled {n}", "scheduled", tags=[f"s{n}"])
        publish_report(consultation(f"Reported {n}", "reported", tags=[f"r{n}"]))
    large = {url: count(client, url) for url in PINNED}
    assert small == PINNED
    assert large == PINNED
    assert Proposal.objects.count() == 47
