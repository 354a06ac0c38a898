"""Plays Slack's side of the app's HTTP endpoint: signed slash commands and view submissions."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.standins.blockkit import ack_errors
from tests.standins.slack import TEAM_ID

SIGNING_SECRET = "test-signing-secret"
USER_ID = "U0ALICE"
CHANNEL_ID = "C0GENERAL"


class SlackSender:
    """Sends requests to the bot's /slack/events, signed exactly as Slack signs them."""

    def __init__(
        self,
        events_url: str,
        secret: str = SIGNING_SECRET,
        respond_to: str = "",
        *,
        team: str = TEAM_ID,
        enterprise: str | None = None,
    ) -> None:
        self.events_url = events_url
        # The workspace (and Grid org) every request comes from.
        self.team = team
        self.enterprise = enterprise
        self._verifier = SignatureVerifier(secret)
        self._triggers = 0
        # Where response_url points (the Slack stand-in's /respond/ route); keys number requests.
        self._respond_to = respond_to
        self.last_response_key = ""

    def headers(
        self,
        body: str,
        *,
        age: float = 0.0,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> dict[str, str]:
        """Slack's signature headers for a body sent `age` seconds ago."""
        timestamp = str(int(time.time() - age))
        signature = self._verifier.generate_signature(timestamp=timestamp, body=body)
        assert signature is not None
        return {
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
            "Content-Type": content_type,
        }

    def _next_response_url(self) -> str:
        self._triggers += 1
        self.last_response_key = f"r{self._triggers}"
        return f"{self._respond_to}/{self.last_response_key}"

    async def action(
        self,
        action_id: str,
        value: str,
        *,
        user: str = USER_ID,
        container: dict[str, Any] | None = None,
    ) -> tuple[int, str]:
        """Click a button in a message or view; its response_url goes to the stand-in."""
        payload = action_payload(
            action_id,
            value,
            user=user,
            container=container,
            trigger=f"action-trigger-{self._triggers + 1}",
            response_url=self._next_response_url(),
            team=self.team,
            enterprise=self.enterprise,
        )
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def shortcut(
        self,
        callback_id: str,
        message: dict[str, Any],
        *,
        user: str = USER_ID,
        channel: str = CHANNEL_ID,
    ) -> tuple[int, str]:
        """Use a message shortcut on `message`, as Slack sends it (message_action)."""
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "trigger_id": f"shortcut-trigger-{self._triggers + 1}",
            "response_url": self._next_response_url(),
            "team": {"id": TEAM_ID, "domain": "test"},
            "user": {"id": user, "username": "alice", "name": "alice", "team_id": TEAM_ID},
            "channel": {"id": channel, "name": "general"},
            "message": {"type": "message", "ts": "1700000000.000100", **message},
            "message_ts": "1700000000.000100",
            "token": "legacy-verification-token",
            "api_app_id": "A0APP",
        }
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def event(self, event: dict[str, Any]) -> tuple[int, str]:
        """Deliver an Events API event, as JSON, signed."""
        body = event_body(event, team=self.team, enterprise=self.enterprise)
        return await self.post(body, self.headers(body, content_type="application/json"))

    async def post(self, body: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        """POST a raw body with the given headers (signed correctly when none are given).

        An acknowledgement whose blocks or view Slack would refuse fails the test here: Slack
        would show the user an error instead.
        """
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                self.events_url, data=body.encode(), headers=headers or self.headers(body)
            ) as response,
        ):
            status, text = response.status, await response.text()
        if status == 200 and text.startswith("{"):
            problems = ack_errors(json.loads(text))
            assert not problems, f"Slack would refuse the bot's acknowledgement: {problems}"
        return status, text

    def command_body(self, text: str = "", **kwargs: Any) -> str:
        """The form-encoded body Slack sends for `/replica text`."""
        response_url = self._next_response_url()
        fields = command_fields(
            text,
            trigger=f"trigger-{self._triggers}",
            team=self.team,
            enterprise=self.enterprise,
            **kwargs,
        )
        return urlencode({**fields, "response_url": response_url})

    async def command(self, text: str = "", **kwargs: Any) -> tuple[int, str]:
        """Type `/replica text` in a channel."""
        return await self.post(self.command_body(text, **kwargs))

    async def submit(self, view: dict[str, Any], *, user: str = USER_ID) -> tuple[int, Any]:
        """Submit a modal; returns the status and the decoded JSON answer (or None if empty)."""
        payload = submission(view, user=user, team=self.team, enterprise=self.enterprise)
        status, text = await self.post(urlencode({"payload": json.dumps(payload)}))
        return status, json.loads(text) if text else None


