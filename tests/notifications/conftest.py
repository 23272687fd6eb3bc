import pytest
from django.core import mail

from consult.notifications.models import Delivery, Preference
from proposals.models import Follow
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401


@pytest.fixture
def follow(make_user):
    """follow(proposal) -> a new person following it; keyword arguments go to make_user."""

    def make(proposal, **fields):
        user = make_user(**fields)
        Follow.objects.create(proposal=proposal, user=user)
        return user

    return make


@pytest.fixture
def prefer():
    """prefer(user, email={kind: bool}, delivery=..., language=...): their choices, saved."""

    def set_(user, *, email=None, delivery=Delivery.IMMEDIATE, language="", last_language=""):
        preference, _created = Preference.objects.update_or_create(
            user=user,
            defaults={
                "email": email or {},
                "delivery": delivery,
                "language": language,
                "last_language": last_language,
            },
        )
        return preference

    return set_


def sent_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]
