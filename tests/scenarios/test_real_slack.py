"""The bot against Slack as Slack really is: SLACK-FIDELITY.md's ranked differences 2 to 9.

Each test drives the real app through the strict stand-in and asserts what a user of a real
workspace should see. Those that fail show a difference the bot has not caught up with yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import aiohttp
import pytest

from bot import messages
from bot.slack import shortcuts
from bot.slack.blocks import form, kit
from bot.slack.blocks.kit import CONNECT_TAVUS_ACTION
from bot.store.schema import installations
from tests.conftest import Bot, Launch
from tests.flows import (
    USE,
    VIDEO,
    as_workspace,
    ask_for_consent,
    consent,
    consent_request_of,
    delivered,
    settled_create,
    start_training,
    thread_replies,
)
from tests.scenarios.test_connect import form_of
from tests.scenarios.test_workspaces import (
    OLD_KEY,
    install,
    link_in,
    train,
    wait_for_status,
)
from tests.slack_client import CHANNEL_ID, USER_ID, filled
from tests.standins.server import Fault
from tests.standins.slack import CLIENT_ID, CLIENT_SECRET, INSTALLER_ID

DANA = "U0DANA"
ORG, BRANCH = "E0ORG", "T0BRANCH"
BRANCH_KEY = "branch00tavus0000key00000000e5f6"
HOME = {"type": "view", "view_id": "V0HOME"}


def shown(thing: Any) -> str:
    return json.dumps(thing)


async def settled(bot: Bot, within: float) -> list[dict[str, Any]]:
    """Every notice once none is pending, or as they are after `within` seconds."""
    async with asyncio.timeout(within + 5):
        for _ in range(int(within / 0.1)):
            rows = await bot.notices()
            if rows and all(row["status"] != "pending" for row in rows):
                break
            await asyncio.sleep(0.1)
    return await bot.notices()


async def job_after(bot: Bot, name: str, status: str, within: float) -> dict[str, Any]:
    """The job named `name` once it has `status`, or as it is after `within` seconds."""
    for _ in range(int(within / 0.1)):
        [job] = [job for job in await bot.jobs() if job["replica_name"] == name]
        if job["status"] == status:
            break
        await asyncio.sleep(0.1)
    return job


def opens(bot: Bot, since: int = 0) -> list[tuple[bool, str | None]]:
    """What Slack answered each views.open since call number `since`: (ok, error)."""
    return [(c["_ok"], c["_error"]) for c in bot.slack.called("views.open")[since:]]


# --- 2. conversations.history as Slack limits it ----------------------------------------------


async def test_an_in_doubt_post_is_found_though_a_page_of_newer_messages_came_after_it(
    launch: Launch,
) -> None:
    bot = await launch(slack_timeout=1)
    bot.slack.history_limited = True  # a look reads 15 messages, newest first
    bot.slack.fail_next("chat.postMessage", Fault(late_answer=2.0), channel=CHANNEL_ID)

    training = asyncio.create_task(start_training(bot, announced=False))
    await bot.slack.wait_for_posts(1, channel=CHANNEL_ID)
    # The channel goes on talking once the post is in: 15 messages, later than it by far.
    later = time.time() + 120
    for n in range(15):
        chatter = {"type": "message", "text": f"chatter {n}", "ts": f"{later + n:.6f}"}
        bot.slack.messages[CHANNEL_ID].append(chatter)
    await training
    await delivered(bot, within=20)

    # The look read only the time the lost attempt could have posted in, and found it.
    assert len(bot.slack.posts(CHANNEL_ID)) == 1


async def test_an_in_doubt_post_in_a_channel_joined_by_chat_write_public_is_not_posted_twice(
    launch: Launch,
) -> None:
    bot = await launch(slack_timeout=1)
    bot.slack.outside.add(CHANNEL_ID)  # public, the bot not in it: chat:write.public posts
    bot.slack.fail_next("chat.postMessage", Fault(late_answer=2.0), channel=CHANNEL_ID)

    await start_training(bot, announced=False)
    await delivered(bot, within=20)

    # The first post went in (its answer was late); the look for it must not end in a second.
    assert len(bot.slack.posts(CHANNEL_ID)) == 1


async def test_an_in_doubt_announcement_of_a_home_form_is_found_under_the_history_limit(
    launch: Launch,
) -> None:
    bot = await launch(slack_timeout=1)
    # An OAuth-distributed app outside the Marketplace: history 1/min, 15 a page.
    bot.slack.history_limited = True
    status, _ = await bot.sender.action(kit.OPEN_FORM_ACTION, "home", container=HOME)
    assert status == 200
    view = await bot.slack.wait_for_modal()
    values = {form.NAME: "Dana", form.VIDEO: VIDEO, form.CONSENT: True, form.USE: USE}
    values[form.SUBJECT] = DANA  # her consent request goes to her DM, not the requester's
    # The announcement (in the requester's DM: the form came from Home) lands, its answer late.
    bot.slack.fail_next("chat.postMessage", Fault(late_answer=2.0), channel=f"D{USER_ID}")
    status, answer = await bot.sender.submit(filled(view, **values))
    assert (status, answer["response_action"]) == (200, "update")
    [job] = await bot.jobs()
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)
    await settled_create(bot, job["id"])

    notices = await settled(bot, within=20)

    [announcement] = [n for n in notices if n["kind"] == "announcement"]
    assert announcement["status"] == "sent", announcement
    assert len(bot.slack.posts(f"D{USER_ID}")) == 1
    looked_in = [call["channel"] for call in bot.slack.called("conversations.history")]
    assert not [channel for channel in looked_in if channel[:1] in {"U", "W"}]
    assert bot.slack.answers("conversations.history", 429) == 0


# --- 3. slash-command text arrives escaped ----------------------------------------------------


async def test_a_link_with_a_query_string_typed_after_replica_is_prefilled_exactly(
    bot: Bot,
) -> None:
    link = "https://x.example/v.mp4?a=1&b=2"

    status, body = await bot.sender.command(f"Dana {link}")

    assert (status, body) == (200, "")
    view = await bot.slack.wait_for_modal()
    video = next(b for b in view["blocks"] if b.get("block_id") == form.VIDEO)
    assert video["element"]["initial_value"] == link


# --- 4. org-wide installs ---------------------------------------------------------------------


@pytest.fixture
async def oauth(launch: Launch) -> Bot:
    """The bot in OAuth mode (many workspaces), nothing installed yet."""
    return await launch(
        slack_bot_token=None,
        tavus_api_key=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        secrets_keys=(OLD_KEY,),
    )


async def org_wide(bot: Bot) -> Bot:
    """The app installed org-wide in ORG and Tavus connected for BRANCH: BRANCH's view of it."""
    await install(bot, None, enterprise=ORG)
    bot.slack.admins.add(INSTALLER_ID)  # only admins connect Tavus
    branch = as_workspace(bot, BRANCH, ORG, org_install=True)
    bot.tavus.keys.add(BRANCH_KEY)
    opened = len(bot.slack.modals)
    status, _ = await branch.sender.action(
        CONNECT_TAVUS_ACTION, "home", user=INSTALLER_ID, container=HOME
    )
    assert status == 200
    link = link_in(await bot.slack.wait_for_modal(opened + 1))
    assert link is not None, "no link was offered"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(link) as response:
            csrf = form_of(await response.text())["csrf"]
        async with browser.post(
            link.split("?")[0], data={"csrf": csrf, "api_key": BRANCH_KEY}
        ) as saved:
            assert saved.status == 200, await saved.text()
    return branch


