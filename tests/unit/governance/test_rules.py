"""Unit tests for who may do what, asked of a directory of Slack's user records (users.info)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import messages
from bot.governance import rules
from bot.governance.model import Approvers, Creators, Policy
from bot.governance.rules import CannotTell, Person
from bot.jobs import Job, JobStatus, ReplicaRequest, Requester, Sight, Viewer
from bot.workspaces.accounts import Workspace

NOW = datetime(2030, 1, 1, tzinfo=UTC)
MEMBER = {"name": "sam", "profile": {"real_name": "Sam Member"}}
# Who the directory knows, as users.info describes each of them.
USERS: dict[str, dict[str, Any]] = {
    "UREQ": {"name": "req"},
    "USUBJ": {"name": "subj"},
    "UMEMBER": MEMBER,
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
}
GROUPS = {"SEDITORS": frozenset({"UMEMBER", "UREQ"}), "SEMPTY": frozenset()}


class Directory:
    """What Slack says of a workspace's people; it cannot tell of anyone it does not know."""

    def __init__(self, users: Mapping[str, Mapping[str, Any]] = USERS) -> None:
        self.users = users
        self.asked: list[str] = []

    async def user(self, user_id: str) -> Mapping[str, Any]:
        self.asked.append(user_id)
        if user_id not in self.users:
            raise CannotTell(user_id)
        return self.users[user_id]

    async def members(self, group: str) -> frozenset[str]:
        if group not in GROUPS:
            raise CannotTell(group)
        return GROUPS[group]


PEOPLE = Directory()


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
async def test_guests_bots_and_deactivated_accounts_never_may_create(user: str) -> None:
    for creators in (Creators(), Creators(everyone=False, users=frozenset({user}))):
        assert not await rules.may_create(PEOPLE, user, creators)


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
async def test_creators_are_whom_the_rule_names(creators: Creators, allowed: set[str]) -> None:
    for user in ("UMEMBER", "UADMIN", "UOWNER", "UPRIMARY", "UREQ", "USUBJ"):
        assert await rules.may_create(PEOPLE, user, creators) is (user in allowed), user


async def test_a_stranger_who_is_an_admin_elsewhere_is_no_admin_here() -> None:
    admins = Creators(everyone=False, admins=True)

    assert not await rules.may_create(PEOPLE, "UFOREIGNADMIN", admins)
    assert not await rules.is_admin(PEOPLE, "UFOREIGNADMIN")
    assert rules.counts_as_admin({"is_admin": True})
    assert not rules.counts_as_admin({"is_admin": False, "is_owner": False})


async def test_approvers_are_the_users_and_the_members_of_the_groups_each_once_sorted() -> None:
    approvers = Approvers(users=frozenset({"UOWNER", "UMEMBER"}), groups=("SEDITORS", "SEMPTY"))

    assert await rules.approvers_of(PEOPLE, approvers) == ["UMEMBER", "UOWNER", "UREQ"]


async def test_approval_asks_nobody_where_the_workspace_asks_for_none() -> None:
    assert await rules.approvers_to_ask(PEOPLE, Policy(), job()) is None


async def test_approval_asks_the_approval_channel_when_there_is_one() -> None:
    policy = Policy(approvers=Approvers(users=frozenset({"UADMIN"})), approval_channel="CAPPROVE")

    assert await rules.approvers_to_ask(PEOPLE, policy, job()) == ["CAPPROVE"]


async def test_approval_asks_each_approver_but_the_requester_and_the_person_shown() -> None:
    approvers = Approvers(users=frozenset({"UADMIN", "USUBJ"}), groups=("SEDITORS",))

    asked = await rules.approvers_to_ask(PEOPLE, Policy(approvers=approvers), job())

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
    user: str, refusal: str | None
) -> None:
    everyone = frozenset({"UREQ", "USUBJ", "UADMIN"})
    policy = Policy(approvers=Approvers(users=everyone, groups=("SEDITORS",)))

    assert await rules.approval_refusal(PEOPLE, policy, user_id=user, job=job()) == refusal


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
    ],
)
async def test_only_full_members_may_be_shown(user: str, found: Person | str) -> None:
    assert await rules.check_subject(PEOPLE, user) == found


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
    record: dict[str, Any], name: str
) -> None:
    people = Directory({"UDANA": record})

    assert await rules.check_subject(people, "UDANA") == Person("UDANA", name)


@pytest.mark.parametrize(
    ("clicked_in", "enterprise", "other"),
    [
        (Workspace("T1"), None, False),
        (Workspace("T2"), None, True),
        (Workspace("T1", "E1"), "E1", False),
        (Workspace("T1", "E2"), "E1", True),
        (Workspace("T1", "E2"), None, False),
        (Workspace("T1"), "E1", False),
    ],
)
def test_a_click_from_another_workspace_or_org_is_elsewhere(
    clicked_in: Workspace, enterprise: str | None, other: bool
) -> None:
    assert rules.elsewhere(job(enterprise=enterprise), clicked_in) is other


async def test_the_requester_may_change_a_replica_without_slack_being_asked() -> None:
    people = Directory({})

    assert await rules.may_change(people, "UREQ", job())
    assert people.asked == []


@pytest.mark.parametrize(
    ("user", "change", "talk"),
    [
        ("UREQ", True, True),
        ("USUBJ", False, True),
        ("UADMIN", True, True),
        ("UMEMBER", False, False),
        ("UFOREIGNADMIN", False, False),
        ("UNOBODY", False, False),  # Slack cannot say: refused rather than guessed
    ],
)
async def test_who_may_change_and_talk_to_a_replica(user: str, change: bool, talk: bool) -> None:
    assert await rules.may_change(PEOPLE, user, job()) is change
    assert await rules.may_talk(PEOPLE, user, job()) is talk


@pytest.mark.parametrize(
    ("user", "connect"),
    [("UADMIN", True), ("UOWNER", True), ("UMEMBER", False), ("UNOBODY", False)],
)
async def test_only_an_admin_or_owner_may_connect_the_tavus_account(
    user: str, connect: bool
) -> None:
    assert await rules.may_connect(PEOPLE, user) is connect


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
async def test_a_list_is_drawn_for_what_its_viewer_may_see(user: str, sight: Sight) -> None:
    assert await rules.viewer(PEOPLE, user) == Viewer(user, sight)


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
