"""The ready result's Talk to it button: a conversation with the replica, its link private."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot import messages
from bot.governance.rules import elsewhere, may_talk
from bot.jobs import JobStatus
from bot.slack.blocks import screens
from bot.slack.blocks.kit import TALK_ACTION
from bot.slack.deps import Deps
from bot.slack.payloads import action_value, workspace_of
from bot.store import StoreUnavailable
from bot.tavus import TavusError

log = logging.getLogger(__name__)


async def talk(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps) -> None:
    """Open a conversation for whoever clicked, if they may (requester, person shown, admin).

    Everyone else is told why not, privately.
    """
    await ack()
    await deps.after_ack(_talk(body, respond, deps))


async def _talk(body: dict[str, Any], respond: AsyncRespond, deps: Deps) -> None:
    job = await deps.replicas.get(action_value(body))
    if job is None:
        return
    user = body["user"]["id"]
    if elsewhere(job, workspace_of(body)):
        words = messages.OTHER_WORKSPACE
    elif not await may_talk(deps.people, user, job):
        words = screens.about(messages.TALK_NOT_YOURS, job)
    elif job.status is not JobStatus.READY or job.replica_id is None:
        words = screens.about(messages.TALK_NOT_READY, job)
    else:
        try:
            url = await deps.talks.open(job, by=user)
        except StoreUnavailable as exc:
            log.error("job %s: no conversation for %s: %s", job.id, user, exc)
            words = screens.about(messages.TALK_FAILED, job, reason=messages.TALK_STORE_DOWN)
        except TavusError as error:
            log.info("job %s: no conversation for %s: %s", job.id, user, error)
            reason = messages.tavus_trouble(error)
            words = screens.about(messages.TALK_FAILED, job, reason=reason)
        else:
            words = screens.talk_opened(job, url)
    await respond(text=words, response_type="ephemeral", replace_original=False)


def register(app: AsyncApp) -> None:
    """Attach the button listener."""
    app.action(TALK_ACTION)(talk)
