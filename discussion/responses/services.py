"""Officials answering the public: a response with a status and an
explanation, from the consultation's department, to one comment, to many
similar comments at once, to a section as a whole or to a theme as a whole;
pushed live, audited, and told once to each person it answers.

Every way of answering goes through `_publish`, so the checks, the audit
entry, the notifications and the live event are the same whatever the target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.infra.text import TextRule, render_markdown
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from discussion import rules
from discussion.comments.services import fresh_actor
from discussion.live.events import event_append
from discussion.models import (
    COMMENT_MAX_LENGTH,
    Comment,
    OfficialResponse,
    ResponseStatus,
    ThemedComment,
)
from discussion.responses.selectors import RESPONSE_BULK_MAX, TOO_MANY
from proposals.models import Proposal, ProposalVersion, Section, SectionStance, SectionVersion

# Refusals named one by one before "and N more".
REFUSALS_NAMED = 10

NOT_OFFICIAL = _(
    "Only officials of this consultation's department can respond, while it is open or closed."
)
STATUS_NEEDED = _("Choose accepted, partly accepted, not accepted or noted.")
EXPLANATION_NEEDED = _("Explain the response: the public will read it.")
EXPLANATION_TOO_LONG = _("An explanation can be at most %(limit)d characters.")
NOT_ANSWERABLE = _("Comment %(id)d was deleted or removed: it cannot be answered.")
COMMENT_HELD = _("Comment %(id)d is awaiting a moderator's review: it cannot be answered yet.")
NOT_HERE = _("Comment %(id)d is not part of this consultation.")
MORE_REFUSED = _("And %(count)d more comments that cannot be answered.")
NOTHING_SELECTED = _("Tick at least one comment to answer.")
SECTION_ELSEWHERE = _("That section is not part of this consultation.")
SECTION_UNPUBLISHED = _(
    "That section is not in the published version of this consultation: publish it first."
)
THEME_UNUSED = _("No comment of this consultation carries that theme.")
VERSION_ELSEWHERE = _("That version is not a version of this consultation.")
CHANGED_SECTION_ELSEWHERE = _("The changed section is not part of this consultation.")
SECTION_NOT_IN_VERSION = _("The section “%(heading)s” is not in version %(number)d.")
EXPLANATION = TextRule(
    "explanation", COMMENT_MAX_LENGTH, EXPLANATION_TOO_LONG, required=EXPLANATION_NEEDED
)


def response_fragment(response: OfficialResponse) -> dict[str, str]:
    fragments = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            fragments[code] = render_to_string("discussion/_response.html", {"response": response})
    return fragments


# --- writes ---------------------------------------------------------------------


def response_post(
    *,
    actor: User,
    comment: Comment,
    status: str,
    explanation: str,
    changed_version: ProposalVersion | int | None = None,
    changed_section: Section | int | None = None,
) -> OfficialResponse:
    """Answer one comment officially."""
    return responses_post_bulk(
        actor=actor,
        proposal=Proposal(pk=comment.proposal_id),
        comments=[comment],
        status=status,
        explanation=explanation,
        changed_version=changed_version,
        changed_section=changed_section,
    )


def responses_post_bulk(
    *,
    actor: User,
    proposal: Proposal,
    comments: Iterable[Comment | int],
    status: str,
    explanation: str,
    changed_version: ProposalVersion | int | None = None,
    changed_section: Section | int | None = None,
) -> OfficialResponse:
    """One answer to many similar comments of one consultation: all of them
    are answered, or (if any cannot be) none is."""
    ids = sorted({_pk(c) for c in comments})
    return _publish(
        actor=actor,
        proposal=proposal,
        status=status,
        explanation=explanation,
        target=_CommentsTarget(ids),
        changed_version=changed_version,
        changed_section=changed_section,
    )


def response_post_section(
    *,
    actor: User,
    proposal: Proposal,
    section: Section | int,
    status: str,
    explanation: str,
    changed_version: ProposalVersion | int | None = None,
    changed_section: Section | int | None = None,
) -> OfficialResponse:
    """Answer what was said about a section as a whole."""
    return _publish(
        actor=actor,
        proposal=proposal,
        status=status,
        explanation=explanation,
        target=_SectionTarget(_pk(section)),
        changed_version=changed_version,
        changed_section=changed_section,
    )


def response_post_theme(
    *,
    actor: User,
    proposal: Proposal,
    theme: Tag | int,
    status: str,
    explanation: str,
    changed_version: ProposalVersion | int | None = None,
    changed_section: Section | int | None = None,
) -> OfficialResponse:
    """Answer the comments carrying a moderators' theme tag, as a whole."""
    return _publish(
        actor=actor,
        proposal=proposal,
        status=status,
        explanation=explanation,
        target=_ThemeTarget(_pk(theme)),
        changed_version=changed_version,
        changed_section=changed_section,
    )


