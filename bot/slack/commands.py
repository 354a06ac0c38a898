"""The /replica slash command: the form, and help, list, status, rename, delete and audit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.governance import audit
from bot.governance.rules import is_admin, may_change, viewer
from bot.jobs import ReplicaRequest
from bot.slack import modals
from bot.slack.blocks import cards, form, kit, screens
from bot.slack.blocks.kit import Message
from bot.slack.deps import Deps
from bot.store import StoreUnavailable
from bot.tavus import TavusError

log = logging.getLogger(__name__)

COMMAND = "/replica"
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
class Usage:
    """Input the bot cannot use, and what was wrong with it."""

    problem: str


Command = OpenForm | Help | ListReplicas | Status | Rename | Delete | Audit | Usage


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
    parsed: ListReplicas | Status | Rename | Delete | Audit,
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
    parsed: ListReplicas | Status | Rename | Delete | Audit,
    command: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
) -> Message:
    team, user = command["team_id"], command["user_id"]
    if isinstance(parsed, Audit):
        return await _export(parsed.days, team, user, client, deps)
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
        return kit.text(messages.AUDIT_FAILED.format(error=exc.response.get("error")))
    return kit.text(messages.AUDIT_SENT.format(**values))


def register(app: AsyncApp) -> None:
    """Attach the command listener."""
    app.command(COMMAND)(on_command)
