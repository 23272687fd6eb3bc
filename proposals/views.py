from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from proposals import selectors
from proposals.models import Proposal

PAGE_SIZE = 20


@require_safe
def proposal_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.proposal_list_public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/list.html", {"page": page})


@require_safe
def proposal_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        proposal = selectors.proposal_get_public(slug=slug)
    except Proposal.DoesNotExist:
        raise Http404 from None
    return render(request, "proposals/detail.html", {"proposal": proposal})