async def test_an_org_wide_uninstall_ends_the_orgs_open_jobs(oauth: Bot) -> None:
    branch = await org_wide(oauth)
    await train(branch, "Dana")
    await wait_for_status(oauth, "Dana", "training")
    [token] = [t for t, owner in oauth.slack.tokens.items() if owner == ORG]
    oauth.slack.revoke(token)

    # Slack's org-wide app_uninstalled: the org's id, no team, authorizations[0] org-wide.
    status, _ = await branch.sender.event({"type": "app_uninstalled"})

    assert status == 200
    job = await job_after(oauth, "Dana", "ended", within=10)
    assert job["status"] == "ended"
    assert await oauth.rows(installations) == []


async def test_an_org_tokens_user_group_lookups_name_the_workspace(launch: Launch) -> None:
    bot = await launch(
        slack_bot_token=None,
        tavus_api_key=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        secrets_keys=(OLD_KEY,),
        replica_creators=("S0SALES",),
    )
    branch = await org_wide(bot)
    bot.slack.usergroups["S0SALES"] = [USER_ID]
    # Bolt's per-request client sends team_id with every call (WebClient(team_id=context's)),
    # so an org token's lookups from a request name the workspace; this keeps it so.
    opened = len(bot.slack.modals)

    status, body = await branch.sender.command()

    assert (status, body) == (200, "")
    view = await bot.slack.wait_for_modal(opened + 1)
    assert view["callback_id"] == form.CALLBACK_ID, shown(view)
    lookups = bot.slack.called("usergroups.users.list")
    assert lookups
    assert {call.get("team_id") for call in lookups} == {BRANCH}


