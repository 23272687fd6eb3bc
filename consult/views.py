import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from consult.infra import health
from proposals import selectors as proposal_selectors

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "highlights": proposal_selectors.proposal_list_for_home(),
            "closing_soon": proposal_selectors.proposal_list_closing_soon(),
            "most_discussed": proposal_selectors.proposal_list_most_discussed(),
        },
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and Redis both answer; 503 naming what failed.

    The page is public, so it names the failing service and nothing more;
    the detail (hosts, error text) goes to the log.
    """
    problems = {
        "database": health.database_problem(),
        "redis": health.redis_problem(),
    }
    failed = [name for name, problem in problems.items() if problem]
    for name in failed:
        logger.error("health check: %s failed: %s", name, problems[name])
    body = {
        "status": "fail" if failed else "ok",
        "failed": failed,
        "checks": {name: "fail" if problem else "ok" for name, problem in problems.items()},
    }
    return JsonResponse(body, status=503 if failed else 200)
