"""Feeds for readers and calendars: open consultations and published reports
(Atom), closing dates (iCalendar), for the whole site or one topic,
department or place.

Feed readers send no cookie, so the language is a parameter (`?lang=zh-hans`);
without one the request's own language applies, and an unknown one gives
the site's default. A topic, department or place that is not there is a
page saying so (404), never an empty feed that looks as if nothing is open.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from consult.feeds import atom, ical, selectors
from consult.feeds.selectors import FILTERS, Scope, UnknownFilter
from consult.infra.translations import reader_language, text_in

LANG = "lang"
ATOM = "application/atom+xml; charset=utf-8"
ICALENDAR = "text/calendar; charset=utf-8"


def feed_language(request: HttpRequest) -> str:
    asked = request.GET.get(LANG, "").strip()[:35]
    return reader_language(asked or getattr(request, "LANGUAGE_CODE", None))


def scope_label(scope: Scope, language: str) -> str:
    names = []
    if scope.topic:
        names.append(atom.topic_name(scope.topic, language))
    for place in (scope.department, scope.jurisdiction):
        if place:
            names.append(text_in(place, "name", language))
    return " · ".join(names)


def feed_address(name: str, scope: Scope, language: str = "") -> str:
    query = scope.query() | ({LANG: language} if language else {})
    return atom.absolute(reverse(f"feeds:{name}")) + (f"?{urlencode(query)}" if query else "")


def list_address(scope: Scope, status: str) -> str:
    query = {"status": status} | scope.query()
    return atom.absolute(reverse("proposals:list")) + "?" + urlencode(query)


@dataclass(frozen=True)
class AtomFeed:
    name: str
    status: str  # the list page's filter showing the same consultations
    title: Promise
    scoped_title: Promise
    read: Callable
    entry: Callable


CONSULTATIONS = AtomFeed(
    name="consultations",
    status="open",
    title=gettext_lazy("Open consultations"),
    scoped_title=gettext_lazy("Open consultations: %(scope)s"),
    read=selectors.feed_open_consultations,
    entry=atom.open_entry,
)
REPORTS = AtomFeed(
    name="reports",
    status="report_published",
    title=gettext_lazy("Published reports"),
    scoped_title=gettext_lazy("Published reports: %(scope)s"),
    read=selectors.feed_published_reports,
    entry=atom.report_entry,
)


def scope_of(request: HttpRequest, kind: str, slug: str) -> Scope:
    """The filters of the query, with the one in the address (`kind`, `slug`)."""
    slugs = {name: request.GET.get(name, "") for name in FILTERS}
    if kind:
        slugs[kind] = slug
    return selectors.feed_scope(**slugs)


def not_found(request: HttpRequest, error: UnknownFilter) -> HttpResponse:
    return render(
        request,
        "feeds/not_found.html",
        {"kind": error.kind, "slug": error.slug},
        status=404,
    )


def unless_unchanged(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """304 Not Modified for a reader that has these very bytes: readers poll
    often, and most polls find nothing new."""
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    response["ETag"] = etag
    return get_conditional_response(request, etag=etag, response=response)


def feed_title(title: Promise, scoped_title: Promise, label: str) -> str:
    return str(scoped_title) % {"scope": label} if label else str(title)


def atom_response(request: HttpRequest, feed: AtomFeed, kind: str, slug: str) -> HttpResponse:
    language = feed_language(request)
    with translation.override(language):
        try:
            scope = scope_of(request, kind, slug)
        except UnknownFilter as error:
            return not_found(request, error)
        document = atom.atom_feed(
            title=feed_title(feed.title, feed.scoped_title, scope_label(scope, language)),
            link=list_address(scope, feed.status),
            # Its id is its address without the language: read in another
            # language, it is the same feed.
            feed_id=feed_address(feed.name, scope),
            feed_url=feed_address(feed.name, scope, language),
            language=language,
            entries=[feed.entry(proposal) for proposal in feed.read(scope)],
        )
        response = HttpResponse(content_type=ATOM)
        document.write(response, "utf-8")
    return unless_unchanged(request, response)


@require_safe
def consultations(request: HttpRequest, kind: str = "", slug: str = "") -> HttpResponse:
    return atom_response(request, CONSULTATIONS, kind, slug)


@require_safe
def reports(request: HttpRequest, kind: str = "", slug: str = "") -> HttpResponse:
    return atom_response(request, REPORTS, kind, slug)


def closing_event(proposal, language: str) -> ical.Event:
    url = atom.absolute(proposal.get_absolute_url())
    title = text_in(proposal, "title", language)
    summary = text_in(proposal, "summary", language)
    return ical.Event(
        uid=f"consultation-{proposal.pk}@{atom.site_host()}",
        start=proposal.closes_at,
        summary=_("Consultation closes: %(title)s") % {"title": title},
        description=f"{summary}\n\n{url}" if summary else url,
        url=url,
        stamp=proposal.updated_at,
        # The words are the reader's: one language only if the title is too.
        summary_language="" if title.fallback else language,
        description_language=summary.language if summary else "",
    )


@require_safe
def closing_dates(request: HttpRequest, kind: str = "", slug: str = "") -> HttpResponse:
    language = feed_language(request)
    with translation.override(language):
        try:
            scope = scope_of(request, kind, slug)
        except UnknownFilter as error:
            return not_found(request, error)
        label = scope_label(scope, language)
        body = ical.calendar(
            prodid=f"-//{atom.site_host()}//consult closing dates//EN",
            name=feed_title(
                gettext_lazy("Closing dates of consultations"),
                gettext_lazy("Closing dates of consultations: %(scope)s"),
                label,
            ),
            events=[closing_event(p, language) for p in selectors.feed_closing_dates(scope)],
        )
    response = HttpResponse(body.encode("utf-8"), content_type=ICALENDAR)
    response["Content-Disposition"] = 'inline; filename="closing-dates.ics"'
    return unless_unchanged(request, response)