async def test_the_first_home_of_an_org_install_is_drawn_for_the_events_workspace(
    oauth: Bot,
) -> None:
    branch = await org_wide(oauth)
    await train(branch, "Dana of the branch")
    published = len(oauth.slack.called("views.publish"))

    status, _ = await branch.sender.event(
        {"type": "app_home_opened", "user": USER_ID, "channel": "D1", "tab": "home"}
    )

    assert status == 200
    await oauth.slack.wait_for("views.publish", published + 1)
    home = shown(oauth.slack.called("views.publish")[published]["view"])
    assert "Dana of the branch" in home
    assert "not connected to Tavus yet" not in home


# --- 5. and 8. files from Slack at the shortcut -----------------------------------------------


@pytest.fixture
async def media_bot(launch: Launch, tmp_path: Any) -> Bot:
    return await launch(media_dir=tmp_path / "media", media_allow_private_hosts=True)


async def test_a_slack_connect_file_stub_opens_the_form_after_files_info(media_bot: Bot) -> None:
    bot = media_bot
    bot.slack.post_file("F0SHARED", "dana-intro.mp4", "video/mp4", b"\0" * 2048)
    stub = bot.slack.connect_stub("F0SHARED")

    status, _ = await bot.sender.shortcut(shortcuts.CALLBACK_ID, {"text": "", "files": [stub]})

    assert status == 200
    view = await bot.slack.wait_for_modal()
    assert bot.slack.responses[bot.sender.last_response_key] == []  # no "no video or image"
    assert [call["file"] for call in bot.slack.called("files.info")] == ["F0SHARED"]
    assert view["callback_id"] == form.CALLBACK_ID, shown(view)
    assert "dana-intro.mp4" in shown(view)


async def test_a_file_the_bot_cannot_see_is_refused_before_the_form_is_filled_in(
    media_bot: Bot,
) -> None:
    bot = media_bot
    file = bot.slack.post_file("F0HIDDEN", "dana-intro.mp4", "video/mp4", b"\0" * 2048)
    bot.slack.hide_file("F0HIDDEN")  # posted in a private channel the bot is not in

    status, _ = await bot.sender.shortcut(shortcuts.CALLBACK_ID, {"text": "", "files": [file]})

    assert status == 200
    view = await bot.slack.wait_for_modal()
    assert "callback_id" not in view  # no form to fill in for nothing
    assert "would not let me read this file" in shown(view)


# --- 6. every modal opens within its trigger's 3 seconds --------------------------------------


SLOW = 3.2  # seconds: longer than a trigger lives, shorter than the client waits


