import pytest

from tests.live_helpers import close_worker_connection
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401


@pytest.fixture(autouse=True)
async def _close_worker_connection():
    """The worker thread's database connection must not outlive the test."""
    yield
    await close_worker_connection()


@pytest.fixture
def section(open_proposal):  # noqa: F811 - the imported fixture is its argument
    return open_proposal.sections.first()
