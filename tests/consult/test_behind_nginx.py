"""deploy/nginx.conf's `map` and `location` blocks in front of a real Daphne:
the address the application counts is the one nginx saw, never one the
client wrote. (tests/deploy/ runs the same file in front of two.)

Debian's nginx runs as the current user on a loopback port. Without it the
test is skipped on a developer's machine and fails in CI, where .ci/run
installs it."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import time

import pytest
from websockets.sync.client import connect

from consult.infra.redis_server import free_port
from tests.conftest import daphne_server, stop
from tests.deploy.site import PROXY_ADDRESS, nginx_config
from tests.live_helpers import recv_json

# nginx reaches Daphne from PROXY_ADDRESS, the only address Daphne trusts; a
# client on 127.0.0.1 that speaks to Daphne directly is not a proxy.
NGINX = shutil.which("nginx", path="/usr/sbin:/usr/bin") or "/usr/sbin/nginx"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nginx_in_front(transactional_db, tmp_path):
    if not os.access(NGINX, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail(f"CI needs nginx for the proxy test and found none at {NGINX}")
        pytest.skip(f"no nginx at {NGINX} (apt-get install nginx)")
    env = {
        "BEHIND_PROXY": "true",  # one proxy hop by default
        "TRUSTED_PROXIES": PROXY_ADDRESS,
        "API_RATE_ANONYMOUS": "3/60",
        "API_RATE_IP": "1000/60",
    }
    with daphne_server("immediate", overrides=env) as daphne:
        port = free_port()
        (tmp_path / "nginx.conf").write_text(
            nginx_config(tmp_path, listen=port, ports=[daphne.port])
        )
        nginx = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr",
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            wait_for_port(port, nginx)
            yield port, daphne
        finally:
            stop(nginx)


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped: {process.stderr.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not listen in time")


def api_status(port: int, *, source: str, forwarded_for: str | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                            source_address=(source, 0))  # fmt: skip
    headers = {"Host": "127.0.0.1"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    try:
        connection.request("GET", "/api/v1/", headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_address_counted_behind_nginx_is_the_one_nginx_saw(nginx_in_front):
    port, daphne = nginx_in_front
    # A visitor on 127.0.0.1 forges a new leftmost address each time: one count.
    codes = [
        api_status(port, source="127.0.0.1", forwarded_for=f"198.51.100.{n}") for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    # The same visitor straight to Daphne is not a proxy: its header is ignored,
    # and it is the same address, already at its limit.
    assert api_status(daphne.port, source="127.0.0.1", forwarded_for="203.0.113.9") == 429
    # Another visitor behind the same nginx has a count of its own, even when
    # it claims to be the first one.
    assert api_status(port, source="127.0.0.3", forwarded_for="127.0.0.1") == 200
    assert api_status(port, source="127.0.0.3") == 200


def test_websockets_pass_through_nginx(nginx_in_front, make_proposal):
    port, _daphne = nginx_in_front
    proposal = make_proposal("Through the proxy")
    url = f"ws://127.0.0.1:{port}/ws/proposals/{proposal.pk}/"
    with connect(url, origin=f"http://127.0.0.1:{port}", open_timeout=10) as ws:
        assert recv_json(ws)["type"] == "hello"
        ws.send(json.dumps({"type": "ping"}))
        assert recv_json(ws) == {"type": "pong"}
