"""The Web API client: Slack's own retry handlers, pointed at `SLACK_API_URL`."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings
from bot.slack_log import SlackErrorLog


def retry_handlers() -> list:
    # 429s wait for Retry-After (slack_sdk sleeps it), then try again. SlackErrorLog only
    # logs failed answers (method and error code); it never retries.
    return [
        SlackErrorLog(),
        ConnectionErrorRetryHandler(max_retry_count=1),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=1),
    ]


def build_client(settings: Settings, *, timeout: int = 10) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=retry_handlers(),
    )
