"""Officials' answers: to one comment (from under it), and the page that
answers many similar comments at once, or a section or a theme as a whole.

The page works without JavaScript: ticking every comment of a page, clearing
the ticks and turning pages are buttons of the same form, so what was typed
and ticked comes back each time, and nothing is written until "publish"."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from taggit.models import Tag

from consult.infra.refusals import refusal_messages
from discussion import rules
from discussion.access import access_comment
from discussion.models import ResponseStatus
from discussion.responses import selectors as response_selectors
from discussion.responses import services as responses
from proposals.access import access_proposal
from proposals.models import Proposal

NOT_A_NUMBER = gettext_lazy("“%(value)s” is not a comment number.")
CHOOSE_VERSION = gettext_lazy("Choose a version from the list.")
CHOOSE_SECTION = gettext_lazy("Choose a section from the list.")
# What the page's buttons ask for: these write; the others only redraw it.
WRITES = {"apply", "section", "theme"}
ID_DIGITS = 18  # longer than any id the database will give


def _id(raw: str) -> int | None:
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= ID_DIGITS:
        return int(raw)
    return None


def _shown(raw: str) -> str:
    """A bad value as the refusal names it: short, and without NUL bytes."""
    raw = raw.replace("\x00", "")
    return raw if len(raw) <= 20 else raw[:19] + "…"


@dataclass
class Posted:
    """What an official sent, parsed but not yet checked against the
    consultation (the services do that), and kept to be shown again."""

    action: str = ""
    ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    status: str = ""
    explanation: str = ""
    changed_version: str = ""
    changed_section: str = ""
    section: str = ""
    theme: str = ""
    matching: str = ""
    go: str = ""

    @classmethod
    def read(cls, data: QueryDict) -> Posted:
        posted = cls(
            action=data.get("action", ""),
            status=data.get("status", ""),
            explanation=data.get("explanation", "").replace("\x00", ""),
            changed_version=data.get("changed_version", "").strip(),
            changed_section=data.get("changed_section", "").strip(),
            section=data.get("section", "").strip(),
            theme=data.get("theme", "").replace("\x00", "").strip()[:100],
            matching=data.get("matching", "").strip(),
            go=data.get("go", "").strip(),
        )
        seen: set[int] = set()
        for raw in data.getlist("comments"):
            pk = _id(raw)
            if pk is None:
                posted.errors.append(NOT_A_NUMBER % {"value": _shown(raw)})
            elif pk not in seen:
                seen.add(pk)
                posted.ids.append(pk)
        return posted

    def optional(self, raw: str, message: str) -> int | None:
        if not raw:
            return None
        pk = _id(raw)
        if pk is None:
            self.errors.append(str(message))
        return pk

    def changes(self) -> dict[str, int | None]:
        return {
            "changed_version": self.optional(self.changed_version, CHOOSE_VERSION),
            "changed_section": self.optional(self.changed_section, CHOOSE_SECTION),
        }


@require_POST
@login_required
def comment_respond(request: HttpRequest, pk: int) -> HttpResponse:
    comment = access_comment(request.user, pk)
    posted = Posted.read(request.POST)
    try:
        changes = posted.changes()
        if posted.errors:
            raise ValidationError(posted.errors)
        responses.response_post(
            actor=request.user,
            comment=comment,
            status=posted.status,
            explanation=posted.explanation,
            **changes,
        )
    except (ValidationError, PermissionDenied) as error:
        # The explanation is not lost: it comes back in a page of its own.
        return render(
            request,
            "discussion/respond.html",
            {
                "comment": comment,
                "errors": refusal_messages(error),
                "typed": posted,
                "response_statuses": ResponseStatus.choices,
                "versions": list(comment.proposal.versions.order_by("-number")),
                "sections": list(comment.proposal.sections.order_by("order", "pk")),
                "can_respond": rules.can_respond(request.user, comment.proposal),
            },
            status=400 if isinstance(error, ValidationError) else 403,
        )
    messages.success(request, _("Your response is published."))
    return redirect(comment.url_in_context())


def _official_proposal(request: HttpRequest, slug: str) -> Proposal:
    return access_proposal(
        request.user, slug=slug, may=rules.can_respond, refusal=responses.NOT_OFFICIAL
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def respond_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = _official_proposal(request, slug)
    filters = response_selectors.respond_filters(request.GET)
    if request.method != "POST":
        return _render(request, proposal, filters, Posted(), page=request.GET.get("page"))
    posted = Posted.read(request.POST)
    page = posted.go or request.GET.get("page")
    if posted.action not in WRITES:
        return _render(request, proposal, filters, posted, page=page)
    try:
        response = _publish(request, proposal, filters, posted)
    except ValidationError as error:
        # Nothing was written; the page comes back as it was sent.
        return _render(
            request,
            proposal,
            filters,
            posted,
            page=page,
            errors=refusal_messages(error),
            status=400,
        )
    messages.success(request, _published(response, len(posted.ids)))
    return redirect(_address(proposal, filters, page=page))


def _publish(request: HttpRequest, proposal: Proposal, filters, posted: Posted):
    changes = posted.changes()
    common = {
        "actor": request.user,
        "proposal": proposal,
        "status": posted.status,
        "explanation": posted.explanation,
    }
    if posted.action == "section":
        section = _id(posted.section)
        if section is None:
            posted.errors.append(str(responses.SECTION_ELSEWHERE))
    elif posted.action == "theme":
        theme = Tag.objects.filter(slug=posted.theme).first() if posted.theme else None
        if theme is None:
            posted.errors.append(str(responses.THEME_UNUSED))
    elif posted.matching:
        expected = _id(posted.matching)
        if expected is None:
            posted.errors.append(str(responses.NOTHING_SELECTED))
        else:
            posted.ids = response_selectors.matching_ids(
                proposal=proposal, filters=filters, expected=expected
            )
    if posted.errors:
        raise ValidationError(posted.errors)
    if posted.action == "section":
        return responses.response_post_section(section=section, **common, **changes)
    if posted.action == "theme":
        return responses.response_post_theme(theme=theme, **common, **changes)
    return responses.responses_post_bulk(comments=posted.ids, **common, **changes)


def _published(response, count: int) -> str:
    if response.kind == "section":
        return _("Your response to the section “%(heading)s” is published.") % {
            "heading": response.section.heading
        }
    if response.kind == "theme":
        return _("Your response to the theme “%(name)s” is published.") % {
            "name": response.theme_name
        }
    return ngettext(
        "Your response is published under one comment; its author is told.",
        "Your response is published under %(count)d comments; each author is told once.",
        count,
    ) % {"count": count}


def _address(proposal: Proposal, filters, **extra) -> str:
    query = filters.query(**{k: v for k, v in extra.items() if v})
    path = reverse("discussion:respond-bulk", args=[proposal.slug])
    return f"{path}?{query}" if query else path


def _render(
    request: HttpRequest,
    proposal: Proposal,
    filters,
    posted: Posted,
    *,
    page,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    data = response_selectors.respond_page(proposal=proposal, filters=filters, page=page)
    on_page = [c.pk for c in data.comments]
    ticked = set(posted.ids)
    if posted.action == "tick":
        if len(ticked | set(on_page)) > response_selectors.RESPONSE_BULK_MAX:
            # More could not be answered at once, and would overflow the form.
            errors = [
                *(errors or []),
                str(response_selectors.TOO_MANY)
                % {
                    "limit": response_selectors.RESPONSE_BULK_MAX,
                    "count": len(ticked | set(on_page)),
                },
            ]
        else:
            ticked |= set(on_page)
    elif posted.action == "untick":
        ticked = set()
    section = next((s for s in data.sections if s.pk == filters.section_id), None)
    theme = next((t for t in data.themes if t.slug == filters.theme), None)
    context = {
        "proposal": proposal,
        "data": data,
        "filters": filters,
        "section_filter": section,
        "theme_filter": theme,
        "section_responses": data.responses_to_section(filters.section_id),
        "theme_responses": data.responses_to_theme(filters.theme),
        "ticked": ticked,
        # Ticks on other pages travel with the form as hidden fields.
        "carried": sorted(ticked - set(on_page)),
        "typed": posted,
        "typed_for": posted.action if posted.action in {"section", "theme"} else "apply",
        "errors": errors or [],
        "response_statuses": ResponseStatus.choices,
        "order_choices": response_selectors.ORDER_CHOICES,
        "whole": response_selectors.WHOLE,
        "bulk_max": response_selectors.RESPONSE_BULK_MAX,
        "action_url": _address(proposal, filters, page=data.page.number),
    }
    return render(request, "discussion/respond_bulk.html", context, status=status)
