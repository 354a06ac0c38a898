"""Who may create replicas (REPLICA_CREATORS): everyone, admins, or listed users and groups."""

from __future__ import annotations

import json

import pytest

from bot import messages
from bot.config import ConfigError, load_settings
from bot.governance.model import Creators
from bot.slack.blocks import form, kit
from tests.conftest import Bot, Launch
from tests.flows import VIDEO, open_form, start_training
from tests.slack_client import USER_ID, filled

OTHER_USER = "U0BOB"


@pytest.mark.parametrize(
    ("words", "creators"),
    [
        ((), Creators()),
        (("everyone",), Creators()),
        (("admins",), Creators(everyone=False, admins=True)),
        (
            ("U0ANNA", " S0SALES ", "W0GRID", "S0SALES"),
            Creators(everyone=False, users=frozenset({"U0ANNA", "W0GRID"}), groups=("S0SALES",)),
        ),
    ],
)
def test_the_rule_reads_as_written(words: tuple[str, ...], creators: Creators) -> None:
    assert Creators.parse(words) == creators


@pytest.mark.parametrize("value", ["admins,U0ANNA", "anyone", "U0ANNA,#sales", "u0anna"])
def test_a_rule_the_bot_cannot_read_stops_the_start_saying_why(
    value: str, base_settings: dict[str, object]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**{**base_settings, "replica_creators": value})

    assert "REPLICA_CREATORS is invalid" in str(caught.value)
    assert "user-group" in str(caught.value)


async def refused(bot: Bot, user: str = USER_ID) -> str:
    """Type /replica as `user`: what the modal says instead of the form, once it is clear."""
    opened = len(bot.slack.modals)
    assert await bot.sender.command(user=user) == (200, "")
    view = await bot.slack.wait_for_modal(opened + 1)
    assert view["title"]["text"] == messages.NOT_A_CREATOR_TITLE
    assert "callback_id" not in view  # no form
    return str(view["blocks"][0]["text"]["text"])


async def refusals(bot: Bot) -> list[tuple[str, str]]:
    return [
        (row["actor"], json.loads(row["details"])["what"])
        for row in await bot.audit()
        if row["action"] == "refused"
    ]


async def test_with_admins_only_a_member_is_told_to_ask_an_admin_and_it_is_recorded(
    launch: Launch,
) -> None:
    bot = await launch(replica_creators=("admins",))

    assert await refused(bot) == messages.NOT_A_CREATOR
    assert await refusals(bot) == [(USER_ID, "create")]


async def test_with_admins_an_admin_gets_the_form(launch: Launch) -> None:
    bot = await launch(replica_creators=("admins",))
    bot.slack.admins.add(USER_ID)

    view = await open_form(bot)

    assert view["callback_id"] == form.CALLBACK_ID


async def test_a_listed_user_may_create_and_another_may_not(launch: Launch) -> None:
    bot = await launch(replica_creators=(USER_ID, "U0CAROL"))

    assert (await open_form(bot))["callback_id"] == form.CALLBACK_ID
    bot.slack.calls.clear()
    assert await refused(bot, OTHER_USER) == messages.NOT_A_CREATOR


async def test_members_of_a_listed_user_group_may_create(launch: Launch) -> None:
    bot = await launch(replica_creators=("S0SALES",))
    bot.slack.usergroups["S0SALES"] = ["U0CAROL", USER_ID]

    assert (await open_form(bot))["callback_id"] == form.CALLBACK_ID
    bot.slack.calls.clear()
    assert await refused(bot, OTHER_USER) == messages.NOT_A_CREATOR


