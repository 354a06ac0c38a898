"""Block Kit for a job's messages: the channel card, its thread, DMs, the modal's states. Pure."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.jobs import Job, JobStatus
from bot.slack.blocks.kit import (
    RETRY_ACTION,
    TALK_ACTION,
    Message,
    actions,
    button,
    context,
    escape,
    fields,
    section,
    text,
)
from bot.slack.blocks.kit import title as modal_title
from bot.slack.blocks.likeness import face_line
from bot.slack.blocks.reports import report_blocks

# Slack shows at most 3000 characters a section; Tavus's errors are not bounded.
ERROR_LIMIT = 1500


def fields_of(job: Job) -> dict[str, str]:
    """The values messages are filled with, escaped once here for every template."""
    error = job.error_message or messages.FAILED_NO_REASON
    if len(error) > ERROR_LIMIT:
        error = error[: ERROR_LIMIT - 1] + "…"
    return {
        "user": job.requester.user_id,
        "name": escape(job.request.replica_name),
        "replica_id": escape(job.replica_id or ""),
        "model": escape(job.request.model_name),
        "error": escape(error),
        "channel": job.announcement_channel or job.requester.channel_id,
        "subject": job.request.subject_id or job.requester.user_id,
        "reviewer": job.reviewer_id or "",
    }


def announcement(job: Job, *, moved_from: str | None = None) -> Message:
    """The channel message that starts a job's thread; `moved_from` when it had to go to a DM."""
    # Saved before consent existed, a job is announced once Tavus trains it, or when its media
    # is checked first.
    template = messages.ANNOUNCEMENT_ASKED if job.request.subject_id else messages.ANNOUNCEMENT
    if not job.request.subject_id and job.replica_id is None and job.status in BEFORE_TAVUS:
        template = messages.ANNOUNCEMENT_CHECKING
    text = template.format(**fields_of(job))
    if moved_from is not None:
        text = messages.ANNOUNCEMENT_IN_DM.format(channel=moved_from) + text
    return Message(text=text, blocks=[section(text), *card(job).blocks[1:]])


def card(job: Job) -> Message:
    """The announcement as a card: who started what, and where it stands now."""
    values = fields_of(job)
    status = card_status(job)
    footer = messages.CARD_FOOTER_DONE if job.status.is_final else messages.CARD_FOOTER_OPEN
    face = face_line(job.face_match, values["subject"])
    return Message(
        text=messages.CARD_TEXT.format(**values, status=status),
        blocks=[
            section(messages.CARD_TITLE.format(**values)),
            fields(
                [
                    template.format(**values, status=status)
                    for template in (
                        messages.CARD_STATUS,
                        messages.CARD_MODEL,
                        messages.CARD_REQUESTER,
                        *((messages.CARD_SUBJECT,) if job.request.subject_id else ()),
                        messages.CARD_REPLICA,
                    )
                ]
            ),
            *([context(face)] if face else []),
            context(footer),
        ],
    )


# Where a job announced before Tavus has it can be: its media checked first, or found unfit.
BEFORE_TAVUS = frozenset({JobStatus.CHECKING, JobStatus.UNFIT, JobStatus.QUEUED})

STATUS_WORDS = {
    JobStatus.FETCHING: messages.CARD_FETCHING,
    JobStatus.CHECKING: messages.CARD_CHECKING,
    JobStatus.UNFIT: messages.CARD_UNFIT,
    JobStatus.AWAITING_CONSENT: messages.CARD_AWAITING,
    JobStatus.MATCHING: messages.CARD_MATCHING,
    JobStatus.HELD: messages.CARD_HELD,
    JobStatus.PENDING_APPROVAL: messages.CARD_PENDING_APPROVAL,
    JobStatus.NOT_APPROVED: messages.CARD_NOT_APPROVED,
    JobStatus.QUEUED: messages.CARD_SENDING,
    JobStatus.CREATING: messages.CARD_SENDING,
    JobStatus.REJECTED: messages.CARD_NOT_CREATED,
    JobStatus.UNKNOWN: messages.CARD_UNKNOWN,
    JobStatus.DECLINED: messages.CARD_DECLINED,
    JobStatus.EXPIRED: messages.CARD_EXPIRED,
    JobStatus.WITHDRAWN: messages.CARD_WITHDRAWN,
    JobStatus.ENDED: messages.CARD_ENDED,
}


# How a job that never reached, or left, Tavus for the consent's sake ends in its thread.
ENDINGS = {
    JobStatus.DECLINED: messages.DECLINED,
    JobStatus.EXPIRED: messages.EXPIRED,
    JobStatus.WITHDRAWN: messages.WITHDRAWN,
    JobStatus.NOT_APPROVED: messages.NOT_APPROVED,
    # Reached in a thread only when the file from Slack could not be copied (lose_file):
    # Tavus's own refusals go to the requester's DM.
    JobStatus.REJECTED: messages.NOT_FETCHED,
}


