"""Media the bot keeps: served behind signed links (GET, HEAD, Range), and swept when done."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from cryptography.fernet import Fernet

from bot import signing
from bot.media.fetch import Fetcher
from bot.media.local import LocalMedia, Stored, new_key
from bot.media.model import Kept
from bot.store import Store
from bot.store.schema import keys
from bot.workspaces.vault import SigningKeys, Unreadable, Vault
from tests.clocks import FakeClock
from tests.conftest import Bot, Launch
from tests.domain import REQUEST, REQUESTER
from tests.flows import delivered, start_training


async def chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


async def kept_by(
    bot: Bot, data: bytes, *, ttl: timedelta = timedelta(days=3)
) -> tuple[str, Stored]:
    """A file stored as the bot stores it (same folder, same key); its link and record."""
    store = await Store.open(bot.settings.sqlalchemy_url)
    try:
        secret = await media_secret(store)
        media = LocalMedia(bot.settings.media_dir, base_url=bot.url, secret=secret)
        stored = await media.put(new_key("mp4"), chunks(data), most=10_000_000)
        return await media.link(stored.key, until=store.now() + ttl), stored
    finally:
        await store.close()


async def media_secret(store: Store) -> bytes:
    """The key the bot signs media links with."""
    return await SigningKeys(store.keys, None).get("media")


def signed(query: str) -> tuple[str, str]:
    """A link's expires and sig."""
    found = dict(part.split("=") for part in query.split("&"))
    return found["expires"], found["sig"]


@pytest.fixture
async def bot(launch: Launch, tmp_path: Path) -> Bot:
    return await launch(media_dir=tmp_path / "media")


DATA = bytes(range(256)) * 40
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
LATER = datetime(2100, 1, 1, tzinfo=UTC)  # beyond the bot's own clock, which is real


async def test_a_kept_file_is_served_whole_in_parts_and_to_head(bot: Bot) -> None:
    link, stored = await kept_by(bot, DATA)

    async with aiohttp.ClientSession() as session:
        async with session.get(link) as whole:
            assert whole.status == 200
            assert whole.headers["Content-Type"] == "video/mp4"
            assert await whole.read() == DATA
        async with session.get(link, headers={"Range": "bytes=100-199"}) as part:
            assert part.status == 206
            assert part.headers["Content-Range"] == f"bytes 100-199/{len(DATA)}"
            assert await part.read() == DATA[100:200]
        async with session.head(link) as head:
            assert head.status == 200
            assert int(head.headers["Content-Length"]) == len(DATA)
            assert await head.read() == b""
    assert stored.size == len(DATA)


async def test_a_tampered_or_expired_link_is_refused_and_a_deleted_file_is_gone(
    bot: Bot,
) -> None:
    link, stored = await kept_by(bot, DATA)
    expired, _ = await kept_by(bot, DATA, ttl=timedelta(seconds=-1))
    other = link.replace(stored.key, new_key("mp4"))
    signed_for_another = link.replace("sig=", "sig=0")

    async with aiohttp.ClientSession() as session:
        for bad in (expired, other, signed_for_another, link.split("?")[0]):
            async with session.get(bad) as answer:
                assert answer.status == 403, bad
        async with session.get(f"{bot.url}/media/..%2Freplica-bot.db?{link.split('?')[1]}") as up:
            assert up.status in (403, 404)
        (bot.settings.media_dir / stored.key).unlink()
        async with session.get(link) as gone:
            assert gone.status == 404


async def test_a_key_made_before_secrets_keys_is_sealed_in_place_and_its_links_still_work(
    launch: Launch, tmp_path: Path
) -> None:
    bot = await launch(media_dir=tmp_path / "media")  # no SECRETS_KEYS: kept as it is
    link, _ = await kept_by(bot, DATA)
    # (The Tavus key fingerprints' secret is kept beside it, and sealed the same way.)
    [(name, plain)] = [
        (r["name"], r["value"]) for r in await bot.rows(keys) if r["name"] == "media"
    ]
    await bot.stop()
    vault_key = Fernet.generate_key().decode()

    sealed = await launch(media_dir=tmp_path / "media", secrets_keys=(vault_key,))

    async with aiohttp.ClientSession() as session, session.get(link) as answer:
        assert answer.status == 200
    [row] = [r for r in await sealed.rows(keys) if r["name"] == "media"]
    assert (row["name"], Vault([vault_key]).open(row["value"])) == (name, plain)
    # A dump holds it no longer (the file's free space may, until VACUUM: see the README).
    assert plain not in await dump(sealed)
    # Sealed, it opens only with the vault: without it, no key (and no start) rather than
    # links signed with a key made anew.
    store = await Store.open(sealed.settings.sqlalchemy_url)
    try:
        with pytest.raises(Unreadable, match="media signing key is sealed"):
            await SigningKeys(store.keys, None).get("media")
        assert await SigningKeys(store.keys, Vault([vault_key])).get("media") == bytes.fromhex(
            plain
        )
    finally:
        await store.close()


