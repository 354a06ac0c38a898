"""What the words after /replica ask for, read from the text as Slack sends it. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot import messages
from bot.jobs import ReplicaRequest
from bot.slack.blocks import form, kit

IMAGE_ENDINGS = (".jpg", ".jpeg", ".png", ".webp")
MOST_DAYS = 3650  # /replica audit: ten years back at most


@dataclass(frozen=True, slots=True)
class OpenForm:
    """Open the form, with a name and a training URL filled in if given."""

    replica_name: str = ""
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Help:
    """Show every subcommand."""


@dataclass(frozen=True, slots=True)
class ListReplicas:
    """Show one page of the workspace's replicas."""

    page: int = 1


@dataclass(frozen=True, slots=True)
class Status:
    """Show one replica, found by id or name."""

    query: str


@dataclass(frozen=True, slots=True)
class Rename:
    """Rename a replica."""

    replica_id: str
    replica_name: str


@dataclass(frozen=True, slots=True)
class Delete:
    """Delete a replica, after a confirmation."""

    replica_id: str


@dataclass(frozen=True, slots=True)
class Audit:
    """Send the audit log of the last `days` days, as CSV, to an admin's DM."""

    days: int = 30


@dataclass(frozen=True, slots=True)
class Release:
    """Let a job held by the face match go on (admins only), with the reason for the record."""

    query: str  # its job id, or its replica's name
    reason: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Input the bot cannot use, and what was wrong with it."""

    problem: str


Command = OpenForm | Help | ListReplicas | Status | Rename | Delete | Audit | Release | Usage


def parse_command(text: str) -> Command:
    """What the words after /replica ask for, from the text as Slack sends it. Pure."""
    words = [unescape(_unwrap(word)) for word in text.split()]
    if not words:
        return OpenForm()
    verb, rest = words[0].lower(), words[1:]
    if verb in {"help", "?", "-h", "--help"}:
        return Help()
    if verb == "list":
        if not rest:
            return ListReplicas()
        if len(rest) == 1 and _number(rest[0]) and int(rest[0]) >= 1:
            return ListReplicas(int(rest[0]))
        return Usage(messages.BAD_PAGE)
    if verb == "status":
        return Status(" ".join(rest)) if rest else Usage(messages.NEEDS_QUERY)
    if verb == "rename":
        if len(rest) < 2:
            return Usage(messages.NEEDS_RENAME)
        return Rename(rest[0], " ".join(rest[1:]))
    if verb == "delete":
        return Delete(rest[0]) if len(rest) == 1 else Usage(messages.NEEDS_DELETE)
    if verb == "audit":
        if not rest:
            return Audit()
        if len(rest) == 1 and _number(rest[0]) and 1 <= int(rest[0]) <= MOST_DAYS:
            return Audit(int(rest[0]))
        return Usage(messages.BAD_DAYS)
    if verb == "release":
        return (
            Release(rest[0], " ".join(rest[1:]))
            if len(rest) >= 2
            else Usage(messages.RELEASE_USAGE)
        )
    if form.is_web_url(words[-1]):
        return OpenForm(" ".join(words[:-1])[: form.NAME_LIMIT], words[-1])
    return Usage(messages.UNKNOWN_SUBCOMMAND.format(word=kit.escape(words[0][:40])))


def prefill(command: OpenForm, model: str) -> ReplicaRequest | None:
    """The form's starting values: an image URL goes to the image field, any other to video."""
    if not command.replica_name and command.url is None:
        return None
    is_image = urlsplit(command.url or "").path.lower().endswith(IMAGE_ENDINGS)
    return ReplicaRequest(
        replica_name=command.replica_name,
        model_name=model,
        train_image_url=command.url if is_image else None,
        train_video_url=None if is_image else command.url,
    )


def _number(word: str) -> bool:
    """Whether a word is a plain number int() reads: ASCII digits, a few ("²" is a digit too)."""
    return word.isascii() and word.isdigit() and len(word) <= 9


def unescape(word: str) -> str:
    """Undo Slack's escaping of the text it sends: `&amp;`, `&lt;` and `&gt;`, nothing else.

    Slack escapes these three in every text it sends an app, links and command text included
    (docs.slack.dev/messaging/formatting-message-text#escaping); `&amp;` goes last, so a typed
    "&lt;" (sent as "&amp;lt;") stays "&lt;".
    """
    return word.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _unwrap(word: str) -> str:
    # Slack may send links as <https://…> or <https://…|label>.
    if word.startswith("<") and word.endswith(">"):
        return word[1:-1].split("|", 1)[0]
    return word
