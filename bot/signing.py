"""HMAC-signed expiring links (media files, Connect Tavus) and stored SHA-256 digests. Pure."""

from __future__ import annotations

import enum
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


class Checked(enum.Enum):
    """What a signed link's check found."""

    GOOD = "good"
    FORGED = "forged"  # not signed by this secret, or not a link at all
    EXPIRED = "expired"


def signature(secret: bytes, payload: str, expires: int, *, separator: str = ":") -> str:
    """The HMAC-SHA256, as hex, of a payload and its expiry (seconds since 1970).

    `separator` stands between them as each link's format has it: `key:expires` for media,
    `nonce.expiry` for Connect Tavus.
    """
    signed = f"{payload}{separator}{expires}".encode()
    return hmac.new(secret, signed, hashlib.sha256).hexdigest()


def check(
    secret: bytes, payload: str, expires: str, sig: str, *, now: datetime, separator: str = ":"
) -> Checked:
    """Whether `sig` signs `payload` until `expires` (as the link carries it), and still holds.

    The signature is compared in constant time; a link stops working at its expiry.
    """
    if not EXPIRES.fullmatch(expires):
        return Checked.FORGED
    # As bytes: compare_digest refuses a str with any character beyond ASCII (a TypeError).
    made = signature(secret, payload, int(expires), separator=separator).encode()
    if not hmac.compare_digest(made, sig.encode()):
        return Checked.FORGED
    return Checked.EXPIRED if int(expires) <= now.timestamp() else Checked.GOOD


def query(secret: bytes, key: str, expires: datetime) -> str:
    """The query string that lets a link to a media file `key` work until `expires`."""
    stamp = int(expires.timestamp())
    return f"expires={stamp}&sig={signature(secret, key, stamp)}"


def valid(secret: bytes, key: str, expires: str, sig: str, *, now: datetime) -> bool:
    """Whether a media link's signature is this key's, and it has not expired."""
    if not KEY.fullmatch(key):
        return False
    return check(secret, key, expires, sig, now=now) is Checked.GOOD


def digest(secret: str) -> str:
    """What is stored of a secret (a callback's, a session cookie): its SHA-256, as hex.

    Whoever reads the table learns nothing that opens a session or passes a callback.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(presented: str, stored: str) -> bool:
    """Whether a presented secret is the one whose digest was stored, in constant time."""
    return hmac.compare_digest(digest(presented).encode(), stored.encode())
