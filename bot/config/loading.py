"""Loading the settings: built once, or refused with every problem named and how to fix it."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import ValidationError

from bot.config.database import DatabaseSettings
from bot.config.modes import MIXED, NO_WAY_IN, VaultSettings
from bot.config.settings import Settings
from bot.config.table import shown_default

ONE_MODE = (
    "choose one mode: one workspace (SLACK_BOT_TOKEN and TAVUS_API_KEY, with "
    "SLACK_SIGNING_SECRET or SLACK_APP_TOKEN), or many by OAuth (SLACK_CLIENT_ID, "
    "SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET, PUBLIC_URL and SECRETS_KEYS; each workspace's "
    "admins connect Tavus and set their approvers and channels in App Home). Socket Mode cannot "
    "serve OAuth installs"
)
HEADLINE = "replica-bot cannot start; fix these settings (environment or .env):"


class ConfigError(Exception):
    """The settings are missing or malformed; the message names every problem."""


Chosen = TypeVar("Chosen", bound="DatabaseSettings")


def load_settings(**overrides: Any) -> Settings:
    """Build the Settings, or raise ConfigError naming every problem and where to fix it."""
    return _load(Settings, overrides)


def load_database_settings(**overrides: Any) -> DatabaseSettings:
    """Only the database's settings (for tools that need nothing else), or ConfigError."""
    return _load(DatabaseSettings, overrides)


def load_vault_settings(**overrides: Any) -> VaultSettings:
    """The database's settings and SECRETS_KEYS (to reseal stored secrets), or ConfigError."""
    return _load(VaultSettings, overrides)


def _load(kind: type[Chosen], overrides: dict[str, Any]) -> Chosen:
    try:
        return kind(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    problems: list[tuple[str, str]] = []
    mixed = [str(error["loc"][0]).upper() for error in exc.errors() if error["type"] == MIXED]
    if mixed:
        line = f"  - SLACK_CLIENT_ID cannot be set with {', '.join(mixed)}: {ONE_MODE}"
        problems.append(("slack_client_id", line))
    for error in exc.errors():
        if error["type"] == MIXED:
            continue
        field = str(error["loc"][0]) if error["loc"] else "?"
        problem = "is missing" if error["type"] == "missing" else f"is invalid ({error['msg']})"
        if error["type"] == NO_WAY_IN:
            field, problem = "slack_signing_secret", "is missing"
        problems.append((field, f"  - {field.upper()} {problem}: {help_text(field)}"))
    order = list(Settings.model_fields)
    problems.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    lines = [line.rstrip(": ") for _, line in problems]
    return "\n".join([HEADLINE, *lines])


def help_text(name: str) -> str:
    """How to set one setting, as a failed start says it: its description, then its default."""
    field = Settings.model_fields.get(name)
    if field is None:
        return ""
    # The README's links to its own sections, said in words where no link can be followed.
    text = re.sub(r"\[([^\]]+)\]\(#[^)]+\)", r"the README's '\1'", field.description or "")
    default = shown_default(name)
    return text if default is None else f"{text} (default {default})"
