"""What one move of a job is: the states it leaves, the one it enters, what it owes (pure).

The moves themselves are a table, MOVES, in moves.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.governance.audit import Action
from bot.jobs.model import Job
from bot.jobs.states import JobStatus, NoticeKind


class Only(enum.Enum):
    """When a move owes its notice."""

    ALWAYS = "always"
    # A card exists only once its announcement has been posted.
    ONCE_ANNOUNCED = "once announced"
    # The requester may be watching the form, which then tells them instead.
    UNLESS_WATCHING = "unless the form shows it"


@dataclass(frozen=True, slots=True)
class Move:
    """One named step in a job's life: the states it leaves, the one it enters, what it owes.

    Applied as one compare-and-set: a job in none of `from_` is not moved (another process, or
    another delivery, got there first), and the notice is owed in the same transaction.
    """

    name: str
    from_: frozenset[JobStatus]
    to: JobStatus | None  # None: the job stays where it is (the card changes, not the state)
    owes: NoticeKind | None = None
    only: Only = Only.ALWAYS
    why: str = ""
    records: Action | None = None  # what the audit log says of it, if anything
    also: NoticeKind | None = None  # a second notice it owes, always (e.g. the consent request)
    # It leaves pending approval: every approval request sent is owed a redraw without buttons.
    settles_approvals: bool = False
    # It leaves the media check: the job's report is owed in the thread when it says anything.
    reports: bool = False

    def owed(self, job: Job, *, watching: bool = False) -> NoticeKind | None:
        """The notice this move owes for `job` as the move left it; None if it owes none."""
        if self.owes is None:
            return None
        if self.only is Only.ONCE_ANNOUNCED and not job.announcement_ts:
            return None
        if self.only is Only.UNLESS_WATCHING and watching:
            return None
        return self.owes

    def owed_too(self, job: Job) -> tuple[NoticeKind, ...]:
        """The notices owed besides owed()'s, always: `also`, and the report where it has one."""
        kinds: tuple[NoticeKind, ...] = () if self.also is None else (self.also,)
        report = job.media_report
        if self.reports and report is not None and (report.findings or report.summaries):
            kinds += (NoticeKind.MEDIA_CHECKED,)
        return kinds
