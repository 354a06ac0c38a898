"""The settings as the README shows them, each default as the field declares it."""

from __future__ import annotations

from pathlib import Path

from pydantic_core import PydanticUndefined

from bot.config.settings import Settings


def shown_default(name: str) -> str | None:
    """A setting's default as one would write it in the environment; None if it has none."""
    value = Settings.model_fields[name].default
    if value is None or value is PydanticUndefined or value == ():
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, float):
        # Two places at most: SLACK_UPDATE_RATE's 50 a minute is 0.83 a second.
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, Path) and not value.is_absolute():
        return f"./{value}"
    return str(value)


def table() -> str:
    """The README's table of settings: each one's variable, default and description."""
    rows = ["| Setting | Default | What it is |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = shown_default(name)
        shown = "unset" if default is None else f"`{default}`"
        # A bar inside a cell would end it.
        description = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{name.upper()}` | {shown} | {description} |")
    return "\n".join(rows)
