"""Settings for the live benchmarks: consult.settings with a choice of channel layer.

BENCH_CHANNEL_LAYER=core (the default, as in production) keeps
channels_redis.core.RedisChannelLayer; BENCH_CHANNEL_LAYER=pubsub swaps in
channels_redis.pubsub.RedisPubSubChannelLayer on the same Redis. Only the
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
    if kind == "core" or "hosts" not in production.get("CONFIG", {}):
        return PRODUCTION_CHANNEL_LAYERS
    # The pub/sub layer keeps no queues in Redis: no capacity, no expiry.
    config = {
        "hosts": production["CONFIG"]["hosts"],
        "prefix": production["CONFIG"].get("prefix", "asgi"),
    }
    return {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": config}
    }


CHANNEL_LAYERS = channel_layers(os.environ.get("BENCH_CHANNEL_LAYER", "core"))
