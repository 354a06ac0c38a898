"""The vault: secrets at rest (bot tokens, Tavus keys) sealed with SECRETS_KEYS, newest first.

`cryptography`'s MultiFernet seals with the first key and opens with any of them, so a new key
is put first, every row is resealed (`python -m bot rotate-keys`), and then the old one goes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretsKeyError(ValueError):
    """SECRETS_KEYS holds something that is not a Fernet key (its value is never shown)."""


class Unreadable(Exception):
    """A sealed secret none of SECRETS_KEYS opens: its key was retired, or it was changed."""


def fernet_key(text: str, position: int) -> Fernet:
    """One key of SECRETS_KEYS, checked: 32 bytes in URL-safe base64, as Fernet.generate_key()."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != 32:
        raise SecretsKeyError(
            f"SECRETS_KEYS key {position} is not a Fernet key (32 bytes, URL-safe base64); "
            'make one with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"'
        )
    return Fernet(text.encode("ascii"))


class Vault:
    """Seals and opens secrets with SECRETS_KEYS: the first key seals, any key opens."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SecretsKeyError("SECRETS_KEYS holds no key")
        self._keys = MultiFernet([fernet_key(key, n) for n, key in enumerate(keys, start=1)])

    def seal(self, secret: str) -> str:
        """The secret, encrypted and authenticated with the newest key."""
        return self._keys.encrypt(secret.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        """The secret a sealed value holds; Unreadable if no key opens it."""
        try:
            return self._keys.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise Unreadable("a stored secret cannot be opened with SECRETS_KEYS") from exc

    def reseal(self, sealed: str) -> str:
        """The same secret sealed with the newest key (for rotate-keys)."""
        try:
            return self._keys.rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise Unreadable("a stored secret cannot be opened with SECRETS_KEYS") from exc
