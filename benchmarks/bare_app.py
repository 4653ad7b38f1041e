"""The reference app: Bolt with ack-only listeners, served exactly like Touchbase.

Same server type as `touchbase serve` in HTTP mode (waitress, 8 threads, Bolt's WSGI
SlackRequestHandler) and the same Bolt settings that matter to an ack (request
verification on, token verification off, a client pointed at SLACK_API_URL). Its one
job per request kind the benchmark sends (/log, /interactions, the log modal's
submission, a button) is to ack; nothing else runs, so its latency is the floor any
Bolt app on this server pays. `GET /healthz` answers without touching anything.

    python -m benchmarks.bare_app --port 3100
"""

from __future__ import annotations

import argparse
import logging
import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from blocks import ids

EVENTS_PATH = "/slack/events"


def create_bare_app() -> App:
    client = WebClient(
        token=os.environ.get("SLACK_BOT_TOKEN", "xoxb-bench"),
        base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
    )
    app = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
        logger=logging.getLogger("bare.bolt"),
    )

    def only_ack(ack):
        ack()

    app.command("/log")(only_ack)
    app.command("/interactions")(only_ack)
    app.view(ids.LOG_MODAL)(only_ack)
    app.action(ids.ACTION_SHOW_CONTACT)(only_ack)
    return app


class BareWSGI:
    def __init__(self, app: App) -> None:
        self.bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            body = b'{"ok": true}'
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return self.bolt(environ, start_response)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("TOUCHBASE_LOG_LEVEL", "INFO"))
    from waitress import serve

    serve(BareWSGI(create_bare_app()), host=args.host, port=args.port, threads=args.threads, ident="bare")


if __name__ == "__main__":
    main()
