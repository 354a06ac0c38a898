"""Applying a job's moves: the compare-and-set, the notice it owes, and waking delivery.

The moves themselves (from where, to where, what each owes) are the table in jobs/moves.py; this
is the one place that makes them, so no caller writes that sequence by hand. Settling a job from
what Tavus reports lives here too, since callbacks, polls and `/replica status` all do it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from bot.governance.audit import BOT, TAVUS
from bot.governance.receipts import Compared, Receipt
from bot.jobs import NO_CHANGES, Job, JobChanges, JobStatus, Move
from bot.jobs import moves as life
from bot.store import Store
from bot.tavus import Outcome, Replica, outcome_of

log = logging.getLogger(__name__)


class Lifecycle:
    """Moves jobs through their life in the store, waking delivery whenever a notice is owed."""

    def __init__(
        self,
        *,
        store: Store,
        wake_delivery: Callable[[], None],
        poll_interval: timedelta,
        wake_sweeper: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._wake = wake_delivery
        self._poll_interval = poll_interval
        # Without kept media (no PUBLIC_URL nor bucket) there is nothing to sweep.
        self._wake_sweeper = wake_sweeper or (lambda: None)
        self._check_media: Callable[[Job], None] = lambda job: None
        self._match_face: Callable[[Job], None] = lambda job: None

    def on_checking(self, check_media: Callable[[Job], None]) -> None:
        """Have `check_media` start the check of each job saved or moved into CHECKING.

        Set once the media check is built: it moves jobs itself, so it comes after this.
        """
        self._check_media = check_media

    def on_matching(self, match_face: Callable[[Job], None]) -> None:
        """Have `match_face` start the face match of each job moved into MATCHING."""
        self._match_face = match_face

    async def move(
        self,
        job_id: str,
        move: Move,
        changes: JobChanges = NO_CHANGES,
        *,
        by: str = BOT,
        watching: bool = False,
        receipt: Receipt | None = None,
        asking: Sequence[str] = (),
        compared: Compared | None = None,
        details: Mapping[str, str] | None = None,
    ) -> Job | None:
        """Make `move` with `changes`; the moved job, or None if another process (or delivery) won.

        `by`: who made it, for the audit log (a Slack user id, TAVUS or BOT). `watching`: the
        requester is watching the form, which tells them itself. `receipt`: the
        consent answer this move records, written with it. `asking`: who is owed an approval
        request. `compared`: what the face match found, for the receipt. `details`: more for
        the audit record.
        """
        job = await self._store.jobs.move(
            job_id,
            move,
            changes,
            by=by,
            watching=watching,
            receipt=receipt,
            asking=asking,
            compared=compared,
            details=details,
        )
        if job is not None and (asking or move.settles_approvals or move.owed_too(job)):
            self._wake()  # approval requests owed, or their redraws, or the consent request
        self._wake_if_owed(job, move, watching=watching)
        if job is not None and job.status.is_final and job.request.slack_file:
            # Its copy of a file from Slack goes now (declined, expired, …), not within a minute.
            self._wake_sweeper()
        if job is not None and move.to is JobStatus.CHECKING:
            self._check_media(job)
        if job is not None and move.to is JobStatus.MATCHING:
            self._match_face(job)
        return job

    async def note_progress(self, job: Job, progress: str | None) -> None:
        """Remember how far training has got, if that is news; the card is redrawn."""
        if progress != job.training_progress:
            noted = await self._store.jobs.note_progress(job.id, progress)
            self._wake_if_owed(noted, life.NOTE_PROGRESS)

    def saved(self, job: Job) -> None:
        """A request was just saved: its card (and the DM) are owed now; its media checked."""
        if job.status in (JobStatus.AWAITING_CONSENT, JobStatus.FETCHING, JobStatus.CHECKING):
            self._wake()
        if job.status is JobStatus.CHECKING:
            self._check_media(job)

    async def begin_training(self, job_id: str, replica_id: str) -> Job | None:
        """Tavus has the replica: training begins and its announcement is owed."""
        return await self.move(
            job_id,
            life.BEGIN_TRAINING,
            JobChanges(
                replica_id=replica_id,
                error_message=None,
                next_check_at=self._store.now() + self._poll_interval,
            ),
        )

    async def adopt(self, job: Job, replica: Replica) -> Job | None:
        """Give a create whose answer was lost the replica found for it; None if it is not its.

        Found by its callback (whose URL's secret proves the job) or in Tavus's list (unique
        name and time, no other job's); the names must agree either way.
        """
        if replica.replica_name != job.request.replica_name:
            return None
        adopted = await self.begin_training(job.id, replica.replica_id)
        if adopted is not None:
            log.info("job %s: adopted replica %s", job.id, replica.replica_id)
            return adopted
        current = await self._store.jobs.get(job.id)
        return current if current and current.replica_id == replica.replica_id else None

    async def settle(
        self, job: Job, replica: Replica, *, fallback_error: str | None = None
    ) -> bool:
        """Bring a training job up to what Tavus reports; True if that decided its outcome.

        Still training: its progress is noted (and the card redrawn) if it moved. Finished: it
        becomes ready or failed, once, whoever asks; the result is owed in its thread.
        """
        outcome = outcome_of(replica.status)
        if outcome is Outcome.IN_PROGRESS:
            await self.note_progress(job, replica.training_progress)
            return False
        failed = outcome is Outcome.FAILED
        finished = await self.move(
            job.id,
            life.FAIL if failed else life.SUCCEED,
            JobChanges(
                error_message=(replica.error_message or fallback_error) if failed else None,
                thumbnail_url=replica.thumbnail_video_url,
                next_check_at=None,
            ),
            by=TAVUS,
        )
        if finished is None:
            return False  # another delivery, or a poll, already decided this job
        log.info("job %s: %s", job.id, finished.status.value)
        return True

    def _wake_if_owed(self, job: Job | None, move: Move, *, watching: bool = False) -> None:
        # The store owed the notice by the same rule, in the move's transaction.
        if job is not None and move.owed(job, watching=watching) is not None:
            self._wake()
