"""The /replica command and its answers: the form, help, list, status, rename, delete, audit."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.delivery.retry import error_word
from bot.governance import audit
from bot.governance.rules import elsewhere, is_admin, may_change, viewer
from bot.slack import modals
from bot.slack.blocks import cards, form, kit, screens
from bot.slack.blocks.kit import DELETE_ACTION, LIST_PAGE_ACTION, Message
from bot.slack.command_text import (
    Audit,
    Delete,
    Help,
    ListReplicas,
    OpenForm,
    Release,
    Rename,
    Status,
    Usage,
    parse_command,
    prefill,
)
from bot.slack.deps import Deps
from bot.slack.payloads import action_value, team_of, workspace_of
from bot.slack.release import release
from bot.store import StoreUnavailable
from bot.tavus import TavusError

log = logging.getLogger(__name__)

COMMAND = "/replica"


async def on_command(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    """Answer /replica: the form opens at once; other answers only the caller sees."""
    parsed = parse_command(command.get("text") or "")
    if isinstance(parsed, Help | Usage):
        # Answered in the acknowledgement itself: nothing to look up.
        if isinstance(parsed, Usage):
            shown = screens.usage(parsed.problem)
        else:
            shown = kit.text(messages.HELP)
        await ack(text=shown.text, blocks=shown.blocks)
        return
    await ack()
    if isinstance(parsed, OpenForm):
        # trigger_id lives 3 s: a modal opens right after the answer, the look-ups after it.
        await deps.after_ack(_open_form(parsed, command, client, deps))
    else:
        await deps.after_ack(_reply(parsed, command, client, respond, deps))


async def _open_form(
    parsed: OpenForm, command: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    await modals.open_then(client, command["trigger_id"], _form(parsed, command, deps))


async def _form(parsed: OpenForm, command: dict[str, Any], deps: Deps) -> dict[str, Any]:
    """The form, or, for someone who may not create replicas here, why not."""
    team, user = command["team_id"], command["user_id"]
    refusal = await deps.refusal(team, user)
    if refusal is not None:
        return cards.status_view(messages.NOT_A_CREATOR_TITLE, refusal)
    return deps.form(team, command["channel_id"], user, prefill(parsed, deps.models[0]))


async def _reply(
    parsed: ListReplicas | Status | Rename | Delete | Audit | Release,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    try:
        answer = await _answer(parsed, command, client, deps)
    except StoreUnavailable as exc:
        log.error("could not answer %s: %s", COMMAND, exc)
        answer = kit.text(messages.NOT_SAVED_LATER)
    await respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral")


async def _answer(
    parsed: ListReplicas | Status | Rename | Delete | Audit | Release,
    command: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
) -> Message:
    team, user = command["team_id"], command["user_id"]
    if isinstance(parsed, Audit):
        return await _export(parsed.days, team, user, client, deps)
    if isinstance(parsed, Release):
        return await release(parsed, team_id=team, user_id=user, deps=deps)
    # Replicas asked for in private channels and DMs are seen only by their own people, and
    # guests see only their own.
    eyes = await viewer(deps.people, user)
    if isinstance(parsed, ListReplicas):
        jobs, more = await deps.replicas.page(team_id=team, viewer=eyes, page=parsed.page)
        return screens.replica_list(jobs, page=parsed.page, more=more)
    query = parsed.query if isinstance(parsed, Status) else parsed.replica_id
    job = await deps.replicas.find(team_id=team, query=query, viewer=eyes)
    if job is None:
        return screens.not_found(query)
    if isinstance(parsed, Status):
        fresh = await deps.replicas.refresh_and_settle(job)
        return screens.replica_status(fresh, await deps.consent.receipt(job.id), shown_to=eyes)
    verb = "rename" if isinstance(parsed, Rename) else "delete"
    if not await may_change(deps.people, user, job):
        return kit.text(screens.about(messages.NOT_YOURS, job, verb=verb))
    if isinstance(parsed, Delete):
        return screens.confirm_delete(job)
    name = parsed.replica_name[: form.NAME_LIMIT]
    try:
        renamed = await deps.replicas.rename(job, name, by=user)
    except TavusError as error:
        reason = messages.create_failure(error)
        return kit.text(screens.about(messages.RENAME_FAILED, job, reason=reason))
    return kit.text(screens.about(messages.RENAMED, renamed))


async def _export(days: int, team: str, user: str, client: AsyncWebClient, deps: Deps) -> Message:
    """The audit log as a CSV file in an admin's DM; for anyone else, a refusal on record."""
    if not await is_admin(deps.people, user):
        await deps.governance.refused(team_id=team, user_id=user, what="audit", why="not an admin")
        return kit.text(messages.AUDIT_ADMINS_ONLY)
    records = await deps.governance.export(team_id=team, days=days, by=user)
    values = {"days": days, "count": len(records)}
    try:
        dm = (await client.conversations_open(users=user))["channel"]["id"]
        await client.files_upload_v2(
            channel=dm,
            content=audit.to_csv(records),
            filename=f"replica-audit-{datetime.now(UTC):%Y-%m-%d}-{days}d.csv",
            title=messages.AUDIT_TITLE.format(**values),
            initial_comment=messages.AUDIT_COMMENT.format(**values),
        )
    except SlackApiError as exc:
        log.warning("could not upload the audit log for %s: %s", user, exc)
        return kit.text(messages.AUDIT_FAILED.format(error=error_word(exc)))
    return kit.text(messages.AUDIT_SENT.format(**values))


