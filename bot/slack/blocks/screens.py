"""Block Kit for what only the caller sees: help, lists, a replica's status, App Home. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import messages
from bot.governance.model import FaceMatch, Policy, Set
from bot.governance.receipts import Decision, Receipt
from bot.jobs import Job, JobStatus, Viewer
from bot.slack.blocks.cards import card_status, fields_of, status_view
from bot.slack.blocks.consent import approval_outcome, may_withdraw, named, withdraw_button
from bot.slack.blocks.kit import (
    CONNECT_TAVUS_ACTION,
    DELETE_ACTION,
    LIST_PAGE_ACTION,
    OPEN_FORM_ACTION,
    OPEN_LINK_ACTION,
    POLICY_ACTION,
    Message,
    actions,
    button,
    context,
    dialog,
    escape,
    fields,
    header,
    link,
    section,
    text,
    when,
)
from bot.slack.blocks.likeness import face_line
from bot.slack.blocks.reports import report_blocks
from bot.workspaces.installations import Connected

_FACE_WORDS = {
    FaceMatch.REQUIRE: messages.POLICY_FACE_REQUIRED,
    FaceMatch.WARN: messages.POLICY_FACE_WARNED,
    FaceMatch.OFF: messages.POLICY_FACE_NOT_COMPARED,
}


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
        # The next page after the last job shown, by key: rows added meanwhile shift nothing.
        last = jobs[-1]
        cursor = f"{page + 1}|{last.created_at.isoformat()}|{last.id}"
        result.append(actions(button(messages.LIST_MORE, LIST_PAGE_ACTION, cursor)))
    return Message(text="\n".join([title, *lines]), blocks=result)


def replica_status(job: Job, answer: Receipt | None = None, *, shown_to: Viewer) -> Message:
    """Everything about one replica: status, progress, model, who and when, consent, result.

    Its preview video (a link to the face itself) only for those party to it.
    """
    values = fields_of(job)
    details = [
        messages.CARD_STATUS.format(status=card_status(job)),
        messages.CARD_REPLICA.format(**values),
        messages.CARD_MODEL.format(**values),
        messages.STATUS_STARTED.format(**values, when=when(job.created_at)),
        messages.STATUS_CONSENT.format(consent=_consent(job, answer)),
    ]
    if (face := face_line(job.face_match, values["subject"])) is not None:
        details.append(face)
    if job.reviewer_id:
        details.append(messages.STATUS_APPROVAL.format(outcome=approval_outcome(job)))
    if job.thumbnail_url and shown_to.party_to(job):
        details.append(link(job.thumbnail_url, messages.THUMBNAIL))
    lines = []
    if job.status in (JobStatus.FAILED, JobStatus.REJECTED, JobStatus.UNKNOWN):
        lines.append(messages.STATUS_ERROR.format(**values))
        hint = messages.failure_hint(job.error_message)
        if hint:
            lines.append(messages.STATUS_HINT.format(hint=hint))
    title = messages.STATUS_TITLE.format(**values)
    blocks: list[dict[str, Any]] = [
        section(title),
        fields(details),
        *(section(line) for line in lines),
        *report_blocks(job.media_report),  # what the media check found, as its thread says
    ]
    return Message(text="\n".join([title, *details, *lines]), blocks=blocks)


def about(template: str, job: Job, **words: str) -> str:
    """An answer about one job: `template` with the job's values and status, and `words`.

    `words` are a user's or Tavus's (a reason, a verb): escaped here, once, like the job's own
    values in fields_of.
    """
    inert = {key: escape(value) for key, value in words.items()}
    return template.format(**fields_of(job), status=card_status(job), **inert)


def talk_opened(job: Job, url: str) -> str:
    """The private answer to Talk to it: the conversation's link, from Tavus."""
    return messages.TALK_OPENED.format(**fields_of(job), link=link(url, messages.TALK_LINK))


def not_found(query: str) -> Message:
    """No replica by that id or name, as far as the caller may see."""
    return text(messages.NOT_FOUND.format(query=escape(query[:80].replace("`", "'"))))


def confirm_delete(job: Job) -> Message:
    """The question before a delete, with Slack's own confirmation dialog on the button."""
    values = fields_of(job)
    question = messages.DELETE_CONFIRM.format(**values)
    confirm = dialog(
        messages.DELETE_DIALOG_TITLE,
        messages.DELETE_DIALOG_TEXT.format(**values),
        messages.DELETE_DIALOG_CONFIRM,
        messages.DELETE_DIALOG_DENY,
        danger=True,
    )
    delete = button(messages.DELETE_BUTTON, DELETE_ACTION, job.id, style="danger", confirm=confirm)
    return Message(text=question, blocks=[section(question), actions(delete)])


@dataclass(frozen=True, slots=True)
class TavusShown:
    """What App Home shows of the workspace's Tavus account (many workspaces only)."""

    connected: Connected | None
    admin: bool  # may connect it: an admin or an owner (installing the app is not enough)


