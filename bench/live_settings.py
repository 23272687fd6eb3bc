"""Settings for the live benchmarks: consult.settings with a choice of channel layer.

BENCH_CHANNEL_LAYER=core (the default) runs on channels_redis.core.RedisChannelLayer;
BENCH_CHANNEL_LAYER=pubsub on channels_redis.pubsub.RedisPubSubChannelLayer, as
production does; both on the same Redis. Only the
benchmarks use this module (DJANGO_SETTINGS_MODULE=live_settings, with bench/
on the path).
"""

import os

from consult.settings import *  # noqa: F403
from consult.settings import CHANNEL_LAYERS as PRODUCTION_CHANNEL_LAYERS

LAYERS = ("core", "pubsub")


def channel_layers(kind: str) -> dict:
    """CHANNEL_LAYERS for one kind of layer, on production's Redis hosts."""
    if kind not in LAYERS:
        raise ValueError(f"BENCH_CHANNEL_LAYER must be one of {LAYERS}, got {kind!r}")
    production = PRODUCTION_CHANNEL_LAYERS["default"]
    if "hosts" not in production.get("CONFIG", {}):
        return PRODUCTION_CHANNEL_LAYERS
    hosts, prefix = production["CONFIG"]["hosts"], production["CONFIG"].get("prefix", "asgi")
    if kind == "pubsub":
        # The pub/sub layer keeps no queues in Redis: no capacity, no expiry.
        backend, config = "channels_redis.pubsub.RedisPubSubChannelLayer", {}
    else:
        # The core layer as the Channels tutorial configures it, with queues in Redis.
        backend = "channels_redis.core.RedisChannelLayer"
        config = {"capacity": 1500, "expiry": 60, "group_expiry": 86400}
    return {"default": {"BACKEND": backend, "CONFIG": {"hosts": hosts, "prefix": prefix, **config}}}


CHANNEL_LAYERS = channel_layers(os.environ.get("BENCH_CHANNEL_LAYER", "core"))
# Every benchmark reader connects from this machine's one address.
CONSULT_SOCKETS_PER_ADDRESS = 1_000_000


def _rates_from_one_address() -> dict:
    """Production's discussion rates, without the per-address ones: every
    citizen of the benchmark posts from this machine's one address, where in
    use they come from thousands. Each person's own rates stay."""
    from consult.infra.ratelimit import DEFAULT_RATES, DISCUSSION_ACTIONS

    return {
        action: {who: rates for who, rates in DEFAULT_RATES[action].items() if who != "ip"}
        for action in DISCUSSION_ACTIONS
    }


CONSULT_RATE_LIMITS = _rates_from_one_address()
