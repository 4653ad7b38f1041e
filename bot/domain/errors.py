"""Typed domain errors. Handlers turn them into Slack answers in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors the user caused and can be told about."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing does not exist in the acting workspace (or was deleted)."""


class Forbidden(DomainError):
    """The actor may not do this (only the author or an admin may edit or delete)."""


class Conflict(DomainError):
    """The change clashes with existing data (e.g. a contact with that email exists)."""

    def __init__(self, message: str, existing_id: int | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class Invalid(DomainError):
    """Validation failed; `fields` maps field names to messages a person can act on."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = dict(fields)


class Busy(DomainError):
    """Every database connection stayed taken past the pool's short wait: try again shortly."""

    MESSAGE = "Touchbase is busy, try again in a moment."

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)
