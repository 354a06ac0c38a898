"""The Slack stand-in and SlackSender are as strict as Slack: triggers, payloads, posts, history."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.clocks import Ticks
from tests.slack_client import (
    CHANNEL_ID,
    MESSAGE_TS,
    SlackSender,
    action_payload,
    command_fields,
    event_body,
    submission,
)
from tests.standins.limits import Tiers
from tests.standins.slack import (
    BOT_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    NON_THREADABLE,
    READ_ONLY,
    THREAD_LOCKED,
    THREAD_ONLY,
    SlackStandIn,
)

MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
PUBLIC, PRIVATE = "C0PUBLIC", "C0SECRET"


@pytest.fixture
def web(slack: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)


async def call(web: AsyncWebClient, method: str, **args: Any) -> tuple[int, dict[str, Any]]:
    """Slack's HTTP status and answer to one call, refused or not."""
    try:
        answer = await web.api_call(method, json=args)
    except SlackApiError as error:
        return error.response.status_code, dict(error.response.data)
    return answer.status_code, dict(answer.data)


async def error_of(web: AsyncWebClient, method: str, **args: Any) -> str | None:
    """The error Slack answers (None: it went through)."""
    _, answer = await call(web, method, **args)
    return None if answer["ok"] else str(answer["error"])


# --- trigger_id ------------------------------------------------------------------------------


