"""The face match's words on the card and the receipt, and the engine's name kept in step."""

from __future__ import annotations

from bot.media.inspection.likeness import HEARD_BY
from bot.media.likeness import speech
from bot.media.likeness.model import ConsentWords, FaceMatch, Likeness, Unheard, Unsure
from bot.slack.blocks.likeness import face_line, words_line


def test_a_listening_that_never_began_names_the_recognizer_the_engine_uses() -> None:
    assert HEARD_BY == speech.MODEL


def test_the_card_says_what_the_face_match_found_in_a_few_words() -> None:
    match = FaceMatch(outcome=Likeness.MATCH, model="m", threshold=0.6)
    unsure = FaceMatch(
        outcome=Likeness.CANNOT_COMPARE, model="m", threshold=0.6, why=Unsure.NO_FACE_IN_PHOTO
    )

    assert face_line(None, "U0DANA") is None
    assert "Face matches <@U0DANA>'s profile photo" in (face_line(match, "U0DANA") or "")
    assert "Face unverified: no face in the profile photo" in (face_line(unsure, "U0DANA") or "")


def test_the_receipt_says_how_much_of_the_statement_was_heard_and_the_name() -> None:
    assert "heard 88% of the statement, name heard" in words_line(
        ConsentWords(model="s", listened=30.0, words=32, error_rate=0.125, name_heard=True)
    )
    assert "name not heard" in words_line(
        ConsentWords(model="s", listened=30.0, words=32, error_rate=2.0, name_heard=False)
    )
    assert "heard 0%" in words_line(
        ConsentWords(model="s", listened=30.0, words=32, error_rate=2.0, name_heard=False)
    )
    assert "not listened to: no sound" in words_line(
        ConsentWords(model="s", listened=0.0, words=32, why=Unheard.NO_SOUND)
    )
