"""The accounts app's side of the contracts in consult.accounts.signals: a
person's profile and roles, email addresses and second factors, erased with
the account and listed in "download my data". (Sign-in links are single
sign-on's: consult.accounts.sso.)"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from consult.accounts.models import Membership, User
from consult.accounts.signals import PersonalRows, account_erasing, personal_data

PROFILE = _(
    "Your account: email address, display name, when you joined and last signed in, "
    "where you live, your roles and any suspension."
)
EMAIL_ADDRESSES = _("The email addresses of your account and whether each is verified.")
TWO_FACTOR = _("Your two-factor authentication methods: their kind and dates, never their secrets.")


@receiver(account_erasing, dispatch_uid="accounts.erase")
def accounts_erase(sender, *, user: User, **kwargs) -> dict[str, int]:
    """Roles, email addresses (with their pending confirmations) and second
    factors go; the account row itself is anonymised last, by the sender."""
    roles = Membership.objects.filter(user=user).delete()[0]
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    return {"roles_removed": roles}


def profile(user: User) -> list[dict]:
    roles = [
        f"{role} in {department}"
        for role, department in Membership.objects.filter(user=user)
        .order_by("department__path", "role")
        .values_list("role", "department__name")
    ]
    place = user.home_jurisdiction.name if user.home_jurisdiction_id else None
    return [
        {
            "account_number": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "date_joined": user.date_joined,
            "last_sign_in": user.last_login,
            "where_you_live": place,
            "roles": roles,
            "staff_admin": user.is_staff,
            "suspended_until": user.suspended_until,
            "banned_at": user.banned_at,
            "sanction_reason": user.sanction_reason,
        }
    ]


@receiver(personal_data, dispatch_uid="accounts.personal_data")
def accounts_personal_data(sender, *, user: User, **kwargs) -> dict[str, list[dict]]:
    addresses = EmailAddress.objects.filter(user=user).order_by("pk")
    factors = Authenticator.objects.filter(user=user).order_by("pk")
    return {
        "profile": PersonalRows(profile(user), about=PROFILE),
        "email_addresses": PersonalRows(
            addresses.values("email", "verified", "primary"), about=EMAIL_ADDRESSES
        ),
        "two_factor": PersonalRows(
            factors.values("type", "created_at", "last_used_at"), about=TWO_FACTOR
        ),
    }
