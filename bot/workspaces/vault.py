"""The vault: secrets at rest (bot tokens, Tavus keys, signing keys) sealed with SECRETS_KEYS.

`cryptography`'s MultiFernet seals with the first key and opens with any of them, so a new key
is put first, every row is resealed (`python -m bot rotate-keys`), and then the old one goes.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Protocol

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


class KeyTable(Protocol):
    """Where the bot's own keys are kept (the store's `keys`), each value as it is given."""

    async def get(self, name: str, *, make: Callable[[], str]) -> str: ...

    async def stored(self) -> dict[str, str]: ...

    async def replace(self, name: str, /, *, was: str, now: str) -> bool: ...


# A signing key as the bot made it before it sealed them: 256 random bits in hex.
_PLAIN = re.compile(r"[0-9a-f]{64}")


class SigningKeys:
    """The bot's own HMAC keys (media links, Connect Tavus links), sealed when SECRETS_KEYS is set.

    Made once, whichever instance asks first. One kept unsealed (made before SECRETS_KEYS was
    set, or before keys were sealed) is read as it is and sealed in place: links signed with
    it keep working, and the database holds it in clear no longer.
    """

    def __init__(self, table: KeyTable, vault: Vault | None) -> None:
        self._table = table
        self._vault = vault

    async def get(self, name: str) -> bytes:
        """The key called `name` (made if it does not exist yet); Unreadable if none opens it."""
        kept = await self._table.get(name, make=self._make)
        if not _PLAIN.fullmatch(kept):
            if self._vault is None:
                raise Unreadable(f"the {name} signing key is sealed, and SECRETS_KEYS is not set")
            return bytes.fromhex(self._vault.open(kept))
        if self._vault is not None:
            # Another instance sealing it at the same time makes no difference: same key.
            await self._table.replace(name, was=kept, now=self._vault.seal(kept))
        return bytes.fromhex(kept)

    async def sealed(self) -> dict[str, str]:
        """The keys kept sealed, by name (for resealing with a new key)."""
        return {
            name: kept
            for name, kept in (await self._table.stored()).items()
            if not _PLAIN.fullmatch(kept)
        }

    async def reseal(self, name: str, /, *, was: str, now: str) -> bool:
        """Replace one sealed key by the same key sealed anew; False if it changed meanwhile."""
        return await self._table.replace(name, was=was, now=now)

    def _make(self) -> str:
        made = secrets.token_hex(32)
        return made if self._vault is None else self._vault.seal(made)
