"""What differs per reader on a comment, filled into the slots of its shared
fragment (discussion.comments.fragments): the tally, my vote, and what I may
do (vote, report, reply, edit, delete). Plain string building from labels
translated once per page: a page of a hundred comments is assembled, not
rendered. Officials' tools (moderation, official answers) are rendered from
templates: few people see them, and they need the full forms.

Every action stays a real form or link: the page works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from discussion import rules
from discussion.comments import keys, limits
from discussion.models import Comment, ResponseStatus

_PK = 987654321


def _url(name: str) -> str:
    """A comment's URL as a %-template: reversed once per page, not per comment."""
    return reverse(name, args=[_PK]).replace(str(_PK), "%d")


@dataclass
class Reader:
    """Who is reading, and what they may do here; built once per page."""

    user_id: int | None = None
    may_take_part: bool = False  # vote and reply: a citizen, the discussion open
    signed_in: bool = False
    can_moderate: bool = False
    can_respond: bool = False
    csrf: str = ""
    votes: dict[int, str] = field(default_factory=dict)
    # The comment's own page: reply boxes in place (it is where a reply link leads).
    reply_inline: bool = False
    # The live event: every part drawn hidden, revealed in the browser per reader.
    live: bool = False
    request: object = None
    # How long an author may edit (discussion.comments.services.edit_window).
    edit_window: timedelta = timedelta(0)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def official(self) -> bool:
        return self.can_moderate or self.can_respond