async def opened_in_time(bot: Bot, since: int = 0, within: float = 10.0) -> dict[str, Any]:
    """The modal opened since views.open call `since` that Slack accepted (its trigger still
    good), as it shows once the bot has filled it in."""
    with contextlib.suppress(TimeoutError):
        await bot.slack.wait_until(lambda: any(ok for ok, _ in opens(bot, since)), within=within)
    assert (True, None) in opens(bot, since), opens(bot, since)
    return await bot.slack.wait_for_modal(len(bot.slack.modals), within=within)


async def test_replica_opens_the_form_in_time_when_users_info_is_slow(launch: Launch) -> None:
    bot = await launch(slack_timeout=10)
    bot.slack.fail_next("users.info", Fault(delay=SLOW))

    status, _ = await bot.sender.command()

    assert status == 200
    await opened_in_time(bot)


async def test_homes_new_replica_opens_the_form_in_time_when_users_info_is_slow(
    launch: Launch,
) -> None:
    bot = await launch(slack_timeout=10)
    bot.slack.fail_next("users.info", Fault(delay=SLOW))

    status, _ = await bot.sender.action(kit.OPEN_FORM_ACTION, "home", container=HOME)

    assert status == 200
    await opened_in_time(bot)


async def test_the_policy_opens_in_time_when_users_info_is_slow(launch: Launch) -> None:
    bot = await launch(slack_timeout=10)
    bot.slack.admins.add(USER_ID)
    bot.slack.fail_next("users.info", Fault(delay=SLOW))

    status, _ = await bot.sender.action(kit.POLICY_ACTION, "home", container=HOME)

    assert status == 200
    await opened_in_time(bot)


async def test_the_shortcut_opens_the_form_in_time_when_users_info_is_slow(
    launch: Launch, tmp_path: Any
) -> None:
    bot = await launch(
        media_dir=tmp_path / "media", media_allow_private_hosts=True, slack_timeout=10
    )
    file = bot.slack.post_file("F0VIDEO", "dana.mp4", "video/mp4", b"\0" * 2048)
    bot.slack.fail_next("users.info", Fault(delay=SLOW))

    status, _ = await bot.sender.shortcut(shortcuts.CALLBACK_ID, {"text": "", "files": [file]})

    assert status == 200
    await opened_in_time(bot)


async def test_try_again_reopens_the_form_in_time_when_users_info_is_slow(
    launch: Launch,
) -> None:
    bot = await launch(slack_timeout=10)
    post = await start_training(bot)
    [job] = await bot.jobs()
    reason = "There was an issue downloading your video file"
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"], reason))
    await delivered(bot)
    [reply] = await thread_replies(bot, post)
    assert kit.RETRY_ACTION in shown(reply["blocks"])
    opened = len(bot.slack.called("views.open"))
    bot.slack.fail_next("users.info", Fault(delay=SLOW))

    # Someone else in the channel clicks it: the bot has not looked them up this minute.
    status, _ = await bot.sender.action(
        kit.RETRY_ACTION,
        job["id"],
        user="U0BOB",
        container={"type": "message", "channel_id": post["channel"], "message_ts": reply["ts"]},
    )

    assert status == 200
    await opened_in_time(bot, opened)


async def test_connect_tavus_opens_its_link_in_time_when_users_info_is_slow(
    launch: Launch,
) -> None:
    bot = await launch(
        slack_bot_token=None,
        tavus_api_key=None,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        secrets_keys=(OLD_KEY,),
        slack_timeout=10,
    )
    await install(bot, BRANCH)
    branch = as_workspace(bot, BRANCH)
    bot.slack.admins.add("U0ADMIN")  # not the installer: the bot asks Slack whether an admin
    bot.slack.fail_next("users.info", Fault(delay=SLOW))

    status, _ = await branch.sender.action(
        CONNECT_TAVUS_ACTION, "home", user="U0ADMIN", container=HOME
    )

    assert status == 200
    await opened_in_time(bot)


