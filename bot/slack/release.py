"""/replica release: an admin lets a job held by the face match go on, with a reason."""

from __future__ import annotations

from bot import messages
from bot.governance.rules import is_admin
from bot.jobs import Job, JobStatus
from bot.slack.blocks import kit, screens
from bot.slack.blocks.kit import Message
from bot.slack.command_text import Release
from bot.slack.deps import Deps


async def release(parsed: Release, *, team_id: str, user_id: str, deps: Deps) -> Message:
    """Release the held job `parsed` names, for an admin; anyone else is refused, on record."""
    if deps.face_matches is None:
        return kit.text(messages.RELEASE_UNAVAILABLE)
    if not await is_admin(deps.people, user_id):
        await deps.governance.refused(
            team_id=team_id, user_id=user_id, what="release", why="not an admin"
        )
        return kit.text(messages.RELEASE_NOT_ADMIN)
    job = await _held(parsed.query, team_id, deps)
    if job is None:
        return screens.not_found(parsed.query)
    name = kit.escape(job.request.replica_name)
    if job.status is not JobStatus.HELD:
        return kit.text(messages.RELEASE_NOT_HELD.format(name=name))
    moved = await deps.face_matches.release(job, by=user_id, reason=parsed.reason)
    if moved is None:  # withdrawn, deleted or released by someone else meanwhile
        return kit.text(messages.RELEASE_NOT_HELD.format(name=name))
    return kit.text(messages.RELEASE_DONE.format(name=name))


async def _held(query: str, team_id: str, deps: Deps) -> Job | None:
    """The workspace's job with this id (as the held note gives it), or else this name."""
    job = await deps.replicas.get(query)
    if job is not None and job.requester.team_id == team_id:
        return job
    return await deps.replicas.find(team_id=team_id, query=query)
