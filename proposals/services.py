"""Every write to draft policies: creation, sections, versions, the lifecycle,
attachments, stances and follows.

Each takes the acting user, checks permission against fresh data, validates,
writes inside one transaction and records official actions in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.audit import audit_record
from consult.accounts.models import Department, Jurisdiction, User
from consult.infra import files, live, names
from consult.infra.db import retry_on_conflict
from consult.infra.text import render_markdown
from consult.notifications.models import Kind as NotificationKind
from proposals import rules
from proposals.models import (
    CHANGE_NOTE_MAX_LENGTH,
    HEADING_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Attachment,
    ConsultationQuestion,
    Follow,
    Proposal,
    ProposalStance,
    ProposalVersion,
    Section,
    SectionStance,
    SectionVersion,
    StanceValue,
    Status,
)
from proposals.search import cjk_bigrams

NOT_OFFICIAL = _("Only officials of the department that owns this consultation can do that.")
NOT_OFFICIAL_HERE = _("You are not an official of that department.")
TITLE_REQUIRED = _("Give the draft a title.")
TITLE_TOO_LONG = _("The title can be at most %(limit)d characters.")
SUMMARY_REQUIRED = _("Give the draft a short summary.")
SUMMARY_TOO_LONG = _("The summary can be at most %(limit)d characters.")
HEADING_REQUIRED = _("Give the section a heading.")
HEADING_TOO_LONG = _("A section heading can be at most %(limit)d characters.")
SECTION_TOO_LONG = _("A section can be at most %(limit)d characters; this one has %(length)d.")
QUESTION_TOO_LONG = _("A question can be at most %(limit)d characters.")
CHANGE_NOTE_REQUIRED = _("Say what changed in this version.")
CHANGE_NOTE_TOO_LONG = _("The change note can be at most %(limit)d characters.")
NO_SECTIONS = _("Add at least one section before publishing a version.")
NOTHING_CHANGED = _("Nothing has changed since version %(number)d.")
NO_VERSION = _("Publish a first version before scheduling the consultation.")
DATES_REQUIRED = _("Give both the opening and the closing time.")
DATES_OUT_OF_ORDER = _("The consultation must close after it opens.")
CLOSES_IN_PAST = _("The closing time must be in the future.")
NEW_DEADLINE_NOT_LATER = _("The new deadline must be later than the current one.")
REASON_REQUIRED = _("Give a reason; it is shown to the public.")
WRONG_STATE = _("This cannot be done while the consultation is %(status)s.")
ARCHIVED = _(
    "This consultation is an archive imported from another platform: it cannot be changed, "
    "and its window cannot be scheduled, extended or closed."
)
STANCE_ARCHIVED = _(
    "This consultation is an archive imported from another platform: it takes no stances."
)
STANCE_NOT_OPEN = _("Stances can only be taken while the consultation is open; it is %(status)s.")
STANCE_VALUE_INVALID = _("Choose support, oppose or neutral.")
STANCE_NEEDS_VERIFICATION = _(
    "Stances on this consultation are limited to verified residents of %(place)s. Verify where "
    "you live at %(url)s, then try again. Reading and commenting stay open to everyone."
)
SECTION_NOT_IN_PROPOSAL = _("That section is not part of the published text of this consultation.")
SIGN_IN_REQUIRED = _("Sign in to take part.")
FILE_TOO_LARGE = _("The file is %(size)s; the limit is %(limit)s.")
FILE_TYPE_UNKNOWN = _(
    "This file is not a PDF, an image (PNG, JPEG, GIF, WebP) or an office document."
)
FILE_TYPE_MISMATCH = _(
    "The file's content is a %(kind)s but its name ends in %(extension)s. Rename or re-export it."
)
ALT_TEXT_REQUIRED = _("Describe the image for people who cannot see it.")
ATTACHMENT_TITLE_REQUIRED = _("Give the attachment a title.")
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

DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
EDIT_CONFLICT = _(
    "Someone else saved this section while you were editing it. Their version is shown "
    "below the form; your text is still in the form. Save again to replace theirs."
)
TOO_MANY_TAGS = _("A consultation can have at most %(limit)d topics.")
TAG_CHARACTERS = _(
    "The topic “%(name)s” holds a hidden or direction-changing character; type it again."
)
TOO_MANY_QUESTIONS = _("A consultation can ask at most %(limit)d questions.")
MAX_TAGS = 20
MAX_QUESTIONS = 20
# States in which officials may still change the text and documents.
EDITABLE = (Status.DRAFT, Status.SCHEDULED, Status.OPEN, Status.CLOSED)


# --- helpers -----------------------------------------------------------------


def access_proposal_for_edit(*, actor: User, proposal_id: int) -> Proposal:
    """Lock the proposal row and check that the actor manages it and may change it."""
    proposal = Proposal.objects.select_for_update().select_related("department").get(pk=proposal_id)
    if not rules.can_manage(actor, proposal):
        raise PermissionDenied(NOT_OFFICIAL)
    if proposal.archived:
        raise ValidationError(ARCHIVED)
    return proposal


def _require_state(proposal: Proposal, *allowed: str) -> str:
    status = proposal.effective_status()
    if status not in allowed:
        raise ValidationError(WRONG_STATE, params={"status": Status(status).label.lower()})
    return status


def _clean_text(value: str, *, required, too_long, limit: int, field: str) -> str:
    value = (value or "").strip()
    if not value and required:
        raise ValidationError({field: ValidationError(required)})
    if len(value) > limit:
        raise ValidationError({field: ValidationError(too_long, params={"limit": limit})})
    return value


def _clean_title(title: str) -> str:
    return _clean_text(
        title,
        required=TITLE_REQUIRED,
        too_long=TITLE_TOO_LONG,
        limit=TITLE_MAX_LENGTH,
        field="title",
    )


# Slugs must not tell of drafts. Were a new consultation to take the next free
# number ("title-2"), its slug would tell its officials that a consultation
# called "title" exists, even one hidden in another department's drafts. So a
# draft's slug is its title and a random part, drawn whatever else exists, and
# the plain slug is taken only when it goes public (proposal_schedule), numbered
# among the slugs that are already public: drafts never hold a plain one.
DRAFT_SLUG_RANDOM_BYTES = 4


def _draft_slug(title: str) -> str:
    base = slugify(title, allow_unicode=True)[:200] or "consultation"
    return f"{base}-{secrets.token_hex(DRAFT_SLUG_RANDOM_BYTES)}"


def _unique_slug(title: str) -> str:
    """The public slug: the title, numbered when a public one has it."""
    base = slugify(title, allow_unicode=True)[:200] or "consultation"
    slug, n = base, 1
    while Proposal.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _save_with_unique_slug(proposal: Proposal, *, update_fields: list[str] | None = None) -> None:
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
            proposal.slug = _draft_slug(proposal.title)


def _refresh_search(proposal: Proposal) -> None:
    """Chinese has no spaces between words: index it as bigrams (see proposals.search)."""
    text = f"{proposal.title}\n{proposal.summary}\n{proposal.search_text}"
    proposal.search_cjk = cjk_bigrams(text, with_characters=True)


def _state_event(proposal: Proposal) -> None:
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


def _audit(actor: User, action: str, proposal: Proposal, **fields) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=proposal,
        department=proposal.department,
        scope=f"proposal:{proposal.pk}",
        **fields,
    )


# --- drafts and sections -------------------------------------------------------


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
) -> Proposal:
    if not rules.can_create_in(actor, department):
        raise PermissionDenied(NOT_OFFICIAL_HERE)
    title = _clean_title(title)
    summary = _clean_text(
        summary,
        required=SUMMARY_REQUIRED,
        too_long=SUMMARY_TOO_LONG,
        limit=SUMMARY_MAX_LENGTH,
        field="summary",
    )
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
        slug=_draft_slug(title),
        created_by=actor,
    )
    proposal.full_clean(exclude=["current_version", "slug"])
    _refresh_search(proposal)
    _save_with_unique_slug(proposal)
    if tags:
        proposal.tags.set(_clean_tags(tags))
    _questions_set(proposal, questions or [])
    _audit(
        actor,
        "proposal.created",
        proposal,
        after={"title": title, "requires_verification": proposal.requires_verification},
    )
    return proposal


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned = sorted({names.tidy(tag)[:100] for tag in tags if names.tidy(tag)})
    for tag in cleaned:
        if not names.is_clean(tag):
            shown = "".join(c for c in tag if not names.has_hidden_characters(c))
            raise ValidationError({"tags": ValidationError(TAG_CHARACTERS, params={"name": shown})})
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": ValidationError(TOO_MANY_TAGS, params={"limit": MAX_TAGS})})
    return cleaned


def _questions_set(proposal: Proposal, questions: list[str]) -> None:
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
    proposal.questions.all().delete()
    ConsultationQuestion.objects.bulk_create(
        ConsultationQuestion(proposal=proposal, order=i, prompt=p) for i, p in enumerate(prompts)
    )


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
) -> Proposal:
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    _require_state(proposal, Status.DRAFT, Status.SCHEDULED, Status.OPEN, Status.CLOSED)
    before = {
        "title": proposal.title,
        "summary": proposal.summary,
        "requires_verification": proposal.requires_verification,
    }
    proposal.title = _clean_title(title)
    proposal.summary = _clean_text(
        summary,
        required=SUMMARY_REQUIRED,
        too_long=SUMMARY_TOO_LONG,
        limit=SUMMARY_MAX_LENGTH,
        field="summary",
    )
    if jurisdiction is None:
        raise ValidationError({"jurisdiction": ValidationError(JURISDICTION_REQUIRED)})
    proposal.jurisdiction = jurisdiction
    proposal.responsible_office = responsible_office.strip()
    proposal.contact_email = contact_email.strip()
    proposal.contact_details = contact_details.strip()
    if requires_verification is not None:
        # Stances already taken stay; the rule holds for every stance from now on.
        proposal.requires_verification = bool(requires_verification)
    proposal.full_clean(exclude=["current_version", "slug"])
    _refresh_search(proposal)
    proposal.save()
    if tags is not None:
        proposal.tags.set(_clean_tags(tags))
    if questions is not None:
        _questions_set(proposal, questions)
    _audit(
        actor,
        "proposal.updated",
        proposal,
        before=before,
        after={
            "title": proposal.title,
            "summary": proposal.summary,
            "requires_verification": proposal.requires_verification,
        },
    )
    return proposal


def _clean_section(heading: str, body: str) -> tuple[str, str]:
    heading = _clean_text(
        heading,
        required=HEADING_REQUIRED,
        too_long=HEADING_TOO_LONG,
        limit=HEADING_MAX_LENGTH,
        field="heading",
    )
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) > SECTION_MAX_LENGTH:
        raise ValidationError(
            {
                "body": ValidationError(
                    SECTION_TOO_LONG, params={"limit": SECTION_MAX_LENGTH, "length": len(body)}
                )
            }
        )
    return heading, body


@transaction.atomic
def section_add(*, actor: User, proposal: Proposal, heading: str, body: str) -> Section:
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    _require_state(proposal, Status.DRAFT, Status.SCHEDULED, Status.OPEN, Status.CLOSED)
    heading, body = _clean_section(heading, body)
    last = proposal.sections.filter(is_removed=False).aggregate(m=Max("order"))["m"]
    return Section.objects.create(
        proposal=proposal, heading=heading, body=body, order=0 if last is None else last + 1
    )


@transaction.atomic
def section_update(
    *, actor: User, section: Section, heading: str, body: str, revision: int | None = None
) -> Section:
    """Save the working text. `revision` is the one the editor started from:
    if another official saved in between, nothing is overwritten."""
    proposal = access_proposal_for_edit(actor=actor, proposal_id=section.proposal_id)
    _require_state(proposal, *EDITABLE)
    section = proposal.sections.get(pk=section.pk, is_removed=False)
    if revision is not None and revision != section.revision:
        raise ValidationError(EDIT_CONFLICT, code="conflict")
    section.heading, section.body = _clean_section(heading, body)
    section.revision += 1
    section.save(update_fields=["heading", "body", "revision"])
    return section


@transaction.atomic
def section_move(*, actor: User, section: Section, direction: str) -> None:
    proposal = access_proposal_for_edit(actor=actor, proposal_id=section.proposal_id)
    _require_state(proposal, *EDITABLE)
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
    proposal = access_proposal_for_edit(actor=actor, proposal_id=section.proposal_id)
    _require_state(proposal, Status.DRAFT, Status.SCHEDULED, Status.OPEN, Status.CLOSED)
    Section.objects.filter(pk=section.pk, proposal=proposal).update(is_removed=True)


# --- versions ----------------------------------------------------------------


@transaction.atomic
def version_publish(*, actor: User, proposal: Proposal, change_note: str) -> ProposalVersion:
    """Snapshot every section of the working draft as the next version."""
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    _require_state(proposal, Status.DRAFT, Status.SCHEDULED, Status.OPEN, Status.CLOSED)
    change_note = _clean_text(
        change_note,
        required=CHANGE_NOTE_REQUIRED,
        too_long=CHANGE_NOTE_TOO_LONG,
        limit=CHANGE_NOTE_MAX_LENGTH,
        field="change_note",
    )
    sections = list(proposal.sections.filter(is_removed=False).order_by("order", "pk"))
    if not sections:
        raise ValidationError(NO_SECTIONS)
    previous = proposal.current_version
    if previous is not None:
        before = list(previous.section_versions.values_list("section_id", "heading", "body"))
        after = [(s.pk, s.heading, s.body) for s in sections]
        if before == after:
            raise ValidationError(NOTHING_CHANGED, params={"number": previous.number})
    number = (previous.number if previous else 0) + 1
    version = ProposalVersion.objects.create(
        proposal=proposal, number=number, change_note=change_note, published_by=actor
    )
    SectionVersion.objects.bulk_create(
        SectionVersion(
            version=version,
            section=section,
            order=order,
            heading=section.heading,
            body=section.body,
            body_html=render_markdown(section.body),
        )
        for order, section in enumerate(sections)
    )
    proposal.current_version = version
    proposal.search_text = "\n".join(f"{s.heading}\n{s.body}" for s in sections)
    _refresh_search(proposal)
    proposal.save(update_fields=["current_version", "search_text", "search_cjk", "updated_at"])
    _audit(
        actor,
        "proposal.version_published",
        proposal,
        after={"version": number, "change_note": change_note},
    )
    if proposal.status != Status.DRAFT:
        # A draft's versions are not public yet: nobody outside is told of them.
        from proposals.tasks import followers_notify_on_commit

        followers_notify_on_commit(
            proposal=proposal,
            kind=NotificationKind.VERSION,
            key=f"version:{version.pk}",
            actor=actor,
            excerpt=change_note,
        )
    return version


# --- archives imported from elsewhere ----------------------------------------------


@transaction.atomic
def proposal_archive_create(
    *,
    department: Department,
    title: str,
    summary: str,
    origin: str,
    opens_at: datetime,
    closes_at: datetime,
    section_heading: str = "",
    section_body: str = "",
) -> Proposal:
    """A closed, read-only consultation holding what happened on another platform.

    Made by an operator's import (no acting user): one published version with
    one section when a heading is given, none otherwise.
    """
    title = _clean_title(title)
    summary = (summary or "").strip()[:SUMMARY_MAX_LENGTH] or title
    if closes_at <= opens_at:
        closes_at = opens_at + timedelta(seconds=1)
    proposal = Proposal(
        department=department,
        jurisdiction=department.jurisdiction,
        title=title,
        summary=summary,
        slug=_unique_slug(title),
        status=Status.CLOSED,
        opens_at=opens_at,
        closes_at=closes_at,
        archived=True,
        origin=origin,
    )
    _save_with_unique_slug(proposal)
    version = ProposalVersion.objects.create(
        proposal=proposal, number=1, change_note=_("Imported."), published_at=closes_at
    )
    sections = []
    if section_heading:
        heading, body = section_heading.strip()[:HEADING_MAX_LENGTH], section_body.strip()
        body = body[:SECTION_MAX_LENGTH]
        section = Section.objects.create(proposal=proposal, order=0, heading=heading, body=body)
        SectionVersion.objects.create(
            version=version,
            section=section,
            order=0,
            heading=heading,
            body=body,
            body_html=render_markdown(body),
        )
        sections.append(section)
    proposal.current_version = version
    proposal.search_text = "\n".join(f"{s.heading}\n{s.body}" for s in sections)
    _refresh_search(proposal)
    proposal.save(update_fields=["current_version", "search_text", "search_cjk", "updated_at"])
    audit_record(
        actor=None,
        action="proposal.imported",
        target=proposal,
        department=department,
        scope=f"proposal:{proposal.pk}",
        after={"title": title, "origin": origin},
    )
    return proposal


# --- the lifecycle -------------------------------------------------------------


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
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    refusal = proposal_delete_refusal(proposal)
    if refusal is not None:
        raise refusal
    _audit(
        actor,
        "proposal.deleted",
        proposal,
        before={"title": proposal.title, "slug": proposal.slug},
    )
    storage = Attachment._meta.get_field("file").storage
    names = [name for name in proposal.attachments.values_list("file", flat=True) if name]
    proposal.delete()
    # The files go once the rows are surely gone, never before.
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


@transaction.atomic
def proposal_schedule(
    *, actor: User, proposal: Proposal, opens_at: datetime | None, closes_at: datetime | None
) -> Proposal:
    """Set the consultation window. If it has already begun, the consultation is open at once."""
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    _require_state(proposal, Status.DRAFT, Status.SCHEDULED)
    if proposal.current_version_id is None:
        raise ValidationError(NO_VERSION)
    if opens_at is None or closes_at is None:
        raise ValidationError(DATES_REQUIRED)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": ValidationError(DATES_OUT_OF_ORDER)})
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": ValidationError(CLOSES_IN_PAST)})
    before = _window(proposal)
    fields = ["opens_at", "closes_at", "status", "updated_at"]
    if proposal.status == Status.DRAFT:
        # Going public: the plain slug, if no public consultation has it.
        proposal.slug = _unique_slug(proposal.title)
        fields.append("slug")
    proposal.opens_at, proposal.closes_at, proposal.status = opens_at, closes_at, Status.SCHEDULED
    _save_with_unique_slug(proposal, update_fields=fields)
    _state_event(proposal)
    _audit(actor, "proposal.scheduled", proposal, before=before, after=_window(proposal))
    if opens_at <= timezone.now():
        # Open at once (see Proposal.effective_status); lifecycle_advance's
        # own telling later finds everyone told under the same key.
        from proposals.tasks import followers_notify_on_commit

        followers_notify_on_commit(
            proposal=proposal,
            kind=NotificationKind.OPENED,
            key=f"opened:{proposal.pk}",
            actor=actor,
            excerpt=proposal.summary,
        )
    return proposal


def _window(proposal: Proposal) -> dict:
    return {
        "status": proposal.status,
        "opens_at": proposal.opens_at.isoformat() if proposal.opens_at else None,
        "closes_at": proposal.closes_at.isoformat() if proposal.closes_at else None,
    }


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(REASON_REQUIRED)})
    return reason[:2000]


@transaction.atomic
def proposal_close_early(*, actor: User, proposal: Proposal, reason: str) -> Proposal:
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    _require_state(proposal, Status.OPEN)
    reason = _reason(reason)
    before = _window(proposal)
    proposal.status, proposal.closes_at, proposal.status_reason = (
        Status.CLOSED,
        timezone.now(),
        reason,
    )
    if proposal.opens_at and proposal.opens_at >= proposal.closes_at:
        proposal.opens_at = proposal.closes_at - timedelta(seconds=1)
    proposal.save(update_fields=["status", "closes_at", "opens_at", "status_reason", "updated_at"])
    _state_event(proposal)
    _audit(
        actor,
        "proposal.closed_early",
        proposal,
        before=before,
        after=_window(proposal),
        reason=reason,
    )
    return proposal


@transaction.atomic
def proposal_extend(
    *, actor: User, proposal: Proposal, closes_at: datetime | None, reason: str
) -> Proposal:
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    _require_state(proposal, Status.SCHEDULED, Status.OPEN)
    reason = _reason(reason)
    if closes_at is None:
        raise ValidationError({"closes_at": ValidationError(DATES_REQUIRED)})
    if proposal.closes_at and closes_at <= proposal.closes_at:
        raise ValidationError({"closes_at": ValidationError(NEW_DEADLINE_NOT_LATER)})
    before = _window(proposal)
    proposal.closes_at, proposal.status_reason = closes_at, reason
    proposal.save(update_fields=["closes_at", "status_reason", "updated_at"])
    _state_event(proposal)
    _audit(
        actor, "proposal.extended", proposal, before=before, after=_window(proposal), reason=reason
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: Proposal, reason: str) -> Proposal:
    """Withdraw a consultation the public has seen. A draft was never public:
    withdrawing it would publish it, so it is refused."""
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    _require_state(proposal, Status.SCHEDULED, Status.OPEN, Status.CLOSED)
    reason = _reason(reason)
    before = _window(proposal)
    proposal.status, proposal.status_reason = Status.WITHDRAWN, reason
    proposal.save(update_fields=["status", "status_reason", "updated_at"])
    _state_event(proposal)
    _audit(
        actor, "proposal.withdrawn", proposal, before=before, after=_window(proposal), reason=reason
    )
    return proposal


@transaction.atomic
def proposal_report_published(*, actor: User, proposal: Proposal) -> Proposal:
    """The last step of a consultation, taken by the report's publication
    (consult.reports.services.report_publish), which has checked the report."""
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    _require_state(proposal, Status.CLOSED)
    before = _window(proposal)
    proposal.status = Status.REPORT_PUBLISHED
    proposal.save(update_fields=["status", "updated_at"])
    _state_event(proposal)
    _audit(actor, "proposal.report_published", proposal, before=before, after=_window(proposal))
    return proposal


def lifecycle_advance(*, now: datetime | None = None) -> dict[str, int]:
    """Catch stored statuses up with the clock; readers never wait for this."""
    now = now or timezone.now()
    with transaction.atomic():
        closed = list(
            Proposal.objects.select_for_update()
            .filter(status__in=[Status.SCHEDULED, Status.OPEN], closes_at__lte=now)
            .select_related("department")
        )
        for proposal in closed:
            proposal.status = Status.CLOSED
            proposal.save(update_fields=["status", "updated_at"])
            _state_event(proposal)
            audit_record(
                actor=None,
                action="proposal.closed",
                target=proposal,
                department=proposal.department,
            )
        opened = list(
            Proposal.objects.select_for_update()
            .filter(status=Status.SCHEDULED, opens_at__lte=now)
            .select_related("department")
        )
        from proposals.tasks import followers_notify_on_commit

        for proposal in opened:
            proposal.status = Status.OPEN
            proposal.save(update_fields=["status", "updated_at"])
            _state_event(proposal)
            audit_record(
                actor=None,
                action="proposal.opened",
                target=proposal,
                department=proposal.department,
            )
            followers_notify_on_commit(
                proposal=proposal,
                kind=NotificationKind.OPENED,
                key=f"opened:{proposal.pk}",
                excerpt=proposal.summary,
            )
    return {"opened": len(opened), "closed": len(closed)}


# --- attachments ---------------------------------------------------------------


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"


@transaction.atomic
def attachment_add(
    *, actor: User, proposal: Proposal, upload: UploadedFile, title: str, alt_text: str = ""
) -> Attachment:
    proposal = access_proposal_for_edit(actor=actor, proposal_id=proposal.pk)
    _require_state(proposal, Status.DRAFT, Status.SCHEDULED, Status.OPEN, Status.CLOSED)
    limit = getattr(settings, "CONSULT_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)
    if upload.size > limit:
        raise ValidationError(
            {
                "file": ValidationError(
                    FILE_TOO_LARGE,
                    params={"size": _human_size(upload.size), "limit": _human_size(limit)},
                )
            }
        )
    kind = files.sniff(upload.file)
    if kind is None:
        raise ValidationError({"file": ValidationError(FILE_TYPE_UNKNOWN)})
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in kind.extensions:
        raise ValidationError(
            {
                "file": ValidationError(
                    FILE_TYPE_MISMATCH,
                    params={"kind": kind.label, "extension": extension or _("(no extension)")},
                )
            }
        )
    title = (title or "").strip()[:200]
    if not title:
        raise ValidationError({"title": ValidationError(ATTACHMENT_TITLE_REQUIRED)})
    alt_text = (alt_text or "").strip()[:500]
    if kind.content_type.startswith("image/") and not alt_text:
        raise ValidationError({"alt_text": ValidationError(ALT_TEXT_REQUIRED)})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        proposal=proposal,
        title=title,
        alt_text=alt_text,
        original_name=PurePath(upload.name or "file").name[:255],
        content_type=kind.content_type,
        extension=kind.extensions[0] if extension not in kind.extensions else extension,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(attachment.sha256, upload, save=False)
    # If the row fails to write, the stored file must not linger.
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    _audit(
        actor,
        "proposal.attachment_added",
        proposal,
        after={"title": title, "type": kind.content_type},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    proposal = access_proposal_for_edit(actor=actor, proposal_id=attachment.proposal_id)
    _require_state(proposal, *EDITABLE)
    attachment = proposal.attachments.get(pk=attachment.pk)
    name, title = attachment.file.name, attachment.title
    attachment.delete()
    storage = Attachment._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))
    _audit(actor, "proposal.attachment_removed", proposal, before={"title": title})


# --- stances and follows -------------------------------------------------------


def stance_cast(
    *, actor: User, proposal: Proposal, value: str, section: Section | None = None
) -> ProposalStance | SectionStance:
    """Take or change a stance. Two clicks or two tabs at once still leave one row."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN_REQUIRED)
    if value not in StanceValue.values:
        raise ValidationError(STANCE_VALUE_INVALID)
    return retry_on_conflict(
        lambda: _stance_write(actor=actor, proposal_id=proposal.pk, value=value, section=section)
    )


