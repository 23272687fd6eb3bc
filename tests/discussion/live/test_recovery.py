"""The process notices every Redis outage, even one shorter than its check:
a server that came back between two checks has a new run id, and a broadcast
that failed meanwhile counts as an outage. Each outage brings one catch-up."""

import asyncio

import pytest

from discussion.live import recovery


class Watched(recovery.Registry):
    """A registry whose catch-ups are counted instead of run."""

    def __init__(self) -> None:
        super().__init__()
        self.recovered = 0

    async def recover(self) -> None:
        self.recovered += 1


@pytest.fixture
def quick(settings):
    settings.CONSULT_LIVE_RECOVERY_CHECK_SECONDS = 0.01
    settings.CONSULT_LIVE_RECOVERY_SETTLE_SECONDS = 0


async def watch(registry: Watched, answers: list, between=None) -> None:
    """Run the watch over the given answers of Redis, one a check."""
    replies = iter(answers)
    seen = []

    def answer():
        seen.append(None)
        if between is not None and len(seen) == 2:
            between()
        return next(replies, answers[-1])

    original = recovery.redis_run_id
    recovery.redis_run_id = answer
    try:
        registry.add("proposal.1", object())
        for _ in range(200):
            await asyncio.sleep(0.01)
            if len(seen) > len(answers) + 1:
                break
    finally:
        recovery.redis_run_id = original
        registry.remove("proposal.1", next(iter(registry.groups["proposal.1"][1])))


async def test_nothing_happens_while_redis_stays_up(quick):
    registry = Watched()
    await watch(registry, ["run-a", "run-a", "run-a"])
    assert registry.recovered == 0 and registry.up


async def test_an_outage_seen_by_a_check_brings_one_catch_up(quick):
    registry = Watched()
    await watch(registry, ["run-a", None, None, "run-a", "run-a"])
    assert registry.recovered == 1 and registry.up


async def test_a_restart_between_two_checks_brings_a_catch_up(quick):
    registry = Watched()
    await watch(registry, ["run-a", "run-b", "run-b"])
    assert registry.recovered == 1


async def test_a_failed_broadcast_between_two_checks_brings_a_catch_up(quick):
    registry = Watched()
    await watch(registry, ["run-a"], between=recovery.broadcast_failed)
    assert registry.recovered == 1
