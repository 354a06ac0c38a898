"""The store's contract, run against every backend: jobs, checks, the notice outbox, migrations.

SQLite always runs. PostgreSQL runs on the server TEST_POSTGRES_URL names (an async SQLAlchemy
URL such as postgresql+asyncpg://user@host/db), or on one the tests start (tests/postgres.py);
each test empties its public schema first.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from cryptography.fernet import Fernet
from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.delivery.budgets import Budgets, Limits, SharedPaces
from bot.delivery.pace import Limit
from bot.governance.audit import BOT, TAVUS, Action, Record
from bot.governance.model import StoredPolicy
from bot.governance.receipts import Compared, Decision, Receipt, sha256, statement_for
from bot.governance.receipts import Medium as Named
from bot.jobs import (
    Job,
    JobChanges,
    JobStatus,
    Notice,
    NoticeKind,
    ReplicaRequest,
    Requester,
    Sight,
    Viewer,
    moves,
    new_id,
)
from bot.media.inspection.model import Finding, Medium, Report, Weight
from bot.media.likeness.model import ConsentWords, FaceMatch, Likeness
from bot.store import Pool, Store, StoreUnavailable
from bot.store.engine import alembic_config
from bot.store.rows import maybe_aware
from bot.store.schema import oauth_states
from bot.store.talk_queries import Opened
from bot.workspaces.installations import Connected, Installed, Visit
from bot.workspaces.vault import SigningKeys, Vault
from tests.clocks import FakeClock
from tests.store_helpers import (
    FolderAway,
    LineCut,
    Outage,
    alone_in_a_folder,
    behind_a_proxy,
    empty_postgres,
    notices_of,
    transition,
    unavailable_from_the_driver,
)

REQUESTER = Requester(team_id="T1", user_id="U1", channel_id="C1")
REQUEST = ReplicaRequest(
    replica_name="Dana",
    model_name="phoenix-4",
    train_image_url="https://cdn.example.com/dana.png",
    voice_name="anna",
)
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
DIGEST = "d" * 64
FINAL = [status for status in JobStatus if status.is_final]
REPORT = Report(
    findings=(
        Finding(
            Medium.TRAINING_VIDEO, "video_fps", Weight.ADVICE, "24 fps: Tavus asks for 25 — «»"
        ),
        Finding(Medium.CONSENT_VIDEO, "sound", Weight.UNCHECKED, "no sound track I could read"),
    ),
    summaries=((Medium.TRAINING_VIDEO, "1920×1080, 24 fps, 1 min 4 s"),),
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store_url(request: pytest.FixtureRequest, database_url: str) -> str:
    """An async SQLAlchemy URL of an empty database on each backend."""
    if request.param == "sqlite":
        return database_url.replace("sqlite://", "sqlite+aiosqlite://", 1)
    url: str = request.getfixturevalue("postgres_server")
    # Tests must not see each other's rows, nor an older schema's leftovers.
    await empty_postgres(url)
    return url


@pytest.fixture
async def store(store_url: str, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(store_url, clock=clock)
    yield opened
    await opened.close()


async def add(store: Store, *, next_check_at: datetime | None = None) -> Job:
    return await store.jobs.add(
        job_id=new_id(), requester=REQUESTER, request=REQUEST, next_check_at=next_check_at
    )


async def add_in(store: Store, status: JobStatus, **changes: Any) -> Job:
    """A new job moved straight to `status`, with any other fields given."""
    job = await add(store)
    moved = await transition(store, job.id, from_=(JobStatus.QUEUED,), to=status, **changes)
    assert moved is not None
    return moved


async def stored(store: Store, job_id: str) -> Job:
    job = await store.jobs.get(job_id)
    assert job is not None
    return job


async def record(store: Store, notice: Notice) -> dict[str, Any]:
    """A notice's stored row, delivery record included."""
    [row] = [row for row in await notices_of(store, notice.job_id) if row["id"] == notice.id]
    return row


async def claimed(store: Store, kind: NoticeKind = NoticeKind.RESULT, owner: str = "a") -> Notice:
    """A notice owed for a new job and claimed by `owner`."""
    job = await add(store)
    notice = await store.notices.owe(job.id, kind)
    got = await store.notices.claim(notice.id, owner=owner, lease=LEASE)
    assert got is not None
    return got[0]


# Jobs


async def test_many_jobs_saved_at_once_are_all_kept(store: Store) -> None:
    added = await asyncio.gather(*(add(store) for _ in range(60)))

    for job in added:
        assert await store.jobs.get(job.id) == job
    assert len({job.id for job in added}) == 60


async def test_a_new_job_is_queued_and_reads_back_whole(store: Store) -> None:
    added = await add(store, next_check_at=START + timedelta(minutes=5))

    job = await stored(store, added.id)

    assert job == added
    assert (job.requester, job.request, job.status) == (REQUESTER, REQUEST, JobStatus.QUEUED)
    # The callback secret is made when the create is sent.
    assert job.callback_digest == ""
    assert job.next_check_at == START + timedelta(minutes=5)
    assert job.created_at == job.updated_at == START
    assert job.created_at.tzinfo is not None
    fields = (job.replica_id, job.error_message, job.training_progress)
    assert fields == (None, None, None)
    assert (job.announcement_channel, job.announcement_ts) == (None, None)
    assert await notices_of(store, job.id) == []


async def test_a_job_id_cannot_be_saved_twice(store: Store) -> None:
    job = await add(store)

    with pytest.raises(IntegrityError):
        await store.jobs.add(job_id=job.id, requester=REQUESTER, request=REQUEST)


async def test_an_unknown_job_is_none(store: Store) -> None:
    assert await store.jobs.get("nope") is None


async def test_transition_changes_the_status_and_only_the_fields_given(
    store: Store, clock: FakeClock
) -> None:
    job = await add(store)
    clock.advance(seconds=5)

    creating = await transition(
        store,
        job.id,
        from_=(JobStatus.QUEUED,),
        to=JobStatus.CREATING,
        callback_digest=DIGEST,
        next_check_at=START + timedelta(minutes=10),
    )

    assert creating is not None
    assert creating == await stored(store, job.id)
    assert creating.status is JobStatus.CREATING
    assert creating.callback_digest == DIGEST
    assert creating.next_check_at == START + timedelta(minutes=10)
    assert (creating.created_at, creating.updated_at) == (START, START + timedelta(seconds=5))
    assert (creating.replica_id, creating.error_message) == (None, None)

    training = await transition(
        store, job.id, from_=(JobStatus.CREATING,), to=JobStatus.TRAINING, replica_id="r1"
    )

    assert training is not None
    assert (training.status, training.replica_id) == (JobStatus.TRAINING, "r1")
    assert training.callback_digest == DIGEST
    assert training.next_check_at == START + timedelta(minutes=10)


async def test_transition_moves_a_job_from_any_of_several_statuses(store: Store) -> None:
    training = await add_in(store, JobStatus.TRAINING)
    stale = await add_in(store, JobStatus.STALE)
    creating = await add_in(store, JobStatus.CREATING)
    settle = (JobStatus.TRAINING, JobStatus.STALE)

    for job in (training, stale):
        moved = await transition(store, job.id, from_=settle, to=JobStatus.READY)
        assert moved is not None
        assert moved.status is JobStatus.READY

    assert await transition(store, creating.id, from_=settle, to=JobStatus.READY) is None
    assert (await stored(store, creating.id)).status is JobStatus.CREATING


async def test_a_transition_from_another_status_changes_nothing_and_owes_nothing(
    store: Store, clock: FakeClock
) -> None:
    job = await add(store)
    clock.advance(seconds=5)

    lost = await transition(
        store,
        job.id,
        from_=(JobStatus.TRAINING, JobStatus.STALE),
        to=JobStatus.READY,
        replica_id="r1",
        notice=NoticeKind.RESULT,
    )

    assert lost is None
    assert await stored(store, job.id) == job
    assert await notices_of(store, job.id) == []
    assert not await store.notices.pending(job.id, NoticeKind.RESULT)


async def test_a_transition_of_an_unknown_job_is_none(store: Store) -> None:
    moved = await transition(
        store,
        "nope",
        from_=(JobStatus.QUEUED,),
        to=JobStatus.CREATING,
        notice=NoticeKind.NOT_STARTED,
    )

    assert moved is None
    assert await notices_of(store, "nope") == []


async def test_a_won_transition_owes_its_notice_in_the_same_step(store: Store) -> None:
    job = await add_in(store, JobStatus.TRAINING, replica_id="r1")

    ready = await transition(
        store, job.id, from_=(JobStatus.TRAINING,), to=JobStatus.READY, notice=NoticeKind.RESULT
    )

    assert ready is not None
    [row] = await notices_of(store, job.id)
    assert (row["kind"], row["status"], row["attempts"], row["in_doubt"]) == (
        "result",
        "pending",
        0,
        False,
    )
    assert await store.notices.pending(job.id, NoticeKind.RESULT)
    [(notice, with_job)] = await store.notices.due()
    assert (notice.id, notice.kind, notice.job_id) == (row["id"], NoticeKind.RESULT, job.id)
    assert with_job == ready


async def test_a_transition_without_a_notice_owes_nothing(store: Store) -> None:
    job = await add_in(store, JobStatus.TRAINING)

    assert await transition(store, job.id, from_=(JobStatus.TRAINING,), to=JobStatus.STALE)
    assert await notices_of(store, job.id) == []


async def test_concurrent_transitions_have_one_winner_and_owe_one_notice(store: Store) -> None:
    job = await add_in(store, JobStatus.TRAINING)

    results = await asyncio.gather(
        *(
            transition(
                store,
                job.id,
                from_=(JobStatus.TRAINING, JobStatus.STALE),
                to=JobStatus.READY if n % 2 else JobStatus.FAILED,
                error_message=None if n % 2 else f"boom {n}",
                notice=NoticeKind.RESULT,
            )
            for n in range(10)
        )
    )

    [winner] = [result for result in results if result is not None]
    final = await stored(store, job.id)
    assert (final.status, final.error_message) == (winner.status, winner.error_message)
    assert [row["kind"] for row in await notices_of(store, job.id)] == ["result"]


async def test_a_move_claiming_another_jobs_replica_loses_and_owes_nothing(store: Store) -> None:
    await add_in(store, JobStatus.TRAINING, replica_id="r1")
    job = await add_in(store, JobStatus.UNKNOWN)

    adopted = await transition(
        store,
        job.id,
        from_=(JobStatus.UNKNOWN,),
        to=JobStatus.TRAINING,
        replica_id="r1",
        notice=NoticeKind.ANNOUNCEMENT,
    )

    assert adopted is None
    assert await stored(store, job.id) == job
    assert await notices_of(store, job.id) == []


