"""Limits on what one person can make the bot do: copies from Slack, consent requests, refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from bot import messages
from bot.config import ConfigError, help_text, load_settings
from bot.governance.audit import Action, Record
from bot.governance.model import Policy
from bot.governance.policy import Governance
from bot.jobs import JobStatus, new_id
from bot.media.fetch import Fetcher
from bot.media.local import LocalMedia, new_key
from bot.media.model import Kept
from bot.media.slack_files import SlackFile
from bot.slack.blocks import form, kit
from bot.store import Store
from bot.store.schema import media
from tests.clocks import FakeClock
from tests.conftest import Bot, Launch
from tests.domain import REQUEST, REQUESTER, World
from tests.flows import ask, ask_for_consent, consent, consent_request_of, delivered, submit
from tests.scenarios.test_slack_files import VIDEO_BYTES, s3, submit_form, use_shortcut
from tests.slack_client import USER_ID
from tests.standins.media import MediaStandIn
from tests.store_helpers import empty_postgres, transition

__all__ = ["s3"]  # the bucket fixture, shared with the other tests of files from Slack

DANA = "U0DANA"
EVE = "U0EVE"
BOB = "U0BOB"
# Room for one copy of VIDEO_BYTES, not two.
ONE_COPY = len(VIDEO_BYTES) + 1000
LIMITS = (
    "MEDIA_QUOTA_BYTES",
    "MEDIA_COPIES_AT_ONCE",
    "CONSENT_WAITING_PER_REQUESTER",
    "CONSENT_WAITING_PER_SUBJECT",
)
ONE_WORKSPACE = {
    "slack_bot_token": "xoxb-test-token",
    "slack_signing_secret": "test-signing-secret",
    "tavus_api_key": "test-tavus-key",
}


async def shortcut_form(bot: Bot, file_id: str) -> dict[str, Any]:
    """The form the shortcut opens on a message with a new video posted in Slack."""
    file = bot.slack.post_file(file_id, f"{file_id}.mp4", "video/mp4", VIDEO_BYTES)
    return await use_shortcut(bot, [file])


async def kept_of(bot: Bot, job_id: str) -> dict[str, Any]:
    """The media row of a job's copy, once the copy is made."""
    async with asyncio.timeout(10):
        while True:
            rows = [row for row in await bot.rows(media) if row["job_id"] == job_id]
            if rows and rows[0]["sha256"]:
                return rows[0]
            await asyncio.sleep(0.05)


def filled_for(subject: str) -> dict[str, Any]:
    """A valid form's fields, asking `subject`."""
    return {
        form.NAME: "Dana",
        form.VIDEO: "https://cdn.example.com/dana.mp4",
        form.CONSENT: True,
        form.USE: "sales demo videos",
        form.SUBJECT: subject,
    }


def asked(bot: Bot, person: str) -> list[dict[str, Any]]:
    """The consent requests sent to `person`'s DM."""
    return [p for p in bot.slack.posts(f"D{person}") if kit.CONSENT_GIVE_ACTION in str(p)]


def test_the_limits_have_sane_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in LIMITS:
        monkeypatch.delenv(name, raising=False)

    settings = load_settings(**ONE_WORKSPACE)

    assert settings.media_quota_bytes == 20_000_000_000
    assert settings.media_copies_at_once == 4
    assert settings.consent_waiting_per_requester == 10
    assert settings.consent_waiting_per_subject == 3


@pytest.mark.parametrize("name", LIMITS)
def test_a_limit_of_none_is_refused_at_start_saying_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(ConfigError) as caught:
        load_settings(**ONE_WORKSPACE, **{name.lower(): 0})

    [problem] = [line for line in str(caught.value).splitlines() if line.startswith("  - ")]
    assert problem.startswith(f"  - {name} is invalid")
    assert problem.endswith(help_text(name.lower()))


