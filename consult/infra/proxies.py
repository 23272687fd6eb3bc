"""Who is asking: the client's address behind the reverse proxies we trust.

A proxy such as nginx with `$proxy_add_x_forwarded_for` appends the address
it was reached from to whatever X-Forwarded-For the client sent, so only the
entries on the right were written by proxies; the leftmost is the client's
own word. With TRUSTED_PROXY_HOPS proxies in front, the client is the entry
that many places from the right, and only when the connection comes from a
TRUSTED_PROXIES network: anyone else's forwarding headers are dropped.

One function decides, for HTTP and WebSockets alike: the ASGI middleware
below puts its answer in `scope["client"]`, which Django reads as
REMOTE_ADDR and the consumers read directly, so every per-address limit
(API, comments and votes, downloads, sign-ins, sockets) counts the same
address. Daphne's own `--proxy-headers` takes the leftmost entry: not used.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers only a trusted proxy may set: dropped from anyone else, so that
# neither the address nor the scheme or host (BEHIND_PROXY) can be forged.
FORWARDING_HEADERS = frozenset(
    {b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-port",
     b"forwarded", b"x-real-ip"}
)  # fmt: skip


def parse_ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as a proxy writes it ('192.0.2.1', '2001:db8::1',
    '[2001:db8::1]:443', '192.0.2.1:80'), or None."""
    text = (text or "").strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:  # a dual-stack socket's view of IPv4
        return ip.ipv4_mapped
    return ip


def is_trusted(peer: str | None, trusted: Sequence[Network]) -> bool:
    ip = parse_ip(peer)
    return ip is not None and any(ip in network for network in trusted)


def client_address(
    peer: str | None, forwarded_for: str | None, *, hops: int, trusted: Sequence[Network]
) -> str | None:
    """The client's address: the entry `hops` places from the right of
    X-Forwarded-For when the peer is a trusted proxy, else the peer itself.
    A header with fewer entries than hops, or an entry that is no address,
    leaves the peer: better one count for the proxy than one the client chose."""
    if hops <= 0 or not forwarded_for or not is_trusted(peer, trusted):
        return peer
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    if len(entries) < hops:
        return peer
    ip = parse_ip(entries[-hops])
    return str(ip) if ip is not None else peer


def _scheme(scope: dict, proto: str) -> str:
    secure = proto.split(",")[-1].strip().lower() in {"https", "wss"}
    if scope["type"] == "websocket":
        return "wss" if secure else "ws"
    return "https" if secure else "http"


def forwarded_scope(scope: dict, *, hops: int, trusted: Sequence[Network]) -> dict:
    """The scope as the application should see it: the client's address, and
    the forwarding headers only when they came from a trusted proxy."""
    peer = (scope.get("client") or (None, None))[0]
    if hops <= 0 or not is_trusted(peer, trusted):
        headers = [(name, value) for name, value in scope.get("headers", [])
                   if name.lower() not in FORWARDING_HEADERS]  # fmt: skip
        return {**scope, "headers": headers}
    values: dict[bytes, list[str]] = {}
    for name, value in scope.get("headers", []):
        values.setdefault(name.lower(), []).append(value.decode("latin-1"))
    # Several X-Forwarded-For lines are one list, in order (RFC 9110 5.3).
    forwarded_for = ",".join(values.get(b"x-forwarded-for", []))
    address = client_address(peer, forwarded_for, hops=hops, trusted=trusted)
    changed = {**scope}
    if address != peer:
        changed["client"] = (address, 0)
    if proto := values.get(b"x-forwarded-proto"):
        changed["scheme"] = _scheme(scope, proto[-1])
    return changed


class ClientAddressMiddleware:
    """ASGI middleware around the whole application (HTTP and WebSockets)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in {"http", "websocket"}:
            scope = forwarded_scope(
                scope,
                hops=settings.CONSULT_TRUSTED_PROXY_HOPS,
                trusted=settings.CONSULT_TRUSTED_PROXIES,
            )
        return await self.app(scope, receive, send)
