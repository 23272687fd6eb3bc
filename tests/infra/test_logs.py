"""Logs hold no email or IP addresses, whoever writes them; rate limits
count addresses by a keyed hash that expires with its window."""

import io
import logging
import os

import pytest

from consult.infra import ratelimit, redis_client
from consult.infra.logs import RedactPersonalData, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sign-in by Ana.Lopez+x@example.gov.uk", "sign-in by [email]"),
        ("mail to root@localhost failed", "mail to [email] failed"),
        ("from 203.0.113.7 at 12:30:45", "from [ip] at 12:30:45"),
        ("from [2001:db8::1]:443", "from [ip]:443"),
        ("peer ::ffff:10.0.0.1 left", "peer [ip] left"),
        ("fe80::1%eth0 up", "[ip] up"),
        ("version 1.2.3.4.5 and 999.1.1.1", "version 1.2.3.4.5 and 999.1.1.1"),
        ("ratio 3:4 and time 10:00", "ratio 3:4 and time 10:00"),
        ("comment 42 posted", "comment 42 posted"),
    ],
)
def test_redact_masks_addresses_and_leaves_the_rest(text, expected):
    assert redact(text) == expected


def test_djangos_records_reach_only_the_filtered_handler():
    django_logger = logging.getLogger("django")
    assert django_logger.handlers == []
    assert django_logger.propagate


def test_the_web_server_keeps_no_access_log():
    from consult.infra.server import daphne_command

    command = daphne_command(host="127.0.0.1", port=8000)
    assert command[command.index("--access-log") + 1] == os.devnull


def test_the_configured_handler_masks_arguments_and_tracebacks():
    root = logging.getLogger()
    console = next(
        h for h in root.handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)
    )
    stream = io.StringIO()
    original = console.setStream(stream)
    try:
        logger = logging.getLogger("django.request")
        logger.warning("refused %s from %s", "someone@example.org", "198.51.100.20")
        try:
            raise ValueError("bad address someone@example.org from 2001:db8::7")
        except ValueError:
            logger.exception("failed for %s", "someone@example.org")
    finally:
        console.setStream(original)
    written = stream.getvalue()
    assert "refused [email] from [ip]" in written
    assert "bad address [email] from [ip]" in written
    assert "someone@example.org" not in written
    assert "198.51.100.20" not in written and "2001:db8::7" not in written


@pytest.mark.django_db
def test_rate_limit_counts_hold_no_addresses_and_expire(settings):
    client = redis_client.client()
    assert client is not None
    limits = [(ratelimit.address("192.0.2.55"), ratelimit.Rate(5, 60))]
    ratelimit.hit("probe", limits)
    keys = [k.decode() if isinstance(k, bytes) else k for k in client.keys("consult:rate:probe:*")]
    assert keys
    assert not any("192.0.2.55" in key for key in keys)
    assert all(0 < client.ttl(key) <= 61 for key in keys)
    # The same address counts as the same address; another does not.
    assert ratelimit.address("192.0.2.55") == ratelimit.address("192.0.2.55")
    assert ratelimit.address("192.0.2.55") != ratelimit.address("192.0.2.56")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert ratelimit.address("192.0.2.55") != limits[0][0]


@pytest.mark.django_db
def test_sign_in_rate_limits_keep_no_address_in_the_cache(client, make_user):
    make_user("counted@example.org")
    client.post(
        "/accounts/login/",
        {"login": "counted@example.org", "password": "wrong password"},
        REMOTE_ADDR="198.51.100.77",
    )
    redis = redis_client.client()
    keys = [k.decode() if isinstance(k, bytes) else k for k in redis.keys("*")]
    assert any("login" in key for key in keys), keys
    assert not any("198.51.100.77" in key for key in keys)
