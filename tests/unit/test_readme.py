"""The README's generated parts stay true: moves, settings, the media check, the code map."""

from __future__ import annotations

import re
from pathlib import Path

from bot import config
from bot.jobs import diagram, moves
from bot.media.inspection import requirements

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def between(start: str, end: str) -> str:
    found = re.search(re.escape(start) + r".*?-->\n(.*?)" + re.escape(end), README, re.DOTALL)
    assert found, f"the README has no {start!r} … {end!r} section"
    return found.group(1)


def test_the_readme_shows_the_moves_exactly_as_bot_jobs_has_them() -> None:
    expected = f"```mermaid\n{diagram.diagram()}\n```\n\n{diagram.table()}\n"

    shown = between("<!-- moves:", "<!-- /moves -->")

    assert shown == expected, "regenerate the README's moves from bot.jobs.diagram"


def test_every_move_is_in_the_readme() -> None:
    shown = between("<!-- moves:", "<!-- /moves -->")

    for move in moves.MOVES:
        assert f"`{move.name}`" in shown


def test_the_readme_shows_the_settings_exactly_as_bot_config_describes_them() -> None:
    shown = between("<!-- settings:", "<!-- /settings -->")

    assert shown == f"{config.table()}\n", "regenerate the README's settings from config.table()"


def test_every_setting_is_in_the_readme() -> None:
    shown = between("<!-- settings:", "<!-- /settings -->")

    for name in config.Settings.model_fields:
        assert f"| `{name.upper()}` |" in shown


def test_the_readme_shows_the_media_checks_thresholds_exactly_as_the_code_has_them() -> None:
    shown = between("<!-- media check:", "<!-- /media check -->")

    assert shown == f"{requirements.table()}\n", "regenerate it from requirements.table()"


def test_the_media_check_table_has_a_column_for_every_model() -> None:
    shown = between("<!-- media check:", "<!-- /media check -->")

    for model in requirements.MODELS:
        assert f" {model.model} |" in shown.splitlines()[0]


def test_the_code_map_names_every_module_and_no_other() -> None:
    section = README.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    mapped = set(re.findall(r"^\| `(bot/[^`]+)` \|", section, re.MULTILINE))
    modules = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "bot").rglob("*.py")
        if "migrations" not in path.parts
    }

    assert modules - mapped == set(), "modules missing from the README's code map"
    assert {m for m in mapped if not m.endswith("/")} - modules == set(), "mapped but gone"
    assert "bot/store/migrations/" in mapped
