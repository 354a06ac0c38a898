"""The house keeps its shape: models are leaves, data flows one way, no module over 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
MODULES = {
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
    for path in BOT.rglob("*.py")
    if "migrations" not in path.parts
}
# Models: values and rules any layer may import, which therefore import no service.
MODELS = {
    "bot.jobs.model",
    "bot.jobs.move",
    "bot.jobs.moves",
    "bot.jobs.states",
    "bot.governance.model",
    "bot.governance.audit",
    "bot.governance.receipts",
    "bot.workspaces.installations",
    "bot.media.model",
    "bot.media.inspection.model",
    "bot.media.likeness.model",
    "bot.media.likeness.verdict",
}
# Pure helpers models may use: they import nothing of the bot's.
PURE = {"bot.signing", "bot.retry_after"}


def imports_of(module: str) -> set[str]:
    """The bot modules `module` loads when it is imported: its top-level imports, by name.

    An import inside a function (serve's of the web app) runs only when called; one under
    `if TYPE_CHECKING:` never runs: neither counts.
    """
    tree = ast.parse(MODULES[module].read_text())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in MODULES}


def reach(module: str) -> set[str]:
    """Every bot module `module` loads, itself excepted, following imports all the way."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        for name in imports_of(current):
            parts = name.split(".")
            # Importing bot.a.b runs bot/a/__init__.py first.
            for end in range(2, len(parts) + 1):
                step = ".".join(parts[:end])
                if step in MODULES and step not in seen:
                    seen.add(step)
                    todo.append(step)
    return seen - {module}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_a_model_imports_only_models(model: str) -> None:
    packages = {name for name in MODULES if MODULES[name].name == "__init__.py"}
    assert reach(model) - MODELS - PURE - packages == set()


@pytest.mark.parametrize("helper", sorted(PURE))
def test_a_pure_helper_imports_nothing_of_the_bots(helper: str) -> None:
    assert reach(helper) == set()


def test_the_settings_do_not_pull_in_the_store_or_any_service() -> None:
    services = ("bot.store", "bot.slack", "bot.app", "bot.wiring", "bot.delivery", "bot.tavus")
    assert {name for name in reach("bot.config") if name.startswith(services)} == set()
    assert {name for name in reach("bot.config") if name.startswith("bot.jobs.")} <= MODELS


def test_the_store_knows_no_slack_and_no_tavus() -> None:
    for module in MODULES:
        if module.startswith("bot.store"):
            assert not {
                n for n in imports_of(module) if n.startswith(("bot.slack", "bot.tavus"))
            }, module


def test_the_tavus_client_knows_no_slack_and_no_store() -> None:
    for module in MODULES:
        if module.startswith("bot.tavus"):
            assert not {
                n for n in imports_of(module) if n.startswith(("bot.slack", "bot.store"))
            }, module


def test_listeners_build_no_sql() -> None:
    for module, path in MODULES.items():
        if module.startswith("bot.slack"):
            source = path.read_text()
            assert "sqlalchemy" not in source, module
            assert "bot.store.schema" not in source, module


def test_the_command_line_does_not_import_the_web_app() -> None:
    for module in MODULES:
        if module.startswith("bot.cli"):
            assert "bot.app" not in reach(module), module


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_300_lines(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= 300, f"{module} has {lines} lines: split it where it holds two things"