def _verification_url(proposal: Proposal) -> str:
    path = reverse("identity:index")
    return f"{settings.CONSULT_SITE_URL}{path}?jurisdiction={proposal.jurisdiction_id}"


def _proposal_taking_stances(*, actor: User, proposal_id: int) -> Proposal:
    """The proposal, read fresh, if `actor` may take or withdraw a stance on it
    now: the window may have closed since the page was drawn, or a moderator
    may have suspended the person."""
    account_rules.ensure_not_sanctioned(User.objects.get(pk=actor.pk))
    proposal = Proposal.objects.get(pk=proposal_id)
    if proposal.archived:
        raise ValidationError(STANCE_ARCHIVED)
    if not rules.can_take_stance(actor, proposal):
        raise ValidationError(
            STANCE_NOT_OPEN, params={"status": proposal.get_effective_status_display().lower()}
        )
    return proposal


@transaction.atomic
def _stance_write(*, actor: User, proposal_id: int, value: str, section: Section | None):
    proposal = _proposal_taking_stances(actor=actor, proposal_id=proposal_id)
    if rules.stance_needs_verification(actor, proposal):
        raise ValidationError(
            STANCE_NEEDS_VERIFICATION,
            params={"place": proposal.jurisdiction.name, "url": _verification_url(proposal)},
        )
    now = timezone.now()
    if section is not None:
        # Only what the public can read: a section of the current version.
        if not SectionVersion.objects.filter(
            version_id=proposal.current_version_id,
            section_id=section.pk,
            section__proposal_id=proposal.pk,
        ).exists():
            raise ValidationError(SECTION_NOT_IN_PROPOSAL)
        stance, created = SectionStance.objects.get_or_create(
            section_id=section.pk,
            user=actor,
            defaults={
                "proposal": proposal,
                "value": value,
                "version_id": proposal.current_version_id,
            },
        )
    else:
        stance, created = ProposalStance.objects.get_or_create(
            proposal=proposal,
            user=actor,
            defaults={"value": value, "version_id": proposal.current_version_id},
        )
    if created:
        Proposal.objects.filter(pk=proposal.pk).update(activity_count=F("activity_count") + 1)
    elif stance.value != value:
        stance.value, stance.version_id, stance.updated_at = value, proposal.current_version_id, now
        stance.save(update_fields=["value", "version", "updated_at"])
    else:
        return stance
    live.stance_changed(proposal_id=proposal.pk)
    return stance


