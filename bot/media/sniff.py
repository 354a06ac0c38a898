"""What a file's first bytes and its link say of it: type, size, pixels, codec, expiry. Pure."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import imagesize

# Tavus takes training files up to this size.
MOST_BYTES = 750 * 1024 * 1024
# Tavus needs the link to stay downloadable this long after the create.
LINK_LIFETIME = timedelta(hours=24)
# Tavus's smallest training image.
SMALLEST_SIDE = 512
# How much of a file is read: enough for an image's header, and for most MP4s' movie box when it
# comes first ("fast start"); a file whose index is at its end keeps its codec unchecked.
HEAD_BYTES = 256 * 1024

_H264 = {b"avc1", b"avc3"}
_HEVC = {b"hvc1", b"hev1"}
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What the answer to a ranged GET says about a file."""

    content_type: str  # the media type, lower case, without parameters ("" if none)
    size: int | None  # the whole file's size, if the answer says it
    width: int | None = None  # an image's pixels, if its header was read
    height: int | None = None
    codec: str | None = None  # a video's: "h264", "hevc" or another sample entry; None unread


def sniff(headers: Mapping[str, str], head: bytes) -> Sniffed:
    """Read the answer's headers and the file's first bytes."""
    content_type = headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    size = _size(headers)
    width_height = image_size(head)
    return Sniffed(
        content_type=content_type,
        size=size,
        width=width_height[0] if width_height else None,
        height=width_height[1] if width_height else None,
        codec=video_codec(head),
    )


def _size(headers: Mapping[str, str]) -> int | None:
    # A ranged answer (206) names the whole size after the slash: "bytes 0-1023/4096".
    total = headers.get("Content-Range", "").rpartition("/")[2].strip()
    if total.isdigit():
        return int(total)
    length = headers.get("Content-Length", "").strip()
    # Without Content-Range, the server ignored the range: Content-Length is the whole file.
    return int(length) if length.isdigit() and "Content-Range" not in headers else None


def image_size(head: bytes) -> tuple[int, int] | None:
    """An image's width and height from its first bytes: PNG, JPEG, GIF or WebP."""
    if not head.startswith(_IMAGES):
        return None
    try:
        width, height = imagesize.get(io.BytesIO(head))
    except ValueError:  # a header that says it is an image and is not one
        return None
    return (width, height) if width > 0 and height > 0 else None


# The signatures of the images Tavus takes (imagesize reads more kinds: TIFF, SVG, BMP…).
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"GIF87a", b"GIF89a", b"RIFF")


def video_codec(head: bytes) -> str | None:
    """The video sample entry of an MP4/MOV whose movie box is within `head`; None if unread."""
    entries = _sample_entries(head, 0, len(head))
    for entry in entries:
        if entry in _H264:
            return "h264"
        if entry in _HEVC:
            return "hevc"
    return entries[0].decode("latin-1").strip() if entries else None


def _sample_entries(data: bytes, start: int, end: int) -> list[bytes]:
    """The four-letter codes of every stsd sample entry in the boxes between start and end."""
    found: list[bytes] = []
    at = start
    while at + 8 <= end:
        size = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        header = 8
        if size == 1 and at + 16 <= end:
            size, header = int.from_bytes(data[at + 8 : at + 16], "big"), 16
        elif size == 0:
            size = end - at
        if size < header:
            break
        stop = min(at + size, end)
        if kind in _CONTAINERS:
            found += _sample_entries(data, at + header, stop)
        elif kind == b"stsd" and at + header + 16 <= stop:
            # version+flags (4), entry count (4), then each entry: size (4) and its code (4).
            found.append(data[at + header + 12 : at + header + 16])
        at += size
    return found


_AMZ_DATE = "%Y%m%dT%H%M%SZ"
# Seconds a presigned link may say it lasts, read at most this long: S3 and GCS allow 7 days.
_MOST_DIGITS = 12
_EPOCH_SECONDS = re.compile(r"[0-9]{9,11}")


class UnreadableExpiry(ValueError):
    """A link says when it expires, but not in a way that can be read (or in a year past 9999)."""


def link_expires(url: str) -> datetime | None:
    """When a presigned link stops working (S3, GCS, Azure, CloudFront); None if it does not say.

    UnreadableExpiry if it says so unreadably: such a link cannot be judged, and a value made
    to break the reading (X-Amz-Expires=99999999999999999999) must not let it pass unchecked.
    """
    query = {key.lower(): values[-1] for key, values in parse_qs(urlsplit(url).query).items()}
    try:
        return _expiry(query)
    except (ValueError, OverflowError) as exc:
        raise UnreadableExpiry(f"the link's expiry cannot be read: {type(exc).__name__}") from exc


def _expiry(query: Mapping[str, str]) -> datetime | None:
    for date_key, expires_key in (
        ("x-amz-date", "x-amz-expires"),
        ("x-goog-date", "x-goog-expires"),
    ):
        if expires_key in query:
            seconds = query[expires_key]
            # isdigit alone takes "²", which int() refuses; a long run is no real lifetime.
            if not (seconds.isascii() and seconds.isdigit()) or len(seconds) > _MOST_DIGITS:
                raise ValueError(f"{expires_key} is not a number of seconds")
            signed = datetime.strptime(query.get(date_key, ""), _AMZ_DATE).replace(tzinfo=UTC)
            return signed + timedelta(seconds=int(seconds))
    if "se" in query and "sig" in query:  # Azure SAS: se is the expiry, ISO 8601
        moment = datetime.fromisoformat(query["se"].replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    expires = query.get("expires")
    if expires is None:
        return None
    if _EPOCH_SECONDS.fullmatch(expires):  # CloudFront (and S3 v2): seconds since 1970
        return datetime.fromtimestamp(int(expires), UTC)
    if "signature" in query:  # a signed CloudFront link whose expiry is not seconds
        raise ValueError("Expires is not a number of seconds")
    return None
