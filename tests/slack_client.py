"""Plays Slack's side of the app's HTTP endpoint: signed slash commands and view submissions.

Payloads are shaped as Slack sends them: trigger_ids issued by the Slack stand-in (single use,
3 s), slash-command text escaped, Events API envelopes with `authorizations`, block_actions
from a view with no response_url, and org-wide installs' null teams.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.standins.blockkit import ack_errors
from tests.standins.slack import BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "test-signing-secret"
USER_ID = "U0ALICE"
CHANNEL_ID = "C0GENERAL"
# The message a click or a shortcut comes from, when a test names none.
MESSAGE_TS = "1700000000.000100"


def slack_escaped(typed: str) -> str:
    """Text as Slack sends what a user typed: `&`, `<` and `>` as HTML entities.

    /replica has should_escape: false (manifest.yml), so Slack neither wraps links nor turns
    @names and #channels into <@U…>/<#C…>; but all text Slack sends apps is escaped this way
    (api.slack.com/docs/formatting: "All text in Slack uses the same system of escaping";
    seen on slash commands: slack-ruby/slack-ruby-bot#237, Iteam1337/sonos-wejay#27).
    """
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackSender:
    """Sends requests to the bot's /slack/events, signed exactly as Slack signs them."""

    def __init__(
        self,
        events_url: str,
        secret: str = SIGNING_SECRET,
        respond_to: str = "",
        *,
        triggers: Callable[[], str],
        team: str = TEAM_ID,
        enterprise: str | None = None,
        org_install: bool = False,
    ) -> None:
        self.events_url = events_url
        # The workspace (and Grid org) every request comes from, and whether the app is
        # installed org-wide there (so payloads carry Slack's org-install shapes).
        self.team = team
        self.enterprise = enterprise
        self.org_install = org_install
        self._verifier = SignatureVerifier(secret)
        # Slack issues each command's, click's and shortcut's trigger_id (the stand-in's trigger).
        self._triggers = triggers
        self.last_trigger = ""
        self._requests = 0
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
        self._requests += 1
        self.last_response_key = f"r{self._requests}"
        return f"{self._respond_to}/{self.last_response_key}"

    def _next_trigger(self) -> str:
        self.last_trigger = self._triggers()
        return self.last_trigger

    async def action(
        self,
        action_id: str,
        value: str,
        *,
        user: str = USER_ID,
        container: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
    ) -> tuple[int, str]:
        """Click a button in a message (its response_url goes to the stand-in) or in a view.

        A click in App Home or a modal (container type "view") has no response_url, as in Slack.
        """
        from_view = (container or {}).get("type") == "view"
        payload = action_payload(
            action_id,
            value,
            user=user,
            container=container,
            view=view,
            trigger=self._next_trigger(),
            response_url=None if from_view else self._next_response_url(),
            team=self.team,
            enterprise=self.enterprise,
            org_install=self.org_install,
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
            "trigger_id": self._next_trigger(),
            "response_url": self._next_response_url(),
            "team": None if self.org_install else {"id": self.team, "domain": "test"},
            "enterprise": {"id": self.enterprise, "name": "Org"} if self.enterprise else None,
            "is_enterprise_install": self.org_install,
            "user": {"id": user, "username": "alice", "name": "alice", "team_id": self.team},
            "channel": {"id": channel, "name": "general"},
            "message": {"type": "message", "ts": MESSAGE_TS, **message},
            "message_ts": MESSAGE_TS,
            "token": "legacy-verification-token",
            "api_app_id": "A0APP",
        }
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def event(self, event: dict[str, Any]) -> tuple[int, str]:
        """Deliver an Events API event, as JSON, signed.

        An org-wide install's app_uninstalled names the org and no workspace (lobu-ai/lobu#1819:
        "a Grid org-wide uninstall carries only the enterprise id, no team id").
        """
        org_left = self.org_install and event.get("type") == "app_uninstalled"
        body = event_body(
            event,
            team=None if org_left else self.team,
            enterprise=self.enterprise,
            org_install=self.org_install,
        )
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
        """The form-encoded body Slack sends for `/replica text` (as typed; see command)."""
        response_url = self._next_response_url()
        fields = command_fields(
            text,
            trigger=self._next_trigger(),
            team=self.team,
            enterprise=self.enterprise,
            org_install=self.org_install,
            **kwargs,
        )
        return urlencode({**fields, "response_url": response_url})

    async def command(self, text: str = "", *, raw: bool = False, **kwargs: Any) -> tuple[int, str]:
        """Type `/replica text` in a channel: `text` as the user typed it, escaped as Slack does.

        With raw=True, `text` is sent exactly as given: the wire text of a test's own choosing.
        """
        return await self.post(self.command_body(text, raw=raw, **kwargs))

    async def submit(self, view: dict[str, Any], *, user: str = USER_ID) -> tuple[int, Any]:
        """Submit a modal; returns the status and the decoded JSON answer (or None if empty)."""
        payload = submission(
            view,
            trigger=self._next_trigger(),
            user=user,
            team=self.team,
            enterprise=self.enterprise,
            org_install=self.org_install,
        )
        status, text = await self.post(urlencode({"payload": json.dumps(payload)}))
        return status, json.loads(text) if text else None


def action_payload(
    action_id: str,
    value: str,
    *,
    trigger: str,
    response_url: str | None,
    user: str = USER_ID,
    container: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
    team: str = TEAM_ID,
    enterprise: str | None = None,
    org_install: bool = False,
) -> dict[str, Any]:
    """A block_actions payload: one button clicked, as Slack sends it.

    From a message (the default: container {type: message, channel_id, message_ts,
    is_ephemeral}): with `channel`, `response_url` and, unless ephemeral, the `message`. From
    App Home or a modal (container {type: view, view_id}): with the `view` and no channel,
    message or response_url ([edge] block-action.ts, bolt-python's build_context). An org-wide
    install's click has no `team` (the user's team_id says which workspace) and
    is_enterprise_install true.
    """
    where = {"type": "message", **(container or {})}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": None if org_install else _team(team, enterprise),
        "enterprise": {"id": enterprise, "name": "Org"} if enterprise else None,
        "is_enterprise_install": org_install,
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": team},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "trigger_id": trigger,
        "container": where,
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
    if where["type"] == "view":
        assert response_url is None, "a click in a view comes with no response_url"
        where.setdefault("view_id", "V0HOME")
        payload["view"] = view or home_view(where["view_id"], team)
        return payload
    assert response_url, "a click in a message always comes with a response_url"
    where.setdefault("message_ts", MESSAGE_TS)
    where.setdefault("channel_id", CHANNEL_ID)
    where.setdefault("is_ephemeral", False)
    payload["channel"] = {"id": where["channel_id"], "name": "general"}
    payload["response_url"] = response_url
    if not where["is_ephemeral"]:
        # An ephemeral message's click carries no `message` (only the container says which).
        payload["message"] = message or {
            "type": "message",
            "ts": where["message_ts"],
            "user": BOT_USER_ID,
            "bot_id": "B0BOT",
            "text": "",
        }
    return payload


def home_view(view_id: str, team: str = TEAM_ID) -> dict[str, Any]:
    """The App Home view a click in it carries, as Slack sends it."""
    return {
        "id": view_id,
        "team_id": team,
        "type": "home",
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "state": {"values": {}},
        "hash": "1700000000.home",
        "title": {"type": "plain_text", "text": "View Title"},
        "external_id": "",
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": "A0APP",
        "app_installed_team_id": team,
        "bot_id": "B0BOT",
    }


def _team(team: str, enterprise: str | None) -> dict[str, Any]:
    """A payload's `team`: the workspace, and its Grid org if it is in one."""
    org = {"enterprise_id": enterprise, "enterprise_name": "Org"} if enterprise else {}
    return {"id": team, "domain": "test", **org}


def command_fields(
    text: str = "",
    *,
    trigger: str,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    team: str = TEAM_ID,
    enterprise: str | None = None,
    org_install: bool = False,
    raw: bool = False,
) -> dict[str, str]:
    """The fields of a `/replica text` slash command, as Slack sends them.

    `text` is what the user typed, escaped as Slack escapes it; with raw=True, the wire text.
    """
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
        "text": text if raw else slack_escaped(text),
        "api_app_id": "A0APP",
        "is_enterprise_install": "true" if org_install else "false",
        "response_url": "https://hooks.slack.com/commands/T0TEAM/1/x",
        "trigger_id": trigger,
    }


