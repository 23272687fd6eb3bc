"""Migrate a fresh database and give it an open consultation and citizens who
can sign in; prints what the deployment tests need as JSON on its last line.

    DATABASE_URL=postgres://... python -m tests.deploy.seed 6
"""

from __future__ import annotations

import json
import sys
import time


def main(citizens: int) -> dict:
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.core.management import call_command

    from consult.accounts import services as account_services
    from consult.accounts.models import Role, User
    from consult.testing.data import open_consultation
    from discussion.comments.limits import fill_token
    from tests.conftest import PASSWORD

    call_command("migrate", verbosity=0)
    nation = account_services.jurisdiction_create(
        actor=None, name="Nation", slug="nation", level="national"
    )
    ministry = account_services.department_create(
        actor=None, name="Ministry", slug="ministry", jurisdiction=nation
    )
    official = User.objects.create_user("official@example.org", None, display_name="Official")
    account_services.membership_grant(
        actor=None, user=official, department=ministry, role=Role.OFFICIAL
    )
    proposal = open_consultation(
        official=official, department=ministry, jurisdiction=nation, title="Two processes"
    )
    people = []
    for n in range(citizens):
        email = f"citizen{n}@example.org"
        user = User.objects.create_user(email, PASSWORD, display_name=f"Citizen {n}")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        people.append({"id": user.pk, "email": email})
    return {
        "proposal": proposal.pk,
        "slug": proposal.slug,
        "section": proposal.sections.get().pk,
        "people": people,
        # A form drawn a minute ago, as if someone had been writing.
        "started": fill_token(time.time() - 60),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
