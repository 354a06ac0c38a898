"""The face match through the real app: a profile photo compared with the training media.

Profile photos are real photographs that ship with scikit-image, served by the media stand-in as
the Slack stand-in's users.info links them: the astronaut of the training video (the same
person), a face from its Labeled Faces in the Wild subset (another person), a photo without a
face, and Slack's default avatar. The training video is tests/mediafiles.py's, with espeak-ng
saying the consent statement at its start.
"""

from __future__ import annotations

import asyncio
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aiohttp.test_utils import unused_port
from PIL import Image
from skimage import data

from bot import messages
from bot.governance.model import FaceMatch
from bot.governance.receipts import statement_for
from bot.slack.blocks import form
from tests import mediafiles as m
from tests.conftest import Bot, Launch
from tests.flows import (
    Someone,
    announcement_of,
    ask,
    ask_for_consent,
    consent,
    consent_request_of,
    delivered,
    refusals,
    settled_create,
    thread_replies,
)
from tests.slack_client import USER_ID
from tests.standins.media import MediaStandIn
from tests.standins.slack import TEAM_ID

DANA, NAME = "U0DANA", "Dana Doe"
ADMIN = "U0ADMIN"
STRANGER = "U0STRANGER"  # a member with no part in it
CHECKED = {
    "media_check": True,
    "media_check_links": True,
    # The media stand-in listens on loopback, which the address guard refuses otherwise.
    "media_allow_private_hosts": True,
}


@cache
def training_video() -> bytes:
    """61 s of the astronaut at 1080p, saying the consent statement with Dana's name first."""
    said = m.speech(statement_for(NAME))
    frame = m.face(1920, 1080, share=0.7)
    sound = np.concatenate([said, m.silence(61 - len(said) / m.RATE)])
    return m.video(seconds=61, frames=lambda _: frame, sound=sound)


def astronaut() -> bytes:
    """The same person: the astronaut's head and shoulders, framed as a profile photo."""
    photo = Image.fromarray(data.astronaut()).crop((80, 0, 420, 340)).resize((512, 512))
    return m.image(np.asarray(photo))


def stranger() -> bytes:
    """Another person: the first face of scikit-image's LFW subset, at a profile photo's size."""
    face = (data.lfw_subset()[0] * 255).astype(np.uint8)
    photo = Image.fromarray(face).resize((300, 300), Image.Resampling.BICUBIC).convert("RGB")
    return m.image(np.asarray(photo))


def faceless() -> bytes:
    """A photo with nobody in it: a cup of coffee."""
    return m.image(data.coffee())


@pytest.fixture
async def bot(launch: Launch, tmp_path: Path) -> Bot:
    return await launch(**CHECKED, media_dir=tmp_path / "media")


async def consented(bot: Bot, media: MediaStandIn, photo: bytes | None) -> dict[str, Any]:
    """Dana, with `photo` as profile photo (None: the default avatar), consents: the job."""
    if photo is not None:
        bot.slack.photo(DANA, media.put("dana-photo.jpg", photo, "image/jpeg"), name=NAME)
    else:
        bot.slack.profiles[DANA]["real_name"] = NAME
    video = media.put("dana.mp4", training_video(), "video/mp4")
    saved = await ask_for_consent(bot, **{form.VIDEO: video, form.SUBJECT: DANA})
    await consent_request_of(bot, saved["id"], within=60)
    await consent(bot, saved["id"], user=DANA)
    return await settled(bot, saved["id"])


async def settled(bot: Bot, job_id: str, within: float = 90.0) -> dict[str, Any]:
    """The job once its face match has moved it on, and every notice owed has been sent."""
    async with asyncio.timeout(within):
        while (job := await row(bot, job_id))["status"] in {"awaiting_consent", "matching"}:
            await asyncio.sleep(0.05)
    await delivered(bot, within=30)
    return job


async def row(bot: Bot, job_id: str) -> dict[str, Any]:
    return next(job for job in await bot.jobs() if job["id"] == job_id)