async def test_unset_fields_are_kept_and_none_clears_them(store: Store) -> None:
    job = await add_in(
        store,
        JobStatus.CREATING,
        replica_id="r1",
        error_message="Tavus did not answer",
        next_check_at=START + timedelta(minutes=10),
    )

    cleared = await transition(
        store, job.id, from_=(JobStatus.CREATING,), to=JobStatus.TRAINING, error_message=None
    )

    assert cleared is not None
    assert cleared.error_message is None
    assert cleared.replica_id == "r1"
    assert cleared.next_check_at == START + timedelta(minutes=10)

    settled = await transition(
        store, job.id, from_=(JobStatus.TRAINING,), to=JobStatus.READY, next_check_at=None
    )

    assert settled is not None
    assert settled.next_check_at is None
    assert settled.replica_id == "r1"
    assert settled == await stored(store, job.id)


async def test_a_media_report_is_kept_whole_and_read_back_as_it_was_given(store: Store) -> None:
    job = await add(store)
    assert job.media_report is None

    checked = await transition(
        store, job.id, from_=(JobStatus.QUEUED,), to=JobStatus.AWAITING_CONSENT, media_report=REPORT
    )
    read = await stored(store, job.id)
    emptied = await transition(
        store,
        job.id,
        from_=(JobStatus.AWAITING_CONSENT,),
        to=JobStatus.AWAITING_CONSENT,
        media_report=Report(),
    )

    assert checked is not None
    assert checked.media_report == REPORT
    assert read == checked
    assert emptied is not None
    assert emptied.media_report == Report()  # looked, found nothing: kept, and not None


async def test_progress_is_remembered_without_touching_the_status(store: Store) -> None:
    job = await add_in(store, JobStatus.TRAINING)

    await store.jobs.note_progress(job.id, "40/100")

    noted = await stored(store, job.id)
    assert (noted.training_progress, noted.status) == ("40/100", JobStatus.TRAINING)
    await store.jobs.note_progress(job.id, None)
    assert (await stored(store, job.id)).training_progress is None
    # Progress for a job that is gone is nothing to fail over.
    await store.jobs.note_progress("nope", "1/100")


async def test_progress_already_known_is_not_noted_again(store: Store) -> None:
    job = await add_in(store, JobStatus.TRAINING)

    first = await store.jobs.note_progress(job.id, "40/100")
    again = await store.jobs.note_progress(job.id, "40/100")

    assert first is not None
    assert first.training_progress == "40/100"
    assert again is None  # nothing new: no change, no card to redraw
    assert await stored(store, job.id) == first


async def test_a_review_is_dated_when_it_is_made_and_no_other_move_is(
    store: Store, clock: FakeClock
) -> None:
    job, other = (
        await add_in(store, JobStatus.PENDING_APPROVAL),
        await add_in(store, JobStatus.PENDING_APPROVAL),
    )
    clock.advance(seconds=5)

    approved = await store.jobs.move(
        job.id, moves.APPROVE, JobChanges(reviewer_id="U0ANN"), by="U0ANN"
    )
    ended = await store.jobs.move(other.id, moves.END)  # its workspace left: nobody reviewed it

    assert approved is not None
    assert (approved.reviewer_id, approved.reviewed_at) == ("U0ANN", START + timedelta(seconds=5))
    assert ended is not None
    assert (ended.reviewer_id, ended.reviewed_at) == (None, None)


async def test_a_refused_create_owes_its_dm_unless_the_form_is_watching(store: Store) -> None:
    unwatched, watched = (
        await add_in(store, JobStatus.CREATING),
        await add_in(store, JobStatus.CREATING),
    )

    await store.jobs.move(unwatched.id, moves.REFUSE, JobChanges(error_message="Invalid video"))
    await store.jobs.move(
        watched.id, moves.REFUSE, JobChanges(error_message="Invalid video"), watching=True
    )

    assert [row["kind"] for row in await notices_of(store, unwatched.id)] == ["not_started"]
    assert await notices_of(store, watched.id) == []


# Scheduled checks


async def test_due_checks_are_unfinished_jobs_due_now_oldest_first(store: Store) -> None:
    overdue = await add_in(store, JobStatus.TRAINING, next_check_at=START - timedelta(minutes=20))
    due = await add(store, next_check_at=START - timedelta(minutes=10))
    due_now = await add(store, next_check_at=START)
    await add(store, next_check_at=START + timedelta(seconds=1))
    await add(store)
    for status in FINAL:
        await add_in(
            store, status, next_check_at=START - timedelta(hours=1), replica_id=f"r-{status}"
        )
    # Withdrawn while its create's answer was lost: the replica is looked for, to be deleted.
    lost = await add_in(store, JobStatus.WITHDRAWN, next_check_at=START - timedelta(minutes=30))

    assert [job.id for job in await store.jobs.due()] == [lost.id, overdue.id, due.id, due_now.id]
    assert [job.id for job in await store.jobs.due(limit=2)] == [lost.id, overdue.id]


async def test_a_due_check_is_claimed_once_and_moved_to_its_deadline(
    store: Store, clock: FakeClock
) -> None:
    job = await add(store, next_check_at=START)
    until = START + timedelta(minutes=10)

    taken = await store.jobs.claim_check(job.id, until=until)

    assert taken is not None
    assert taken.next_check_at == until
    assert await store.jobs.claim_check(job.id, until=until + timedelta(minutes=1)) is None
    assert (await stored(store, job.id)).next_check_at == until
    assert await store.jobs.due() == []
    # Whoever claimed it died: the check falls due again at its deadline.
    clock.now = until
    assert [found.id for found in await store.jobs.due()] == [job.id]
    assert await store.jobs.claim_check(job.id, until=until + timedelta(minutes=10)) is not None


async def test_a_check_not_yet_due_cannot_be_claimed(store: Store) -> None:
    later = await add(store, next_check_at=START + timedelta(seconds=1))
    never = await add(store)

    assert await store.jobs.claim_check(later.id, until=START + timedelta(minutes=10)) is None
    assert await store.jobs.claim_check(never.id, until=START + timedelta(minutes=10)) is None
    assert (await stored(store, later.id)).next_check_at == START + timedelta(seconds=1)
    assert (await stored(store, never.id)).next_check_at is None


async def test_concurrent_claims_of_a_check_have_exactly_one_winner(store: Store) -> None:
    job = await add(store, next_check_at=START - timedelta(minutes=1))

    results = await asyncio.gather(
        *(store.jobs.claim_check(job.id, until=START + timedelta(minutes=n + 1)) for n in range(10))
    )

    [winner] = [result for result in results if result is not None]
    assert (await stored(store, job.id)).next_check_at == winner.next_check_at


async def test_check_soon_brings_a_check_forward_but_never_pushes_it_back(store: Store) -> None:
    job = await add_in(store, JobStatus.TRAINING, next_check_at=START + timedelta(minutes=10))

    await store.jobs.check_soon(job.id, at=START + timedelta(seconds=5))
    assert (await stored(store, job.id)).next_check_at == START + timedelta(seconds=5)

    await store.jobs.check_soon(job.id, at=START + timedelta(minutes=30))
    sooner = await stored(store, job.id)
    assert sooner.next_check_at == START + timedelta(seconds=5)
    assert sooner.status is JobStatus.TRAINING


async def test_check_soon_schedules_a_job_that_had_no_check(store: Store) -> None:
    job = await add(store)

    await store.jobs.check_soon(job.id, at=START + timedelta(seconds=5))

    assert (await stored(store, job.id)).next_check_at == START + timedelta(seconds=5)


# The notice outbox


async def test_an_owed_notice_is_due_at_once_with_its_job(store: Store) -> None:
    job = await add(store)

    notice = await store.notices.owe(job.id, NoticeKind.NOT_STARTED)

    assert (notice.job_id, notice.kind, notice.attempts, notice.in_doubt) == (
        job.id,
        NoticeKind.NOT_STARTED,
        0,
        False,
    )
    assert notice.created_at == START
    assert await store.notices.due() == [(notice, job)]
    assert await store.notices.pending(job.id, NoticeKind.NOT_STARTED)


async def test_a_notice_for_an_unknown_job_is_refused(store: Store) -> None:
    with pytest.raises(IntegrityError):
        await store.notices.owe("nope", NoticeKind.RESULT)


async def results_a_second_apart(store: Store, clock: FakeClock, count: int) -> list[Notice]:
    """`count` results owed, each a second after the one before: due in that order."""
    owed = []
    for _ in range(count):
        owed.append(await store.notices.owe((await add(store)).id, NoticeKind.RESULT))
        clock.advance(seconds=1)
    return owed


async def test_due_notices_come_oldest_first_up_to_the_limit(
    store: Store, clock: FakeClock
) -> None:
    owed = await results_a_second_apart(store, clock, 3)

    assert [notice.id for notice, _ in await store.notices.due()] == [n.id for n in owed]
    assert [notice.id for notice, _ in await store.notices.due(limit=2)] == [n.id for n in owed[:2]]


async def test_what_people_wait_for_comes_before_card_redraws(
    store: Store, clock: FakeClock
) -> None:
    redraws = [await store.notices.owe((await add(store)).id, NoticeKind.CARD)]
    results = []
    for _ in range(2):
        clock.advance(seconds=1)
        results.append(await store.notices.owe((await add(store)).id, NoticeKind.RESULT))

    due = [notice.id for notice, _ in await store.notices.due()]

    assert due == [n.id for n in results + redraws]
    assert [notice.id for notice, _ in await store.notices.due(limit=2)] == [r.id for r in results]


async def test_the_redraws_of_a_workspace_held_wait_and_everything_else_comes(
    store: Store, clock: FakeClock
) -> None:
    ours = await store.notices.owe((await add(store)).id, NoticeKind.CARD)
    clock.advance(seconds=1)
    elsewhere = Requester("T2", "U2", "C2")
    theirs_job = await store.jobs.add(job_id=new_id(), requester=elsewhere, request=REQUEST)
    theirs = await store.notices.owe(theirs_job.id, NoticeKind.CARD)
    clock.advance(seconds=1)
    result = await store.notices.owe((await add(store)).id, NoticeKind.RESULT)

    # Our workspace's redraw lane is full: its redraws wait here; its result does not.
    held = [REQUESTER.team_id]
    assert [n.id for n, _ in await store.notices.due(holding=held)] == [result.id, theirs.id]
    assert await store.notices.next_due_at(
        holding=held, excluding=[result.id]
    ) == START + timedelta(seconds=1)
    both = [REQUESTER.team_id, "T2"]
    assert await store.notices.next_due_at(holding=both, excluding=[result.id]) is None
    assert [n.id for n, _ in await store.notices.due()] == [result.id, ours.id, theirs.id]