async def dump(bot: Bot) -> str:
    """The bot's database as `sqlite3 bot.db .dump` writes it out."""
    path = bot.settings.database_url.removeprefix("sqlite:///")

    def dumped() -> str:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            return "\n".join(connection.iterdump())

    return await asyncio.to_thread(dumped)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    "spoil",
    [
        lambda _: "²",  # a digit to str.isdigit, not to int()
        lambda real: real.translate(ARABIC_INDIC),  # digits int() reads: the same expiry
        lambda real: "0" * 5000 + real,  # past int()'s 4,300 digits
        lambda _: "9" * 13,  # ASCII, but longer than any expiry the bot writes
        lambda real: f"-{real}",
        lambda _: "",
        lambda real: f" {real}",
        lambda real: f"{real}\n",
    ],
    ids=[
        "superscript",
        "arabic-indic",
        "5000-digits",
        "13-digits",
        "negative",
        "empty",
        "space",
        "newline",
    ],
)
async def test_a_malformed_expiry_is_refused_with_403_never_an_error(
    bot: Bot, spoil: Callable[[str], str]
) -> None:
    link, stored = await kept_by(bot, DATA)
    expires, sig = signed(link.split("?")[1])

    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{bot.url}/media/{stored.key}", params={"expires": spoil(expires), "sig": sig}
        ) as answer,
    ):
        assert answer.status == 403


@pytest.mark.parametrize("sig", ["é", "0" * 63 + "é", "", "🙂" * 64])
async def test_a_malformed_signature_is_refused_with_403_never_an_error(bot: Bot, sig: str) -> None:
    link, stored = await kept_by(bot, DATA)
    expires, _ = signed(link.split("?")[1])

    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{bot.url}/media/{stored.key}", params={"expires": expires, "sig": sig}
        ) as answer,
    ):
        assert answer.status == 403


async def test_a_key_with_a_trailing_newline_is_not_a_key(bot: Bot) -> None:
    link, stored = await kept_by(bot, DATA)
    store = await Store.open(bot.settings.sqlalchemy_url)
    try:
        secret = await media_secret(store)
    finally:
        await store.close()
    # Signed for the key and its newline: only the key's shape can refuse it.
    query = signing.query(secret, f"{stored.key}\n", LATER)

    assert not signing.valid(secret, f"{stored.key}\n", *signed(query), now=NOW)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot.url}/media/{stored.key}%0A?{query}") as answer:
            assert answer.status == 403
        async with session.get(link) as answer:
            assert answer.status == 200


def test_a_signature_holds_only_for_its_key_and_until_its_time() -> None:
    secret, key = b"k" * 32, "0" * 32 + ".mp4"
    query = dict(part.split("=") for part in signing.query(secret, key, NOW).split("&"))

    assert signing.valid(secret, key, query["expires"], query["sig"], now=NOW - timedelta(1))
    assert not signing.valid(secret, key, query["expires"], query["sig"], now=NOW + timedelta(1))
    assert not signing.valid(b"x" * 32, key, query["expires"], query["sig"], now=NOW)
    assert not signing.valid(secret, "1" * 32 + ".mp4", query["expires"], query["sig"], now=NOW)


async def test_files_are_swept_once_training_ends_or_their_time_is_up_across_a_restart(
    launch: Launch, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    bot = await launch(media_dir=folder)
    await start_training(bot)
    [job] = await bot.jobs()
    _, for_the_job = await kept_by(bot, DATA)
    _, too_old = await kept_by(bot, DATA)
    _, still_needed = await kept_by(bot, DATA)
    store = await Store.open(bot.settings.sqlalchemy_url)
    now = store.now()
    await store.media.add(Kept(for_the_job.key, job["id"], "", 1, now + timedelta(days=3)))
    await store.media.add(Kept(too_old.key, None, "", 1, now - timedelta(seconds=1)))
    await store.media.add(Kept(still_needed.key, None, "", 1, now + timedelta(days=3)))
    await store.close()
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))
    await delivered(bot)
    await bot.stop()
    # The first sweep ran when the bot started, before any of this: nothing is gone yet.
    assert (folder / for_the_job.key).exists()

    await launch(media_dir=folder)  # sweeps as it starts

    async with asyncio.timeout(10):
        while (folder / for_the_job.key).exists() or (folder / too_old.key).exists():
            await asyncio.sleep(0.05)
    assert (folder / still_needed.key).exists()


async def test_the_link_tavus_gets_is_renewed_at_the_create_and_the_file_kept_as_long(
    tmp_path: Path,
) -> None:
    clock = FakeClock(NOW)
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock)
    try:
        media = LocalMedia(tmp_path / "media", base_url="https://bot.example.com", secret=b"k" * 32)
        fetcher = Fetcher(
            store=store,
            lifecycle=cast(Any, None),
            media=media,
            files=cast(Any, None),
            accounts=cast(Any, None),
            ttl=timedelta(hours=72),
            consent_timeout=timedelta(hours=72),
        )
        job = await store.jobs.add(
            job_id="j1",
            requester=REQUESTER,
            request=replace(REQUEST, slack_file="F0VIDEO", slack_file_name="dana.mp4"),
        )
        stored = await media.put(new_key("mp4"), chunks(DATA), most=10_000_000)
        await store.media.add(
            Kept(stored.key, "j1", stored.sha256, stored.size, NOW + timedelta(hours=72))
        )
        # The person shown consents two and a half days later.
        clock.advance(hours=60)

        request = await fetcher.fresh_links(job)

        assert request.train_video_url is not None
        expires = int(request.train_video_url.split("expires=")[1].split("&")[0])
        assert expires == int((NOW + timedelta(hours=132)).timestamp())
        [kept] = await store.media.of_job("j1")
        assert kept.delete_after == NOW + timedelta(hours=132)
    finally:
        await store.close()
