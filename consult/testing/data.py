"""Data builders shared by the tests and the benchmarks (never by the app)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone


def open_consultation(
    *,
    official,
    department,
    jurisdiction,
    title: str,
    sections=(("Text", "Body"),),
    form: bool = False,
):
    """A consultation built through the officials' services and opened now;
    with ``form``, with the response form of `every_kind_of_question`."""
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
    if form:
        every_kind_of_question(official=official, proposal=proposal)
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
    # Past the services that keep the consultation's counts: counted from the rows.
    from proposals.services.participation import counters_recount

    counters_recount([proposal.pk])


def every_kind_of_question(*, official, proposal) -> dict:
    """A response form with one question of every kind and a condition
    ("If not, why not?" shown when the first answer is No), built through
    the officials' service. Returns the questions by name."""
    from proposals.questionnaire.services import QuestionInput, question_add

    def add(name, **fields):
        return name, question_add(actor=official, proposal=proposal, data=QuestionInput(**fields))

    made = dict(
        [
            add(
                "agree_limit",
                kind="single",
                prompt="Do you agree with the proposed 20 km/h limit?",
                choices=["Yes", "No", "Don't know"],
                required=True,
            )
        ]
    )
    no_key = made["agree_limit"].choices[1][0]
    made.update(
        [
            add(
                "why_not",
                kind="text",
                prompt="If not, why not?",
                text_limit=500,
                shown_if_id=made["agree_limit"].pk,
                shown_if_choices=[no_key],
            ),
            add(
                "travel",
                kind="multiple",
                prompt="How do you travel near schools?",
                choices=["On foot", "By bike", "By car", "By bus"],
            ),
            add("safety", kind="scale", prompt="Streets near schools are safe today."),
            add(
                "priorities",
                kind="ranking",
                prompt="Rank these measures.",
                choices=["Speed limit", "Crossings", "Cameras"],
            ),
            add(
                "children",
                kind="number",
                prompt="How many children in your household walk to school?",
                min_value="0",
                max_value="20",
            ),
            add("comments", kind="text", prompt="Anything else?", help_text="Optional."),
        ]
    )
    return made