async def test_a_trigger_opens_one_view_within_three_seconds(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    fresh, old = slack.trigger(), slack.trigger(age=3.5)

    assert await error_of(web, "views.open", trigger_id=fresh, view=MODAL) is None
    assert await error_of(web, "views.open", trigger_id=fresh, view=MODAL) == (
        "exchanged_trigger_id"
    )
    assert await error_of(web, "views.push", trigger_id=old, view=MODAL) == "expired_trigger_id"
    assert await error_of(web, "views.open", trigger_id="1.2.made-up", view=MODAL) == (
        "invalid_trigger_id"
    )


async def test_a_trigger_expires_on_the_standins_clock(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    slack.clock = clock = Ticks(100.0)
    kept, late = slack.trigger(), slack.trigger()
    clock.now = 102.9

    assert await error_of(web, "views.push", trigger_id=kept, view=MODAL) is None
    clock.now = 103.1
    assert await error_of(web, "views.open", trigger_id=late, view=MODAL) == "expired_trigger_id"


@pytest.mark.slack_refuses
async def test_a_refused_view_leaves_its_trigger_unused(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    trigger = slack.trigger()

    assert await error_of(web, "views.open", trigger_id=trigger, view={}) == "invalid_arguments"
    assert await error_of(web, "views.open", trigger_id=trigger, view=MODAL) is None


async def test_the_sender_takes_its_triggers_from_slack(slack: SlackStandIn) -> None:
    sender = SlackSender("http://127.0.0.1:9/x", triggers=slack.trigger)

    body = parse_qs(sender.command_body("help"))

    assert body["trigger_id"] == [sender.last_trigger]
    assert sender.last_trigger in slack.issued


# --- what SlackSender sends ---------------------------------------------------------------------


def test_command_text_is_escaped_as_slack_escapes_it_unless_raw() -> None:
    typed = "Dana https://x.example/v.mp4?a=1&b=2 <b>"

    assert command_fields(typed, trigger="t")["text"] == (
        "Dana https://x.example/v.mp4?a=1&amp;b=2 &lt;b&gt;"
    )
    assert command_fields("<https://x.example|x>", trigger="t", raw=True)["text"] == (
        "<https://x.example|x>"
    )
    assert command_fields(trigger="t", org_install=True)["is_enterprise_install"] == "true"


def test_an_event_names_its_install_in_authorizations_not_at_the_top() -> None:
    workspace = json.loads(event_body({"type": "app_home_opened"}, team="T1"))
    org = json.loads(
        event_body({"type": "app_home_opened"}, team="T1", enterprise="E1", org_install=True)
    )
    org_left = json.loads(
        event_body({"type": "app_uninstalled"}, team=None, enterprise="E1", org_install=True)
    )

    assert "is_enterprise_install" not in workspace
    assert workspace["team_id"] == "T1"
    assert workspace["authorizations"][0]["team_id"] == "T1"
    assert workspace["authorizations"][0]["is_enterprise_install"] is False
    assert workspace["is_ext_shared_channel"] is False
    assert workspace["event_context"]
    assert "is_enterprise_install" not in org
    assert (org["team_id"], org["enterprise_id"]) == ("T1", "E1")
    [authorization] = org["authorizations"]
    assert authorization["team_id"] is None
    assert authorization["enterprise_id"] == "E1"
    assert authorization["is_enterprise_install"] is True
    assert authorization["is_bot"] is True
    assert "team_id" not in org_left
    assert org_left["enterprise_id"] == "E1"


def test_a_click_in_a_view_has_the_view_and_no_response_url_channel_or_message() -> None:
    clicked = action_payload(
        "a", "v", trigger="t", response_url=None, container={"type": "view", "view_id": "V1"}
    )

    assert clicked["view"]["id"] == "V1"
    assert clicked["view"]["app_installed_team_id"] == clicked["team"]["id"]
    assert {"response_url", "channel", "message"}.isdisjoint(clicked)
    with pytest.raises(AssertionError):
        action_payload("a", "v", trigger="t", response_url="x", container={"type": "view"})


def test_a_click_in_a_message_has_its_channel_message_and_response_url() -> None:
    clicked = action_payload("a", "v", trigger="t", response_url="https://r")
    ephemeral = action_payload(
        "a", "v", trigger="t", response_url="https://r", container={"is_ephemeral": True}
    )

    assert clicked["container"] == {
        "type": "message",
        "message_ts": MESSAGE_TS,
        "channel_id": CHANNEL_ID,
        "is_ephemeral": False,
    }
    assert clicked["channel"]["id"] == CHANNEL_ID
    assert clicked["message"]["ts"] == MESSAGE_TS
    assert clicked["response_url"] == "https://r"
    assert "message" not in ephemeral
    assert ephemeral["response_url"] == "https://r"
    assert "view" not in clicked


def test_an_org_wide_installs_payloads_have_no_team_but_the_users() -> None:
    clicked = action_payload(
        "a",
        "v",
        trigger="t",
        response_url=None,
        container={"type": "view"},
        team="T1",
        enterprise="E1",
        org_install=True,
    )
    submitted = submission({"type": "modal"}, trigger="t", team="T1", org_install=True)

    assert clicked["team"] is None
    assert clicked["is_enterprise_install"] is True
    assert clicked["user"]["team_id"] == "T1"
    assert clicked["enterprise"]["id"] == "E1"
    assert clicked["view"]["app_installed_team_id"] == "T1"
    assert submitted["team"] is None
    assert submitted["view"]["app_installed_team_id"] == "T1"


# --- files -----------------------------------------------------------------------------------


async def test_a_slack_connect_stub_is_filled_in_by_files_info(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    full = slack.post_file("F1", "dana.mp4", "video/mp4", b"video")

    stub = slack.connect_stub("F1")
    _, answer = await call(web, "files.info", file="F1")

    assert stub == {
        "id": "F1",
        "mode": "file_access",
        "file_access": "check_file_info",
        "created": 0,
        "timestamp": 0,
        "user": "",
    }
    assert answer["file"] == full


async def test_a_file_the_bot_may_not_see_is_not_found_nor_downloaded(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    full = slack.post_file("F1", "dana.mp4", "video/mp4", b"video")
    slack.post_file("F2", "ann.mp4", "video/mp4", b"video")
    slack.hide_file("F1")
    slack.hide_file("F2", "not_visible")

    assert await error_of(web, "files.info", file="F1") == "file_not_found"
    assert await error_of(web, "files.info", file="F2") == "not_visible"
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            full["url_private_download"], headers={"Authorization": f"Bearer {BOT_TOKEN}"}
        ) as response,
    ):
        assert "Sign in" in await response.text()


# --- posting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("restrict", "thread", "error"),
    [
        ("read_only", None, READ_ONLY),
        ("read_only", "1.000001", READ_ONLY),
        ("thread_only", None, THREAD_ONLY),
        ("thread_only", "1.000001", None),
        ("non_threadable", "1.000001", NON_THREADABLE),
        ("non_threadable", None, None),
    ],
)
async def test_a_restricted_channel_refuses_posts_as_slack_does(
    slack: SlackStandIn,
    web: AsyncWebClient,
    restrict: str,
    thread: str | None,
    error: str | None,
) -> None:
    getattr(slack, restrict).add(CHANNEL_ID)
    threaded = {"thread_ts": thread} if thread else {}

    assert await error_of(web, "chat.postMessage", channel=CHANNEL_ID, text="hi", **threaded) == (
        error
    )


async def test_a_locked_thread_takes_no_replies_but_the_channel_takes_posts(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    slack.locked_threads.add((CHANNEL_ID, "1.000001"))

    assert await error_of(
        web, "chat.postMessage", channel=CHANNEL_ID, text="hi", thread_ts="1.000001"
    ) == (THREAD_LOCKED)
    assert await error_of(web, "chat.postMessage", channel=CHANNEL_ID, text="hi") is None


async def test_outside_a_channel_public_posts_go_in_private_ones_are_not_found(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    slack.outside |= {PUBLIC, PRIVATE}
    slack.private.add(PRIVATE)

    assert await error_of(web, "chat.postMessage", channel=PUBLIC, text="hi") is None
    assert await error_of(web, "chat.postMessage", channel=PRIVATE, text="hi") == (
        "channel_not_found"
    )
    assert PUBLIC in slack.outside  # chat:write.public posts without joining
    slack.granted_scopes = tuple(s for s in slack.granted_scopes if s != "chat:write.public")
    assert await error_of(web, "chat.postMessage", channel=PUBLIC, text="hi") == "not_in_channel"


# --- history ---------------------------------------------------------------------------------


async def test_history_is_only_for_conversations_the_bot_is_in(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    slack.outside |= {PUBLIC, PRIVATE}
    slack.private.add(PRIVATE)
    _, posted = await call(web, "chat.postMessage", channel=PUBLIC, text="hi")

    for method, thread in (("conversations.history", {}), ("conversations.replies", {"ts": "1"})):
        assert await error_of(web, method, channel=PUBLIC, **thread) == "not_in_channel"
        assert await error_of(web, method, channel=PRIVATE, **thread) == "channel_not_found"
        assert await error_of(web, method, channel="U0DANA", **thread) == "channel_not_found"
        assert await error_of(web, method, channel="D0DANA", **thread) is None
    assert posted["ok"]


async def test_history_pages_with_a_cursor(slack: SlackStandIn, web: AsyncWebClient) -> None:
    slack.tiers = None  # five posts at once: about paging, not the channel's pace
    for n in range(5):
        await call(web, "chat.postMessage", channel=CHANNEL_ID, text=f"m{n}")

    _, first = await call(web, "conversations.history", channel=CHANNEL_ID, limit=3)
    cursor = first["response_metadata"]["next_cursor"]
    _, rest = await call(web, "conversations.history", channel=CHANNEL_ID, cursor=cursor)

    assert [m["text"] for m in first["messages"]] == ["m4", "m3", "m2"]
    assert first["has_more"] is True
    assert [m["text"] for m in rest["messages"]] == ["m1", "m0"]
    assert rest["has_more"] is False
    assert "response_metadata" not in rest
    assert await error_of(web, "conversations.history", channel=CHANNEL_ID, cursor="x") == (
        "invalid_cursor"
    )


async def test_limited_history_is_15_a_page_and_once_a_minute_per_method(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    slack.clock = clock = Ticks(0.0)
    slack.history_limited = True
    slack.tiers = None  # twenty posts at once: about history, not the channel's pace
    for n in range(20):
        await call(web, "chat.postMessage", channel=CHANNEL_ID, text=f"m{n}")

    _, page = await call(web, "conversations.history", channel=CHANNEL_ID, limit=200)
    status, again = await call(web, "conversations.history", channel=CHANNEL_ID)
    replies = await error_of(web, "conversations.replies", channel=CHANNEL_ID, ts="1")
    clock.now = 61.0
    later = await error_of(web, "conversations.history", channel=CHANNEL_ID)

    assert len(page["messages"]) == 15
    assert page["has_more"] is True
    assert (status, again["error"]) == (429, "ratelimited")
    assert slack.calls[-3].args["_status"] == 429
    assert replies is None  # its own budget
    assert later is None


async def test_limited_history_tells_how_long_to_wait(slack: SlackStandIn) -> None:
    slack.clock = Ticks(0.0)
    slack.history_limited = True
    url = f"{slack.api_url}conversations.history"
    headers = {"Authorization": f"Bearer {BOT_TOKEN}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data={"channel": CHANNEL_ID}, headers=headers) as first:
            assert first.status == 200
        async with session.post(url, data={"channel": CHANNEL_ID}, headers=headers) as second:
            assert second.status == 429
            assert second.headers["Retry-After"] == "60"


# --- usergroups and users --------------------------------------------------------------------


async def test_usergroups_users_list_is_tier_2(slack: SlackStandIn, web: AsyncWebClient) -> None:
    slack.tiers = Tiers(clock=Ticks(0.0))
    slack.usergroups["S1"] = ["U1"]

    answers = [await error_of(web, "usergroups.users.list", usergroup="S1") for _ in range(4)]

    assert answers == [None, None, None, "ratelimited"]


async def test_an_org_token_must_name_the_usergroups_workspace(slack: SlackStandIn) -> None:
    code = slack.grant(None, enterprise_id="E1")
    app = AsyncWebClient(base_url=slack.api_url)
    installed = await app.oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    org = AsyncWebClient(token=installed["access_token"], base_url=slack.api_url)
    slack.usergroups["S1"] = ["U1"]

    _, missing = await call(org, "usergroups.users.list", usergroup="S1")
    _, named = await call(org, "usergroups.users.list", usergroup="S1", team_id="T1")

    assert missing == {"ok": False, "error": "missing_argument", "arg": "team_id"}
    assert named["users"] == ["U1"]


async def test_an_app_installed_by_oauth_reads_history_at_its_limit_a_workspaces_own_does_not(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    # Slack: commercially distributed apps outside the Marketplace, 1 a minute and 15 a page;
    # a workspace's own app, with the token from its settings, keeps Tier 3.
    slack.clock = Ticks(0.0)
    app = AsyncWebClient(base_url=slack.api_url)
    installed = await app.oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=slack.grant("T1")
    )
    distributed = AsyncWebClient(token=installed["access_token"], base_url=slack.api_url)

    first = await error_of(distributed, "conversations.history", channel=CHANNEL_ID)
    second = await error_of(distributed, "conversations.history", channel=CHANNEL_ID)
    own = [await error_of(web, "conversations.history", channel=CHANNEL_ID) for _ in range(2)]

    assert (first, second) == (None, "ratelimited")
    assert own == [None, None]


async def test_users_info_knows_every_user_but_those_marked_unknown(
    slack: SlackStandIn, web: AsyncWebClient
) -> None:
    slack.unknown_users.add("U0GONE")

    assert await error_of(web, "users.info", user="U0DANA") is None
    assert await error_of(web, "users.info", user="U0GONE") == "user_not_found"
