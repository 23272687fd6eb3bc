"""Officials' own screens: create and edit drafts, sections, versions, the
window and attachments. Plain forms, usable without JavaScript; each POST
calls one service, and a refusal re-renders the page with the message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from consult.accounts.models import Role
from consult.accounts.roles import department_ids_for_role
from consult.infra.refusals import refusal_messages, refuse, refuse_on_form
from consult.infra.translations import languages, reader_language, translated
from proposals import rules, selectors
from proposals.access import access_proposal
from proposals.forms import (
    AttachmentForm,
    AttachmentTranslationForm,
    ExtendForm,
    ProposalForm,
    ReasonForm,
    ScheduleForm,
    SectionForm,
    TranslatedFields,
    VersionForm,
    language_name,
)
from proposals.models import Attachment, Proposal, Section, Status
from proposals.questionnaire.selectors import form_overview
from proposals.services import attachments, drafts, lifecycle, versions
from proposals.services.common import other_languages, translation_key

# Where each form lives on the manage page, for the "please correct" link.
FORM_ANCHORS = {
    "details": "details",
    "section": "sections",
    "version": "publish",
    "schedule": "window",
    "close": "window",
    "extend": "window",
    "withdraw": "window",
    "attachment": "attachments",
    "attachment_translation": "attachments",
}


def _managed(request: HttpRequest, pk: int) -> Proposal:
    # Not found and not allowed look the same: a draft's existence is not public.
    return access_proposal(
        request.user, pk=pk, queryset=selectors.proposals_for_managing(), see=rules.can_manage
    )


def _managed_section(request: HttpRequest, pk: int, section_id: int) -> tuple[Proposal, Section]:
    """A section of the working text of a consultation the person manages."""
    proposal = _managed(request, pk)
    section = proposal.sections.filter(pk=section_id, is_removed=False).first()
    if section is None:
        raise Http404
    return proposal, section


def _managed_attachment(
    request: HttpRequest, pk: int, attachment_id: int
) -> tuple[Proposal, Attachment]:
    """A document of a consultation the person manages."""
    proposal = _managed(request, pk)
    attachment = proposal.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return proposal, attachment


def _language_fixed(proposal: Proposal) -> bool:
    """Whether the draft's language is settled: it was published (see
    drafts.LANGUAGE_FIXED, which the service enforces)."""
    return proposal.status != Status.DRAFT or proposal.current_version_id is not None


def _details_form(proposal: Proposal, data=None) -> ProposalForm:
    return ProposalForm(
        data,
        initial=_details_initial(proposal),
        language=proposal.language,
        language_fixed=_language_fixed(proposal),
    )


def translations_of(data: dict, names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The other languages' texts among a form's cleaned data, for a service."""
    return {
        code: {name: data[translation_key(name, code)] or "" for name in names}
        for code in languages()
        if translation_key(names[0], code) in data
    }


def _details_initial(proposal: Proposal) -> dict:
    questions = list(proposal.questions.all())
    initial = {
        "language": proposal.language,
        "jurisdiction": proposal.jurisdiction_id,
        "title": proposal.title,
        "summary": proposal.summary,
        "responsible_office": proposal.responsible_office,
        "contact_email": proposal.contact_email,
        "contact_details": proposal.contact_details,
        "tags": ", ".join(t.name for t in proposal.tags.all()),
        "questions": "\n".join(q.prompt for q in questions),
        "requires_verification": proposal.requires_verification,
    }
    for code in other_languages(proposal.language):
        initial[translation_key("title", code)] = translated(proposal, "title", code)
        initial[translation_key("summary", code)] = translated(proposal, "summary", code)
        initial[translation_key("questions", code)] = "\n".join(
            translated(q, "prompt", code) for q in questions
        ).rstrip("\n")
    return initial


def _render_manage(
    request: HttpRequest, proposal: Proposal, status: int = 200, previews=None, **bound
) -> HttpResponse:
    language = proposal.language
    forms = {
        "details": _details_form(proposal),
        "section": SectionForm(language=language),
        "version": VersionForm(language=language),
        "schedule": ScheduleForm(
            initial={"opens_at": proposal.opens_at, "closes_at": proposal.closes_at}
        ),
        "close": ReasonForm(prefix="close"),
        "extend": ExtendForm(prefix="extend"),
        "withdraw": ReasonForm(prefix="withdraw"),
        "attachment": AttachmentForm(prefix="attachment", language=language),
    }
    forms.update(bound)
    failed = next((name for name, form in bound.items() if form.errors), None)
    context = {
        "failed_anchor": FORM_ANCHORS.get(failed, ""),
        "proposal": proposal,
        "status": proposal.effective_status(),
        "sections": list(proposal.sections.filter(is_removed=False).order_by("order", "pk")),
        "versions": list(proposal.versions.order_by("-number")),
        "attachments": _attachments_with_forms(proposal, bound.get("attachment_translation")),
        "response_form": form_overview(proposal),
        "forms": forms,
        "Status": Status,
        "previews": previews,
    }
    return render(request, "proposals/manage/proposal.html", context, status=status)


