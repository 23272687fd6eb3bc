"""Who may take part in a discussion, checked against fresh data on every action."""

from django.contrib.auth.models import AnonymousUser

from consult.accounts import roles
from consult.accounts import rules as account_rules
from consult.accounts.models import User
from proposals import rules as proposal_rules
from proposals.models import Proposal, Status

RESPONDABLE = {Status.OPEN, Status.CLOSED}


def can_comment(user: User | AnonymousUser, proposal: Proposal) -> bool:
    return (
        account_rules.is_citizen(user)
        and not proposal.archived
        and proposal.effective_status() == Status.OPEN
    )


def can_vote(user: User | AnonymousUser, proposal: Proposal) -> bool:
    return can_comment(user, proposal)


def can_moderate(user: User | AnonymousUser, proposal: Proposal) -> bool:
    """Moderators of the consultation's department or of one above it; not
    officials, and not while suspended or banned. A draft is not theirs to see
    (proposals.rules.can_see_draft), so not theirs to moderate either."""
    return roles.is_moderator_for(user, proposal.department) and proposal_rules.can_view(
        user, proposal
    )


def can_respond(user: User | AnonymousUser, proposal: Proposal) -> bool:
    """Officials of the consultation's department or above, while it is open or
    closed; an archive imported from elsewhere is not answered here."""
    return (
        not proposal.archived
        and proposal.effective_status() in RESPONDABLE
        and roles.is_official_for(user, proposal.department)
    )
