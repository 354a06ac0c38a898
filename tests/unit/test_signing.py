"""Signed expiring links and stored digests: one signer and one digest for every feature."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from bot import signing
from bot.signing import Checked

SECRET = b"s" * 32
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
EXPIRES = int((NOW + timedelta(minutes=15)).timestamp())


def test_the_signature_on_the_wire_is_the_hmac_of_payload_separator_and_expiry() -> None:
    # Links already handed out must keep working: this is their format, byte for byte.
    media = hmac.new(SECRET, f"k.mp4:{EXPIRES}".encode(), hashlib.sha256).hexdigest()
    connect = hmac.new(SECRET, f"nonce.{EXPIRES}".encode(), hashlib.sha256).hexdigest()

    assert signing.signature(SECRET, "k.mp4", EXPIRES) == media
    assert signing.signature(SECRET, "nonce", EXPIRES, separator=".") == connect


def test_a_link_holds_until_its_expiry_and_stops_at_it() -> None:
    sig = signing.signature(SECRET, "nonce", EXPIRES, separator=".")

    def at(moment: datetime) -> Checked:
        return signing.check(SECRET, "nonce", str(EXPIRES), sig, now=moment, separator=".")

    assert at(NOW) is Checked.GOOD
    assert at(datetime.fromtimestamp(EXPIRES - 1, UTC)) is Checked.GOOD
    assert at(datetime.fromtimestamp(EXPIRES, UTC)) is Checked.EXPIRED
    assert at(NOW + timedelta(days=1)) is Checked.EXPIRED


@pytest.mark.parametrize(
    ("secret", "payload", "expires", "separator"),
    [
        (b"x" * 32, "nonce", str(EXPIRES), "."),  # another secret
        (SECRET, "nonce2", str(EXPIRES), "."),  # another payload
        (SECRET, "nonce", str(EXPIRES + 1), "."),  # a later expiry
        (SECRET, "nonce", str(EXPIRES), ":"),  # another link format
    ],
)
def test_a_link_changed_in_any_part_is_forged(
    secret: bytes, payload: str, expires: str, separator: str
) -> None:
    sig = signing.signature(SECRET, "nonce", EXPIRES, separator=".")

    assert signing.check(secret, payload, expires, sig, now=NOW, separator=separator) is (
        Checked.FORGED
    )


@pytest.mark.parametrize("expires", ["", "-1", "1.5", " 1", "²", "١٢٣", "9" * 13])
def test_an_expiry_that_is_not_plain_digits_is_forged(expires: str) -> None:
    sig = signing.signature(SECRET, "nonce", 1)

    assert signing.check(SECRET, "nonce", expires, sig, now=NOW) is Checked.FORGED


def test_a_signature_beyond_ascii_is_forged_rather_than_an_error() -> None:
    assert signing.check(SECRET, "nonce", str(EXPIRES), "é" * 64, now=NOW) is Checked.FORGED


def signed_link(key: str) -> tuple[str, str]:
    """The expiry and signature of a media link to `key`, as the bot's own signer makes them."""
    query = dict(
        part.split("=") for part in signing.query(SECRET, key, NOW + timedelta(1)).split("&")
    )
    return query["expires"], query["sig"]


def test_a_media_link_to_a_key_shaped_like_a_stored_file_holds() -> None:
    key = "0123456789abcdef" * 2 + ".mp4"

    assert signing.valid(SECRET, key, *signed_link(key), now=NOW)


@pytest.mark.parametrize(
    "key",
    [
        "../x.mp4",
        "../../etc/passwd",
        "0" * 32 + ".mp4/../../x.mp4",
        "/etc/" + "0" * 32 + ".mp4",
        "0" * 32 + ".exe",
        "0" * 32 + ".mp4\n",
        "A" * 32 + ".mp4",
    ],
)
def test_a_media_link_signed_for_a_key_no_stored_file_has_is_refused(key: str) -> None:
    expires, sig = signed_link(key)
    # The signature itself holds: only the key's shape can refuse the link.
    assert signing.check(SECRET, key, expires, sig, now=NOW) is Checked.GOOD

    assert not signing.valid(SECRET, key, expires, sig, now=NOW)


def test_a_stored_digest_matches_its_secret_only() -> None:
    stored = signing.digest("a-session-cookie")

    assert stored == hashlib.sha256(b"a-session-cookie").hexdigest()
    assert signing.matches("a-session-cookie", stored)
    assert not signing.matches("a-session-cookie ", stored)
    assert not signing.matches(stored, stored)
    assert not signing.matches("a-session-cookie", "é" * 64)
