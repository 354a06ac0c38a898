"""Block Kit for what the media check found: the findings by weight, and what it measured. Pure.

The card's thread, its unfit result and the consent DM show the same report, drawn here once.
"""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.media.inspection.model import Finding, Report
from bot.slack.blocks.kit import context, escape, section


def report_blocks(report: Report | None) -> list[dict[str, Any]]:
    """A section per weight that has findings (what stops it first), then what was measured.

    One section each, cut to a section's limit: a long list loses its tail, never the others.
    """
    if report is None:
        return []
    blocks = [
        section(f"{heading}\n{findings_of(found)}")
        for heading, found in (
            (messages.MEDIA_BLOCKING, report.blocking),
            (messages.MEDIA_ADVICE, report.advice),
            (messages.MEDIA_UNCHECKED, report.unchecked),
        )
        if found
    ]
    if report.summaries:
        blocks.append(context(measured(report)))
    return blocks


def findings_of(findings: tuple[Finding, ...]) -> str:
    """Findings a line each, in plain words (each names its file, and the fix)."""
    return "\n".join(messages.MEDIA_FINDING.format(text=escape(f.text)) for f in findings)


def measured(report: Report) -> str:
    """What the check measured in each file, on one line."""
    return messages.MEDIA_MEASURED.format(
        summaries="; ".join(
            messages.MEDIA_SUMMARY.format(medium=medium.value, summary=escape(summary))
            for medium, summary in report.summaries
        )
    )
