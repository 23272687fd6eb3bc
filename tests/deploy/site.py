"""The deployment of deploy/ on one machine, for the tests: nginx from Debian
with deploy/nginx.conf's upstream, map and location block, in front of
several Daphne processes on one PostgreSQL and one Redis.

nginx reaches the Daphne processes from 127.0.0.2, the only address they
trust as a proxy; a visitor on 127.0.0.1 or 127.0.0.3 speaks to nginx."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from consult.infra.config import PRIVACY_PLACEHOLDERS
from consult.infra.redis_server import free_port
from consult.infra.server import daphne_command
from consult.testing import postgres
from tests.conftest import BASE_DIR, PASSWORD, stop, subprocess_env

NGINX = shutil.which("nginx", path="/usr/sbin:/usr/bin") or "/usr/sbin/nginx"
PROXY_ADDRESS = "127.0.0.2"
DEPLOY_NGINX = BASE_DIR / "deploy" / "nginx.conf"
SECRET_KEY = secrets.token_urlsafe(64)


def require(binary_present: bool, what: str, install: str) -> None:
    """Skip on a developer's machine without it; fail in CI, which installs it."""
    if binary_present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {what} for the deployment tests and found none")
    pytest.skip(f"no {what} ({install})")


# --- nginx ------------------------------------------------------------------


def deploy_blocks() -> dict[str, str]:
    """The upstream, map and location blocks of deploy/nginx.conf, as written."""
    text = DEPLOY_NGINX.read_text()
    blocks = {
        "upstream": re.search(r"^upstream consult \{.*?^\}", text, re.S | re.M),
        "map": re.search(r"^map \$http_upgrade .*?^\}", text, re.S | re.M),
        "location": re.search(r"^    location / \{.*?^    \}", text, re.S | re.M),
        "body_size": re.search(r"^    client_max_body_size .*?;", text, re.M),
    }
    missing = [name for name, found in blocks.items() if not found]
    assert not missing, f"deploy/nginx.conf lost its {', '.join(missing)}"
    return {name: found.group(0) for name, found in blocks.items()}


def upstream_on(block: str, ports: list[int]) -> str:
    """The upstream block with its server lines pointing at these ports, in order."""
    servers = re.findall(r"^\s*server 127\.0\.0\.1:\d+(.*);$", block, re.M)
    assert len(servers) >= len(ports), "deploy/nginx.conf names fewer processes than the test"
    lines = [f"    server 127.0.0.1:{port}{servers[n]};" for n, port in enumerate(ports)]
    return "upstream consult {\n" + "\n".join(lines) + "\n}"


def nginx_config(workdir: Path, *, listen: int, ports: list[int]) -> str:
    blocks = deploy_blocks()
    temp = " ".join(
        f"{kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    {temp}
    {upstream_on(blocks["upstream"], ports)}
    {blocks["map"]}
    server {{
        listen 127.0.0.1:{listen};
        proxy_bind {PROXY_ADDRESS};
    {blocks["body_size"]}
    {blocks["location"]}
    }}
}}
"""


@contextmanager
def nginx(workdir: Path, ports: list[int]):
    """nginx on a free loopback port in front of these Daphne ports; yields the port."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "nginx.conf").write_text(nginx_config(workdir, listen=port, ports=ports))
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-e", "stderr",
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_for_port(port, process, "nginx")
        yield port
    finally:
        stop(process)


def wait_for_port(port: int, process: subprocess.Popen, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on {port} in time")


# --- Daphne -----------------------------------------------------------------


def site_env(database_url: str, overrides: dict[str, str]) -> dict:
    """What every process of the deployment sees (deploy/consult.env.example)."""
    return {
        **subprocess_env(),
        **PRIVACY_PLACEHOLDERS,
        "DJANGO_SETTINGS_MODULE": "consult.settings",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "DATABASE_POOL": "true",
        "DATABASE_POOL_MAX_SIZE": "8",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "HTTPS": "false",
        "BEHIND_PROXY": "true",
        "TRUSTED_PROXIES": PROXY_ADDRESS,
        "TASK_BACKEND": "immediate",
        **overrides,
    }


@dataclass
class Daphne:
    port: int
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def daphnes(count: int, env: dict, workdir: Path):
    processes: list[Daphne] = []
    try:
        for _ in range(count):
            port = free_port()
            log = workdir / f"daphne-{port}.log"
            with open(log, "w") as out:
                process = subprocess.Popen(
                    daphne_command(host="127.0.0.1", port=port),
                    cwd=BASE_DIR, env=env, stdout=out, stderr=out,
                )  # fmt: skip
            processes.append(Daphne(port, process, log))
        for daphne in processes:
            wait_for_port(daphne.port, daphne.process, f"daphne (see {daphne.log})", timeout=60)
        for daphne in processes:
            # Each answers on its own port (not another on a port both were given).
            assert daphne.process.poll() is None, f"daphne exited (see {daphne.log})"
        yield processes
    finally:
        for daphne in processes:
            if daphne.process.poll() is None:
                daphne.process.terminate()
        for daphne in processes:
            stop(daphne.process)


def seed(env: dict, citizens: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.deploy.seed", str(citizens)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"seeding failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class Site:
    nginx: int
    daphnes: list[Daphne]
    world: dict
    database_url: str
    redis_url: str


@contextmanager
def site(workdir: Path, overrides: dict[str, str], *, processes: int = 2, citizens: int = 8):
    """PostgreSQL (throwaway), seeded; `processes` Daphnes; nginx in front.
    `overrides` name the Redis (REDIS_URL or REDIS_SENTINELS) and any other setting."""
    require(os.access(NGINX, os.X_OK), f"nginx at {NGINX}", "apt-get install nginx")
    require(postgres.available(), "PostgreSQL server", "apt-get install postgresql")
    with ExitStack() as stack:
        database = stack.enter_context(postgres.ThrowawayPostgres())
        env = site_env(database.url, overrides)
        world = seed(env, citizens)
        started = stack.enter_context(daphnes(processes, env, workdir))
        port = stack.enter_context(nginx(workdir / "nginx", [d.port for d in started]))
        yield Site(port, started, world, database.url, overrides.get("REDIS_URL", ""))


# --- A visitor ----------------------------------------------------------------


@dataclass
class Visitor:
    """A browser without JavaScript: cookies kept, redirects not followed,
    speaking from `source` to whichever port it is told."""

    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, port: int, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict, str]:  # fmt: skip
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=20, source_address=(self.source, 0)
        )
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form})
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, dict(response.headers), text

    def sign_in(self, port: int, email: str) -> None:
        self.request(port, "GET", "/accounts/login/")
        status, _headers, _ = self.request(
            port, "POST", "/accounts/login/", {"login": email, "password": PASSWORD}
        )
        assert status == 302 and "sessionid" in self.cookies, f"sign-in answered {status}"

    def post_comment(self, port: int, world: dict, body: str) -> int:
        form = {"body": body, "section": world["section"], "parent": "",
                "started": world["started"], "website": ""}  # fmt: skip
        status, headers, _ = self.request(
            port, "POST", f"/consultations/{world['slug']}/comments/", form
        )
        if status == 302 and "/accounts/login" in headers.get("Location", ""):
            return 401
        return status
