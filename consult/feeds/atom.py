"""Atom feeds (RFC 4287) of consultations, in one reader's language.

Call these inside `translation.override(language)`: the feed's own words and
its dates are written in the active language, the consultations' texts in
the one passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from consult.infra.translations import text_in
from proposals.models import Proposal

# Characters XML 1.0 cannot carry at all; a title pasted with one must not
# make the whole feed unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return NOT_XML.sub("", text or "")


def site_url() -> str:
    return settings.CONSULT_SITE_URL.rstrip("/")


def site_host() -> str:
    return urlsplit(site_url()).hostname or "localhost"


def absolute(path: str) -> str:
    return site_url() + path


def tag_uri(proposal: Proposal, what: str) -> str:
    """An id that outlives a change of slug or of the site's scheme (RFC 4151)."""
    minted = timezone.localdate(proposal.created_at, UTC).isoformat()
    return f"tag:{site_host()},{minted}:{what}/{proposal.pk}"


def topic_name(tag, language: str) -> str:
    try:
        named = tag.topic  # the names in other languages, when written
    except ObjectDoesNotExist:
        named = tag
    return text_in(named, "name", language)


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def html_summary(text: str, note: str) -> str:
    """The summary's paragraphs and one line of ours, as Atom's type="html"."""
    paragraphs = linebreaks(clean(text), autoescape=True)
    return paragraphs + (f"<p>{escape(note)}</p>" if note else "")


@dataclass(frozen=True)
class Entry:
    proposal: Proposal
    link: str
    unique_id: str
    note: str
    published: datetime | None
    updated: datetime | None

    def add_to(self, feed: Atom1Feed, language: str) -> None:
        proposal = self.proposal
        feed.add_item(
            title=clean(text_in(proposal, "title", language)),
            link=self.link,
            description=html_summary(text_in(proposal, "summary", language), self.note),
            unique_id=self.unique_id,
            pubdate=self.published,
            updateddate=self.updated or self.published,
            author_name=clean(text_in(proposal.department, "name", language)),
            categories=[clean(topic_name(tag, language)) for tag in proposal.feed_topics],
        )


def open_entry(proposal: Proposal) -> Entry:
    """Updated when a new version of its text is published."""
    version = proposal.current_version
    published = proposal.opens_at or proposal.created_at
    updated = max(published, version.published_at) if version else published
    note = _("Closes on %(date)s.") % {"date": when(proposal.closes_at)}
    return Entry(
        proposal=proposal,
        link=absolute(proposal.get_absolute_url()),
        unique_id=tag_uri(proposal, "consultation"),
        note=note if proposal.closes_at else "",
        published=published,
        updated=updated,
    )


def report_entry(proposal: Proposal) -> Entry:
    published = proposal.report.published_at
    return Entry(
        proposal=proposal,
        link=absolute(reverse("reports:public", kwargs={"slug": proposal.slug})),
        unique_id=tag_uri(proposal, "report"),
        note=_("Report published on %(date)s.") % {"date": when(published)},
        published=published,
        updated=published,
    )


def atom_feed(
    *, title: str, link: str, feed_id: str, feed_url: str, language: str, entries: list[Entry]
) -> Atom1Feed:
    feed = Atom1Feed(
        title=clean(title),
        link=link,
        description="",
        language=language,
        feed_url=feed_url,
        feed_guid=feed_id,
        author_name=_("consult"),
    )
    for entry in entries:
        entry.add_to(feed, language)
    return feed
