"""Who may do what to a proposal: role x lifecycle state x ownership."""

from django.contrib.auth.models import AnonymousUser

from consult.accounts import roles
from consult.accounts import rules as account_rules
from consult.accounts.models import Department, User
from consult.identity import selectors as identity_selectors
from proposals.models import Proposal, Status


def can_create_in(user: User | AnonymousUser, department: Department) -> bool:
    return roles.is_official_for(user, department)


def can_manage(user: User | AnonymousUser, proposal: Proposal) -> bool:
    """Officials of the owning department, or of any department above it."""
    return roles.is_official_for(user, proposal.department)


def can_see_draft(user: User | AnonymousUser, proposal: Proposal) -> bool:
    """Who may see a draft (a consultation never yet made public): its title,
    sections, versions and their notes, documents, and every page about it.
    Officials of its department or of one above, and nobody else: not its
    moderators (there is nothing to moderate before it is public) and not
    staff admins as such. Every page, socket and service that shows a
    consultation to someone asks this, through can_view."""
    return can_manage(user, proposal)


def can_view(user: User | AnonymousUser, proposal: Proposal) -> bool:
    return proposal.status != Status.DRAFT or can_see_draft(user, proposal)


def can_take_stance(user: User | AnonymousUser, proposal: Proposal) -> bool:
    return (
        account_rules.is_citizen(user)
        and not proposal.archived
        and proposal.effective_status() == Status.OPEN
    )


def stance_needs_verification(user: User | AnonymousUser, proposal: Proposal) -> bool:
    """The consultation takes stances only from verified residents of its
    jurisdiction (or of a place within it), and the person is not one."""
    return proposal.requires_verification and not identity_selectors.is_verified_resident(
        user, proposal.jurisdiction
    )