async def receipt_of(bot: Bot, job_id: str) -> dict[str, Any]:
    return next(r for r in await bot.receipts() if r["job_id"] == job_id)


def shown(post: dict[str, Any]) -> str:
    """Every word a message shows: its text and its blocks."""
    return post["text"] + json.dumps(post.get("blocks") or [], ensure_ascii=False)


def card_of(bot: Bot, card: dict[str, Any]) -> str:
    return shown(bot.slack.card(card["channel"], card["ts"]))


async def test_the_same_face_goes_on_to_tavus_and_the_receipt_records_the_match(
    bot: Bot, media: MediaStandIn
) -> None:
    job = await consented(bot, media, astronaut())

    assert job["status"] in {"creating", "training"}
    [create] = bot.tavus.creates
    assert create["replica_name"] == "Dana"
    kept = await receipt_of(bot, job["id"])
    face = json.loads(kept["face_match"])
    assert face["outcome"] == "match"
    assert face["best"] < face["threshold"] == 0.6
    assert face["model"] == "dlib_face_recognition_resnet_model_v1"
    assert face["agreed"] == face["with_face"] >= 1
    card = await announcement_of(bot, job["id"])
    assert messages.FACE_MATCHES.format(subject=DANA) in card_of(bot, card)
    [compared] = [r for r in await bot.audit() if r["action"] == "face_compared"]
    details = json.loads(compared["details"])
    assert (compared["actor"], details["face"]) == ("bot", "match")
    assert float(details["best_distance"]) == face["best"]
    assert details["frames_agreed"] == f"{face['agreed']} of {face['with_face']}"
    status = await ask(bot, "status Dana")
    assert messages.FACE_MATCHES.format(subject=DANA) in shown(status)


async def receipt_shown(bot: Bot, job_id: str) -> str:
    """The consent DM clicked, as Slack shows it once every redraw owed has gone out."""
    await delivered(bot, within=30)
    request = await consent_request_of(bot, job_id)
    return shown(bot.slack.card(request["channel"], request["ts"]))


async def test_the_consent_receipt_in_the_dm_is_redrawn_with_what_the_match_found(
    bot: Bot, media: MediaStandIn
) -> None:
    job = await consented(bot, media, astronaut())

    receipt = await receipt_shown(bot, job["id"])
    # The click replaced the request with the receipt; the match's end redrew it in place.
    assert "asked me to create a Tavus AI replica of you" not in receipt
    assert "You consented on" in receipt
    assert messages.CARD_MATCHING.format(subject=DANA) not in receipt
    assert messages.FACE_MATCHES.format(subject=DANA) in receipt
    face = json.loads((await receipt_of(bot, job["id"]))["face_match"])
    assert f"{face['agreed']} of {face['with_face']} frames with a face agreed" in receipt
    assert "threshold 0.6" in receipt
    assert "Consent statement heard" in receipt
    assert "name heard" in receipt
    redraws = [u for u in bot.slack.called("chat.update") if u.get("channel") == f"D{DANA}"]
    assert len(redraws) == 1


async def test_a_receipt_answered_after_the_match_has_ended_is_drawn_as_it_now_is(
    bot: Bot, media: MediaStandIn
) -> None:
    # The click's answer lands after the match has ended and the DM been redrawn by then.
    bot.slack.slow_responses.append(6.0)
    job = await consented(bot, media, astronaut())

    assert messages.FACE_MATCHES.format(subject=DANA) in await receipt_shown(bot, job["id"])


async def test_a_held_jobs_receipt_says_the_face_does_not_match_and_its_audit_says_why(
    bot: Bot, media: MediaStandIn
) -> None:
    job = await consented(bot, media, stranger())

    receipt = await receipt_shown(bot, job["id"])
    assert messages.FACE_MISMATCH.format(subject=DANA) in receipt
    [compared] = [r for r in await bot.audit() if r["action"] == "face_compared"]
    assert json.loads(compared["details"])["face"] == "mismatch"
    assert compared["job_id"] == job["id"]


