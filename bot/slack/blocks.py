"""Block Kit for the bot's messages and modal states. Pure functions of a job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import messages
from bot.jobs import Job, JobStatus


@dataclass(frozen=True, slots=True)
class Message:
    """A Slack message: the plain text every client and notification shows, and its blocks."""

    text: str
    blocks: list[dict[str, Any]]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _message(text: str) -> Message:
    return Message(text=text, blocks=[_section(text)])


# Slack shows at most 3000 characters a section; Tavus's errors are not bounded.
ERROR_LIMIT = 1500


def escape(text: str) -> str:
    """Text from users or Tavus, made inert: no @channel pings, links or broken formatting."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fields(job: Job) -> dict[str, str]:
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
    }


def announcement(job: Job, *, moved_from: str | None = None) -> Message:
    """The channel message that starts a job's thread; `moved_from` when it had to go to a DM."""
    text = messages.ANNOUNCEMENT.format(**_fields(job))
    if moved_from is not None:
        text = messages.ANNOUNCEMENT_IN_DM.format(channel=moved_from) + text
    return _message(text)


def result(job: Job) -> Message:
    """The threaded reply that ends a job: ready, or failed with a reason and what to do."""
    if job.status is JobStatus.READY:
        return _message(messages.READY.format(**_fields(job)))
    text = messages.FAILED.format(**_fields(job))
    hint = messages.failure_hint(job.error_message)
    text += messages.FAILED_HINT.format(hint=hint) if hint else messages.FAILED_RETRY
    return _message(text)


def stale(job: Job) -> Message:
    """The threaded note that a training has run for over a day."""
    return _message(messages.STALE.format(**_fields(job)))


def not_started(job: Job) -> Message:
    """The DM that a job did not start, for a requester who did not see it in the modal."""
    template = messages.UNKNOWN_DM if job.status is JobStatus.UNKNOWN else messages.NOT_STARTED_DM
    return _message(template.format(**_fields(job)))


def moved(message: Message, channel: str) -> Message:
    """A message that could not go where it belonged, prefixed with where that was."""
    return _message(messages.MOVED.format(channel=channel) + message.text)


def status_view(title: str, text: str) -> dict[str, Any]:
    """A one-section modal used to show how a submission went."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [_section(text)],
    }


def submitting_view(name: str) -> dict[str, Any]:
    """The modal shown while Tavus is being asked."""
    return status_view(
        messages.SUBMITTING_TITLE, messages.SUBMITTING_BODY.format(name=escape(name))
    )


def started_view(job: Job) -> dict[str, Any]:
    """The modal shown once training has started."""
    return status_view(
        messages.STARTED_TITLE,
        messages.STARTED_BODY.format(**_fields(job)),
    )


def not_started_view(name: str, reason: str) -> dict[str, Any]:
    """The modal shown when Tavus did not take the request."""
    return status_view(
        messages.NOT_STARTED_TITLE,
        messages.NOT_STARTED_BODY.format(name=escape(name), reason=escape(reason)),
    )