def _pk(value: models.Model | int) -> int:
    return value.pk if isinstance(value, models.Model) else int(value)


@dataclass
class _Resolved:
    """A target checked against the consultation: what to link or point at,
    who is told (person id -> where to look), and the event's keys."""

    comments: list[Comment] = field(default_factory=list)
    section: Section | None = None
    section_heading: str = ""
    theme: Tag | None = None
    recipients: dict[int, str] = field(default_factory=dict)
    subject: str = ""


@transaction.atomic
def _publish(
    *,
    actor: User,
    proposal: Proposal,
    status: str,
    explanation: str,
    target: _Target,
    changed_version: ProposalVersion | int | None,
    changed_section: Section | int | None,
) -> OfficialResponse:
    actor = fresh_actor(actor)
    proposal = Proposal.objects.select_related("department").get(pk=proposal.pk)
    if not rules.can_respond(actor, proposal):
        raise PermissionDenied(NOT_OFFICIAL)
    errors: list[ValidationError] = []
    explanation = _clean_text(status, explanation, errors)
    resolved = target.resolve(proposal, errors)
    version, changed, heading = _changed(proposal, changed_version, changed_section, errors)
    if errors:
        # All or nothing: the atomic block has written nothing yet.
        raise ValidationError(errors)
    response = OfficialResponse.objects.create(
        proposal=proposal,
        author=actor,
        department=proposal.department,
        section=resolved.section,
        section_heading=resolved.section_heading,
        theme=resolved.theme,
        theme_name=resolved.theme.name if resolved.theme else "",
        status=status,
        explanation=explanation,
        explanation_html=render_markdown(explanation),
        changed_version=version,
        changed_section=changed,
    )
    response.changed_heading = heading
    comment_ids = [c.pk for c in resolved.comments]
    if comment_ids:
        response.comments.add(*comment_ids)
    _published(response, actor=actor, resolved=resolved, comment_ids=comment_ids)
    return response


def _published(
    response: OfficialResponse, *, actor: User, resolved: _Resolved, comment_ids: list[int]
) -> None:
    """What a new response sets off: the audit entry, the people it answers
    told, and the live event."""
    proposal = response.proposal
    version, changed = response.changed_version, response.changed_section
    audit_record(
        actor=actor,
        action="response.post",
        target=response,
        department=proposal.department,
        after=_recorded(
            status=response.status,
            comments=comment_ids,
            section=resolved.section.pk if resolved.section else None,
            theme=response.theme_name,
            changed_version=version.number if version else None,
            changed_section=changed.pk if changed else None,
        ),
        scope=f"proposal:{proposal.pk}",
    )
    _notify(response, actor=actor, resolved=resolved, explanation=response.explanation)
    event_append(
        proposal=proposal,
        type="response.posted",
        payload={
            "id": response.pk,
            "comments": comment_ids,
            "section": resolved.section.pk if resolved.section else None,
            "theme": resolved.theme.slug if resolved.theme else None,
            "theme_name": response.theme_name or None,
            "html": response_fragment(response),
        },
    )


def _recorded(**fields: object) -> dict:
    """The audit entry's "after": what was answered and changed, nothing empty."""
    return {name: value for name, value in fields.items() if value not in (None, "", [])}


def _clean_text(status: str, explanation: str, errors: list[ValidationError]) -> str:
    if status not in ResponseStatus.values:
        errors.append(ValidationError(STATUS_NEEDED))
    try:
        return EXPLANATION.clean(explanation)
    except ValidationError as error:
        errors.append(error)
        return ""


def _changed(
    proposal: Proposal,
    version: ProposalVersion | int | None,
    section: Section | int | None,
    errors: list[ValidationError],
) -> tuple[ProposalVersion | None, Section | None, str]:
    """The version and section that changed because of the response, both of
    this proposal, and the section's heading as that version has it."""
    found_version = found_section = None
    if version is not None:
        found_version = ProposalVersion.objects.filter(pk=_pk(version), proposal=proposal).first()
        if found_version is None:
            errors.append(ValidationError(VERSION_ELSEWHERE))
    if section is not None:
        found_section = Section.objects.filter(pk=_pk(section), proposal=proposal).first()
        if found_section is None:
            errors.append(ValidationError(CHANGED_SECTION_ELSEWHERE))
    if found_section is None:
        return found_version, None, ""
    if found_version is None:
        return None, found_section, found_section.heading
    heading = (
        SectionVersion.objects.filter(version=found_version, section=found_section)
        .values_list("heading", flat=True)
        .first()
    )
    if heading is None:
        errors.append(
            ValidationError(
                SECTION_NOT_IN_VERSION,
                params={"heading": found_section.heading, "number": found_version.number},
            )
        )
        return found_version, found_section, ""
    return found_version, found_section, heading


