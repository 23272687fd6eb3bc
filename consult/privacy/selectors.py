"""Reads for the privacy pages: a person's archives, and the figures that the
privacy page states (taken from the settings, so the page never drifts from
what the site does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from consult.accounts.models import User
from consult.infra import ratelimit
from consult.privacy.models import DataExport
from consult.privacy.services import archives

# The person's recent requests shown on their page.
EXPORTS_SHOWN = 5


@dataclass
class ExportRow:
    export: DataExport
    download_url: str
    expired: bool


def exports_of(*, user: User) -> list[ExportRow]:
    now = timezone.now()
    rows = []
    for export in DataExport.objects.filter(user=user).order_by("-created_at", "-pk")[
        :EXPORTS_SHOWN
    ]:
        downloadable = export.is_downloadable(now)
        rows.append(
            ExportRow(
                export=export,
                download_url=archives.export_url(export) if downloadable else "",
                expired=export.is_expired(now),
            )
        )
    return rows


def duration_text(seconds: int) -> str:
    """A length of time in the largest whole unit that fits it exactly, in words."""
    for unit, plural in (
        (86400, lambda n: ngettext("%(n)d day", "%(n)d days", n)),
        (3600, lambda n: ngettext("%(n)d hour", "%(n)d hours", n)),
        (60, lambda n: ngettext("%(n)d minute", "%(n)d minutes", n)),
    ):
        if seconds >= unit and seconds % unit == 0:
            n = seconds // unit
            return plural(n) % {"n": n}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}


def _windows(rates) -> list[int]:
    found = []
    for rate in rates or []:
        try:
            found.append(ratelimit.Rate.parse(rate).seconds)
        except (TypeError, ValueError):
            continue
    return found


def address_window_seconds() -> int:
    """The longest time for which any limit counts requests from one network
    address: its keyed hash is kept in Redis that long, then expires."""
    windows = []
    for action in ratelimit.DEFAULT_RATES:
        counted = ratelimit.rates(action)
        windows += _windows(counted.get("ip")) + _windows(counted.get("anonymous"))
    return max(windows, default=60)


@dataclass(frozen=True)
class Facts:
    session_idle: str
    session_max: str
    address_window: str
    export_days: int
    exports_per_day: int
    export_record_days: int


def privacy_facts() -> Facts:
    return Facts(
        session_idle=duration_text(settings.CONSULT_SESSION_IDLE_TIMEOUT),
        session_max=duration_text(settings.CONSULT_SESSION_MAX_AGE),
        address_window=duration_text(address_window_seconds()),
        export_days=archives.EXPORT_LIFETIME // timedelta(days=1),
        exports_per_day=archives.EXPORTS_PER_DAY,
        export_record_days=archives.RECORD_KEPT // timedelta(days=1),
    )
