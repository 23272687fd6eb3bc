"""Consultations in every state around the department tree, for the feeds."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from consult.reports.models import ReportState, ResponseReport, RunState, SummaryRun
from proposals.models import Proposal, Status

DAY = timedelta(days=1)


def window(state: str) -> dict:
    """Opening and closing times and stored status for each state. Times are
    whole seconds: iCalendar has no smaller unit."""
    now = timezone.now().replace(microsecond=0)
    return {
        "open": {"opens_at": now - DAY, "closes_at": now + 10 * DAY, "status": Status.OPEN},
        "scheduled": {
            "opens_at": now + 3 * DAY,
            "closes_at": now + 40 * DAY,
            "status": Status.SCHEDULED,
        },
        # Stored as open, but its closing time has passed: closed as of now.
        "lapsed": {"opens_at": now - 40 * DAY, "closes_at": now - DAY, "status": Status.OPEN},
        "closed": {"opens_at": now - 40 * DAY, "closes_at": now - 3 * DAY, "status": Status.CLOSED},
        "withdrawn": {
            "opens_at": now - DAY,
            "closes_at": now + 9 * DAY,
            "status": Status.WITHDRAWN,
        },
        "draft": {"opens_at": now - DAY, "closes_at": now + 8 * DAY, "status": Status.DRAFT},
        "reported": {
            "opens_at": now - 90 * DAY,
            "closes_at": now - 60 * DAY,
            "status": Status.REPORT_PUBLISHED,
        },
    }[state]


def publish_report(proposal: Proposal, *, days_ago: int = 1) -> ResponseReport:
    run = SummaryRun.objects.create(proposal=proposal, state=RunState.DONE, result={})
    return ResponseReport.objects.create(
        proposal=proposal,
        summary_run=run,
        state=ReportState.PUBLISHED,
        published_at=timezone.now() - days_ago * DAY,
        snapshot={"summary": {}, "entries": []},
    )


@pytest.fixture
def consultation(make_proposal):
    """A consultation in `state`, with topics."""

    def make(title: str, state: str = "open", *, tags=(), **fields) -> Proposal:
        proposal = make_proposal(title, **window(state), **fields)
        if tags:
            proposal.tags.add(*tags)
        return proposal

    return make


@dataclass
class Site:
    deposits: Proposal  # open, ministry, nation, housing
    streets: Proposal  # open, city office, city, transport
    buses: Proposal  # open, district office (below the city office), city, transport
    tram: Proposal  # scheduled, city office, city, transport
    levy: Proposal  # closed by its date, though stored as open
    empty_homes: Proposal  # closed
    parks: Proposal  # withdrawn, transport
    secret: Proposal  # draft, transport
    cycles: Proposal  # report published, transport, city office
    libraries: Proposal  # report published earlier, ministry


@pytest.fixture
def site(tree, consultation) -> Site:
    city = {"department": tree.city_office, "jurisdiction": tree.city}
    built = Site(
        deposits=consultation("Rental deposit reform", tags=["housing"]),
        streets=consultation("Safer streets near schools", tags=["transport"], **city),
        buses=consultation(
            "Bus network",
            tags=["transport", "buses"],
            department=tree.district_office,
            jurisdiction=tree.city,
        ),
        tram=consultation("Tram extension", "scheduled", tags=["transport"], **city),
        levy=consultation("Parking levy", "lapsed", tags=["transport"], **city),
        empty_homes=consultation("Empty homes levy", "closed"),
        parks=consultation("Park hours", "withdrawn", tags=["transport"], **city),
        secret=consultation("Secret ring road", "draft", tags=["transport", "ring-road"], **city),
        cycles=consultation("Cycle parking", "reported", tags=["transport"], **city),
        libraries=consultation("Library hours", "reported"),
    )
    publish_report(built.cycles, days_ago=1)
    publish_report(built.libraries, days_ago=5)
    return built
