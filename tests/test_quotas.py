"""Limits on what one person can make the bot do: refusals on record."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot import messages
from bot.audit import Action, Record
from bot.governance import Governance, Policy
from bot.store import Store
from tests.clocks import FakeClock
from tests.conftest import Launch
from tests.domain import World
from tests.flows import ask, delivered
from tests.slack_client import USER_ID
from tests.store_helpers import empty_postgres


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
