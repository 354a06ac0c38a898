"""`python -m bot`, for bench.versus --profile: a CPU profile of the event loop between two signals.

SIGUSR1 starts pyinstrument (a sampling profiler, installed for profiling only, not a project
dependency) on the main thread; SIGUSR2 stops it and writes its text report, and the raw
session, to BENCH_PROFILE_OUT (a path without suffix; `.txt` and `.json` are added). It lives
in bench/ so that the bot itself carries no hook only a benchmark uses.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from bot.cli import main


def _install(out: Path) -> None:
    from pyinstrument import Profiler  # only ever where it is installed

    held: list[Any] = []

    def start(_signum: int, _frame: FrameType | None) -> None:
        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
        held.append(profiler)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        profiler = held.pop()
        session = profiler.stop()
        text = profiler.output_text(unicode=False, color=False, show_all=False)
        out.with_suffix(".txt").write_text(text)
        session.save(str(out.with_suffix(".json")))
        out.with_suffix(".done").write_text("")

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)


if __name__ == "__main__":
    if out := os.environ.get("BENCH_PROFILE_OUT"):
        _install(Path(out))
    sys.exit(main())