# The buttons of /replica's answers: the list's Next page, and Delete once confirmed.
async def next_page(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps) -> None:
    """Replace the list with its next page."""
    await ack()
    page, after = _cursor(action_value(body))
    user = body["user"]["id"]
    await deps.after_ack(_show_page(team_of(body), user, page, after, respond, deps))


def _cursor(value: str) -> tuple[int, tuple[datetime, str] | None]:
    """A Next page button's value: "page|created_at|job id", or a bare page number."""
    number, _, rest = value.partition("|")
    page = max(1, int(number)) if number.isascii() and number.isdigit() and len(number) < 10 else 1
    moment, _, job_id = rest.partition("|")
    try:
        return page, (datetime.fromisoformat(moment), job_id) if job_id else None
    except ValueError:
        return page, None


async def _show_page(
    team: str,
    user: str,
    page: int,
    after: tuple[datetime, str] | None,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    eyes = await viewer(deps.people, user)
    jobs, more = await deps.replicas.page(team_id=team, viewer=eyes, page=page, after=after)
    shown = screens.replica_list(jobs, page=page, more=more)
    await respond(text=shown.text, blocks=shown.blocks, replace_original=True)


async def delete_confirmed(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps
) -> None:
    """Delete the replica the user confirmed, checking again that they may."""
    await ack()
    await deps.after_ack(_delete(body, respond, deps))


async def _delete(body: dict[str, Any], respond: AsyncRespond, deps: Deps) -> None:
    job = await deps.replicas.get(action_value(body))
    if job is None:
        return
    user = body["user"]["id"]
    if elsewhere(job, workspace_of(body)):
        words = messages.OTHER_WORKSPACE
    elif not await may_change(deps.people, user, job):
        words = screens.about(messages.NOT_YOURS, job, verb="delete")
    else:
        try:
            deleted = await deps.replicas.delete(job, by=user)
            words = screens.about(messages.DELETED, deleted)
        except TavusError as error:
            reason = messages.create_failure(error)
            words = screens.about(messages.DELETE_FAILED, job, reason=reason)
    shown = kit.text(words)
    await respond(text=shown.text, blocks=shown.blocks, replace_original=True)


def register(app: AsyncApp) -> None:
    """Attach the command listener, and the buttons of its answers."""
    app.command(COMMAND)(on_command)
    app.action(LIST_PAGE_ACTION)(next_page)
    app.action(DELETE_ACTION)(delete_confirmed)
