import pytest
from channels.testing import WebsocketCommunicator

from asgi import application
from tests.live_helpers import sign_in
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401


@pytest.fixture(autouse=True)
def _worker_connection(worker_connection_closed):
    """Every test here drives consumers in this process (tests/conftest.py)."""


@pytest.fixture
def section(open_proposal):  # noqa: F811 - the imported fixture is its argument
    return open_proposal.sections.first()


def section_url(proposal, section) -> str:
    return f"{proposal.get_absolute_url()}sections/{section.pk}/"


def socket_for(proposal, user=None, *, since=None, ip=None):
    """The proposal's live socket as its page opens it: signed in as `user`
    when given, asking for the events after `since`, from address `ip`."""
    path = f"/ws/proposals/{proposal.pk}/" + (f"?since={since}" if since is not None else "")
    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = WebsocketCommunicator(application, path, headers=headers)
    if ip is not None:
        socket.scope["client"] = (ip, 50000)
    if user is not None:
        sign_in(socket, user)
    return socket
