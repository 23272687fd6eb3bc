"""Fixtures of the summary and report tests: a consultation people took part
in, and a report drafted from its summary."""

import pytest

from consult.reports.report.drafting import report_draft
from discussion.comments import services as discussion_services
from discussion.moderation import curation
from discussion.moderation import services as moderation
from discussion.responses import services as responses
from proposals.models import Follow
from proposals.services import stances as proposal_stances
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401
from tests.reports.helpers import run_summary


@pytest.fixture
def crowd(open_proposal, people, make_user, tree):  # noqa: F811 - the fixtures above
    """Eight citizens: six comment (one comment hidden later), all vote and take stances."""
    sections = list(open_proposal.sections.order_by("order"))
    citizens = [make_user(display_name=f"Resident {i}") for i in range(8)]
    citizens[0].home_jurisdiction = tree.city
    citizens[0].save(update_fields=["home_jurisdiction"])
    texts = [
        "Lower the speed limit near the primary school gates.",
        "Cameras will only raise money; fund crossing patrols instead.",
        "学校门口应该设置更多的人行横道。",
        "Buses must keep their timetables during school street hours.",
        "Residents need exemptions for carers and deliveries.",
        "This comment will be removed by a moderator.",
    ]
    comments = [
        discussion_services.comment_create(
            actor=citizens[i],
            proposal=open_proposal,
            body=text,
            section=sections[i % len(sections)] if i != 3 else None,
        )
        for i, text in enumerate(texts)
    ]
    reply = discussion_services.comment_create(
        actor=citizens[6], proposal=open_proposal, body="Agreed, patrols work.", parent=comments[1]
    )
    for voter in citizens[6:]:
        discussion_services.comment_vote(actor=voter, comment=comments[0], value="agree")
        discussion_services.comment_vote(actor=voter, comment=comments[1], value="disagree")
    discussion_services.comment_vote(actor=citizens[1], comment=comments[0], value="agree")
    values = ["support", "oppose", "neutral", "support", "support", "oppose", "support", "oppose"]
    for citizen, value in zip(citizens, values, strict=True):
        proposal_stances.stance_cast(actor=citizen, proposal=open_proposal, value=value)
    proposal_stances.stance_cast(
        actor=citizens[0], proposal=open_proposal, section=sections[0], value="oppose"
    )
    curation.comment_theme_add(actor=people.moderator, comment=comments[0], name="Speed")
    curation.comment_theme_add(actor=people.moderator, comment=comments[4], name="Speed")
    moderation.comment_hide(actor=people.moderator, comment=comments[5], reason="Off topic")
    responses.response_post(
        actor=people.official, comment=comments[0], status="accepted", explanation="We agree."
    )
    Follow.objects.create(proposal=open_proposal, user=make_user(display_name="Follower"))
    return {"citizens": citizens, "comments": comments, "reply": reply, "sections": sections}


@pytest.fixture
def drafted(open_proposal, people, crowd, django_capture_on_commit_callbacks):  # noqa: F811
    run_summary(open_proposal, people.official, django_capture_on_commit_callbacks)
    return report_draft(actor=people.official, proposal=open_proposal)
