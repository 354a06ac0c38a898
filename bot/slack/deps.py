"""What listeners need, handed to them as their `deps` argument by one Bolt middleware."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot import messages
from bot.aio import Kept
from bot.governance.approvals import Approvals
from bot.governance.consent import Consent
from bot.governance.policy import Governance
from bot.governance.rules import creator_refusal, is_admin
from bot.jobs import ReplicaRequest
from bot.jobs.face_matches import FaceMatches
from bot.jobs.intake import Intake
from bot.jobs.replicas import Replicas
from bot.jobs.talks import Talks
from bot.jobs.voices import Voices
from bot.media.fetch import Fetcher
from bot.media.links import Prober
from bot.media.slack_files import SlackFiles
from bot.ops.logs import log_context
from bot.slack.blocks import form
from bot.slack.people import People
from bot.workspaces.accounts import Accounts, NotConnected
from bot.workspaces.connect import ConnectTavus
from bot.workspaces.departures import Departures

log = logging.getLogger(__name__)

# Bolt passes each context key to a listener that names it as an argument.
KEY = "deps"


def follow_ups() -> Kept:
    """Where listeners put the work that follows their answer to Slack.

    Bolt answers Slack only when a listener returns (process_before_response), which spares it
    polling every request for its ack; work after the ack runs here, and shutdown waits for it.
    """

    def failed(error: BaseException) -> None:
        log.error("a listener's follow-up failed", exc_info=error)

    return Kept(failed)


@dataclass(frozen=True, slots=True)
class Deps:
    """The domain listeners ask, the choices the form offers, and where follow-ups run."""

    intake: Intake
    replicas: Replicas
    governance: Governance
    consent: Consent
    approvals: Approvals
    people: People
    # Checks the form's links before a save; None where the operator turned checks off.
    prober: Prober | None
    # Files posted in Slack, read and copied for Tavus; None without PUBLIC_URL to serve them.
    files: SlackFiles | None
    fetcher: Fetcher | None
    models: Sequence[str]
    voices: Voices
    follow_ups: Kept
    accounts: Accounts
    departures: Departures
    talks: Talks
    # The Connect Tavus page, with many workspaces; None with one (TAVUS_API_KEY serves all).
    connect: ConnectTavus | None = None
    # Compares faces once consent is given, and lets a held job go; None with MEDIA_CHECK off.
    face_matches: FaceMatches | None = None

    async def refusal(self, team_id: str, user_id: str) -> str | None:
        """Why `user_id` cannot start a replica here now (and it is on record), or None."""
        try:
            await self.accounts.tavus(team_id)
        except NotConnected:
            admin = await is_admin(self.people, user_id)
            return messages.TAVUS_NOT_CONNECTED_ADMIN if admin else messages.TAVUS_NOT_CONNECTED
        return await creator_refusal(self.people, self.governance, team_id=team_id, user_id=user_id)

    def form(
        self,
        team_id: str,
        channel_id: str,
        requester_id: str,
        prefill: ReplicaRequest | None = None,
    ) -> dict[str, Any]:
        """The request form, posting to `channel_id`, offering today's models and voices."""
        return form.build(
            channel_id=channel_id,
            models=self.models,
            voices=self.voices.current(team_id),
            prefill=prefill,
            requester_id=requester_id,
        )

    async def after_ack(self, work: Coroutine[Any, Any, object]) -> None:
        """Run `work` once the listener has returned and Slack has its answer.

        Never raises: Slack has been answered, and an error here would turn that answer into a 500.
        """
        if self.follow_ups.closed:
            # A request that came in as the bot was stopping (Socket Mode does not wait for them).
            # A job it saved is not lost: the next start resumes it.
            log.warning("shutting down: dropped a follow-up (%r)", work)
            work.close()
            return
        self.follow_ups.start(work)

    def install(self, app: AsyncApp) -> None:
        """Add the middleware that puts these Deps in every request's context."""

        async def inject(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
            # Slack is asked about people with the client of the request's own workspace.
            people = self.people.using(context.client, context.team_id or "")
            context[KEY] = replace(self, people=people)
            # Every line logged for the request, and its follow-ups, names its workspace.
            with log_context(team_id=context.team_id, channel=context.channel_id):
                await next()

        app.use(inject)
