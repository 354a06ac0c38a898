"""Unit tests for reading /replica's text as Slack sends it: escaped, links maybe wrapped."""

from __future__ import annotations

import pytest

from bot.slack.command_text import OpenForm, Status, Usage, parse_command, prefill

SIGNED = "https://bucket.example.com/dana.mp4?X-Amz-Credential=a%2Fb&X-Amz-Signature=c&x=<1>"
# What Slack sends for it: &, < and > escaped, in a link or not.
ON_THE_WIRE = SIGNED.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("sent", [ON_THE_WIRE, f"<{ON_THE_WIRE}>", f"<{ON_THE_WIRE}|dana.mp4>"])
def test_a_signed_link_is_read_exactly_as_typed(sent: str) -> None:
    parsed = parse_command(f"Dana &amp; Co {sent}")
    assert parsed == OpenForm("Dana & Co", SIGNED)
    request = prefill(parsed, "phoenix-4")
    assert request is not None
    assert request.train_video_url == SIGNED


def test_typed_escapes_stay_as_typed() -> None:
    # The user typed "&lt;" literally: Slack sends "&amp;lt;".
    assert parse_command("status R&amp;amp;D &amp;lt;x&amp;gt;") == Status("R&amp;D &lt;x&gt;")


@pytest.mark.parametrize("word", ["²", "٣", "1" * 5000, "-1", "0"])
def test_a_page_or_a_number_of_days_int_cannot_read_is_a_usage_hint(word: str) -> None:
    assert isinstance(parse_command(f"list {word}"), Usage)
    assert isinstance(parse_command(f"audit {word}"), Usage)
