"""`make run`: serve the platform with demo data on one machine.

Starts a private Redis when REDIS_URL is unset, then hands over to
`manage.py serve`, which checks the services, migrates, seeds an empty
database and runs Daphne with the task worker. Stops the Redis on exit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from consult import config
from consult.redis_server import PrivateRedis, RedisUnavailable

BASE_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    # A local demo: debug pages and plain HTTP unless the environment says otherwise.
    os.environ.setdefault("DEBUG", "true")
    redis = None
    try:
        if not config.redis_url(config.env_str("REDIS_URL")):
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
    child = subprocess.Popen(command)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.terminate()
        return child.wait()
    finally:
        if redis:
            redis.stop()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
