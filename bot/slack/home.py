"""App Home: a "My replicas" tab, drawn each time the user opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import screens
from bot.slack.deps import Deps

HOME_ROWS = 20


async def show_home(
    event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, deps: Deps
) -> None:
    """Publish the user's replicas, newest first, with status and progress."""
    if event.get("tab") != "home":
        return
    team = context.team_id or event.get("view", {}).get("team_id", "")
    await deps.after_ack(_publish(team, event["user"], client, deps))


async def _publish(team: str, user: str, client: AsyncWebClient, deps: Deps) -> None:
    jobs, _ = await deps.replicas.page(team_id=team, user_id=user, per_page=HOME_ROWS)
    await client.views_publish(user_id=user, view=screens.home(jobs))


def register(app: AsyncApp) -> None:
    """Attach the event listener."""
    app.event("app_home_opened")(show_home)
