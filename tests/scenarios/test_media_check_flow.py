"""The media check through the real app: real files, judged before anyone is asked to consent.

Links are served by the media stand-in (real videos from tests/mediafiles.py, read in ranges);
Slack, Tavus and the bot are the end-to-end tests' own. What the inspector finds in each kind of
file is test_media_check.py's; here, what becomes of the job, its card, its thread and its DM.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.slack import shortcuts
from bot.slack.blocks import form, kit
from tests.conftest import Bot, Launch
from tests.flows import (
    USE,
    announcement_of,
    ask_for_consent,
    delivered,
    open_form,
    thread_replies,
)
from tests.recordings import recording
from tests.slack_client import filled
from tests.standins.media import MediaStandIn

DANA = "U0DANA"
CHECKED = {
    "media_check": True,
    "media_check_links": True,
    # The media stand-in listens on loopback, which the address guard refuses otherwise.
    "media_allow_private_hosts": True,
}


@pytest.fixture
async def bot(launch: Launch, tmp_path: Path) -> Bot:
    return await launch(**CHECKED, media_dir=tmp_path / "media")


async def requested(bot: Bot, url: str) -> dict[str, Any]:
    """Submit the form training from `url`, of Dana's likeness: the job as saved."""
    return await ask_for_consent(bot, **{form.VIDEO: url, form.SUBJECT: DANA})


async def moved_on(bot: Bot, job_id: str, within: float = 30.0) -> dict[str, Any]:
    """The job once its check has moved it on, and every notice that owed has been sent."""
    async with asyncio.timeout(within):
        while (await row(bot, job_id))["status"] == "checking":
            await asyncio.sleep(0.05)
    await delivered(bot, within=within)
    return await row(bot, job_id)


async def row(bot: Bot, job_id: str) -> dict[str, Any]:
    return next(job for job in await bot.jobs() if job["id"] == job_id)


def shown(post: dict[str, Any]) -> str:
    """Every word a message shows: its text and its blocks."""
    return post["text"] + json.dumps(post.get("blocks") or [], ensure_ascii=False)


def asked_for_consent(bot: Bot) -> list[dict[str, Any]]:
    return [p for p in bot.slack.posts() if kit.CONSENT_GIVE_ACTION in shown(p)]


def kinds(notices: list[dict[str, Any]], job_id: str) -> list[str]:
    return sorted(n["kind"] for n in notices if n["job_id"] == job_id)


