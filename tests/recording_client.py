"""A WebClient that records every Web API call instead of sending it: for use-case tests without HTTP."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse


class RecordingClient(WebClient):
    def __init__(self, answers: dict[str, dict] | None = None) -> None:
        super().__init__(token="xoxb-recording")
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answers = answers or {}

    def api_call(
        self, api_method: str, *, json: dict | None = None, params: dict | None = None, **kwargs: Any
    ):  # type: ignore[override]
        args = {**(params or {}), **(json or {}), **(kwargs.get("data") or {})}
        self.calls.append((api_method, args))
        data = {"ok": True, "ts": f"1700000000.{len(self.calls):06d}", "channel": args.get("channel", "D1")}
        data.update(self.answers.get(api_method, {}))
        return SlackResponse(
            client=self,
            http_verb="POST",
            api_url=api_method,
            req_args={},
            data=data,
            headers={},
            status_code=200,
        )

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]
