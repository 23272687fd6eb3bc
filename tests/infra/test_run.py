"""`make run PORT=8080`: serves on the port asked, links in emails follow it,
Ctrl-C stops every process quietly with exit code 0, and a process that dies
by itself still fails the run."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from consult.infra import server
from consult.infra.redis_server import free_port
from consult.management.commands import serve
from tests.conftest import BASE_DIR, database_url_for_subprocess, run_manage, subprocess_env


@pytest.fixture
def signal_handlers():
    """The supervisor takes over SIGINT and SIGTERM: give them back to pytest."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def environment_of_process_serving(port: int) -> dict[str, str]:
    """The environment of the Daphne listening on this port, from /proc."""
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            if b"daphne" in args and str(port).encode() in args:
                raw = (proc / "environ").read_bytes().split(b"\0")
                return dict(item.decode().partition("=")[::2] for item in raw if b"=" in item)
        except OSError:
            continue
    raise AssertionError(f"no Daphne process on port {port}")


@pytest.mark.django_db(transaction=True)
def test_make_run_serves_the_port_asked_and_ctrl_c_stops_it_quietly(make_user, tmp_path):
    make_user()  # not an empty database: no demo data to load
    port = free_port()
    env = {**subprocess_env(), "DATABASE_URL": database_url_for_subprocess()}
    # As on a fresh machine: make run starts its own Redis and a task worker.
    for name in ("REDIS_URL", "TASK_BACKEND", "DEBUG", "HTTPS", "SITE_URL"):
        env.pop(name, None)
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("w") as stdout, err.open("w") as stderr:
        # Its own session, like a terminal's foreground job that Ctrl-C signals.
        run = subprocess.Popen(
            [sys.executable, "-m", "consult.infra.run", "--port", str(port)],
            cwd=BASE_DIR, env=env, stdout=stdout, stderr=stderr, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not answers(port):
                assert run.poll() is None, err.read_text()
                assert time.monotonic() < deadline, "make run did not answer in time"
                time.sleep(0.5)
            assert environment_of_process_serving(port)["SITE_URL"] == f"http://127.0.0.1:{port}"
            os.killpg(run.pid, signal.SIGINT)
            assert run.wait(timeout=60) == 0, err.read_text()
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait()
    assert "Traceback" not in err.read_text(), err.read_text()
    assert f"consult is starting at http://127.0.0.1:{port}/" in out.read_text()
    assert f"Links in emails lead to http://127.0.0.1:{port}/" in out.read_text()
    # Every process it started has stopped: nothing answers or holds the port.
    assert not answers(port)
    assert server.listen_problem("127.0.0.1", port) is None


@pytest.fixture
def spawned(monkeypatch):
    """serve's children as (command, environment), none started."""
    started = []
    monkeypatch.setattr(serve.Command, "spawn", lambda self, command, env: started.append(env))
    monkeypatch.setattr(serve.Command, "supervise", lambda self, children: None)
    return started


@pytest.mark.django_db
def test_links_in_emails_follow_the_port_served_unless_site_url_is_set(spawned, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    port = free_port()
    call_command("serve", "--no-migrate", "--port", str(port))
    assert [env["SITE_URL"] for env in spawned] == [f"http://127.0.0.1:{port}"] * 3

    spawned.clear()
    monkeypatch.setenv("SITE_URL", "https://consult.example.gov")
    call_command("serve", "--no-migrate", "--no-worker", "--no-scheduler", "--port", str(port))
    assert [env["SITE_URL"] for env in spawned] == ["https://consult.example.gov"]


def test_the_address_served_is_one_a_browser_can_open():
    assert server.served_url("127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert server.served_url("0.0.0.0", 8080) == "http://localhost:8080"  # noqa: S104
    assert server.served_url("::1", 8080) == "http://[::1]:8080"


def test_a_port_that_is_taken_or_no_port_stops_serve_with_one_line(tmp_path, settings):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "REDIS_URL": settings.REDIS_URL}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_manage("serve", "--no-migrate", "--port", str(port), env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"--port {port}" in lines[0], result.stderr

    with pytest.raises(CommandError, match="65536"):
        call_command("serve", "--port", "65536")
    with pytest.raises(CommandError, match="eighty"):
        call_command("serve", "--port", "eighty")


def test_a_process_that_dies_by_itself_fails_serve_and_the_others_are_stopped(
    signal_handlers,
):
    dies = server.spawn([sys.executable, "-c", "import sys, time; time.sleep(0.5); sys.exit(3)"])
    lives = server.spawn([sys.executable, "-c", "import time; time.sleep(60)"])
    with pytest.raises(CommandError, match="exit code 3"):
        serve.Command().supervise([dies, lives])
    assert lives.poll() is not None


def test_sigint_to_serve_stops_its_processes_and_exits_zero(signal_handlers):
    children = [server.spawn([sys.executable, "-c", "import time; time.sleep(60)"])]
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    serve.Command().supervise(children)  # returns: no error, so serve exits 0
    assert children[0].poll() is not None


# --- A child that dies fails the whole, so that a service manager restarts it ---------


def test_a_process_that_ends_cleanly_by_itself_still_fails_serve(signal_handlers):
    """Exit code 0 from Daphne or the worker, unasked, still leaves the site down."""
    ends = server.spawn([sys.executable, "-c", "import time; time.sleep(0.5)"])
    lives = server.spawn([sys.executable, "-c", "import time; time.sleep(60)"])
    with pytest.raises(CommandError, match=r"stopped by itself \(exit code 0\)"):
        serve.Command().supervise([ends, lives])
    assert lives.poll() is not None


def test_a_process_stopped_from_outside_fails_serve(signal_handlers):
    stopped = server.spawn([sys.executable, "-c", "import time; time.sleep(60)"])
    lives = server.spawn([sys.executable, "-c", "import time; time.sleep(60)"])
    threading.Timer(0.5, stopped.terminate).start()
    with pytest.raises(CommandError, match=r"stopped by itself \(killed by SIGTERM\)"):
        serve.Command().supervise([stopped, lives])
    assert lives.poll() is not None


def test_sigterm_to_serve_stops_its_processes_and_exits_zero(signal_handlers):
    children = [server.spawn([sys.executable, "-c", "import time; time.sleep(60)"])]
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    serve.Command().supervise(children)  # returns: no error, so serve exits 0
    assert children[0].poll() is not None


class FakeRedis:
    def __init__(self, command):
        self.process = server.spawn(command)


SLEEPS = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.mark.parametrize(
    ("command", "status"),
    [
        ([sys.executable, "-c", "import time; time.sleep(0.3)"], 1),
        ([sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(3)"], 3),
        ([sys.executable, "-c", "import os, time; time.sleep(0.3); os.kill(os.getpid(), 9)"], 137),
    ],
)
def test_make_run_fails_when_serve_ends_by_itself(signal_handlers, command, status):
    from consult.infra import run

    assert run._supervise(command, server.StopSignals(), None) == status


def test_make_run_fails_and_stops_serve_when_its_redis_dies(signal_handlers, capsys):
    from consult.infra import run

    redis = FakeRedis([sys.executable, "-c", "import time; time.sleep(0.3)"])
    started = []
    real_spawn = run.spawn
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            run, "spawn", lambda command: started.append(real_spawn(command)) or started[0]
        )
        assert run._supervise(SLEEPS, server.StopSignals(), redis) == 1
    assert started[0].poll() is not None
    assert "the private Redis stopped by itself" in capsys.readouterr().err


def test_sigterm_to_make_run_stops_serve_and_exits_zero(signal_handlers):
    from consult.infra import run

    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    assert run._supervise(SLEEPS, server.StopSignals(), FakeRedis(SLEEPS)) == 0


def daphne_pid(port: int) -> int:
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"daphne" in args and str(port).encode() in args:
            return int(proc.name)
    raise AssertionError(f"no Daphne process on port {port}")


@pytest.mark.django_db(transaction=True)
def test_serve_exits_non_zero_when_daphne_is_stopped_and_takes_the_worker_down(
    make_user, tmp_path, settings
):
    """As a service manager sees it: Daphne stopped by someone else, and serve
    fails (so Restart=on-failure restarts it) with nothing of it left running."""
    make_user()
    port = free_port()
    env = {
        **subprocess_env(),
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": settings.REDIS_URL,
    }
    env.pop("TASK_BACKEND", None)  # the database-backed worker, as deployed
    err = tmp_path / "err"
    with err.open("w") as stderr:
        serving = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--no-migrate", "--port", str(port)],
            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
            start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not answers(port):
                assert serving.poll() is None, err.read_text()
                assert time.monotonic() < deadline, "serve did not answer in time"
                time.sleep(0.5)
            workers = [
                int(proc.name)
                for proc in Path("/proc").iterdir()
                if proc.name.isdigit() and _parent(proc) == serving.pid
            ]
            os.kill(daphne_pid(port), signal.SIGTERM)
            assert serving.wait(timeout=60) == 1
        finally:
            if serving.poll() is None:
                os.killpg(serving.pid, signal.SIGKILL)
                serving.wait()
    assert "-m daphne stopped by itself" in err.read_text(), err.read_text()
    assert len(workers) == 3  # the worker, the scheduler and Daphne
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists() and _alive(pid)]


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