async def test_media_tavus_would_refuse_end_the_job_before_anyone_is_asked(
    bot: Bot, media: MediaStandIn
) -> None:
    url = media.put("dana-short.mp4", recording(seconds=30, width=1280, height=720), "video/mp4")

    saved = await requested(bot, url)
    card = await announcement_of(bot, saved["id"])
    job = await moved_on(bot, saved["id"])

    assert saved["status"] == "checking"
    assert job["status"] == "unfit"
    assert asked_for_consent(bot) == []  # Dana was never asked
    assert bot.tavus.creates == []  # nor anything sent
    assert kinds(await bot.notices(), job["id"]) == ["announcement", "card", "result"]
    assert messages.CARD_UNFIT in shown(bot.slack.card(card["channel"], card["ts"]))
    [result] = await thread_replies(bot, card)
    said = shown(result)
    assert "I didn't send *Dana* to Tavus" in said
    # Why, with the fix; and what else is worth fixing while at it.
    assert "The training video is 30 s long; Tavus needs at least 1 min" in said
    assert "Record a longer take." in said
    assert "Tavus asks for 1080p" in said
    [retry] = [e for b in result["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (retry["action_id"], retry["value"]) == (kit.RETRY_ACTION, job["id"])

    opened = len(bot.slack.modals)
    status, _ = await bot.sender.action(retry["action_id"], retry["value"])
    view = await bot.slack.wait_for_modal(opened + 1)

    assert status == 200
    filled_in = {
        b["block_id"]: b["element"].get("initial_value", b["element"].get("initial_user"))
        for b in view["blocks"]
        if b["type"] == "input"
    }
    assert (filled_in[form.NAME], filled_in[form.VIDEO]) == ("Dana", url)
    assert filled_in[form.SUBJECT] == DANA


async def test_good_media_go_on_to_consent_whose_dm_and_thread_say_how_they_were_judged(
    bot: Bot, media: MediaStandIn
) -> None:
    url = media.put("dana.mp4", recording(), "video/mp4")

    saved = await requested(bot, url)
    card = await announcement_of(bot, saved["id"])
    job = await moved_on(bot, saved["id"])

    assert job["status"] == "awaiting_consent"
    [dm] = asked_for_consent(bot)
    assert dm["channel"] == f"D{DANA}"
    assert messages.CONSENT_CHECKED in shown(dm)
    assert "1920×1080, 25 fps, 1 min 1 s, H.264 + AAC" in shown(dm)
    [note] = await thread_replies(bot, card)
    assert "nothing Tavus is known to refuse" in shown(note)
    assert "Measured: training video 1920×1080, 25 fps, 1 min 1 s" in shown(note)
    assert messages.MEDIA_ADVICE not in shown(note)
    # The card was announced while checking, and redrawn once the check let it go on.
    assert messages.CARD_AWAITING.format(subject=DANA) in shown(
        bot.slack.card(card["channel"], card["ts"])
    )
    assert kinds(await bot.notices(), job["id"]) == [
        "announcement",
        "card",
        "consent_request",
        "media_checked",
    ]


async def test_media_worth_improving_go_on_with_the_advice_shown(
    bot: Bot, media: MediaStandIn
) -> None:
    url = media.put("dana-720.mp4", recording(width=1280, height=720), "video/mp4")

    saved = await requested(bot, url)
    card = await announcement_of(bot, saved["id"])
    job = await moved_on(bot, saved["id"])

    assert job["status"] == "awaiting_consent"
    [dm] = asked_for_consent(bot)
    [note] = await thread_replies(bot, card)
    for said in (shown(dm), shown(note)):
        assert messages.MEDIA_ADVICE in said
        assert "The training video is 1280×720; Tavus asks for 1080p" in said
        assert messages.MEDIA_BLOCKING not in said


@pytest.mark.parametrize(
    ("how", "why"),
    [
        pytest.param({"ranges": False}, "its host does not serve parts of files", id="no-ranges"),
        pytest.param({"body": b"\x00\x00\x00\x18ftypisom" * 40_000}, "could not be read", id="bad"),
    ],
)
async def test_media_that_cannot_be_checked_go_on_and_the_thread_says_what_was_not(
    bot: Bot, media: MediaStandIn, how: dict[str, Any], why: str
) -> None:
    body = how.pop("body", None) or recording()
    url = media.put("dana.mp4", body, "video/mp4", **how)

    saved = await requested(bot, url)
    card = await announcement_of(bot, saved["id"])
    job = await moved_on(bot, saved["id"])

    assert job["status"] == "awaiting_consent"
    assert len(asked_for_consent(bot)) == 1
    [note] = await thread_replies(bot, card)
    assert messages.MEDIA_UNCHECKED in shown(note)
    assert "The training video could not be checked: " in shown(note)
    assert why in shown(note)
    assert messages.MEDIA_BLOCKING not in shown(note)


async def test_a_file_from_slack_is_checked_once_it_is_copied(bot: Bot) -> None:
    video = recording()
    file = bot.slack.post_file("F0VIDEO", "dana.mp4", "video/mp4", video, title="Dana")
    opened = len(bot.slack.modals)
    status, _ = await bot.sender.shortcut(shortcuts.CALLBACK_ID, {"text": "", "files": [file]})
    assert status == 200
    view = await bot.slack.wait_for_modal(opened + 1)
    values = {form.NAME: "Dana", form.CONSENT: True, form.USE: USE, form.SUBJECT: DANA}

    status, answer = await bot.sender.submit(filled(view, **values))
    [saved] = await bot.jobs()
    card = await announcement_of(bot, saved["id"])
    job = await moved_on(bot, saved["id"])

    assert (status, answer["response_action"]) == (200, "update")
    assert saved["status"] == "fetching"  # copied first, then checked
    assert job["status"] == "awaiting_consent"
    # What was looked into is the copy Tavus will download, served by the bot itself.
    assert job["train_video_url"].startswith(f"{str(bot.settings.public_url).rstrip('/')}/media/")
    [dm] = asked_for_consent(bot)
    assert "1920×1080, 25 fps, 1 min 1 s" in shown(dm)
    [note] = await thread_replies(bot, card)
    assert "Measured: training video 1920×1080" in shown(note)


async def test_a_check_cut_off_by_a_restart_is_done_after_it_once(
    launch: Launch, media: MediaStandIn, tmp_path: Path
) -> None:
    # The link check at the form is not what this is about: the slow host would hold it up.
    settings = {**CHECKED, "media_check_links": False, "media_dir": tmp_path / "media"}
    bot = await launch(**settings, shutdown_grace=0.2)
    url = media.put("dana.mp4", recording(), "video/mp4", delay=60)
    saved = await requested(bot, url)
    card = await announcement_of(bot, saved["id"])
    await media.wait_until(lambda: any(r["path"] == "dana.mp4" for r in media.requests))

    await bot.stop()
    stopped = await row(bot, saved["id"])
    media.served["dana.mp4"].delay = 0
    bot = await launch(**settings)
    job = await moved_on(bot, saved["id"])

    assert stopped["status"] == "checking"
    # Handed back due at once: the next start checks it, not only once its hold runs out.
    assert stopped["next_check_at"].replace(tzinfo=UTC) <= datetime.now(UTC)
    assert job["status"] == "awaiting_consent"
    assert len(asked_for_consent(bot)) == 1
    assert len(await thread_replies(bot, card)) == 1  # the report, once
    assert kinds(await bot.notices(), job["id"]) == [
        "announcement",
        "card",
        "consent_request",
        "media_checked",
    ]


async def test_ten_requests_at_once_are_all_answered_before_any_check_is_done(
    bot: Bot, media: MediaStandIn
) -> None:
    # A host slow to answer while the forms come in (the link checks wait for it too, within
    # their budget): the checks' first reads are still on their way when Slack is answered,
    # however fast the machine decodes.
    url = media.put("dana.mp4", recording(), "video/mp4", delay=1.2)
    views = [await open_form(bot) for _ in range(10)]
    forms = [
        filled(
            view,
            **{
                form.NAME: f"Dana {n}",
                form.VIDEO: url,
                form.CONSENT: True,
                form.USE: USE,
                form.SUBJECT: f"U0DANA{n}",
            },
        )
        for n, view in enumerate(views)
    ]

    answers = await asyncio.gather(*(bot.sender.submit(each) for each in forms))
    when_answered = [job["status"] for job in await bot.jobs()]
    media.served["dana.mp4"].delay = 0  # the ten checks then run at the machine's pace

    assert [(status, answer["response_action"]) for status, answer in answers] == [
        (200, "update")
    ] * 10
    assert when_answered == ["checking"] * 10  # every answer came before any check was done
    jobs = [await moved_on(bot, job["id"], within=60) for job in await bot.jobs()]
    assert {job["status"] for job in jobs} == {"awaiting_consent"}
    assert len(asked_for_consent(bot)) == 10
