"""App Home: "My replicas" and "Replicas of me", drawn each time the user opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.governance.rules import is_admin
from bot.slack.blocks import screens
from bot.slack.deps import Deps
from bot.workspaces.accounts import Workspace

HOME_ROWS = 20


async def show_home(
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    deps: Deps,
) -> None:
    """Publish the user's replicas, and the replicas of them, newest first."""
    if event.get("tab") != "home":
        return
    # An org-wide install's events name no team in their authorizations (Bolt's context), and
    # a first open has no view yet: the envelope's team_id is the workspace it was opened in.
    view = event.get("view") or {}
    team = context.team_id or view.get("team_id") or body.get("team_id") or ""
    workspace = Workspace(team, context.enterprise_id)
    await deps.after_ack(publish(workspace, event["user"], client, deps))


async def publish(workspace: Workspace, user: str, client: AsyncWebClient, deps: Deps) -> None:
    """Draw a user's Home tab as things stand now."""
    team = workspace.team_id
    jobs, _ = await deps.replicas.page(team_id=team, user_id=user, per_page=HOME_ROWS)
    of_me = await deps.consent.of_subject(team_id=team, user_id=user)
    policy, tavus = None, None
    admin = await is_admin(deps.people, user)
    if admin:
        policy = (await deps.governance.policy(team), await deps.governance.current(team))
    if deps.connect is not None:
        tavus = screens.TavusShown(connected=await deps.connect.current(team), admin=admin)
    view = screens.home(jobs, of_me, policy, tavus)
    await client.views_publish(user_id=user, view=view)


def register(app: AsyncApp) -> None:
    """Attach the event listener."""
    app.event("app_home_opened")(show_home)
