"""Consent the person shown gives in Slack: the statement they agree to, and its receipt.

No replica of a real person is created unless that person said yes themselves: a request waits
for their answer, only their own click counts, the first answer wins, and the receipt of it is
kept, never changed, with what they were shown.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.governance.model import FaceMatch as Policing
from bot.governance.receipts import Decision, Medium, Receipt, media_of, sha256, statement_for
from bot.jobs import Job, JobChanges, JobStatus, NoticeKind
from bot.jobs import moves as life
from bot.jobs.face_matches import wanted
from bot.jobs.intake import ORPHAN_GRACE
from bot.jobs.lifecycle import Lifecycle
from bot.ops.metrics import Metrics
from bot.store import Store
from bot.workspaces.accounts import Accounts

log = logging.getLogger(__name__)


class Answered(enum.Enum):
    """What became of a click on the consent request."""

    TAKEN = "taken"  # this click decided it
    NOT_THEIRS = "not theirs"  # someone other than the person shown clicked
    ALREADY = "already"  # it was answered before (by an earlier click, or another instance)
    EXPIRED = "expired"  # nobody answered in time
    GONE = "gone"  # the request no longer stands (deleted, or saved too late)


class Withdrawn(enum.Enum):
    """What became of a request to withdraw consent."""

    DONE = "done"  # cancelled, or deleted at Tavus with its footage
    NOT_THEIRS = "not theirs"  # only the person shown may withdraw
    NOT_NOW = "not now"  # the create is on its way: there is nothing to delete yet
    NOTHING = "nothing"  # no consent stands (never given, declined, expired, withdrawn, gone)


@dataclass(frozen=True, slots=True)
class MostWaiting:
    """Requests that may wait for consent at once: asked by one person, and asking one person.

    CONSENT_WAITING_PER_REQUESTER and CONSENT_WAITING_PER_SUBJECT: nobody can flood a
    colleague's DMs with requests, nor keep more than a few copies of files waiting.
    """

    per_requester: int = 10
    per_subject: int = 3


@dataclass(frozen=True, slots=True)
class Crowded:
    """A new request would be one too many: whose (the requester's, or the person shown's)."""

    requester: bool
    count: int


class Consent:
    """Takes the answer of the person shown: only theirs counts, and the first one wins."""

    def __init__(
        self,
        *,
        store: Store,
        lifecycle: Lifecycle,
        accounts: Accounts,
        metrics: Metrics | None = None,
        most_waiting: MostWaiting = MostWaiting(),
        match_hold: timedelta | None = None,
    ) -> None:
        self._store = store
        # How long a face match holds its job; None: no face match runs (MEDIA_CHECK off).
        self._match_hold = match_hold
        self._lifecycle = lifecycle
        self._accounts = accounts
        self._metrics = metrics if metrics is not None else Metrics()
        self._most = most_waiting

    async def crowded(
        self, *, team_id: str, requester_id: str, subject_id: str | None
    ) -> Crowded | None:
        """Whether one more request from `requester_id` asking `subject_id` would be too many.

        Counted from the store as it stands: two forms submitted at the very same moment may
        both pass, which a person clicking cannot turn into a flood.
        """
        mine, theirs = await self._store.jobs.waiting_by_and_of(
            team_id=team_id, user_id=requester_id, subject_id=subject_id
        )
        if mine >= self._most.per_requester:
            return Crowded(requester=True, count=mine)
        if subject_id is not None and theirs >= self._most.per_subject:
            return Crowded(requester=False, count=theirs)
        return None

    async def answer(
        self,
        job: Job,
        decision: Decision,
        *,
        by: str,
        where: tuple[str, str] | None = None,
        approvers: Sequence[str] | None = None,
        face_match: Policing = Policing.OFF,
        photo: str | None = None,
    ) -> tuple[Answered, Job]:
        """Take `by`'s answer for `job`: what became of it, and the job as it now stands.

        With consent the job is QUEUED, its create next (Intake.start; should this process
        die first, the reconciler sends it a minute later); or, given `approvers` (the
        workspace asks for approval), PENDING_APPROVAL, each approver owed a request. Where
        the workspace's `face_match` policy is on and there is a face to compare, it is
        MATCHING first: `photo` (the profile photo's link, "" for a default avatar) is
        compared with the training media, and the approvers are kept to be asked after.
        """
        if by != job.request.subject_id:
            return Answered.NOT_THEIRS, job
        if job.status is not JobStatus.AWAITING_CONSENT:
            return await self._why_not(job), job
        receipt = await self._receipt(job, decision, where)
        if approvers is not None and not approvers:
            log.warning("job %s: no approver but the requester or the person shown", job.id)
        now = self._store.now()
        changes = JobChanges(next_check_at=None)
        if decision is Decision.DECLINED:
            move = life.DECLINE
        elif self._match_hold is not None and wanted(face_match, job.request):
            move = life.MATCH_FACE
            asked = tuple(approvers) if approvers is not None else None
            changes = JobChanges(
                next_check_at=now + self._match_hold, approvers=asked, profile_photo=photo
            )
        elif approvers is None:
            move, changes = life.CONSENT, JobChanges(next_check_at=now + ORPHAN_GRACE)
        else:
            move = life.SEEK_APPROVAL
        moved = await self._lifecycle.move(
            job.id,
            move,
            changes,
            by=by,
            receipt=receipt,
            asking=(approvers or ()) if move is life.SEEK_APPROVAL else (),
        )
        if moved is None:
            current = await self._store.jobs.get(job.id) or job
            return await self._why_not(current), current
        log.info("job %s: consent %s by %s", job.id, decision.value, by)
        self._metrics.consent(decision.value)
        return Answered.TAKEN, moved

    async def withdraw(self, job: Job, *, by: str) -> tuple[Withdrawn, Job]:
        """Take back `by`'s consent; raises TavusError if Tavus refuses the delete.

        Before the create, the job ends; after it, the replica is deleted at Tavus with its
        training footage (hard), then the job is marked withdrawn.
        """
        if by != job.request.subject_id:
            return Withdrawn.NOT_THEIRS, job
        if job.status is JobStatus.CREATING:
            return Withdrawn.NOT_NOW, job
        if job.status not in life.WITHDRAW.from_:
            return Withdrawn.NOTHING, job
        if job.replica_id is not None:
            # The account that made it, whatever key the workspace has connected since.
            tavus = await self._accounts.tavus_for(job)
            await tavus.delete_replica(replica_id=job.replica_id, hard=True)
        # A create whose answer was lost may have made the replica all the same: it is looked
        # for (by the reconciler, or found by its callback) and deleted too.
        lost = job.status is JobStatus.UNKNOWN and job.replica_id is None
        moved = await self._lifecycle.move(
            job.id,
            life.WITHDRAW,
            JobChanges(next_check_at=self._store.now() if lost else None),
            by=by,
        )
        if moved is None:
            current = await self._store.jobs.get(job.id) or job
            return Withdrawn.NOTHING, current
        log.info("job %s: consent withdrawn by %s", job.id, by)
        self._metrics.consent("withdrawn")
        return Withdrawn.DONE, moved

    async def of_subject(self, *, team_id: str, user_id: str) -> list[tuple[Job, Receipt | None]]:
        """The replicas of a person, newest first, each with the receipt of their answer."""
        found = await self._store.jobs.of_subject(team_id=team_id, subject_id=user_id)
        return [(job, await self.receipt(job.id)) for job in found]

    async def receipt(self, job_id: str) -> Receipt | None:
        """The receipt of a job's answer, if it has one."""
        return await self._store.receipts.of_job(job_id)

    async def _media(self, job: Job) -> tuple[Medium, ...]:
        """What the receipt says the replica is trained from; a copied file with its hash."""
        found = media_of(job.request)
        kept = await self._store.media.of_job(job.id) if job.request.slack_file else []
        if not kept:
            return found
        copy = kept[0]
        first = replace(found[0], sha256=copy.sha256, size=copy.size)
        return (first, *found[1:])

    async def _why_not(self, job: Job) -> Answered:
        if await self.receipt(job.id) is not None:
            return Answered.ALREADY
        return Answered.EXPIRED if job.status is JobStatus.EXPIRED else Answered.GONE

    async def _receipt(
        self, job: Job, decision: Decision, clicked: tuple[str, str] | None
    ) -> Receipt:
        request = job.request
        name = request.subject_name or request.subject_id or ""
        words = statement_for(name)
        # The message clicked is the request; its own delivery record may be a moment behind.
        where = clicked or await self._store.notices.sent_to(job.id, NoticeKind.CONSENT_REQUEST)
        return Receipt(
            job_id=job.id,
            team_id=job.requester.team_id,
            subject_id=request.subject_id or "",
            subject_name=name,
            requester_id=job.requester.user_id,
            decision=decision,
            decided_at=self._store.now(),
            statement=words,
            statement_sha256=sha256(words),
            intended_use=request.intended_use or "",
            media=await self._media(job),
            dm_channel=where[0] if where else None,
            dm_ts=where[1] if where else None,
            replica_id=job.replica_id,
        )
