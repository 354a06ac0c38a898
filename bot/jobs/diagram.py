"""The README's drawing and table of the moves, made from MOVES so they cannot drift."""

from __future__ import annotations

from collections.abc import Iterable

from bot.jobs.move import Move, Only
from bot.jobs.moves import EVERY, MOVES
from bot.jobs.states import JobStatus, NoticeKind

# A move from this many states or more is told in a note: drawn, it would hide the others.
CROWDED = 4


def diagram(moves: Iterable[Move] = MOVES) -> str:
    """The moves as a Mermaid state diagram (the README's, which a test keeps equal to this)."""
    lines = [
        "stateDiagram-v2",
        "    [*] --> awaiting_consent: form accepted (saved first) / owes announcement",
        "    [*] --> fetching: form accepted, a file from Slack (saved first) / owes announcement",
        "    [*] --> checking: form accepted, MEDIA_CHECK on (saved first) / owes announcement",
    ]
    notes = []
    for move in moves:
        label = move.name + (f" / owes {move.owes.value}" if move.owes else "")
        if move.to is None:
            continue  # stays where it is: listed in the table of moves
        if len(move.from_) >= CROWDED:
            notes.append(f"    note left of {move.to.value}: {label}, from {_sources(move)}")
            continue
        for status in JobStatus:
            if status in move.from_:
                lines.append(f"    {status.value} --> {move.to.value}: {label}")
    return "\n".join(lines + notes)


def table(moves: Iterable[Move] = MOVES) -> str:
    """The moves as a Markdown table: from where, to where, what each owes and records, and why."""
    lines = [
        "| move | from | to | owes | settles approvals | records | when |",
        "|---|---|---|---|---|---|---|",
    ]
    for move in moves:
        sources = _sources(move)
        owes = "—" if move.owes is None else move.owes.value
        if move.owes is not None and move.only is not Only.ALWAYS:
            owes += f" ({move.only.value})"
        if move.also is not None:
            owes += f" + {move.also.value}"
        if move.reports:
            owes += f" + {NoticeKind.MEDIA_CHECKED.value} (when the report says anything)"
        to = "(stays)" if move.to is None else move.to.value
        settles = "yes" if move.settles_approvals else "—"
        records = "—" if move.records is None else f"`{move.records.value}`"
        lines.append(
            f"| `{move.name}` | {sources} | {to} | {owes} | {settles} | {records} | {move.why} |"
        )
    return "\n".join(lines)


def _sources(move: Move) -> str:
    if move.from_ == EVERY:
        return "any"
    if len(move.from_) >= CROWDED:
        return "any but " + ", ".join(s.value for s in JobStatus if s not in move.from_)
    return ", ".join(s.value for s in JobStatus if s in move.from_)
