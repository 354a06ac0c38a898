"""A workspace leaves (uninstalled, tokens revoked): its secrets go, its jobs end, the log stays.

Safe to hear twice, from any instance: what is gone stays gone, a job ends once (a
compare-and-set), and the audit log records the departure only when it changed something (two
deliveries heard by one instance at once are taken one after the other). An
event that comes after the app was installed there again (Slack retries, and sends two events
for one uninstall) is out of date and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime, timedelta

from bot.governance.audit import BOT, Action, Record
from bot.jobs import JobChanges
from bot.jobs import moves as life
from bot.jobs.lifecycle import Lifecycle
from bot.store import Store
from bot.workspaces.accounts import Workspace

log = logging.getLogger(__name__)


class Departures:
    """Forgets a workspace (or a Grid org) the app has left, but for its audit log."""

    def __init__(self, *, store: Store, lifecycle: Lifecycle) -> None:
        self._store = store
        self._lifecycle = lifecycle
        # One departure of a workspace at a time in this process: two deliveries of one event
        # heard together would otherwise split the work (one deletes the token, the other ends
        # the job) and each record a departure. Heard one after the other, the second finds
        # nothing left to change and records nothing.
        self._leaving: defaultdict[tuple[str | None, str | None], asyncio.Lock] = defaultdict(
            asyncio.Lock
        )

    async def left(
        self, workspace: Workspace, *, org_wide: bool, why: str, at: datetime | None = None
    ) -> int:
        """The app left `workspace` (every workspace of its org, if `org_wide`) at `at`.

        Its bot token and Tavus keys (with those it replaced) are deleted, and its unfinished
        jobs ended: nothing can be posted there any more, and no token of another workspace may
        be used instead. An org's workspaces with an install of their own keep it, and their
        jobs. Returns how many jobs were ended.
        """
        team_id = None if org_wide else workspace.team_id
        org = workspace.enterprise_id
        async with self._leaving[team_id, org]:
            return await self._leave(workspace, team_id, org, org_wide=org_wide, why=why, at=at)

    async def _leave(
        self,
        workspace: Workspace,
        team_id: str | None,
        org: str | None,
        *,
        org_wide: bool,
        why: str,
        at: datetime | None,
    ) -> int:
        if at is not None and await self._installed_since(workspace, org_wide, at):
            log.info("%s: %s is out of date (installed again since); ignored", why, team_id or org)
            return 0
        keeping = await self._store.installations.own_teams_of(org) if org_wide and org else set()
        tokens = await self._store.installations.delete(team_id=team_id, enterprise_id=org)
        keys = await self._store.tavus_accounts.delete(
            team_id=team_id, enterprise_id=org, keeping=keeping
        )
        await self._store.connect_links.forget(team_id=team_id, enterprise_id=org, keeping=keeping)
        ended = 0
        left_behind = await self._store.jobs.of_workspace_open(
            team_id=team_id, enterprise_id=org, keeping=sorted(keeping)
        )
        for job in left_behind:
            if not job.status.is_final:
                moved = await self._lifecycle.move(job.id, life.END, JobChanges(next_check_at=None))
                ended += moved is not None
            else:
                # Final, but still looked for (a withdrawn create's lost replica): no more.
                await self._store.jobs.end_checks(job.id)
        if tokens or keys or ended:
            await self._store.audit.record(
                Record(
                    at=self._store.now(),
                    team_id=team_id or org or "",
                    actor=BOT,
                    action=Action.UNINSTALLED,
                    details={"why": why, "jobs_ended": ended, "org_wide": org_wide},
                )
            )
        log.info(
            "%s left (%s): %d token(s), %d Tavus key(s) deleted, %d job(s) ended",
            team_id or org,
            why,
            tokens,
            keys,
            ended,
        )
        return ended

    async def _installed_since(self, workspace: Workspace, org_wide: bool, at: datetime) -> bool:
        installed = await self._store.installations.find(
            team_id=None if org_wide else workspace.team_id,
            enterprise_id=workspace.enterprise_id,
            is_enterprise_install=org_wide,
        )
        # Slack's event_time is in whole seconds: an install within that second is not newer.
        return installed is not None and installed.installed_at > at + timedelta(seconds=1)
