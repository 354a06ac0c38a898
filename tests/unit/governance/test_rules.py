"""Unit tests for who may do what, asked of Slack (the stand-in) through the bot's own People.

Slack is the stand-in over HTTP, asked through slack_sdk's client as the bot asks it: each user
below is what its users.info answers, each group what usergroups.users.list answers.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.governance import rules
from bot.governance.model import Approvers, Creators, Policy
from bot.governance.policy import Governance
from bot.governance.rules import Person
from bot.jobs import Job, JobStatus, ReplicaRequest, Requester, Sight, Viewer
from bot.slack.people import People
from bot.store import Store
from bot.workspaces.accounts import Workspace
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.store_helpers import Flaky, FolderAway, alone_in_a_folder

NOW = datetime(2030, 1, 1, tzinfo=UTC)
# Who Slack knows, as users.info describes each of them ("UNOBODY" it does not know).
USERS: dict[str, dict[str, Any]] = {
    "UREQ": {"name": "req"},
    "USUBJ": {"name": "subj"},
    "UMEMBER": {"name": "sam", "profile": {"real_name": "Sam Member"}},
    "UADMIN": {"name": "ann", "is_admin": True},
    "UOWNER": {"name": "owen", "is_owner": True},
    "UPRIMARY": {"name": "pat", "is_primary_owner": True},
    "UGUEST": {"name": "gus", "is_restricted": True},
    "USINGLE": {"name": "sig", "is_ultra_restricted": True},
    "UBOT": {"name": "robot", "is_bot": True},
    "UGONE": {"name": "left", "deleted": True},
    "USTRANGER": {"name": "stranger", "is_stranger": True},
    "UFOREIGNADMIN": {"name": "fred", "is_stranger": True, "is_admin": True},
    "USLACKBOT": {"name": "slackbot"},
    "WMEMBER": {"name": "wes"},
}
GROUPS = {"SEDITORS": ["UMEMBER", "UREQ"], "SEMPTY": []}


def fresh(word: str) -> str:
    """`word` as a payload gives it: an equal string, not the very object the test holds."""
    return "".join(list(word))


def people_of(slack: SlackStandIn, users: dict[str, dict[str, Any]] = USERS) -> People:
    slack.profiles.update(users)
    slack.unknown_users.add("UNOBODY")
    slack.usergroups.update(GROUPS)
    return People(AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url))


@pytest.fixture
def people(slack: SlackStandIn) -> People:
    return people_of(slack)


def job(*, team: str = "T1", enterprise: str | None = None) -> Job:
    return Job(
        id="j1",
        requester=Requester(team, "UREQ", "C1", enterprise_id=enterprise),
        request=ReplicaRequest(replica_name="Dana", model_name="phoenix-4", subject_id="USUBJ"),
        status=JobStatus.PENDING_APPROVAL,
        callback_digest="",
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize("user", ["UGONE", "UBOT", "UGUEST", "USINGLE"])
async def test_guests_bots_and_deactivated_accounts_never_may_create(
    people: People, user: str
) -> None:
    for creators in (Creators(), Creators(everyone=False, users=frozenset({user}))):
        assert not await rules.may_create(people, user, creators)


@pytest.mark.parametrize(
    ("creators", "allowed"),
    [
        (Creators(), {"UMEMBER", "UADMIN", "UOWNER", "UPRIMARY", "UREQ", "USUBJ"}),
        (Creators(everyone=False, admins=True), {"UADMIN", "UOWNER", "UPRIMARY"}),
        (Creators(everyone=False, users=frozenset({"UMEMBER"})), {"UMEMBER"}),
        (Creators(everyone=False, groups=("SEMPTY", "SEDITORS")), {"UMEMBER", "UREQ"}),
        (Creators(everyone=False), set()),
    ],
    ids=["everyone", "admins", "users", "groups", "nobody"],
)
async def test_creators_are_whom_the_rule_names(
    people: People, creators: Creators, allowed: set[str]
) -> None:
    for user in ("UMEMBER", "UADMIN", "UOWNER", "UPRIMARY", "UREQ", "USUBJ"):
        assert await rules.may_create(people, user, creators) is (user in allowed), user


async def test_a_stranger_who_is_an_admin_elsewhere_is_no_admin_here(people: People) -> None:
    admins = Creators(everyone=False, admins=True)

    assert not await rules.may_create(people, "UFOREIGNADMIN", admins)
    assert not await rules.is_admin(people, "UFOREIGNADMIN")
    assert rules.counts_as_admin({"is_admin": True})
    assert not rules.counts_as_admin({"is_admin": False, "is_owner": False})


async def test_approvers_are_the_users_and_the_members_of_the_groups_each_once_sorted(
    people: People,
) -> None:
    approvers = Approvers(users=frozenset({"UOWNER", "UMEMBER"}), groups=("SEDITORS", "SEMPTY"))

    assert await rules.approvers_of(people, approvers) == ["UMEMBER", "UOWNER", "UREQ"]


async def test_approval_asks_nobody_where_the_workspace_asks_for_none(people: People) -> None:
    assert await rules.approvers_to_ask(people, Policy(), job()) is None


async def test_approval_asks_the_approval_channel_when_there_is_one(people: People) -> None:
    policy = Policy(approvers=Approvers(users=frozenset({"UADMIN"})), approval_channel="CAPPROVE")

    assert await rules.approvers_to_ask(people, policy, job()) == ["CAPPROVE"]


async def test_approval_asks_each_approver_but_the_requester_and_the_person_shown(
    people: People,
) -> None:
    approvers = Approvers(users=frozenset({"UADMIN", "USUBJ"}), groups=("SEDITORS",))

    asked = await rules.approvers_to_ask(people, Policy(approvers=approvers), job())

    assert asked == ["UADMIN", "UMEMBER"]


@pytest.mark.parametrize(
    ("user", "refusal"),
    [
        ("UREQ", rules.OWN_REQUEST),
        ("USUBJ", rules.OWN_REQUEST),
        ("UOWNER", rules.NOT_APPROVER),
        ("UADMIN", None),
        ("UMEMBER", None),
    ],
)
async def test_an_approver_decides_but_never_their_own_request(
    people: People, user: str, refusal: str | None
) -> None:
    everyone = frozenset({"UREQ", "USUBJ", "UADMIN"})
    policy = Policy(approvers=Approvers(users=everyone, groups=("SEDITORS",)))

    assert await rules.approval_refusal(people, policy, user_id=user, job=job()) == refusal


@pytest.mark.parametrize(
    ("user", "found"),
    [
        ("UNOBODY", messages.ERROR_SUBJECT_UNKNOWN),
        ("UGONE", messages.ERROR_SUBJECT_GONE),
        ("UBOT", messages.ERROR_SUBJECT_BOT),
        ("USLACKBOT", messages.ERROR_SUBJECT_BOT),
        ("UGUEST", messages.ERROR_SUBJECT_GUEST),
        ("USINGLE", messages.ERROR_SUBJECT_GUEST),
        ("UMEMBER", Person("UMEMBER", "Sam Member")),
        ("WMEMBER", Person("WMEMBER", "wes")),  # Enterprise Grid ids begin with W
    ],
)
async def test_only_full_members_may_be_shown(
    people: People, user: str, found: Person | str
) -> None:
    assert await rules.check_subject(people, user) == found


@pytest.mark.parametrize(
    ("record", "name"),
    [
        ({"profile": {"real_name": " Dana "}, "real_name": "Old", "name": "dana"}, "Dana"),
        ({"profile": {"real_name": "  "}, "real_name": "Dana D", "name": "dana"}, "Dana D"),
        ({"profile": {}, "real_name": "", "name": " dana "}, "dana"),
        ({"profile": None, "name": ""}, "UDANA"),
    ],
)
async def test_the_person_shown_is_named_as_their_profile_gives_it(
    slack: SlackStandIn, record: dict[str, Any], name: str
) -> None:
    people = people_of(slack, {"UDANA": record})

    assert await rules.check_subject(people, "UDANA") == Person("UDANA", name)


@pytest.mark.parametrize(
    ("clicked_in", "enterprise", "other"),
    [
        (Workspace("T1"), None, False),
        (Workspace("T2"), None, True),
        (Workspace("T1", "E1"), "E1", False),
        (Workspace("T1", "E2"), "E1", True),
        (Workspace("T0"), None, True),  # teams told apart, whichever sorts first
        (Workspace("T1", "E1"), "E2", True),
        (Workspace("T1", "E2"), None, False),
        (Workspace("T1"), "E1", False),
    ],
)
def test_a_click_from_another_workspace_or_org_is_elsewhere(
    clicked_in: Workspace, enterprise: str | None, other: bool
) -> None:
    # As a click's payload gives them: equal strings, not the very objects the job holds.
    clicked = Workspace(
        fresh(clicked_in.team_id), clicked_in.enterprise_id and fresh(clicked_in.enterprise_id)
    )

    assert rules.elsewhere(job(enterprise=enterprise), clicked) is other


async def test_the_requester_may_change_a_replica_without_slack_being_asked(
    slack: SlackStandIn,
) -> None:
    people = people_of(slack)

    assert await rules.may_change(people, "UREQ", job())
    assert slack.called("users.info") == []


@pytest.mark.parametrize(
    ("user", "change", "talk"),
    [
        ("UREQ", True, True),
        ("USUBJ", False, True),
        ("UADMIN", True, True),
        ("UMEMBER", False, False),
        ("WMEMBER", False, False),
        ("UFOREIGNADMIN", False, False),
        ("UNOBODY", False, False),  # Slack cannot say: refused rather than guessed
    ],
)
async def test_who_may_change_and_talk_to_a_replica(
    people: People, user: str, change: bool, talk: bool
) -> None:
    clicked = fresh(user)

    assert await rules.may_change(people, clicked, job()) is change
    assert await rules.may_talk(people, clicked, job()) is talk


@pytest.mark.parametrize(
    ("user", "connect"),
    [("UADMIN", True), ("UOWNER", True), ("UMEMBER", False), ("UNOBODY", False)],
)
async def test_only_an_admin_or_owner_may_connect_the_tavus_account(
    people: People, user: str, connect: bool
) -> None:
    assert await rules.may_connect(people, user) is connect


@pytest.mark.parametrize(
    ("user", "sight"),
    [
        ("UADMIN", Sight.ALL),
        ("UMEMBER", Sight.MEMBER),
        ("UGUEST", Sight.GUEST),
        ("USINGLE", Sight.GUEST),
        ("USTRANGER", Sight.GUEST),
        ("UFOREIGNADMIN", Sight.GUEST),
        ("UNOBODY", Sight.GUEST),
    ],
)
async def test_a_list_is_drawn_for_what_its_viewer_may_see(
    people: People, user: str, sight: Sight
) -> None:
    assert await rules.viewer(people, user) == Viewer(user, sight)


@pytest.mark.parametrize(
    ("profile", "photo"),
    [
        (
            {"is_custom_image": True, "image_512": "https://a/512", "image_original": "o"},
            "https://a/512",
        ),
        ({"is_custom_image": True, "image_original": "https://a/o"}, "https://a/o"),
        ({"is_custom_image": True}, ""),
        ({"is_custom_image": False, "image_512": "https://a/default"}, ""),
        (None, ""),
    ],
)
def test_a_profile_photo_is_the_custom_image_only(
    profile: dict[str, Any] | None, photo: str
) -> None:
    assert rules.profile_photo({"profile": profile}) == photo


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    url = alone_in_a_folder(tmp_path / "db")  # so that an outage can take its folder away
    opened = await Store.open(url.replace("sqlite://", "sqlite+aiosqlite://"))
    before = set(threading.enumerate())
    yield opened
    await opened.close()
    # A connection dropped by the outage is closed by its own thread, unawaited: let it end
    # while this test's loop still runs, or it reports to a loop already closed.
    async with asyncio.timeout(5):
        while any(
            "_connection_worker_thread" in t.name for t in set(threading.enumerate()) - before
        ):
            await asyncio.sleep(0.01)


def cut_once(store: Store, method: Callable[..., Awaitable[Any]]) -> Flaky:
    """`method` of `store`, whose next call meets a real outage (the database's folder gone)."""
    return Flaky(method, FolderAway(f"sqlite:///{store.db.engine.url.database}", store))


async def test_without_the_workspaces_policy_nobody_is_let_in(people: People, store: Store) -> None:
    governance = Governance(store=store, defaults=Policy())
    store.policies.get = cut_once(store, store.policies.get)  # type: ignore[method-assign]

    refusal = await rules.creator_refusal(people, governance, team_id="T1", user_id="UMEMBER")

    assert refusal == messages.NOT_SAVED_LATER


async def test_a_refusal_stands_when_its_record_cannot_be_kept(
    people: People, store: Store
) -> None:
    governance = Governance(store=store, defaults=Policy(creators=Creators(everyone=False)))
    store.audit.record_new = cut_once(store, store.audit.record_new)  # type: ignore[method-assign]

    refusal = await rules.creator_refusal(people, governance, team_id="T1", user_id="UMEMBER")

    assert refusal == messages.NOT_A_CREATOR
    assert await store.audit.since() == []
