"""FaceMatches on a real store, with a hand-written engine: what each outcome does, by policy.

What the real engine finds in real photographs, and how the app tells people, is
test_face_match_flow.py's; here, the moves: on, on to approval, held, and never lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from bot.governance.consent import Consent
from bot.governance.model import FaceMatch as Policing
from bot.governance.model import Policy
from bot.governance.receipts import Compared, Decision
from bot.jobs import Job, JobStatus, new_id
from bot.jobs.face_matches import FaceMatches
from bot.media.inspection.model import Medium
from bot.media.likeness.model import FaceMatch, Likeness, Unsure
from bot.media.likeness.verdict import unsure
from tests.domain import REQUEST, REQUESTER, World

MATCH = FaceMatch(outcome=Likeness.MATCH, model="m", threshold=0.6, frames=5, with_face=5, agreed=5)
MISMATCH = replace(MATCH, outcome=Likeness.MISMATCH, agreed=0)
UNSURE = unsure(Unsure.NO_FACE_IN_PHOTO)


class Engine:
    """Answers every comparison with `found`, or fails as a broken engine would."""

    def __init__(self, found: FaceMatch | None) -> None:
        self.found = found
        self.asked: list[tuple[str | None, dict[Medium, str], str]] = []

    async def compare(
        self, *, photo: str | None, files: Mapping[Medium, str], name: str
    ) -> Compared:
        self.asked.append((photo, dict(files), name))
        if self.found is None:
            raise RuntimeError("the models could not be loaded")
        return Compared(self.found)


async def consented(
    world: World, engine: Engine, policy: Policing, approvers: list[str] | None = None
) -> tuple[FaceMatches, Job]:
    """A job Dana consented to, under `policy`, its match run by `engine` to its end."""

    async def policies(team_id: str) -> Policy:
        return Policy(face_match=policy)

    matches = FaceMatches(
        store=world.store, lifecycle=world.lifecycle, engine=engine, policies=policies
    )
    world.lifecycle.on_matching(matches.start)
    consent = Consent(
        store=world.store,
        lifecycle=world.lifecycle,
        accounts=world.accounts,
        match_hold=matches.hold,
    )
    request = replace(REQUEST, subject_id="U0DANA", subject_name="Dana Doe", intended_use="x")
    job = await world.store.jobs.add(job_id=new_id(), requester=REQUESTER, request=request)
    _, moved = await consent.answer(
        job,
        Decision.GIVEN,
        by="U0DANA",
        approvers=approvers,
        face_match=policy,
        photo="https://a.example.com/dana.jpg",
    )
    await matches.drain(5.0)  # every match under way ends
    return matches, await world.job(moved.id)


@pytest.mark.parametrize(
    ("found", "policy", "status"),
    [
        (MATCH, Policing.WARN, JobStatus.QUEUED),
        (MATCH, Policing.REQUIRE, JobStatus.QUEUED),
        (UNSURE, Policing.WARN, JobStatus.QUEUED),
        (UNSURE, Policing.REQUIRE, JobStatus.HELD),
        (MISMATCH, Policing.WARN, JobStatus.HELD),
        (MISMATCH, Policing.REQUIRE, JobStatus.HELD),
    ],
)
async def test_each_outcome_moves_the_job_as_the_workspaces_policy_says(
    world: World, found: FaceMatch, policy: Policing, status: JobStatus
) -> None:
    engine = Engine(found)

    _, job = await consented(world, engine, policy)

    assert job.status is status
    assert job.face_match == found
    assert engine.asked == [
        (
            "https://a.example.com/dana.jpg",
            {Medium.TRAINING_VIDEO: REQUEST.train_video_url},
            "Dana Doe",
        )
    ]


async def test_with_the_policy_off_nothing_is_compared(world: World) -> None:
    engine = Engine(MATCH)

    _, job = await consented(world, engine, Policing.OFF)

    assert job.status is JobStatus.QUEUED
    assert engine.asked == []


async def test_an_engine_that_fails_loses_nothing_the_job_is_unverified(world: World) -> None:
    _, job = await consented(world, Engine(None), Policing.WARN)

    assert job.status is JobStatus.QUEUED
    assert job.face_match is not None
    assert (job.face_match.outcome, job.face_match.why) == (Likeness.CANNOT_COMPARE, Unsure.FAILED)
    receipt = await world.store.receipts.of_job(job.id)
    assert receipt is not None
    assert receipt.face_match == job.face_match


async def test_approvers_chosen_at_consent_are_asked_once_the_face_matches(world: World) -> None:
    _, job = await consented(world, Engine(MATCH), Policing.WARN, approvers=["U0ANN"])

    assert job.status is JobStatus.PENDING_APPROVAL
    assert "approval_request" in await world.owed(job.id)


async def test_a_held_job_released_goes_to_its_approvers(world: World) -> None:
    matches, held = await consented(world, Engine(MISMATCH), Policing.WARN, approvers=["U0ANN"])

    released = await matches.release(held, by="U0ADMIN", reason="checked in person")
    again = await matches.release(held, by="U0ADMIN", reason="twice")

    assert held.status is JobStatus.HELD
    assert released is not None
    assert released.status is JobStatus.PENDING_APPROVAL
    assert again is None
    assert "approval_request" in await world.owed(held.id)
