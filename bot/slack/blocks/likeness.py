"""Block Kit for the face match: the card's line, the held notes, the receipt's lines. Pure."""

from __future__ import annotations

from bot import messages
from bot.governance.receipts import Receipt
from bot.jobs import Job
from bot.media.likeness.model import ConsentWords, FaceMatch, Likeness
from bot.slack.blocks.kit import Message, escape, text


def face_line(face: FaceMatch | None, subject: str) -> str | None:
    """What the face match found, in a few words; None before it has ended (or without one)."""
    if face is None:
        return None
    if face.outcome is Likeness.MATCH:
        return messages.FACE_MATCHES.format(subject=subject)
    if face.outcome is Likeness.MISMATCH:
        return messages.FACE_MISMATCH.format(subject=subject)
    return messages.FACE_UNVERIFIED.format(why=escape(str(face.why or "unknown")))


def held(job: Job) -> Message:
    """The threaded note to the requester that the job is held: why, and what can be done."""
    return text(_held(job, messages.HELD, messages.HELD_UNSURE))


def held_dm(job: Job) -> Message:
    """The DM to the person shown that the job they consented to is held, and why."""
    return text(_held(job, messages.HELD_DM, messages.HELD_DM_UNSURE))


def _held(job: Job, mismatch: str, unsure: str) -> str:
    face = job.face_match
    template = mismatch if face is None or face.outcome is Likeness.MISMATCH else unsure
    return template.format(
        user=job.requester.user_id,
        subject=job.request.subject_id or "",
        name=escape(job.request.replica_name),
        job=job.id,
        why=escape(str(face.why)) if face is not None and face.why else "",
    )


def receipt_lines(answer: Receipt) -> list[str]:
    """The receipt's fields for the face match and the statement heard, once it has ended."""
    face = face_line(answer.face_match, answer.subject_id)
    if face is None or answer.face_match is None:
        return []
    compared = answer.face_match
    if compared.with_face:
        face += "\n" + messages.FACE_MEASURED.format(
            agreed=compared.agreed,
            with_face=compared.with_face,
            best=compared.best,
            threshold=compared.threshold,
            model=escape(compared.model),
        )
    lines = [messages.RECEIPT_FACE.format(face=face)]
    if answer.consent_words is not None:
        lines.append(messages.RECEIPT_WORDS.format(words=words_line(answer.consent_words)))
    return lines


def words_line(heard: ConsentWords) -> str:
    """How much of the statement was heard: a share of its words, and whether the name was."""
    if heard.error_rate is None:
        return messages.WORDS_UNHEARD.format(why=escape(str(heard.why or "unknown")))
    percent = round(100 * (1 - min(1.0, heard.error_rate)))
    name = {
        True: messages.WORDS_NAME_HEARD,
        False: messages.WORDS_NAME_UNHEARD,
        None: messages.WORDS_NAME_UNKNOWN,
    }[heard.name_heard]
    return messages.WORDS_HEARD.format(percent=percent, name=name, model=escape(heard.model))
