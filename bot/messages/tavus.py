"""Tavus's failures in plain words: a create that did not go through, trouble, training hints."""

from __future__ import annotations

import re

from bot.messages.form import CONSENT_STATEMENT
from bot.tavus import TavusError, TavusRejected, TavusTimeout, TavusUncertain

# Why a create did not go through, in plain words.
CREATE_TIMEOUT = (
    "Tavus did not answer in time, so I can't tell whether the replica was created. Check your "
    "replicas in the Tavus portal before trying again, so you are not charged twice."
)
CREATE_UNAUTHORIZED = (
    "Tavus refused the bot's API key ({message}). Ask whoever set up this bot to check "
    "TAVUS_API_KEY."
)
CREATE_NOT_ALLOWED = (
    "Tavus refused: {message}. Custom replicas need a paid Tavus plan with credits left; check "
    "your plan and billing in the Tavus portal."
)
CREATE_REFUSED = "Tavus refused the request: {message}. Fix the form and try again."
CREATE_UNCERTAIN = (
    "Tavus had trouble answering ({message}), so I can't tell whether the replica was created. "
    "Check your replicas in the Tavus portal before trying again, so you are not charged twice."
)
CREATE_UNAVAILABLE = "Tavus is not available right now ({message}). Try again in a few minutes."

# What went wrong at Tavus for anything but a create (Talk to it, so far).
TAVUS_KEY_REFUSED = "Tavus did not accept the bot's API key; an admin must check it."
TAVUS_NOT_ALLOWED = (
    "the Tavus account may not do this ({message}): check its plan and credits in the Tavus portal."
)
TAVUS_REFUSED = "Tavus said no ({message})."
TAVUS_UNREACHABLE = "Tavus did not answer in time. Nothing was opened; try again in a minute."

# Tavus's failure messages (and error type names), matched as whole words, with what to do.
FAILURE_HINTS: tuple[tuple[str, str], ...] = (
    (
        r"consent[ _]phrase",
        "Record the consent statement word for word, at the start of the training video or in "
        "a separate consent video: “" + CONSENT_STATEMENT + "”",
    ),
    (
        r"download(ing)?|download_link",
        "Tavus could not download the file. Use a direct download link (not a sharing page) "
        "that stays valid for at least 24 hours.",
    ),
    (
        r"750 ?mb|file_size",
        "The file is too large: keep it under 750 MB (export at 1080p, H.264).",
    ),
    (
        r"minimum duration|video_duration|too short",
        "The video is too short: record about 30 s of talking followed by 30 s of silence.",
    ),
    (
        r"25 ?fps|video_fps|frame rate",
        "Record at 25 frames per second or more.",
    ),
    (
        r"\.mp4|\.webm|h\.?264|codec|video_format|video_codec",
        "Use an .mp4 with H.264 video and AAC audio, or a .webm file.",
    ),
    (
        r"headnotfullyinframeerror|lookingstraightatcameraerror|\w*multipleforegroundpeopleerror",
        "Use a photo of one adult looking straight at the camera, head and shoulders fully in "
        "frame and centred.",
    ),
    (
        r"imagequalityerror",
        "Use a sharper, well-lit JPG or PNG of at least 512×512 px.",
    ),
    (
        r"appearsunder18error",
        "Tavus only clones adults: use a photo of an adult.",
    ),
    (
        r"\w*(lighting|background_noise|movement|second_person|obstruction|teeth_not_visible"
        r"|camera_angle)\w*|lighting|background noise|second person",
        "Re-record in a quiet, evenly lit room: one person, facing the camera at eye level, "
        "keeping still, nothing covering the face.",
    ),
)
# Whole words only: "format" must not match inside "information".
_HINT_PATTERNS = tuple(
    (re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])", re.IGNORECASE), hint)
    for pattern, hint in FAILURE_HINTS
)


def failure_hint(error_message: str | None) -> str | None:
    """A plain-language next step for a known kind of training failure, if any."""
    if not error_message:
        return None
    for pattern, hint in _HINT_PATTERNS:
        if pattern.search(error_message):
            return hint
    return None


def tavus_trouble(error: TavusError) -> str:
    """What went wrong at Tavus, in plain words, and what to do (for anything but a create)."""
    if isinstance(error, TavusRejected):
        if error.status == 401:
            return TAVUS_KEY_REFUSED
        if error.status in (402, 403):
            return TAVUS_NOT_ALLOWED.format(message=error.message)
        return TAVUS_REFUSED.format(message=error.message)
    return TAVUS_UNREACHABLE


def create_failure(error: TavusError) -> str:
    """Why a create request did not go through, and what to do about it."""
    if isinstance(error, TavusTimeout):
        return CREATE_TIMEOUT
    if isinstance(error, TavusUncertain):
        return CREATE_UNCERTAIN.format(message=str(error))
    if isinstance(error, TavusRejected):
        if error.status == 401:
            return CREATE_UNAUTHORIZED.format(message=error.message)
        if error.status in (402, 403):
            return CREATE_NOT_ALLOWED.format(message=error.message)
        return CREATE_REFUSED.format(message=error.message)
    return CREATE_UNAVAILABLE.format(message=str(error))


# What bot.messages re-exports: every word above (tests/unit/messages/test_messages.py checks it).
__all__ = [
    "CREATE_NOT_ALLOWED",
    "CREATE_REFUSED",
    "CREATE_TIMEOUT",
    "CREATE_UNAUTHORIZED",
    "CREATE_UNAVAILABLE",
    "CREATE_UNCERTAIN",
    "FAILURE_HINTS",
    "TAVUS_KEY_REFUSED",
    "TAVUS_NOT_ALLOWED",
    "TAVUS_REFUSED",
    "TAVUS_UNREACHABLE",
    "create_failure",
    "failure_hint",
    "tavus_trouble",
]
