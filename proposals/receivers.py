"""The proposals app's side of the contracts in consult.accounts.signals: a
person's stances and follows, listed in "download my data"; with the
account go the follows, and the stances that stood on its verified identity."""

from __future__ import annotations

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import User
from consult.accounts.signals import PersonalRows, account_erasing, personal_data
from consult.infra import live
from proposals.models import Follow, Proposal, ProposalStance, SectionStance, Status

STANCES = _("Your stances on consultations and their sections.")
FOLLOWS = _("The consultations you follow.")


@receiver(account_erasing, dispatch_uid="proposals.erase")
def proposals_erase(sender, *, user: User, **kwargs) -> None:
    Follow.objects.filter(user=user).delete()
    stances_withdraw_where_residence_counts(user)


def stances_withdraw_where_residence_counts(user: User) -> None:
    """Stances on open consultations limited to verified residents go with
    the account: they stood on an identity that the deletion releases, and
    the same person verified anew must not count twice."""
    still_open = (
        Proposal.objects.with_effective_status()
        .filter(requires_verification=True, live_status=Status.OPEN)
        .values("pk")
    )
    touched: set[int] = set()
    for model in (ProposalStance, SectionStance):
        stances = model.objects.filter(user=user, proposal__in=still_open)
        touched.update(stances.values_list("proposal_id", flat=True))
        stances.delete()
    for proposal_id in sorted(touched):
        live.stance_changed(proposal_id=proposal_id)


def _link(path: str) -> str:
    return settings.CONSULT_SITE_URL.rstrip("/") + path


def stances(user: User) -> list[dict]:
    fields = ("proposal__title", "value", "version__number", "created_at", "updated_at")
    whole = ProposalStance.objects.filter(user=user).order_by("pk").values(*fields)
    parts = (
        SectionStance.objects.filter(user=user).order_by("pk").values(*fields, "section__heading")
    )
    return [
        {
            "consultation": row["proposal__title"],
            "section": row.get("section__heading"),
            "value": row["value"],
            "version": row["version__number"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }
        for row in [*whole, *parts]
    ]


def follows(user: User) -> list[dict]:
    return [
        {
            "consultation": title,
            "link": _link(reverse("proposals:detail", kwargs={"slug": slug})),
            "since": since,
        }
        for title, slug, since in Follow.objects.filter(user=user)
        .order_by("pk")
        .values_list("proposal__title", "proposal__slug", "created_at")
    ]


@receiver(personal_data, dispatch_uid="proposals.personal_data")
def proposals_personal_data(sender, *, user: User, **kwargs) -> dict[str, list[dict]]:
    return {
        "stances": PersonalRows(stances(user), about=STANCES),
        "follows": PersonalRows(follows(user), about=FOLLOWS),
    }