async def test_the_statement_said_with_the_name_is_heard_and_recorded(
    bot: Bot, media: MediaStandIn
) -> None:
    job = await consented(bot, media, astronaut())

    words = json.loads((await receipt_of(bot, job["id"]))["consent_words"])
    assert words["error_rate"] < 0.35
    assert words["name_heard"] is True
    assert words["words"] == len(statement_for(NAME).split())


async def test_another_face_is_held_before_tavus_and_both_people_are_told_in_plain_words(
    bot: Bot, media: MediaStandIn
) -> None:
    job = await consented(bot, media, stranger())

    assert job["status"] == "held"
    assert bot.tavus.creates == []
    card = await announcement_of(bot, job["id"])
    assert messages.CARD_HELD in card_of(bot, card)
    assert messages.FACE_MISMATCH.format(subject=DANA) in card_of(bot, card)
    # The media check's note is there too: the held note is the one about the face.
    [note] = [p for p in await thread_replies(bot, card) if "I've held" in shown(p)]
    assert "doesn't look like <@U0DANA>'s profile photo" in shown(note)
    assert f"/replica release {job['id']}" in shown(note)
    [told] = [p for p in bot.slack.posts() if "doesn't look like your profile photo" in shown(p)]
    assert told["channel"] == f"D{DANA}"
    # Nobody is shown the other's media: no link to the video nor to the photo.
    for post in (note, told):
        assert "dana.mp4" not in shown(post)
        assert "dana-photo" not in shown(post)
    face = json.loads((await receipt_of(bot, job["id"]))["face_match"])
    assert (face["outcome"], face["agreed"]) == ("mismatch", 0)


async def test_an_admin_releases_a_held_job_with_a_reason_on_record_and_it_is_created(
    bot: Bot, media: MediaStandIn
) -> None:
    job = await consented(bot, media, stranger())
    bot.slack.admins.add(ADMIN)
    # Without a reason it is answered at once, in the acknowledgement, and nothing changes.
    status, without_reason = await bot.sender.command(f"release {job['id']}", user=ADMIN)
    assert (status, (await row(bot, job["id"]))["status"]) == (200, "held")
    assert messages.RELEASE_USAGE in json.dumps(without_reason)

    answer = await ask(bot, f"release {job['id']} new haircut, checked in person", user=ADMIN)
    await settled_create(bot, job["id"])

    assert messages.RELEASE_DONE.format(name="Dana") in shown(answer)
    assert len(bot.tavus.creates) == 1
    [released] = [r for r in await bot.audit() if r["action"] == "released"]
    assert released["actor"] == ADMIN
    assert json.loads(released["details"])["reason"] == "new haircut, checked in person"


# Who may not release a held job: anyone but an admin of its own workspace. To an admin of
# another workspace no job of this one exists.
NOT_ITS_ADMINS = {
    "requester": Someone(USER_ID),
    "unrelated member": Someone(STRANGER),
    "admin of another workspace": Someone(ADMIN, team="T0OTHER"),
}


@pytest.mark.parametrize("who", NOT_ITS_ADMINS)
async def test_a_release_by_anyone_but_an_admin_is_refused_and_changes_nothing(
    bot: Bot, media: MediaStandIn, who: str
) -> None:
    typist = NOT_ITS_ADMINS[who]
    bot.slack.admins.add(ADMIN)
    job = await consented(bot, media, stranger())
    asked = len(bot.slack.called("chat.postMessage"))

    answer = await ask(typist.at(bot), f"release {job['id']} trust me", user=typist.user)

    if typist.team is None:
        assert answer["text"] == messages.RELEASE_NOT_ADMIN
        assert await refusals(bot) == [(TEAM_ID, typist.user, "release", "not an admin")]
    else:
        assert answer["text"] == messages.NOT_FOUND.format(query=job["id"])
        assert await refusals(bot) == []
    await delivered(bot)
    assert bot.slack.called("chat.postMessage")[asked:] == []
    assert (await row(bot, job["id"]))["status"] == "held"
    assert bot.tavus.creates == []
    assert "released" not in [r["action"] for r in await bot.audit()]