async def test_notices_left_out_are_one_statement_however_many(
    store: Store, clock: FakeClock
) -> None:
    owed = await results_a_second_apart(store, clock, 3)
    many = [new_id() for _ in range(3000)]
    statements: set[str] = set()

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM notices" in statement:
            statements.add(statement)

    engine = store.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for excluding in ([owed[0].id], [owed[0].id, *many], [*many, owed[1].id, owed[2].id]):
            await store.notices.due(excluding=excluding)
            await store.notices.next_due_at(excluding=excluding)
        left = await store.notices.due(excluding=[*many, owed[1].id])
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    assert [n.id for n, _ in left] == [owed[0].id, owed[2].id]
    # One for due, one for next_due_at: each list is one parameter, not one per id, so each
    # connection's statement cache keeps one plan rather than one per length (issue #24).
    assert len(statements) == 2


async def test_a_claimed_notice_is_nobody_elses_until_its_lease_runs_out(
    store: Store, clock: FakeClock
) -> None:
    job = await add(store)
    notice = await store.notices.owe(job.id, NoticeKind.RESULT)

    claim = await store.notices.claim(notice.id, owner="a", lease=LEASE)

    assert claim == (notice, job)
    assert await store.notices.claim(notice.id, owner="b", lease=LEASE) is None
    assert await store.notices.due() == []
    clock.advance(seconds=59)
    assert await store.notices.claim(notice.id, owner="b", lease=LEASE) is None

    # Owner a went quiet past its lease: b may take over, and a's late word no longer counts.
    clock.advance(seconds=1)
    assert [n.id for n, _ in await store.notices.due()] == [notice.id]
    assert await store.notices.claim(notice.id, owner="b", lease=LEASE) is not None
    assert not await store.notices.sent(notice.id, owner="a", channel="C1", ts="1.000100")
    assert (await record(store, notice))["lease_owner"] == "b"
    assert await store.notices.sent(notice.id, owner="b", channel="C1", ts="1.000200")


async def test_concurrent_claims_of_a_notice_have_exactly_one_winner(store: Store) -> None:
    notice = await store.notices.owe((await add(store)).id, NoticeKind.RESULT)
    owners = [f"owner-{n}" for n in range(10)]

    results = await asyncio.gather(
        *(store.notices.claim(notice.id, owner=owner, lease=LEASE) for owner in owners)
    )

    [winner] = [owner for owner, result in zip(owners, results, strict=True) if result]
    assert (await record(store, notice))["lease_owner"] == winner


async def test_claims_made_at_once_each_get_their_notice_and_a_repeat_gets_none(
    store: Store,
) -> None:
    owed = [await store.notices.owe((await add(store)).id, NoticeKind.RESULT) for _ in range(5)]
    asked = [notice.id for notice in owed] + [owed[0].id]

    results = await asyncio.gather(
        *(store.notices.claim(notice_id, owner="a", lease=LEASE) for notice_id in asked)
    )

    assert [result[0].id if result else None for result in results] == [*asked[:5], None]
    assert [(await record(store, notice))["lease_owner"] for notice in owed] == ["a"] * 5


async def test_a_claim_given_up_before_its_turn_takes_nothing(store: Store) -> None:
    notice = await store.notices.owe((await add(store)).id, NoticeKind.RESULT)
    claim = asyncio.create_task(store.notices.claim(notice.id, owner="a", lease=LEASE))
    await asyncio.sleep(0)  # it is waiting for the writer's next turn

    claim.cancel()

    with pytest.raises(asyncio.CancelledError):
        await claim
    assert [n.id for n, _ in await store.notices.due()] == [notice.id]
    assert (await record(store, notice))["lease_owner"] is None


async def test_an_unknown_or_settled_notice_cannot_be_claimed(store: Store) -> None:
    sent = await claimed(store)
    await store.notices.sent(sent.id, owner="a", channel="C1", ts="1.000100")
    failed = await claimed(store)
    await store.notices.give_up(failed.id, owner="a", error="channel_not_found")

    for notice_id in ("nope", sent.id, failed.id):
        assert await store.notices.claim(notice_id, owner="b", lease=LEASE) is None


async def test_a_claimed_post_is_in_doubt_until_recorded_and_says_if_it_was_before(
    store: Store, clock: FakeClock
) -> None:
    notice = await claimed(store, owner="a")

    assert notice.in_doubt is False  # nothing was tried before this claim
    assert (await record(store, notice))["in_doubt"] is True  # from now on it may land

    clock.advance(seconds=LEASE.total_seconds() + 1)  # "a" died mid-send
    again = await store.notices.claim(notice.id, owner="b", lease=LEASE)
    assert again is not None
    assert again[0].in_doubt is True  # "b" must look before posting


async def test_deliveries_recorded_at_once_are_each_recorded_or_refused(store: Store) -> None:
    announcement = await claimed(store, NoticeKind.ANNOUNCEMENT, owner="a")
    result = await claimed(store, NoticeKind.RESULT, owner="a")
    others = await claimed(store, NoticeKind.RESULT, owner="b")

    recorded = await asyncio.gather(
        store.notices.sent(announcement.id, owner="a", channel="C1", ts="1.000100"),
        store.notices.sent(result.id, owner="a", channel="C2", ts="1.000200"),
        store.notices.sent(others.id, owner="a", channel="C3", ts="1.000300"),
    )

    assert recorded == [True, True, False]
    job = await stored(store, announcement.job_id)
    assert (job.announcement_channel, job.announcement_ts) == ("C1", "1.000100")
    assert [(await record(store, n))["status"] for n in (announcement, result, others)] == [
        "sent",
        "sent",
        "pending",
    ]
    assert (await record(store, result))["ts"] == "1.000200"


async def test_a_claimed_card_is_never_in_doubt(store: Store) -> None:
    notice = await claimed(store, NoticeKind.CARD, owner="a")

    assert (await record(store, notice))["in_doubt"] is False


async def test_a_sent_announcement_becomes_its_jobs_thread(store: Store) -> None:
    notice = await claimed(store, NoticeKind.ANNOUNCEMENT)

    assert await store.notices.sent(notice.id, owner="a", channel="C1", ts="1700000000.000100")

    job = await stored(store, notice.job_id)
    assert (job.announcement_channel, job.announcement_ts) == ("C1", "1700000000.000100")
    row = await record(store, notice)
    assert (row["status"], row["channel"], row["ts"]) == ("sent", "C1", "1700000000.000100")
    assert (row["in_doubt"], row["lease_owner"], row["lease_until"]) == (False, None, None)
    assert row["last_error"] is None
    assert not await store.notices.pending(job.id, NoticeKind.ANNOUNCEMENT)
    assert await store.notices.due() == []
    assert await store.notices.next_due_at() is None


async def test_a_sent_reply_leaves_the_jobs_thread_alone(store: Store) -> None:
    notice = await claimed(store, NoticeKind.RESULT)

    assert await store.notices.sent(notice.id, owner="a", channel="D1", ts="1700000000.000200")

    job = await stored(store, notice.job_id)
    assert (job.announcement_channel, job.announcement_ts) == (None, None)
    row = await record(store, notice)
    assert (row["status"], row["channel"], row["ts"]) == ("sent", "D1", "1700000000.000200")


async def test_a_notice_sent_elsewhere_records_why(store: Store) -> None:
    notice = await claimed(store, NoticeKind.ANNOUNCEMENT)

    assert await store.notices.sent(
        notice.id, owner="a", channel="D1", ts="1.000100", error="C1: not_in_channel"
    )

    row = await record(store, notice)
    assert (row["status"], row["channel"], row["last_error"]) == (
        "sent",
        "D1",
        "C1: not_in_channel",
    )
    # The DM now holds the job's thread: later replies go there.
    job = await stored(store, notice.job_id)
    assert (job.announcement_channel, job.announcement_ts) == ("D1", "1.000100")


async def test_only_the_lease_owner_can_record_a_send(store: Store) -> None:
    notice = await claimed(store, NoticeKind.ANNOUNCEMENT, owner="a")

    assert not await store.notices.sent(notice.id, owner="b", channel="C9", ts="9.000900")

    row = await record(store, notice)
    assert (row["status"], row["lease_owner"], row["channel"]) == ("pending", "a", None)
    job = await stored(store, notice.job_id)
    assert (job.announcement_channel, job.announcement_ts) == (None, None)
    assert await store.notices.sent(notice.id, owner="a", channel="C1", ts="1.000100")


async def test_an_unclaimed_notice_cannot_be_recorded_as_sent(store: Store) -> None:
    notice = await store.notices.owe((await add(store)).id, NoticeKind.ANNOUNCEMENT)

    assert not await store.notices.sent(notice.id, owner="a", channel="C1", ts="1.000100")
    assert (await record(store, notice))["status"] == "pending"


async def test_a_retried_notice_waits_for_its_time_and_counts_the_failure(
    store: Store, clock: FakeClock
) -> None:
    notice = await claimed(store, owner="a")
    retry_at = START + timedelta(seconds=30)

    await store.notices.retry(notice.id, owner="a", at=retry_at, error="HTTP 503", in_doubt=True)

    row = await record(store, notice)
    assert (row["status"], row["attempts"], row["in_doubt"]) == ("pending", 1, True)
    assert (row["last_error"], row["lease_owner"], row["lease_until"]) == ("HTTP 503", None, None)
    assert maybe_aware(row["next_attempt_at"]) == retry_at
    assert await store.notices.due() == []
    assert await store.notices.claim(notice.id, owner="b", lease=LEASE) is None
    assert await store.notices.next_due_at() == retry_at

    clock.now = retry_at
    claim = await store.notices.claim(notice.id, owner="b", lease=LEASE)
    assert claim is not None
    assert (claim[0].attempts, claim[0].in_doubt) == (1, True)


async def test_a_retry_that_was_no_failure_does_not_count_towards_backoff(
    store: Store, clock: FakeClock
) -> None:
    notice = await claimed(store, owner="a")
    await store.notices.retry(notice.id, owner="a", at=START, error="HTTP 503", in_doubt=True)
    assert await store.notices.claim(notice.id, owner="a", lease=LEASE)

    # A 429 posted nothing and says nothing about this notice.
    await store.notices.retry(
        notice.id,
        owner="a",
        at=START + timedelta(seconds=2),
        error="ratelimited",
        in_doubt=False,
        failed=False,
    )

    row = await record(store, notice)
    assert (row["attempts"], row["in_doubt"], row["last_error"]) == (1, False, "ratelimited")
    clock.advance(seconds=2)
    [(due, _)] = await store.notices.due()
    assert (due.attempts, due.in_doubt) == (1, False)


async def test_only_the_lease_owner_can_hand_a_notice_back_or_give_it_up(store: Store) -> None:
    notice = await claimed(store, owner="a")
    before = await record(store, notice)

    await store.notices.retry(
        notice.id, owner="b", at=START + timedelta(hours=1), error="x", in_doubt=True
    )
    await store.notices.give_up(notice.id, owner="b", error="x")

    after = await record(store, notice)
    assert after == before
    assert (after["status"], after["lease_owner"]) == ("pending", "a")


