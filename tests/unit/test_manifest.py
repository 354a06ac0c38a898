"""The Slack app manifest and Procfile: valid, pointed at the bot's routes, scoped for its calls."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import yaml
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SLACK_EVENTS_PATH
from bot.slack.commands import COMMAND
from bot.slack.oauth import REDIRECT_PATH, SCOPES

ROOT = Path(__file__).parents[2]
MANIFEST = ROOT / "manifest.yml"
PROCFILE = ROOT / "Procfile"
# SchemaStore's schema for Slack app manifests, kept in the repository (tests/data/README.md).
SCHEMA = ROOT / "tests" / "data" / "slack-app-manifest.schema.json"

# The bot scopes each Web API method needs; an empty set means the method needs none
# (views.open and views.update act on the trigger or view the user's action handed over).
# Before sending a notice again the bot looks for it in the requester's channel (public or
# private, or a group DM /replica was typed in) and in their DM: each kind needs its own scope.
HISTORY = frozenset({"channels:history", "groups:history", "im:history", "mpim:history"})
SCOPES_FOR_METHOD: dict[str, frozenset[str]] = {
    "chat_postMessage": frozenset({"chat:write"}),
    "chat_update": frozenset({"chat:write"}),
    "conversations_join": frozenset({"channels:join"}),
    "conversations_open": frozenset({"im:write"}),
    "conversations_history": HISTORY,
    "conversations_replies": HISTORY,
    # Whether /replica was typed in a private channel or a DM: each kind needs its own scope.
    "conversations_info": frozenset({"channels:read", "groups:read", "im:read", "mpim:read"}),
    "users_info": frozenset({"users:read"}),
    # /replica audit: the CSV uploaded to the admin's DM, the v2 way (both steps).
    "files_upload_v2": frozenset({"files:write"}),
    # Files posted in Slack, for the shortcut and the form's upload.
    "files_info": frozenset({"files:read"}),
    "usergroups_users_list": frozenset({"usergroups:read"}),
    "views_publish": frozenset(),
    "views_open": frozenset(),
    "views_update": frozenset(),
    # python -m bot check: who a token is (any token may ask), and Socket Mode's app token
    # (connections:write is an app-level scope, not a bot scope).
    "auth_test": frozenset(),
    "apps_connections_open": frozenset(),
}

CALL = re.compile(r"\.([A-Za-z][A-Za-z0-9_]*)\(")


def load_manifest() -> dict[str, Any]:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(manifest, dict)
    return manifest


def bot_scopes() -> set[str]:
    return set(load_manifest()["oauth_config"]["scopes"]["bot"])


def replica_command() -> dict[str, Any]:
    commands = load_manifest()["features"]["slash_commands"]
    matching = [command for command in commands if command["command"] == COMMAND]
    assert len(matching) == 1, f"the manifest should declare {COMMAND} once"
    return dict(matching[0])


def web_api_methods_called_by_the_bot() -> set[str]:
    """Every AsyncWebClient method named in a call anywhere under bot/."""
    called: set[str] = set()
    for source in (ROOT / "bot").rglob("*.py"):
        for name in CALL.findall(source.read_text(encoding="utf-8")):
            # api_call is what every method goes through (the paced client wraps it), not one.
            if name != "api_call" and callable(getattr(AsyncWebClient, name, None)):
                called.add(name)
    assert called, "found no Slack Web API calls under bot/: the search is broken"
    return called


def test_manifest_is_valid_against_the_slack_manifest_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(load_manifest(), schema)


def test_replica_command_is_sent_to_the_slack_events_route() -> None:
    assert urlsplit(replica_command()["url"]).path == SLACK_EVENTS_PATH


def test_interactivity_is_enabled_and_uses_the_same_url_as_the_command() -> None:
    interactivity = load_manifest()["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert interactivity["request_url"] == replica_command()["url"]


def test_bot_scopes_include_commands_chat_write_and_im_write() -> None:
    assert {"commands", "chat:write", "im:write"} <= bot_scopes()


def test_every_web_api_method_the_bot_calls_has_a_known_scope() -> None:
    unmapped = web_api_methods_called_by_the_bot() - SCOPES_FOR_METHOD.keys()
    assert not unmapped, f"add these methods and their scopes to SCOPES_FOR_METHOD: {unmapped}"


def test_every_web_api_method_the_bot_calls_is_granted_by_the_manifest_scopes() -> None:
    needed = {
        scope
        for method in web_api_methods_called_by_the_bot()
        for scope in SCOPES_FOR_METHOD.get(method, frozenset())
    }
    missing = needed - bot_scopes()
    assert not missing, f"manifest.yml lacks bot scopes the code needs: {sorted(missing)}"


def test_procfile_starts_the_bot_as_a_web_process() -> None:
    assert PROCFILE.read_text(encoding="utf-8") == "web: python -m bot\n"


def test_installs_come_back_to_the_oauth_route_and_ask_for_the_manifests_scopes() -> None:
    manifest = load_manifest()

    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert urlsplit(redirect).path == REDIRECT_PATH
    assert list(SCOPES) == manifest["oauth_config"]["scopes"]["bot"]
    assert manifest["settings"]["org_deploy_enabled"] is True
    # Slack cannot turn rotation off again once on: the bot keeps tokens that do not expire.
    assert manifest["settings"]["token_rotation_enabled"] is False


def test_leaving_a_workspace_is_heard_of() -> None:
    events = load_manifest()["settings"]["event_subscriptions"]["bot_events"]

    assert {"app_uninstalled", "tokens_revoked", "team_access_revoked"} <= set(events)
