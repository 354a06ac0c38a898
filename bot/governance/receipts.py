"""The consent receipt: the statement the person shown agreed to, and the record of it. Pure."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit, urlunsplit

from bot.jobs import ReplicaRequest
from bot.media.likeness.model import ConsentWords, FaceMatch

# Tavus's own consent statement, which it needs spoken at the start of the training video or
# in the consent video.
STATEMENT = (
    "I, {name}, am currently speaking and consent Tavus to create an AI clone of me by using the "
    "audio and video samples I provide. I understand that this AI clone can be used to create "
    "videos that look and sound like me."
)


class Decision(enum.StrEnum):
    """What the person shown answered."""

    GIVEN = "given"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Medium:
    """A training file as the person shown was told of it: never a presigned query string."""

    url: str  # without query string or fragment
    host: str
    file: str
    # A file the bot copied from Slack: what it kept, so the receipt proves which bytes.
    sha256: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """The record of an answer, kept forever: who, what they were shown, and what they said."""

    job_id: str
    team_id: str
    subject_id: str
    subject_name: str
    requester_id: str
    decision: Decision
    decided_at: datetime
    statement: str
    statement_sha256: str
    intended_use: str
    media: tuple[Medium, ...]
    dm_channel: str | None = None
    dm_ts: str | None = None
    replica_id: str | None = None
    # Filled in once, when the face match ends: the faces compared, and the statement heard.
    face_match: FaceMatch | None = None
    consent_words: ConsentWords | None = None


@dataclass(frozen=True, slots=True)
class Compared:
    """What the face match found, as the receipt keeps it with the move that ends the match."""

    face: FaceMatch
    words: ConsentWords | None = None

    def details(self) -> dict[str, str]:
        """What the audit log keeps of it: the verdict and its numbers, never an image or words."""
        face = self.face
        kept = {"face": face.outcome.value, "model": face.model, "threshold": str(face.threshold)}
        if face.with_face:
            kept["frames_agreed"] = f"{face.agreed} of {face.with_face}"
        if face.best is not None:
            kept["best_distance"] = str(face.best)
        if face.why is not None:
            kept["why"] = face.why.value
        if self.words is not None and self.words.error_rate is not None:
            kept["statement_error_rate"] = str(self.words.error_rate)
        return kept


def statement_for(name: str) -> str:
    """Tavus's consent statement, in the words of the person shown."""
    return STATEMENT.format(name=name)


def sha256(text: str) -> str:
    """The hex SHA-256 of a text as UTF-8: what proves which words were shown."""
    return hashlib.sha256(text.encode()).hexdigest()


def media_of(request: ReplicaRequest) -> tuple[Medium, ...]:
    """The training files of a request, each as host and file name, without query or password."""
    found = []
    links: tuple[str | None, ...] = (
        request.train_video_url,
        request.train_image_url,
        request.consent_video_url,
    )
    if request.slack_file:
        # The training link is the bot's own copy of the file: named as it was posted.
        found.append(
            Medium(
                url=f"slack:{request.slack_file}",
                host="Slack",
                file=request.slack_file_name or request.slack_file,
            )
        )
        links = (request.consent_video_url,)
    found.extend(medium_of(url) for url in links if url)
    return tuple(found)


def medium_of(url: str) -> Medium:
    """A link as host and file name, its query string and fragment dropped."""
    parts = urlsplit(url)
    file = unquote(parts.path.rsplit("/", 1)[-1]) or parts.path or "/"
    # Requests saved before the form dropped a link's user name and password may still hold one.
    netloc = parts.netloc.rpartition("@")[2]
    bare = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return Medium(url=bare, host=parts.hostname or netloc, file=file)
