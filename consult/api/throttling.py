"""Rate limits for the API: per token, and per address whoever asks.

Counted in Redis by consult.infra.ratelimit like every other limit; a refusal is a
429 with Retry-After. Rates are "api" in consult.infra.ratelimit's table
(CONSULT_API_RATES replaces them)."""

from __future__ import annotations

from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from consult.api.models import AccessToken
from consult.infra.ratelimit import Rate, RateLimited, address, hit, rates
from consult.infra.refusals import refusal_text


def count_failure(request) -> None:
    """A request with a token that is not valid counts against its address
    (authentication comes before the throttle, so it is counted here)."""
    ip = request.META.get("REMOTE_ADDR") or "unknown"
    limits = [(address(ip), Rate.parse(rate)) for rate in rates("api").get("anonymous", [])]
    try:
        hit("api", limits)
    except RateLimited as error:
        raise Throttled(wait=error.retry_after, detail=refusal_text(error)) from None


class ApiRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        configured = rates("api")
        ip = request.META.get("REMOTE_ADDR") or "unknown"
        token = request.auth if isinstance(request.auth, AccessToken) else None
        if token is not None:
            per_token = [Rate.parse(rate) for rate in configured.get("token", [])]
            limits = [(f"t{token.pk}", rate) for rate in per_token]
            limits += [(f"u{token.user_id}", rate) for rate in per_token]
        else:
            limits = [(address(ip), Rate.parse(rate)) for rate in configured.get("anonymous", [])]
        limits += [(address(ip), Rate.parse(rate)) for rate in configured.get("ip", [])]
        try:
            hit("api", limits)
        except RateLimited as error:
            self.refusal = error
            return False
        return True

    def wait(self) -> int:
        return self.refusal.retry_after