def _attachments_with_forms(proposal: Proposal, failed=None) -> list:
    """Each document with its form for the other languages' title and text
    alternative (the one that was refused, bound, in its place)."""
    return [
        (a, failed if failed is not None and failed.attachment_id == a.pk else _translation_form(a))
        for a in proposal.attachments.all()
    ]


def _translation_form(attachment: Attachment, data=None) -> AttachmentTranslationForm:
    form = AttachmentTranslationForm(data, attachment=attachment, prefix=f"a{attachment.pk}")
    form.attachment_id = attachment.pk
    return form


def _run(
    request: HttpRequest, proposal: Proposal, form_name: str, form, action, success: str
) -> HttpResponse:
    """Validate the form, call the service, and answer with a redirect or the page again."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            refuse_on_form(form, error)
        except PermissionDenied as error:
            refuse(request, error)
            return redirect("manage:proposal", pk=proposal.pk)
        else:
            messages.success(request, success)
            return redirect("manage:proposal", pk=proposal.pk)
    return _render_manage(request, proposal, status=400, **{form_name: form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proposal_new(request: HttpRequest) -> HttpResponse:
    departments = department_ids_for_role(user=request.user, role=Role.OFFICIAL).order_by("path")
    if not departments.exists():
        raise PermissionDenied(_("Only officials can create consultations."))
    form = ProposalForm(
        request.POST or None, departments=departments, initial={"language": reader_language()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = drafts.proposal_create(actor=request.user, **form.service_data())
        except ValidationError as error:
            refuse_on_form(form, error)
        else:
            messages.success(
                request, _("Draft created. Add its sections, then publish a first version.")
            )
            return redirect("manage:proposal", pk=proposal.pk)
    return render(
        request, "proposals/manage/new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proposal_manage(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _managed(request, pk)
    if request.method != "POST":
        return _render_manage(request, proposal)
    form = _details_form(proposal, request.POST)
    return _run(
        request,
        proposal,
        "details",
        form,
        lambda data: drafts.proposal_update(
            actor=request.user, proposal=proposal, **form.service_data()
        ),
        _("Details saved."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def section_edit(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    proposal, section = _managed_section(request, pk, section_id)
    initial = {"heading": section.heading, "body": section.body, "revision": section.revision}
    form = SectionForm(request.POST or None, initial=initial, language=proposal.language)
    form.initial.update(form.translation_initial(section))
    conflict = previews = None
    if request.method == "POST" and "preview" in request.POST:
        # Shown as it would be published; nothing is saved.
        if form.is_valid():
            previews = _section_previews(form)
    elif request.method == "POST" and form.is_valid():
        try:
            drafts.section_update(actor=request.user, section=section, **form.service_data())
        except ValidationError as error:
            if getattr(error, "code", None) == "conflict":
                section.refresh_from_db()
                conflict = section
                # Saving again from here knowingly replaces their version.
                form.data = form.data.copy()
                form.data["revision"] = section.revision
            refuse_on_form(form, error)
        else:
            messages.success(request, _("Section saved in the working draft."))
            return redirect("manage:proposal", pk=proposal.pk)
    return render(
        request,
        "proposals/manage/section.html",
        {
            "proposal": proposal,
            "section": section,
            "form": form,
            "conflict": conflict,
            "previews": previews,
        },
        status=400 if form.errors else 200,
    )


def _section_previews(form: SectionForm) -> list[dict]:
    """The text in each language it is written in, as publication will show it."""
    return [
        {
            "language": code,
            "name": language_name(code),
            "html": selectors.section_preview(body=body),
        }
        for code, body in form.bodies().items()
    ]


@login_required
@require_POST
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _managed(request, pk)
    form = SectionForm(request.POST, language=proposal.language)
    if "preview" in request.POST:
        # The page again, the form as typed and the text as it would be
        # published; nothing is added.
        previews = _section_previews(form) if form.is_valid() else None
        status = 400 if form.errors else 200
        return _render_manage(request, proposal, status, previews, section=form)
    return _run(
        request,
        proposal,
        "section",
        form,
        lambda data: drafts.section_add(
            actor=request.user,
            proposal=proposal,
            heading=data["heading"],
            body=data["body"],
            translations=translations_of(data, ("heading", "body")),
        ),
        _("Section added to the working draft. Publish a version to make it public."),
    )


@login_required
@require_POST
def section_move(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    proposal, section = _managed_section(request, pk, section_id)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        drafts.section_move(actor=request.user, section=section, direction=direction)
    except ValidationError as error:
        refuse(request, error, one_line=True)
    return redirect(reverse("manage:proposal", args=[proposal.pk]) + f"#section-{section.pk}")


@login_required
@require_POST
def section_remove(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    proposal, section = _managed_section(request, pk, section_id)
    try:
        drafts.section_remove(actor=request.user, section=section)
    except ValidationError as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, _("Section removed from the working draft."))
    return redirect("manage:proposal", pk=proposal.pk)


def _form_action(form_name: str, form_class, call, success, *, prefix=None, files=False):
    """A POST view: one form, one service call, the page again on refusal."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        proposal = _managed(request, pk)
        extra = {"language": proposal.language} if issubclass(form_class, TranslatedFields) else {}
        form = form_class(request.POST, request.FILES if files else None, prefix=prefix, **extra)
        return _run(
            request,
            proposal,
            form_name,
            form,
            lambda data: call(request.user, proposal, data),
            success,
        )

    return view


