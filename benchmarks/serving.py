"""Subprocess servers: `touchbase serve` and the bare Bolt app, started, probed, measured, stopped."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import DATA_DIR, REPO_DIR, clean_env, vm_hwm_kib

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def touchbase_command(port: int, workers: int = 1) -> list[str]:
    """`touchbase serve` (as `python -m bot`, the same entry point without relying on PATH)."""
    extra = ["--workers", str(workers)] if workers > 1 else []
    return [
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--no-scheduler",
        *extra,
    ]


def bare_command(port: int) -> list[str]:
    return [sys.executable, "-m", "benchmarks.bare_app", "--port", str(port)]


def server_env(database_url: str, api_url: str, log_level: str = "INFO") -> dict[str, str]:
    return clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        DATABASE_URL=database_url,
        SLACK_API_URL=api_url,
        TOUCHBASE_LOG_LEVEL=log_level,
    )


def healthy(port: int, timeout: float = 1.0) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _cpu_of(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            found.append(int(entry.name))
    return found


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    ready_after: float | None = None
    _log: object = field(default=None, repr=False)

    def start(self, timeout: float = 60.0) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=str(REPO_DIR), stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = self.started_at + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode} before /healthz answered: "
                    f"{self.tail()}"
                )
            if healthy(self.port, timeout=0.5):
                self.ready_after = time.perf_counter() - self.started_at
                return self
            time.sleep(0.005)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout:.0f}s: {self.tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def hwm_kib(self) -> int | None:
        return vm_hwm_kib(self.pid) if self.process and self.process.poll() is None else None

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of the process and its live children (gunicorn workers)."""
        return sum(_cpu_of(pid) for pid in (self.pid, *_children(self.pid)))

    def wait_idle(self, *, quiet: float = 0.3, timeout: float = 120.0) -> float:
        """Wait until the process stops using CPU (its post-ack work is done); returns seconds waited."""
        started = time.perf_counter()
        last = self.cpu_seconds()
        quiet_since = time.perf_counter()
        while time.perf_counter() - started < timeout:
            time.sleep(0.05)
            now = self.cpu_seconds()
            if now - last > 0.011:  # more than a clock tick of work since the last look
                last = now
                quiet_since = time.perf_counter()
            elif time.perf_counter() - quiet_since >= quiet:
                break
        return time.perf_counter() - started

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log is not None:
            with contextlib.suppress(Exception):
                self._log.close()
            self._log = None


def touchbase_server(
    database_url: str, api_url: str, *, log_name: str = "touchbase-serve.log", workers: int = 1
) -> Server:
    port = free_port()
    return Server(
        "touchbase serve" + (f" --workers {workers}" if workers > 1 else ""),
        touchbase_command(port, workers),
        server_env(database_url, api_url),
        port,
        DATA_DIR / "logs" / log_name,
    )


def bare_server(api_url: str, *, log_name: str = "bare-app.log") -> Server:
    port = free_port()
    return Server(
        "bare Bolt app",
        bare_command(port),
        server_env("sqlite://", api_url),
        port,
        DATA_DIR / "logs" / log_name,
    )
