"""Every write to the discussion: comments, edits, deletions and votes.

Each re-checks permission against fresh rows (the consultation may have
closed since the page was drawn), writes in one transaction together with
its live event, and broadcasts on commit.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.accounts import rules as account_rules
from consult.accounts.models import User
from consult.infra.db import retry_on_conflict
from consult.infra.text import TextRule, clean_text, render_markdown
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from discussion import rules
from discussion.access import SIGN_IN, fresh_actor
from discussion.comments import assembly, keys, limits
from discussion.comments.places import NOWHERE, Place, place_of
from discussion.live import moderators
from discussion.live.events import event_append
from discussion.live.tallies import tally_changed
from discussion.models import (
    COMMENT_MAX_LENGTH,
    Appeal,
    Comment,
    CommentRevision,
    CommentVote,
    Event,
    VoteValue,
)
from discussion.moderation import premoderation
from proposals.models import ConsultationQuestion, Proposal, Section
from proposals.services import participation

NOT_OPEN = _("The discussion is closed: the consultation is %(status)s.")
ARCHIVED = _(
    "This consultation is an archive imported from another platform: it takes no new "
    "comments or votes."
)
EMPTY = _("Write something before posting.")
TOO_LONG = _("A comment can be at most %(limit)d characters; this one has %(length)d.")
NUL_CHARACTER = _(
    "The text contains a NUL character (U+0000), which a comment cannot hold. Remove it and "
    "send the text again."
)
LONE_SURROGATE = _(
    "The text contains U+%(code)04X, half of a character without its other half, which a "
    "comment cannot hold. Remove it and send the text again."
)
HIDDEN = _("That comment was removed by a moderator.")
HELD = _("That comment is awaiting a moderator's review.")
HELD_EDIT = _(
    "A comment awaiting review cannot be changed: delete it and post the new text instead."
)
EDIT_NEEDS_REVIEW = _(
    "This change would need a moderator's review (%(reasons)s). Change the text, or delete "
    "the comment and post it again."
)
NOT_AUTHOR = _("Only the author can change or delete a comment.")
EDIT_WINDOW_OVER = _("Comments can be edited for %(minutes)d minutes after posting.")
ALREADY_DELETED = _("That comment has already been deleted.")
VOTE_VALUE = _("Choose agree, disagree or pass.")
OWN_COMMENT = _("You cannot vote on your own comment.")

DEFAULT_EDIT_WINDOW = timedelta(minutes=15)


def edit_window() -> timedelta:
    return getattr(settings, "CONSULT_COMMENT_EDIT_WINDOW", DEFAULT_EDIT_WINDOW)


# Half of a UTF-16 pair on its own: no character at all, and nothing can store
# or show it (JSON over the socket and the API can carry one; a form cannot).
_SURROGATE = re.compile("[\ud800-\udfff]")


BODY = TextRule("body", COMMENT_MAX_LENGTH, TOO_LONG, required=EMPTY, refuse_nul=NUL_CHARACTER)


def clean_body(body: str) -> str:
    """The text of a comment as every way in (form, socket, API) sends it:
    refused here, with the same words whichever way it came, or returned clean.
    The edges leave the text's characters to this check."""
    body = body or ""
    surrogate = None if "\x00" in body else _SURROGATE.search(body)
    if surrogate is not None:
        raise ValidationError(
            {
                "body": ValidationError(
                    LONE_SURROGATE, code="surrogate", params={"code": ord(surrogate.group())}
                )
            }
        )
    return clean_text(body, BODY)


def ensure_can_post(*, actor: User) -> None:
    """Signed in, active and with a confirmed email, checked against the
    database now; raises PermissionDenied with the reason."""
    fresh_actor(actor)


def _open_proposal(actor: User, proposal_id: int) -> Proposal:
    actor = fresh_actor(actor)
    proposal = Proposal.objects.get(pk=proposal_id)
    if proposal.archived:
        raise ValidationError(ARCHIVED)
    if not rules.can_comment(actor, proposal):
        raise ValidationError(
            NOT_OPEN, params={"status": proposal.get_effective_status_display().lower()}
        )
    return proposal


