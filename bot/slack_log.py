"""Slack Web API errors in the log, with the method and Slack's error code.

    Slack API chat.postMessage failed: not_in_channel

slack_sdk has no response hook, but it shows every response to the client's retry
handlers, and Bolt copies the app client's handlers into each request's client. So this
"retry handler" never retries: it only logs answers with `"ok": false` and HTTP errors
(fields `slack_method`, `slack_error`, `http_status`), and leaves the retrying to the others.
Callers still get their `SlackApiError` and decide what to do (e.g. DM instead of posting).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

logger = logging.getLogger("touchbase.slack")


class SlackErrorLog(RetryHandler):
    def __init__(self) -> None:
        super().__init__(max_retry_count=0)

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        try:
            _log_answer(request, response)
        except Exception:  # never let logging break a call
            logger.debug("couldn't log a Slack API answer", exc_info=True)
        return False


def _log_answer(request: HttpRequest, response: HttpResponse | None) -> None:
    if response is None:
        return  # a network error: slack_sdk logs it, and the caller gets the exception
    method = urlsplit(request.url).path.rstrip("/").rsplit("/", 1)[-1]
    body = response.body
    if not body and response.data:
        try:
            body = json.loads(response.data)
        except (ValueError, UnicodeDecodeError):
            body = {}
    body = body if isinstance(body, dict) else {}
    status = response.status_code
    if status == 200 and body.get("ok", True):
        return
    code = body.get("error") or ("ratelimited" if status == 429 else f"http_{status}")
    message = f"Slack API {method} failed: {code}"
    if status != 200:
        message += f" (HTTP {status})"
    if status == 429:
        retry_after = {k.lower(): v for k, v in response.headers.items()}.get("retry-after")
        if isinstance(retry_after, list):
            retry_after = retry_after[0] if retry_after else None
        message += f", retried after {retry_after} s" if retry_after else ""
    if body.get("needed"):
        message += f" (needs scope {body['needed']})"
    logger.warning(message, extra={"slack_method": method, "slack_error": code, "http_status": status})