async def test_a_failed_notice_is_given_up_for_good(store: Store, clock: FakeClock) -> None:
    notice = await claimed(store, owner="a")

    await store.notices.give_up(notice.id, owner="a", error="channel_not_found")

    row = await record(store, notice)
    assert (row["status"], row["last_error"]) == ("failed", "channel_not_found")
    assert (row["in_doubt"], row["lease_owner"], row["lease_until"]) == (False, None, None)
    assert not await store.notices.pending(notice.job_id, NoticeKind.RESULT)
    clock.advance(days=2)
    assert await store.notices.due() == []
    assert await store.notices.next_due_at() is None


async def test_releasing_hands_back_only_that_owners_notices(store: Store) -> None:
    first = await claimed(store, owner="a")
    second = await claimed(store, owner="a")
    others = await claimed(store, owner="b")
    sent = await claimed(store, owner="a")
    await store.notices.sent(sent.id, owner="a", channel="C1", ts="1.000100")

    await store.notices.release(owner="a")

    assert {notice.id for notice, _ in await store.notices.due()} == {first.id, second.id}
    assert await store.notices.claim(first.id, owner="c", lease=LEASE) is not None
    assert await store.notices.claim(others.id, owner="c", lease=LEASE) is None
    assert (await record(store, others))["lease_owner"] == "b"
    assert (await record(store, sent))["status"] == "sent"


async def test_owes_is_about_pending_notices_of_that_kind_for_that_job(store: Store) -> None:
    job = await add(store)
    other = await add(store)
    assert not await store.notices.pending(job.id, NoticeKind.ANNOUNCEMENT)

    notice = await store.notices.owe(job.id, NoticeKind.ANNOUNCEMENT)

    assert await store.notices.pending(job.id, NoticeKind.ANNOUNCEMENT)
    assert not await store.notices.pending(job.id, NoticeKind.RESULT)
    assert not await store.notices.pending(other.id, NoticeKind.ANNOUNCEMENT)
    await store.notices.claim(notice.id, owner="a", lease=LEASE)
    # Claimed is still owed: the send may yet fail.
    assert await store.notices.pending(job.id, NoticeKind.ANNOUNCEMENT)
    await store.notices.sent(notice.id, owner="a", channel="C1", ts="1.000100")
    assert not await store.notices.pending(job.id, NoticeKind.ANNOUNCEMENT)


async def test_next_notice_at_is_when_the_earliest_pending_notice_can_go(
    store: Store, clock: FakeClock
) -> None:
    assert await store.notices.next_due_at() is None

    first = await claimed(store, owner="a")
    # Claimed: free again only when the lease runs out.
    assert await store.notices.next_due_at() == START + LEASE

    clock.advance(seconds=10)
    await store.notices.owe((await add(store)).id, NoticeKind.STALE)
    assert await store.notices.next_due_at() == START + timedelta(seconds=10)

    await store.notices.retry(
        first.id, owner="a", at=START + timedelta(seconds=5), error="x", in_doubt=False
    )
    assert await store.notices.next_due_at() == START + timedelta(seconds=5)


async def test_notices_of_lists_a_jobs_notices_oldest_first(store: Store, clock: FakeClock) -> None:
    job = await add(store)
    announcement = await store.notices.owe(job.id, NoticeKind.ANNOUNCEMENT)
    clock.advance(seconds=1)
    result = await store.notices.owe(job.id, NoticeKind.RESULT)
    await store.notices.owe((await add(store)).id, NoticeKind.RESULT)

    rows = await notices_of(store, job.id)

    assert [(row["id"], row["kind"]) for row in rows] == [
        (announcement.id, "announcement"),
        (result.id, "result"),
    ]


# The audit log


async def test_a_saved_job_and_its_moves_are_recorded_with_them(store: Store) -> None:
    job = await add(store)
    await store.jobs.move(job.id, moves.SEND, JobChanges(callback_digest=DIGEST))
    training = await store.jobs.move(job.id, moves.BEGIN_TRAINING, JobChanges(replica_id="r1"))
    assert training is not None
    await store.jobs.move(job.id, moves.FAIL, JobChanges(error_message="bad video"), by=TAVUS)

    records = await store.audit.since()

    assert [(r.action, r.actor) for r in records] == [
        (Action.REQUESTED, REQUESTER.user_id),
        (Action.CREATED, BOT),
        (Action.FAILED, TAVUS),
    ]
    assert [r.replica_id for r in records] == [None, "r1", "r1"]
    assert records[2].details == {"replica_name": "Dana", "error": "bad video"}
    assert records[1].at == training.updated_at


async def test_a_move_that_loses_records_nothing(store: Store) -> None:
    job = await add(store)

    assert await store.jobs.move(job.id, moves.SUCCEED, by=TAVUS) is None
    assert [r.action for r in await store.audit.since()] == [Action.REQUESTED]


async def test_records_are_read_from_a_moment_on_and_per_workspace(
    store: Store, clock: FakeClock
) -> None:
    await add(store)
    clock.advance(days=1)
    later = await add(store)

    assert [r.job_id for r in await store.audit.since(clock.now)] == [later.id]
    assert await store.audit.since(team_id="T-other") == []


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit SET actor = 'someone else'", "DELETE FROM audit"],
)
async def test_the_audit_log_refuses_changes_and_deletions(store: Store, statement: str) -> None:
    await add(store)

    with pytest.raises(DBAPIError, match="append-only"):
        async with store.db.writing() as connection:
            await connection.execute(text(statement))
    assert len(await store.audit.since()) == 1


# Consent receipts


def receipt_for(job: Job, decided_at: datetime) -> Receipt:
    return Receipt(
        job_id=job.id,
        team_id=job.requester.team_id,
        subject_id="U0DANA",
        subject_name="Dana Doe",
        requester_id=job.requester.user_id,
        decision=Decision.GIVEN,
        decided_at=decided_at,
        statement=statement_for("Dana Doe"),
        statement_sha256=sha256(statement_for("Dana Doe")),
        intended_use="demos",
        media=(Named("https://cdn.example.com/d.mp4", "cdn.example.com", "d.mp4"),),
        dm_channel="D0DANA",
        dm_ts="1.0001",
    )


async def asking(store: Store) -> Job:
    return await store.jobs.add(
        job_id=new_id(),
        requester=REQUESTER,
        request=replace(REQUEST, subject_id="U0DANA", subject_name="Dana Doe", intended_use="x"),
    )


async def test_a_request_naming_its_person_waits_for_consent_owing_card_and_dm(
    store: Store,
) -> None:
    job = await asking(store)

    assert job.status is JobStatus.AWAITING_CONSENT
    kinds = sorted(row["kind"] for row in await notices_of(store, job.id))
    assert kinds == ["announcement", "consent_request"]


async def test_with_the_media_check_a_request_is_checked_first_owing_its_card_alone(
    store: Store,
) -> None:
    request = replace(REQUEST, subject_id="U0DANA", unchecked=("train_image_url",))
    checking = await store.jobs.add(
        job_id=new_id(), requester=REQUESTER, request=request, checking=True
    )
    legacy = await store.jobs.add(
        job_id=new_id(), requester=REQUESTER, request=REQUEST, checking=True
    )
    from_slack = await store.jobs.add(
        job_id=new_id(),
        requester=REQUESTER,
        request=replace(request, slack_file="F0FILE"),
        checking=True,
    )

    assert (checking.status, legacy.status) == (JobStatus.CHECKING, JobStatus.CHECKING)
    assert from_slack.status is JobStatus.FETCHING  # checked once it is kept
    assert sorted(r["kind"] for r in await notices_of(store, checking.id)) == [
        "announcement",
        "unchecked",
    ]
    assert [r["kind"] for r in await notices_of(store, legacy.id)] == ["announcement"]
    # It counts among those waiting for the person shown, who is yet to be asked.
    assert await store.jobs.waiting(team_id="T1", subject_id="U0DANA") == 2


async def test_counts_asked_at_the_same_moment_are_each_their_own(store: Store) -> None:
    # U0ANN asked twice of U0DANA and once of U0BEN; U0BEN once of U0ANN; in T2, once more.
    asked = [("T1", "U0ANN", "U0DANA"), ("T1", "U0ANN", "U0DANA"), ("T1", "U0ANN", "U0BEN")]
    asked += [("T1", "U0BEN", "U0ANN"), ("T2", "U0ANN", "U0DANA")]
    for team, user, subject in asked:
        await store.jobs.add(
            job_id=new_id(),
            requester=Requester(team, user, "C1"),
            request=replace(REQUEST, subject_id=subject, subject_name="x", intended_use="x"),
        )
    waited = await add_in(store, JobStatus.TRAINING)  # no longer waiting: counted nowhere

    counts = await asyncio.gather(
        store.jobs.waiting_by_and_of(team_id="T1", user_id="U0ANN", subject_id="U0DANA"),
        store.jobs.waiting_by_and_of(team_id="T1", user_id="U0BEN", subject_id="U0ANN"),
        store.jobs.waiting_by_and_of(team_id="T2", user_id="U0ANN", subject_id="U0BEN"),
        store.jobs.waiting_by_and_of(team_id="T1", user_id="U0DANA", subject_id=None),
        store.jobs.waiting_by_and_of(
            team_id="T1", user_id=waited.requester.user_id, subject_id="U0BEN"
        ),
    )

    assert counts == [(3, 2), (1, 1), (1, 0), (0, 0), (0, 1)]
    # One by one, the same as together.
    assert await store.jobs.waiting(team_id="T1", user_id="U0ANN") == 3
    assert await store.jobs.waiting(team_id="T1", subject_id="U0DANA") == 2


async def test_media_that_pass_owe_the_card_the_consent_request_and_the_report_at_once(
    store: Store,
) -> None:
    job = await store.jobs.add(
        job_id=new_id(),
        requester=REQUESTER,
        request=replace(REQUEST, subject_id="U0DANA"),
        checking=True,
    )
    cleared = await store.jobs.move(job.id, moves.CLEAR, JobChanges(media_report=REPORT))
    again = await store.jobs.move(job.id, moves.FIND_UNFIT, JobChanges(media_report=REPORT))

    assert cleared is not None
    assert (cleared.status, cleared.media_report) == (JobStatus.AWAITING_CONSENT, REPORT)
    assert again is None  # decided once: a second check changes nothing
    kinds = sorted(r["kind"] for r in await notices_of(store, job.id))
    # The card is not owed a redraw: its announcement, still owed, is drawn as the job is then.
    assert kinds == ["announcement", "consent_request", "media_checked"]


async def test_unfit_media_end_the_job_owing_only_its_result(store: Store) -> None:
    job = await store.jobs.add(
        job_id=new_id(),
        requester=REQUESTER,
        request=replace(REQUEST, subject_id="U0DANA"),
        checking=True,
    )

    unfit = await store.jobs.move(job.id, moves.FIND_UNFIT, JobChanges(media_report=REPORT))

    assert unfit is not None
    assert unfit.status is JobStatus.UNFIT
    assert sorted(r["kind"] for r in await notices_of(store, job.id)) == [
        "announcement",
        "result",
    ]


