import pytest

from consult.accounts.models import Role
from discussion.comments import services


@pytest.fixture
def moderators(people, make_user, grant, tree):
    """The department's moderator (people.moderator), one above, one elsewhere."""

    class Moderators:
        own = people.moderator
        parent = grant(make_user(display_name="Ministry moderator"), tree.ministry, Role.MODERATOR)
        other = grant(
            make_user(display_name="Other moderator"), tree.other_ministry, Role.MODERATOR
        )

    return Moderators


@pytest.fixture
def comment(open_proposal, section, people):
    """A citizen's comment that readers may well report."""
    return services.comment_create(
        actor=people.citizen, proposal=open_proposal, section=section, body="Buy pills here"
    )
