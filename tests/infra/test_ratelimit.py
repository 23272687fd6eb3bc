"""Rate limits slide: no stretch of a window's length admits more than the limit,
wherever it starts, even when many requests arrive at once."""

import threading

import pytest

from consult.infra import ratelimit, redis_client
from consult.infra.ratelimit import Rate, RateLimited, hit

SIX_A_MINUTE = Rate(6, 60)


class Clock:
    def __init__(self, at: float):
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock(monkeypatch):
    # Just before a minute boundary, where fixed windows let twice the limit through.
    at = Clock(1_800_000_000.0 - 5)
    monkeypatch.setattr(ratelimit, "clock", at)
    return at


def attempt(who: str, rate: Rate) -> bool:
    try:
        hit("probe", [(who, rate)])
    except RateLimited:
        return False
    return True


def test_a_burst_across_a_window_edge_admits_the_limit_once(clock):
    # Twenty tries every half second, 9.5 s from first to last, across a
    # minute boundary: fixed windows admitted 12 of them against 6 a minute.
    admitted = []
    for n in range(20):
        clock.at = 1_800_000_000.0 - 5 + n * 0.5
        if attempt("burst", SIX_A_MINUTE):
            admitted.append(clock.at)
    assert len(admitted) == 6


def test_no_interval_of_the_window_length_admits_more_than_the_limit(clock):
    start = clock.at
    admitted = []
    for n in range(3 * 60 * 4):  # three minutes of tries every quarter second
        clock.at = start + n * 0.25
        if attempt("steady", SIX_A_MINUTE):
            admitted.append(clock.at)
    for first in admitted:
        assert sum(1 for t in admitted if first <= t < first + 60) <= 6
    # And the limit is not stricter than it says: six in every minute that starts at a hit.
    assert len(admitted) == 18


def test_retry_after_is_when_the_oldest_counted_hit_leaves_the_window(clock):
    rate = Rate(3, 60)
    start = clock.at
    for offset in (0, 10, 20):
        clock.at = start + offset
        assert attempt("wait", rate)
    clock.at = start + 30
    with pytest.raises(RateLimited) as refused:
        hit("probe", [("wait", rate)])
    assert refused.value.retry_after == 30
    assert "30 seconds" in refused.value.message
    clock.at = start + 59.9
    with pytest.raises(RateLimited) as refused:
        hit("probe", [("wait", rate)])
    assert refused.value.retry_after == 1
    # The refusals counted nothing: the moment the first hit leaves, one more fits.
    clock.at = start + 60
    assert attempt("wait", rate)
    clock.at = start + 61
    with pytest.raises(RateLimited) as refused:
        hit("probe", [("wait", rate)])
    assert refused.value.retry_after == 9  # the hit at +10 leaves at +70


def test_an_action_refused_by_one_limit_counts_against_none(clock):
    person, address = ("u1", Rate(1, 60)), ("ip-shared", Rate(5, 60))
    hit("probe", [person, address])
    for _ in range(3):
        with pytest.raises(RateLimited):
            hit("probe", [person, address])
    # The address's other people still have their four.
    for n in range(4):
        hit("probe", [(f"u{n + 2}", Rate(1, 60)), address])
    with pytest.raises(RateLimited):
        hit("probe", [("u9", Rate(1, 60)), address])


def test_retry_after_is_the_longest_wait_of_the_limits_that_refuse(clock):
    start = clock.at
    hit("probe", [("a", Rate(1, 60)), ("b", Rate(1, 3600))])
    clock.at = start + 10
    with pytest.raises(RateLimited) as refused:
        hit("probe", [("a", Rate(1, 60)), ("b", Rate(1, 3600))])
    assert refused.value.retry_after == 3590
    assert "60 minutes" in refused.value.message


def test_threads_at_once_never_pass_more_than_the_limit():
    rate = Rate(5, 60)
    start = threading.Barrier(24)
    results = []

    def one():
        start.wait()
        results.append(attempt("race", rate))

    threads = [threading.Thread(target=one) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 5


def test_counts_expire_with_their_window():
    hit("probe", [("ttl", Rate(2, 60))])
    client = redis_client.client()
    (key,) = client.keys("consult:rate:probe:ttl:*")
    assert 0 < client.pttl(key) <= 60_000


def test_with_redis_unreachable_the_action_goes_ahead(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    for _ in range(3):
        hit("probe", [("down", Rate(1, 60))])
    assert "rate limit for probe not checked" in caplog.text
