"""Block Kit for what only the caller sees: help, lists, a replica's status, App Home. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import messages
from bot.jobs import Job, JobStatus
from bot.slack.blocks import Message, card_status, escape, fields_of, section

LIST_PAGE_ACTION = "list_page"
DELETE_ACTION = "delete_replica"
OPEN_FORM_ACTION = "open_form"


def text(words: str) -> Message:
    """A plain reply: one section."""
    return Message(text=words, blocks=[section(words)])


def usage(problem: str) -> Message:
    """A short, friendly hint after input the bot could not use."""
    return text(messages.USAGE.format(problem=problem))


def replica_list(jobs: list[Job], *, page: int, more: bool) -> Message:
    """One page of replicas, newest first, with a button to the next page."""
    if not jobs and page == 1:
        return text(messages.LIST_EMPTY)
    title = messages.LIST_TITLE.format(page=page)
    lines = [messages.LIST_ITEM.format(**_row(job)) for job in jobs]
    result: list[dict[str, Any]] = [section(title), *(section(line) for line in lines)]
    if more:
        result.append(_actions(_button(messages.LIST_MORE, LIST_PAGE_ACTION, str(page + 1))))
    return Message(text="\n".join([title, *lines]), blocks=result)


def replica_status(job: Job) -> Message:
    """Everything about one replica: status, progress, model, who and when, consent, result."""
    fields = fields_of(job)
    details = [
        messages.CARD_STATUS.format(status=card_status(job)),
        messages.CARD_REPLICA.format(**fields),
        messages.CARD_MODEL.format(**fields),
        messages.STATUS_STARTED.format(**fields, when=_when(job.created_at)),
        messages.STATUS_CONSENT.format(consent=_consent(job)),
    ]
    if job.thumbnail_url:
        details.append(messages.THUMBNAIL.format(url=escape(job.thumbnail_url)))
    lines = []
    if job.status in (JobStatus.FAILED, JobStatus.REJECTED, JobStatus.UNKNOWN):
        lines.append(messages.STATUS_ERROR.format(**fields))
        hint = messages.failure_hint(job.error_message)
        if hint:
            lines.append(messages.STATUS_HINT.format(hint=hint))
    title = messages.STATUS_TITLE.format(**fields)
    blocks: list[dict[str, Any]] = [
        section(title),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": d} for d in details]},
        *(section(line) for line in lines),
    ]
    return Message(text="\n".join([title, *details, *lines]), blocks=blocks)


def confirm_delete(job: Job) -> Message:
    """The question before a delete, with Slack's own confirmation dialog on the button."""
    fields = fields_of(job)
    question = messages.DELETE_CONFIRM.format(**fields)
    button = _button(messages.DELETE_BUTTON, DELETE_ACTION, job.id)
    button["style"] = "danger"
    button["confirm"] = {
        "title": {"type": "plain_text", "text": messages.DELETE_DIALOG_TITLE},
        "text": {"type": "mrkdwn", "text": messages.DELETE_DIALOG_TEXT.format(**fields)},
        "confirm": {"type": "plain_text", "text": messages.DELETE_DIALOG_CONFIRM},
        "deny": {"type": "plain_text", "text": messages.DELETE_DIALOG_DENY},
        "style": "danger",
    }
    return Message(text=question, blocks=[section(question), _actions(button)])


def home(jobs: list[Job]) -> dict[str, Any]:
    """The App Home tab: the user's replicas with status and progress, and a way to start one."""
    rows = [section(messages.LIST_ITEM.format(**_row(job))) for job in jobs]
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": messages.HOME_TITLE}},
            section(messages.HOME_INTRO),
            _actions(_button(messages.HOME_NEW, OPEN_FORM_ACTION, "home", style="primary")),
            {"type": "divider"},
            *(rows or [section(messages.HOME_EMPTY)]),
        ],
    }


def _row(job: Job) -> dict[str, str]:
    return {**fields_of(job), "status": card_status(job), "when": _when(job.created_at)}


def _when(moment: datetime) -> str:
    # Slack shows this in each reader's own time zone; the fallback is UTC.
    stamp = int(moment.timestamp())
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"


def _consent(job: Job) -> str:
    url = job.request.consent_video_url
    if url:
        return messages.CONSENT_WITH_VIDEO.format(url=escape(url))
    return messages.CONSENT_CONFIRMED


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": label},
    }
    if style:
        button["style"] = style
    return button


def _actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}
