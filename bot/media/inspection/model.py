"""What the media check found, as values: each finding in plain words, blocking or advice (pure)."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass


class Medium(enum.StrEnum):
    """Which file a finding is about."""

    TRAINING_VIDEO = "training video"
    TRAINING_IMAGE = "training image"
    CONSENT_VIDEO = "consent video"


class Weight(enum.StrEnum):
    """How much a finding counts."""

    # Tavus is known to refuse this: the job ends before consent is asked, nothing is sent.
    BLOCKING = "blocking"
    # Training may go on, but the replica is likely to be worse (or Tavus may fail it).
    ADVICE = "advice"
    # The check could not look at this: said so, never a reason to stop.
    UNCHECKED = "unchecked"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the check found about one file: a code, its weight and one line with the fix.

    `code` is Tavus's failure type where there is one (`video_duration`, `second_person_detected`),
    so a finding and the failure Tavus would report hours later read alike.
    """

    medium: Medium
    code: str
    weight: Weight
    text: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the check found about a job's files; an empty report means all is well."""

    findings: tuple[Finding, ...] = ()
    # What was measured, for the thread: "1920×1080, 30 fps, 1 min 42 s, H.264 + AAC".
    summaries: tuple[tuple[Medium, str], ...] = ()

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """The findings that stop the job."""
        return tuple(f for f in self.findings if f.weight is Weight.BLOCKING)

    @property
    def advice(self) -> tuple[Finding, ...]:
        """The findings worth knowing that do not stop it."""
        return tuple(f for f in self.findings if f.weight is Weight.ADVICE)

    @property
    def unchecked(self) -> tuple[Finding, ...]:
        """What could not be looked at."""
        return tuple(f for f in self.findings if f.weight is Weight.UNCHECKED)

    def to_json(self) -> str:
        """The report as the store keeps it."""
        return json.dumps(
            {
                "findings": [[f.medium, f.code, f.weight, f.text] for f in self.findings],
                "summaries": [[medium, text] for medium, text in self.summaries],
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, stored: str) -> Report:
        """A report the store kept."""
        data = json.loads(stored)
        return cls(
            findings=tuple(
                Finding(Medium(medium), str(code), Weight(weight), str(text))
                for medium, code, weight, text in data.get("findings", [])
            ),
            summaries=tuple(
                (Medium(medium), str(text)) for medium, text in data.get("summaries", [])
            ),
        )