async def test_a_full_quota_refuses_the_form_inline_and_copies_nothing(
    launch: Launch, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    bot = await launch(media_dir=folder, media_allow_private_hosts=True, media_quota_bytes=ONE_COPY)
    first = await submit_form(bot, await shortcut_form(bot, "F0FIRST"))
    assert first["response_action"] == "update", first
    [job] = await bot.jobs()
    kept = await kept_of(bot, job["id"])

    answer = await submit_form(bot, await shortcut_form(bot, "F0SECOND"))

    assert answer["errors"] == {
        form.NAME: messages.MEDIA_FULL.format(quota=messages.size_of(ONE_COPY))
    }
    assert "(301.1 KB)" in answer["errors"][form.NAME]
    assert [row["id"] for row in await bot.jobs()] == [job["id"]]
    assert [d["file"] for d in bot.slack.downloads] == ["F0FIRST"]
    assert len(await bot.rows(media)) == 1
    assert [p.name for p in folder.iterdir()] == [kept["key"]]


async def test_a_declined_requests_copy_is_deleted_at_once_and_frees_its_room(
    launch: Launch, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    bot = await launch(media_dir=folder, media_allow_private_hosts=True, media_quota_bytes=ONE_COPY)
    await submit_form(bot, await shortcut_form(bot, "F0FIRST"), **{form.SUBJECT: DANA})
    [job] = await bot.jobs()
    kept = await kept_of(bot, job["id"])
    await consent_request_of(bot, job["id"])

    await consent(bot, job["id"], user=DANA, action=kit.CONSENT_DECLINE_ACTION)

    # Not at the sweeper's next round, a minute away: woken by the decline. The file goes first,
    # then its row is marked deleted (so no file is ever left unrecorded): wait for both.
    async with asyncio.timeout(5):
        while (folder / kept["key"]).exists() or (await kept_of(bot, job["id"]))[
            "deleted_at"
        ] is None:
            await asyncio.sleep(0.05)
    answer = await submit_form(bot, await shortcut_form(bot, "F0SECOND"))
    assert answer["response_action"] == "update", answer


async def test_copies_from_slack_wait_their_turn(
    launch: Launch, tmp_path: Path, media: MediaStandIn
) -> None:
    bot = await launch(
        media_dir=tmp_path / "media", media_allow_private_hosts=True, media_copies_at_once=1
    )
    # Slack hands each download to a slow CDN: the first copy takes a second.
    for file_id in ("F0FIRST", "F0SECOND"):
        slow = media.put(f"cdn/{file_id}.mp4", VIDEO_BYTES, "video/mp4", delay=1.0)
        bot.slack.download_redirects[file_id] = slow.replace("127.0.0.1", "localhost")
    views = [await shortcut_form(bot, "F0FIRST"), await shortcut_form(bot, "F0SECOND")]

    for view in views:
        await submit_form(bot, view)

    await media.wait_until(lambda: len(media.requests) == 2, within=10)
    # The second copy began only once the first was kept, and its consent asked.
    first, second = await bot.jobs()
    assert first["status"] == "awaiting_consent"
    assert second["status"] == "fetching"
    await kept_of(bot, second["id"])


async def test_with_a_bucket_the_quota_counts_the_copies_in_it(
    launch: Launch, s3: tuple[str, Any]
) -> None:
    endpoint, client = s3
    # A bucket of its own: moto keeps every bucket in the process for later tests to see.
    client.create_bucket(Bucket="replica-quota")
    bot = await launch(
        media_s3_bucket="replica-quota",
        media_s3_endpoint_url=endpoint,
        media_s3_region="us-east-1",
        media_allow_private_hosts=True,
        media_quota_bytes=ONE_COPY,
    )
    await submit_form(bot, await shortcut_form(bot, "F0FIRST"))
    [job] = await bot.jobs()
    await kept_of(bot, job["id"])

    answer = await submit_form(bot, await shortcut_form(bot, "F0SECOND"))

    assert answer["errors"] == {
        form.NAME: messages.MEDIA_FULL.format(quota=messages.size_of(ONE_COPY))
    }
    assert client.list_objects_v2(Bucket="replica-quota")["KeyCount"] == 1
    assert len(await bot.jobs()) == 1


async def test_a_quota_filled_since_the_form_was_accepted_ends_the_job_saying_why(
    world: World, tmp_path: Path
) -> None:
    fetcher = Fetcher(
        store=world.store,
        lifecycle=world.lifecycle,
        media=LocalMedia(tmp_path, base_url="https://bot.example.com", secret=b"k" * 32),
        # Nothing may be downloaded: a copy that does not fit is never begun.
        files=cast(Any, None),
        accounts=world.accounts,
        ttl=timedelta(hours=72),
        consent_timeout=timedelta(hours=72),
        quota=1000,
    )
    from_slack = replace(REQUEST, slack_file="F0VIDEO", slack_file_name="dana.mp4")
    earlier = await world.intake.accept(REQUESTER, from_slack)
    until = world.clock() + timedelta(hours=72)
    await world.store.media.add(Kept(new_key("mp4"), earlier.id, "ab", 900, until))
    job = await world.intake.accept(REQUESTER, from_slack)
    file = SlackFile("F0VIDEO", "dana.mp4", "dana", "video/mp4", 200, "https://files.slack.com/d")

    moved = await fetcher.fetch(job, file)

    assert moved is not None
    assert moved.status is JobStatus.REJECTED
    assert moved.error_message == messages.MEDIA_FULL.format(quota="1 KB")
    assert await world.store.media.of_job(job.id) == []
    assert "result" in await world.owed(job.id)  # told in the card's thread


async def test_one_request_too_many_from_a_requester_is_refused_inline_and_nobody_is_asked(
    launch: Launch,
) -> None:
    bot = await launch(consent_waiting_per_requester=2)
    first = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await ask_for_consent(bot, **{form.SUBJECT: EVE})

    status, answer = await submit(bot, **filled_for(BOB))

    assert status == 200
    assert answer["errors"] == {form.NAME: messages.ERROR_TOO_MANY_WAITING.format(count=2)}
    assert len(await bot.jobs()) == 2
    await delivered(bot)
    assert (len(asked(bot, DANA)), len(asked(bot, EVE)), asked(bot, BOB)) == (1, 1, [])
    # Once one is answered, there is room again.
    await consent(bot, first["id"], user=DANA, action=kit.CONSENT_DECLINE_ACTION)
    await ask_for_consent(bot, **{form.SUBJECT: BOB})


async def test_one_request_too_many_for_the_person_shown_is_refused_inline_from_anyone(
    launch: Launch,
) -> None:
    bot = await launch(consent_waiting_per_subject=1)
    await ask_for_consent(bot, **{form.SUBJECT: DANA})

    status, answer = await submit(bot, user=EVE, **filled_for(DANA))

    assert status == 200
    assert answer["errors"] == {form.SUBJECT: messages.ERROR_SUBJECT_BUSY.format(count=1)}
    assert len(await bot.jobs()) == 1
    await delivered(bot)
    assert len(asked(bot, DANA)) == 1
    # Someone else may still be asked.
    await ask_for_consent(bot, user=EVE, **{form.SUBJECT: BOB})


async def test_refused_exports_within_ten_minutes_are_recorded_and_posted_once(
    launch: Launch,
) -> None:
    bot = await launch(audit_channel="C0AUDIT")

    for _ in range(20):
        answer = await ask(bot, "audit")
        assert answer["text"] == messages.AUDIT_ADMINS_ONLY

    [refused] = await bot.audit()
    assert (refused["action"], refused["actor"]) == ("refused", USER_ID)
    await bot.slack.wait_until(lambda: len(bot.slack.posts("C0AUDIT")) >= 1, within=15)
    await delivered(bot)
    assert len(bot.slack.posts("C0AUDIT")) == 1


async def test_a_refusal_is_recorded_again_after_ten_minutes_or_when_it_differs(
    world: World,
) -> None:
    governance = Governance(store=world.store, defaults=Policy())

    for _ in range(3):
        await governance.refused(team_id="T1", user_id="U1", what="audit", why="not an admin")
    world.clock.advance(minutes=9, seconds=59)
    await governance.refused(team_id="T1", user_id="U1", what="audit", why="not an admin")
    world.clock.advance(seconds=1)
    await governance.refused(team_id="T1", user_id="U1", what="audit", why="not an admin")
    await governance.refused(team_id="T1", user_id="U1", what="policy", why="not an admin")
    await governance.refused(team_id="T1", user_id="U2", what="audit", why="not an admin")
    await governance.refused(team_id="T2", user_id="U1", what="audit", why="not an admin")

    records = await world.store.audit.since()
    assert all(record.action is Action.REFUSED for record in records)
    assert [(r.team_id, r.actor, r.details["what"]) for r in records] == [
        ("T1", "U1", "audit"),
        ("T1", "U1", "audit"),
        ("T1", "U1", "policy"),
        ("T1", "U2", "audit"),
        ("T2", "U1", "audit"),
    ]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Store]:
    """An empty store on each backend (tests/postgres.py says which PostgreSQL server)."""
    url = database_url.replace("sqlite://", "sqlite+aiosqlite://", 1)
    if request.param == "postgresql":
        found: str = request.getfixturevalue("postgres_server")
        await empty_postgres(found)
        url = found
    opened = await Store.open(url, clock=FakeClock())
    yield opened
    await opened.close()


async def job_of(
    store: Store, *, team: str = "T1", user: str = "U1", subject: str | None = None
) -> str:
    """A job saved from a file from Slack (so: copying it), by `user` of `subject`."""
    job = await store.jobs.add(
        job_id=new_id(),
        requester=replace(REQUESTER, team_id=team, user_id=user),
        request=replace(REQUEST, slack_file="F0VIDEO", subject_id=subject),
    )
    return job.id


async def test_reserved_copies_count_against_their_workspaces_quota_until_swept(
    store: Store,
) -> None:
    until = store.now() + timedelta(days=3)
    mine, theirs = await job_of(store), await job_of(store, team="T2")
    first = Kept(new_key("mp4"), mine, "", 600, until)
    second = Kept(new_key("mp4"), mine, "", 500, until)
    elsewhere = Kept(new_key("mp4"), theirs, "", 500, until)

    assert await store.media.reserve(first, team_id="T1", quota=1000)
    assert not await store.media.reserve(second, team_id="T1", quota=1000)
    assert await store.media.reserve(elsewhere, team_id="T2", quota=1000)
    assert await store.media.stored(first.key, sha256="ab", size=400, until=until)
    assert await store.media.in_use("T1") == 400
    assert await store.media.reserve(second, team_id="T1", quota=1000)
    await store.media.swept(first.key)

    assert await store.media.in_use("T1") == 500
    # A copy finished after its reservation was swept (its job ended) is not kept.
    assert not await store.media.stored(first.key, sha256="ab", size=400, until=until)


async def test_copies_reserved_at_once_never_overshoot_the_quota(store: Store) -> None:
    until = store.now() + timedelta(days=3)
    jobs = [await job_of(store) for _ in range(10)]

    fits = await asyncio.gather(
        *(
            store.media.reserve(Kept(new_key("mp4"), job, "", 100, until), team_id="T1", quota=500)
            for job in jobs
        )
    )

    assert sorted(fits) == [False] * 5 + [True] * 5
    assert await store.media.in_use("T1") == 500


async def test_the_same_refusal_at_once_is_recorded_once(store: Store) -> None:
    refusal = Record(
        at=store.now(),
        team_id="T1",
        actor="U1",
        action=Action.REFUSED,
        details={"what": "audit", "why": "not an admin"},
    )
    since = store.now() - timedelta(minutes=10)

    written = await asyncio.gather(
        *(store.audit.record_new(refusal, since=since) for _ in range(10))
    )

    assert sorted(written) == [False] * 9 + [True]
    assert len(await store.audit.since()) == 1


async def test_requests_waiting_are_counted_by_requester_and_by_person_shown(
    store: Store,
) -> None:
    await job_of(store, user="U1", subject="U0DANA")
    await job_of(store, user="U1", subject="U0EVE")
    await job_of(store, user="U2", subject="U0DANA")
    await job_of(store, team="T2", user="U1", subject="U0DANA")
    answered = await job_of(store, user="U1", subject="U0DANA")
    await transition(store, answered, from_=[JobStatus.FETCHING], to=JobStatus.DECLINED)

    assert await store.jobs.waiting(team_id="T1", user_id="U1") == 2
    assert await store.jobs.waiting(team_id="T1", subject_id="U0DANA") == 2
    assert await store.jobs.waiting(team_id="T2", subject_id="U0DANA") == 1
