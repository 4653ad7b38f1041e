"""`touchbase serve --workers N`: N HTTP worker processes on one port, through gunicorn.

* The master process holds the listening socket and no database connection: the engine
  used for migrations and the start-up check is disposed before any fork, and each worker
  builds its own `Database`, Web API client and Bolt app after it was forked (gunicorn's
  `preload_app` is off), so no connection is ever shared across a fork.
* Workers are gthread workers: `WORKER_THREADS` request threads each, plus Bolt's listener
  executor; each worker's pool is sized to those threads (`pool_size_for`).
* The digest scheduler runs once per deployment: in one dedicated process that the master
  starts (`touchbase scheduler`, a fresh interpreter, not a fork of the master), restarts if
  it dies, and stops on shutdown;
  `--no-scheduler` leaves it out (run `touchbase scheduler` elsewhere). Workers never run it.
* SIGTERM to the master: the scheduler is told to stop, workers stop accepting, finish the
  requests in flight (and the listener work they started) within `GRACEFUL_SECONDS`, and the
  master exits, all within 15 s.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from bot.capacity import POOL_SPARE as POOL_SPARE  # re-exported: older imports keep working
from bot.capacity import pool_size_for as pool_size_for
from bot.capacity import scheduler_threads as scheduler_threads
from bot.settings import Settings
from storage.db import Database

logger = logging.getLogger("touchbase.workers")

WORKER_THREADS = 8
GRACEFUL_SECONDS = 10
SCHEDULER_STOP_SECONDS = 3


class SchedulerProcess:
    """`touchbase scheduler` as a child of the master: a fresh interpreter (fork + exec), which
    reads the same environment (and `.env`) the master did."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: subprocess.Popen | None = None
        self.stopping = False

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "scheduler"], close_fds=True)
        logger.info("started the scheduler process (pid %s)", self.process.pid)

    def check(self) -> None:
        """Restart the scheduler if it exited while we were not stopping."""
        if self.stopping or self.process is None or self.process.poll() is None:
            return
        # gunicorn's master reaps any child, so the exit status may be lost (reported as 0).
        logger.error("the scheduler process (pid %s) exited; restarting it", self.process.pid)
        self.start()

    def signal_stop(self) -> None:
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def join(self, timeout: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning(
                "the scheduler process (pid %s) did not stop in time; killing it", self.process.pid
            )
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(1)
        logger.info("scheduler process stopped (pid %s)", self.process.pid)


class TouchbaseArbiter(Arbiter):
    """gunicorn's master, which also keeps the one scheduler process."""

    scheduler: SchedulerProcess | None = None

    def manage_workers(self):
        super().manage_workers()
        if self.scheduler is not None:
            self.scheduler.check()

    def stop(self, graceful=True):
        started = time.monotonic()
        if self.scheduler is not None:
            self.scheduler.signal_stop()  # it finishes its tick while the workers drain
        super().stop(graceful)
        if self.scheduler is not None:
            left = max(1.0, GRACEFUL_SECONDS + SCHEDULER_STOP_SECONDS - (time.monotonic() - started))
            self.scheduler.join(left)
            self.scheduler = None


class TouchbaseGunicorn(BaseApplication):
    def __init__(
        self,
        settings: Settings,
        *,
        host: str,
        port: int,
        workers: int,
        scheduler: bool,
        threads: int = WORKER_THREADS,
    ) -> None:
        self.settings = settings
        self.host = host
        self.port = port
        self.workers = workers
        self.threads = threads
        self.with_scheduler = scheduler
        self.worker_db: Database | None = None
        super().__init__()

    def load_config(self) -> None:
        config = {
            "bind": f"{self.host}:{self.port}",
            "workers": self.workers,
            "worker_class": "gthread",
            "threads": self.threads,
            "graceful_timeout": GRACEFUL_SECONDS,
            "timeout": 30,
            "keepalive": 5,
            "preload_app": False,
            "proc_name": "touchbase",
            "loglevel": self.settings.log_level.lower(),
            "accesslog": None,
            "post_worker_init": self._post_worker_init,
            "worker_exit": self._worker_exit,
            "child_exit": self._child_exit,
            "when_ready": self._when_ready,
        }
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self):
        """Runs in each worker, after the fork: its own engine, client and Bolt app."""
        from bot.server import build_wsgi

        served = build_wsgi(self.settings, server_threads=self.threads, scheduler_threads=0)
        self.worker_db = served.db
        return served.wsgi

    # -------------------------------------------------------------- hooks

    def _when_ready(self, arbiter) -> None:
        logger.info(
            "Touchbase master (pid %d) listening on http://%s:%d/slack/events with %d workers",
            os.getpid(),
            self.host,
            self.port,
            self.workers,
        )
        if self.with_scheduler:
            arbiter.scheduler = SchedulerProcess(self.settings)
            arbiter.scheduler.start()

    def _post_worker_init(self, worker) -> None:
        logger.info("worker started (pid %d, %d threads)", worker.pid, self.threads)

    def _worker_exit(self, arbiter, worker) -> None:
        if self.worker_db is not None:
            self.worker_db.dispose()
        logger.info("worker stopped (pid %d)", worker.pid)

    def _child_exit(self, arbiter, worker) -> None:
        logger.info("worker process %d exited", worker.pid)

    def run(self) -> None:
        TouchbaseArbiter(self).run()


def serve_workers(settings: Settings, *, host: str, port: int, workers: int, scheduler: bool) -> int:
    TouchbaseGunicorn(settings, host=host, port=port, workers=workers, scheduler=scheduler).run()
    return 0