def reply_key(comment: Comment) -> str:
    return f"reply:{comment.pk}"


def comment_fragment(comment: Comment) -> dict[str, str]:
    """The comment's HTML in each language of the site, rendered once per event
    and sent to every listener as it is; each page picks its own language. The
    same kept fragment serves the discussion pages (discussion.comments.assembly)."""
    return assembly.live_fragment(comment, edit_window=edit_window())


def rewrite_history(comment: Comment) -> None:
    """After an edit or a deletion, earlier events of the comment carry what it
    shows now, so that a replay never brings back removed words."""
    html = comment_fragment(comment)
    # Only the comment's own events: a response's event carries the response's id.
    for event in Event.objects.filter(
        proposal_id=comment.proposal_id, type__startswith="comment.", payload__id=comment.pk
    ):
        if "html" in event.payload:
            event.payload["html"] = html
            event.save(update_fields=["payload"])


def comment_submit(
    *,
    actor: User,
    ip: str | None,
    proposal: Proposal,
    body: str,
    place: Place = NOWHERE,
    human: limits.HumanCheck | None = None,
    key: str | None = None,
) -> Comment:
    """A comment as every way in sends it (form, socket, API): where it goes,
    the human check where the page has one, who may post, then the text (a
    refusal for the text itself costs no rate), then the person's and the
    address's rate, then the comment.

    With a key (see discussion.comments.keys), the same post sent again is
    answered with the comment stored the first time, before the human check
    and the rate: a retry is not a new post and must not read as a refusal."""
    place.ensure()
    client_key = keys.post_key_parse(key)
    if client_key is not None:
        ensure_can_post(actor=actor)
        posted = _posted_before(actor, client_key, body, place)
        if posted is not None:
            return posted
    if human is not None:
        limits.check_human(started=human.started, honeypot=human.honeypot)
    if client_key is None:
        ensure_can_post(actor=actor)
    clean_body(body)
    limits.check("comment", user=actor, ip=ip)
    try:
        return comment_create(
            actor=actor,
            proposal=proposal,
            body=body,
            section=place.section,
            question=place.question,
            parent=place.parent,
            client_key=client_key,
        )
    except IntegrityError:
        # Two attempts of one post at once: the other was stored first.
        if client_key is None:
            raise
        posted = _posted_before(actor, client_key, body, place)
        if posted is None:
            raise
        return posted


def _posted_before(actor: User, key: uuid.UUID, body: str, place: Place) -> Comment | None:
    return keys.posted_with_key(actor=actor, key=key, body=clean_body(body), place=place)


@transaction.atomic
def comment_create(
    *,
    actor: User,
    proposal: Proposal,
    body: str,
    section: Section | None = None,
    question: ConsultationQuestion | None = None,
    parent: Comment | None = None,
    client_key: uuid.UUID | None = None,
) -> Comment:
    proposal = _open_proposal(actor, proposal.pk)
    body = clean_body(body)
    parent, section_id, question_id = place_of(proposal, section, question, parent)
    held = premoderation.hold_reasons(author=actor, proposal=proposal, body=body)
    comment = Comment.objects.create(
        proposal=proposal,
        section_id=section_id,
        question_id=question_id,
        parent=parent,
        root_id=parent.root_id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author=actor,
        version_id=proposal.current_version_id,
        body=body,
        body_html=render_markdown(body),
        held_at=timezone.now() if held else None,
        held_reasons=held,
        client_key=client_key,
    )
    if parent is None:
        Comment.objects.filter(pk=comment.pk).update(root_id=comment.pk)
        comment.root_id = comment.pk
    if held:
        # Waits for a moderator: in their queue now, public once approved.
        moderators.announce(comment, change="held")
    else:
        comment_publish(comment, parent=parent)
    return comment