version_publish = _form_action(
    "version",
    VersionForm,
    lambda actor, proposal, data: versions.version_publish(
        actor=actor,
        proposal=proposal,
        change_note=data["change_note"],
        translations=translations_of(data, ("change_note",)),
    ),
    gettext_lazy("Version published."),
)
schedule = _form_action(
    "schedule",
    ScheduleForm,
    lambda actor, proposal, data: lifecycle.proposal_schedule(
        actor=actor, proposal=proposal, **data
    ),
    gettext_lazy("Consultation window set. It opens and closes on time by itself."),
)
close_early = _form_action(
    "close",
    ReasonForm,
    lambda actor, proposal, data: lifecycle.proposal_close_early(
        actor=actor, proposal=proposal, **data
    ),
    gettext_lazy("The consultation is closed."),
    prefix="close",
)
extend = _form_action(
    "extend",
    ExtendForm,
    lambda actor, proposal, data: lifecycle.proposal_extend(actor=actor, proposal=proposal, **data),
    gettext_lazy("The deadline has been extended."),
    prefix="extend",
)
withdraw = _form_action(
    "withdraw",
    ReasonForm,
    lambda actor, proposal, data: lifecycle.proposal_withdraw(
        actor=actor, proposal=proposal, **data
    ),
    gettext_lazy("The consultation has been withdrawn."),
    prefix="withdraw",
)
attachment_add = _form_action(
    "attachment",
    AttachmentForm,
    lambda actor, proposal, data: attachments.attachment_add(
        actor=actor,
        proposal=proposal,
        upload=data["file"],
        title=data["title"],
        alt_text=data["alt_text"],
        translations=translations_of(data, ("title", "alt_text")),
    ),
    gettext_lazy("Attachment added."),
    prefix="attachment",
    files=True,
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proposal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then the deletion; a draft that may not be deleted
    gets the reason instead of the button."""
    proposal = _managed(request, pk)
    refusal = drafts.proposal_delete_refusal(proposal)
    if request.method == "POST" and refusal is None:
        try:
            drafts.proposal_delete(actor=request.user, proposal=proposal)
        except ValidationError as error:
            refusal = error
        else:
            messages.success(
                request, _("The draft “%(title)s” is deleted.") % {"title": proposal.title}
            )
            return redirect("manage:dashboard")
    return render(
        request,
        "proposals/manage/delete.html",
        {"proposal": proposal, "refusal": refusal_messages(refusal) if refusal else []},
        status=400 if refusal is not None and request.method == "POST" else 200,
    )


@login_required
@require_POST
def attachment_translate(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    proposal, attachment = _managed_attachment(request, pk, attachment_id)
    form = _translation_form(attachment, request.POST)
    if form.is_valid():
        try:
            attachments.attachment_translate(
                actor=request.user, attachment=attachment, translations=form.translations()
            )
        except ValidationError as error:
            refuse_on_form(form, error)
        except PermissionDenied as error:
            refuse(request, error)
            return redirect("manage:proposal", pk=proposal.pk)
        else:
            messages.success(request, _("The document's translation is saved."))
            return redirect(reverse("manage:proposal", args=[proposal.pk]) + "#attachments")
    return _render_manage(request, proposal, status=400, attachment_translation=form)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    proposal, attachment = _managed_attachment(request, pk, attachment_id)
    try:
        attachments.attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as error:
        refuse(request, error, one_line=True)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("manage:proposal", pk=proposal.pk)
