"""python -m tests.mutation [TARGET ...] [--keep]: mutate each target, run its tests, score it.

Each tests/mutation/<target>.toml is a cosmic-ray configuration (the module, its test command,
a timeout) plus `[scope] functions`, the only functions mutated in that module (all of it when
absent). Every mutant is made in a copy of the checkout in a temporary directory, never in the
checkout itself, so an interrupted run leaves the source as it was. Exits 1 below 90 % killed.
See tests/mutation/README.md.
"""

from __future__ import annotations

import argparse
import ast
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from cosmic_ray.commands import init
from cosmic_ray.modules import find_modules
from cosmic_ray.mutating import mutate_and_test, mutate_code
from cosmic_ray.plugins import get_operator
from cosmic_ray.testing import run_tests
from cosmic_ray.work_db import use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkItem, WorkResult

Position = tuple[int, int]  # (line, column), as cosmic-ray and ast count them
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GOAL = 0.90
# Not copied: the repository, environments, caches and what runs leave behind.
LEFT_OUT = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "*.egg-info",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "htmlcov",
    "build",
    "mutants",
    ".coverage*",
    "*.db",
    "*.db-*",
)


@dataclass(frozen=True, slots=True)
class Target:
    """A module to mutate (all of it, or only `functions`), and the tests that must notice."""

    name: str
    module: str
    functions: tuple[str, ...]
    command: str
    timeout: float
    operators: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Survivor:
    """A mutant no test noticed: where, which operator, and the lines it changed."""

    where: str
    operator: str
    diff: tuple[str, ...]


@dataclass(slots=True)
class Score:
    """What became of one target's mutants."""

    killed: int = 0
    timeouts: int = 0
    survivors: list[Survivor] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # the harness failed, not the tests

    @property
    def total(self) -> int:
        return self.killed + len(self.survivors)


def targets() -> list[Target]:
    """Every target configured under tests/mutation/, by file name."""
    found = []
    for path in sorted(HERE.glob("*.toml")):
        config = tomllib.loads(path.read_text())
        ray = config["cosmic-ray"]
        command = ray["test-command"].replace("{python}", shlex.quote(sys.executable))
        found.append(
            Target(
                name=path.stem,
                module=ray["module-path"],
                functions=tuple(config.get("scope", {}).get("functions", ())),
                command=command,
                timeout=float(ray["timeout"]),
                operators=ray.get("operators", {}),
            )
        )
    return found


def spans(module: Path, functions: tuple[str, ...]) -> list[tuple[int, int]]:
    """The lines of each named function (`Class.method` for a method), decorators included."""
    tree = ast.parse(module.read_text())
    found: dict[str, tuple[int, int]] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = prefix + node.name
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                found[name] = (first, node.end_lineno or node.lineno)
                if isinstance(node, ast.ClassDef):
                    visit(node.body, name + ".")

    visit(tree.body, "")
    missing = [name for name in functions if name not in found]
    if missing:
        raise SystemExit(f"{module}: no function {', '.join(missing)}")
    return [found[name] for name in functions]


def not_decisions(module: Path) -> list[tuple[Position, Position]]:
    """Where the module says what things are rather than what to do: left unmutated.

    Annotations, under `from __future__ import annotations` never evaluated (PEP 563); and the
    options of a class's decorators, `@dataclass(frozen=True, slots=True)`: how the class is
    built, which mypy --strict checks (an assignment to a frozen field) or nothing can observe.
    """
    tree = ast.parse(module.read_text())
    postponed = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in tree.body
    )
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            found += [node.annotation] if postponed else []
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            found += [node.returns] if postponed else []
        elif isinstance(node, ast.ClassDef):
            calls = [each for each in node.decorator_list if isinstance(each, ast.Call)]
            found += [option.value for call in calls for option in call.keywords]
    return [
        ((a.lineno, a.col_offset), (a.end_lineno or a.lineno, a.end_col_offset or 0)) for a in found
    ]


def copy_checkout(into: Path) -> Path:
    """A copy of the checkout to mutate, so that the checkout itself is never touched."""
    tree = into / "tree"
    shutil.copytree(ROOT, tree, ignore=LEFT_OUT)
    return tree


def check_imports_from(tree: Path) -> None:
    """Refuse to start unless `bot` imports from the copy (an installed one would hide mutants)."""
    found = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"bot imports from {found}, not from the copy in {tree}")


