"""One check's verdict, and the two ways to give it: passed, or failed with its fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Result:
    """One check's verdict: what was checked, whether it is fine, what was found, how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    @property
    def line(self) -> str:
        """The line printed for it: `ok  …`, or `problem  … — fix: …`."""
        if self.ok:
            return f"ok  {self.name}: {self.detail}"
        return f"problem  {self.name}: {self.detail} — fix: {self.fix}"


def passed(name: str, detail: str) -> Result:
    """A check that found nothing wrong."""
    return Result(name, True, detail)


def failed(name: str, detail: str, fix: str) -> Result:
    """A check that found a problem, and how to fix it."""
    return Result(name, False, detail, fix)
