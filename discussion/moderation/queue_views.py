"""The moderators' queue page and its bulk actions (plain forms; queue.js
adds live updates and claiming on selection, and nothing depends on it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consult.accounts import roles
from consult.accounts.models import Role
from consult.infra.refusals import refusal_messages
from discussion.models import ReportReason
from discussion.moderation import answer_queue, bulk, selectors
from discussion.moderation import services as moderation
from discussion.submissions import moderation as answers
from discussion.submissions.models import FormAnswer

MAX_ID = 2**63 - 1
NO_SELECTION = gettext_lazy("Select at least one item first.")
TOO_MANY = gettext_lazy("Select at most %(limit)d items at a time.")
UNREADABLE = gettext_lazy(
    "Some of the selected items could not be read. Reload the queue and try again."
)
NO_ACTION = gettext_lazy("Choose what to do with the selected items.")
BAD_FILTERS = gettext_lazy("Some filters could not be read and were left out.")


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Show"), choices=selectors.KIND_CHOICES, required=False
    )
    proposal = forms.IntegerField(
        label=gettext_lazy("Consultation"), required=False, min_value=1, max_value=MAX_ID
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Report reason"),
        choices=[("", gettext_lazy("Any reason")), *ReportReason.choices],
        required=False,
    )
    untaken = forms.BooleanField(
        label=gettext_lazy("Only items nobody else has taken"), required=False
    )
    order = forms.ChoiceField(
        label=gettext_lazy("Order"), choices=selectors.ORDER_CHOICES, required=False
    )

    def filters(self) -> selectors.Filters:
        """What could be read; a field that could not is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.Filters(
            kind=data.get("kind") or "all",
            proposal=data.get("proposal"),
            reason=data.get("reason") or "",
            untaken=bool(data.get("untaken")),
            order=data.get("order") or "oldest",
        )


class ActionForm(forms.Form):
    """The bulk bar: one action, a reason and a category when hiding."""

    reason = forms.CharField(required=False, max_length=moderation.REASON_LIMIT)
    category = forms.ChoiceField(choices=ReportReason.choices, required=False)


@dataclass
class Wanted:
    action: str
    ids: list[int]
    reason: str = ""
    category: str = ReportReason.OTHER
    take_over: bool = False


@dataclass
class Result:
    action: str
    done: list[bulk.Outcome] = field(default_factory=list)
    refused: list[bulk.Outcome] = field(default_factory=list)

    @property
    def taken(self) -> list[bulk.Outcome]:
        return [outcome for outcome in self.refused if outcome.taken]

    @property
    def done_label(self) -> str:
        return str(bulk.ACTION_DONE[self.action])


def _ensure_moderator(request: HttpRequest) -> None:
    if not roles.holds_role(request.user, Role.MODERATOR):
        raise PermissionDenied(selectors.NOT_A_MODERATOR)


def _ids(values: list[str]) -> list[int]:
    """Whole numbers in the order given, each once; anything else is refused."""
    ids: list[int] = []
    for value in values:
        value = value.strip()
        if not value.isdecimal() or not value.isascii() or not 0 < int(value) <= MAX_ID:
            raise ValidationError(UNREADABLE)
        if int(value) not in ids:
            ids.append(int(value))
        if len(ids) > selectors.PAGE_SIZE:
            raise ValidationError(TOO_MANY, params={"limit": selectors.PAGE_SIZE})
    if not ids:
        raise ValidationError(NO_SELECTION)
    return ids


def _parse(post) -> Wanted:
    """Which button was pressed decides the action: the bar's buttons, a
    take-over confirmation after a refusal, or one item's "Take over"."""
    if post.get("take_over_item"):
        return Wanted(bulk.TAKE, _ids([post["take_over_item"]]), take_over=True)
    confirmed = post.get("confirm_take_over")
    action = confirmed or post.get("action", "")
    if action not in bulk.ACTIONS:
        raise ValidationError(NO_ACTION)
    ids = _ids(post.getlist("take_over_ids") if confirmed else post.getlist("items"))
    form = ActionForm(post)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    wanted = Wanted(action, ids, take_over=bool(confirmed))
    if action == bulk.HIDE:
        wanted.reason = " ".join(form.cleaned_data["reason"].split())
        if not wanted.reason:
            raise ValidationError(moderation.REASON_NEEDED)
        wanted.category = form.cleaned_data["category"] or ReportReason.OTHER
    return wanted


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def queue_page(request: HttpRequest) -> HttpResponse:
    _ensure_moderator(request)
    filter_form = FilterForm(request.GET or None)
    if request.method != "POST":
        if filter_form.is_bound and not filter_form.is_valid():
            messages.warning(request, BAD_FILTERS)
        return _render(request, filter_form, select_all=request.GET.get("select") == "all")
    try:
        wanted = _parse(request.POST)
    except ValidationError as error:
        # Nothing was done; the form comes back as it was sent.
        return _render(request, filter_form, errors=refusal_messages(error), status=400)
    outcomes = bulk.items_act(
        actor=request.user,
        action=wanted.action,
        comment_ids=wanted.ids,
        reason=wanted.reason,
        category=wanted.category,
        take_over=wanted.take_over,
    )
    result = Result(
        wanted.action,
        done=[o for o in outcomes if o.done],
        refused=[o for o in outcomes if not o.done],
    )
    if not result.refused:
        messages.success(request, _summary(result))
        return redirect(request.get_full_path())
    # Something was refused: the page says what, with the reason text and
    # the selection kept, and offers to take over what another moderator has.
    status = 200 if result.done else 409
    return _render(request, filter_form, result=result, status=status)


