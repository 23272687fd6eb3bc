"""Pre-moderation: which new comments wait for a moderator before they appear.

Rules come from the deployment (the CONSULT_PREMODERATION setting) and from
the consultation (its ModerationPolicy); the stricter of the two applies. A
comment is held when its author's account is younger than the set age, when
it has more links than allowed, when it contains a blocked term, or when the
consultation holds every comment. A held comment is shown to its author,
marked as awaiting review, and to moderators in their queue; nowhere else.

Blocked terms are kept per language, and every list applies to every
comment (a comment's language is not declared). Text is compared after
Unicode normalisation and case folding. A term written in a script without
spaces between words (Chinese, Japanese) matches anywhere in the text, even
with spaces, punctuation or zero-width characters slipped between its
characters; any other term matches whole words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import roles
from consult.accounts.models import User
from discussion.models import ModerationPolicy
from proposals.models import Proposal

# Reason codes stored on a held comment, and what moderators are shown.
HOLD_ALL = "hold_all"
NEW_ACCOUNT = "new_account"
LINKS = "links"
BLOCKED_TERM = "blocked_term"
REASON_LABELS = {
    HOLD_ALL: _("Every comment in this consultation is reviewed first"),
    NEW_ACCOUNT: _("New account"),
    LINKS: _("Many links"),
    BLOCKED_TERM: _("Blocked term"),
}
TERM_LIMIT = 100
TERMS_LIMIT = 500
TERM_TOO_LONG = _("A blocked term can be at most %(limit)d characters.")
TOO_MANY_TERMS = _("A list can have at most %(limit)d blocked terms.")
UNKNOWN_LANGUAGE = _("Blocked terms are kept for the site's languages only.")
NO_LETTERS = _("A blocked term needs at least one letter or digit: “%(term)s” has none.")

# Links: a scheme or "www.", or a bare domain followed by a path. A link
# ends where another begins, so that links strung together without spaces
# ("https://a.example,https://b.example") count one each.
LINK = re.compile(
    r"(?i)(?:\bhttps?://|\bwww\.)(?:(?!https?://|www\.)[^\s<>])+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}/[^\s<>]*"
)
# A Markdown link counts once, whatever its text: "[www.a.example](https://www.a.example)".
MARKDOWN_LINK = re.compile(r"\[[^\]\n]*\]\(\s*([^\s)]*)[^)\n]*\)")
# Characters people slip into words to get past a filter.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"), None)
NOT_WORD = re.compile(r"[\W_]+")
UNSPACED_SCRIPTS = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
)


@dataclass(frozen=True)
class Rules:
    hold_all: bool = False
    min_account_age: timedelta = timedelta(0)
    max_links: int | None = None
    # Normalised terms: (words form, compact form, matched without spaces?)
    terms: tuple[tuple[str, str, str, bool], ...] = field(default=())

    @property
    def active(self) -> bool:
        return bool(
            self.hold_all or self.min_account_age or self.max_links is not None or self.terms
        )


def normalise(text: str) -> str:
    """Comparable text: NFKC (full-width letters become plain ones), case
    folded, invisible characters removed."""
    return unicodedata.normalize("NFKC", text).casefold().translate(INVISIBLE)


def _words(text: str) -> str:
    # Chinese and Japanese characters are words of their own here, so that a
    # Latin term written inside unspaced Chinese text is still a whole word.
    text = UNSPACED_SCRIPTS.sub(lambda match: f" {match.group()} ", text)
    return " " + " ".join(NOT_WORD.sub(" ", text).split()) + " "


def _compact(text: str) -> str:
    return NOT_WORD.sub("", text)


def clean_terms(terms: dict) -> dict[str, list[str]]:
    """A {language: [term, ...]} mapping as it is stored: languages of the
    site, each term stripped, blank ones dropped, duplicates once."""
    codes = {code for code, _name in settings.LANGUAGES}
    cleaned: dict[str, list[str]] = {}
    for language, values in (terms or {}).items():
        if language not in codes:
            raise ValidationError(UNKNOWN_LANGUAGE)
        seen: list[str] = []
        for term in values:
            term = " ".join(str(term).split())
            if not term:
                continue
            if len(term) > TERM_LIMIT:
                raise ValidationError(TERM_TOO_LONG, params={"limit": TERM_LIMIT})
            if not _compact(normalise(term)):
                # Punctuation alone would be kept and never match anything.
                raise ValidationError(NO_LETTERS, params={"term": term})
            if term not in seen:
                seen.append(term)
        if len(seen) > TERMS_LIMIT:
            raise ValidationError(TOO_MANY_TERMS, params={"limit": TERMS_LIMIT})
        if seen:
            cleaned[language] = seen
    return cleaned


def _prepared(terms: dict) -> list[tuple[str, str, str, bool]]:
    prepared = []
    for values in terms.values():
        for term in values:
            folded = normalise(term)
            compact = _compact(folded)
            if not compact:
                continue
            prepared.append((term, _words(folded), compact, bool(UNSPACED_SCRIPTS.search(folded))))
    return prepared


def deployment_settings() -> dict:
    return getattr(settings, "CONSULT_PREMODERATION", {}) or {}


def rules_for(proposal: Proposal, policy: ModerationPolicy | None = None) -> Rules:
    """The deployment's rules and the consultation's, the stricter of each."""
    site = deployment_settings()
    if policy is None:
        policy = ModerationPolicy.objects.filter(proposal_id=proposal.pk).first()
    age_days = [site.get("min_account_age_days") or 0]
    links = [site.get("max_links")]
    terms = [site.get("blocked_terms") or {}]
    hold_all = bool(site.get("hold_all"))
    if policy is not None:
        hold_all = hold_all or policy.hold_all
        age_days.append(policy.min_account_age_days or 0)
        links.append(policy.max_links)
        terms.append(policy.blocked_terms or {})
    limits = [n for n in links if n is not None]
    prepared: dict[tuple, tuple] = {}
    for mapping in terms:
        for item in _prepared(mapping):
            # Keyed by how it matches, not by its compact form alone: "buy
            # pills" (two words) and "buypills" (one) are different terms.
            prepared.setdefault(item[1:], item)
    return Rules(
        hold_all=hold_all,
        min_account_age=timedelta(days=max(age_days)),
        max_links=min(limits) if limits else None,
        terms=tuple(prepared.values()),
    )


def count_links(body: str) -> int:
    return len(LINK.findall(MARKDOWN_LINK.sub(r" \1 ", normalise(body))))


def matched_terms(body: str, rules: Rules) -> list[str]:
    if not rules.terms:
        return []
    folded = normalise(body)
    words, compact = _words(folded), _compact(folded)
    found = []
    for term, term_words, term_compact, unspaced in rules.terms:
        if (term_compact in compact) if unspaced else (term_words in words):
            found.append(term)
    return found


def hold_reasons(*, author: User, proposal: Proposal, body: str, now=None) -> list[dict]:
    """Why this comment should wait for a moderator; empty when it need not.
    Moderators and officials of the consultation's department are never held."""
    rules = rules_for(proposal)
    if not rules.active:
        return []
    now = now or timezone.now()
    reasons: list[dict] = []
    if rules.hold_all:
        reasons.append({"code": HOLD_ALL})
    if rules.min_account_age and now - author.date_joined < rules.min_account_age:
        reasons.append({"code": NEW_ACCOUNT})
    if rules.max_links is not None:
        links = count_links(body)
        if links > rules.max_links:
            reasons.append({"code": LINKS, "detail": str(links)})
    for term in matched_terms(body, rules):
        reasons.append({"code": BLOCKED_TERM, "detail": term})
    if reasons and (
        roles.is_moderator_for(author, proposal.department)
        or roles.is_official_for(author, proposal.department)
    ):
        return []
    return reasons


def describe(reasons: list[dict]) -> list[str]:
    """Held reasons as moderators read them."""
    described = []
    for reason in reasons or []:
        label = str(REASON_LABELS.get(reason.get("code"), reason.get("code", "")))
        detail = reason.get("detail")
        described.append(f"{label}: {detail}" if detail else label)
    return described
