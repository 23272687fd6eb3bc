"""The client's address behind reverse proxies: counted from the right of
X-Forwarded-For, believed only from a trusted proxy, one answer for HTTP and
WebSockets (consult/infra/proxies.py)."""

import ipaddress

import pytest
from channels.testing import HttpCommunicator
from django.test import RequestFactory

from asgi import application
from consult.accounts.adapter import AccountAdapter
from consult.infra import config
from consult.infra.proxies import client_address, forwarded_scope
from consult.infra.ratelimit import address
from tests.conftest import run_manage

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1")]
PROXY_NET = [ipaddress.ip_network("10.0.0.0/24")]


def test_a_forged_leftmost_entry_does_not_change_the_address_with_one_hop():
    # nginx appended the address it saw (203.0.113.7) to what the client sent.
    for forged in ("198.51.100.1", "198.51.100.2, 192.0.2.3", "unknown", ""):
        header = f"{forged}, 203.0.113.7" if forged else "203.0.113.7"
        assert client_address("10.0.0.5", header, hops=1, trusted=PROXY_NET) == "203.0.113.7"


def test_a_peer_that_is_not_a_trusted_proxy_has_its_header_ignored():
    header = "198.51.100.1, 203.0.113.7"
    assert client_address("192.0.2.50", header, hops=1, trusted=PROXY_NET) == "192.0.2.50"
    assert client_address("192.0.2.50", header, hops=1, trusted=LOOPBACK) == "192.0.2.50"
    # No proxy configured (the default without BEHIND_PROXY): the peer is the client.
    assert client_address("10.0.0.5", header, hops=0, trusted=PROXY_NET) == "10.0.0.5"


@pytest.mark.parametrize(
    ("hops", "expected"), [(1, "10.0.0.9"), (2, "203.0.113.7"), (3, "198.51.100.1")]
)
def test_n_hops_take_the_nth_entry_from_the_right(hops, expected):
    header = "198.51.100.1, 203.0.113.7, 10.0.0.9"
    assert client_address("10.0.0.5", header, hops=hops, trusted=PROXY_NET) == expected


def test_a_short_or_unreadable_header_leaves_the_peer():
    assert client_address("10.0.0.5", "203.0.113.7", hops=2, trusted=PROXY_NET) == "10.0.0.5"
    assert client_address("10.0.0.5", "1.2.3.4, nonsense", hops=1, trusted=PROXY_NET) == "10.0.0.5"
    assert client_address("10.0.0.5", None, hops=1, trusted=PROXY_NET) == "10.0.0.5"


def test_addresses_are_read_as_proxies_write_them():
    assert client_address("::1", "[2001:db8::7]:443", hops=1, trusted=LOOPBACK) == "2001:db8::7"
    assert client_address("::1", "203.0.113.7:5555", hops=1, trusted=LOOPBACK) == "203.0.113.7"
    # A dual-stack socket shows an IPv4 proxy as ::ffff:127.0.0.1.
    assert (
        client_address("::ffff:127.0.0.1", "203.0.113.7", hops=1, trusted=LOOPBACK) == "203.0.113.7"
    )


def test_forwarding_headers_from_an_untrusted_peer_are_dropped():
    scope = {
        "type": "http",
        "client": ("192.0.2.50", 4000),
        "scheme": "http",
        "headers": [
            (b"host", b"consult.example.gov"),
            (b"x-forwarded-for", b"198.51.100.1"),
            (b"X-Forwarded-Proto", b"https"),
            (b"x-forwarded-host", b"evil.example"),
        ],
    }
    seen = forwarded_scope(scope, hops=1, trusted=PROXY_NET)
    assert seen["client"] == ("192.0.2.50", 4000)
    assert seen["headers"] == [(b"host", b"consult.example.gov")]
    assert seen["scheme"] == "http"


def test_a_trusted_proxy_gives_the_address_and_the_scheme():
    scope = {
        "type": "websocket",
        "client": ("10.0.0.5", 4000),
        "scheme": "ws",
        "headers": [
            (b"x-forwarded-for", b"198.51.100.1"),
            (b"x-forwarded-for", b"203.0.113.7"),  # two lines are one list
            (b"x-forwarded-proto", b"https"),
        ],
    }
    seen = forwarded_scope(scope, hops=1, trusted=PROXY_NET)
    assert seen["client"] == ("203.0.113.7", 0)
    assert seen["scheme"] == "wss"
    assert scope["client"] == ("10.0.0.5", 4000)  # the server's scope is left as it was


def test_trusted_proxies_must_be_networks(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,2001:db8::/32")
    assert [str(n) for n in config.env_networks("TRUSTED_PROXIES", [])] == [
        "10.0.0.0/8",
        "127.0.0.1/32",
        "2001:db8::/32",
    ]
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXIES"):
        config.env_networks("TRUSTED_PROXIES", [])


def test_sign_in_limits_count_the_settled_address_not_allauths_own_reading(settings):
    # Even were allauth told to read X-Forwarded-For itself, it gets our answer.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert AccountAdapter(request).get_client_ip(request) == address("203.0.113.7")


async def api_status(peer: str, forwarded_for: str | None) -> int:
    headers = [(b"host", b"127.0.0.1")]
    if forwarded_for is not None:
        headers.append((b"x-forwarded-for", forwarded_for.encode()))
    request = HttpCommunicator(application, "GET", "/api/v1/", headers=headers)
    request.scope["client"] = (peer, 40000)
    response = await request.get_response(timeout=10)
    return response["status"]


@pytest.mark.django_db(transaction=True)
async def test_http_limits_count_the_address_the_trusted_proxy_saw(settings):
    settings.CONSULT_TRUSTED_PROXY_HOPS = 1
    settings.CONSULT_TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1")]
    settings.CONSULT_API_RATES = {"anonymous": ["2/60"], "token": [], "ip": []}
    # Through the proxy, a new forged leftmost entry each time: still one client.
    codes = [await api_status("127.0.0.1", f"198.51.100.{n}, 203.0.113.7") for n in range(3)]
    assert codes == [200, 200, 429]
    # Another client behind the same proxy has its own count.
    assert await api_status("127.0.0.1", "198.51.100.1, 203.0.113.8") == 200
    # A peer that is not the proxy is counted as itself, whatever it claims.
    codes = [await api_status("192.0.2.50", f"203.0.113.{n}") for n in (20, 21, 22)]
    assert codes == [200, 200, 429]


def test_serve_refuses_daphnes_proxy_headers_and_names_what_replaced_it():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="TRUSTED_PROXY_HOPS"):
        call_command("serve", "--proxy-headers", "--no-migrate")


def test_behind_a_proxy_at_least_one_hop_is_trusted():
    result = run_manage(
        "check", env={"BEHIND_PROXY": "true", "TRUSTED_PROXY_HOPS": "0", "DEBUG": "true"}
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXY_HOPS: must be at least 1" in result.stderr
    assert "Traceback" not in result.stderr