@dataclass(frozen=True)
class _CommentsTarget:
    ids: list[int]

    def resolve(self, proposal: Proposal, errors: list[ValidationError]) -> _Resolved:
        if not self.ids:
            errors.append(ValidationError(NOTHING_SELECTED))
            return _Resolved()
        if len(self.ids) > RESPONSE_BULK_MAX:
            errors.append(
                ValidationError(
                    TOO_MANY, params={"limit": RESPONSE_BULK_MAX, "count": len(self.ids)}
                )
            )
            return _Resolved()
        # Locked in id order (no two responses deadlock), so that a comment
        # hidden or deleted in the meantime is not answered after the check.
        found = {
            c.pk: c
            for c in Comment.objects.select_for_update().filter(pk__in=self.ids).order_by("pk")
        }
        refused = [_refusal(proposal, pk, found.get(pk)) for pk in self.ids]
        refused = [r for r in refused if r is not None]
        errors.extend(refused[:REFUSALS_NAMED])
        if len(refused) > REFUSALS_NAMED:
            errors.append(
                ValidationError(MORE_REFUSED, params={"count": len(refused) - REFUSALS_NAMED})
            )
        comments = [found[pk] for pk in self.ids if pk in found]
        recipients: dict[int, str] = {}
        for comment in comments:  # in id order: each author is sent to their first one
            comment.proposal = proposal
            if comment.author_id not in recipients:
                recipients[comment.author_id] = comment.url_in_context()
        return _Resolved(comments=comments, recipients=recipients, subject=proposal.title)


def _refusal(proposal: Proposal, pk: int, comment: Comment | None) -> ValidationError | None:
    if comment is None or comment.proposal_id != proposal.pk:
        return ValidationError(NOT_HERE, params={"id": pk})
    if comment.is_held and not comment.is_deleted and not comment.is_hidden:
        return ValidationError(COMMENT_HELD, params={"id": pk})
    if not comment.is_public:
        return ValidationError(NOT_ANSWERABLE, params={"id": pk})
    return None


def _taking_part(proposal: Proposal) -> QuerySet[Comment]:
    """Comments whose authors took part: not withdrawn by them, not awaiting review."""
    return Comment.objects.filter(proposal=proposal, is_deleted=False, held_at__isnull=True)


@dataclass(frozen=True)
class _SectionTarget:
    pk: int

    def resolve(self, proposal: Proposal, errors: list[ValidationError]) -> _Resolved:
        section = Section.objects.filter(pk=self.pk, proposal=proposal).first()
        if section is None:
            errors.append(ValidationError(SECTION_ELSEWHERE))
            return _Resolved()
        published = SectionVersion.objects.filter(
            version_id=proposal.current_version_id, section=section
        ).first()
        if published is None:
            errors.append(ValidationError(SECTION_UNPUBLISHED))
            return _Resolved()
        url = reverse("section-discussion", args=[proposal.slug, section.pk])
        people = set(
            _taking_part(proposal).filter(section=section).values_list("author_id", flat=True)
        )
        stances = SectionStance.objects.filter(section=section)
        people |= set(stances.values_list("user_id", flat=True))
        return _Resolved(
            section=section,
            section_heading=published.heading,
            recipients={pk: f"{url}#section-responses" for pk in sorted(people)},
            subject=f"{proposal.title}: {published.heading}",
        )


@dataclass(frozen=True)
class _ThemeTarget:
    pk: int

    def resolve(self, proposal: Proposal, errors: list[ValidationError]) -> _Resolved:
        tag = Tag.objects.filter(pk=self.pk).first()
        carried = ThemedComment.objects.filter(tag_id=self.pk, content_object__proposal=proposal)
        if tag is None or not carried.exists():
            errors.append(ValidationError(THEME_UNUSED))
            return _Resolved()
        themed = (
            _taking_part(proposal)
            .filter(pk__in=carried.values("content_object_id"))
            .only("pk", "author_id", "section_id", "question_id", "depth")
            .order_by("pk")
        )
        recipients: dict[int, str] = {}
        for comment in themed:
            comment.proposal = proposal
            if comment.author_id not in recipients:
                recipients[comment.author_id] = comment.url_in_context()
        return _Resolved(theme=tag, recipients=recipients, subject=f"{proposal.title}: {tag.name}")


_Target = _CommentsTarget | _SectionTarget | _ThemeTarget


def _notify(
    response: OfficialResponse, *, actor: User, resolved: _Resolved, explanation: str
) -> None:
    """Each person once, however many of their comments it answers."""
    notifications.notify_many(
        recipients=resolved.recipients,
        kind=NotificationKind.RESPONSE,
        key=f"response:{response.pk}",
        actor=actor,
        subject=resolved.subject,
        excerpt=explanation,
    )
