"""The bot's settings, read from the environment (or .env) and validated once at start-up."""

from bot.config.database import DatabaseSettings
from bot.config.loading import (
    ConfigError,
    help_text,
    load_database_settings,
    load_settings,
    load_vault_settings,
)
from bot.config.modes import (
    EVERY_INTERFACE,
    LOOPBACK,
    SLACK_EVENTS_PATH,
    VaultSettings,
    secure_url,
)
from bot.config.settings import Settings
from bot.config.table import shown_default, table

__all__ = [
    "EVERY_INTERFACE",
    "LOOPBACK",
    "SLACK_EVENTS_PATH",
    "ConfigError",
    "DatabaseSettings",
    "Settings",
    "VaultSettings",
    "help_text",
    "load_database_settings",
    "load_settings",
    "load_vault_settings",
    "secure_url",
    "shown_default",
    "table",
]
