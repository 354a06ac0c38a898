"""The audit log: what the bot records as it goes, that nothing may change it, and its export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.governance import audit
from bot.governance.audit import Action, Record
from bot.slack.blocks import form
from bot.store import Store
from tests.conftest import Bot, Launch
from tests.flows import (
    ask,
    ask_for_consent,
    click,
    consent,
    consent_request_of,
    delivered,
    settled_create,
    start_training,
)
from tests.slack_client import TEAM_ID, USER_ID
from tests.standins.server import Fault

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
AUDIT_CHANNEL = "C0AUDIT"
DANA = "U0DANA"


def actions(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(row["action"], row["actor"]) for row in rows]


async def test_a_replica_trained_to_the_end_is_on_record_step_by_step(bot: Bot) -> None:
    await start_training(bot)
    [job] = await bot.jobs()
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))
    await delivered(bot)

    rows = await bot.audit()

    assert actions(rows) == [
        ("requested", USER_ID),
        ("consent_given", USER_ID),
        ("created", "bot"),
        ("ready", "tavus"),
    ]
    assert {row["job_id"] for row in rows} == {job["id"]}
    replica = job["replica_id"]
    assert [row["replica_id"] for row in rows] == [None, None, replica, replica]
    assert all(row["team_id"] == job["team_id"] for row in rows)
    requested = json.loads(rows[0]["details"])
    assert requested == {
        "replica_name": "Dana",
        "model_name": job["model_name"],
        "channel_id": job["channel_id"],
    }


async def test_a_failed_training_records_tavus_reason(bot: Bot) -> None:
    await start_training(bot)
    [job] = await bot.jobs()
    body = bot.tavus.finish(job["replica_id"], "There was an issue downloading your video file")
    await bot.tavus.call_back(job["replica_id"], body)
    await delivered(bot)

    *_, failed = await bot.audit()

    assert (failed["action"], failed["actor"]) == ("failed", "tavus")
    assert "downloading your video" in json.loads(failed["details"])["error"]


async def test_renames_and_deletes_record_who_asked(bot: Bot) -> None:
    await start_training(bot)
    [job] = await bot.jobs()
    bot.slack.admins.add("U0ADMIN")

    await ask(bot, f"rename {job['replica_id']} Dana (sales)")
    await click(bot, "delete_replica", job["id"], user="U0ADMIN")

    rows = await bot.audit()
    assert actions(rows)[-2:] == [("renamed", USER_ID), ("deleted", "U0ADMIN")]
    assert json.loads(rows[-2]["details"]) == {"replica_name": "Dana (sales)"}


async def test_a_refused_rename_records_nothing(bot: Bot) -> None:
    await start_training(bot)
    [job] = await bot.jobs()

    await ask(bot, f"rename {job['replica_id']} Stolen", user="U0BOB")

    assert [row["action"] for row in await bot.audit()] == [
        "requested",
        "consent_given",
        "created",
    ]


def test_records_export_as_csv_and_json_lines() -> None:
    records = [
        Record(AT, "T1", "U1", Action.REQUESTED, "j1", None, None, {"replica_name": "Dana"}, 1),
        Record(AT, "T1", audit.TAVUS, Action.READY, "j1", "r1", None, {"n": 1}, 2),
    ]

    rows = list(csv.DictReader(io.StringIO(audit.to_csv(records))))
    lines = [json.loads(line) for line in audit.to_jsonl(records).splitlines()]

    assert [row["action"] for row in rows] == ["requested", "ready"]
    assert rows[0] == {
        "seq": "1",
        "at": "2026-12-01T09:30:00+00:00",
        "team_id": "T1",
        "actor": "U1",
        "action": "requested",
        "job_id": "j1",
        "replica_id": "",
        "subject": "",
        "details": '{"replica_name": "Dana"}',
    }
    assert lines[1]["details"] == {"n": 1}
    assert (lines[1]["actor"], lines[1]["replica_id"]) == ("tavus", "r1")
    assert audit.to_csv([]) == ",".join(audit.COLUMNS) + "\n"


async def export(tmp_path: Path, database_url: str, *args: str) -> tuple[int, str, str]:
    """Run `python -m bot audit ARGS` with only DATABASE_URL set, as an operator would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TAVUS_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "audit",
        *args,
        cwd=tmp_path,
        env={**env, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_command_line_prints_the_log_from_the_bots_own_database(
    bot: Bot, tmp_path: Path
) -> None:
    await start_training(bot)
    [job] = await bot.jobs()
    url = bot.settings.database_url

    code, out, err = await export(tmp_path, url)
    jsonl_code, jsonl, _ = await export(tmp_path, url, "--format", "jsonl", "--since", "2000-01-01")
    later_code, later, _ = await export(tmp_path, url, "--since", "2999-01-01")

    assert (code, err) == (0, "")
    assert [row["action"] for row in csv.DictReader(io.StringIO(out))] == [
        "requested",
        "consent_given",
        "created",
    ]
    assert jsonl_code == 0
    assert [json.loads(line)["job_id"] for line in jsonl.splitlines()] == [job["id"]] * 3
    assert (later_code, later) == (0, ",".join(audit.COLUMNS) + "\n")


async def test_the_command_line_refuses_a_day_it_cannot_read(tmp_path: Path) -> None:
    code, out, err = await export(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", "--since", "12/01")

    assert (code, out) == (2, "")
    assert "YYYY-MM-DD" in err
    assert "Traceback" not in err


async def test_every_record_is_also_posted_in_the_audit_channel_once(launch: Launch) -> None:
    bot = await launch(audit_channel=AUDIT_CHANNEL)
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user="U0SOMEONE")  # refused: not the person shown
    await consent(bot, job["id"], user=DANA)
    await settled_create(bot, job["id"])

    await bot.slack.wait_until(lambda: len(bot.slack.posts(AUDIT_CHANNEL)) >= 4, within=15)
    await delivered(bot)

    records = await bot.audit()
    posts = bot.slack.posts(AUDIT_CHANNEL)
    assert [r["action"] for r in records] == ["requested", "refused", "consent_given", "created"]
    assert len(posts) == len(records)  # each once, in order
    for record, post in zip(records, posts, strict=True):
        assert f"*{record['action'].replace('_', ' ')}*" in post["text"]
    assert f"<@{USER_ID}> *requested* · job `{job['id']}` · of <@{DANA}>" in posts[0]["text"]
    assert "what: consent, why: not the person shown" in posts[1]["text"]


async def test_the_audit_channel_starts_from_now_and_a_failed_post_is_tried_again(
    launch: Launch,
) -> None:
    first = await launch()
    await ask_for_consent(first, **{form.SUBJECT: DANA})
    await first.stop()
    bot = await launch(audit_channel=AUDIT_CHANNEL)
    # Slack fails the channel's first post: it is tried again, not lost.
    bot.slack.fail_next(
        "chat.postMessage", Fault(500, {"ok": False, "error": "fatal_error"}), channel=AUDIT_CHANNEL
    )
    async with asyncio.timeout(10):
        while not await bot.relays():
            await asyncio.sleep(0.05)

    job = await ask_for_consent(bot, **{form.SUBJECT: DANA, form.NAME: "Second"})

    await bot.slack.wait_until(lambda: len(bot.slack.posts(AUDIT_CHANNEL)) >= 1, within=15)
    await delivered(bot)
    # The first bot's record was written before the channel was set: not posted.
    [post] = bot.slack.posts(AUDIT_CHANNEL)
    assert f"job `{job['id']}`" in post["text"]
    assert bot.slack.answers("chat.postMessage", 500) == 1


ADA = "U0ADA"  # a workspace admin


async def test_an_admin_gets_the_audit_log_as_csv_in_their_dm(bot: Bot) -> None:
    bot.slack.admins.add(ADA)
    await start_training(bot)

    answer = await ask(bot, "audit 7", user=ADA)

    [sent] = bot.slack.files
    assert sent["channel"] == f"D{ADA}"
    assert sent["title"] == "replica-bot audit log, last 7 days"
    rows = list(csv.DictReader(io.StringIO(sent["content"].decode())))
    assert [row["action"] for row in rows] == ["requested", "consent_given", "created"]
    assert rows[0]["actor"] == USER_ID
    assert answer["text"] == "The audit log of the last 7 days (3 records) is in your DM with me."
    assert answer["response_type"] == "ephemeral"
    exported = (await bot.audit())[-1]
    assert (exported["action"], exported["actor"]) == ("exported", ADA)
    assert json.loads(exported["details"]) == {"days": 7, "records": 3}
    [asked] = bot.slack.called("files.getUploadURLExternal")
    assert int(asked["length"]) == len(sent["content"])


async def test_the_audit_export_is_for_admins_only_and_the_refusal_is_recorded(bot: Bot) -> None:
    answer = await ask(bot, "audit")

    assert answer["text"] == "Only workspace admins and owners can export the audit log."
    assert bot.slack.files == []
    [refused] = await bot.audit()
    assert (refused["action"], refused["actor"]) == ("refused", USER_ID)
    assert json.loads(refused["details"]) == {"what": "audit", "why": "not an admin"}


async def test_the_audit_export_covers_the_days_asked_for_and_only_this_workspace(
    bot: Bot,
) -> None:
    bot.slack.admins.add(ADA)
    old = Record(
        at=datetime.now(UTC) - timedelta(days=40), team_id=TEAM_ID, actor="bot", action=Action.READY
    )
    other = Record(at=datetime.now(UTC), team_id="T0OTHER", actor="bot", action=Action.READY)
    store = await Store.open(bot.settings.sqlalchemy_url)
    try:
        for record in (old, other):
            await store.audit.record(record)
    finally:
        await store.close()

    await ask(bot, "audit", user=ADA)
    await ask(bot, "audit 41", user=ADA)

    thirty, forty_one = (
        list(csv.DictReader(io.StringIO(f["content"].decode()))) for f in bot.slack.files
    )
    assert thirty == []
    assert [row["action"] for row in forty_one] == ["ready", "exported"]


async def test_a_failed_upload_is_told_in_plain_words(bot: Bot) -> None:
    bot.slack.admins.add(ADA)
    bot.slack.fail_next(
        "files.getUploadURLExternal", Fault(200, {"ok": False, "error": "not_allowed_token_type"})
    )

    answer = await ask(bot, "audit", user=ADA)

    assert "not_allowed_token_type" in answer["text"]
    assert bot.slack.files == []


@pytest.mark.parametrize("words", ["audit 0", "audit 3651", "audit soon", "audit 3 4"])
async def test_a_bad_number_of_days_is_explained(bot: Bot, words: str) -> None:
    status, body = await bot.sender.command(words)

    assert status == 200
    assert "from 1 to 3650" in body
