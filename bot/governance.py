"""A workspace's rules: who may create replicas, who approves them, and what the rules refused."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.audit import Action, Record
from bot.store import Store

EVERYONE = "everyone"
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


class Governance:
    """A workspace's rules for replicas, and the audit records of what they refused."""

    def __init__(self, *, store: Store, defaults: Policy) -> None:
        self._store = store
        self._defaults = defaults

    async def policy(self, team_id: str) -> Policy:
        """The rules of this workspace."""
        return self._defaults

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
        """Record that `user_id` was refused `what` (e.g. "create"), and `why`."""
        await self._store.audit.record(
            Record(
                at=self._store.now(),
                team_id=team_id,
                actor=user_id,
                action=Action.REFUSED,
                details={"what": what, "why": why},
            )
        )
