"""Limits on what one person can make the bot do: copies from Slack, consent requests, refusals."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.audit import Action, Record
from bot.config import HELP, ConfigError, load_settings
from bot.governance import Governance, Policy
from bot.jobs import JobStatus, new_id
from bot.slack import form, kit
from bot.store import Store
from bot.store.schema import media
from tests.clocks import FakeClock
from tests.conftest import Bot, Launch
from tests.domain import REQUEST, REQUESTER, World
from tests.flows import ask, ask_for_consent, consent, consent_request_of, delivered, submit
from tests.slack_client import USER_ID
from tests.store_helpers import empty_postgres, transition
from tests.test_slack_files import VIDEO_BYTES, submit_form, use_shortcut

DANA = "U0DANA"
EVE = "U0EVE"
BOB = "U0BOB"
LIMITS = (
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
    view = await use_shortcut(bot, [file])
    assert view is not None
    return view


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
    assert problem.endswith(HELP[name.lower()])


async def test_a_declined_requests_copy_is_deleted_at_once(launch: Launch, tmp_path: Path) -> None:
    folder = tmp_path / "media"
    bot = await launch(media_dir=folder, media_allow_private_hosts=True)
    await submit_form(bot, await shortcut_form(bot, "F0FIRST"), **{form.SUBJECT: DANA})
    [job] = await bot.jobs()
    kept = await kept_of(bot, job["id"])
    await consent_request_of(bot, job["id"])

    await consent(bot, job["id"], user=DANA, action=kit.CONSENT_DECLINE_ACTION)

    # Not at the sweeper's next round, a minute away: woken by the decline.
    async with asyncio.timeout(5):
        while (folder / kept["key"]).exists():
            await asyncio.sleep(0.05)


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
    """An empty store on each backend (PostgreSQL where TEST_POSTGRES_URL names a server)."""
    url = database_url.replace("sqlite://", "sqlite+aiosqlite://", 1)
    if request.param == "postgresql":
        found = os.environ.get("TEST_POSTGRES_URL")
        if not found:
            pytest.skip("PostgreSQL contract tests need a server: no TEST_POSTGRES_URL is set")
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
