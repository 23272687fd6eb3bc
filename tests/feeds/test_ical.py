"""The calendar of closing dates, read with a real iCalendar parser, and the
writer's folding and escaping on hostile text."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from consult.feeds import ical
from proposals.models import Proposal

pytestmark = pytest.mark.django_db

ZH = "zh-hans"
# 197 characters: as long as a title may be (200), hostile in every other way.
HOSTILE = "Roads, rails; and \\ bridges\nsecond line\r\nthird " + "交" * 150


def fetch(client, url: str = "/feeds/closing-dates.ics") -> tuple[bytes, icalendar.Calendar]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content, icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def assert_well_formed(body: bytes) -> None:
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # never cut inside a character


def test_one_event_per_open_or_scheduled_consultation_with_its_close(client, site):
    body, calendar = fetch(client)
    assert_well_formed(body)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Closing dates of consultations"
    found = events(calendar)
    expected = [site.streets, site.deposits, site.buses, site.tram]
    assert set(found) == {f"consultation-{p.pk}@localhost" for p in expected}
    for proposal in expected:
        event = found[f"consultation-{proposal.pk}@localhost"]
        assert event["DTSTART"].dt == proposal.closes_at
        assert "DTEND" not in event  # an instant: the moment it closes
        assert str(event["SUMMARY"]) == f"Consultation closes: {proposal.title}"
        assert str(event["URL"]) == f"http://localhost:8000/consultations/{proposal.slug}/"
        assert str(event["DESCRIPTION"]).startswith(proposal.summary)
        # With no METHOD, DTSTAMP is when the consultation last changed.
        assert event["DTSTAMP"].dt == proposal.updated_at.replace(microsecond=0)


def test_an_unchanged_calendar_is_the_same_bytes_and_not_sent_again(client, site):
    first = client.get("/feeds/closing-dates.ics")
    second = client.get("/feeds/closing-dates.ics")
    assert first.content == second.content
    again = client.get("/feeds/closing-dates.ics", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    site.tram.title = "Tram extension to the harbour"
    site.tram.save()
    changed = client.get("/feeds/closing-dates.ics", headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert set(events(icalendar.Calendar.from_ical(changed.content))) == set(
        events(icalendar.Calendar.from_ical(first.content))
    )  # the same UIDs: a calendar updates its events rather than adding new ones


def test_a_consultation_without_a_closing_date_has_no_event(client, tree, consultation):
    undated = consultation("Open ended")
    Proposal.objects.filter(pk=undated.pk).update(closes_at=None)
    assert events(fetch(client)[1]) == {}


def test_filters_and_language_apply_to_the_calendar(client, site):
    _body, calendar = fetch(client, "/feeds/closing-dates.ics?department=city-office&lang=zh-hans")
    assert set(events(calendar)) == {
        f"consultation-{p.pk}@localhost" for p in (site.streets, site.buses, site.tram)
    }
    assert str(calendar["X-WR-CALNAME"]).startswith("咨询截止日期：")
    event = events(calendar)[f"consultation-{site.tram.pk}@localhost"]
    assert str(event["SUMMARY"]) == "咨询截止：Tram extension"
    by_path = fetch(client, "/feeds/departments/city-office/closing-dates.ics")[1]
    assert set(events(by_path)) == {
        f"consultation-{p.pk}@localhost" for p in (site.streets, site.buses, site.tram)
    }


def test_a_calendar_with_nothing_open_still_has_a_component(client, tree):
    """RFC 5545 3.6: at least one component. Not a made-up event: the zone
    every time in the calendar is written in."""
    body, calendar = fetch(client)
    assert_well_formed(body)
    assert events(calendar) == {}
    (zone,) = calendar.subcomponents
    assert zone.name == "VTIMEZONE" and str(zone["TZID"]) == "UTC"
    (standard,) = zone.subcomponents
    assert standard["TZOFFSETFROM"].td == standard["TZOFFSETTO"].td == timedelta(0)


def test_each_text_is_marked_with_the_language_it_is_in(client, site):
    """The words of the summary are the reader's: the summary is in one
    language only when the title is too; the description is the text of the
    consultation's summary, in whichever language it is written."""
    site.streets.translations = {ZH: {"title": "学校附近街道更安全", "summary": "学校附近限速"}}
    site.streets.save()
    site.buses.translations = {ZH: {"title": "公交线网"}}
    site.buses.save()
    Proposal.objects.filter(pk=site.deposits.pk).update(summary="")
    found = events(fetch(client, f"/feeds/closing-dates.ics?lang={ZH}")[1])

    def languages(proposal):
        event = found[f"consultation-{proposal.pk}@localhost"]
        return tuple(event[name].params.get("LANGUAGE") for name in ("SUMMARY", "DESCRIPTION"))

    assert languages(site.streets) == (ZH, ZH)
    assert languages(site.buses) == (ZH, "en")
    assert languages(site.tram) == (None, "en")  # "咨询截止：Tram extension": two languages
    assert languages(site.deposits) == (None, None)  # the address alone
    english = events(fetch(client, "/feeds/closing-dates.ics?lang=en")[1])
    event = english[f"consultation-{site.tram.pk}@localhost"]
    assert event["SUMMARY"].params["LANGUAGE"] == event["DESCRIPTION"].params["LANGUAGE"] == "en"


def test_hostile_titles_survive_folding_and_escaping(client, tree, consultation):
    proposal = consultation("placeholder", summary="Line one\nLine two; with, commas \\ too")
    Proposal.objects.filter(pk=proposal.pk).update(title=HOSTILE)
    body, calendar = fetch(client)
    assert_well_formed(body)
    event = events(calendar)[f"consultation-{proposal.pk}@localhost"]
    # What a calendar reads back is the text as written; CRLF reads as LF.
    assert str(event["SUMMARY"]) == "Consultation closes: " + HOSTILE.replace("\r\n", "\n")
    assert str(event["DESCRIPTION"]).startswith("Line one\nLine two; with, commas \\ too\n\n")
    assert b"\\, rails\\; and \\\\ bridges\\nsecond line\\nthird" in body.replace(b"\r\n ", b"")


# --- The writer on its own ---------------------------------------------------


def test_escape_text():
    assert ical.escape_text("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"
    assert ical.escape_text("bell\x07 and tab\t") == "bell and tab\t"


@pytest.mark.parametrize("text", ["a" * 300, "交" * 200, "é" * 100 + "x" + "😀" * 50, ""])
def test_fold_cuts_at_75_octets_and_never_inside_a_character(text):
    folded = ical.fold("SUMMARY:" + text)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join([pieces[0], *(piece[1:] for piece in pieces[1:])]) == "SUMMARY:" + text


def test_a_written_calendar_reads_back():
    moment = datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    event = ical.Event(
        uid="consultation-1@example.org",
        start=moment,
        summary=HOSTILE,
        description="d",
        url="https://example.org/consultations/x/",
        stamp=moment,
        summary_language="zh-hans",
    )
    text = ical.calendar(prodid="-//example//x//EN", name="N, a; b", events=[event])
    parsed = icalendar.Calendar.from_ical(text)
    (read,) = parsed.walk("VEVENT")
    assert read["DTSTART"].dt == moment
    assert str(read["SUMMARY"]) == HOSTILE.replace("\r\n", "\n")
    assert read["SUMMARY"].params["LANGUAGE"] == "zh-hans"
    assert "LANGUAGE" not in read["DESCRIPTION"].params
    # NAME is TEXT (RFC 7986 5.1), escaped like any other; the parser keeps
    # properties it does not know as written.
    assert "\r\nNAME:N\\, a\\; b\r\n" in text
