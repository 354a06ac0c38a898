"""The one table of what Tavus asks per model, and the README's rendering of it."""

from __future__ import annotations

from bot.media.inspection.requirements import (
    MODELS,
    PHOENIX_3,
    PHOENIX_4,
    requirements_for,
    table,
)


def test_each_model_gets_its_own_thresholds_and_an_unknown_one_phoenix_4s() -> None:
    assert requirements_for("phoenix-4") is PHOENIX_4
    assert requirements_for(" Phoenix-3 ") is PHOENIX_3
    assert requirements_for("phoenix-4.5") is PHOENIX_4
    assert requirements_for("") is PHOENIX_4


def test_phoenix_3_does_not_ask_for_a_listening_stretch_and_phoenix_4_does() -> None:
    assert PHOENIX_4.listening > 0
    assert PHOENIX_3.listening == 0


def test_the_table_has_a_column_per_model_and_a_row_per_threshold() -> None:
    lines = table().splitlines()

    assert lines[0] == "| check | counts as | phoenix-4 | phoenix-3 |"
    assert all(line.count("|") == 3 + len(MODELS) for line in lines)
    assert "| silent listening stretch after it | advice under | 25 s | not asked |" in lines
    assert "| training video length | blocking under | 1 min | 1 min |" in lines
