"""Consultations imported from another platform: closed and read-only, made
by an operator's import (consult.opendata.polis)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consult.accounts.audit import audit_record
from consult.accounts.models import Department
from consult.infra.text import render_markdown
from proposals.models import (
    HEADING_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    Proposal,
    ProposalVersion,
    Section,
    SectionVersion,
    Status,
)
from proposals.services import common


@transaction.atomic
def proposal_archive_create(
    *,
    department: Department,
    title: str,
    summary: str,
    origin: str,
    opens_at: datetime,
    closes_at: datetime,
    section_heading: str = "",
    section_body: str = "",
) -> Proposal:
    """A closed, read-only consultation holding what happened on another platform.

    Made by an operator's import (no acting user): one published version with
    one section when a heading is given, none otherwise.
    """
    title = common.TITLE.clean(title)
    summary = (summary or "").strip()[:SUMMARY_MAX_LENGTH] or title
    if closes_at <= opens_at:
        closes_at = opens_at + timedelta(seconds=1)
    proposal = Proposal(
        department=department,
        jurisdiction=department.jurisdiction,
        title=title,
        summary=summary,
        slug=common.unique_slug(title),
        status=Status.CLOSED,
        opens_at=opens_at,
        closes_at=closes_at,
        archived=True,
        origin=origin,
    )
    common.save_with_unique_slug(proposal)
    version = ProposalVersion.objects.create(
        proposal=proposal, number=1, change_note=_("Imported."), published_at=closes_at
    )
    sections = []
    if section_heading:
        sections.append(_archive_section(version, section_heading, section_body))
    common.current_version_set(proposal, version, sections)
    audit_record(
        actor=None,
        action="proposal.imported",
        target=proposal,
        department=department,
        scope=f"proposal:{proposal.pk}",
        after={"title": title, "origin": origin},
    )
    return proposal


def _archive_section(version: ProposalVersion, heading: str, body: str) -> Section:
    """The archive's one section, published in its one version."""
    heading, body = heading.strip()[:HEADING_MAX_LENGTH], body.strip()[:SECTION_MAX_LENGTH]
    section = Section.objects.create(proposal=version.proposal, order=0, heading=heading, body=body)
    SectionVersion.objects.create(
        version=version,
        section=section,
        order=0,
        heading=heading,
        body=body,
        body_html=render_markdown(body),
    )
    return section
