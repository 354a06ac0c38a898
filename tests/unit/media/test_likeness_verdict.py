"""The likeness verdict from distances frame by frame, and the values a receipt keeps (pure)."""

from __future__ import annotations

import json

import pytest

from bot.media.likeness.model import ConsentWords, FaceMatch, Likeness, Unheard, Unsure
from bot.media.likeness.verdict import MODEL, THRESHOLD, unsure, verdict


def test_most_frames_within_the_threshold_is_a_match() -> None:
    found = verdict([0.31, 0.42, 0.7, None, 0.38])

    assert found.outcome is Likeness.MATCH
    assert (found.frames, found.with_face, found.agreed) == (5, 4, 3)
    assert found.best == 0.31
    assert found.median == pytest.approx(0.4)
    assert (found.threshold, found.model, found.why) == (THRESHOLD, MODEL, None)


def test_every_frame_beyond_the_threshold_is_a_mismatch() -> None:
    found = verdict([0.81, 0.77, None, 0.9, 0.85])

    assert found.outcome is Likeness.MISMATCH
    assert (found.with_face, found.agreed) == (4, 0)


def test_one_frame_within_the_threshold_keeps_a_mismatch_from_being_said() -> None:
    found = verdict([0.81, 0.55, 0.9, 0.85, 0.8])

    assert found.outcome is Likeness.CANNOT_COMPARE
    assert found.why is Unsure.MIXED


def test_a_frame_at_the_threshold_agrees() -> None:
    assert verdict([THRESHOLD]).outcome is Likeness.MATCH


def test_no_face_in_any_frame_cannot_compare() -> None:
    found = verdict([None, None, None])

    assert found.outcome is Likeness.CANNOT_COMPARE
    assert found.why is Unsure.NO_USABLE_FRAME
    assert found.best is None
    assert found.median is None


def test_two_frames_with_a_face_of_five_decide_nothing() -> None:
    found = verdict([0.9, 0.95, None, None, None])

    assert found.outcome is Likeness.CANNOT_COMPARE
    assert found.why is Unsure.TOO_FEW_FRAMES


def test_an_images_one_face_decides() -> None:
    assert verdict([0.92]).outcome is Likeness.MISMATCH


def test_a_comparison_round_trips_through_json_as_numbers() -> None:
    for found in (verdict([0.31, 0.42, 0.7]), unsure(Unsure.NO_FACE_IN_PHOTO, frames=5)):
        assert FaceMatch.from_json(found.to_json()) == found


def test_a_listening_round_trips_through_json_without_the_words_heard() -> None:
    heard = ConsentWords(
        model="m", listened=13.5, words=43, heard=41, error_rate=0.05, name_heard=True
    )
    unheard = ConsentWords(model="m", listened=0.0, words=43, why=Unheard.NO_SOUND)

    assert ConsentWords.from_json(heard.to_json()) == heard
    assert ConsentWords.from_json(unheard.to_json()) == unheard
    kept = json.loads(heard.to_json())
    assert set(kept) == {"model", "listened", "words", "heard", "error_rate", "name_heard", "why"}
