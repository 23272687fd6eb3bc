"""Officials answering the public: a response with a status and an
explanation, from the consultation's department, pushed live and told to
the people it answers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import User
from consult.notifications import services as notifications
from consult.notifications.models import Kind as NotificationKind
from consult.text import render_markdown
from discussion import rules
from discussion.events import event_append
from discussion.models import COMMENT_MAX_LENGTH, Comment, OfficialResponse, ResponseStatus
from discussion.services import HELD, _fresh_actor

NOT_OFFICIAL = _(
    "Only officials of this consultation's department can respond, while it is open or closed."
)
STATUS_NEEDED = _("Choose accepted, partly accepted, not accepted or noted.")
EXPLANATION_NEEDED = _("Explain the response: the public will read it.")
EXPLANATION_TOO_LONG = _("An explanation can be at most %(limit)d characters.")
NOT_ANSWERABLE = _("A deleted or removed comment cannot be answered.")


def response_fragment(response: OfficialResponse) -> dict[str, str]:
    fragments = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            fragments[code] = render_to_string("discussion/_response.html", {"response": response})
    return fragments


@transaction.atomic
def response_post(
    *, actor: User, comment: Comment, status: str, explanation: str
) -> OfficialResponse:
    """Answer one comment officially."""
    if status not in ResponseStatus.values:
        raise ValidationError({"status": ValidationError(STATUS_NEEDED)})
    explanation = (explanation or "").replace("\r\n", "\n").strip()
    if not explanation:
        raise ValidationError({"explanation": ValidationError(EXPLANATION_NEEDED)})
    if len(explanation) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "explanation": ValidationError(
                    EXPLANATION_TOO_LONG, params={"limit": COMMENT_MAX_LENGTH}
                )
            }
        )
    comment = (
        Comment.objects.select_for_update()
        .select_related("proposal", "proposal__department", "author")
        .get(pk=comment.pk)
    )
    actor = _fresh_actor(actor)
    proposal = comment.proposal
    if not rules.can_respond(actor, proposal):
        raise PermissionDenied(NOT_OFFICIAL)
    if comment.is_held and not comment.is_deleted and not comment.is_hidden:
        raise ValidationError(HELD)
    if not comment.is_public:
        raise ValidationError(NOT_ANSWERABLE)
    response = OfficialResponse.objects.create(
        proposal=proposal,
        author=actor,
        department=proposal.department,
        status=status,
        explanation=explanation,
        explanation_html=render_markdown(explanation),
    )
    response.comments.add(comment)
    audit_record(
        actor=actor,
        action="response.post",
        target=response,
        department=proposal.department,
        after={"status": status, "comments": [comment.pk]},
        scope=f"proposal:{proposal.pk}",
    )
    notifications.notify(
        recipient=comment.author,
        kind=NotificationKind.RESPONSE,
        key=f"response:{response.pk}:{comment.pk}",
        actor=actor,
        subject=proposal.title,
        excerpt=explanation,
        url=comment.url_in_context(),
    )
    event_append(
        proposal=proposal,
        type="response.posted",
        payload={"id": response.pk, "comments": [comment.pk], "html": response_fragment(response)},
    )
    return response
