"""Fault injection for the reminder pipeline: a Redis the test owns, and helpers around it.

`RedisServer` runs a redis-server of its own on a free port (never the shared one on 6379) that
a test can kill (SIGKILL, as an outage) and start again on the same port. The SMTP side is
tests/smtpsink.py (refuse with 4xx/5xx, delay, drop the connection).

These tests need PostgreSQL (the production database: row locks, concurrent sweeps):
`needs_postgres` skips them with the reason on the embedded SQLite defaults.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.conf import settings

# Fault tests' own port range (apart from the shared Redis on 6379 and the SMTP sink's range).
REDIS_PORTS = range(6390, 6400)

needs_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="fault tests run on PostgreSQL only (set DATABASE_URL=postgres://…); "
    "SQLite has no row locks to contend for",
)
needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)


def _port_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class RedisServer:
    """A throwaway redis-server on its own port; kill() is an outage, start() the recovery."""

    def __init__(self, workdir, port=None):
        self.workdir = workdir
        self.port = port or next((p for p in REDIS_PORTS if _port_free(p)), None)
        if self.port is None:
            raise RuntimeError(f"no free port in {REDIS_PORTS}")
        self.proc = None
        self.starts = 0

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout=15):
        self.starts += 1
        log = open(self.workdir / f"redis-{self.port}-{self.starts}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ping():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self):
        """SIGKILL: every connection drops at once and the data is gone (no persistence)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        self.kill()


class redis_server:  # noqa: N801 (used as a context manager, like smtp_sink)
    def __init__(self, workdir):
        self.server = RedisServer(workdir)

    def __enter__(self):
        return self.server.start()

    def __exit__(self, *exc):
        self.server.stop()
