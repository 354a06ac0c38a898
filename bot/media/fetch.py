"""Copying a file posted in Slack to where Tavus can download it; then its check, or consent.

Copies are made before consent is asked: the receipt records the SHA-256 of the very bytes
Tavus gets. So each workspace's copies are held to a quota, and each instance makes a few at
a time.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from dataclasses import replace
from datetime import timedelta

import aiohttp

from bot import messages
from bot.jobs import UNSET, Job, JobChanges, ReplicaRequest
from bot.jobs import moves as life
from bot.jobs.lifecycle import Lifecycle
from bot.media.addresses import PrivateAddress
from bot.media.local import MediaStore, new_key
from bot.media.model import Kept
from bot.media.slack_files import NoAccess, SlackFile, SlackFiles
from bot.media.sniff import MOST_BYTES
from bot.store import Store
from bot.workspaces.accounts import Accounts, Gone, workspace_of

log = logging.getLogger(__name__)

_EXTENSIONS = {"video/quicktime": "mov", "image/jpeg": "jpg"}
# MEDIA_QUOTA_BYTES and MEDIA_COPIES_AT_ONCE, unless the settings say otherwise.
QUOTA = 20_000_000_000
AT_ONCE = 4


class Fetcher:
    """Streams a Slack file into the bot's media, gives the job its link, asks for consent."""

    def __init__(
        self,
        *,
        store: Store,
        lifecycle: Lifecycle,
        media: MediaStore,
        files: SlackFiles,
        accounts: Accounts,
        ttl: timedelta,
        consent_timeout: timedelta,
        quota: int = QUOTA,
        at_once: int = AT_ONCE,
        media_check: timedelta | None = None,
    ) -> None:
        self._store = store
        self._lifecycle = lifecycle
        self._media = media
        self._files = files
        self._accounts = accounts
        self._ttl = ttl
        self._consent_timeout = consent_timeout
        # With the media check on, the kept file is looked into (this long at most) first.
        self._media_check = media_check
        self._quota = quota
        # Per instance: each copy in flight may take 750 MB of local disk (S3's spool too).
        self._copies = asyncio.Semaphore(at_once)

    async def room(self, team_id: str, file: SlackFile) -> str | None:
        """Why a copy of `file` would not fit in the workspace's quota now; None if it would."""
        if await self._store.media.in_use(team_id) + _counted(file) <= self._quota:
            return None
        return messages.MEDIA_FULL.format(quota=messages.size_of(self._quota))

    async def fetch(self, job: Job, file: SlackFile) -> Job | None:
        """Copy `file` for `job`; the job moved on (or ended, told why), or None if it had."""
        key = new_key(_extension(file))
        # Counted before the copy is made, so copies made at once cannot overshoot the quota.
        held = Kept(key, job.id, "", _counted(file), self._store.now() + self._ttl)
        if not await self._store.media.reserve(
            held, team_id=job.requester.team_id, quota=self._quota
        ):
            # Filled since the form was accepted: told in the card's thread; nothing else changes.
            return await self._lose(
                job, messages.MEDIA_FULL.format(quota=messages.size_of(self._quota))
            )
        async with self._copies:
            return await self._copy(job, file, key)

    async def _copy(self, job: Job, file: SlackFile, key: str) -> Job | None:
        try:
            # The token of the job's own workspace: the file is theirs.
            token = await self._accounts.bot_token(workspace_of(job))
            chunks = self._files.chunks(file.url, token=token)
            stored = await self._media.put(key, chunks, most=MOST_BYTES)
        except Gone as gone:
            log.warning("job %s: ended unfetched: %s", job.id, gone)
            return await self._lifecycle.move(job.id, life.END, JobChanges(next_check_at=None))
        except NoAccess as refused:
            return await self._lose(job, refused.words)
        except PrivateAddress:
            return await self._lose(job, messages.LINK_PRIVATE)
        except (aiohttp.ClientError, OSError, ValueError, TimeoutError) as exc:
            log.warning("job %s: could not copy %s: %s", job.id, file.id, exc)
            return await self._lose(job, messages.FILE_LOST.format(error=type(exc).__name__))
        now = self._store.now()
        until = now + self._ttl
        if not await self._store.media.stored(
            key, sha256=stored.sha256, size=stored.size, until=until
        ):
            # Its job ended as it was copied, and the sweeper has been: nobody else deletes it.
            await self._media.delete(key)
            return None
        link = await self._media.link(key, until=until)
        checking = self._media_check is not None
        moved = await self._lifecycle.move(
            job.id,
            life.CHECK_FETCHED if checking else life.FETCHED,
            JobChanges(
                next_check_at=now + (self._media_check or self._consent_timeout),
                train_image_url=link if file.is_image else UNSET,
                train_video_url=UNSET if file.is_image else link,
            ),
        )
        log.info("job %s: %s copied from Slack (%d bytes)", job.id, file.id, stored.size)
        return moved

    async def fresh_links(self, job: Job) -> ReplicaRequest:
        """The job's request with a link to its kept file valid for MEDIA_TTL from now.

        Called as the create goes to Tavus, which needs the link for 24 hours after it: the
        person shown may have taken days to consent. The file is kept as long as the link.
        """
        kept = await self._store.media.of_job(job.id)
        if not kept:
            return job.request
        until = self._store.now() + self._ttl
        await self._store.media.keep_until(kept[0].key, until)
        link = await self._media.link(kept[0].key, until=until)
        if job.request.train_image_url:
            return replace(job.request, train_image_url=link)
        return replace(job.request, train_video_url=link)

    async def _lose(self, job: Job, words: str) -> Job | None:
        log.info("job %s: file not copied: %s", job.id, words)
        return await self._lifecycle.move(
            job.id, life.LOSE_FILE, JobChanges(error_message=words, next_check_at=None)
        )


def _counted(file: SlackFile) -> int:
    """What a copy of `file` counts against the quota: its size, or the most a file may be."""
    return file.size if file.size > 0 else MOST_BYTES


def _extension(file: SlackFile) -> str:
    """The kept file's extension, from its type (which the media route serves it as)."""
    if file.mimetype in _EXTENSIONS:
        return _EXTENSIONS[file.mimetype]
    guessed = (mimetypes.guess_extension(file.mimetype) or "").lstrip(".")
    return (
        guessed
        if guessed in ("mp4", "m4v", "webm", "png", "jpeg", "webp")
        else ("png" if file.is_image else "mp4")
    )
