"""The pages point to their feeds: in the <head> for feed readers, and in
words on the list page, for the filter being looked at."""

import feedparser
import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db


def page(client, url: str, **headers) -> BeautifulSoup:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_the_home_page_announces_the_feeds(client, site):
    links = page(client, "/").head.find_all("link", rel="alternate")
    hrefs = {link["href"] for link in links if link["type"] == "application/atom+xml"}
    assert hrefs == {"/feeds/consultations.atom?lang=en", "/feeds/reports.atom?lang=en"}


def test_the_list_page_announces_the_feeds_of_its_filter(client, site):
    soup = page(client, "/consultations/?topic=transport&jurisdiction=city&status=open&q=bus")
    head = soup.head.find("link", rel="alternate", type="application/atom+xml")
    assert head["href"] == "/feeds/consultations.atom?topic=transport&jurisdiction=city&lang=en"
    subscribe = soup.find(class_="feed-links")
    assert "Subscribe:" in subscribe.get_text()
    hrefs = [a["href"] for a in subscribe.find_all("a")]
    assert hrefs == [
        "/feeds/consultations.atom?topic=transport&jurisdiction=city&lang=en",
        "/feeds/reports.atom?topic=transport&jurisdiction=city&lang=en",
        "/feeds/closing-dates.ics?topic=transport&jurisdiction=city&lang=en",
    ]
    # The link leads to the same consultations the filter shows.
    parsed = feedparser.parse(client.get(hrefs[0]).content)
    assert {e.title for e in parsed.entries} == {"Safer streets near schools", "Bus network"}


def test_the_links_keep_the_reader_language(client, site):
    soup = page(client, "/consultations/", **{"accept-language": "zh-Hans"})
    assert "订阅：" in soup.find(class_="feed-links").get_text()
    head = soup.head.find("link", rel="alternate", type="application/atom+xml")
    assert head["href"] == "/feeds/consultations.atom?lang=zh-hans"
    assert head["title"] == "开放中的咨询"
