"""Approval: once the person shown consents, one of the workspace's approvers decides."""

from __future__ import annotations

import enum
import logging

from bot.jobs import Job, JobChanges, JobStatus
from bot.jobs import moves as life
from bot.jobs.intake import ORPHAN_GRACE
from bot.jobs.lifecycle import Lifecycle
from bot.store import Store

log = logging.getLogger(__name__)


class Reviewed(enum.Enum):
    """What became of an approver's click."""

    TAKEN = "taken"  # this click decided it
    ALREADY = "already"  # decided before (by an earlier click, another approver or instance)
    GONE = "gone"  # no longer waiting for approval (withdrawn, deleted)


class Approvals:
    """Takes approvers' decisions: the first one wins, and an approval sends the create."""

    def __init__(self, *, store: Store, lifecycle: Lifecycle) -> None:
        self._store = store
        self._lifecycle = lifecycle

    async def review(self, job: Job, *, approve: bool, by: str) -> tuple[Reviewed, Job]:
        """Record `by`'s decision on `job`: what became of it, and the job as it now stands.

        Whether `by` may decide it at all (an approver, neither its requester nor the person
        shown) is the caller's to check. Approved, the job is QUEUED, its create next.
        """
        if job.status is not JobStatus.PENDING_APPROVAL:
            return self._why_not(job), job
        moved = await self._lifecycle.move(
            job.id,
            life.APPROVE if approve else life.REJECT,
            JobChanges(
                reviewer_id=by,
                next_check_at=self._store.now() + ORPHAN_GRACE if approve else None,
            ),
            by=by,
        )
        if moved is None:
            current = await self._store.jobs.get(job.id) or job
            return self._why_not(current), current
        log.info("job %s: %s by %s", job.id, "approved" if approve else "rejected", by)
        return Reviewed.TAKEN, moved

    @staticmethod
    def _why_not(job: Job) -> Reviewed:
        return Reviewed.ALREADY if job.reviewer_id is not None else Reviewed.GONE
