"""A throwaway PostgreSQL database for the tests and benchmarks that need one.

Either a private server started from Debian's binaries (/usr/lib/postgresql/N/bin)
on a free loopback port, or, when DATABASE_URL already names a PostgreSQL
server, a fresh database on that server. Dropped or stopped at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from consult.infra.redis_server import free_port


def postgres_bin() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> tuple[int, ...]:
    number = Path(path).parent.parent.name
    return tuple(int(part) for part in number.split(".") if part.isdigit())


def external_server() -> str | None:
    """DATABASE_URL when it names a PostgreSQL server, else None."""
    url = os.environ.get("DATABASE_URL", "").strip()
    return url if urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"} else None


def available() -> bool:
    return bool(external_server() or postgres_bin())


class ThrowawayPostgres:
    """`with ThrowawayPostgres() as pg:` gives pg.url, an empty database.

    `durable=False` turns off fsync for tests; a benchmark keeps the server's
    ordinary durability, as production has it."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.url = ""
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._bin: Path | None = None
        self._server = external_server()
        self._name = f"consult_throwaway_{uuid.uuid4().hex[:10]}"

    def __enter__(self) -> ThrowawayPostgres:
        try:
            if self._server:
                self._create_on(self._server)
            else:
                self._start_private()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._server and self.url:
            self._admin(self._server, f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')
        if self._bin and self._tmp:
            self._as_owner(
                [str(self._bin / "pg_ctl"), "-D", self._data, "-m", "immediate", "stop"],
                check=False,
            )
        if self._tmp:
            self._tmp.cleanup()
        self.url = ""

    # --- on a server named by DATABASE_URL -----------------------------------

    def _create_on(self, server: str) -> None:
        self._admin(server, f'CREATE DATABASE "{self._name}"')
        self.url = urlsplit(server)._replace(path=f"/{self._name}").geturl()

    @staticmethod
    def _admin(server: str, statement: str) -> None:
        import psycopg

        # Through the server's maintenance database: the one DATABASE_URL
        # names may not exist (a test run creates test_<name>, not <name>).
        maintenance = urlsplit(server)._replace(path="/postgres").geturl()
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            connection.execute(statement)

    # --- a private server ----------------------------------------------------

    @property
    def _data(self) -> str:
        return str(Path(self._tmp.name) / "data")

    def _start_private(self) -> None:
        self._bin = postgres_bin()
        if not self._bin:
            raise RuntimeError(
                "no PostgreSQL server in /usr/lib/postgresql (apt-get install postgresql)"
            )
        self._tmp = tempfile.TemporaryDirectory(prefix="consult-pg-")
        root = Path(self._tmp.name)
        if os.geteuid() == 0:  # the server refuses to run as root
            shutil.chown(root, "postgres", "postgres")
        port = free_port()
        self._as_owner(
            [str(self._bin / "initdb"), "-D", self._data, "-U", "consult", "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8"]
        )  # fmt: skip
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._as_owner(
            [str(self._bin / "pg_ctl"), "-D", self._data, "-l", str(root / "server.log"),
             "-w", "-t", "60", "-o", options, "start"]
        )  # fmt: skip
        self._as_owner([str(self._bin / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                        "-U", "consult", "consult"])  # fmt: skip
        self.url = f"postgres://consult@127.0.0.1:{port}/consult"

    def _as_owner(self, command: list[str], *, check: bool = True) -> None:
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if check and done.returncode:
            raise RuntimeError(f"{Path(command[-1]).name}: {done.stderr.strip() or done.stdout}")
