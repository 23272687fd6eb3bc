"""Settings for the write-path benchmark (bench/write_path.py), never for a site.

The abuse limits are there to stop one person or one script from flooding a
discussion: a few comments a minute per person, a form that must be open a
few seconds before it is sent, a dozen live pages per person. The benchmark
is exactly that one script, posting as fast as the server answers; left in
place, the limits would refuse it within a second and the tables would
measure the limits, not the server. So they are lifted here, and only here.
The work of checking them stays: every comment still goes through the rate
limiter (with no rates to count), the fill-time check and the socket cap.

The same reasoning applies to the per-socket bound on frames in
discussion/live/consumers.py, which is a module constant rather than a setting:
`application` below is the project's asgi.application with that bound lifted
in the server process, and is what Daphne serves unless the benchmark is told
to keep the bound (--keep-frame-limit).
"""

from consult.settings import *  # noqa: F403

CONSULT_RATE_LIMITS = {}
CONSULT_MIN_FILL_SECONDS = 0
CONSULT_SOCKETS_PER_USER = 100_000

# Frames one socket may send at once, and per second after that, in the bench.
BENCH_FRAME_BURST = 1_000_000
BENCH_FRAME_REFILL_PER_SECOND = 1_000_000.0


def __getattr__(name: str):
    # Looked up by Daphne as write_settings:application, after Django has
    # read this module; Django itself only reads the upper-case names above.
    if name != "application":
        raise AttributeError(name)
    from asgi import application
    from discussion.live import consumers

    for constant in ("FRAME_BURST", "FRAME_REFILL_PER_SECOND"):
        if not hasattr(consumers, constant):
            raise RuntimeError(f"discussion.live.consumers.{constant} is gone: update the bench")
    consumers.FRAME_BURST = BENCH_FRAME_BURST
    consumers.FRAME_REFILL_PER_SECOND = BENCH_FRAME_REFILL_PER_SECOND
    return application
