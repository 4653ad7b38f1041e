"""`touchbase serve` as a real process, for tests that need processes: workers, SIGTERM, SIGKILL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "TOUCHBASE_"))}
    env.pop("PORT", None)
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


@dataclass
class ServeProcess:
    process: subprocess.Popen
    port: int
    log_path: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "healthz", timeout=1) as response:
                    if json.load(response)["ok"] is True:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"touchbase serve never became healthy; log:\n{self.log()[-4000:]}")
            time.sleep(0.1)

    def terminate(self, timeout: float = 20) -> float:
        """SIGTERM; returns seconds until the process exited."""
        start = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=timeout)
        return time.monotonic() - start

    def kill(self) -> None:
        """SIGKILL the server and, for --workers, its whole process group (master and workers at once)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.terminate(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_serve(tmp_path: Path, *args: str, env: dict[str, str], port: int | None = None) -> ServeProcess:
    port = port or free_port()
    log_path = tmp_path / f"serve-{port}-{time.monotonic_ns()}.log"
    with log_path.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), "--host", "127.0.0.1", *args],
            cwd=tmp_path,
            env=clean_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: a SIGKILL can take master and workers
        )
    return ServeProcess(process, port, log_path)