async def test_a_user_group_slack_will_not_list_on_a_free_plan_counts_as_empty(
    launch: Launch, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await launch(replica_creators=("S0SALES",))
    bot.slack.usergroups["S0SALES"] = [USER_ID]
    bot.slack.fail("usergroups.users.list", "plan_upgrade_required")

    assert await refused(bot) == messages.NOT_A_CREATOR
    assert "needs a paid Slack plan" in caplog.text


@pytest.mark.parametrize("refusal", ["ratelimited", "internal_error"])
async def test_a_busy_slack_is_try_again_never_not_a_member(launch: Launch, refusal: str) -> None:
    bot = await launch(replica_creators=("S0SALES",))
    bot.slack.usergroups["S0SALES"] = [USER_ID]
    if refusal == "ratelimited":
        bot.slack.rate_limit("usergroups.users.list", 30)  # Tier 2: about 20 a minute
    else:
        bot.slack.fail("usergroups.users.list", refusal)

    assert await refused(bot) == messages.CREATOR_UNKNOWN
    assert await refusals(bot) == []  # nobody was refused: nobody could tell
    # Asked again once Slack answers, the same person is let in: nothing was kept.
    assert (await open_form(bot))["callback_id"] == form.CALLBACK_ID


async def test_a_user_group_is_listed_in_the_workspace_of_the_request(launch: Launch) -> None:
    bot = await launch(replica_creators=("S0SALES",))
    bot.slack.usergroups["S0SALES"] = [USER_ID]

    assert (await open_form(bot))["callback_id"] == form.CALLBACK_ID

    # An org-wide install's token needs it; a workspace's may have it.
    [listed] = bot.slack.called("usergroups.users.list")
    assert (listed["usergroup"], listed["team_id"]) == ("S0SALES", bot.sender.team)


@pytest.mark.parametrize(
    "profile",
    [{"is_restricted": True}, {"is_ultra_restricted": True}, {"is_bot": True}, {"deleted": True}],
)
async def test_guests_bots_and_deactivated_accounts_never_create(
    bot: Bot, profile: dict[str, bool]
) -> None:
    bot.slack.profiles[USER_ID].update(profile)

    assert await refused(bot) == messages.NOT_A_CREATOR


async def test_when_slack_cannot_say_who_is_asking_the_form_does_not_open(bot: Bot) -> None:
    bot.slack.fail("users.info", "internal_error")

    assert await refused(bot) == messages.CREATOR_UNKNOWN
    assert await refusals(bot) == []  # nobody was refused: nobody could tell


async def test_a_form_opened_before_the_rule_changed_is_refused_at_submission(
    launch: Launch,
) -> None:
    before = await launch()
    view = await open_form(before)
    await before.stop()
    bot = await launch(replica_creators=("admins",))

    status, answer = await bot.sender.submit(
        filled(
            view,
            **{
                form.NAME: "Dana",
                form.VIDEO: VIDEO,
                form.CONSENT: True,
                form.USE: "sales demo videos",
            },
        )
    )

    assert status == 200
    assert answer == {"response_action": "errors", "errors": {form.NAME: messages.NOT_A_CREATOR}}
    assert await bot.jobs() == []
    assert bot.tavus.creates == []


async def test_the_home_button_tells_someone_who_may_not_create_why_in_a_modal(
    launch: Launch,
) -> None:
    bot = await launch(replica_creators=("admins",))

    status, _ = await bot.sender.action(
        kit.OPEN_FORM_ACTION, "home", container={"type": "view", "view_id": "V0HOME"}
    )

    assert status == 200
    view = await bot.slack.wait_for_modal()
    assert view["title"]["text"] == messages.NOT_A_CREATOR_TITLE
    assert messages.NOT_A_CREATOR in json.dumps(view)


async def test_try_again_is_refused_too_once_the_rule_no_longer_allows(launch: Launch) -> None:
    before = await launch()
    await start_training(before)
    [job] = await before.jobs()
    await before.stop()
    bot = await launch(replica_creators=("admins",))
    opened_before = len(bot.slack.modals)

    status, _ = await bot.sender.action(kit.RETRY_ACTION, job["id"])

    assert status == 200
    view = await bot.slack.wait_for_modal(opened_before + 1)
    assert view["title"]["text"] == messages.NOT_A_CREATOR_TITLE


async def test_what_slack_says_of_a_person_is_asked_once_a_minute(bot: Bot) -> None:
    await start_training(bot)  # opens the form, submits it, names the same person

    assert [call["user"] for call in bot.slack.called("users.info")] == [USER_ID]
