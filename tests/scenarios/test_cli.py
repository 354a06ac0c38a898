"""python -m bot: its commands, --help that starts nothing, and usage for what it does not know."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings


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


# Every module under bot/cli imported, then bot.app looked for: a fresh process, since the tests'
# own already imported the app.
EVERY_COMMAND_WITHOUT_THE_APP = """
import pkgutil, sys
import bot.cli
for found in pkgutil.walk_packages(bot.cli.__path__, "bot.cli."):
    __import__(found.name)
assert "bot.cli.check.workspaces" in sys.modules and "bot.cli.serve" in sys.modules
assert "bot.app" not in sys.modules, "a command imports the web app"
"""


async def python(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """`python ARGS` as a process without any of the bot's settings, so nothing could serve."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_commands_do_not_import_the_web_app(tmp_path: Path) -> None:
    code, _, err = await python(tmp_path, "-c", EVERY_COMMAND_WITHOUT_THE_APP)

    assert code == 0, err


async def test_python_m_bot_help_lists_the_commands_and_starts_nothing(tmp_path: Path) -> None:
    code, out, _ = await python(tmp_path, "-m", "bot", "--help")

    assert code == 0
    assert out.startswith("usage: python -m bot")
    for command in ("serve", "check", "audit", "rotate-keys"):
        assert command in out


async def test_python_m_bot_with_an_unknown_command_exits_2_with_usage(tmp_path: Path) -> None:
    code, out, err = await python(tmp_path, "-m", "bot", "nonsense")

    assert (code, out) == (2, "")
    assert err.startswith("usage: python -m bot")
    assert "invalid choice: 'nonsense'" in err


@pytest.mark.parametrize("command", ["serve", "check", "audit", "rotate-keys"])
async def test_python_m_bot_command_help_is_its_own(command: str, tmp_path: Path) -> None:
    code, out, _ = await python(tmp_path, "-m", "bot", command, "--help")

    assert code == 0
    assert out.startswith(f"usage: python -m bot {command}")


# What serving imports, then the media check's decoders and the face match's models (dlib,
# pocketsphinx, jiwer) looked for: a fresh process again.
SERVING_WITHOUT_THE_DECODERS = """
import sys
import bot.app, bot.cli.serve, bot.wiring
loaded = {"av", "cv2", "numpy", "dlib", "pocketsphinx", "jiwer"} & set(sys.modules)
assert not loaded, f"serving imports {sorted(loaded)}"
"""


async def test_the_media_checks_decoders_load_with_the_first_check_not_at_start(
    tmp_path: Path,
) -> None:
    # 45 MiB of PyAV, OpenCV and numpy (and the likeness check's dlib and pocketsphinx) that an
    # instance which never checks media never holds.
    code, _, err = await python(tmp_path, "-c", SERVING_WITHOUT_THE_DECODERS)

    assert code == 0, err
