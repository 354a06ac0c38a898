"""A workspace's rules: who may create, who approves, faces compared, and what the rules refused."""

from __future__ import annotations

from datetime import timedelta

from bot.governance.audit import Action, Record
from bot.governance.model import (
    REFUSALS_APART,
    Approvers,
    Creators,
    FaceMatch,
    Policy,
    Set,
    StoredPolicy,
)
from bot.store import Store


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
            # Saved before the rule existed: the bot's setting, as it says now, still holds.
            face_match=(
                self._defaults.face_match
                if row.face_match is None
                else FaceMatch.parse(row.face_match)
            ),
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
                face_match=policy.face_match.value,
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