def home(
    jobs: list[Job],
    of_me: list[tuple[Job, Receipt | None]] | None = None,
    policy: tuple[Policy, Set | None] | None = None,
    tavus: TavusShown | None = None,
) -> dict[str, Any]:
    """The App Home tab: the user's replicas, the replicas of them, and a way to start one.

    Each replica of them shows its consent, with Withdraw while that consent stands. `policy`,
    for an admin only: the workspace's rules (and who set them, if an admin did), to change.
    `tavus`: the workspace's Tavus account, to connect (admins), or that it is missing (others).
    """
    rows = [section(messages.LIST_ITEM.format(**_row(job))) for job in jobs]
    mine: list[dict[str, Any]] = []
    for job, answer in of_me or []:
        line = messages.HOME_OF_ME_ITEM.format(**_row(job), consent=_consent(job, answer))
        block = section(line)
        if may_withdraw(answer, job):
            block["accessory"] = withdraw_button(job)
        mine.append(block)
    return {
        "type": "home",
        "blocks": [
            header(messages.HOME_TITLE),
            section(messages.HOME_INTRO),
            actions(button(messages.HOME_NEW, OPEN_FORM_ACTION, "home", style="primary")),
            {"type": "divider"},
            *(rows or [section(messages.HOME_EMPTY)]),
            *([{"type": "divider"}, section(messages.HOME_OF_ME), *mine] if mine else []),
            *(_tavus_blocks(tavus) if tavus is not None else []),
            *(_policy_blocks(*policy) if policy is not None else []),
        ],
    }


def _tavus_blocks(tavus: TavusShown) -> list[dict[str, Any]]:
    connected = tavus.connected
    if not tavus.admin:
        return (
            []
            if connected is not None
            else [{"type": "divider"}, section(messages.HOME_TAVUS_MISSING)]
        )
    if connected is None:
        summary = section(messages.HOME_TAVUS_MISSING_ADMIN)
        label = messages.TAVUS_CONNECT_BUTTON
    else:
        summary = section(
            messages.HOME_TAVUS_CONNECTED.format(
                last4=escape(connected.last4),
                user=connected.saved_by,
                when=when(connected.saved_at),
            )
        )
        label = messages.TAVUS_CHANGE_BUTTON
    summary["accessory"] = button(label, CONNECT_TAVUS_ACTION, "home", style="primary")
    return [{"type": "divider"}, summary]


def connect_link_view(link: str, minutes: int) -> dict[str, Any]:
    """The modal with an admin's own single-use link to the Connect Tavus page."""
    view = status_view(messages.CONNECT_TITLE, messages.CONNECT_LINK.format(minutes=minutes))
    view["blocks"].append(
        actions(
            button(messages.CONNECT_OPEN, OPEN_LINK_ACTION, "connect", style="primary", url=link)
        )
    )
    return view


def _policy_blocks(policy: Policy, changed: Set | None) -> list[dict[str, Any]]:
    summary = section(messages.HOME_POLICY.format(**policy_words(policy)))
    summary["accessory"] = button(messages.POLICY_BUTTON, POLICY_ACTION, "home")
    if changed is None:
        note = messages.HOME_POLICY_DEFAULT
    else:
        note = messages.HOME_POLICY_SET.format(user=changed.by, when=when(changed.at))
    return [{"type": "divider"}, summary, context(note)]


def policy_words(policy: Policy) -> dict[str, str]:
    """A policy in words: who may create replicas, who approves them where, faces compared."""
    creators = policy.creators
    if creators.everyone:
        who = messages.POLICY_EVERYONE
    elif creators.admins:
        who = messages.POLICY_ADMINS
    else:
        who = _people(creators.users, creators.groups)
    approvers = policy.approvers
    if not approvers:
        approval = messages.POLICY_NO_APPROVAL
    else:
        where = (
            messages.POLICY_IN_CHANNEL.format(channel=policy.approval_channel)
            if policy.approval_channel
            else messages.POLICY_BY_DM
        )
        approval = messages.POLICY_APPROVAL.format(
            approvers=_people(approvers.users, approvers.groups), where=where
        )
    return {"creators": who, "approval": approval, "face_match": _FACE_WORDS[policy.face_match]}


def _people(users: frozenset[str], groups: tuple[str, ...]) -> str:
    # Slack draws <!subteam^S…> as the user group's handle.
    return ", ".join(
        [*(f"<@{user}>" for user in sorted(users)), *(f"<!subteam^{g}>" for g in groups)]
    )


def _row(job: Job) -> dict[str, str]:
    return {**fields_of(job), "status": card_status(job), "when": when(job.created_at)}


def _consent(job: Job, answer: Receipt | None) -> str:
    subject = job.request.subject_id
    # The consent video as receipts name it, host · file: its link may be a presigned secret.
    url = job.request.consent_video_url
    video = named(url) if url else None
    if subject is None:
        if video:
            return messages.CONSENT_WITH_VIDEO.format(media=video)
        return messages.CONSENT_CONFIRMED
    if answer is None:
        return messages.CONSENT_WAITING.format(subject=subject)
    template = (
        messages.CONSENT_GIVEN_BY
        if answer.decision is Decision.GIVEN
        else messages.CONSENT_DECLINED_BY
    )
    said = template.format(subject=subject, when=when(answer.decided_at))
    return said + messages.CONSENT_VIDEO_TOO.format(media=video) if video else said
