"""Where a comment goes: a section of the published text, a question, the
consultation as a whole, or under a parent (a reply takes its parent's
place). Decided here for every way in (the form, the socket, the API):
the ids sent are looked up within the consultation, an address that does
not resolve is refused (never another place to post), and the reply rules
are checked against fresh rows when the comment is written."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from discussion.models import Comment
from proposals.models import ConsultationQuestion, Proposal, Section, SectionVersion

PARENT_ELSEWHERE = _("You can only reply to a comment in the same discussion.")
PARENT_DELETED = _("That comment has been deleted; reply in its thread instead.")
PARENT_HIDDEN = _("That comment was removed by a moderator; reply in its thread instead.")
PARENT_HELD = _("That comment is awaiting a moderator's review; you can reply once it appears.")
SECTION_ELSEWHERE = _("That section is not part of the published text of this consultation.")
QUESTION_ELSEWHERE = _("That question is not part of this consultation.")


@dataclass(frozen=True)
class Place:
    """Where a comment goes in its consultation: a section, a question, or
    under a parent (a reply takes its parent's place), as the ids sent name
    them, and the ids that named nothing in this consultation."""

    section: Section | None = None
    question: ConsultationQuestion | None = None
    parent: Comment | None = None
    unresolved: tuple[str, ...] = ()

    def ensure(self) -> None:
        """An address that does not resolve is an error, never a different place to post."""
        if self.unresolved:
            raise ValidationError({name: ELSEWHERE[name] for name in self.unresolved})


NOWHERE = Place()
ELSEWHERE = {
    "section": SECTION_ELSEWHERE,
    "question": QUESTION_ELSEWHERE,
    "parent": PARENT_ELSEWHERE,
}


def comment_place(
    *,
    proposal: Proposal,
    section_id: int | None = None,
    question_id: int | None = None,
    parent_id: int | None = None,
) -> Place:
    """The place named by the ids a form, a socket frame or an API call sent:
    each looked up within the consultation (a reply's parent may be any of
    its comments; comment_create then says why one cannot be answered)."""
    section = proposal.sections.filter(pk=section_id).first() if section_id else None
    question = proposal.questions.filter(pk=question_id).first() if question_id else None
    parent = Comment.objects.filter(pk=parent_id, proposal=proposal).first() if parent_id else None
    unresolved = tuple(
        name
        for name, wanted, found in (
            ("section", section_id, section),
            ("question", question_id, question),
            ("parent", parent_id, parent),
        )
        if wanted and found is None
    )
    return Place(section=section, question=question, parent=parent, unresolved=unresolved)


def place_of(
    proposal: Proposal,
    section: Section | None,
    question: ConsultationQuestion | None,
    parent: Comment | None,
) -> tuple[Comment | None, int | None, int | None]:
    """The reply rules and the place, against fresh rows: a reply only to a
    public comment of the same consultation, and in its parent's place; a
    comment on a section only on a section of the published text."""
    if parent is not None:
        parent = Comment.objects.select_for_update().select_related("author").get(pk=parent.pk)
        if parent.proposal_id != proposal.pk:
            raise ValidationError({"parent": PARENT_ELSEWHERE})
        if parent.is_deleted:
            raise ValidationError({"parent": PARENT_DELETED})
        if parent.is_hidden:
            raise ValidationError({"parent": PARENT_HIDDEN})
        if parent.is_held:
            raise ValidationError({"parent": PARENT_HELD})
        # A reply belongs to its parent's place in the consultation.
        return parent, parent.section_id, parent.question_id
    section_id = section.pk if section else None
    question_id = question.pk if question else None
    if (
        section_id
        and not SectionVersion.objects.filter(
            version_id=proposal.current_version_id, section_id=section_id
        ).exists()
    ):
        raise ValidationError({"section": SECTION_ELSEWHERE})
    if question_id and not proposal.questions.filter(pk=question_id).exists():
        raise ValidationError({"question": QUESTION_ELSEWHERE})
    return None, section_id, question_id
