"""Slack tokens at rest: Fernet-encrypted when `TOUCHBASE_TOKEN_KEY` is set.

A stored value that is not a Fernet token (a plain `xoxb-`/`xoxe-` token written before a
key was set) is read as is, so setting a key later needs no data migration: the next save
(install or rotation) encrypts it.
"""

from __future__ import annotations

import logging

from cryptography.fernet import Fernet, InvalidToken

logger = logging.getLogger("touchbase.tokens")

# Every Fernet token starts with version byte 0x80, base64url-encoded.
FERNET_PREFIX = "gAAAAA"


def generate_key() -> str:
    return Fernet.generate_key().decode()


def check_key(key: str) -> str | None:
    """None when `key` is a usable Fernet key, else what is wrong with it (for SettingsError)."""
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return (
            "must be a Fernet key: 32 url-safe base64-encoded bytes "
            '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")'
        )
    return None


class TokenCipher:
    """Encrypts and decrypts token columns; a cipher without a key stores plain text."""

    def __init__(self, key: str | None) -> None:
        self._fernet = Fernet(key.encode()) if key else None

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def encrypt(self, value: str | None) -> str | None:
        if value is None or self._fernet is None:
            return value
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str | None) -> str | None:
        if value is None or not value.startswith(FERNET_PREFIX):
            return value
        if self._fernet is None:
            logger.error("an installation token is encrypted but TOUCHBASE_TOKEN_KEY is not set")
            return None
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            logger.error("an installation token can't be decrypted with TOUCHBASE_TOKEN_KEY (wrong key?)")
            return None