async def test_a_consent_keeps_its_receipt_with_the_move_and_then_the_replica_id(
    store: Store,
) -> None:
    job = await asking(store)
    kept = receipt_for(job, store.now())

    assert await store.jobs.move(job.id, moves.CONSENT, by="U0DANA", receipt=kept) is not None
    assert await store.receipts.of_job(job.id) == kept
    await store.jobs.move(job.id, moves.SEND, JobChanges(callback_digest=DIGEST))
    await store.jobs.move(job.id, moves.BEGIN_TRAINING, JobChanges(replica_id="r1"))

    assert await store.receipts.of_job(job.id) == replace(kept, replica_id="r1")


async def test_a_lost_answer_writes_no_receipt(store: Store) -> None:
    job = await asking(store)
    await store.jobs.move(job.id, moves.DECLINE, by="U0DANA", receipt=receipt_for(job, START))

    again = await store.jobs.move(
        job.id, moves.CONSENT, by="U0DANA", receipt=receipt_for(job, START)
    )

    assert again is None
    kept = await store.receipts.of_job(job.id)
    assert kept is not None
    assert kept.decision is Decision.GIVEN  # the first one, as written


async def test_a_decision_owes_a_redraw_of_each_approval_request_sent(store: Store) -> None:
    job = await asking(store)
    waiting = await store.jobs.move(
        job.id,
        moves.SEEK_APPROVAL,
        by="U0DANA",
        receipt=receipt_for(job, START),
        asking=["U0ANN", "U0BEN"],
    )
    assert waiting is not None
    requests = [r for r in await notices_of(store, job.id) if r["kind"] == "approval_request"]
    for number, request in enumerate(requests):
        assert await store.notices.claim(request["id"], owner="a", lease=LEASE) is not None
        channel = f"D0{request['recipient']}"
        assert await store.notices.sent(request["id"], owner="a", channel=channel, ts=f"1.{number}")

    # Progress noted meanwhile settles nothing; the approval settles every request sent.
    await store.jobs.note_progress(job.id, "1/100")
    settled_before = [r for r in await notices_of(store, job.id) if r["kind"] == "approval_settled"]
    approved = await store.jobs.move(
        job.id, moves.APPROVE, JobChanges(reviewer_id="U0ANN"), by="U0ANN"
    )

    assert approved is not None
    assert settled_before == []
    redraws = [r for r in await notices_of(store, job.id) if r["kind"] == "approval_settled"]
    sent = [(f"D0{r['recipient']}", f"1.{number}") for number, r in enumerate(requests)]
    assert sorted((r["channel"], r["ts"]) for r in redraws) == sorted(sent)
    assert {r["recipient"] for r in requests} == {"U0ANN", "U0BEN"}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE receipts SET decision = 'declined'",
        "UPDATE receipts SET statement = 'I agree to nothing'",
        "UPDATE receipts SET replica_id = 'r1', dm_ts = '2.0'",
        "DELETE FROM receipts",
    ],
)
async def test_a_receipt_is_never_changed_nor_deleted(store: Store, statement: str) -> None:
    job = await asking(store)
    kept = receipt_for(job, START)
    await store.jobs.move(job.id, moves.CONSENT, by="U0DANA", receipt=kept)

    with pytest.raises(DBAPIError, match="never changed"):
        async with store.db.writing() as connection:
            await connection.execute(text(statement))
    assert await store.receipts.of_job(job.id) == kept


async def matching(store: Store) -> tuple[Job, Receipt]:
    """A job whose consent was just given, its face match under way, approvers kept."""
    job = await asking(store)
    kept = receipt_for(job, START)
    changes = JobChanges(approvers=("U0ANN",), profile_photo="https://a.example.com/d.jpg")
    moved = await store.jobs.move(job.id, moves.MATCH_FACE, changes, by="U0DANA", receipt=kept)
    assert moved is not None
    return moved, kept


FACE = FaceMatch(
    outcome=Likeness.MATCH, model="m", threshold=0.6, frames=5, with_face=5, agreed=5, best=0.1
)
WORDS = ConsentWords(model="s", listened=30.0, words=32, heard=30, error_rate=0.1, name_heard=True)


async def test_a_face_match_keeps_what_it_needs_on_the_job_and_its_outcome_once(
    store: Store,
) -> None:
    job, kept = await matching(store)

    matched = await store.jobs.move(
        job.id,
        moves.MATCHED_FOR_APPROVAL,
        JobChanges(face_match=FACE),
        asking=job.approvers or (),
        compared=Compared(FACE, WORDS),
    )
    again = await store.jobs.move(
        job.id, moves.HOLD, JobChanges(face_match=FACE), compared=Compared(FACE, None)
    )

    assert (job.status, job.approvers) == (JobStatus.MATCHING, ("U0ANN",))
    assert job.profile_photo == "https://a.example.com/d.jpg"
    assert matched is not None
    assert (matched.status, matched.face_match) == (JobStatus.PENDING_APPROVAL, FACE)
    assert again is None  # ended once: a second ending changes nothing, receipt included
    assert await store.receipts.of_job(job.id) == replace(
        kept, face_match=FACE, consent_words=WORDS
    )
    owed = await notices_of(store, job.id)
    kinds = sorted(r["kind"] for r in owed)
    # The receipt shown in the DM is redrawn with the outcome, where it was shown; once.
    assert kinds == ["announcement", "approval_request", "consent_request", "receipt"]
    [redraw] = [r for r in owed if r["kind"] == "receipt"]
    assert (redraw["channel"], redraw["ts"]) == (kept.dm_channel, kept.dm_ts)
    [compared] = [r for r in await store.audit.since() if r.action is Action.FACE_COMPARED]
    assert (compared.job_id, compared.actor) == (job.id, "bot")


async def test_a_receipt_never_shown_in_a_dm_owes_no_redraw_when_the_match_ends(
    store: Store,
) -> None:
    job = await asking(store)
    unshown = replace(receipt_for(job, START), dm_channel=None, dm_ts=None)
    changes = JobChanges(profile_photo="https://a.example.com/d.jpg")
    await store.jobs.move(job.id, moves.MATCH_FACE, changes, by="U0DANA", receipt=unshown)

    matched = await store.jobs.move(
        job.id, moves.MATCHED, JobChanges(face_match=FACE), compared=Compared(FACE)
    )

    assert matched is not None
    assert "receipt" not in {r["kind"] for r in await notices_of(store, job.id)}
    assert (await store.receipts.of_job(job.id)) == replace(unshown, face_match=FACE)


async def test_a_mismatch_is_held_owing_the_thread_and_the_dm_and_then_released(
    store: Store,
) -> None:
    job, _ = await matching(store)
    mismatch = replace(FACE, outcome=Likeness.MISMATCH, agreed=0, best=0.9)

    held = await store.jobs.move(
        job.id, moves.HOLD, JobChanges(face_match=mismatch), compared=Compared(mismatch)
    )
    released = await store.jobs.move(
        job.id, moves.RELEASE, by="U0ADMIN", details={"reason": "checked in person"}
    )

    assert held is not None
    assert held.status is JobStatus.HELD
    assert released is not None
    assert released.status is JobStatus.QUEUED
    kinds = sorted(r["kind"] for r in await notices_of(store, job.id))
    assert kinds == ["announcement", "consent_request", "held", "held_dm", "receipt"]
    compared, record = (await store.audit.since())[-2:]
    assert (compared.action, compared.details["face"]) == (Action.FACE_COMPARED, "mismatch")
    assert (record.action, record.actor) == (Action.RELEASED, "U0ADMIN")
    assert record.details["reason"] == "checked in person"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE receipts SET face_match = '{}'",
        "UPDATE receipts SET consent_words = '{}'",
        "UPDATE receipts SET face_match = NULL",
        "UPDATE receipts SET replica_id = 'r1', face_match = '{}'",
    ],
)
async def test_a_receipts_face_match_is_filled_in_once_and_never_changed(
    store: Store, statement: str
) -> None:
    job, _ = await matching(store)
    await store.jobs.move(
        job.id, moves.MATCHED, JobChanges(face_match=FACE), compared=Compared(FACE, WORDS)
    )
    kept = await store.receipts.of_job(job.id)

    with pytest.raises(DBAPIError, match="never changed"):
        async with store.db.writing() as connection:
            await connection.execute(text(statement))
    assert await store.receipts.of_job(job.id) == kept


# Schema and health


async def test_migrations_are_idempotent_and_keep_data(store: Store, store_url: str) -> None:
    job = await add(store)
    notice = await store.notices.owe(job.id, NoticeKind.ANNOUNCEMENT)

    await store.migrate()
    reopened = await Store.open(store_url)
    try:
        assert await reopened.jobs.get(job.id) == job
        assert [row["id"] for row in await notices_of(reopened, job.id)] == [notice.id]
    finally:
        await reopened.close()


async def test_a_signing_key_kept_before_sealing_survives_the_migration_and_then_fits_sealed(
    store_url: str,
) -> None:
    plain = "c0" * 32
    engine = create_async_engine(store_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_to("0019"))
            await connection.execute(
                text("INSERT INTO keys (name, value) VALUES ('media', :value)"), {"value": plain}
            )
    finally:
        await engine.dispose()
    vault = Vault([Fernet.generate_key().decode()])

    store = await Store.open(store_url)
    try:
        assert await SigningKeys(store.keys, None).get("media") == bytes.fromhex(plain)
        # Sealed in place: a Fernet token, longer than the 128 characters the column once had.
        assert await SigningKeys(store.keys, vault).get("media") == bytes.fromhex(plain)
        [sealed] = (await store.keys.stored()).values()
        assert len(sealed) > 128
        assert vault.open(sealed) == plain
    finally:
        await store.close()


def upgrade_to(revision: str) -> Callable[[Connection], None]:
    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    return upgrade


def downgrade_to(revision: str) -> Callable[[Connection], None]:
    def downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    return downgrade


