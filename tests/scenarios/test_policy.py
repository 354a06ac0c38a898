"""The workspace policy in App Home: only admins see and change it; each change is recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import messages
from bot.governance.audit import Action, Record
from bot.governance.model import Approvers, Creators, FaceMatch, Policy, StoredPolicy
from bot.slack.blocks import form, kit, policy_form
from bot.store import Store
from tests.conftest import Bot, Launch
from tests.flows import ask_for_consent, consent, consent_request_of, open_form
from tests.slack_client import TEAM_ID, USER_ID, filled

ADA = "U0ADA"  # a workspace admin
ANN = "U0ANN"  # an approver, once the policy says so
CAROL = "U0CAROL"
DANA = "U0DANA"
HOME = {"type": "view", "view_id": "V0HOME"}


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view)


async def home_of(bot: Bot, user: str) -> dict[str, Any]:
    """Open the Home tab as `user`; the view published for them."""
    published = len(bot.slack.called("views.publish"))
    await bot.sender.event(
        {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}
    )
    await bot.slack.wait_for("views.publish", published + 1)
    view = bot.slack.called("views.publish")[published]["view"]
    return json.loads(view) if isinstance(view, str) else view


async def open_policy(bot: Bot, user: str = ADA) -> dict[str, Any]:
    """Click Policy on the Home tab as `user`; the modal that opened."""
    opened = len(bot.slack.modals)
    status, _ = await bot.sender.action(kit.POLICY_ACTION, "home", user=user, container=HOME)
    assert status == 200
    return await bot.slack.wait_for_modal(opened + 1)


async def save_policy(bot: Bot, user: str = ADA, **fields: Any) -> Any:
    """Open the Policy modal as an admin and submit it as `user` with `fields`; the answer."""
    view = await open_policy(bot)
    values = {policy_form.CREATOR_GROUPS: None, policy_form.APPROVER_GROUPS: None, **fields}
    status, answer = await bot.sender.submit(filled(view, **values), user=user)
    assert status == 200
    return answer


@pytest.fixture
async def admin_bot(launch: Launch) -> Bot:
    bot = await launch()
    bot.slack.admins.add(ADA)
    return bot


async def test_only_admins_see_the_policy_on_their_home_tab(admin_bot: Bot) -> None:
    admins = await home_of(admin_bot, ADA)
    others = await home_of(admin_bot, USER_ID)

    assert kit.POLICY_ACTION in shown(admins)
    assert "Who may create replicas: everyone" in shown(admins)
    assert messages.HOME_POLICY_DEFAULT in shown(admins)
    assert kit.POLICY_ACTION not in shown(others)


async def test_the_policy_modal_starts_from_the_rules_as_they_stand(launch: Launch) -> None:
    bot = await launch(replica_creators=("admins",), replica_approvers=(ANN, "S0LEGAL"))
    bot.slack.admins.add(ADA)

    view = await open_policy(bot)

    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert blocks[policy_form.RULE]["element"]["initial_option"]["value"] == "admins"
    assert blocks[policy_form.APPROVER_USERS]["element"]["initial_users"] == [ANN]
    assert blocks[policy_form.APPROVER_GROUPS]["element"]["initial_value"] == "S0LEGAL"


async def test_an_admin_changes_who_may_create_and_it_holds_at_once(admin_bot: Bot) -> None:
    bot = admin_bot

    answer = await save_policy(
        bot, **{policy_form.RULE: policy_form.LISTED, policy_form.CREATOR_USERS: [CAROL]}
    )

    assert answer["response_action"] == "update"
    assert f"Who may create replicas: <@{CAROL}>" in shown(answer["view"])
    refused = await open_form(bot)
    assert refused["title"]["text"] == messages.NOT_A_CREATOR_TITLE
    assert messages.NOT_A_CREATOR in json.dumps(refused)
    await open_form(bot, user=CAROL)
    [changed] = [row for row in await bot.audit() if row["action"] == "policy_changed"]
    assert changed["actor"] == ADA
    assert json.loads(changed["details"]) == {
        "before": {
            "creators": "everyone",
            "approvers": "",
            "approval_channel": None,
            "face_match": "warn",
        },
        "after": {
            "creators": CAROL,
            "approvers": "",
            "approval_channel": None,
            "face_match": "warn",
        },
    }
    home = await home_of(bot, ADA)
    assert f"Set by <@{ADA}>" in shown(home)


async def test_approvers_set_in_app_home_are_asked_after_consent(admin_bot: Bot) -> None:
    bot = admin_bot
    await save_policy(bot, **{policy_form.RULE: "everyone", policy_form.APPROVER_USERS: [ANN]})

    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)

    await bot.slack.wait_until(
        lambda: any(kit.APPROVE_ACTION in shown(p) for p in bot.slack.posts(f"D{ANN}"))
    )
    assert [row["status"] for row in await bot.jobs()] == ["pending_approval"]
    assert bot.tavus.creates == []


@pytest.mark.parametrize(
    ("fields", "block", "problem"),
    [
        (
            {policy_form.RULE: policy_form.LISTED},
            policy_form.CREATOR_USERS,
            messages.POLICY_ERROR_NO_CREATORS,
        ),
        (
            {policy_form.RULE: "everyone", policy_form.CREATOR_GROUPS: "S0SALES, sales"},
            policy_form.CREATOR_GROUPS,
            messages.POLICY_ERROR_GROUPS.format(words="sales"),
        ),
        (
            {policy_form.RULE: "everyone", policy_form.CHANNEL: "C0LEGAL"},
            policy_form.CHANNEL,
            messages.POLICY_ERROR_CHANNEL_ALONE,
        ),
        (
            {policy_form.RULE: "everyone", policy_form.FACE_MATCH: "strict"},
            policy_form.FACE_MATCH,
            messages.POLICY_ERROR_FACE,
        ),
    ],
)
async def test_a_policy_that_cannot_hold_is_refused_inline_and_nothing_changes(
    admin_bot: Bot, fields: dict[str, Any], block: str, problem: str
) -> None:
    answer = await save_policy(admin_bot, **fields)

    assert answer == {"response_action": "errors", "errors": {block: problem}}
    assert [r for r in await admin_bot.audit() if r["action"] == "policy_changed"] == []


async def test_someone_not_an_admin_cannot_open_or_save_the_policy(admin_bot: Bot) -> None:
    bot = admin_bot

    view = await open_policy(bot, user=USER_ID)
    answer = await save_policy(
        bot, user=USER_ID, **{policy_form.RULE: "admins", policy_form.FACE_MATCH: "off"}
    )

    assert messages.POLICY_ADMINS_ONLY in shown(view)
    assert answer == {
        "response_action": "errors",
        "errors": {policy_form.RULE: messages.POLICY_ADMINS_ONLY},
    }
    refusals = [json.loads(r["details"]) for r in await bot.audit() if r["action"] == "refused"]
    # Opening and saving are refused alike: the second, within ten minutes, is on record already.
    assert refusals == [{"what": "policy", "why": "not an admin"}]
    await open_form(bot)  # still everyone's: nothing was saved
    assert messages.POLICY_FACE_WARNED in shown(await home_of(bot, ADA))


def test_the_modal_reads_back_the_policy_it_was_built_from() -> None:
    policy = Policy(
        creators=Creators(everyone=False, users=frozenset({CAROL}), groups=("S0SALES",)),
        approvers=Approvers(users=frozenset({ANN}), groups=("S0LEGAL",)),
        approval_channel="C0LEGAL",
        face_match=FaceMatch.OFF,
    )
    view = policy_form.build(policy)
    values = {
        policy_form.RULE: policy_form.LISTED,
        policy_form.CREATOR_GROUPS: "S0SALES",
        policy_form.APPROVER_GROUPS: "S0LEGAL",
    }

    assert policy_form.parse(filled(view, **values)) == policy


def face_choice(view: dict[str, Any]) -> str:
    """The face-match rule the Policy modal starts from."""
    [block] = [b for b in view["blocks"] if b.get("block_id") == policy_form.FACE_MATCH]
    return str(block["element"]["initial_option"]["value"])


async def test_an_admin_chooses_the_face_match_and_home_and_the_audit_log_say_so(
    admin_bot: Bot,
) -> None:
    bot = admin_bot
    assert messages.POLICY_FACE_WARNED in shown(await home_of(bot, ADA))
    assert face_choice(await open_policy(bot)) == "warn"

    answer = await save_policy(
        bot, **{policy_form.RULE: "everyone", policy_form.FACE_MATCH: "require"}
    )

    assert answer["response_action"] == "update"
    assert f"Face match: {messages.POLICY_FACE_REQUIRED}" in shown(answer["view"])
    home = await home_of(bot, ADA)
    assert f"Face match: {messages.POLICY_FACE_REQUIRED}" in shown(home)
    assert f"Set by <@{ADA}>" in shown(home)
    assert face_choice(await open_policy(bot)) == "require"
    [changed] = [row for row in await bot.audit() if row["action"] == "policy_changed"]
    details = json.loads(changed["details"])
    assert (details["before"]["face_match"], details["after"]["face_match"]) == ("warn", "require")
    assert changed["actor"] == ADA


async def test_replica_face_match_is_every_workspaces_rule_until_its_admins_choose(
    launch: Launch,
) -> None:
    bot = await launch(replica_face_match=FaceMatch.OFF)
    bot.slack.admins.add(ADA)

    assert messages.POLICY_FACE_NOT_COMPARED in shown(await home_of(bot, ADA))
    assert face_choice(await open_policy(bot)) == "off"


async def test_a_policy_saved_before_the_face_match_follows_the_setting(launch: Launch) -> None:
    bot = await launch(replica_face_match=FaceMatch.REQUIRE)
    bot.slack.admins.add(ADA)
    store = await Store.open(bot.settings.sqlalchemy_url)
    try:
        # As migration 0024 leaves a policy saved before it: no face match of its own.
        now = store.now()
        change = Record(at=now, team_id=TEAM_ID, actor=ADA, action=Action.POLICY_CHANGED)
        before = StoredPolicy(TEAM_ID, "admins", "", None, None, ADA, now)
        await store.policies.save(before, change)
    finally:
        await store.close()

    home = await home_of(bot, ADA)

    # Its own rules hold; the face match is the bot's, not a 'warn' nobody chose.
    assert "Who may create replicas: workspace admins and owners" in shown(home)
    assert messages.POLICY_FACE_REQUIRED in shown(home)
    assert face_choice(await open_policy(bot)) == "require"
