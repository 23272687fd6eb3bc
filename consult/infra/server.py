"""How Daphne is run: one place for the limits that the tests also use, and
how `make run` and `manage.py serve` start and stop their processes."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

# A comment is at most a few thousand characters; 64 KiB leaves room for
# JSON and multi-byte text while stopping a client from pinning memory.
WEBSOCKET_MAX_MESSAGE_BYTES = 64 * 1024
WEBSOCKET_MAX_FRAME_BYTES = 64 * 1024
WEBSOCKET_CONNECT_TIMEOUT = 60


def daphne_command(*, host: str, port: int) -> list[str]:
    # No --proxy-headers: Daphne would take X-Forwarded-For's leftmost entry,
    # which the client writes. asgi.py settles the address (consult/infra/proxies.py).
    return [
        sys.executable, "-m", "daphne",
        "--bind", host,
        "--port", str(port),
        "--websocket-max-message-size", str(WEBSOCKET_MAX_MESSAGE_BYTES),
        "--websocket-max-frame-size", str(WEBSOCKET_MAX_FRAME_BYTES),
        "--application-close-timeout", "10",
        # From the TCP connect to the consumer's accept. Daphne's 5 s drops a
        # handshake without an answer when a herd reconnects at once; a
        # socket that waits is answered (bench/reconnect.py).
        "--websocket_connect_timeout", str(WEBSOCKET_CONNECT_TIMEOUT),
        # Daphne's access log writes client addresses and full paths (which
        # may carry an export or unsubscribe link) straight to stdout, past
        # the log filter: the proxy in front keeps access logs, if anyone.
        "--access-log", os.devnull,
        "asgi:application",
    ]  # fmt: skip


def daphne_server_options() -> dict:
    """The same limits as keyword arguments of daphne.server.Server."""
    return {
        "websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_BYTES,
        "websocket_max_frame_size": WEBSOCKET_MAX_FRAME_BYTES,
    }


def served_url(host: str, port: int) -> str:
    """The address to open for a server bound to host and port (a wildcard
    bind is opened as localhost)."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - naming the wildcard, not binding it
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def listen_problem(host: str, port: int) -> str | None:
    """Why nothing could listen at host:port (in use, no such address), or None."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        return error.strerror or str(error)
    return None


# How a child that was asked to stop (or stopped cleanly) ends.
CLEAN_EXITS = {0, -signal.SIGTERM}
# A service manager stopping the whole group signals every process at once: a
# child may end a moment before the supervisor reads its own signal.
STOP_GRACE_SECONDS = 0.5


class StopSignals:
    """Ctrl-C (SIGINT) and a service manager's SIGTERM ask a supervisor to
    stop. The request is noted, never raised in the middle of a call, so that
    the stop itself runs in order and quietly, however many signals come."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGINT, self._note)
        signal.signal(signal.SIGTERM, self._note)

    def _note(self, signum, frame) -> None:
        self.requested = True

    def wait(self, processes: list[subprocess.Popen]) -> list[subprocess.Popen]:
        """Until a stop is asked for or one of the processes ends. Returns the
        processes that ended by themselves: none when a stop was asked for.
        Whatever their exit code, a process that ended unasked is a failure
        of the whole: the supervisor must exit non-zero, so that a service
        manager that restarts on failure restarts it."""
        while not self.requested and all(p.poll() is None for p in processes):
            time.sleep(0.2)
        if not self.requested:
            time.sleep(STOP_GRACE_SECONDS)
        if self.requested:
            return []
        return [p for p in processes if p.poll() is not None]


def exit_status(returncode: int) -> int:
    """A child's return code as a shell reports it (killed by signal N: 128 + N)."""
    return 128 - returncode if returncode < 0 else returncode


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit code {returncode}"


def spawn(command: list[str], **options) -> subprocess.Popen:
    """A child in a process group of its own: a terminal's Ctrl-C reaches only
    the supervisor, which stops its children in order (stop_processes)."""
    return subprocess.Popen(command, process_group=0, **options)  # noqa: S603 - our own commands


def stop_processes(processes: list[subprocess.Popen], *, timeout: float = 10) -> None:
    """SIGTERM to each process group still running, SIGKILL to any that
    outlive the timeout; returns when all have ended."""
    for process in processes:
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # ended meanwhile
        os.killpg(process.pid, signum)
