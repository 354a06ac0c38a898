"""Redaction: every secret on a log line hidden, and its control characters written escaped."""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
from collections import OrderedDict
from urllib.parse import quote

HIDDEN = "…"
# A registered value shorter than this is no credential, and hiding it would garble every line.
SHORTEST_SECRET = 8
# Values registered one by one (each workspace's Tavus key) are kept up to this many; past it the
# one used longest ago is dropped (never a setting's). Bounded, so that neither memory nor the time
# a line takes to redact grows with what others can get registered.
MOST_SECRETS = 1000
# Up to this many distinct first characters a line is searched for each in turn (C's find, the
# quickest for a few); beyond, each of its windows is looked up once, whatever the count.
FEW_HEADS = 32

# Slack's tokens keep their kind (xoxb-…): which one leaked is worth knowing, and not secret.
_SLACK_TOKEN = re.compile(r"(xox[a-z](?:\.xox[a-z])?-|xapp-)[A-Za-z0-9-]+")
_FERNET = re.compile(r"gAAAAA[A-Za-z0-9_-]{20,}={0,2}")
_BEARER = re.compile(r"\b(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*", re.IGNORECASE)
_BASIC = re.compile(r"\b(Basic\s+)([A-Za-z0-9+/]{4,}={0,2})", re.IGNORECASE)
_API_KEY = re.compile(r"""(x-api-key['"]?\s*[:=]\s*['"]?)[^\s'",;}&]+""", re.IGNORECASE)
# The last segment of a callback URL is the job's secret: whoever has it can settle the job.
_CALLBACK = re.compile(r"""(/tavus/callback/[^/\s?#'"]+/)[^/\s?#'"&]+""")
# Signed media links: the bot's own and Azure SAS (sig=), S3's and GCS's presigned ones, and
# CloudFront's signed ones (Signature, Policy, Key-Pair-Id; Signature is GCS's V2 one too).
_SIGNED = re.compile(
    r"""\b(sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature"""
    r"""|X-Goog-Credential|Signature|Policy|Key-Pair-Id)=[^&\s'"#]+""",
    re.IGNORECASE,
)
# The text of exceptions, rendered once by the filter so that it can be redacted.
_EXCEPTIONS = logging.Formatter()
# What would end a line or move the cursor in whatever reads the log: an outside value carrying
# one could forge a line of its own. Written escaped, as Python writes them in a string.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A traceback's own lines are its structure: only its other control characters are escaped.
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class Redactor(logging.Filter):
    """Puts … for every secret in a record: its message, its arguments, exception and stack.

    Known shapes (Slack tokens, Bearer and Basic credentials, Fernet tokens, x-api-key values,
    callback secrets, link signatures), and every value registered with `add`. The message is
    also escaped: a control character in it (a newline) is written as its escape, never itself.

    Registered values are looked up by their first SHORTEST_SECRET characters, never compiled
    into a pattern: adding one costs the same however many there are, and a line costs the
    same to redact whether 10 or MOST_SECRETS are registered.
    """

    def __init__(self, most: int = MOST_SECRETS) -> None:
        super().__init__()
        self._most = most
        # The settings' secrets, kept for good; then the others, least recently added first.
        self._kept: set[str] = set()
        self._recent: OrderedDict[str, None] = OrderedDict()
        # Each form hidden (a value as it is, and URL-encoded), by its first characters, and how
        # many registered values have it (two may share a form).
        self._heads: dict[str, set[str]] = {}
        self._forms: dict[str, int] = {}
        # Lines are logged from other threads too, while the event loop registers values.
        self._lock = threading.Lock()

    def add(self, value: str | None, *, keep: bool = False) -> None:
        """Hide this value wherever it appears, as it is and URL-encoded.

        Kept for good with `keep` (the settings' secrets); otherwise among the MOST_SECRETS
        added most recently (adding one again counts as recent).
        """
        if value is None or len(value) < SHORTEST_SECRET:
            return
        with self._lock:
            if value in self._kept:
                return
            if keep:
                if value not in self._recent:
                    self._index(value)
                self._recent.pop(value, None)
                self._kept.add(value)
                return
            if value in self._recent:
                self._recent.move_to_end(value)
                return
            self._recent[value] = None
            self._index(value)
            while len(self._recent) > self._most:
                oldest, _ = self._recent.popitem(last=False)
                self._unindex(oldest)

    def __contains__(self, value: object) -> bool:
        """Whether this value is registered (and so hidden)."""
        with self._lock:
            return value in self._kept or value in self._recent

    def __len__(self) -> int:
        """How many values are registered."""
        with self._lock:
            return len(self._kept) + len(self._recent)

    def redact(self, text: str) -> str:
        """The text with every secret in it replaced by …."""
        text = self._hide_registered(text)
        text = _SLACK_TOKEN.sub(rf"\1{HIDDEN}", text)
        text = _FERNET.sub(HIDDEN, text)
        text = _BEARER.sub(rf"\1{HIDDEN}", text)
        text = _BASIC.sub(_basic, text)
        text = _API_KEY.sub(rf"\1{HIDDEN}", text)
        text = _CALLBACK.sub(rf"\1{HIDDEN}", text)
        return _SIGNED.sub(rf"\1={HIDDEN}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact and escape the record in place (every handler then sees it so); never drop it."""
        try:
            message = record.getMessage()
        except Exception:  # a log call must not raise, nor its arguments escape unredacted
            message = f"unformattable log message {record.msg!r} with arguments {record.args!r}"
        record.msg, record.args = escape(self.redact(message)), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _EXCEPTIONS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _CONTROL_BUT_NEWLINE.sub(_escaped, self.redact(record.exc_text))
        if record.stack_info:
            record.stack_info = _CONTROL_BUT_NEWLINE.sub(_escaped, self.redact(record.stack_info))
        return True

    def _hide_registered(self, text: str) -> str:
        with self._lock:
            heads = self._heads
            if not heads or len(text) < SHORTEST_SECRET:
                return text
            if len(heads) <= FEW_HEADS:
                found = [head for head in heads if head in text]
            else:
                windows = range(len(text) - SHORTEST_SECRET + 1)
                found = list(heads.keys() & {text[at : at + SHORTEST_SECRET] for at in windows})
            if not found:
                return text
            present = {form for head in found for form in heads[head] if form in text}
        # Longest first: a secret that contains another is hidden whole.
        for form in sorted(present, key=len, reverse=True):
            text = text.replace(form, HIDDEN)
        return text

    def _index(self, value: str) -> None:
        for form in {value, quote(value, safe="")}:
            self._forms[form] = self._forms.get(form, 0) + 1
            self._heads.setdefault(form[:SHORTEST_SECRET], set()).add(form)

    def _unindex(self, value: str) -> None:
        for form in {value, quote(value, safe="")}:
            left = self._forms.pop(form) - 1
            if left:
                self._forms[form] = left
                continue
            head = form[:SHORTEST_SECRET]
            self._heads[head].discard(form)
            if not self._heads[head]:
                del self._heads[head]


def escape(text: str) -> str:
    """The text with its control characters (newlines too) written escaped, as in a str's repr."""
    return _CONTROL.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    character = match.group()
    named = _NAMED.get(character)
    if named is not None:
        return named
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _basic(match: re.Match[str]) -> str:
    # "Basic" is also an English word: only base64 of "user:password" is a credential.
    try:
        decoded = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return f"{match.group(1)}{HIDDEN}" if b":" in decoded else match.group(0)