def comment_publish(comment: Comment, *, parent: Comment | None) -> None:
    """What a comment's appearing sets off: counts, the parent's author told,
    and the live event. At posting, or when a moderator approves a held one."""
    proposal = comment.proposal
    if parent is not None:
        # F() increments: concurrent replies to one thread all count.
        Comment.objects.filter(pk=comment.root_id).update(reply_count=F("reply_count") + 1)
        notifications.notify(
            recipient=parent.author,
            kind=NotificationKind.REPLY,
            key=reply_key(comment),
            actor=comment.author,
            subject=proposal.title,
            excerpt=comment.body,
            url=comment.url_in_context(),
        )
    Proposal.objects.filter(pk=proposal.pk).update(activity_count=F("activity_count") + 1)
    participation.comment_published(proposal_id=proposal.pk, author_id=comment.author_id)
    event_append(
        proposal=proposal,
        type="comment.created",
        payload={
            "id": comment.pk,
            "parent": comment.parent_id,
            "section": comment.section_id,
            "question": comment.question_id,
            "depth": comment.depth,
            "html": comment_fragment(comment),
        },
    )
    return comment


def _own_comment_for_change(actor: User, comment_id: int) -> tuple[Comment, Proposal]:
    comment = Comment.objects.select_for_update().select_related("author").get(pk=comment_id)
    actor = fresh_actor(actor)
    if comment.author_id != actor.pk:
        raise PermissionDenied(NOT_AUTHOR)
    if comment.is_deleted:
        raise ValidationError(ALREADY_DELETED)
    proposal = _open_proposal(actor, comment.proposal_id)
    return comment, proposal


def _visible_for_change(comment: Comment) -> None:
    if comment.is_hidden:
        raise ValidationError(HIDDEN)
    if comment.is_held:
        raise ValidationError(HELD)


