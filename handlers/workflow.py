"""Workflow Builder steps (custom functions declared in app.manifest.yaml): `log_interaction_step`
and `contact_status_step`.

Bolt acknowledges the `function_executed` event at once; the step then does its one write and
ends with `functions.completeSuccess` (outputs) or `functions.completeError` (a message for the
workflow's builder) straight away, before any slow side effect: the timeline refresh a logged
interaction needs runs after the step has completed. Those side effects use the app's own bot
token: the event's just-in-time token (Bolt puts it on `client`) is revoked once the step
completes.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.errors import DomainError
from bot.services import AfterAnswer, Services
from bot.services import workflow as workflow_service
from handlers.common import as_dict, listener
from handlers.errors import apology

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.function(workflow_service.LOG_STEP)(listener(log_interaction_step))
    app.function(workflow_service.STATUS_STEP)(listener(contact_status_step))


def log_interaction_step(
    client: WebClient,
    context: BoltContext,
    inputs: dict,
    complete: Callable[..., None],
    fail: Callable[..., None],
    svc: Services,
    after: AfterAnswer,
) -> None:
    step = _Step(workflow_service.LOG_STEP, context)
    try:
        logged = workflow_service.log_interaction_step(
            svc,
            _bot_client(client, context),
            step.team_id,
            as_dict(inputs),
            execution_id=step.execution_id,
            now=svc.now(),
            after=after,
        )
    except Exception as error:
        step.failed(fail, error)
        return
    if not logged.created:
        logger.info(
            "execution %s was delivered again: interaction %s is logged once",
            step.execution_id,
            logged.record.id,
        )
    step.completed(complete, logged.outputs)


def contact_status_step(
    context: BoltContext,
    inputs: dict,
    complete: Callable[..., None],
    fail: Callable[..., None],
    svc: Services,
) -> None:
    step = _Step(workflow_service.STATUS_STEP, context)
    try:
        outputs = workflow_service.contact_status_step(svc, step.team_id, as_dict(inputs), now=svc.now())
    except Exception as error:
        step.failed(fail, error)
        return
    step.completed(complete, outputs)


class _Step:
    """One execution: its ids from the verified event, and how long it took to complete."""

    def __init__(self, name: str, context: BoltContext) -> None:
        self.name = name
        self.execution_id = context.function_execution_id or ""
        # The workspace from the verified envelope, never from the step's inputs.
        self.team_id = context.team_id or context.enterprise_id or ""
        self.started = time.monotonic()
        logger.info("step %s: execution %s started in %s", name, self.execution_id, self.team_id)

    def _ms(self) -> int:
        return round((time.monotonic() - self.started) * 1000)

    def completed(self, complete: Callable[..., None], outputs: dict) -> None:
        try:
            complete(outputs=outputs)
        except SlackApiError as error:  # e.g. a redelivered execution Slack already closed
            logger.warning(
                "step %s: execution %s not completed: %s",
                self.name,
                self.execution_id,
                error.response.get("error"),
            )
            return
        logger.info("step %s: execution %s completed in %d ms", self.name, self.execution_id, self._ms())

    def failed(self, fail: Callable[..., None], error: Exception) -> None:
        if isinstance(error, DomainError):
            message = workflow_service.step_error_message(error)
        else:
            message = apology(error, f"step {self.name} (execution {self.execution_id})")
        try:
            fail(error=message)
        except SlackApiError as api_error:
            logger.warning(
                "step %s: execution %s not ended: %s",
                self.name,
                self.execution_id,
                api_error.response.get("error"),
            )
            return
        logger.info(
            "step %s: execution %s ended with an error in %d ms: %s",
            self.name,
            self.execution_id,
            self._ms(),
            message,
        )


def _bot_client(client: WebClient, context: BoltContext) -> WebClient:
    """`client` with the app's bot token instead of the step's short-lived one."""
    if not context.bot_token or client.token == context.bot_token:
        return client
    bot = copy.copy(client)
    bot.token = context.bot_token
    return bot