def submission(
    view: dict[str, Any],
    *,
    trigger: str,
    user: str = USER_ID,
    team: str = TEAM_ID,
    enterprise: str | None = None,
    org_install: bool = False,
) -> dict[str, Any]:
    """The view_submission payload Slack sends when a user submits `view`.

    An org-wide install's has no `team`; the view says which workspace it was installed for.
    """
    return {
        "type": "view_submission",
        "team": None if org_install else _team(team, enterprise),
        "enterprise": {"id": enterprise, "name": "Org"} if enterprise else None,
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": team},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "trigger_id": trigger,
        "view": {**view, "team_id": team, "app_installed_team_id": team},
        "response_urls": [],
        "is_enterprise_install": org_install,
    }


def filled(view: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The view Slack submits after the user fills the opened form: block_id -> value.

    Text inputs take a string, selects and radio buttons take the option value (a user
    picker, a user id, a multi-user picker a list of them, a channel picker a channel id; each
    keeps its initial choice unless given one), the consent box takes True.
    """
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        value = fields.get(block["block_id"])
        if element["type"] in {"plain_text_input", "url_text_input"}:
            state: dict[str, Any] = {"type": element["type"], "value": value}
        elif element["type"] in {"static_select", "radio_buttons"}:
            chosen = value if value is not None else element.get("initial_option", {}).get("value")
            option = next((o for o in element["options"] if o["value"] == chosen), None)
            if option is None and chosen is not None:
                option = {"text": {"type": "plain_text", "text": chosen}, "value": chosen}
            state = {"type": element["type"], "selected_option": option}
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
    event: dict[str, Any],
    *,
    team: str | None = TEAM_ID,
    enterprise: str | None = None,
    org_install: bool = False,
    **more: Any,
) -> str:
    """The JSON body Slack's Events API sends for `event` (`more`: other envelope fields).

    As bolt-python's tests/scenario_tests/test_events_org_apps.py shows it: `team_id` is the
    workspace the event happened in (None: the envelope has none), `enterprise_id` its org,
    and who the app is installed for is in `authorizations[0]`: for an org-wide install,
    team_id null and is_enterprise_install true. The envelope itself has no
    is_enterprise_install.
    """
    envelope: dict[str, Any] = {
        "token": "legacy-verification-token",
        "api_app_id": "A0APP",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": enterprise,
                "team_id": None if org_install else team,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": org_install,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event.get('type', 'event')}-{team or enterprise}",
        **more,
    }
    if team is not None:
        envelope["team_id"] = team
    if enterprise is not None:
        envelope["enterprise_id"] = enterprise
    return json.dumps(envelope)
