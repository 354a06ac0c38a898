"""A workspace leaves (uninstalled, tokens revoked): its secrets go, its jobs end, the log stays.

Safe to hear twice, from any instance: what is gone stays gone, a job ends once (a
compare-and-set), and the audit log records the departure only when it changed something.
"""

from __future__ import annotations

import logging

from bot import jobs as life
from bot.accounts import Workspace
from bot.audit import BOT, Action, Record
from bot.lifecycle import Lifecycle
from bot.store import Store

log = logging.getLogger(__name__)


class Departures:
    """Forgets a workspace (or a Grid org) the app has left, but for its audit log."""

    def __init__(self, *, store: Store, lifecycle: Lifecycle) -> None:
        self._store = store
        self._lifecycle = lifecycle

    async def left(self, workspace: Workspace, *, org_wide: bool, why: str) -> int:
        """The app has left `workspace` (every workspace of its org, if `org_wide`).

        Its bot token and Tavus key are deleted, and its unfinished jobs ended: nothing can be
        posted there any more, and no token of another workspace may be used instead. Returns
        how many jobs were ended.
        """
        team_id = None if org_wide else workspace.team_id
        org = workspace.enterprise_id
        tokens = await self._store.installations.delete(team_id=team_id, enterprise_id=org)
        keys = await self._store.tavus_accounts.delete(team_id=team_id, enterprise_id=org)
        await self._store.connect_links.forget(team_id=team_id, enterprise_id=org)
        ended = 0
        for job in await self._store.jobs.of_workspace_open(team_id=team_id, enterprise_id=org):
            if not job.status.is_final:
                moved = await self._lifecycle.move(job.id, life.END, next_check_at=None)
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
