"""Unit tests for the Block Kit primitives: every text cut to its field's limit, never broken."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.slack.blocks import consent, kit
from tests.unit.slack.blocks.test_blocks import TRAINING


@pytest.mark.parametrize("limit", [1, 2, 10, 300])
def test_clip_leaves_short_text_alone_and_cuts_long_text_with_an_ellipsis(limit: int) -> None:
    assert kit.clip("a" * limit, limit) == "a" * limit
    cut = kit.clip("a" * (limit + 1), limit)
    assert len(cut) == limit
    assert cut.endswith("…")


def test_clip_never_splits_an_escape_or_a_mention() -> None:
    escaped = kit.escape("R&D " * 10)
    for limit in range(2, len(escaped)):
        cut = kit.clip(escaped, limit)
        assert len(cut) <= limit
        body = cut.removesuffix("…")
        # Every & left opens a whole entity; nothing half of &amp; is shown.
        assert body.count("&") == body.count("&amp;")
    mention = "hello <@U0123456789> and <https://example.com/a|a link>"
    for limit in range(2, len(mention)):
        body = kit.clip(mention, limit).removesuffix("…")
        assert body.count("<") == body.count(">")


def test_the_consent_dialog_fits_slacks_300_characters_with_the_longest_name_and_use() -> None:
    request = replace(
        TRAINING.request,
        replica_name="&" * 100,
        intended_use="<" * 200,
        subject_id="U0SUBJECT",
    )
    message = consent.consent_request(replace(TRAINING, request=request))
    give = message.blocks[-1]["elements"][0]
    text = give["confirm"]["text"]["text"]
    assert len(text) <= kit.DIALOG_TEXT_LIMIT
    assert text.endswith("…")
    # The fields carry the use whole (escaped), within their own limit.
    use_field = message.blocks[1]["fields"][0]["text"]
    assert "&lt;" * 200 in use_field


def test_a_section_field_is_cut_to_2000_characters() -> None:
    made = kit.fields(["x" * 5000, "short"])
    assert [len(f["text"]) for f in made["fields"]] == [kit.FIELD_LIMIT, 5]


def test_a_button_label_and_an_option_label_are_cut_but_an_option_value_is_kept() -> None:
    assert len(kit.button("b" * 100, "a", "v")["text"]["text"]) == kit.BUTTON_LIMIT
    option = kit.option("v" * 150, "l" * 100)
    assert option["value"] == "v" * 150
    assert len(option["text"]["text"]) == kit.OPTION_LIMIT
    assert kit.fits_option("v" * 150)
    assert not kit.fits_option("v" * 151)
    assert not kit.fits_option("")
