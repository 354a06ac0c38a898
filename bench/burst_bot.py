"""`python -m bot`, for the burst benchmark: tracemalloc on, a snapshot taken at each SIGUSR2.

The first SIGUSR2 keeps a baseline; each later one writes the largest growths by line since it to
BENCH_TRACEMALLOC_OUT (written whole, then renamed, so the benchmark never reads half a file).
Without BENCH_TRACEMALLOC_OUT it is `python -m bot` but for SIGUSR1, which has glibc
hand back the memory it holds free (malloc_trim). It lives in bench/ so that
the bot itself carries no hook only a benchmark uses.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import signal
import sys
import tracemalloc
from pathlib import Path
from types import FrameType

from bot.cli import main

TOP = 15


def _install(out: Path) -> None:
    tracemalloc.start(int(os.environ.get("BENCH_TRACEMALLOC_FRAMES", "1")))
    baseline: list[tracemalloc.Snapshot] = []

    def snapshot(_signum: int, _frame: FrameType | None) -> None:
        gc.collect()  # what only a later collection would free is not growth
        taken = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        current, peak = tracemalloc.get_traced_memory()
        held = f"traced now {current / 2**20:.1f} MiB, at its peak {peak / 2**20:.1f} MiB"
        if not baseline:
            baseline.append(taken)
            tracemalloc.reset_peak()
            lines = [held]
        else:
            growth = taken.compare_to(baseline[0], "lineno")
            total = sum(stat.size_diff for stat in growth)
            count = sum(stat.count_diff for stat in growth)
            lines = [held, f"total {total / 2**20:+.1f} MiB in {count:+d} blocks"]
            lines += [
                f"{stat.size_diff / 2**20:+8.2f} MiB {stat.count_diff:+9d} blocks  "
                f"{stat.traceback[0].filename}:{stat.traceback[0].lineno}"
                for stat in growth[:TOP]
            ]
        part = out.with_suffix(".part")
        part.write_text("\n".join(lines) + "\n")
        part.replace(out)

    signal.signal(signal.SIGUSR2, snapshot)


def _trim(_signum: int, _frame: FrameType | None) -> None:
    # glibc keeps what was freed in its arenas (one per thread that allocated); malloc_trim(0)
    # hands the free pages back, so RSS before and after tells freed memory from live memory.
    ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _trim)
    if out := os.environ.get("BENCH_TRACEMALLOC_OUT"):
        _install(Path(out))
    sys.exit(main())
