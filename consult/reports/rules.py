"""Who may see and do what with summaries and reports."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from discussion import rules as discussion_rules
from proposals import rules as proposal_rules
from proposals.models import Proposal

NOT_ALLOWED = _("Only officials of this consultation's department can do this.")


def can_run_summary(user: User | AnonymousUser, proposal: Proposal) -> bool:
    """Officials of the department or above: compute, draft and publish."""
    return proposal_rules.can_manage(user, proposal)


def can_view_summary(user: User | AnonymousUser, proposal: Proposal) -> bool:
    """Those officials, and the moderators who curate its themes."""
    return can_run_summary(user, proposal) or discussion_rules.can_moderate(user, proposal)


def can_adopt_themes(user: User | AnonymousUser, proposal: Proposal) -> bool:
    return discussion_rules.can_moderate(user, proposal)
