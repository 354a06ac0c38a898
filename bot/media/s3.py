"""Media kept in S3-compatible storage: shared by every instance, handed to Tavus presigned."""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aiobotocore.config import AioConfig
from aiobotocore.session import ClientCreatorContext, get_session

from bot.media.local import Stored

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

    from bot.config import Settings

# SigV4 presigned links last seven days at most.
MOST_LINK_LIFE = timedelta(days=7)
# Kept in memory up to this size while it is written, then on disk.
SPOOL = 16 * 1024 * 1024


def s3_client(settings: Settings) -> ClientCreatorContext[S3Client]:
    """The S3 client for MEDIA_S3_BUCKET; credentials as botocore finds them (AWS_… variables)."""
    endpoint = settings.media_s3_endpoint_url
    return get_session().create_client(
        "s3",
        region_name=settings.media_s3_region,
        endpoint_url=str(endpoint) if endpoint is not None else None,
        # SigV4, whatever the endpoint: the only signature every S3 region and clone takes.
        config=AioConfig(signature_version="s3v4"),
    )


class S3Media:
    """A bucket of files; Tavus gets presigned GET links, nothing in the bucket is public."""

    def __init__(self, client: S3Client, *, bucket: str, clock: Callable[[], datetime]) -> None:
        self._client = client
        self._bucket = bucket
        self._clock = clock

    async def put(self, key: str, chunks: AsyncIterator[bytes], *, most: int) -> Stored:
        """Upload the chunks as `key`, counting and hashing them; ValueError past `most` bytes."""
        digest, size = hashlib.sha256(), 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL) as held:
            async for chunk in chunks:
                size += len(chunk)
                if size > most:
                    raise ValueError(f"more than {most} bytes")
                digest.update(chunk)
                held.write(chunk)
            held.seek(0)
            await self._client.put_object(
                Bucket=self._bucket, Key=key, Body=held, ContentType=_content_type(key)
            )
        return Stored(key=key, sha256=digest.hexdigest(), size=size)

    async def link(self, key: str, *, until: datetime) -> str:
        """A presigned GET link to `key` that works until `until` (seven days at most)."""
        life = max(timedelta(seconds=1), min(until - self._clock(), MOST_LINK_LIFE))
        return await self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=math.ceil(life.total_seconds()),
        )

    async def delete(self, key: str) -> None:
        """Delete a file; one already gone is fine (S3 says so too)."""
        await self._client.delete_object(Bucket=self._bucket, Key=key)


def _content_type(key: str) -> str:
    extension = key.rsplit(".", 1)[-1]
    return {
        "mp4": "video/mp4",
        "m4v": "video/mp4",
        "mov": "video/quicktime",
        "webm": "video/webm",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "webp": "image/webp",
    }.get(extension, "application/octet-stream")
