"""What was measured, judged: blocking, advice and unchecked findings, each in plain words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.media.inspection.facts import Face, Hearing, Look, Measured, Part, Picture, Streams
from bot.media.inspection.judge import judge
from bot.media.inspection.model import Finding, Medium, Weight
from bot.media.inspection.ranged import Why
from bot.media.inspection.requirements import PHOENIX_3, PHOENIX_4
from bot.media.inspection.wording import length

VIDEO, IMAGE, CONSENT = Medium.TRAINING_VIDEO, Medium.TRAINING_IMAGE, Medium.CONSENT_VIDEO
GOOD = Streams("mp4", "h264", "aac", 95.0, 30.0, 1920, 1080)
FACE = Face(x=0.5, y=0.4, width=0.12, height=0.22)
LOOKS = tuple(Look(at=n * 9.5, faces=(FACE,), brightness=100.0) for n in range(10))
HEARD = Hearing(heard=95, speech=30, first_speech=0, quiet_start=31, quiet=32, quiet_level=-70)
FINE = Measured(size=80_000_000, streams=GOOD, looks=LOOKS, hearing=HEARD)


def found(measured: Measured, medium: Medium = VIDEO, **how: object) -> set[tuple[str, Weight]]:
    needs = how.pop("needs", PHOENIX_4)
    findings, _ = judge(medium, measured, needs, consent_in_it=bool(how.get("consent", True)))
    return {(f.code, f.weight) for f in findings}


def test_what_tavus_asks_for_has_no_findings_and_a_summary() -> None:
    findings, summary = judge(VIDEO, FINE, PHOENIX_4, consent_in_it=True)

    assert findings == []
    assert summary == "1920×1080, 30 fps, 1 min 35 s, H.264 + AAC"


@pytest.mark.parametrize(
    ("fps", "blocked"), [(24.97, False), (25.0, False), (24.0, True), (23.976, True)]
)
def test_the_frame_rate_is_judged_as_cameras_round_it(fps: float, blocked: bool) -> None:
    measured = replace(FINE, streams=replace(GOOD, fps=fps))

    assert (("video_fps", Weight.BLOCKING) in found(measured)) is blocked


def test_a_quicktime_mov_and_mp3_sound_are_advice_a_matroska_file_is_blocked() -> None:
    mov = replace(FINE, streams=replace(GOOD, container="quicktime", audio_codec="mp3"))
    mkv = replace(FINE, streams=replace(GOOD, container="matroska"))

    assert found(mov) == {("video_format", Weight.ADVICE), ("audio_codec", Weight.ADVICE)}
    assert found(mkv) == {("video_format", Weight.BLOCKING)}


def test_a_consent_video_is_not_held_to_training_lengths_or_frame_rates() -> None:
    statement = replace(GOOD, seconds=12.0, fps=20.0, width=640, height=360)
    measured = Measured(size=5_000_000, streams=statement, looks=LOOKS)

    assert found(measured, CONSENT) == set()
    assert ("video_duration", Weight.BLOCKING) in found(replace(measured), VIDEO)


def test_a_file_that_could_not_be_read_is_one_line_not_one_per_part() -> None:
    measured = Measured(unchecked=((Part.FILE, Why.NO_RANGES),))

    findings, summary = judge(VIDEO, measured, PHOENIX_4, consent_in_it=True)

    assert findings == [
        Finding(
            VIDEO,
            "unchecked",
            Weight.UNCHECKED,
            "The training video could not be checked: its host does not serve parts of files. "
            "Tavus will judge it when training starts.",
        )
    ]
    assert summary is None


def test_an_image_that_is_neither_jpg_nor_png_is_blocked_and_an_unreadable_one_unchecked() -> None:
    gif = Measured(picture=Picture("GIF", 1024, 1024), looks=LOOKS[:1])
    broken = Measured(unchecked=((Part.FILE, Why.UNREADABLE),))

    assert found(gif, IMAGE) == {("image_format", Weight.BLOCKING)}
    [unread] = judge(IMAGE, broken, PHOENIX_4, consent_in_it=False)[0]
    assert unread.text == (
        "The training image could not be checked: it could not be read as an image. Tavus will "
        "judge it when training starts."
    )


def test_a_face_missing_from_some_frames_is_advice_from_all_blocking() -> None:
    empty = Look(at=0.0, faces=(), brightness=100.0)
    some = replace(FINE, looks=(empty,) * 3 + LOOKS[3:])
    none = replace(FINE, looks=(empty,) * 10)

    assert found(some) == {("face_or_obstruction_detected", Weight.ADVICE)}
    assert found(none) == {("face_or_obstruction_detected", Weight.BLOCKING)}
    # In a consent video, framing is advice.
    assert found(none, CONSENT) == {("face_or_obstruction_detected", Weight.ADVICE)}


def test_a_second_face_in_one_frame_is_a_passer_by_in_many_a_second_person() -> None:
    two = Look(at=0.0, faces=(FACE, replace(FACE, x=0.8)), brightness=100.0)

    assert found(replace(FINE, looks=(two, *LOOKS[1:]))) == set()
    assert found(replace(FINE, looks=(two,) * 3 + LOOKS[3:])) == {
        ("second_person_detected", Weight.BLOCKING)
    }


def test_a_brightness_jump_between_two_frames_names_when() -> None:
    dark = tuple(replace(look, brightness=30.0) for look in LOOKS[5:])
    findings, _ = judge(VIDEO, replace(FINE, looks=LOOKS[:5] + dark), PHOENIX_4, consent_in_it=True)

    [light] = findings
    assert light.code == "lighting_change_detected"
    assert f"between {length(38.0)} and {length(47.5)}" in light.text


def test_listening_is_asked_of_phoenix_4_only_and_its_noise_of_both() -> None:
    talking = replace(FINE, hearing=replace(HEARD, quiet_start=None, quiet=0.0, quiet_level=None))
    noisy = replace(FINE, hearing=replace(HEARD, quiet_level=-30.0))

    assert found(talking) == {("no_listening", Weight.ADVICE)}
    assert found(talking, needs=PHOENIX_3) == set()
    assert found(noisy, needs=PHOENIX_3) == {("background_noise_detected", Weight.ADVICE)}


def test_a_file_without_sound_blocks_only_where_the_consent_must_be_heard() -> None:
    silent = replace(FINE, streams=replace(GOOD, audio_codec=None), hearing=None)

    assert found(silent, consent=True) == {("no_sound", Weight.BLOCKING)}
    assert found(silent, consent=False) == {("no_sound", Weight.ADVICE)}