def labels() -> dict[str, str]:
    """The overlay's words and URL templates, in the active language."""
    words = {
        "agree": _("Agree"),
        "disagree": _("Disagree"),
        "pass": _("Pass"),
        "withdraw": _("Withdraw my vote"),
        "report": _("Report"),
        "reply": _("Reply"),
        "post_reply": _("Post reply"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "leave_empty": _("Leave this empty"),
    }
    labels = {name: str(escape(text)) for name, text in words.items()}
    # A %-template of the three counts, the words put in once.
    labels["tally"] = (
        f'<span class="tally" data-tally>{labels["agree"]} <span data-count="agree">%d</span> · '
        f'{labels["disagree"]} <span data-count="disagree">%d</span> · '
        f'{labels["pass"]} <span data-count="pass">%d</span></span>'
    )
    for name in ("vote", "report", "edit", "delete", "comment"):
        labels[f"url_{name}"] = _url(f"discussion:{name}")
    return labels


def reader_for(
    request,
    proposal,
    *,
    votes: dict[int, str],
    edit_window: timedelta,
    reply_inline: bool = False,
) -> Reader:
    user = request.user
    signed_in = user.is_authenticated
    return Reader(
        user_id=user.pk if signed_in else None,
        may_take_part=rules.can_comment(user, proposal),
        signed_in=signed_in,
        can_moderate=rules.can_moderate(user, proposal),
        can_respond=rules.can_respond(user, proposal),
        # The token is drawn once: every form of the page carries the same one.
        csrf=get_token(request) if signed_in else "",
        votes=votes,
        reply_inline=reply_inline,
        request=request,
        edit_window=edit_window,
        labels=labels(),
    )


def live_reader(*, edit_window: timedelta) -> Reader:
    return Reader(live=True, edit_window=edit_window, labels=labels())


def _csrf(reader: Reader) -> str:
    if reader.live:
        return '<input type="hidden" name="csrfmiddlewaretoken" value="" data-csrf>'
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{reader.csrf}">'


def _hidden(reader: Reader, *marks: str) -> str:
    """The live fragment's parts are revealed in the browser, per reader."""
    if not reader.live:
        return ""
    return " data-live-only" + "".join(f" {m}" for m in marks) + " hidden"


def vote_form(comment: Comment, reader: Reader) -> str:
    labels, mine = reader.labels, reader.votes.get(comment.pk)
    buttons = "".join(
        f'<button name="value" value="{value}" aria-pressed="'
        f'{"true" if mine == value else "false"}">{labels[value]}</button>'
        for value in ("agree", "disagree", "pass")
    )
    back = "" if mine else " hidden"
    return (
        f'<form method="post" action="{labels["url_vote"] % comment.pk}" class="vote-form"'
        f"{_hidden(reader)}>{_csrf(reader)}{buttons}"
        '<button name="value" value="withdraw" class="button-secondary" '
        f"data-vote-withdraw{back}>{labels['withdraw']}</button></form>"
    )


def report_link(comment: Comment, reader: Reader) -> str:
    return (
        f'<a href="{reader.labels["url_report"] % comment.pk}" class="report-link"'
        f"{_hidden(reader, 'data-not-own')}>{reader.labels['report']}</a>"
    )


def reply_link(comment: Comment, reader: Reader) -> str:
    # With the page's script the box opens in place (from the reply template);
    # without it the link leads to the comment's own page, where the box is.
    url = reader.labels["url_comment"] % comment.pk
    return f'<a href="{url}#reply-{comment.pk}" class="reply-link">{reader.labels["reply"]}</a>'


def reply_box(comment: Comment, reader: Reader) -> str:
    label = escape(_("Your reply to %(name)s") % {"name": comment.author.public_name})
    slug = comment.proposal.slug
    return _reply_box(reader, slug=slug, parent=str(comment.pk), label=label)


def reply_template(slug: str, reader: Reader) -> str:
    """One reply box for the whole page, without its comment: the page's
    script copies it into a thread when Reply is pressed (the parent, the
    label and a key of its own filled in), so that each comment carries a
    link and not a form."""
    # The label names the author: the script puts their shown name for {name}.
    label = escape(_("Your reply to %(name)s") % {"name": "{name}"})
    return _reply_box(reader, slug=slug, parent="", label=label)


def _reply_box(reader: Reader, *, slug: str, parent: str, label: str) -> str:
    labels = reader.labels
    action = escape(reverse("comment-post", args=[slug]))
    field = f"reply-{parent}" if parent else "reply-new"
    # Drawn once for every listener (or as the page's template), a box's key
    # is left empty: the page's script makes one per draft. A page's own box
    # carries its key.
    key = keys.post_key_new() if parent and not reader.live else ""
    return (
        f'<details class="reply-box"{_hidden(reader)}><summary>{labels["reply"]}</summary>'
        f'<form method="post" action="{action}">'
        f'{_csrf(reader)}<input type="hidden" name="parent" value="{parent}">'
        f'<input type="hidden" name="started" value="{escape(limits.fill_token())}">'
        f'<input type="hidden" name="key" value="{key}">'
        '<div class="hp" aria-hidden="true"><label>'
        f'{labels["leave_empty"]} <input type="text" name="website" value="" autocomplete="off" '
        'tabindex="-1"></label></div>'
        f'<label for="{field}">{label}</label>'
        f'<textarea id="{field}" name="body" rows="3" maxlength="5000" required>'
        f'</textarea><button type="submit" class="button-small">{labels["post_reply"]}</button>'
        "</form></details>"
    )


def _official(comment: Comment, reader: Reader, template: str) -> str:
    return render_to_string(
        template,
        {
            "comment": comment,
            "can_moderate": reader.can_moderate,
            "can_respond": reader.can_respond,
            "response_statuses": ResponseStatus.choices,
        },
        request=reader.request,
    )


def _fill_actions(comment: Comment, reader: Reader) -> str:
    if reader.live:
        return vote_form(comment, reader) + report_link(comment, reader)
    own = comment.author_id == reader.user_id
    out = []
    if reader.may_take_part and not own:
        out.append(vote_form(comment, reader))
    if reader.signed_in and not own:
        out.append(report_link(comment, reader))
    if reader.official:
        out.append(_official(comment, reader, "discussion/_comment_official.html"))
    return "".join(out)


def _fill_own(comment: Comment, reader: Reader) -> str:
    if not reader.live and (reader.user_id is None or comment.author_id != reader.user_id):
        return ""
    labels, out = reader.labels, []
    editable = not comment.is_held and (
        reader.live or timezone.now() - comment.created_at <= reader.edit_window
    )
    if editable:
        until = (comment.created_at + reader.edit_window).replace(microsecond=0).isoformat()
        out.append(
            f'<a href="{labels["url_edit"] % comment.pk}" data-editable-until="{until}"'
            f"{_hidden(reader, 'data-own-only')}>{labels['edit']}</a>"
        )
    out.append(
        f'<form method="post" action="{labels["url_delete"] % comment.pk}" class="inline-form"'
        f"{_hidden(reader, 'data-own-only')}>{_csrf(reader)}"
        f'<button type="submit" class="link-button">{labels["delete"]}</button></form>'
    )
    return "".join(out)


def _fill_reply(comment: Comment, reader: Reader) -> str:
    if reader.live or (reader.may_take_part and reader.reply_inline):
        return reply_box(comment, reader)
    if reader.may_take_part:
        return reply_link(comment, reader)
    return ""


def _fill_hidden(comment: Comment, reader: Reader) -> str:
    if reader.live:
        return ""
    out = ""
    if reader.can_moderate:
        out += _official(comment, reader, "discussion/_comment_hidden_official.html")
    if reader.user_id is not None and reader.user_id == comment.author_id:
        out += render_to_string(
            "discussion/moderation/_appeal_status.html",
            {"comment": comment},
            request=reader.request,
        )
    return out


def _fill_tally(comment: Comment, reader: Reader) -> str:
    return reader.labels["tally"] % (
        comment.agree_count,
        comment.disagree_count,
        comment.pass_count,
    )


FILL = {
    "tally": _fill_tally,
    "actions": _fill_actions,
    "own": _fill_own,
    "reply": _fill_reply,
    "hidden": _fill_hidden,
}


def apply(parts: list[str], comment: Comment, reader: Reader) -> str:
    """The comment as this reader sees it: the shared text, each slot filled."""
    out = []
    for index, part in enumerate(parts):
        out.append(FILL[part](comment, reader) if index % 2 else part)
    return "".join(out)
