"""build(): the bot's whole object graph, made, run and ended in order, with no server."""

from __future__ import annotations

from contextlib import AsyncExitStack
from urllib.parse import urlencode

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import Connection

from bot.app import lifetimes
from bot.config import Settings
from bot.slack.blocks import form
from bot.store.engine import alembic_config
from bot.wiring import build
from tests.slack_client import command_fields
from tests.standins.slack import SlackStandIn


def _revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def test_build_makes_a_migrated_store_and_a_bolt_app_that_answers_then_ends_cleanly(
    settings: Settings, slack: SlackStandIn
) -> None:
    services = await build(settings)
    async with AsyncExitStack() as running:
        for life in lifetimes(services):
            await running.enter_async_context(life)

        # The store opened the test's new SQLite file and brought it to the newest revision.
        async with services.clients.store.db.reading() as connection:
            revisions = await connection.run_sync(_revisions)
        assert revisions == set(ScriptDirectory.from_config(alembic_config()).get_heads())
        # Bolt has the listeners and their dependencies: /replica, handed to it directly (no
        # HTTP, no signature), opens the form through the Slack stand-in.
        trigger = slack.trigger()
        answer = await services.bolt.async_dispatch(
            AsyncBoltRequest(
                body=urlencode(command_fields(trigger=trigger)),
                headers={"content-type": ["application/x-www-form-urlencoded"]},
            )
        )
        assert answer.status == 200
        view = await slack.wait_for_modal()
        [opened] = slack.called("views.open")
        assert (opened["trigger_id"], opened["_ok"]) == (trigger, True)
        assert view["callback_id"] == form.CALLBACK_ID

    # Every lifetime ended: the follow-ups take no more work, and the clients are closed.
    assert services.deps.follow_ups.closed
    assert services.clients.slack_session.closed
    assert services.clients.tavus_http.is_closed
