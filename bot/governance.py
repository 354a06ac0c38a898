"""Who may create replicas in a workspace, and the record of what that rule refused."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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
        wrong = [word for word in words if not (_USER.match(word) or _GROUP.match(word))]
        if wrong:
            raise ValueError(
                f"'{EVERYONE}', '{ADMINS}', or user (U…) and user-group (S…) ids, not "
                + ", ".join(repr(word) for word in wrong)
            )
        return cls(
            everyone=False,
            users=frozenset(word for word in words if _USER.match(word)),
            groups=tuple(dict.fromkeys(word for word in words if _GROUP.match(word))),
        )


class Governance:
    """A workspace's rules for replicas, and the audit records of what they refused."""

    def __init__(self, *, store: Store, creators: Creators) -> None:
        self._store = store
        self._creators = creators

    def creators(self, team_id: str) -> Creators:
        """Who may create replicas in this workspace."""
        return self._creators

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