# SQLAlchemy cannot reflect SQLite's index on an expression; only the columns are looked at.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
async def test_jobs_saved_before_the_media_check_read_as_unchecked_and_it_migrates_back(
    store_url: str,
) -> None:
    engine = create_async_engine(store_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_to("0022"))
            await connection.execute(
                text(
                    "INSERT INTO jobs (id, team_id, user_id, channel_id, replica_name, model_name,"
                    " callback_digest, status, created_at, updated_at) VALUES ('j1', 'T1', 'U1',"
                    " 'C1', 'Dana', 'phoenix-4', '', 'queued', :now, :now)"
                ),
                {"now": START},
            )
    finally:
        await engine.dispose()

    store = await Store.open(store_url)
    try:
        before = await stored(store, "j1")
        await transition(
            store, "j1", from_=(JobStatus.QUEUED,), to=JobStatus.QUEUED, media_report=REPORT
        )
        after = await stored(store, "j1")
    finally:
        await store.close()
    engine = create_async_engine(store_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(downgrade_to("0022"))
            columns = await connection.run_sync(
                lambda sync: {column["name"] for column in inspect(sync).get_columns("jobs")}
            )
            kept = (await connection.execute(text("SELECT id FROM jobs"))).scalars().all()
            await connection.run_sync(upgrade_to("head"))
    finally:
        await engine.dispose()

    assert before.media_report is None
    assert after.media_report == REPORT
    assert "media_report" not in columns
    assert kept == ["j1"]


# SQLAlchemy cannot reflect SQLite's index on an expression: it is looked for in the catalog.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
async def test_schema_has_the_indexes_lookups_need(store: Store, store_url: str) -> None:
    engine = create_async_engine(store_url)
    try:
        async with engine.connect() as connection:
            indexes = await connection.run_sync(
                lambda sync: {
                    table: {index["name"] for index in inspect(sync).get_indexes(table)}
                    for table in ("jobs", "notices")
                }
            )
    finally:
        await engine.dispose()

    assert {"ix_jobs_replica_id", "ix_jobs_status", "ix_jobs_next_check_at"} <= indexes["jobs"]
    assert {"ix_notices_due", "ix_notices_job_id"} <= indexes["notices"]
    catalog = (
        "SELECT indexname FROM pg_indexes WHERE tablename = 'jobs'"
        if store.is_shared
        else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'"
    )
    async with store.db.reading() as connection:
        names = set((await connection.execute(text(catalog))).scalars())
    assert {"ix_jobs_team_name", "ix_jobs_team_created", "ix_jobs_subject_id"} <= names


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def reachable(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[Store, Outage]]:
    """A store on each backend, and a way to put its database out of reach for real."""
    outage: Outage
    if request.param == "sqlite":
        url = alone_in_a_folder(tmp_path / "data").replace("sqlite://", "sqlite+aiosqlite://", 1)
        store = await Store.open(url, clock=clock)
        outage = FolderAway(url, store)
        yield store, outage
        await store.close()
        return
    server: str = request.getfixturevalue("postgres_server")
    async with behind_a_proxy(server) as (through, proxy):
        store = await Store.open(through.render_as_string(False), clock=clock, pool=Pool(timeout=1))
        yield store, LineCut(proxy)
        await store.close()


async def test_a_database_out_of_reach_is_unavailable_to_reads_and_writes_until_back(
    reachable: tuple[Store, Outage],
) -> None:
    store, outage = reachable
    job = await add(store)

    await outage.cut()
    attempts: dict[str, Callable[[], Awaitable[object]]] = {
        "ping": store.ping,
        "a read": lambda: store.jobs.get(job.id),
        "the sender's read": lambda: store.notices.due(excluding=set(), holding=set()),
        "a write": lambda: transition(
            store, job.id, from_=(JobStatus.QUEUED,), to=JobStatus.TRAINING
        ),
    }
    for what, attempt in attempts.items():
        with pytest.raises(StoreUnavailable) as raised:
            await attempt()
        # The store's own translation of the driver's error, which every caller relies on.
        assert unavailable_from_the_driver(raised.value), what
    outage.restore()

    await store.ping()
    assert (await stored(store, job.id)).status is JobStatus.QUEUED  # the write never landed
    moved = await transition(store, job.id, from_=(JobStatus.QUEUED,), to=JobStatus.TRAINING)
    assert moved is not None


async def test_ping_answers_while_the_database_does(store: Store) -> None:
    await store.ping()
    await store.close()
    # A closed engine reconnects on demand, so ping keeps telling the truth after a blip.
    await store.ping()


async def test_opening_a_database_that_cannot_exist_fails(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable):
        await Store.open(f"sqlite+aiosqlite:///{tmp_path}/no-such-folder/bot.db")
    # aiosqlite stops a failed connection's thread in the background; it reports to this
    # event loop, so the test must not end (and close the loop) before that thread does.
    workers = [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]
    for worker in workers:
        await asyncio.to_thread(worker.join, 5)


async def test_the_audit_channel_is_owed_each_new_record_once_whoever_relays(store: Store) -> None:
    await add(store)  # before the channel: never owed
    assert await store.notices.relay_audit("C0AUDIT") == 0
    for _ in range(3):
        await add(store)

    owed = await asyncio.gather(*(store.notices.relay_audit("C0AUDIT") for _ in range(4)))

    assert sum(owed) == 3
    due = await store.notices.due()
    copies = [notice for notice, job in due if notice.kind is NoticeKind.AUDIT]
    assert [job for notice, job in due if notice.kind is NoticeKind.AUDIT] == [None] * 3
    seqs = [notice.audit_seq for notice in copies]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 3
    assert {notice.recipient for notice in copies} == {"C0AUDIT"}
    assert await store.notices.relay_audit("C0AUDIT") == 0
    first = await store.audit.get(seqs[0] or 0)
    assert first is not None
    assert first.action is Action.REQUESTED


async def test_a_workspaces_policy_is_its_own_and_saved_in_place(store: Store) -> None:
    now = store.now()
    first = StoredPolicy("T1", "admins", "", None, "off", "U0ADA", now)
    second = StoredPolicy("T1", "U0CAROL", "U0ANN,S0LEGAL", "C0LEGAL", "require", "U0BEN", now)
    change = Record(at=now, team_id="T1", actor="U0ADA", action=Action.POLICY_CHANGED)

    await store.policies.save(first, change)
    await store.policies.save(second, change)

    assert await store.policies.get("T1") == second
    assert await store.policies.get("T2") is None
    # Asked at the same moment, read together: each workspace gets its own.
    together = await asyncio.gather(*(store.policies.get(t) for t in ("T2", "T1", "T1", "T3")))
    assert together == [None, second, second, None]
    assert [r.action for r in await store.audit.since()].count(Action.POLICY_CHANGED) == 2


async def test_a_policy_without_a_face_match_keeps_none_rather_than_a_word(store: Store) -> None:
    now = store.now()
    chosen = StoredPolicy("T1", "everyone", "", None, "warn", "U0ADA", now)
    change = Record(at=now, team_id="T1", actor="U0ADA", action=Action.POLICY_CHANGED)

    await store.policies.save(chosen, change)
    await store.policies.save(replace(chosen, face_match=None), change)

    # None is "the setting's default", read by governance: the store fills in no word of its own.
    found = await store.policies.get("T1")
    assert found is not None
    assert found.face_match is None


async def test_policies_saved_before_the_face_match_have_none_and_it_migrates_back(
    store_url: str,
) -> None:
    engine = create_async_engine(store_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_to("0023"))
            await connection.execute(
                text(
                    "INSERT INTO policies (team_id, creators, approvers, approval_channel,"
                    " updated_by, updated_at) VALUES ('T1', 'admins', 'U0ANN', NULL, 'U0ADA',"
                    " :now)"
                ),
                {"now": START},
            )
    finally:
        await engine.dispose()

    store = await Store.open(store_url)
    try:
        before = await store.policies.get("T1")
    finally:
        await store.close()
    engine = create_async_engine(store_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(downgrade_to("0023"))
            columns = await connection.run_sync(
                lambda sync: {column["name"] for column in inspect(sync).get_columns("policies")}
            )
            kept = (await connection.execute(text("SELECT creators FROM policies"))).all()
            await connection.run_sync(upgrade_to("head"))
    finally:
        await engine.dispose()

    assert before is not None
    assert (before.creators, before.approvers, before.face_match) == ("admins", "U0ANN", None)
    assert "face_match" not in columns
    assert [tuple(row) for row in kept] == [("admins",)]


async def test_a_redraw_owed_while_another_is_being_sent_is_owed_anew(store: Store) -> None:
    job = await add(store)
    first = await store.notices.owe(job.id, NoticeKind.CARD)
    assert await store.notices.owe(job.id, NoticeKind.CARD) == first  # one pending is enough

    claimed = await store.notices.claim(first.id, owner="a", lease=LEASE)
    again = await store.notices.owe(job.id, NoticeKind.CARD)

    # The one being sent was drawn from the job as claimed: the change needs its own redraw.
    assert claimed is not None
    assert again.id != first.id


async def test_a_page_after_the_last_job_shown_is_found_by_key(
    store: Store, clock: FakeClock
) -> None:
    made = []
    for _ in range(3):
        made.append(await add(store))
        clock.advance(seconds=1)
    team = REQUESTER.team_id

    first = await store.jobs.page(team_id=team, limit=2)
    newest = await add(store)  # arrives meanwhile: shifts nothing after the key
    last = first[-1]
    rest = await store.jobs.page(team_id=team, limit=2, after=(last.created_at, last.id))

    assert [job.id for job in first] == [made[2].id, made[1].id]
    assert [job.id for job in rest] == [made[0].id]
    assert newest.id not in {job.id for job in rest}


async def test_each_viewer_sees_as_far_as_their_sight_reaches(store: Store) -> None:
    async def asked(user: str, subject: str, private: bool) -> Job:
        requester = replace(REQUESTER, user_id=user, private=private)
        request = replace(REQUEST, subject_id=subject)
        return await store.jobs.add(job_id=new_id(), requester=requester, request=request)

    public = await asked("U1", "U1", private=False)
    hidden = await asked("U1", "U1", private=True)
    of_guest = await asked("U1", "UGUEST", private=True)
    by_guest = await asked("UGUEST", "U1", private=False)
    team = REQUESTER.team_id

    async def seen(viewer: Viewer) -> set[str]:
        return {job.id for job in await store.jobs.page(team_id=team, viewer=viewer)}

    everything = {public.id, hidden.id, of_guest.id, by_guest.id}
    assert await seen(Viewer("UADMIN", Sight.ALL)) == everything
    assert await seen(Viewer("U2", Sight.MEMBER)) == {public.id, by_guest.id}
    assert await seen(Viewer("UGUEST", Sight.GUEST)) == {of_guest.id, by_guest.id}
    guest = Viewer("UGUEST", Sight.GUEST)
    assert await store.jobs.find(team_id=team, query="Dana", viewer=guest) is not None
    stranger = Viewer("U9", Sight.GUEST)
    assert await store.jobs.find(team_id=team, query="Dana", viewer=stranger) is None


# Slack's budgets, shared by instances


def instance_budgets(store: Store) -> Budgets:
    """One instance's budgets, kept in the store, on the store's clock."""
    paces = SharedPaces(store.paces, clock=lambda: store.now().timestamp())
    return Budgets(paces, Limits(post=Limit(rate=1, burst=2)), most_wait=60)


async def test_instances_sharing_a_database_share_each_budget(
    store: Store, store_url: str, clock: FakeClock
) -> None:
    other = await Store.open(store_url, clock=clock)
    try:
        one, two = instance_budgets(store), instance_budgets(other)

        # Turns taken by either instance come from one budget: a burst of two, then one a second.
        waits = [await budgets.turn("chat.postMessage", "C1") for budgets in (one, two) * 3]
        assert waits == pytest.approx([0, 0, 1, 2, 3, 4])
        assert await two.turn("chat.postMessage", "C2") == 0

        # A 429 one instance met holds the other back, and both resume with one message.
        clock.advance(seconds=10)
        await one.pause("chat.postMessage", "C1", 30)
        assert await two.delay("chat.postMessage", "C1") == pytest.approx(30)
        clock.advance(seconds=30)
        assert await two.turn("chat.postMessage", "C1") == 0
        assert await one.turn("chat.postMessage", "C1") > 1
    finally:
        await other.close()


async def test_turns_taken_at_once_are_never_the_same_turn(
    store: Store, store_url: str, clock: FakeClock
) -> None:
    # Two instances on PostgreSQL (the row lock); on SQLite, one instance's many tasks (its
    # one writer): SQLite is a file on one machine, and the bot shares paces only on PostgreSQL.
    other = await Store.open(store_url, clock=clock) if store.is_shared else store
    try:
        one, two = instance_budgets(store), instance_budgets(other)
        waits = await asyncio.gather(
            *(budgets.turn("chat.postMessage", "C1") for budgets in (one, two) * 10)
        )
    finally:
        if other is not store:
            await other.close()

    # Twenty turns: a burst of two at once, then one a second, none given twice.
    assert sorted(waits) == pytest.approx([0, 0, *range(1, 19)])


# Installations by OAuth, and their states


def installed(*, team: str | None = "T1", org: str | None = None, **changes: Any) -> Installed:
    values: dict[str, Any] = {
        "team_id": team,
        "enterprise_id": org,
        "is_enterprise_install": team is None,
        "bot_id": "B1",
        "bot_user_id": "U0BOT",
        "bot_scopes": "chat:write,commands",
        "bot_token_sealed": "sealed-token",
        "installer_id": "U0ADA",
        "installed_at": START,
        **changes,
    }
    return Installed(**values)


async def test_an_install_is_found_by_its_workspace_and_replaced_in_place(store: Store) -> None:
    await store.installations.save(installed())
    await store.installations.save(installed(bot_token_sealed="resealed", installer_id="U0BEN"))

    found = await store.installations.find(team_id="T1", enterprise_id=None)

    assert found == installed(bot_token_sealed="resealed", installer_id="U0BEN")
    assert list(await store.installations.sealed()) == ["T:T1"]
    assert await store.installations.find(team_id="T2", enterprise_id=None) is None


async def test_an_org_install_serves_every_workspace_of_the_org(store: Store) -> None:
    await store.installations.save(installed(team=None, org="E1"))
    await store.installations.save(installed(team="T9", org="E1", bot_id="B9"))

    of_org = await store.installations.find(team_id="T2", enterprise_id="E1")
    own = await store.installations.find(team_id="T9", enterprise_id="E1")
    by_org = await store.installations.find(
        team_id=None, enterprise_id="E1", is_enterprise_install=True
    )

    assert of_org == installed(team=None, org="E1")
    assert own == installed(team="T9", org="E1", bot_id="B9")  # its own install comes first
    assert by_org == of_org
    assert await store.installations.find(team_id="T2", enterprise_id="E2") is None


async def test_an_install_is_forgotten_once(store: Store) -> None:
    await store.installations.save(installed())

    assert await store.installations.delete(team_id="T1", enterprise_id=None) == 1
    assert await store.installations.delete(team_id="T1", enterprise_id=None) == 0
    assert await store.installations.find(team_id="T1", enterprise_id=None) is None


async def test_a_token_is_resealed_only_if_unchanged_meanwhile(store: Store) -> None:
    await store.installations.save(installed())

    assert not await store.installations.reseal("T:T1", was="other", now="new")
    assert await store.installations.reseal("T:T1", was="sealed-token", now="new")
    assert await store.installations.sealed() == {"T:T1": "new"}


async def test_an_oauth_state_is_spent_once_and_kept_until_it_expires(
    store: Store, clock: FakeClock
) -> None:
    later = START + timedelta(minutes=10)

    assert await store.oauth_states.spend("s1", expires_at=later, most=10)
    assert not await store.oauth_states.spend("s1", expires_at=later, most=10)  # replayed
    clock.advance(minutes=10)
    assert await store.oauth_states.spend("s2", expires_at=later + timedelta(minutes=10), most=1)
    async with store.db.reading() as connection:
        kept = await connection.execute(select(oauth_states.c.state))
        assert [row.state for row in kept] == ["s2"]  # s1 expired, and was swept


async def test_no_more_oauth_states_are_kept_at_once_than_allowed(store: Store) -> None:
    later = START + timedelta(minutes=10)
    for number in range(3):
        assert await store.oauth_states.spend(f"s{number}", expires_at=later, most=3)

    assert not await store.oauth_states.spend("s3", expires_at=later, most=3)
    async with store.db.reading() as connection:
        assert len((await connection.execute(select(oauth_states))).all()) == 3


def connected(team: str = "T1", **changes: Any) -> Connected:
    fields: dict[str, Any] = {
        "team_id": team,
        "key_sealed": "sealed-key",
        "last4": "ab12",
        "saved_by": "U0ADMIN",
        "saved_at": START,
    }
    return Connected(**{**fields, **changes})


async def test_a_workspaces_tavus_key_is_its_own_replaced_in_place_and_resealed(
    store: Store,
) -> None:
    await store.tavus_accounts.save(connected())
    await store.tavus_accounts.save(connected(key_sealed="newer", last4="cd34"))
    await store.tavus_accounts.save(connected("T2", key_sealed="theirs"))

    assert await store.tavus_accounts.find("T1") == connected(key_sealed="newer", last4="cd34")
    assert not await store.tavus_accounts.reseal("T1", was="sealed-key", now="x")
    assert await store.tavus_accounts.reseal("T1", was="newer", now="resealed")
    assert await store.tavus_accounts.sealed() == {"T1": "resealed", "T2": "theirs"}
    assert await store.tavus_accounts.delete(team_id="T1") == 1
    assert await store.tavus_accounts.delete(team_id="T1") == 0
    assert await store.tavus_accounts.find("T1") is None
    assert await store.tavus_accounts.find("T2") is not None


async def test_a_key_replaced_is_kept_under_its_fingerprint_until_connected_again(
    store: Store, clock: FakeClock
) -> None:
    await store.tavus_accounts.save(connected(key_sealed="a", fingerprint="fa"))
    clock.advance(minutes=5)

    assert await store.tavus_accounts.save(
        connected(key_sealed="b", fingerprint="fb", last4="cd34"), was="a"
    )

    found = await store.tavus_accounts.find("T1")
    assert found is not None
    assert (found.key_sealed, found.fingerprint) == ("b", "fb")
    assert await store.tavus_accounts.replaced("T1", "fa") == connected(
        key_sealed="a", fingerprint="fa"
    )
    assert await store.tavus_accounts.replaced("T1", "fb") is None
    assert await store.tavus_accounts.replaced("T2", "fa") is None
    assert await store.replaced_keys.sealed() == {"T1/fa": "a"}
    # Connected again, it is current, and kept once.
    assert await store.tavus_accounts.save(connected(key_sealed="a2", fingerprint="fa"), was="b")
    assert await store.replaced_keys.sealed() == {"T1/fb": "b"}


async def test_a_key_save_loses_to_another_saved_since_it_was_read(store: Store) -> None:
    await store.tavus_accounts.save(connected(key_sealed="a", fingerprint="fa"))

    stale = await store.tavus_accounts.save(connected(key_sealed="b", fingerprint="fb"), was="x")
    first = await store.tavus_accounts.save(connected("T2", key_sealed="c"), was=None)
    again = await store.tavus_accounts.save(connected("T2", key_sealed="d"), was=None)

    assert (stale, first, again) == (False, True, False)
    found = await store.tavus_accounts.find("T1")
    assert found is not None
    assert found.key_sealed == "a"
    assert await store.replaced_keys.sealed() == {}
    assert (await store.tavus_accounts.sealed())["T2"] == "c"


async def test_jobs_sent_before_fingerprints_are_marked_with_the_key_replaced(
    store: Store,
) -> None:
    await store.tavus_accounts.save(connected(key_sealed="a"))  # saved before fingerprints
    sent = await add_in(store, JobStatus.TRAINING, replica_id="r1")
    named = await add_in(store, JobStatus.READY, replica_id="r2", tavus_account="fz")
    unsent = await add(store)

    assert await store.tavus_accounts.save(
        connected(key_sealed="b", fingerprint="fb"), was="a", was_fingerprint="fa"
    )

    assert (await stored(store, sent.id)).tavus_account == "fa"
    assert (await stored(store, named.id)).tavus_account == "fz"
    assert (await stored(store, unsent.id)).tavus_account is None  # goes with the next key
    assert await store.replaced_keys.sealed() == {"T1/fa": "a"}


async def test_a_replaced_key_is_forgotten_once_no_job_needs_it(
    store: Store, clock: FakeClock
) -> None:
    for fingerprint, status, changes in [
        ("f1", JobStatus.TRAINING, {"replica_id": "r1"}),
        ("f2", JobStatus.READY, {"replica_id": "r2"}),  # may still be withdrawn or deleted
        ("f3", JobStatus.WITHDRAWN, {"next_check_at": START}),  # its lost replica looked for
        ("f4", JobStatus.DELETED, {"replica_id": "r4"}),
        ("f5", JobStatus.REJECTED, {}),
        ("f6", JobStatus.WITHDRAWN, {"replica_id": "r6", "next_check_at": None}),
    ]:
        await add_in(store, status, tavus_account=fingerprint, **changes)

    async def replace_key(team: str, fingerprint: str) -> None:
        await store.tavus_accounts.save(
            connected(team, key_sealed=fingerprint, fingerprint=fingerprint)
        )
        await store.tavus_accounts.save(connected(team, key_sealed="now", fingerprint="fnow"))

    for fingerprint in ("f0", "f1", "f2", "f3", "f4", "f5", "f6"):
        await replace_key("T1", fingerprint)
    await replace_key("T2", "f2")  # the same account, but no job of this workspace needs it
    clock.advance(minutes=30)
    await replace_key("T3", "f7")  # replaced just now: a create may be about to name it

    assert await store.tavus_accounts.prune(retired_before=clock.now) == 5

    assert sorted(await store.replaced_keys.sealed()) == ["T1/f1", "T1/f2", "T1/f3", "T3/f7"]


async def test_a_workspace_that_leaves_takes_its_replaced_keys_with_it(store: Store) -> None:
    for team, org in [("T1", "E1"), ("T2", "E1"), ("T3", None)]:
        await store.tavus_accounts.save(
            connected(team, key_sealed="a", fingerprint="fa", enterprise_id=org)
        )
        await store.tavus_accounts.save(
            connected(team, key_sealed="b", fingerprint="fb", enterprise_id=org)
        )

    await store.tavus_accounts.delete(team_id=None, enterprise_id="E1", keeping=["T2"])
    await store.tavus_accounts.delete(team_id="T3")

    assert await store.replaced_keys.sealed() == {"T2/fa": "a"}


async def test_a_replaced_key_is_resealed_only_if_unchanged(store: Store) -> None:
    await store.tavus_accounts.save(connected(key_sealed="a", fingerprint="fa"))
    await store.tavus_accounts.save(connected(key_sealed="b", fingerprint="fb"))

    assert not await store.replaced_keys.reseal("T1/fa", was="x", now="y")
    assert await store.replaced_keys.reseal("T1/fa", was="a", now="a2")
    assert not await store.replaced_keys.reseal("T1/fb", was="b", now="b2")  # current: not here
    assert await store.replaced_keys.sealed() == {"T1/fa": "a2"}


async def test_a_connect_link_opens_one_session_which_lasts_until_it_expires(
    store: Store, clock: FakeClock
) -> None:
    until = START + timedelta(minutes=15)
    await store.connect_links.issue("n1", team_id="T1", user_id="U0ADMIN", expires_at=until)

    visit = await store.connect_links.open("n1", session_digest="d1", csrf="c1")
    assert visit == Visit(team_id="T1", user_id="U0ADMIN", csrf="c1", expires_at=until)
    assert await store.connect_links.open("n1", session_digest="d2", csrf="c2") is None  # used
    assert await store.connect_links.open("forged", session_digest="d3", csrf="c3") is None
    assert await store.connect_links.visit("d1") == visit
    assert await store.connect_links.visit("d2") is None
    clock.advance(minutes=15)
    assert await store.connect_links.visit("d1") is None  # expired


async def test_a_connect_session_ends_when_its_key_is_saved_or_its_workspace_goes(
    store: Store,
) -> None:
    until = START + timedelta(minutes=15)
    for nonce in ("n1", "n2"):
        await store.connect_links.issue(nonce, team_id="T1", user_id="U1", expires_at=until)
        await store.connect_links.open(nonce, session_digest=f"d-{nonce}", csrf="c")

    await store.connect_links.end("d-n1")
    assert await store.connect_links.visit("d-n1") is None
    assert await store.connect_links.visit("d-n2") is not None
    await store.connect_links.forget(team_id="T1")
    assert await store.connect_links.visit("d-n2") is None


async def test_an_org_wide_uninstall_forgets_every_key_and_link_of_the_org(store: Store) -> None:
    await store.tavus_accounts.save(connected("T1", enterprise_id="E1"))
    await store.tavus_accounts.save(connected("T2", enterprise_id="E1"))
    await store.tavus_accounts.save(connected("T3"))
    until = START + timedelta(minutes=15)
    await store.connect_links.issue("n1", team_id="T1", user_id="U1", expires_at=until)
    await store.connect_links.issue(
        "n2", team_id="T2", user_id="U1", expires_at=until, enterprise_id="E1"
    )

    assert await store.tavus_accounts.delete(team_id=None, enterprise_id="E1") == 2
    await store.connect_links.forget(team_id=None, enterprise_id="E1")

    assert await store.tavus_accounts.sealed() == {"T3": "sealed-key"}
    assert await store.connect_links.open("n2", session_digest="d", csrf="c") is None
    opened = await store.connect_links.open("n1", session_digest="d1", csrf="c")
    assert opened is not None
    assert opened.enterprise_id is None


async def open_session(store: Store, digest: str, team: str = "T1") -> None:
    """A Connect Tavus link issued to an admin of `team` and opened: a session by `digest`."""
    until = START + timedelta(minutes=15)
    await store.connect_links.issue(
        f"n-{digest}", team_id=team, user_id="U0ADMIN", expires_at=until
    )
    assert await store.connect_links.open(f"n-{digest}", session_digest=digest, csrf="c")


def connected_by(team: str = "T1", **details: Any) -> Record:
    return Record(
        at=START, team_id=team, actor="U0ADMIN", action=Action.TAVUS_CONNECTED, details=details
    )


async def test_a_key_its_record_and_its_sessions_end_are_written_together(store: Store) -> None:
    await store.tavus_accounts.save(connected(key_sealed="a", fingerprint="fa"))
    for digest in ("d1", "d2"):
        await open_session(store, digest)
    record = connected_by(fingerprint="fb", replaced="fa")

    assert await store.tavus_accounts.save(
        connected(key_sealed="b", fingerprint="fb"), was="a", record=record, ending="d1"
    )

    found = await store.tavus_accounts.find("T1")
    assert found is not None
    assert found.key_sealed == "b"
    assert await store.replaced_keys.sealed() == {"T1/fa": "a"}
    [written] = await store.audit.since()
    assert replace(written, seq=None) == record
    assert await store.connect_links.visit("d1") is None
    assert await store.connect_links.visit("d2") is not None  # another admin's page: still open


async def test_a_key_save_that_loses_writes_neither_its_record_nor_its_sessions_end(
    store: Store,
) -> None:
    await store.tavus_accounts.save(connected(key_sealed="a", fingerprint="fa"))
    await store.tavus_accounts.save(connected("T2", key_sealed="c", fingerprint="fc"))
    await open_session(store, "d1")
    await open_session(store, "d2", team="T2")

    # Another key was saved since "x" was read; a first key was saved since none was.
    stale = await store.tavus_accounts.save(
        connected(key_sealed="b", fingerprint="fb"),
        was="x",
        record=connected_by(fingerprint="fb"),
        ending="d1",
    )
    late = await store.tavus_accounts.save(
        connected("T2", key_sealed="d", fingerprint="fd"),
        was=None,
        record=connected_by("T2", fingerprint="fd"),
        ending="d2",
    )

    assert (stale, late) == (False, False)
    assert await store.tavus_accounts.sealed() == {"T1": "a", "T2": "c"}
    assert await store.audit.since() == []
    assert await store.connect_links.visit("d1") is not None
    assert await store.connect_links.visit("d2") is not None


@pytest.mark.parametrize("was", ["a", None], ids=["replacing", "first"])
async def test_a_record_the_log_refuses_leaves_the_key_and_the_session_as_they_were(
    store: Store, was: str | None
) -> None:
    if was is not None:
        await store.tavus_accounts.save(connected(key_sealed=was, fingerprint="fa"))
    sent = await add_in(store, JobStatus.TRAINING, replica_id="r1")
    await open_session(store, "d1")
    # No actor: the audit table's NOT NULL refuses it, the key's rows already written.
    refused = replace(connected_by(fingerprint="fb"), actor=None)

    with pytest.raises(IntegrityError):
        await store.tavus_accounts.save(
            connected(key_sealed="b", fingerprint="fb"), was=was, record=refused, ending="d1"
        )

    assert await store.tavus_accounts.sealed() == ({"T1": was} if was else {})
    assert await store.replaced_keys.sealed() == {}
    assert (await stored(store, sent.id)).tavus_account is None  # not marked as made with "a"
    assert [r.action for r in await store.audit.since()] == [Action.REQUESTED]  # the job's
    assert await store.connect_links.visit("d1") is not None


async def test_retention_clears_the_details_of_long_finished_jobs_once(
    store: Store, clock: FakeClock
) -> None:
    old = await add_in(
        store,
        JobStatus.FAILED,
        error_message="Tavus: face not found",
        thumbnail_url="https://cdn.example.com/t.mp4",
        media_report=REPORT,
        next_check_at=None,
    )
    unfinished = await add_in(store, JobStatus.TRAINING, replica_id="r-training")
    await add_in(store, JobStatus.READY, next_check_at=None, replica_id="r-ready")
    await store.talks.claim(old.id, "U1", since=clock.now)
    await store.talks.opened(old.id, "U1", conversation_id="c1", url="https://room/c1")
    clock.advance(days=400)
    recent = await add_in(store, JobStatus.READY, next_check_at=None, replica_id="r-recent")

    first = await store.jobs.forget_details(before=clock.now - timedelta(days=365), days=365)
    again = await store.jobs.forget_details(before=clock.now - timedelta(days=365), days=365)

    assert first == {"T1": 2}
    assert again == {}
    cleared = await stored(store, old.id)
    assert cleared.request.train_image_url is None
    assert (cleared.error_message, cleared.thumbnail_url, cleared.media_report) == (None,) * 3
    assert cleared.status is JobStatus.FAILED  # the outcome stays
    assert await store.talks.get(old.id, "U1") is None  # its conversation's link goes too
    assert (await stored(store, unfinished.id)).request.train_image_url is not None
    assert (await stored(store, recent.id)).request.train_image_url is not None
    records = [r for r in await store.audit.since() if r.action is Action.EXPUNGED]
    assert [(r.team_id, r.details) for r in records] == [("T1", {"jobs": 2, "retention_days": 365})]


async def test_a_talk_is_claimed_once_then_shared_until_it_is_old(
    store: Store, clock: FakeClock
) -> None:
    since = clock.now - timedelta(minutes=10)
    assert await store.talks.claim("j1", "U1", since=since) is None  # ours: ask Tavus
    opening = await store.talks.claim("j1", "U1", since=since)
    await store.talks.opened("j1", "U1", conversation_id="c1", url="https://room/c1")
    opened = await store.talks.claim("j1", "U1", since=since)
    other = await store.talks.claim("j1", "U2", since=since)
    clock.advance(minutes=11)
    again = await store.talks.claim("j1", "U1", since=clock.now - timedelta(minutes=10))

    assert opening == Opened(None, START)  # another click is opening it
    assert opened == Opened("https://room/c1", START)
    assert (other, again) == (None, None)


async def test_a_talk_tavus_did_not_open_is_released(store: Store, clock: FakeClock) -> None:
    since = clock.now - timedelta(minutes=10)
    await store.talks.claim("j1", "U1", since=since)
    await store.talks.release("j1", "U1")

    assert await store.talks.get("j1", "U1") is None
    assert await store.talks.claim("j1", "U1", since=since) is None


async def test_jobs_are_counted_by_status_every_status_named(store: Store) -> None:
    await store.jobs.add(job_id="j1", requester=REQUESTER, request=REQUEST)
    await store.jobs.add(job_id="j2", requester=REQUESTER, request=REQUEST)

    counts = await store.jobs.count_by_status()

    assert set(counts) == {status.value for status in JobStatus}
    assert counts[JobStatus.QUEUED.value] == 2
    assert sum(counts.values()) == 2


async def test_owed_notices_are_counted_with_the_oldest_moment(
    store: Store, clock: FakeClock
) -> None:
    assert await store.notices.owed() == (0, None)
    await store.jobs.add(job_id="j1", requester=REQUESTER, request=REQUEST)
    await store.notices.owe("j1", NoticeKind.RESULT)
    clock.advance(minutes=5)
    await store.notices.owe("j1", NoticeKind.STALE)

    assert await store.notices.owed() == (2, START)
