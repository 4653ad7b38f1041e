"""Slack request verification that can only say yes or no.

slack_sdk's `SignatureVerifier.is_valid` raises on a timestamp that isn't a number; inside
Bolt that turned a forged request into a call of the global error handler, which then acted on
the unverified body. Here every malformed header is simply "not verified": 401, nothing else.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from slack_bolt.middleware.request_verification import RequestVerification
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

# Set in the context once a request has passed verification (or came over Socket Mode).
VERIFIED_KEY = "touchbase_request_verified"
# Slack's replay window: a signed request older (or newer) than this is refused.
MAX_AGE_SECONDS = 5 * 60

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
SLACK_HOOK_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})


def is_valid_slack_request(
    signing_secret: str,
    body: bytes | str,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float | None = None,
) -> bool:
    """True only for a well-formed, fresh v0 signature of exactly this body."""
    if not signing_secret or not timestamp or not signature:
        return False
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    try:
        expected = SignatureVerifier(signing_secret).generate_signature(timestamp=timestamp, body=body)
    except (TypeError, ValueError, UnicodeError):
        return False
    return expected is not None and _constant_time_equal(expected, signature)


def _constant_time_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


class StrictRequestVerification(RequestVerification):
    """Bolt's verification middleware, total: malformed headers answer 401 instead of raising."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if self._can_skip(req.mode, req.body):
            req.context[VERIFIED_KEY] = True  # Socket Mode: the connection itself is authenticated
            return next()
        timestamps = req.headers.get("x-slack-request-timestamp") or []
        signatures = req.headers.get("x-slack-signature") or []
        timestamp = timestamps[0] if timestamps else None
        signature = signatures[0] if signatures else None
        if is_valid_slack_request(self._signing_secret, req.raw_body, timestamp, signature):
            req.context[VERIFIED_KEY] = True
            return next()
        self.logger.info("Refused a request that failed signature verification")
        return self._build_error_response()


def allowed_response_url(url: object, slack_api_url: str | None) -> bool:
    """A response_url is used only when it points at Slack's hooks (or the configured API host)."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host in SLACK_HOOK_HOSTS:
        return True
    if slack_api_url:
        configured = urlsplit(slack_api_url)
        return (
            parts.scheme == configured.scheme
            and host == (configured.hostname or "").lower()
            and parts.port == configured.port
        )
    return False
