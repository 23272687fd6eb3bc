"""Home and list pages run a fixed number of queries whatever the number of proposals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.models import Proposal, Status

pytestmark = pytest.mark.django_db


def add_proposals(tree, count: int, start: int = 0) -> None:
    Proposal.objects.bulk_create(
        Proposal(
            department=tree.city_office if n % 2 else tree.ministry,
            jurisdiction=tree.city if n % 2 else tree.nation,
            title=f"Proposal {n}",
            slug=f"proposal-{n}",
            summary="Summary",
            status=Status.OPEN,
        )
        for n in range(start, start + count)
    )


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/", "/consultations/"])
def test_query_count_does_not_grow_with_proposals(client, tree, path):
    add_proposals(tree, 2)
    small = count_queries(client, path)
    add_proposals(tree, 40, start=2)
    assert count_queries(client, path) == small
    assert small <= 3
