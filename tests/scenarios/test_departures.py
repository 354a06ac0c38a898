"""A workspace leaving, on a real store: out-of-date events, org-wide departures, who is spared."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.jobs import Job, JobStatus
from bot.workspaces.accounts import Workspace
from bot.workspaces.departures import Departures
from bot.workspaces.installations import Connected, Installed
from tests.domain import REQUEST, REQUESTER, World


def installed(world: World, team: str | None, org: str | None = None) -> Installed:
    return Installed(
        team_id=team,
        enterprise_id=org,
        is_enterprise_install=team is None,
        bot_id="B1",
        bot_user_id="U0BOT",
        bot_scopes="commands,chat:write",
        bot_token_sealed=f"sealed-token-of-{team or org}",
        installer_id="U0INSTALLER",
        installed_at=world.clock.now,
    )


def connected(world: World, team: str, org: str | None = None) -> Connected:
    return Connected(
        team_id=team,
        key_sealed=f"sealed-key-of-{team}",
        last4="ab12",
        saved_by="U0ADMIN",
        saved_at=world.clock.now,
        enterprise_id=org,
    )


async def waiting(world: World, team: str, org: str | None = None) -> Job:
    """A job saved in `team` (of Grid org `org`), waiting for its consent."""
    requester = replace(REQUESTER, team_id=team, enterprise_id=org)
    return await world.intake.accept(requester, replace(REQUEST, subject_id="U0DANA"))


async def test_an_event_older_than_a_reinstall_changes_nothing(world: World) -> None:
    departures = Departures(store=world.store, lifecycle=world.lifecycle)
    await world.store.installations.save(installed(world, "T1"))
    job = await waiting(world, "T1")
    uninstalled_at = world.clock.now
    world.clock.advance(minutes=5)
    await world.store.installations.save(installed(world, "T1"))  # installed again since
    await world.store.tavus_accounts.save(connected(world, "T1"))

    ended = await departures.left(
        Workspace("T1"), org_wide=False, why="uninstalled", at=uninstalled_at
    )

    assert ended == 0
    assert await world.store.installations.find(team_id="T1", enterprise_id=None) is not None
    assert await world.store.tavus_accounts.find("T1") is not None
    assert (await world.job(job.id)).status is JobStatus.AWAITING_CONSENT
    assert [r.action.value for r in await world.store.audit.since(uninstalled_at)] == ["requested"]


async def test_an_event_after_the_install_ends_the_workspace_once(world: World) -> None:
    departures = Departures(store=world.store, lifecycle=world.lifecycle)
    await world.store.installations.save(installed(world, "T1"))
    job = await waiting(world, "T1")
    world.clock.advance(minutes=5)
    at = world.clock.now

    first = await departures.left(Workspace("T1"), org_wide=False, why="uninstalled", at=at)
    again = await departures.left(Workspace("T1"), org_wide=False, why="uninstalled", at=at)

    assert (first, again) == (1, 0)
    assert (await world.job(job.id)).status is JobStatus.ENDED
    actions = [r.action.value for r in await world.store.audit.since(at - timedelta(hours=1))]
    assert actions.count("uninstalled") == 1


async def test_an_org_wide_departure_spares_workspaces_with_an_install_of_their_own(
    world: World,
) -> None:
    departures = Departures(store=world.store, lifecycle=world.lifecycle)
    await world.store.installations.save(installed(world, None, org="E1"))
    await world.store.installations.save(installed(world, "T9", org="E1"))
    for team in ("T1", "T9"):
        await world.store.tavus_accounts.save(connected(world, team, org="E1"))
    of_org, own = await waiting(world, "T1", "E1"), await waiting(world, "T9", "E1")
    elsewhere = await waiting(world, "T5")

    ended = await departures.left(Workspace("", "E1"), org_wide=True, why="uninstalled")

    assert ended == 1
    assert (await world.job(of_org.id)).status is JobStatus.ENDED
    assert (await world.job(own.id)).status is JobStatus.AWAITING_CONSENT
    assert (await world.job(elsewhere.id)).status is JobStatus.AWAITING_CONSENT
    assert await world.store.tavus_accounts.find("T1") is None
    assert await world.store.tavus_accounts.find("T9") is not None
    assert await world.store.installations.find(team_id="T1", enterprise_id="E1") is None
    assert await world.store.installations.find(team_id="T9", enterprise_id="E1") is not None