@pytest.mark.parametrize(
    ("photo", "why"),
    [
        pytest.param(None, "no face in the profile photo", id="default-avatar"),
        pytest.param(faceless(), "no face in the profile photo", id="no-face"),
    ],
)
async def test_a_face_that_cannot_be_compared_goes_on_marked_unverified_under_warn(
    bot: Bot, media: MediaStandIn, photo: bytes | None, why: str
) -> None:
    job = await consented(bot, media, photo)

    assert job["status"] in {"creating", "training"}
    assert len(bot.tavus.creates) == 1
    card = await announcement_of(bot, job["id"])
    assert messages.FACE_UNVERIFIED.format(why=why) in card_of(bot, card)
    assert messages.FACE_UNVERIFIED.format(why=why) in await receipt_shown(bot, job["id"])
    face = json.loads((await receipt_of(bot, job["id"]))["face_match"])
    assert (face["outcome"], face["why"]) == ("cannot compare", why)


async def test_under_require_a_face_that_cannot_be_compared_is_held_before_tavus(
    launch: Launch, tmp_path: Path, media: MediaStandIn
) -> None:
    bot = await launch(
        **CHECKED, media_dir=tmp_path / "media", replica_face_match=FaceMatch.REQUIRE
    )
    job = await consented(bot, media, None)  # Slack's default avatar: nothing to compare

    assert job["status"] == "held"
    assert bot.tavus.creates == []
    face = json.loads((await receipt_of(bot, job["id"]))["face_match"])
    assert face["outcome"] == "cannot compare"


async def test_under_off_no_face_is_compared_and_consent_goes_straight_on(
    launch: Launch, tmp_path: Path, media: MediaStandIn
) -> None:
    bot = await launch(**CHECKED, media_dir=tmp_path / "media", replica_face_match=FaceMatch.OFF)
    job = await consented(bot, media, stranger())  # another face: not looked at

    assert job["status"] in {"creating", "training"}
    assert len(bot.tavus.creates) == 1
    assert (await receipt_of(bot, job["id"]))["face_match"] is None


async def test_a_photo_host_that_is_down_loses_nothing_the_job_goes_on_unverified(
    bot: Bot, media: MediaStandIn
) -> None:
    bot.slack.photo(DANA, f"http://127.0.0.1:{unused_port()}/dana.jpg", name=NAME)

    job = await consented(bot, media, photo=None)

    assert job["status"] in {"creating", "training"}
    face = json.loads((await receipt_of(bot, job["id"]))["face_match"])
    assert (face["outcome"], face["why"]) == ("cannot compare", "the media could not be read")


async def test_a_match_cut_off_by_a_restart_is_done_after_it_once(
    launch: Launch, media: MediaStandIn, tmp_path: Path
) -> None:
    settings = {**CHECKED, "media_check_links": False, "media_dir": tmp_path / "media"}
    bot = await launch(**settings, shutdown_grace=0.2)
    photo = media.put("dana-photo.jpg", astronaut(), "image/jpeg", delay=60)
    bot.slack.photo(DANA, photo, name=NAME)
    video = media.put("dana.mp4", training_video(), "video/mp4")
    saved = await ask_for_consent(bot, **{form.VIDEO: video, form.SUBJECT: DANA})
    await consent_request_of(bot, saved["id"], within=60)
    await consent(bot, saved["id"], user=DANA)
    await media.wait_until(lambda: any(r["path"] == "dana-photo.jpg" for r in media.requests))

    await bot.stop()
    stopped = await row(bot, saved["id"])
    media.served["dana-photo.jpg"].delay = 0
    bot = await launch(**settings)
    job = await settled(bot, saved["id"])

    assert stopped["status"] == "matching"
    assert len(bot.tavus.creates) == 1
    assert json.loads((await receipt_of(bot, job["id"]))["face_match"])["outcome"] == "match"
    assert [r["action"] for r in await bot.audit()].count("consent_given") == 1
