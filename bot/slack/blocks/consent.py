"""Block Kit for consent and approval: requests, receipts, decisions, the audit line. Pure."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.governance.audit import Record
from bot.governance.receipts import Decision, Medium, Receipt, media_of, medium_of, statement_for
from bot.jobs import Job, JobStatus, ReplicaRequest
from bot.jobs import moves as life
from bot.slack.blocks.cards import ERROR_LIMIT, card_status, fields_of
from bot.slack.blocks.kit import (
    APPROVE_ACTION,
    CONSENT_DECLINE_ACTION,
    CONSENT_GIVE_ACTION,
    REJECT_ACTION,
    WITHDRAW_ACTION,
    Message,
    actions,
    button,
    context,
    dialog,
    escape,
    fields,
    section,
    when,
)
from bot.slack.blocks.likeness import receipt_lines
from bot.slack.blocks.reports import report_blocks


def consent_request(job: Job) -> Message:
    """The DM asking the person shown whether they consent, with the statement Tavus needs."""
    values = fields_of(job)
    request = job.request
    media = media_lines(request)
    asked = messages.CONSENT_ASK.format(**values)
    use = escape(request.intended_use or "")
    statement = statement_for(request.subject_name or values["subject"])
    confirm = dialog(
        messages.CONSENT_DIALOG_TITLE,
        messages.CONSENT_DIALOG_TEXT.format(name=values["name"], use=use),
        messages.CONSENT_DIALOG_CONFIRM,
        messages.CONSENT_DIALOG_DENY,
    )
    return Message(
        text=asked,
        blocks=[
            section(asked),
            fields(
                [
                    messages.CONSENT_USE.format(use=use),
                    messages.CONSENT_MEDIA.format(media=media),
                    messages.CONSENT_WHERE,
                ]
            ),
            *checked(job),
            section(messages.CONSENT_STATEMENT_SHOWN.format(statement=escape(statement))),
            context(messages.CONSENT_WITHDRAW.format(**values)),
            actions(
                button(
                    messages.CONSENT_GIVE_BUTTON,
                    CONSENT_GIVE_ACTION,
                    job.id,
                    style="primary",
                    confirm=confirm,
                ),
                button(messages.CONSENT_DECLINE_BUTTON, CONSENT_DECLINE_ACTION, job.id),
            ),
        ],
    )


def checked(job: Job) -> list[dict[str, Any]]:
    """What the media check made of the files, for the person shown; nothing if it did not look.

    Only what lets the job go on reaches them: Tavus refusing it would have ended it before.
    """
    if job.media_report is None:
        return []
    return [section(messages.CONSENT_CHECKED), *report_blocks(job.media_report)]


def media_lines(request: ReplicaRequest) -> str:
    """What a replica is trained from, a line each: host and file name, never a query string."""
    return "\n".join(_named(medium) for medium in media_of(request))


def named(url: str) -> str:
    """A link as people are shown it: host · file, never a query string (it may be a secret)."""
    return _named(medium_of(url))


def _named(medium: Medium) -> str:
    return f"{escape(medium.host)} · {escape(medium.file)}"


def approval_request(job: Job) -> Message:
    """To an approver (or the approval channel): the request and its consent, to decide."""
    values = fields_of(job)
    asked = messages.APPROVAL_ASKED.format(**values)
    reject = dialog(
        messages.REJECT_DIALOG_TITLE,
        messages.REJECT_DIALOG_TEXT.format(**values),
        messages.REJECT_DIALOG_CONFIRM,
        messages.CONSENT_DIALOG_DENY,
        danger=True,
    )
    return Message(
        text=asked,
        blocks=[
            section(asked),
            fields(
                [
                    messages.APPROVAL_USE.format(use=escape(job.request.intended_use or "")),
                    messages.CONSENT_MEDIA.format(media=media_lines(job.request)),
                    messages.APPROVAL_CONSENT.format(**values),
                    messages.CARD_MODEL.format(**values),
                ]
            ),
            actions(
                button(messages.APPROVE_BUTTON, APPROVE_ACTION, job.id, style="primary"),
                button(messages.REJECT_BUTTON, REJECT_ACTION, job.id, confirm=reject),
            ),
        ],
    )


def approval_settled(job: Job) -> Message:
    """An approval request once decided, or moot: what became of it, and no buttons."""
    asked = approval_request(job)
    return Message(text=asked.text, blocks=[*asked.blocks[:-1], context(approval_outcome(job))])


def approval_outcome(job: Job) -> str:
    """Who decided a request and when, or why it no longer waits for a decision."""
    if job.status is JobStatus.NOT_APPROVED and job.reviewer_id and job.reviewed_at:
        return messages.APPROVAL_REJECTED.format(
            reviewer=job.reviewer_id, when=when(job.reviewed_at)
        )
    if job.reviewer_id and job.reviewed_at:
        return messages.APPROVAL_APPROVED.format(
            reviewer=job.reviewer_id, when=when(job.reviewed_at)
        )
    return messages.APPROVAL_MOOT.format(status=card_status(job))


def audit_line(record: Record) -> Message:
    """An audit record as one line for the audit channel: who did what, to which replica."""
    actor = f"<@{record.actor}>" if record.actor[:1] in {"U", "W"} else escape(record.actor)
    parts = [messages.AUDIT_LINE.format(actor=actor, action=record.action.value.replace("_", " "))]
    if record.job_id:
        parts.append(messages.AUDIT_JOB.format(job=escape(record.job_id)))
    if record.replica_id:
        parts.append(messages.AUDIT_REPLICA.format(replica_id=escape(record.replica_id)))
    if record.subject:
        parts.append(messages.AUDIT_SUBJECT.format(subject=record.subject))
    details = ", ".join(f"{key}: {value}" for key, value in sorted(record.details.items()))
    if details:
        parts.append(escape(details[:ERROR_LIMIT]))
    words = " · ".join(parts)
    return Message(
        text=words,
        blocks=[
            section(words),
            context(messages.AUDIT_WHEN.format(when=when(record.at), seq=record.seq)),
        ],
    )


def receipt(answer: Receipt, job: Job) -> Message:
    """The consent request redrawn as the receipt of its answer."""
    template = (
        messages.RECEIPT_GIVEN if answer.decision is Decision.GIVEN else messages.RECEIPT_DECLINED
    )
    said = template.format(
        when=when(answer.decided_at),
        name=escape(job.request.replica_name),
        user=answer.requester_id,
    )
    media = "\n".join(_named(medium) for medium in answer.media)
    return Message(
        text=said,
        blocks=[
            section(said),
            fields(
                [
                    messages.CONSENT_USE.format(use=escape(answer.intended_use)),
                    messages.CONSENT_MEDIA.format(media=media),
                    *receipt_lines(answer),
                ]
            ),
            section(
                messages.RECEIPT_DETAILS.format(
                    digest=answer.statement_sha256, statement=escape(answer.statement)
                )
            ),
            context(messages.RECEIPT_KEPT.format(job=answer.job_id)),
            *_withdrawal(answer, job),
        ],
    )


def withdraw_button(job: Job) -> dict[str, Any]:
    """Withdraw consent, behind Slack's confirmation dialog."""
    confirm = dialog(
        messages.WITHDRAW_DIALOG_TITLE,
        messages.WITHDRAW_DIALOG_TEXT.format(name=escape(job.request.replica_name)),
        messages.WITHDRAW_DIALOG_CONFIRM,
        messages.CONSENT_DIALOG_DENY,
        danger=True,
    )
    return button(
        messages.WITHDRAW_BUTTON, WITHDRAW_ACTION, job.id, style="danger", confirm=confirm
    )


def may_withdraw(answer: Receipt | None, job: Job) -> bool:
    """Whether a consent stands that its person could take back now or soon."""
    standing = job.status in life.WITHDRAW.from_ or job.status is JobStatus.CREATING
    return answer is not None and answer.decision is Decision.GIVEN and standing


def _withdrawal(answer: Receipt, job: Job) -> list[dict[str, Any]]:
    if job.status is JobStatus.WITHDRAWN:
        return [context(messages.RECEIPT_WITHDRAWN.format(when=when(job.updated_at)))]
    return [actions(withdraw_button(job))] if may_withdraw(answer, job) else []
