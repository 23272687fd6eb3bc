"""`make run`: serve the platform with demo data on one machine.

Starts a private Redis when REDIS_URL is unset, then hands over to
`manage.py serve`, which checks the services, migrates, seeds an empty
database and runs Daphne with the task worker; arguments go to serve
(`--port 8080`, which `make run PORT=8080` passes). Ctrl-C or SIGTERM
stops everything quietly with exit code 0. Serve or the private Redis ending
by itself fails the run (serve's own exit code, or 1), so that a service
manager that restarts on failure restarts it. Stops the Redis on exit.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from consult.infra import config
from consult.infra.redis_server import PrivateRedis, RedisUnavailable
from consult.infra.server import (
    CLEAN_EXITS,
    StopSignals,
    describe_exit,
    exit_status,
    spawn,
    stop_processes,
)

BASE_DIR = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    # A local demo: debug pages and plain HTTP unless the environment says otherwise.
    os.environ.setdefault("DEBUG", "true")
    stop = StopSignals()
    redis = None
    try:
        redis_named = config.redis_url(config.env_str("REDIS_URL")) or config.redis_sentinels(
            config.env_str("REDIS_SENTINELS")
        )
        if not redis_named:
            redis = PrivateRedis(workdir=BASE_DIR / "var" / "redis").start()
            os.environ["REDIS_URL"] = redis.url
            print(
                f"Started a private Redis at {config.redact(redis.url)} "
                "(set REDIS_URL to use your own)."
            )
    except config.ConfigError as error:
        print(f"consult: configuration error: {error}", file=sys.stderr)
        return 2
    except RedisUnavailable as error:
        print(f"consult: REDIS_URL is unset and no private Redis could start: {error}",
              file=sys.stderr)  # fmt: skip
        return 2
    command = [sys.executable, str(BASE_DIR / "manage.py"), "serve", "--seed-demo", *argv]
    try:
        return _supervise(command, stop, redis)
    finally:
        if redis:
            redis.stop()


def _supervise(command: list[str], stop: StopSignals, redis: PrivateRedis | None) -> int:
    """Run serve until it ends (a failure: its exit code, or 1) or the
    private Redis does (a failure: stop serve, 1), or until Ctrl-C or SIGTERM
    (stop serve, which stops its children, and exit 0)."""
    if stop.requested:  # Ctrl-C while Redis was starting
        return 0
    child = spawn(command)
    watched = [child] + ([redis.process] if redis and redis.process else [])
    ended = stop.wait(watched)
    if not ended:
        # serve gives its children 10 seconds before it kills them.
        stop_processes([child], timeout=20)
        return 0 if child.returncode in CLEAN_EXITS else exit_status(child.returncode)
    if child not in ended:
        how = describe_exit(ended[0].returncode)
        print(f"consult: the private Redis stopped by itself ({how}); stopping", file=sys.stderr)
        stop_processes([child], timeout=20)
        return 1
    return exit_status(child.returncode) or 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
