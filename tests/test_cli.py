"""python -m bot: its commands, --help that starts nothing, and usage for what it does not know."""

from __future__ import annotations

import pytest

from bot.__main__ import main


def test_help_lists_the_commands_and_starts_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["--help"])

    assert ended.value.code == 0
    shown = capsys.readouterr().out
    for command in ("serve", "check", "audit", "rotate-keys"):
        assert command in shown


@pytest.mark.parametrize("command", ["serve", "check", "audit", "rotate-keys"])
def test_each_command_has_its_own_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main([command, "--help"])

    assert ended.value.code == 0
    assert f"python -m bot {command}" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["nope"], ["--port", "1"], ["serve", "extra"]])
def test_what_it_does_not_know_exits_2_with_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        main(argv)

    assert ended.value.code == 2
    assert "usage: python -m bot" in capsys.readouterr().err
