"""A consultation's details and working text: creating and editing a draft,
its topics and questions, its sections, and deleting a draft that was never
made public."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import Department, Jurisdiction, User
from consult.infra import names
from consult.infra.text import TextRule
from consult.infra.translations import languages, reader_language, set_translation
from proposals import rules
from proposals.models import (
    HEADING_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    Attachment,
    ConsultationQuestion,
    Proposal,
    Section,
    Status,
)
from proposals.services import common

NOT_OFFICIAL_HERE = _("You are not an official of that department.")
SUMMARY_REQUIRED = _("Give the draft a short summary.")
SUMMARY_TOO_LONG = _("The summary can be at most %(limit)d characters.")
HEADING_REQUIRED = _("Give the section a heading.")
HEADING_TOO_LONG = _("A section heading can be at most %(limit)d characters.")
SECTION_TOO_LONG = _("A section can be at most %(limit)d characters; this one has %(length)d.")
QUESTION_TOO_LONG = _("A question can be at most %(limit)d characters.")
JURISDICTION_REQUIRED = _("Choose the jurisdiction the policy applies to.")
DELETE_NOT_DRAFT = _(
    "Only a draft that was never made public can be deleted. This consultation is %(status)s: "
    "withdraw it instead, with a reason the public sees."
)
DELETE_HAS_VERSION = _(
    "This draft cannot be deleted: version %(number)d was published, and published versions "
    "stay on the record."
)
DELETE_HAS_PARTICIPATION = _(
    "This draft cannot be deleted: people have commented on it or taken a stance."
)
EDIT_CONFLICT = _(
    "Someone else saved this section while you were editing it. Their version is shown "
    "below the form; your text is still in the form. Save again to replace theirs."
)
TOO_MANY_TAGS = _("A consultation can have at most %(limit)d topics.")
TAG_CHARACTERS = _(
    "The topic “%(name)s” holds a hidden or direction-changing character; type it again."
)
TOO_MANY_QUESTIONS = _("A consultation can ask at most %(limit)d questions.")
TOO_MANY_QUESTION_TRANSLATIONS = _(
    "There are more translated questions than questions: give one line per question, "
    "in the same order."
)
LANGUAGE_FIXED = _(
    "The language a consultation is written in can change only while it is a draft that "
    "was never published."
)
MAX_TAGS = 20
MAX_QUESTIONS = 20

SUMMARY = TextRule("summary", SUMMARY_MAX_LENGTH, SUMMARY_TOO_LONG, required=SUMMARY_REQUIRED)
HEADING = TextRule("heading", HEADING_MAX_LENGTH, HEADING_TOO_LONG, required=HEADING_REQUIRED)
BODY = TextRule("body", SECTION_MAX_LENGTH, SECTION_TOO_LONG)
QUESTION = TextRule("questions", QUESTION_MAX_LENGTH, QUESTION_TOO_LONG)
# Texts in another language: {"zh-hans": {"title": "…", "summary": "…"}}.
Translations = dict[str, dict[str, str]]


# --- the draft's details ---------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    actor: User,
    department: Department,
    jurisdiction: Jurisdiction | None,
    title: str,
    summary: str,
    responsible_office: str = "",
    contact_email: str = "",
    contact_details: str = "",
    tags: list[str] | None = None,
    questions: list[str] | None = None,
    requires_verification: bool = False,
    language: str | None = None,
) -> Proposal:
    """A new draft, written in `language` (default: the official's own)."""
    if not rules.can_create_in(actor, department):
        raise PermissionDenied(NOT_OFFICIAL_HERE)
    language = _language(language or reader_language())
    title = common.TITLE.clean(title)
    summary = SUMMARY.clean(summary)
    if jurisdiction is None:
        raise ValidationError({"jurisdiction": ValidationError(JURISDICTION_REQUIRED)})
    proposal = Proposal(
        department=department,
        jurisdiction=jurisdiction,
        title=title,
        summary=summary,
        responsible_office=responsible_office.strip(),
        contact_email=contact_email.strip(),
        contact_details=contact_details.strip(),
        requires_verification=bool(requires_verification),
        slug=common.draft_slug(title),
        created_by=actor,
        language=language,
    )
    proposal.full_clean(exclude=["current_version", "slug"])
    common.refresh_search(proposal)
    common.save_with_unique_slug(proposal)
    if tags:
        proposal.tags.set(_clean_tags(tags))
    _questions_set(proposal, questions or [])
    common.audit(
        actor,
        "proposal.created",
        proposal,
        after={
            "title": title,
            "language": language,
            "requires_verification": proposal.requires_verification,
        },
    )
    return proposal


def _language(language: str) -> str:
    if language not in languages():
        raise ValidationError({"language": ValidationError(common.LANGUAGE_UNKNOWN)})
    return language


def _language_change(proposal: Proposal, language: str | None) -> None:
    """Say what language the draft is written in. Only before it was ever
    published: versions and their readers took it as it was. Texts written
    as "the other language" follow the correction: what the columns were
    said to be is what those texts are."""
    if language is None or language == proposal.language:
        return
    language = _language(language)
    if proposal.status != Status.DRAFT or proposal.versions.exists():
        raise ValidationError({"language": ValidationError(LANGUAGE_FIXED)})
    old = proposal.language
    rows = [
        proposal,
        *proposal.sections.all(),
        *proposal.questions.all(),
        *proposal.attachments.all(),
        *proposal.form_questions.all(),
    ]
    for row in rows:
        stored = dict(row.translations or {})
        if language in stored:
            stored[old] = stored.pop(language)
        row.translations = stored
    proposal.language = language
    for row in rows[1:]:
        row.language = language
        type(row).objects.filter(pk=row.pk).update(translations=row.translations, language=language)


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned = sorted({names.tidy(tag)[:100] for tag in tags if names.tidy(tag)})
    for tag in cleaned:
        if not names.is_clean(tag):
            shown = "".join(c for c in tag if not names.has_hidden_characters(c))
            raise ValidationError({"tags": ValidationError(TAG_CHARACTERS, params={"name": shown})})
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": ValidationError(TOO_MANY_TAGS, params={"limit": MAX_TAGS})})
    return cleaned


def _questions_set(
    proposal: Proposal, questions: list[str], translations: dict[str, list[str]] | None = None
) -> None:
    """The discussion's questions, one per line, and in other languages one
    line per question in the same order (an empty line: not translated)."""
    prompts = [q.strip() for q in questions if q and q.strip()]
    if len(prompts) > MAX_QUESTIONS:
        raise ValidationError(
            {"questions": ValidationError(TOO_MANY_QUESTIONS, params={"limit": MAX_QUESTIONS})}
        )
    for prompt in prompts:
        if len(prompt) > QUESTION_MAX_LENGTH:
            raise ValidationError(
                {
                    "questions": ValidationError(
                        QUESTION_TOO_LONG, params={"limit": QUESTION_MAX_LENGTH}
                    )
                }
            )
    rows = [
        ConsultationQuestion(proposal=proposal, order=i, prompt=p) for i, p in enumerate(prompts)
    ]
    for code, lines in _question_translations(proposal, translations, len(prompts)).items():
        for row, line in zip(rows, lines, strict=False):
            set_translation(row, code, prompt=line)
    proposal.questions.all().delete()
    ConsultationQuestion.objects.bulk_create(rows)


def _question_translations(
    proposal: Proposal, translations: dict[str, list[str]] | None, count: int
) -> dict[str, list[str]]:
    cleaned = {}
    for code, lines in (translations or {}).items():
        lines = [line.strip() for line in lines]
        while lines and not lines[-1]:
            lines.pop()
        if len(lines) > count:
            key = common.translation_key("questions", code)
            raise ValidationError({key: ValidationError(TOO_MANY_QUESTION_TRANSLATIONS)})
        cleaned[code] = [
            common.translations_clean(proposal.language, {code: {"questions": line}}, [QUESTION])
            .get(code, {})
            .get("questions", "")
            for line in lines
        ]
    return cleaned


@transaction.atomic
def proposal_update(
    *,
    actor: User,
    proposal: Proposal,
    title: str,
    summary: str,
    jurisdiction: Jurisdiction | None,
    responsible_office: str = "",
    contact_email: str = "",
    contact_details: str = "",
    tags: list[str] | None = None,
    questions: list[str] | None = None,
    requires_verification: bool | None = None,
    translations: Translations | None = None,
    question_translations: dict[str, list[str]] | None = None,
    language: str | None = None,
) -> Proposal:
    """Save the draft's details. `translations` are the title and summary in
    other languages, `question_translations` the questions' lines in them
    (both relative to the language the draft was written in until now; a
    change of `language` applies after them)."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, *common.EDITABLE)
    before = _details_record(proposal)
    proposal.title = common.TITLE.clean(title)
    proposal.summary = SUMMARY.clean(summary)
    texts = common.translations_clean(proposal.language, translations, [common.TITLE, SUMMARY])
    common.translations_apply(proposal, texts)
    if jurisdiction is None:
        raise ValidationError({"jurisdiction": ValidationError(JURISDICTION_REQUIRED)})
    proposal.jurisdiction = jurisdiction
    proposal.responsible_office = responsible_office.strip()
    proposal.contact_email = contact_email.strip()
    proposal.contact_details = contact_details.strip()
    if requires_verification is not None:
        # Stances already taken stay; the rule holds for every stance from now on.
        proposal.requires_verification = bool(requires_verification)
    if questions is not None:
        _questions_set(proposal, questions, question_translations)
    _language_change(proposal, language)
    proposal.full_clean(exclude=["current_version", "slug"])
    common.search_index_set(proposal)
    proposal.save()
    if tags is not None:
        proposal.tags.set(_clean_tags(tags))
    common.audit(
        actor, "proposal.updated", proposal, before=before, after=_details_record(proposal)
    )
    return proposal


def _details_record(proposal: Proposal) -> dict:
    return {
        "title": proposal.title,
        "summary": proposal.summary,
        "language": proposal.language,
        "translations": proposal.translations,
        "requires_verification": proposal.requires_verification,
    }


# --- sections of the working text ---------------------------------------------------


def _clean_section(heading: str, body: str) -> tuple[str, str]:
    return HEADING.clean(heading), BODY.clean(body)


@transaction.atomic
def section_add(
    *,
    actor: User,
    proposal: Proposal,
    heading: str,
    body: str,
    translations: Translations | None = None,
) -> Section:
    """A section at the end of the working text; `translations` are its
    heading and text in other languages."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    common.require_state(proposal, *common.EDITABLE)
    heading, body = _clean_section(heading, body)
    texts = common.translations_clean(proposal.language, translations, [HEADING, BODY])
    last = proposal.sections.filter(is_removed=False).aggregate(m=Max("order"))["m"]
    section = Section(
        proposal=proposal, heading=heading, body=body, order=0 if last is None else last + 1
    )
    common.translations_apply(section, texts)
    section.save()
    return section


@transaction.atomic
def section_update(
    *,
    actor: User,
    section: Section,
    heading: str,
    body: str,
    revision: int | None = None,
    translations: Translations | None = None,
) -> Section:
    """Save the working text. `revision` is the one the editor started from:
    if another official saved in between, nothing is overwritten."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=section.proposal_id)
    common.require_state(proposal, *common.EDITABLE)
    section = proposal.sections.get(pk=section.pk, is_removed=False)
    if revision is not None and revision != section.revision:
        raise ValidationError(EDIT_CONFLICT, code="conflict")
    section.heading, section.body = _clean_section(heading, body)
    common.translations_apply(
        section, common.translations_clean(proposal.language, translations, [HEADING, BODY])
    )
    section.revision += 1
    section.save(update_fields=["heading", "body", "translations", "revision"])
    return section


@transaction.atomic
def section_move(*, actor: User, section: Section, direction: str) -> None:
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=section.proposal_id)
    common.require_state(proposal, *common.EDITABLE)
    sections = list(proposal.sections.filter(is_removed=False).order_by("order", "pk"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(sections):
        return
    sections[index], sections[other] = sections[other], sections[index]
    for order, item in enumerate(sections):
        item.order = order
    Section.objects.bulk_update(sections, ["order"])


@transaction.atomic
def section_remove(*, actor: User, section: Section) -> None:
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=section.proposal_id)
    common.require_state(proposal, *common.EDITABLE)
    Section.objects.filter(pk=section.pk, proposal=proposal).update(is_removed=True)


# --- deleting a draft ------------------------------------------------------------------


def proposal_delete_refusal(proposal: Proposal) -> ValidationError | None:
    """Why this consultation cannot be deleted, or None when it can: only a
    draft never published, that nobody has taken part in, leaves no trace."""
    status = proposal.effective_status()
    if status != Status.DRAFT:
        return ValidationError(DELETE_NOT_DRAFT, params={"status": Status(status).label.lower()})
    last = proposal.versions.order_by("-number").values_list("number", flat=True).first()
    if last is not None:
        return ValidationError(DELETE_HAS_VERSION, params={"number": last})
    # Reverse relations by name: discussion is a floor above this one.
    if proposal.comments.exists() or proposal.stances.exists() or proposal.section_stances.exists():
        return ValidationError(DELETE_HAS_PARTICIPATION)
    return None


@transaction.atomic
def proposal_delete(*, actor: User, proposal: Proposal) -> None:
    """Delete a draft that was never published, with its sections, questions
    and documents. The audit log keeps that it existed and who deleted it."""
    proposal = common.access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    refusal = proposal_delete_refusal(proposal)
    if refusal is not None:
        raise refusal
    common.audit(
        actor,
        "proposal.deleted",
        proposal,
        before={"title": proposal.title, "slug": proposal.slug},
    )
    storage = Attachment._meta.get_field("file").storage
    stored = [name for name in proposal.attachments.values_list("file", flat=True) if name]
    proposal.delete()
    # The files go once the rows are surely gone, never before.
    transaction.on_commit(lambda: [storage.delete(name) for name in stored])
