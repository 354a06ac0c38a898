"""Files posted in Slack: what files.info says of one, and its bytes, with the bot's token.

The token goes only to Slack's own hosts, also across redirects, and every address is checked
by the same guard as the form's links.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.media.addresses import Address, GuardedResolver, TooManyRedirects, following
from bot.media.sniff import MOST_BYTES

CHUNK = 1024 * 1024
_SLACK_DOMAINS = ("slack.com", "slack-edge.com", "slack-files.com")


@dataclass(frozen=True, slots=True)
class SlackFile:
    """A file as files.info describes it."""

    id: str
    name: str
    title: str
    mimetype: str
    size: int
    url: str  # url_private_download: needs the bot's token

    @property
    def is_image(self) -> bool:
        """Whether it is an image (else a video)."""
        return self.mimetype.startswith("image/")


class NoAccess(Exception):
    """Slack would not hand the file over; `words` say why and what to do."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


def refusal(file: SlackFile) -> str | None:
    """Why Tavus cannot take a file, known before any download; None if it may."""
    if not file.mimetype.startswith(("video/", "image/")):
        return messages.FILE_NOT_MEDIA.format(name=file.name)
    if file.size > MOST_BYTES:
        return messages.FILE_TOO_LARGE.format(name=file.name, size=file.size // (1024 * 1024))
    return None


def usable(files: list[dict[str, object]]) -> dict[str, object] | None:
    """The first video or image among a message's files, as the event gives them."""
    for file in files:
        if is_media(str(file.get("mimetype", ""))):
            return file
    return None


def is_media(mimetype: str) -> bool:
    """Whether a file of this type can be trained from: a video or an image."""
    return mimetype.startswith(("video/", "image/"))


def is_stub(file: dict[str, object]) -> bool:
    """Whether a message's file is a stub that only files.info fills in.

    In Slack Connect channels a message's files arrive as {"id", "mode": "file_access",
    "file_access": "check_file_info", …}, without a type or a name
    (docs.slack.dev/reference/events/message/file_share).
    """
    return file.get("file_access") == "check_file_info" or not file.get("mimetype")


class SlackFiles:
    """files.info through a request's Web API client; downloads through a guarded session.

    Each workspace's files are read with its own bot token, handed in by the caller.
    """

    def __init__(
        self,
        *,
        api_url: str,
        allowed: Callable[[Address], bool],
        timeout: float = 600.0,
    ) -> None:
        # Slack's hosts, and the one SLACK_API_URL names (a stand-in, in tests).
        self._own_host = urlsplit(api_url).hostname or "slack.com"
        self._allowed = allowed
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def info(self, client: AsyncWebClient, file_id: str) -> SlackFile:
        """What Slack says of a file (Slack Connect files arrive as stubs: this fills them in)."""
        response = await client.files_info(file=file_id)
        file = response.get("file") or {}
        return SlackFile(
            id=str(file.get("id", file_id)),
            name=str(file.get("name") or file_id),
            title=str(file.get("title") or file.get("name") or ""),
            mimetype=str(file.get("mimetype") or ""),
            size=int(file.get("size") or 0),
            url=str(file.get("url_private_download") or file.get("url_private") or ""),
        )

    async def chunks(self, url: str, *, token: str) -> AsyncIterator[bytes]:
        """The file's bytes, a chunk at a time. Raises NoAccess, PrivateAddress, aiohttp errors."""

        def token_for(host: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"} if self._is_slack(host) else {}

        try:
            async with following(self._open(), url, allowed=self._allowed, headers=token_for) as (
                _,
                response,
            ):
                if response.status >= 400:
                    raise NoAccess(messages.FILE_REFUSED.format(status=response.status))
                if response.content_type == "text/html":
                    # Slack answers a missing files:read scope with its sign-in page, status 200.
                    raise NoAccess(messages.FILE_NO_ACCESS)
                async for chunk in response.content.iter_chunked(CHUNK):
                    yield chunk
        except TooManyRedirects:
            raise NoAccess(messages.FILE_REDIRECTS) from None

    async def close(self) -> None:
        """Release the connections."""
        if self._session is not None:
            await self._session.close()

    def _is_slack(self, host: str) -> bool:
        host = host.lower()
        if host == self._own_host:
            return True
        return any(host == domain or host.endswith("." + domain) for domain in _SLACK_DOMAINS)

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(resolver=GuardedResolver(self._allowed))
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        return self._session