def in_scope(target: Target, module: Path, items: list[WorkItem]) -> list[WorkItem]:
    """The mutants within the target's functions that change a decision (not_decisions)."""
    ranges = spans(module, target.functions) if target.functions else None
    skipped = not_decisions(module)
    source = module.read_text()
    lines = source.splitlines()

    def chosen(item: WorkItem) -> bool:
        mutation = item.mutations[0]
        start: Position = tuple(mutation.start_pos)
        if ranges is not None and not any(first <= start[0] <= last for first, last in ranges):
            return False
        if any(first <= start < last for first, last in skipped):
            return False
        after = lines[start[0] - 1][start[1] :]
        if after.startswith("*") and after[1:].lstrip()[:1] in (",", ")"):
            return False  # the bare `*` before keyword-only parameters, not a multiplication
        # Not Python at all: no test is needed to refuse it, so it counts neither way.
        operator = get_operator(mutation.operator_name)(**mutation.operator_args)
        mutated = mutate_code(source, operator, mutation.occurrence)
        try:
            ast.parse(mutated or "")
        except SyntaxError:
            return False
        return mutated is not None

    return [item for item in items if chosen(item)]


def run_target(target: Target, tree: Path, work: Path) -> Score:
    """Make every mutant of `target` in `tree`, one at a time, and run its tests on each."""
    score = Score()
    outcome, output = run_tests(target.command, target.timeout)
    if outcome is not TestOutcome.SURVIVED:
        print(output[-4000:])
        raise SystemExit(f"{target.name}: the tests fail before any mutation: {target.command}")
    module = Path(target.module)
    with use_db(str(work / f"{target.name}.sqlite")) as db:
        init(find_modules([module]), db, target.operators)
        items = in_scope(target, tree / module, list(db.pending_work_items))
        chosen = {item.job_id for item in items}
        for item in db.pending_work_items:
            if item.job_id not in chosen:
                db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
        for count, item in enumerate(items, 1):
            mutation = item.mutations[0]
            where = f"{mutation.module_path}:{mutation.start_pos[0]}"
            started = time.monotonic()
            result = mutate_and_test(item.mutations, target.command, target.timeout)
            db.set_result(item.job_id, result)
            word = note(score, result, where, mutation.operator_name)
            seconds = time.monotonic() - started
            print(
                f"[{target.name} {count}/{len(items)}] {word:<9} {where} "
                f"{mutation.operator_name} ({seconds:.1f} s)",
                flush=True,
            )
    return score


def note(score: Score, result: WorkResult, where: str, operator: str) -> str:
    """Count one mutant's result; the word for it."""
    if result.worker_outcome is WorkerOutcome.NO_TEST:
        return "no-op"
    if result.test_outcome is TestOutcome.KILLED:
        score.killed += 1
        if result.output == "timeout":
            score.timeouts += 1
            return "timeout"
        return "killed"
    if result.test_outcome is TestOutcome.SURVIVED:
        changed = tuple(
            line
            for line in (result.diff or "").splitlines()
            if line[:1] in "+-" and line[:3] not in ("+++", "---")
        )
        score.survivors.append(Survivor(where, operator, changed))
        return "SURVIVED"
    score.broken.append(f"{where} {operator}: {result.output}")
    return "BROKEN"


def report(scores: dict[str, Score]) -> float:
    """Print every survivor and each target's score; the share killed overall."""
    killed = sum(score.killed for score in scores.values())
    total = sum(score.total for score in scores.values())
    print(f"\ncosmic-ray {version('cosmic-ray')}, {datetime.now(UTC):%Y-%m-%d}")
    for score in scores.values():
        for survivor in score.survivors:
            print(f"survived: {survivor.where} {survivor.operator}")
            for line in survivor.diff:
                print(f"    {line}")
        for broken in score.broken:
            print(f"harness error: {broken}")
    print(f"\n{'target':<16} {'killed':>7} {'total':>6} {'score':>7}  timeouts")
    for name, score in scores.items():
        share = score.killed / score.total if score.total else 1.0
        print(f"{name:<16} {score.killed:>7} {score.total:>6} {share:>7.1%}  {score.timeouts}")
    share = killed / total if total else 1.0
    print(f"{'overall':<16} {killed:>7} {total:>6} {share:>7.1%}")
    return share


def main(argv: list[str] | None = None) -> int:
    """Run the targets named (all by default) and exit 1 if fewer than 90 % are killed."""
    known = {target.name: target for target in targets()}
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="TARGET", help=", ".join(known))
    parser.add_argument("--keep", action="store_true", help="keep the copy and its sessions")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in known]
    if unknown:
        parser.error(f"no target {', '.join(unknown)}; there are {', '.join(known)}")
    chosen = [known[name] for name in args.names] if args.names else list(known.values())
    work = Path(tempfile.mkdtemp(prefix="replica-bot-mutation-"))
    here, path = Path.cwd(), os.environ.get("PYTHONPATH")
    try:
        tree = copy_checkout(work)
        # The tests, and the `python -m bot` some of them start, import the mutated copy.
        os.environ["PYTHONPATH"] = os.pathsep.join([str(tree), *([path] if path else [])])
        os.chdir(tree)
        check_imports_from(tree)
        scores = {target.name: run_target(target, tree, work) for target in chosen}
    finally:
        os.chdir(here)
        if path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = path
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    share = report(scores)
    broken = any(score.broken for score in scores.values())
    return 0 if share >= GOAL and not broken else 1


if __name__ == "__main__":
    sys.exit(main())