def action_payload(
    action_id: str,
    value: str,
    *,
    trigger: str,
    response_url: str,
    user: str = USER_ID,
    container: dict[str, Any] | None = None,
    team: str = TEAM_ID,
    enterprise: str | None = None,
) -> dict[str, Any]:
    """A block_actions payload: one button clicked, as Slack sends it."""
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "test"},
        "enterprise": {"id": enterprise, "name": "Org"} if enterprise else None,
        "is_enterprise_install": False,
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": team},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "trigger_id": trigger,
        "response_url": response_url,
        "container": container or {"type": "message", "channel_id": CHANNEL_ID},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def command_fields(
    text: str = "",
    *,
    trigger: str,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    team: str = TEAM_ID,
    enterprise: str | None = None,
) -> dict[str, str]:
    """The fields of a `/replica text` slash command, as Slack sends them."""
    org = {"enterprise_id": enterprise, "enterprise_name": "Org"} if enterprise else {}
    return {
        **org,
        "token": "legacy-verification-token",
        "team_id": team,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "alice",
        "command": "/replica",
        "text": text,
        "api_app_id": "A0APP",
        "response_url": "https://hooks.slack.com/commands/T0TEAM/1/x",
        "trigger_id": trigger,
    }


def submission(
    view: dict[str, Any],
    *,
    user: str = USER_ID,
    team: str = TEAM_ID,
    enterprise: str | None = None,
) -> dict[str, Any]:
    """The view_submission payload Slack sends when a user submits `view`."""
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "test"},
        "enterprise": {"id": enterprise, "name": "Org"} if enterprise else None,
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": team},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "trigger_id": "submit-trigger",
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
    }


def filled(view: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The view Slack submits after the user fills the opened form: block_id -> value.

    Text inputs take a string, selects take the option value (a user picker, a user id, a
    multi-user picker a list of them, a channel picker a channel id; each keeps its initial
    choice unless given one), the consent box takes True.
    """
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        value = fields.get(block["block_id"])
        if element["type"] in {"plain_text_input", "url_text_input"}:
            state: dict[str, Any] = {"type": element["type"], "value": value}
        elif element["type"] == "static_select":
            chosen = value if value is not None else element.get("initial_option", {}).get("value")
            option = next((o for o in element["options"] if o["value"] == chosen), None)
            if option is None and chosen is not None:
                option = {"text": {"type": "plain_text", "text": chosen}, "value": chosen}
            state = {"type": "static_select", "selected_option": option}
        elif element["type"] == "users_select":
            chosen = value if value is not None else element.get("initial_user")
            state = {"type": "users_select", "selected_user": chosen}
        elif element["type"] == "multi_users_select":
            chosen = value if value is not None else element.get("initial_users", [])
            state = {"type": "multi_users_select", "selected_users": chosen}
        elif element["type"] == "file_input":
            state = {"type": "file_input", "files": value or []}
        elif element["type"] == "conversations_select":
            chosen = value if value is not None else element.get("initial_conversation")
            state = {"type": "conversations_select", "selected_conversation": chosen}
        else:
            state = {
                "type": "checkboxes",
                "selected_options": element["options"] if value else [],
            }
        values[block["block_id"]] = {element["action_id"]: state}
    return {
        **view,
        "id": "V0VIEW",
        "team_id": TEAM_ID,
        "hash": "1700000000.abc",
        "state": {"values": values},
    }


def event_body(
    event: dict[str, Any], *, team: str = TEAM_ID, enterprise: str | None = None, **more: Any
) -> str:
    """The JSON body Slack's Events API sends for `event` (`more`: is_enterprise_install…)."""
    return json.dumps(
        {
            **more,
            "enterprise_id": enterprise,
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": event,
        }
    )
