"""Signed media links: a key, when the link stops working, and an HMAC over both. Pure."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

# What a stored file's key may be: random hex and an extension; nothing that walks a path.
# Always matched whole (fullmatch): `$` would also match before a trailing newline.
KEY = re.compile(r"[0-9a-f]{32}\.(mp4|mov|m4v|webm|png|jpg|jpeg|webp)")
# An expiry as links carry it: ASCII digits only (str.isdigit also takes "²" and "١٢٣", which
# int() refuses or reads), and few enough for int() (past 4,300 digits it raises).
EXPIRES = re.compile(r"[0-9]{1,12}")


def signature(secret: bytes, key: str, expires: int) -> str:
    """The HMAC-SHA256 of a key and its expiry (seconds since 1970), as hex."""
    return hmac.new(secret, f"{key}:{expires}".encode(), hashlib.sha256).hexdigest()


def query(secret: bytes, key: str, expires: datetime) -> str:
    """The query string that lets a link to `key` work until `expires`."""
    stamp = int(expires.timestamp())
    return f"expires={stamp}&sig={signature(secret, key, stamp)}"


def valid(secret: bytes, key: str, expires: str, sig: str, *, now: datetime) -> bool:
    """Whether a link's signature is this key's, and it has not expired."""
    if not KEY.fullmatch(key) or not EXPIRES.fullmatch(expires):
        return False
    if int(expires) < now.timestamp():
        return False
    # As bytes: compare_digest refuses a str with any character beyond ASCII (a TypeError).
    return hmac.compare_digest(signature(secret, key, int(expires)).encode(), sig.encode())
