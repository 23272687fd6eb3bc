"""What the services of proposals share: the locked fetch for officials'
changes, the state check, the title rule, slugs, the search index, the
current version, the live state event and the audit record."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra import live
from consult.infra.text import TextRule
from consult.infra.translations import all_texts, languages, set_translation, source_language
from proposals import rules
from proposals.models import (
    TITLE_MAX_LENGTH,
    Proposal,
    ProposalVersion,
    SectionVersion,
    Status,
)
from proposals.search import cjk_bigrams

NOT_OFFICIAL = _("Only officials of the department that owns this consultation can do that.")
SIGN_IN_REQUIRED = _("Sign in to take part.")
TITLE_REQUIRED = _("Give the draft a title.")
TITLE_TOO_LONG = _("The title can be at most %(limit)d characters.")
WRONG_STATE = _("This cannot be done while the consultation is %(status)s.")
ARCHIVED = _(
    "This consultation is an archive imported from another platform: it cannot be changed, "
    "and its window cannot be scheduled, extended or closed."
)

LANGUAGE_UNKNOWN = _("Choose one of the site's languages.")

TITLE = TextRule("title", TITLE_MAX_LENGTH, TITLE_TOO_LONG, required=TITLE_REQUIRED)
# States in which officials may still change the text and documents.
EDITABLE = (Status.DRAFT, Status.SCHEDULED, Status.OPEN, Status.CLOSED)


def access_proposal_for_edit(*, actor: User, proposal_id: int) -> Proposal:
    """Lock the proposal row and check that the actor manages it and may change it."""
    proposal = Proposal.objects.select_for_update().select_related("department").get(pk=proposal_id)
    if not rules.can_manage(actor, proposal):
        raise PermissionDenied(NOT_OFFICIAL)
    if proposal.archived:
        raise ValidationError(ARCHIVED)
    return proposal


def require_state(proposal: Proposal, *allowed: str) -> str:
    status = proposal.effective_status()
    if status not in allowed:
        raise ValidationError(WRONG_STATE, params={"status": Status(status).label.lower()})
    return status


# Slugs must not tell of drafts. Were a new consultation to take the next free
# number ("title-2"), its slug would tell its officials that a consultation
# called "title" exists, even one hidden in another department's drafts. So a
# draft's slug is its title and a random part, drawn whatever else exists, and
# the plain slug is taken only when it goes public (proposal_schedule), numbered
# among the slugs that are already public: drafts never hold a plain one.
DRAFT_SLUG_RANDOM_BYTES = 4


def draft_slug(title: str) -> str:
    base = slugify(title, allow_unicode=True)[:200] or "consultation"
    return f"{base}-{secrets.token_hex(DRAFT_SLUG_RANDOM_BYTES)}"


def unique_slug(title: str) -> str:
    """The public slug: the title, numbered when a public one has it."""
    base = slugify(title, allow_unicode=True)[:200] or "consultation"
    slug, n = base, 1
    while Proposal.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def save_with_unique_slug(proposal: Proposal, *, update_fields: list[str] | None = None) -> None:
    # Two consultations with one title saved at the same moment both find the
    # slug free; the loser of the insert takes a random one instead of failing.
    for attempt in range(5):
        try:
            with transaction.atomic():
                proposal.save(update_fields=update_fields)
            return
        except IntegrityError:
            if attempt == 4:
                raise
            proposal.slug = draft_slug(proposal.title)


# --- texts in the consultation's other languages ------------------------------------


def translation_key(field: str, language: str) -> str:
    """The name of a field's text in another language, in forms and in the
    messages of a refusal: title_zh_hans."""
    return f"{field}_{language.replace('-', '_')}"


def other_languages(language: str) -> list[str]:
    """The languages a text written in `language` may be translated into."""
    return [code for code in languages() if code != language]


def translations_clean(
    language: str, translations: Mapping[str, Mapping[str, str]] | None, text_rules: list[TextRule]
) -> dict[str, dict[str, str]]:
    """The texts in the languages other than `language`, each cleaned under
    its field's own rule (same limit, same tidying, same message) but never
    required: a blank one removes that translation. A refusal names the
    field with its language (translation_key), so a form shows it there."""
    cleaned: dict[str, dict[str, str]] = {}
    for code, texts in (translations or {}).items():
        if code not in languages():
            raise ValidationError(LANGUAGE_UNKNOWN)
        if code == language:
            continue
        for rule in text_rules:
            if rule.field in texts:
                key = translation_key(rule.field, code)
                own = dataclasses.replace(rule, field=key, required=None)
                cleaned.setdefault(code, {})[rule.field] = own.clean(texts[rule.field])
    return cleaned


def translations_apply(obj, cleaned: Mapping[str, Mapping[str, str]]) -> None:
    """Write cleaned translations on the row (not saved)."""
    for code, texts in cleaned.items():
        set_translation(obj, code, **texts)


# --- search --------------------------------------------------------------------------


def refresh_search(proposal: Proposal) -> None:
    """Chinese has no spaces between words: index it as bigrams (see proposals.search).
    Every language's title and summary is indexed, so either finds it."""
    titles = "\n".join(all_texts(proposal, ["title", "summary"]))
    proposal.search_cjk = cjk_bigrams(f"{titles}\n{proposal.search_text}", with_characters=True)


def search_text_of(proposal: Proposal, sections: Iterable[SectionVersion]) -> str:
    """What search reads besides the title and summary columns: the title and
    summary in the other languages, and the published sections in every one."""
    own = source_language(proposal)
    parts = [t for code in other_languages(own) for t in _texts_in(proposal, code)]
    for section in sections:
        parts.extend(all_texts(section, ["heading", "body"]))
    return "\n".join(parts)


def _texts_in(proposal: Proposal, language: str) -> list[str]:
    texts = proposal.translations.get(language) if isinstance(proposal.translations, dict) else {}
    texts = texts if isinstance(texts, dict) else {}
    return [texts[f] for f in ("title", "summary") if isinstance(texts.get(f), str)]


def search_index_set(proposal: Proposal) -> None:
    """Rebuild the search fields (not saved) from the current version: the
    title and summary change without a version, and their translations too."""
    sections = []
    if proposal.current_version_id is not None:
        sections = SectionVersion.objects.filter(version_id=proposal.current_version_id)
    proposal.search_text = search_text_of(proposal, sections)
    refresh_search(proposal)


def current_version_set(
    proposal: Proposal, version: ProposalVersion, sections: Iterable[SectionVersion]
) -> None:
    """Make `version` the public text, its sections (in every language) what search finds."""
    proposal.current_version = version
    proposal.search_text = search_text_of(proposal, sections)
    refresh_search(proposal)
    proposal.save(update_fields=["current_version", "search_text", "search_cjk", "updated_at"])


def state_event(proposal: Proposal) -> None:
    """Tell every open page that the consultation's state or window changed."""
    live.emit(
        proposal=proposal,
        type="proposal.state",
        payload={
            "status": proposal.effective_status(),
            "opens_at": proposal.opens_at.isoformat() if proposal.opens_at else None,
            "closes_at": proposal.closes_at.isoformat() if proposal.closes_at else None,
        },
    )


def audit(actor: User, action: str, proposal: Proposal, **fields) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=proposal,
        department=proposal.department,
        scope=f"proposal:{proposal.pk}",
        **fields,
    )
