"""Signed media links: a key, when the link stops working, and an HMAC over both. Pure."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

# What a stored file's key may be: random hex and an extension; nothing that walks a path.
KEY = re.compile(r"^[0-9a-f]{32}\.(mp4|mov|m4v|webm|png|jpg|jpeg|webp)$")


def signature(secret: bytes, key: str, expires: int) -> str:
    """The HMAC-SHA256 of a key and its expiry (seconds since 1970), as hex."""
    return hmac.new(secret, f"{key}:{expires}".encode(), hashlib.sha256).hexdigest()


def query(secret: bytes, key: str, expires: datetime) -> str:
    """The query string that lets a link to `key` work until `expires`."""
    stamp = int(expires.timestamp())
    return f"expires={stamp}&sig={signature(secret, key, stamp)}"


def valid(secret: bytes, key: str, expires: str, sig: str, *, now: datetime) -> bool:
    """Whether a link's signature is this key's, and it has not expired."""
    if not KEY.match(key) or not expires.isdigit():
        return False
    if int(expires) < now.timestamp():
        return False
    return hmac.compare_digest(signature(secret, key, int(expires)), sig)