@transaction.atomic
def comment_edit(*, actor: User, comment: Comment, body: str) -> Comment:
    comment, proposal = _own_comment_for_change(actor, comment.pk)
    if comment.is_hidden:
        raise ValidationError(HIDDEN)
    if comment.is_held:
        # The moderator approves the words they read, not later ones.
        raise ValidationError(HELD_EDIT)
    window = edit_window()
    if timezone.now() - comment.created_at > window:
        raise ValidationError(
            EDIT_WINDOW_OVER, params={"minutes": int(window.total_seconds() // 60)}
        )
    body = clean_body(body)
    if body == comment.body:
        return comment
    held = premoderation.hold_reasons(author=actor, proposal=proposal, body=body)
    if held:
        # Published words change only into words that would have been published.
        raise ValidationError(
            EDIT_NEEDS_REVIEW, params={"reasons": "; ".join(premoderation.describe(held))}
        )
    CommentRevision.objects.create(
        comment=comment,
        body=comment.body,
        body_html=comment.body_html,
        written_at=comment.edited_at or comment.created_at,
    )
    comment.body, comment.body_html, comment.edited_at = body, render_markdown(body), timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    if comment.is_held:
        # Still waiting for review (now of the new words): nothing public to update.
        moderators.announce(comment, change="edited")
        return comment
    rewrite_history(comment)
    notifications.refresh(key=reply_key(comment), excerpt=body)
    event_append(
        proposal=proposal,
        type="comment.edited",
        payload={"id": comment.pk, "html": comment_fragment(comment)},
    )
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> Comment:
    """The author's own deletion: the text goes, a tombstone keeps the replies in place."""
    comment, proposal = _own_comment_for_change(actor, comment.pk)
    was_public = comment.is_public
    CommentRevision.objects.create(
        comment=comment,
        body=comment.body,
        body_html=comment.body_html,
        written_at=comment.edited_at or comment.created_at,
    )
    comment.is_deleted, comment.deleted_at = True, timezone.now()
    comment.body, comment.body_html = "", ""
    comment.save(update_fields=["is_deleted", "deleted_at", "body", "body_html"])
    participation.comment_visibility_changed(
        proposal_id=proposal.pk, was_public=was_public, is_public=False
    )
    # Nothing public is left to decide on: open reports are settled and the
    # item leaves the moderators' queue (the revision keeps the words for them).
    settled = comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    # An appeal waiting on it has nothing left to decide: withdrawn with it.
    settled += Appeal.objects.filter(comment_id=comment.pk, decided_at__isnull=True).delete()[0]
    if settled or comment.is_held:
        moderators.announce(comment, change="resolved")
    if comment.is_held:
        return comment
    rewrite_history(comment)
    notifications.withdraw(key=reply_key(comment))
    event_append(
        proposal=proposal,
        type="comment.deleted",
        payload={"id": comment.pk, "html": comment_fragment(comment)},
    )
    return comment


COUNTERS = {
    VoteValue.AGREE: "agree_count",
    VoteValue.DISAGREE: "disagree_count",
    VoteValue.PASS: "pass_count",
}


def vote_submit(*, actor: User, ip: str | None, comment: Comment, value: str) -> CommentVote:
    """A vote as every way in sends it: who may vote, the rate, the vote."""
    ensure_can_post(actor=actor)
    limits.check("vote", user=actor, ip=ip)
    return comment_vote(actor=actor, comment=comment, value=value)


def comment_vote(*, actor: User, comment: Comment, value: str) -> CommentVote:
    """Agree, disagree or pass; one row per citizen per comment, changeable."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN)
    if value not in VoteValue.values:
        raise ValidationError(VOTE_VALUE)
    return retry_on_conflict(lambda: _vote_write(actor=actor, comment_id=comment.pk, value=value))


@transaction.atomic
def _vote_write(*, actor: User, comment_id: int, value: str) -> CommentVote:
    comment = Comment.objects.get(pk=comment_id)
    _open_proposal(actor, comment.proposal_id)
    if comment.author_id == actor.pk:
        raise ValidationError(OWN_COMMENT)
    if comment.is_deleted:
        raise ValidationError(ALREADY_DELETED)
    _visible_for_change(comment)
    # Locked: two quick changes by one person must not both undo the same count.
    vote, created = CommentVote.objects.select_for_update().get_or_create(
        comment=comment, user=actor, defaults={"value": value}
    )
    if not created and vote.value == value:
        return vote
    if created:
        participation.participant_add(proposal_id=comment.proposal_id, user_id=actor.pk)
    changes = {COUNTERS[value]: F(COUNTERS[value]) + 1}
    if not created:
        changes[COUNTERS[vote.value]] = F(COUNTERS[vote.value]) - 1
        vote.value, vote.updated_at = value, timezone.now()
        vote.save(update_fields=["value", "updated_at"])
    Comment.objects.filter(pk=comment.pk).update(**changes)
    proposal_id = comment.proposal_id
    transaction.on_commit(lambda: tally_changed(proposal_id=proposal_id, comment_id=comment_id))
    return vote


def vote_withdraw_submit(*, actor: User, ip: str | None, comment: Comment) -> bool:
    """A withdrawal as every way in sends it: who may vote, the rate, the withdrawal."""
    ensure_can_post(actor=actor)
    limits.check("vote", user=actor, ip=ip)
    return comment_vote_withdraw(actor=actor, comment=comment)


def comment_vote_withdraw(*, actor: User, comment: Comment) -> bool:
    """Take one's vote back while the discussion is open: the row goes and
    its count drops. True if there was a vote; no vote is not an error (a
    second click, another tab)."""
    if not account_rules.is_citizen(actor):
        raise PermissionDenied(SIGN_IN)
    return retry_on_conflict(lambda: _vote_delete(actor=actor, comment_id=comment.pk))


@transaction.atomic
def _vote_delete(*, actor: User, comment_id: int) -> bool:
    comment = Comment.objects.get(pk=comment_id)
    _open_proposal(actor, comment.proposal_id)
    if comment.is_deleted:
        raise ValidationError(ALREADY_DELETED)
    _visible_for_change(comment)
    # Locked: a change and a withdrawal at once must not both move the counts.
    vote = CommentVote.objects.select_for_update().filter(comment=comment, user=actor).first()
    if vote is None:
        return False
    vote.delete()
    counter = COUNTERS[vote.value]
    Comment.objects.filter(pk=comment.pk).update(**{counter: F(counter) - 1})
    proposal_id = comment.proposal_id
    transaction.on_commit(lambda: tally_changed(proposal_id=proposal_id, comment_id=comment_id))
    return True
