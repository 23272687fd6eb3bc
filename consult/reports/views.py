"""The summary (officials and moderators), the report's drafting, preview and
publication (officials), and the published report with its downloads (everyone)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consult.infra.refusals import refusal_by_field, refuse
from consult.infra.translations import reader_language, translated
from consult.reports import rules
from consult.reports.forms import ReportForm
from consult.reports.models import ReportState, ResponseReport, RunState, SummaryRun
from consult.reports.rendering import exports
from consult.reports.rendering.exports import FORMATS, downloads
from consult.reports.rendering.form_responses import responses_csv
from consult.reports.report import evidence, languages
from consult.reports.report.drafting import ALREADY_PUBLISHED
from consult.reports.report.drafting import report_draft as draft
from consult.reports.report.editing import report_save
from consult.reports.report.publishing import report_publish as publish
from consult.reports.report.snapshots import canonical, snapshot_build, snapshot_shown
from consult.reports.summary import services as summary_services
from consult.reports.summary.selectors import latest_run
from consult.reports.summary.stages import STAGE_LABELS
from discussion.models import ResponseStatus
from discussion.submissions.selectors import published_form_questions, published_form_responses
from proposals.access import access_proposal
from proposals.models import Proposal

STAFF_ONLY = gettext_lazy(
    "Only officials and moderators of this consultation's department can see its summary."
)
EVIDENCE_PAGE = 50


def _staff_proposal(request: HttpRequest, slug: str, *, run: bool = False) -> Proposal:
    """The consultation, for its officials (`run`) or also its moderators."""
    return access_proposal(
        request.user,
        slug=slug,
        queryset=Proposal.objects.select_related("department"),
        may=rules.can_run_summary if run else rules.can_view_summary,
        refusal=rules.NOT_ALLOWED if run else STAFF_ONLY,
    )


# --- the summary ---------------------------------------------------------------


@login_required
@require_safe
def summary_page(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = _staff_proposal(request, slug)
    # A run whose worker died would keep the button disabled for ever.
    summary_services.expire_stale(proposal)
    runs = list(SummaryRun.objects.filter(proposal=proposal).defer("result")[:1])
    run = runs[0] if runs else None
    done = latest_run(proposal)
    report = ResponseReport.objects.filter(proposal=proposal).only("state", "pk").first()
    # Its headings, prompts and choices in the reader's language where written.
    result = (
        languages.summary_in(done.result, languages.summary_labels(proposal), reader_language())
        if done
        else None
    )
    return render(
        request,
        "reports/summary.html",
        {
            "proposal": proposal,
            "run": run,
            "done": done,
            "result": result,
            "snapshot": {"summary": result, "entries": []} if done else None,
            "stage_labels": {code: str(label) for code, label in STAGE_LABELS.items()},
            "can_run": rules.can_run_summary(request.user, proposal),
            "can_adopt": rules.can_adopt_themes(request.user, proposal),
            "report": report,
            "evidence_url": reverse("reports:summary-evidence", args=[proposal.slug]),
        },
    )


@login_required
@require_POST
def summary_start(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = _staff_proposal(request, slug, run=True)
    try:
        summary_services.summary_start(actor=request.user, proposal=proposal)
    except ValidationError as error:
        refuse(request, error)
    return redirect(reverse("reports:summary", args=[proposal.slug]) + "#progress")


def _evidence_page(request: HttpRequest, proposal: Proposal, result: dict, *, until, public: bool):
    key = request.GET.get("key", "")
    found = evidence.resolve(result, key)
    if found is None:
        raise Http404
    title, ids = found
    numbering = Paginator(range(evidence.count(ids)), EVIDENCE_PAGE).get_page(
        request.GET.get("page")
    )
    comments, still = evidence.page_of(
        proposal=proposal, ids=ids, until=until, page=numbering.number, size=EVIDENCE_PAGE
    )
    page = Paginator(range(still), EVIDENCE_PAGE).get_page(numbering.number)
    page.object_list = comments
    return {
        "proposal": proposal,
        "key": key,
        "title": title,
        "count": evidence.count(ids),
        "shown": still,
        "page": page,
        "public": public,
    }


@login_required
@require_safe
def summary_evidence(request: HttpRequest, slug: str, run_id: int | None = None) -> HttpResponse:
    """The comments behind a figure of the latest summary, or of the run a
    report draft was made from (its preview links here with the run's id)."""
    proposal = _staff_proposal(request, slug)
    runs = SummaryRun.objects.filter(proposal=proposal, state=RunState.DONE)
    run = runs.filter(pk=run_id).first() if run_id else runs.first()
    if run is None:
        raise Http404
    result = languages.summary_in(run.result, languages.summary_labels(proposal), reader_language())
    context = _evidence_page(request, proposal, result, until=run.finished_at, public=False)
    context["back"] = reverse("reports:summary", args=[proposal.slug])
    return render(request, "reports/evidence.html", context)


@login_required
@require_POST
def theme_adopt(request: HttpRequest, slug: str) -> HttpResponse:
    """A moderator adopts a suggested theme as a tag on the comments behind it."""
    proposal = _staff_proposal(request, slug)
    back = reverse("reports:summary", args=[proposal.slug]) + "#suggested-themes"
    try:
        name, done, refused = summary_services.theme_adopt(
            actor=request.user,
            proposal=proposal,
            run_id=evidence.plain_number(request.POST.get("run", "")),
            index=evidence.plain_number(request.POST.get("suggestion", "")),
            name=request.POST.get("name", ""),
        )
    except ValidationError as error:
        refuse(request, error)
        return redirect(back)
    messages.success(
        request,
        _(
            "Theme “%(name)s” added to %(done)d comments; %(refused)d could not take it "
            "(already tagged, at their limit of themes, or no longer public)."
        )
        % {"name": name, "done": done, "refused": refused},
    )
    return redirect(back)


# --- drafting, preview and publication ------------------------------------------------


@login_required
@require_POST
def report_draft(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = _staff_proposal(request, slug, run=True)
    try:
        draft(actor=request.user, proposal=proposal)
    except ValidationError as error:
        refuse(request, error)
        return redirect("reports:summary", proposal.slug)
    messages.success(request, _("The report draft now uses the latest summary."))
    return redirect("reports:report-edit", proposal.slug)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_edit(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = _staff_proposal(request, slug, run=True)
    report = get_object_or_404(
        ResponseReport.objects.select_related("summary_run"), proposal=proposal
    )
    if report.is_published:
        messages.info(request, str(ALREADY_PUBLISHED))
        return redirect("reports:public", proposal.slug)
    errors: dict = {}
    typed = None
    others = _other_languages(proposal)
    typed_in: dict = {}
    if request.method == "POST":
        form = ReportForm(
            request.POST,
            entry_ids=[entry.pk for entry in report.entries.all()],
            languages=[code for code, _name in others],
        )
        form.is_valid()  # every field is optional: the service says what is wrong
        typed, typed_in = form.entries(), form.texts_in()
        try:
            report_save(
                actor=request.user,
                report=report,
                revision=form.cleaned_data["revision"],
                intro=form.cleaned_data["intro"],
                entries=typed,
                texts_in=typed_in,
            )
        except ValidationError as error:
            errors = refusal_by_field(error)
        else:
            messages.success(request, _("Draft saved."))
            if request.POST.get("then") == "preview":
                return redirect("reports:report-preview", proposal.slug)
            return redirect("reports:report-edit", proposal.slug)
        report.refresh_from_db()
    return render(
        request,
        "reports/report_edit.html",
        {
            **_edit_context(
                request, proposal, report, typed=typed, errors=errors, typed_in=typed_in
            ),
            "intros_in": _intros_in(report, others, typed_in, errors),
        },
        status=400 if errors else 200,
    )


def _other_languages(proposal: Proposal) -> list[tuple[str, str]]:
    """The languages other than the consultation's, with their names."""
    return [(code, name) for code, name in settings.LANGUAGES if code != proposal.language]


def _intros_in(report: ResponseReport, others, typed_in: dict, errors: dict) -> list[dict]:
    return [
        {
            "code": code,
            "name": name,
            "text": typed_in[code]["intro"]
            if code in typed_in
            else translated(report, "intro", code),
            "errors": errors.get(f"intro-{code}", []),
        }
        for code, name in others
    ]


def _entry_texts_in(entry, others, typed_in: dict, errors: dict) -> list[dict]:
    """An entry's title, "you said" and "we did" in each other language: as
    saved, or as typed when saving was refused."""
    rows = []
    for code, name in others:
        typed = typed_in.get(code, {}).get("entries", {}).get(entry.pk)
        row = {"code": code, "name": name}
        for field in ("title", "you_said", "we_did"):
            row[field] = typed[field] if typed else translated(entry, field, code)
            row[f"{field}_errors"] = errors.get(f"entry-{entry.pk}-{field}-{code}", [])
        rows.append(row)
    return rows


def _edit_context(
    request, proposal: Proposal, report: ResponseReport, *, typed, errors, typed_in=None
) -> dict:
    """The draft's words as saved, or as typed when saving them was refused."""
    report.proposal = proposal
    entries = list(report.entries.select_related("version").order_by("order", "pk"))
    others = _other_languages(proposal)
    for entry in entries:
        entry.texts_in = _entry_texts_in(entry, others, typed_in or {}, errors)
        prefix = f"entry-{entry.pk}"
        if typed and entry.pk in typed:
            entry.you_said = typed[entry.pk]["you_said"]
            entry.we_did = typed[entry.pk]["we_did"]
            entry.status = typed[entry.pk]["status"]
        entry.errors = {
            field: errors.get(f"{prefix}-{field}", [])
            for field in ("you_said", "we_did", "status", "version")
        }
    return {
        "proposal": proposal,
        "report": report,
        "entries": entries,
        "intro": request.POST.get("intro", report.intro) if typed else report.intro,
        "errors": errors,
        "form_errors": errors.get("__all__", []) + errors.get("intro", []),
        "statuses": ResponseStatus.choices,
        "versions": list(proposal.versions.order_by("number").values_list("number", flat=True)),
        "can_publish": proposal.effective_status() == "closed",
    }


@login_required
@require_safe
def report_preview(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = _staff_proposal(request, slug, run=True)
    report = get_object_or_404(
        ResponseReport.objects.select_related("summary_run", "proposal__department"),
        proposal=proposal,
    )
    if report.is_published:
        return redirect("reports:public", proposal.slug)
    snapshot = languages.snapshot_in(snapshot_build(report))
    return render(
        request,
        "reports/report_public.html",
        {
            "proposal": proposal,
            "snapshot": snapshot,
            "preview": True,
            "downloads": None,
            "evidence_url": reverse(
                "reports:summary-run-evidence", args=[proposal.slug, report.summary_run_id]
            ),
        },
    )


@login_required
@require_POST
def report_publish(request: HttpRequest, slug: str) -> HttpResponse:
    proposal = _staff_proposal(request, slug, run=True)
    report = get_object_or_404(ResponseReport, proposal=proposal)
    try:
        publish(actor=request.user, report=report)
    except ValidationError as error:
        refuse(request, error)
        if report.state == ReportState.PUBLISHED:
            return redirect("reports:public", proposal.slug)
        return redirect("reports:report-edit", proposal.slug)
    messages.success(
        request, _("The report is published. Everyone who took part or follows has been told.")
    )
    return redirect("reports:public", proposal.slug)


# --- the published report ---------------------------------------------------------------


def _published(request: HttpRequest, slug: str) -> tuple[Proposal, ResponseReport]:
    proposal = access_proposal(request.user, slug=slug)
    report = ResponseReport.objects.filter(proposal=proposal, state=ReportState.PUBLISHED).first()
    if report is None:
        raise Http404
    return proposal, report


@require_safe
def report_public(request: HttpRequest, slug: str) -> HttpResponse:
    proposal, report = _published(request, slug)
    return render(
        request,
        "reports/report_public.html",
        {
            "proposal": proposal,
            "snapshot": languages.snapshot_in(snapshot_shown(report)),
            "preview": False,
            "downloads": downloads(proposal),
            "evidence_url": reverse("reports:evidence", args=[proposal.slug]),
        },
    )


@require_safe
def report_evidence(request: HttpRequest, slug: str) -> HttpResponse:
    proposal, report = _published(request, slug)
    context = _evidence_page(
        request,
        proposal,
        languages.snapshot_in(report.snapshot)["summary"],
        until=parse_datetime(report.snapshot.get("summary_generated_at") or ""),
        public=True,
    )
    context["back"] = reverse("reports:public", args=[proposal.slug])
    return render(request, "reports/evidence.html", context)


def _pdf_path(report: ResponseReport, snapshot: dict) -> Path:
    # One file per language: the PDF's headings and its tagged language differ.
    digest = hashlib.sha256(canonical(snapshot)).hexdigest()
    name = f"{report.pk}-{exports.language_tag()}-{digest}.pdf"
    return Path(settings.MEDIA_ROOT) / "reports" / name


@require_safe
def report_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    proposal, report = _published(request, slug)
    if fmt not in FORMATS:
        raise Http404
    snapshot = snapshot_shown(report)
    name = f"{proposal.slug}-report"
    if fmt == "json":
        # Every language's texts, as frozen.
        body, content_type = exports.report_json(snapshot), "application/json"
    elif fmt == "csv":
        # The CSV and the PDF are in the reader's language.
        snapshot = languages.snapshot_in(snapshot)
        body, content_type = exports.report_csv(snapshot), "text/csv; charset=utf-8"
    else:
        snapshot = languages.snapshot_in(snapshot)
        path = _pdf_path(report, snapshot)
        if not path.exists():
            try:
                pdf = exports.report_pdf(
                    snapshot,
                    base_url=request.build_absolute_uri("/"),
                    evidence_url=request.build_absolute_uri(
                        reverse("reports:evidence", args=[proposal.slug])
                    ),
                )
            except exports.PdfUnavailable:
                return render(
                    request, "reports/pdf_unavailable.html", {"proposal": proposal}, status=503
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{hashlib.sha256(pdf).hexdigest()[:8]}.part")
            partial.write_bytes(pdf)
            partial.replace(path)
        response = FileResponse(path.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{_ascii(name)}.pdf"'
        return response
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_ascii(name)}.{fmt}"'
    return response


@require_safe
def report_form_responses(request: HttpRequest, slug: str) -> HttpResponse:
    """The responses to the form that their authors let be published, as a
    CSV, read afresh: a moderator's later decisions apply."""
    proposal, _report = _published(request, slug)
    questions = published_form_questions(proposal)
    if not questions:
        raise Http404
    body = responses_csv(questions, published_form_responses(proposal))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = _ascii(f"{proposal.slug}-responses")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _ascii(name: str) -> str:
    cleaned = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "-_"))
    return cleaned or "report"