def stance_withdraw(*, actor: User, proposal: Proposal, section: Section | None = None) -> bool:
    """Take a stance back while the consultation is open: the row goes and the
    tallies drop. True if there was one; none is not an error (a second click,
    another tab). No verification is asked: taking back needs no residence."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN_REQUIRED)
    return retry_on_conflict(
        lambda: _stance_delete(actor=actor, proposal_id=proposal.pk, section=section)
    )


@transaction.atomic
def _stance_delete(*, actor: User, proposal_id: int, section: Section | None) -> bool:
    proposal = _proposal_taking_stances(actor=actor, proposal_id=proposal_id)
    if section is not None:
        stances = SectionStance.objects.filter(section_id=section.pk, proposal=proposal)
    else:
        stances = ProposalStance.objects.filter(proposal=proposal)
    # Locked: a change and a withdrawal at once leave one outcome, counted once.
    stance = stances.select_for_update().filter(user=actor).first()
    if stance is None:
        return False
    stance.delete()
    # Taking a stance counted once for "sort by activity"; taking it back uncounts it,
    # so that taking and withdrawing again and again does not lift a consultation.
    Proposal.objects.filter(pk=proposal.pk, activity_count__gt=0).update(
        activity_count=F("activity_count") - 1
    )
    live.stance_changed(proposal_id=proposal.pk)
    return True


@transaction.atomic
def follow_set(*, actor: User, proposal: Proposal, following: bool) -> bool:
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN_REQUIRED)
    if not rules.can_view(actor, proposal):
        raise PermissionDenied(NOT_OFFICIAL)
    if following:
        Follow.objects.get_or_create(proposal=proposal, user=actor)
    else:
        Follow.objects.filter(proposal=proposal, user=actor).delete()
    return following