async def test_a_failed_withdrawal_from_home_is_explained_in_time_when_tavus_is_slow(
    launch: Launch,
) -> None:
    bot = await launch(tavus_timeout=10)
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)
    job = await settled_create(bot, job["id"])
    bot.tavus.fail_next("delete", Fault(500, {"error": "try later"}, delay=SLOW))
    opened = len(bot.slack.called("views.open"))

    status, _ = await bot.sender.action(kit.WITHDRAW_ACTION, job["id"], user=DANA, container=HOME)

    assert status == 200
    explained = await opened_in_time(bot, opened, within=15)
    assert messages.WITHDRAW_DIALOG_TITLE in shown(explained)
    assert (await bot.jobs())[0]["status"] == "training"


# --- 7. channels that restrict posting --------------------------------------------------------


def dm_posts(bot: Bot, user: str = USER_ID) -> str:
    return shown([p.get("text", "") for p in bot.slack.posts(f"D{user}")])


@pytest.mark.parametrize("restriction", ["thread_only", "read_only"])
async def test_a_channel_that_takes_no_top_level_post_sends_the_news_by_dm(
    bot: Bot, restriction: str
) -> None:
    getattr(bot.slack, restriction).add(CHANNEL_ID)

    await start_training(bot, announced=False)
    [job] = await bot.jobs()
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))
    notices = await settled(bot, within=20)

    assert bot.slack.posts(CHANNEL_ID) == []
    assert {n["status"] for n in notices} == {"sent"}, notices
    assert "ready" in dm_posts(bot)


@pytest.mark.parametrize("restriction", ["non_threadable", "locked"])
async def test_a_result_the_thread_will_not_take_reaches_the_requester_by_dm(
    bot: Bot, restriction: str
) -> None:
    post = await start_training(bot)
    if restriction == "locked":
        bot.slack.locked_threads.add((CHANNEL_ID, post["ts"]))
    else:
        bot.slack.non_threadable.add(CHANNEL_ID)
    [job] = await bot.jobs()

    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))
    notices = await settled(bot, within=20)

    assert await thread_replies(bot, post) == []
    [result] = [n for n in notices if n["kind"] == "result"]
    assert result["status"] == "sent", result
    assert "ready" in dm_posts(bot)


# --- 9. a rate-limited user-group lookup ------------------------------------------------------


async def test_a_rate_limited_user_group_lookup_asks_to_try_again_and_records_no_refusal(
    launch: Launch,
) -> None:
    bot = await launch(replica_creators=("S0SALES",))
    bot.slack.usergroups["S0SALES"] = [USER_ID]
    bot.slack.rate_limit("usergroups.users.list", retry_after=30)

    assert await bot.sender.command() == (200, "")
    view = await bot.slack.wait_for_modal()

    assert "try again in a minute" in shown(view).lower()
    assert "callback_id" not in view  # no form
    assert [row for row in await bot.audit() if row["action"] == "refused"] == []


async def test_a_withdrawal_from_home_that_worked_says_so_though_home_could_not_be_redrawn(
    bot: Bot,
) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)
    job = await settled_create(bot, job["id"])
    bot.slack.fail("views.publish", "internal_error")
    opened = len(bot.slack.modals)

    status, _ = await bot.sender.action(kit.WITHDRAW_ACTION, job["id"], user=DANA, container=HOME)

    assert status == 200
    told = shown(await bot.slack.wait_for_modal(opened + 1))
    assert "Done" in told
    assert messages.WORKING_FAILED not in told
    assert (await bot.jobs())[0]["status"] == "withdrawn"


async def test_slack_in_trouble_at_the_shortcut_is_try_again_not_no_access(
    media_bot: Bot,
) -> None:
    bot = media_bot
    file = bot.slack.post_file("F0VIDEO", "dana.mp4", "video/mp4", b"\0" * 2048)
    bot.slack.fail("files.info", "internal_error")

    status, _ = await bot.sender.shortcut(shortcuts.CALLBACK_ID, {"text": "", "files": [file]})

    assert status == 200
    told = shown(await bot.slack.wait_for_modal())
    assert messages.WORKING_FAILED in told
    assert "would not let me read this file" not in told
