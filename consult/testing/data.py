"""Data builders shared by the tests and the benchmarks (never by the app)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone


def open_consultation(
    *, official, department, jurisdiction, title: str, sections=(("Text", "Body"),)
):
    """A consultation built through the officials' services and opened now."""
    from proposals.services import drafts, lifecycle, versions

    proposal = drafts.proposal_create(
        actor=official,
        department=department,
        jurisdiction=jurisdiction,
        title=title,
        summary=f"About {title}",
    )
    for heading, body in sections:
        drafts.section_add(actor=official, proposal=proposal, heading=heading, body=body)
    versions.version_publish(actor=official, proposal=proposal, change_note="v1")
    now = timezone.now()
    lifecycle.proposal_schedule(
        actor=official,
        proposal=proposal,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
    )
    proposal.refresh_from_db()
    return proposal


def bulk_comments(*, proposal, section, author, count: int, question=None) -> None:
    """`count` comments in bulk: a fifth of them thread roots, the rest replies
    spread over those roots (bypassing the services, for size only). With no
    section they are on the whole proposal, or on `question`."""
    from discussion.models import Comment

    roots = Comment.objects.bulk_create(
        Comment(
            proposal=proposal,
            section=section,
            question=question,
            author=author,
            body=f"root {i}",
            body_html=f"<p>root {i}</p>",
        )
        for i in range(count // 5)
    )
    Comment.objects.filter(pk__in=[r.pk for r in roots]).update(root_id=F("pk"))
    Comment.objects.bulk_create(
        Comment(
            proposal=proposal,
            section=section,
            question=question,
            author=author,
            parent=roots[i % len(roots)],
            root_id=roots[i % len(roots)].pk,
            depth=1,
            body=f"reply {i}",
            body_html=f"<p>reply {i}</p>",
        )
        for i in range(count - count // 5)
    )