def _summary(result: Result) -> str:
    labels = "; ".join(outcome.label for outcome in result.done)
    return _("%(done)s: %(items)s.") % {"done": result.done_label, "items": labels}


def _render(
    request: HttpRequest,
    filter_form: FilterForm,
    *,
    result: Result | None = None,
    errors: list[str] | None = None,
    select_all: bool = False,
    status: int = 200,
    answer_errors: dict[int, list[str]] | None = None,
) -> HttpResponse:
    filters = filter_form.filters()
    page_obj, items = selectors.queue_page(
        user=request.user, filters=filters, page=request.GET.get("page")
    )
    consultations, waiting = answer_queue.queue_consultations(request.user)
    answer_page = answer_queue.answer_page(
        user=request.user,
        filters=filters,
        waiting=waiting,
        page=request.GET.get(answer_queue.PAGE_PARAMETER),
    )
    errors = list(errors or [])
    for pk, refusals in (answer_errors or {}).items():
        shown = [item for item in (answer_page.items if answer_page else []) if item.pk == pk]
        if shown:
            shown[0].errors = refusals
        else:
            errors.extend(refusals)
    # A refused answer's form keeps what was typed; the bulk bar stays empty.
    posted = request.POST if request.method == "POST" and not answer_errors else {}
    selected = set(posted.getlist("items")) if posted else set()
    if select_all:
        selected = {str(item.pk) for item in items}
    context = {
        "items": items,
        "page_obj": page_obj,
        "filter_form": filter_form,
        "filters": filters,
        "consultations": consultations,
        "answers": answer_page,
        "answers_only": filters.kind in selectors.ANSWER_KINDS,
        "answer_reason": request.POST.get("reason", "") if answer_errors else "",
        "answer_category": request.POST.get("category", "") if answer_errors else "",
        "answers_page_query": _query(request, **{answer_queue.PAGE_PARAMETER: None}),
        "selected": selected,
        "result": result,
        "errors": errors,
        "reason": posted.get("reason", "") if posted else "",
        "category": posted.get("category", "") if posted else "",
        "categories": ReportReason.choices,
        "query": _query(request),
        "select_all_query": _query(request, select="all"),
        "page_query": _query(request, page=None),
    }
    return render(request, "discussion/queue/queue.html", context, status=status)


def _query(request: HttpRequest, **changes) -> str:
    """The page's filters as a query string, with some values changed."""
    query = request.GET.copy()
    query.pop("select", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return query.urlencode()


@require_safe
@login_required
def queue_item(request: HttpRequest, pk: int) -> HttpResponse:
    """One item as the queue page draws it, for the live page to insert or
    replace. Nothing (204) when it is not in this moderator's queue as
    filtered: decided, another department's, or no such comment alike."""
    _ensure_moderator(request)
    filters = FilterForm(request.GET or None).filters()
    item = selectors.queue_item(user=request.user, comment_id=pk, filters=filters)
    if item is None:
        return HttpResponse(status=204)
    return render(request, "discussion/queue/_item.html", {"item": item, "selected": set()})


# --- Answers to response forms: one item, one plain form --------------------

ANSWER_ACTIONS = ("approve", "hide", "restore")
ANSWER_DONE = {
    "approve": gettext_lazy("The answer was approved: its words are public."),
    "hide": gettext_lazy("The answer's words are hidden, with your reason."),
    "restore": gettext_lazy("The answer's words are public again."),
}


@require_POST
@login_required
def queue_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, hide or restore one answer's words, then back to the queue
    as it was filtered; a refusal shows the queue with the message by the
    answer and the reason as it was typed."""
    _ensure_moderator(request)
    back = reverse("discussion:queue") + (f"?{request.GET.urlencode()}" if request.GET else "")
    answer = FormAnswer.objects.filter(pk=pk).first() if pk <= MAX_ID else None
    if answer is None:
        messages.error(request, answers.ANSWER_GONE)
        return redirect(back)
    action = request.POST.get("action", "")
    try:
        if action not in ANSWER_ACTIONS:
            raise ValidationError(NO_ACTION)
        _answer_act(request, answer, action)
    except (ValidationError, PermissionDenied) as error:
        status = 403 if isinstance(error, PermissionDenied) else 400
        filter_form = FilterForm(request.GET or None)
        errors = {answer.pk: refusal_messages(error)}
        return _render(request, filter_form, answer_errors=errors, status=status)
    messages.success(request, ANSWER_DONE[action])
    return redirect(back)


def _answer_act(request: HttpRequest, answer: FormAnswer, action: str) -> None:
    if action == "approve":
        answers.answer_approve(actor=request.user, answer=answer)
    elif action == "hide":
        category = request.POST.get("category") or ReportReason.OTHER
        answers.answer_hide(
            actor=request.user,
            answer=answer,
            reason=request.POST.get("reason", ""),
            category=category,
        )
    else:
        answers.answer_restore(actor=request.user, answer=answer)
