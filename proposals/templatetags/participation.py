"""Participation at a glance, in words: how many people took part, how many
comments readers can see, and how long is left. Read from the counters on the
consultation's own row (proposals.services.participation), so a card costs
no query."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from proposals.models import Proposal, Status

register = template.Library()


def _day_of(moment: datetime) -> date:
    # A window ends at an instant: one closing at midnight closes at the end
    # of the day before, which is that day's "closes today".
    return timezone.localdate(moment - timedelta(microseconds=1))


def _n(count: int) -> str:
    return number_format(count, force_grouping=True)


def time_left(proposal: Proposal, now: datetime | None = None) -> str:
    """ "3 days left", "Closes today", "Opens in 2 days" or "Opens today";
    nothing once closed, or without a date to count to."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    status = proposal.effective_status(now)
    if status == Status.OPEN and proposal.closes_at:
        days = (_day_of(proposal.closes_at) - today).days
        if days <= 0:
            return gettext("Closes today")
        return ngettext("%(count)s day left", "%(count)s days left", days) % {"count": _n(days)}
    if status == Status.SCHEDULED and proposal.opens_at:
        days = (timezone.localdate(proposal.opens_at) - today).days
        if days <= 0:
            return gettext("Opens today")
        return ngettext("Opens in %(count)s day", "Opens in %(count)s days", days) % {
            "count": _n(days)
        }
    return ""


def participation_phrases(
    proposal: Proposal, *, with_time: bool = True, now: datetime | None = None
) -> list[str]:
    """The phrases a card shows. Before a consultation opens nobody can take
    part, so only when it opens; a draft shows nothing."""
    status = proposal.effective_status(now)
    phrases: list[str] = []
    people, comments = proposal.participant_count, proposal.comment_count
    if status == Status.OPEN:
        phrases.append(
            ngettext("%(count)s person taking part", "%(count)s people taking part", people)
            % {"count": _n(people)}
        )
    elif status in (Status.CLOSED, Status.REPORT_PUBLISHED, Status.WITHDRAWN):
        phrases.append(
            ngettext("%(count)s person took part", "%(count)s people took part", people)
            % {"count": _n(people)}
        )
    if status not in (Status.DRAFT, Status.SCHEDULED):
        phrases.append(
            ngettext("%(count)s comment", "%(count)s comments", comments) % {"count": _n(comments)}
        )
    left = time_left(proposal, now) if with_time else ""
    if left:
        phrases.append(left)
    return phrases


@register.inclusion_tag("proposals/_participation.html")
def participation(proposal: Proposal, with_time: bool = True) -> dict:
    return {"phrases": participation_phrases(proposal, with_time=with_time)}
