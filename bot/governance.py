"""A workspace's rules: who may create replicas, who approves them, and what the rules refused."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.audit import Action, Record
from bot.store import Store
from bot.store.policy_queries import StoredPolicy

EVERYONE = "everyone"
# A refusal repeated within this long (same person, same what and why) is not recorded again:
# nobody can flood the audit log, which cannot be cleaned up, nor AUDIT_CHANNEL.
REFUSALS_APART = timedelta(minutes=10)
ADMINS = "admins"
# Slack's ids: users are U… (W… on Enterprise Grid), user groups S….
_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_GROUP = re.compile(r"^S[A-Z0-9]{2,}$")


@dataclass(frozen=True, slots=True)
class Creators:
    """Who may create replicas: everyone, the workspace's admins, or these users and groups.

    Guests, bots and deactivated accounts never may, whatever the rule says.
    """

    everyone: bool = True
    admins: bool = False
    users: frozenset[str] = frozenset()
    groups: tuple[str, ...] = ()

    @classmethod
    def parse(cls, words: Sequence[str]) -> Creators:
        """`everyone`, `admins`, or user and user-group ids; ValueError naming what is wrong."""
        words = [word.strip() for word in words if word.strip()]
        if not words or words == [EVERYONE]:
            return cls()
        if words == [ADMINS]:
            return cls(everyone=False, admins=True)
        users, groups = _ids(
            words, f"'{EVERYONE}', '{ADMINS}', or user (U…) and user-group (S…) ids"
        )
        return cls(everyone=False, users=users, groups=groups)

    def words(self) -> tuple[str, ...]:
        """The rule as REPLICA_CREATORS writes it; parse() reads it back."""
        if self.everyone:
            return (EVERYONE,)
        if self.admins:
            return (ADMINS,)
        return (*sorted(self.users), *self.groups)


@dataclass(frozen=True, slots=True)
class Approvers:
    """Who approves requests once the person shown has consented; none: no approval needed."""

    users: frozenset[str] = frozenset()
    groups: tuple[str, ...] = ()

    @classmethod
    def parse(cls, words: Sequence[str]) -> Approvers:
        """User and user-group ids (none: no approval); ValueError naming what is wrong."""
        users, groups = _ids(
            [w.strip() for w in words if w.strip()], "user (U…) and user-group (S…) ids"
        )
        return cls(users=users, groups=groups)

    def __bool__(self) -> bool:
        return bool(self.users or self.groups)

    def words(self) -> tuple[str, ...]:
        """The list as REPLICA_APPROVERS writes it; parse() reads it back."""
        return (*sorted(self.users), *self.groups)


def _ids(words: Sequence[str], expected: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The user ids and the user-group ids (in order, once each) among `words`."""
    wrong = [word for word in words if not (_USER.match(word) or _GROUP.match(word))]
    if wrong:
        raise ValueError(f"{expected}, not " + ", ".join(repr(word) for word in wrong))
    users = frozenset(word for word in words if _USER.match(word))
    return users, tuple(dict.fromkeys(word for word in words if _GROUP.match(word)))


@dataclass(frozen=True, slots=True)
class Policy:
    """A workspace's rules for replicas."""

    creators: Creators = Creators()
    approvers: Approvers = Approvers()
    # Where approval requests go; None: to each approver's DM.
    approval_channel: str | None = None

    def as_record(self) -> dict[str, Any]:
        """The policy as the audit log shows it."""
        return {
            "creators": ",".join(self.creators.words()),
            "approvers": ",".join(self.approvers.words()),
            "approval_channel": self.approval_channel,
        }


@dataclass(frozen=True, slots=True)
class Set:
    """A workspace's own policy, as its admins last set it: by whom, and when."""

    policy: Policy
    by: str
    at: datetime


class Governance:
    """A workspace's rules for replicas, and the audit records of what they refused."""

    def __init__(self, *, store: Store, defaults: Policy) -> None:
        self._store = store
        self._defaults = defaults

    async def policy(self, team_id: str) -> Policy:
        """The rules of this workspace: its admins' own, or else the settings' defaults."""
        found = await self.current(team_id)
        return found.policy if found is not None else self._defaults

    async def current(self, team_id: str) -> Set | None:
        """The policy this workspace's admins set, if they did."""
        row = await self._store.policies.get(team_id)
        if row is None:
            return None
        policy = Policy(
            creators=Creators.parse(row.creators.split(",")),
            approvers=Approvers.parse(row.approvers.split(",")),
            approval_channel=row.approval_channel,
        )
        return Set(policy=policy, by=row.updated_by, at=row.updated_at)

    async def change(self, team_id: str, policy: Policy, *, by: str) -> None:
        """Make `policy` this workspace's, recorded as changed by `by`, from what it was."""
        before = await self.policy(team_id)
        record = Record(
            at=self._store.now(),
            team_id=team_id,
            actor=by,
            action=Action.POLICY_CHANGED,
            details={"before": before.as_record(), "after": policy.as_record()},
        )
        await self._store.policies.save(
            StoredPolicy(
                team_id=team_id,
                creators=",".join(policy.creators.words()),
                approvers=",".join(policy.approvers.words()),
                approval_channel=policy.approval_channel,
                updated_by=by,
                updated_at=record.at,
            ),
            record,
        )

    async def export(self, *, team_id: str, days: int, by: str) -> list[Record]:
        """The workspace's records of the last `days` days, oldest first; the export recorded."""
        since = self._store.now() - timedelta(days=days)
        records = await self._store.audit.since(since, team_id=team_id)
        await self._store.audit.record(
            Record(
                at=self._store.now(),
                team_id=team_id,
                actor=by,
                action=Action.EXPORTED,
                details={"days": days, "records": len(records)},
            )
        )
        return records

    async def refused(self, *, team_id: str, user_id: str, what: str, why: str) -> None:
        """Record that `user_id` was refused `what` (e.g. "create"), and `why`.

        Once per REFUSALS_APART: the same refusal again within it is on record already.
        """
        now = self._store.now()
        await self._store.audit.record_new(
            Record(
                at=now,
                team_id=team_id,
                actor=user_id,
                action=Action.REFUSED,
                details={"what": what, "why": why},
            ),
            since=now - REFUSALS_APART,
        )
