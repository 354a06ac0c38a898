"""A workspace's rules as values: who may create, who approves, where, faces compared (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

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


class FaceMatch(StrEnum):
    """What a job whose face could not be compared with the consenter's profile photo does.

    A clear mismatch is held for an admin whatever the rule, but OFF (no comparison at all).
    """

    REQUIRE = "require"  # held before Tavus, as a mismatch is, until an admin releases it
    WARN = "warn"  # goes on, marked unverified on the receipt and the card
    OFF = "off"  # faces are never compared

    @classmethod
    def parse(cls, word: str) -> FaceMatch:
        """`require`, `warn` or `off` (any case, spaces around); ValueError naming the three."""
        try:
            return cls(word.strip().lower())
        except ValueError:
            allowed = ", ".join(repr(rule.value) for rule in cls)
            raise ValueError(f"one of {allowed}, not {word!r}") from None


@dataclass(frozen=True, slots=True)
class Policy:
    """A workspace's rules for replicas."""

    creators: Creators = Creators()
    approvers: Approvers = Approvers()
    # Where approval requests go; None: to each approver's DM.
    approval_channel: str | None = None
    face_match: FaceMatch = FaceMatch.WARN

    def as_record(self) -> dict[str, Any]:
        """The policy as the audit log shows it."""
        return {
            "creators": ",".join(self.creators.words()),
            "approvers": ",".join(self.approvers.words()),
            "approval_channel": self.approval_channel,
            "face_match": self.face_match.value,
        }


@dataclass(frozen=True, slots=True)
class Set:
    """A workspace's own policy, as its admins last set it: by whom, and when."""

    policy: Policy
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    """A workspace's rules as stored: the words the settings would use, and who set them."""

    team_id: str
    creators: str  # as REPLICA_CREATORS: "everyone", "admins", or ids, comma-separated
    approvers: str  # as REPLICA_APPROVERS: ids, comma-separated; "" for no approval
    approval_channel: str | None
    # As REPLICA_FACE_MATCH; None: saved before the rule existed, so the setting's default holds.
    face_match: str | None
    updated_by: str
    updated_at: datetime
