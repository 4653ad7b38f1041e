"""Process logging: `TOUCHBASE_LOG_FORMAT=text` (default) or `json`, one record per line.

JSON lines carry `ts` (UTC, ISO-8601 with milliseconds), `level`, `logger` and `message`,
then every field the record was logged with through `extra=` (the per-request line's
`kind`, `id`, `team`, `user`, `latency_ms`, `outcome`, `status`; a Slack API error's
`slack_method` and `slack_error`), and `exception` with the traceback when there is one.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "taskName"}
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Alembic narrates every migration step and APScheduler every tick at INFO; operators
# only need their warnings (the digest job logs its own summary). Bolt's signature check
# logs each refused request with its whole body (user text) at INFO; the request line
# (bot/request_log.py) says the same without the body.
NOISY_LOGGERS = ("alembic", "apscheduler", "slack_bolt.RequestVerification")
BOLT_LOGGER = "touchbase.bolt"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines inside values are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key not in entry:
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class _BoltClientTokenNotice(logging.Filter):
    """Drop Bolt's "As you gave `client` as well, `token` will be unused." warning.

    The app hands Bolt a ready client (it carries SLACK_API_URL, timeouts and retry
    handlers); Bolt then also reads SLACK_BOT_TOKEN from the environment on its own, finds
    it set (to the very token the client carries) and warns that it will be ignored. It is
    the same token, so the warning only misleads. Exactly that message is dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.WARNING and "`token` will be unused" in str(record.msg))


def formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT)


def quiet_bolt_notices(logger: logging.Logger | None = None) -> None:
    logger = logger or logging.getLogger(BOLT_LOGGER)
    if not any(isinstance(f, _BoltClientTokenNotice) for f in logger.filters):
        logger.addFilter(_BoltClientTokenNotice())


def configure(level: str, fmt: str = "text") -> None:
    """Send the process's records to stderr at `level`, as text or JSON lines.

    Like `logging.basicConfig`, it leaves alone a root logger that someone else set up
    (a test runner, an embedding program); running it again replaces only its own handler.
    """
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_touchbase", False)]
    if not root.handlers or ours:
        for handler in ours:
            root.removeHandler(handler)
        handler = logging.StreamHandler(sys.stderr)
        handler._touchbase = True  # type: ignore[attr-defined]
        handler.setFormatter(formatter(fmt))
        root.addHandler(handler)
        root.setLevel(getattr(logging, level))
    if level != "DEBUG":
        for noisy in NOISY_LOGGERS:
            logging.getLogger(noisy).setLevel(logging.WARNING)
    quiet_bolt_notices()
