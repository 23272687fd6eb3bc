"""A Redis master, its replica and a Sentinel watching them, on loopback
ports, for the Sentinel test. Debian's `redis-sentinel` when installed, else
the same server binary with --sentinel."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from consult.infra.redis_server import free_port, redis_server_binary

MASTER_NAME = "consult"


def sentinel_command(conf: Path) -> list[str]:
    binary = shutil.which("redis-sentinel")
    return [binary, str(conf)] if binary else [redis_server_binary(), str(conf), "--sentinel"]


@dataclass
class Watched:
    password: str
    sentinel_port: int
    ports: tuple[int, int]  # the first master, then its replica

    def sentinel(self) -> redis.Redis:
        return redis.Redis(port=self.sentinel_port, decode_responses=True)

    def master_port(self) -> int:
        _host, port = self.sentinel().sentinel_get_master_addr_by_name(MASTER_NAME)
        return int(port)

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, password=self.password, decode_responses=True)

    def _role(self, port: int) -> str:
        return self.node(port).info("replication")["role"]

    def fail_over(self, timeout: float = 30) -> int:
        """SENTINEL FAILOVER, then wait until the replica is master and the old
        master follows it; returns the new master's port."""
        before = self.master_port()
        # Replication is asynchronous: what was written before the failover
        # survives it only once the replica has it (Redis's WAIT).
        if self.node(before).wait(1, 5000) != 1:
            raise AssertionError("the replica did not acknowledge the writes before the failover")
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sentinel().execute_command("SENTINEL", "FAILOVER", MASTER_NAME)
                break
            except redis.exceptions.ResponseError as error:
                # The Sentinel refreshes what it knows of the replica every
                # few seconds; until it has, it finds no replica to promote.
                if "NOGOODSLAVE" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        while time.monotonic() < deadline:
            after = self.master_port()
            if after != before and self._role(before) == "slave" and self._role(after) == "master":
                return after
            time.sleep(0.2)
        raise AssertionError(f"no failover within {timeout} s")


@contextmanager
def master_replica_sentinel(workdir: Path):
    workdir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(16)
    master, replica, sentinel = free_port(), free_port(), free_port()
    processes = []
    try:
        for port, extra in ((master, []), (replica, ["--replicaof", "127.0.0.1", str(master)])):
            command = [
                redis_server_binary(), "--bind", "127.0.0.1", "--port", str(port),
                "--save", "", "--appendonly", "no", "--dir", str(workdir),
                "--logfile", str(workdir / f"redis-{port}.log"),
                "--requirepass", password, "--masterauth", password, *extra,
            ]  # fmt: skip
            processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        conf = workdir / "sentinel.conf"
        conf.write_text(
            f"port {sentinel}\nbind 127.0.0.1\ndir {workdir}\n"
            f"logfile {workdir / 'sentinel.log'}\n"
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master} 1\n"
            f"sentinel auth-pass {MASTER_NAME} {password}\n"
            f"sentinel down-after-milliseconds {MASTER_NAME} 2000\n"
            f"sentinel failover-timeout {MASTER_NAME} 10000\n"
        )
        processes.append(subprocess.Popen(sentinel_command(conf), stdout=subprocess.DEVNULL))
        watched = Watched(password, sentinel, (master, replica))
        _wait_until_ready(watched)
        yield watched
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def _wait_until_ready(watched: Watched, timeout: float = 30) -> None:
    """The replica in sync and known to the Sentinel, so that a failover can happen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            synced = watched.node(watched.ports[1]).info("replication")["master_link_status"]
            replicas = watched.sentinel().sentinel_slaves(MASTER_NAME)
            if synced == "up" and replicas:
                return
        except (redis.RedisError, KeyError):
            pass
        time.sleep(0.2)
    raise RuntimeError("the Sentinel did not see a synced replica in time")