def card_status(job: Job) -> str:
    """A job's status in a few words, with its progress while training."""
    if job.status in STATUS_WORDS:
        return STATUS_WORDS[job.status].format(**fields_of(job))
    if job.status is JobStatus.READY:
        return messages.CARD_READY
    if job.status is JobStatus.FAILED:
        return messages.CARD_FAILED
    if job.status is JobStatus.STALE:
        return messages.CARD_STALE
    if job.status is JobStatus.DELETED:
        return messages.CARD_DELETED
    percent = progress_percent(job.training_progress)
    if percent is None:
        return messages.CARD_TRAINING
    return messages.CARD_PROGRESS.format(percent=percent)


def progress_percent(progress: str | None) -> int | None:
    """Tavus's "40/100" as 40; None when it says nothing readable."""
    done, _, total = (progress or "").partition("/")
    try:
        return max(0, min(100, round(100 * float(done) / float(total or 100))))
    except (ValueError, ZeroDivisionError):
        return None


def result(job: Job) -> Message:
    """The threaded reply that ends a job: ready with what next, or failed with a way back."""
    values = fields_of(job)
    if job.status is JobStatus.READY:
        words = messages.READY.format(**values)
        details = [messages.CARD_REPLICA.format(**values), messages.CARD_MODEL.format(**values)]
        # No preview link here: the whole channel reads this, and the preview is the face
        # itself; /replica status shows it to those party to the replica.
        talk = button(messages.TALK_BUTTON, TALK_ACTION, job.id, style="primary")
        return Message(
            text=words,
            blocks=[
                section(words),
                fields(details),
                actions(talk),
                context(messages.READY_NEXT.format(**values)),
            ],
        )
    if job.status in ENDINGS:
        return text(ENDINGS[job.status].format(**values))
    if job.status is JobStatus.UNFIT:
        return unfit(job)
    words = messages.FAILED.format(**values)
    hint = messages.failure_hint(job.error_message)
    words += messages.FAILED_HINT.format(hint=hint) if hint else messages.FAILED_RETRY
    retry = button(messages.RETRY_BUTTON, RETRY_ACTION, job.id, style="primary")
    return Message(text=words, blocks=[section(words), actions(retry)])


def unfit(job: Job) -> Message:
    """The threaded reply that ends a job whose media Tavus would refuse: why, and Try again."""
    words = messages.UNFIT.format(**fields_of(job))
    retry = button(messages.RETRY_BUTTON, RETRY_ACTION, job.id, style="primary")
    return Message(
        text=words,
        blocks=[
            section(words),
            *report_blocks(job.media_report),
            context(messages.UNFIT_RETRY),
            actions(retry),
        ],
    )


def media_checked(job: Job) -> Message:
    """The threaded note once the media check let a job go on: everything it found."""
    words = messages.MEDIA_CHECKED.format(**fields_of(job))
    return Message(text=words, blocks=[section(words), *report_blocks(job.media_report)])


def stale(job: Job) -> Message:
    """The threaded note that a training has run for over a day."""
    return text(messages.STALE.format(**fields_of(job)))


# How the form's fields are named in messages.
FIELD_NAMES = {
    "train_video_url": "the training video",
    "train_image_url": "the training image",
    "consent_video_url": "the consent video",
}


def unchecked(job: Job) -> Message:
    """The threaded note that some links could not be checked before the request was saved."""
    names = [FIELD_NAMES.get(name, name) for name in job.request.unchecked]
    return text(messages.UNCHECKED.format(**fields_of(job), fields=" and ".join(names)))


def not_started(job: Job) -> Message:
    """The DM that a job did not start, for a requester who did not see it in the modal."""
    template = messages.UNKNOWN_DM if job.status is JobStatus.UNKNOWN else messages.NOT_STARTED_DM
    return text(template.format(**fields_of(job)))


def moved(message: Message, channel: str) -> Message:
    """A message that could not go where it belonged, prefixed with where that was."""
    note = messages.MOVED.format(channel=channel)
    return Message(text=f"{note}\n{message.text}", blocks=[section(note), *message.blocks])


def status_view(title: str, text: str) -> dict[str, Any]:
    """A one-section modal used to show how a submission went."""
    return {
        "type": "modal",
        "title": modal_title(title),
        "close": modal_title(messages.VIEW_CLOSE),
        "blocks": [section(text)],
    }


def working_view() -> dict[str, Any]:
    """The modal shown at once while the real one is being made (a trigger lives 3 s)."""
    return status_view(messages.WORKING_TITLE, messages.WORKING)


def awaiting_consent_view(job: Job) -> dict[str, Any]:
    """The modal once the request is saved: the person shown has been asked in a DM."""
    values = fields_of(job)
    mine = job.request.subject_id == job.requester.user_id
    if job.status is JobStatus.CHECKING:
        body = messages.CHECKING_SELF_BODY if mine else messages.CHECKING_BODY
        return status_view(messages.CHECKING_TITLE, body.format(**values))
    body = messages.ASKED_SELF_BODY if mine else messages.ASKED_BODY
    return status_view(messages.ASKED_TITLE, body.format(**values))
