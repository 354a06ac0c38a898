"""The sender: a lane per channel sends what the store says is owed, paced, until it is sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from datetime import timedelta

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.aio import Inflow, start_kept
from bot.delivery.budgets import POST, UPDATE, Spent
from bot.delivery.clients import SlackClients
from bot.delivery.plan import DM, UPDATES, Attempt, Posted, Skip, lane_of, plan, plan_record
from bot.delivery.retry import Crashed, GiveUp, Retry, decide, failure_of
from bot.jobs import Job, Notice, NoticeKind, new_id
from bot.ops.logs import about, log_context
from bot.slack.blocks import cards
from bot.store import Store, StoreUnavailable
from bot.workspaces.accounts import NotInstalled, Workspace, workspace_of

log = logging.getLogger(__name__)

# How often to look for work another instance left, even when nobody woke us.
IDLE_POLL = 2.0
# Never look again sooner than this, whatever is due: a floor against a busy loop.
MIN_IDLE = 0.05
# Audit records owed to the audit channel in one round, at most.
AUDIT_BATCH = 100
# A thread reply waits this long for its announcement to go out first, looking again each time.
WAIT_FOR_ANNOUNCEMENT = timedelta(seconds=1)
# ... and this long at most: an announcement stuck in doubt (its channel unreadable) must not hold
# the result back for the day it may take to give up. The reply then goes to the requester's DM.
MOST_WAIT_FOR_ANNOUNCEMENT = timedelta(minutes=10)
# Redraws a workspace's lane holds at most: past Tier 3's burst of ten, so it never runs dry
# while its budget lasts; the rest (a burst owes thousands at 50 a minute) wait in the database.
REDRAWS_AHEAD = 20
RECEIPT = NoticeKind.RECEIPT  # the one notice drawn from a consent receipt as well as its job


class Sender:
    """Sends what the store says is owed; one lane per channel so a busy one holds up no other."""

    def __init__(
        self,
        *,
        store: Store,
        clients: SlackClients,
        request_timeout: float,
        audit_channel: str | None = None,
        inflow: Inflow | None = None,
    ) -> None:
        self._store = store
        self._inflow = inflow or Inflow()  # requests being answered (a burst of forms) go first
        self._audit_channel = audit_channel
        # Each workspace's calls go with its own token, and keep that workspace's budgets.
        self._clients = clients
        # A send is cut off after 5 Slack timeouts (`request_timeout` a request): it makes 4 at
        # most (a post, a join, a DM open and post), or in doubt, with its looks first, up to 6,
        # cut off and retried if all are that slow. The claim lasts 7: 2 beyond the cut-off to
        # record how the send went while it is ours; a crashed instance's are soon free.
        self._send_deadline = 5 * request_timeout
        self._lease = timedelta(seconds=7 * request_timeout)
        self.owner = new_id()
        self._wake = asyncio.Event()
        # The ids of the notices each lane will send, in order (each is read when claimed).
        self._lanes: dict[str, deque[str]] = {}
        # The workspace whose budgets each lane keeps ("" for an audit channel's copies).
        self._lane_teams: dict[str, str] = {}
        self._lane_tasks: set[asyncio.Task[None]] = set()
        self._queued: set[str] = set()
        self._stopping = False

    async def _lane_delay(self, key: str) -> float:
        """How long a lane's next send must wait for its budget: its channel's posts, or redraws."""
        await self._inflow.quiet()
        budgets = self._clients.budgets(self._lane_teams.get(key, ""))
        if key.startswith(UPDATES):
            return await budgets.delay(UPDATE)
        # A DM's posts go to the user's id (Poster.post_dm): that is the budget they keep.
        return await budgets.delay(POST, key.removeprefix(DM))

    def wake(self) -> None:
        """Look for owed notices now rather than at the next idle poll."""
        self._wake.set()

    async def run(self) -> None:
        """Dispatch owed notices to their lanes until cancelled."""
        while not self._stopping:
            self._wake.clear()
            idle = IDLE_POLL
            try:
                await self._inflow.quiet()
                if self._audit_channel is not None:
                    relay = self._store.notices.relay_audit
                    if await relay(self._audit_channel, limit=AUDIT_BATCH) >= AUDIT_BATCH:
                        self._wake.set()  # more records wait: come straight back for them
                await self.dispatch()
                if not self._wake.is_set():  # woken meanwhile: straight back, no need to ask
                    idle = await self._idle()
            except Exception:
                # The database may be down: keep the loop alive and look again shortly.
                log.exception("could not read owed notices; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle)

    async def stop(self, grace: float) -> None:
        """Finish the sends in flight (up to `grace` seconds), then hand back everything else."""
        self._stopping = True
        self._wake.set()
        for lane in self._lanes.values():
            lane.clear()
        if self._lane_tasks:
            await asyncio.wait(set(self._lane_tasks), timeout=grace)
        for task in self._lane_tasks:
            task.cancel()
        try:
            await self._store.notices.release(owner=self.owner)
        except StoreUnavailable as exc:
            # Nothing lost: the claims run out by themselves and another instance takes over.
            log.warning("could not hand back notices at shutdown: %s", exc)

    async def dispatch(self) -> None:
        """Queue every due notice in its channel's lane (redraws up to REDRAWS_AHEAD a lane)."""
        # Notices already waiting in a lane are left out: no need to read them again.
        due = self._store.notices.due(excluding=self._queued, holding=self._holding())
        for notice, job in await due:
            if self._stopping:
                break
            key = lane_of(notice, job)
            lane = self._lanes.get(key)
            if lane is None:
                lane = self._lanes[key] = deque()
                self._lane_teams[key] = job.requester.team_id if job is not None else ""
                start_kept(self._lane_tasks, self._drain(key, lane))
            elif _full(key, lane):
                continue  # read again once the lane has room
            self._queued.add(notice.id)
            lane.append(notice.id)

    def _holding(self) -> set[str]:
        """The workspaces whose redraw lanes are full: their redraws wait in the database."""
        return {self._lane_teams[key] for key, lane in self._lanes.items() if _full(key, lane)}

    async def _idle(self) -> float:
        due = await self._store.notices.next_due_at(excluding=self._queued, holding=self._holding())
        if due is None:
            return IDLE_POLL
        return min(IDLE_POLL, max(MIN_IDLE, (due - self._store.now()).total_seconds()))

    async def _drain(self, key: str, lane: deque[str]) -> None:
        try:
            while lane:
                notice_id = lane.popleft()
                if key.startswith(UPDATES) and len(lane) == REDRAWS_AHEAD // 2:
                    self._wake.set()  # half the lane is gone: read the next redraws
                try:
                    # The budget is waited out before the claim, which is then not spent
                    # waiting; the call itself takes its turn (another instance may have taken
                    # this one meanwhile).
                    if (wait := await self._lane_delay(key)) > 0:
                        await asyncio.sleep(wait)
                    if not self._stopping:
                        await self._deliver(notice_id)
                except StoreUnavailable as exc:
                    # Its claim runs out and it is tried again; a post that went out is found.
                    log.warning("notice %s: database unavailable: %s", notice_id, exc)
                except Exception:
                    log.exception("notice %s: delivery crashed", notice_id)
                finally:
                    self._queued.discard(notice_id)
        finally:
            del self._lanes[key]
            self._lane_teams.pop(key, None)

    async def _deliver(self, notice_id: str) -> None:
        claimed = await self._store.notices.claim(notice_id, owner=self.owner, lease=self._lease)
        if claimed is None:
            return  # sent already, not due, or another instance has it
        notice, job = claimed
        with about(job) if job is not None else log_context():
            await self._deliver_claimed(notice, job)

    async def _deliver_claimed(self, notice: Notice, job: Job | None) -> None:
        outcome: Posted | Skip | Retry | GiveUp
        attempt = Attempt(began=self._store.now().timestamp(), lasts=self._send_deadline)
        try:
            # Done well before the claim runs out, so no other instance can take it meanwhile.
            async with asyncio.timeout(self._send_deadline):
                outcome = await self._send(notice, job, attempt)
        except StoreUnavailable:
            raise
        except NotInstalled as gone:
            # Never sent with another workspace's token, never retried forever: given up.
            log.warning("notice %s: %s; not sent", notice.id, gone)
            outcome = Skip(str(gone))
        except Exception as exc:
            failure = failure_of(exc)
            if isinstance(failure, Crashed):
                # A bug or a surprise from Slack: retried (and given up after a day) like any error.
                log.exception("notice %s: delivery failed unexpectedly", notice.id)
            outcome = decide(failure, notice, now=self._store.now())
        if isinstance(outcome, Skip):
            await self._store.notices.give_up(notice.id, owner=self.owner, error=outcome.reason)
        elif isinstance(outcome, Retry | GiveUp):
            await self._apply(notice, outcome, attempt)
        else:
            await self._store.notices.sent(
                notice.id,
                owner=self.owner,
                channel=outcome.channel,
                ts=outcome.ts,
                error=outcome.refused,
            )
            log.info("notice %s (%s) sent to %s", notice.id, notice.kind.value, outcome.channel)
            if notice.kind.redraws_card and job is not None:
                # Off the lane: the next reply in this channel need not wait for the redraw.
                start_kept(self._lane_tasks, self._redraw_card(job))

    async def _apply(self, notice: Notice, decision: Retry | GiveUp, attempt: Attempt) -> None:
        if isinstance(decision, GiveUp):
            log.error("notice %s: %s: %s", notice.id, decision.why, decision.error)
            await self._store.notices.give_up(notice.id, owner=self.owner, error=decision.error)
            return
        log.info("notice %s: retry in %.1fs (%s)", notice.id, decision.delay, decision.reason)
        await self._store.notices.retry(
            notice.id,
            owner=self.owner,
            at=self._store.now() + timedelta(seconds=decision.delay),
            error=decision.reason,
            in_doubt=decision.in_doubt,
            failed=decision.counts,
            # Where and when a post of this try went: if in doubt, that is where to look next time.
            doubt=(attempt.target, attempt.began) if decision.in_doubt and attempt.target else None,
        )
        self._wake.set()

    async def _send(
        self, notice: Notice, job: Job | None, attempt: Attempt
    ) -> Posted | Skip | Retry:
        if job is None:
            # About no one job: a copy of an audit record.
            record = await self._store.audit.get(notice.audit_seq or 0)
            planned = plan_record(notice, record)
            if isinstance(planned, Skip):
                return planned
            assert record is not None  # plan_record skips a missing record
            poster = await self._clients.poster(Workspace(record.team_id))
            return await poster.carry_out(planned, notice, attempt)
        if notice.kind.is_threaded and not job.announcement_ts:
            # A thread needs its parent first; the announcement may have gone out since the
            # claim read the job. Past the longest wait, the reply goes without it (a DM).
            waited = self._store.now() - notice.created_at
            if waited < MOST_WAIT_FOR_ANNOUNCEMENT and await self._store.notices.pending(
                job.id, NoticeKind.ANNOUNCEMENT
            ):
                delay = WAIT_FOR_ANNOUNCEMENT.total_seconds()
                reason = "waiting for the announcement"
                return Retry(delay, reason, in_doubt=notice.in_doubt, counts=False)
            job = await self._store.jobs.get(job.id) or job
        shown = await self._store.receipts.of_job(job.id) if notice.kind is RECEIPT else None
        planned = plan(notice, job, shown)
        if isinstance(planned, Skip):
            return planned
        poster = await self._clients.poster(workspace_of(job))
        return await poster.carry_out(planned, notice, attempt)

    async def _redraw_card(self, job: Job) -> None:
        """Bring the card up to date with a result just posted; owe it if Slack says no now.

        Not a notice of its own: a burst of results costs half the writes; only a failed redraw
        is stored to retry. The job as claimed with its result is the state the card shows.
        """
        if not (job.announcement_channel and job.announcement_ts):
            return
        try:
            if await self._clients.budgets(job.requester.team_id).delay(UPDATE) > 0:
                # The workspace's chat.update budget is spent: the redraw waits in its lane.
                raise TimeoutError("chat.update budget spent")
            poster = await self._clients.poster(workspace_of(job))
            await poster.redraw(job.announcement_channel, job.announcement_ts, cards.card(job))
        except NotInstalled:
            return  # its workspace has gone: nothing to redraw, nothing to owe
        except (SlackApiError, aiohttp.ClientError, TimeoutError, Spent) as exc:
            # A 429 has paused chat.update's budget already (the client does that). Owed here,
            # not through the lifecycle: no move caused it, and delivery wakes itself.
            log.info("job %s: card redraw failed (%s); owed for later", job.id, exc)
            try:
                await self._store.notices.owe(job.id, NoticeKind.CARD)
            except StoreUnavailable as lost:
                log.warning("job %s: card left as it was: %s", job.id, lost)
            self._wake.set()


def _full(key: str, lane: deque[str]) -> bool:
    """Whether a lane takes no more for now: a redraw lane holding REDRAWS_AHEAD."""
    return key.startswith(UPDATES) and len(lane) >= REDRAWS_AHEAD
