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


def html_summary(text: str, note: str, language: str) -> str:
    """The summary's paragraphs and one line of ours, as Atom's type="html".
    Where the summary stands in from another language, the line says it is
    in the reader's (`language`), the summary element being in the other."""
    paragraphs = linebreaks(clean(text), autoescape=True)
    if not note:
        return paragraphs
    lang = f' lang="{escape(language)}"' if getattr(text, "fallback", False) else ""
    return paragraphs + f"<p{lang}>{escape(note)}</p>"


class LanguageTagging:
    """The feed's XML writer, adding `xml:lang` to the entry's elements named
    in `languages` (RFC 4287 section 2 allows it on any element)."""

    def __init__(self, handler, languages: dict[str, str]):
        self.handler = handler
        self.languages = languages

    def addQuickElement(self, name, contents=None, attrs=None):  # the handler's own name
        if self.languages.get(name):
            attrs = {**(attrs or {}), "xml:lang": self.languages[name]}
        self.handler.addQuickElement(name, contents, attrs)

    def __getattr__(self, name: str):
        return getattr(self.handler, name)


class LanguageTaggedAtom(Atom1Feed):
    """Atom in the reader's language, whose entries say which texts stand in
    from another one: a reader, or a screen reader, can then say them right."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(LanguageTagging(handler, item.get("languages", {})), item)


def fallback_languages(**texts: str) -> dict[str, str]:
    """{element: language} for each text written in another language than
    the reader's: the others take the feed's `xml:lang`."""
    return {
        element: text.language
        for element, text in texts.items()
        if getattr(text, "fallback", False)
    }


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
        title = text_in(proposal, "title", language)
        summary = text_in(proposal, "summary", language)
        author = text_in(proposal.department, "name", language)
        feed.add_item(
            title=clean(title),
            link=self.link,
            description=html_summary(summary, self.note, language),
            unique_id=self.unique_id,
            pubdate=self.published,
            updateddate=self.updated or self.published,
            author_name=clean(author),
            categories=[clean(topic_name(tag, language)) for tag in proposal.feed_topics],
            languages=fallback_languages(title=title, summary=summary, name=author),
        )


def open_entry(proposal: Proposal) -> Entry:
    """Updated when a new version of its text is published."""
    version = proposal.current_version
    published = proposal.opens_at or proposal.created_at
    updated = max(published, version.published_at) if version else published
    # No full stop of ours: the date may end with one ("8:35 p.m.").
    note = _("Closes on %(date)s") % {"date": when(proposal.closes_at)}
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
        note=_("Report published on %(date)s") % {"date": when(published)},
        published=published,
        updated=published,
    )


def atom_feed(
    *, title: str, link: str, feed_id: str, feed_url: str, language: str, entries: list[Entry]
) -> Atom1Feed:
    feed = LanguageTaggedAtom(
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
