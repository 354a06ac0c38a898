"""The log redactor's cost on the event loop: add() and one line redacted, with N values known.

Run from the project root: `python -m bench.redactor`. It prints one table; it asserts nothing.
Each figure is time the calling thread (the event loop, for add and most lines) is held.
"""

from __future__ import annotations

import argparse
import secrets
import time
import traceback
from collections.abc import Callable

from bench.kit import percentile
from bot.ops.redaction import MOST_SECRETS, Redactor

COUNTS = (0, 10, 100, 1000, 5000)
# A line as the bot writes them, and a traceback as a failed request leaves one.
LINE = (
    "bot.delivery.sender: notice n1 posted to C0123ABCD in T0ABCDEFGHIJ for job 3f9a1c2b7d4e "
    "after 2 attempts (chat.postMessage ok); next https://bot.example.com/media/ab.mp4?sig=x"
)


def _traceback() -> str:
    try:
        raise RuntimeError("a request failed: " + LINE)
    except RuntimeError:
        return traceback.format_exc() * 8


def _times(call: Callable[[], object], runs: int) -> list[float]:
    taken = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        taken.append(time.perf_counter() - started)
    return taken


def _key() -> str:
    # What Connect Tavus may be sent: up to 200 printable characters.
    return secrets.token_urlsafe(150)[:200]


def _row(count: int, runs: int, long_text: str) -> str:
    redactor = Redactor()
    for value in ("signing-secret-0123456789", "client-secret-abcdef012345"):
        redactor.add(value, keep=True)
    values = [_key() for _ in range(count)]
    adds = [0.0]
    for value in values:
        started = time.perf_counter()
        redactor.add(value)
        adds.append(time.perf_counter() - started)
    known = values[-1] if values else "signing-secret-0123456789"
    again = _times(lambda: redactor.add(known), runs)
    plain = _times(lambda: redactor.redact(LINE), runs)
    with_key = _times(lambda: redactor.redact(f"{LINE} key={known}"), runs)
    long = _times(lambda: redactor.redact(long_text), max(1, runs // 10))
    micro = 1e6
    return (
        f"{count:>8} {len(redactor):>6} {percentile(adds, 50) * micro:>11.1f} "
        f"{max(adds) * micro:>11.1f} {percentile(again, 50) * micro:>9.1f} "
        f"{percentile(plain, 50) * micro:>8.1f} {percentile(with_key, 50) * micro:>12.1f} "
        f"{percentile(long, 50) * micro:>10.1f}"
    )


def main(argv: list[str] | None = None) -> None:
    """Print add()'s cost (new values, and one used again) and a line's, for each N."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200, help="lines redacted per figure")
    args = parser.parse_args(argv)
    long_text = _traceback()
    print(f"registered values are kept up to {MOST_SECRETS} (besides the settings')")
    print(
        f"{'N added':>8} {'kept':>6} {'add p50 µs':>11} {'add max µs':>11} "
        f"{'again µs':>9} {'line µs':>8} {'line+key µs':>12} {f'{len(long_text)} B µs':>10}"
    )
    for count in COUNTS:
        print(_row(count, args.runs, long_text))


if __name__ == "__main__":
    main()
