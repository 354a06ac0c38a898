"""App Home's Policy: admins see the workspace's rules and change them; each change is recorded."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.governance.rules import is_admin
from bot.slack import home, modals
from bot.slack.blocks import cards, kit, policy_form, screens
from bot.slack.blocks.kit import POLICY_ACTION
from bot.slack.deps import Deps
from bot.slack.payloads import team_of, workspace_of


async def open_policy(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    """The Policy modal, filled in with the rules as they stand; for admins only."""
    await ack()
    await deps.after_ack(modals.open_then(client, body["trigger_id"], _view(body, deps)))


async def _view(body: dict[str, Any], deps: Deps) -> dict[str, Any]:
    team, user = team_of(body), body["user"]["id"]
    if await _refused(team, user, deps):
        return cards.status_view(messages.POLICY_TITLE, messages.POLICY_ADMINS_ONLY)
    return policy_form.build(await deps.governance.policy(team))


async def submit_policy(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    """Check the new rules and who sets them, save them with their record, redraw Home."""
    parsed = policy_form.parse(view)
    if isinstance(parsed, kit.Invalid):
        await ack(response_action="errors", errors=kit.errors(parsed.errors))
        return
    team, user = team_of(body), body["user"]["id"]
    # Checked again: someone may have stopped being an admin since the modal opened.
    if await _refused(team, user, deps):
        await ack(response_action="errors", errors={policy_form.RULE: messages.POLICY_ADMINS_ONLY})
        return
    await deps.governance.change(team, parsed, by=user)
    saved = messages.POLICY_SAVED.format(**screens.policy_words(parsed))
    await ack(response_action="update", view=cards.status_view(messages.POLICY_TITLE, saved))
    await deps.after_ack(home.publish(workspace_of(body), user, client, deps))


async def _refused(team: str, user: str, deps: Deps) -> bool:
    """Whether `user` may not touch the policy (not an admin); the refusal is recorded."""
    if await is_admin(deps.people, user):
        return False
    await deps.governance.refused(team_id=team, user_id=user, what="policy", why="not an admin")
    return True


def register(app: AsyncApp) -> None:
    """Attach the Policy button and modal listeners."""
    app.action(POLICY_ACTION)(open_policy)
    app.view_submission(policy_form.CALLBACK_ID)(submit_policy)
