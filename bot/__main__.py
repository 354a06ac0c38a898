"""python -m bot: read the settings, then serve until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import sys

from aiohttp import web

from bot.app import create_app
from bot.config import ConfigError, load_settings
from bot.store import StoreUnavailable


def _event_loop() -> asyncio.AbstractEventLoop:
    # uvloop serves a burst of Slack requests faster; it does not exist on Windows.
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def main() -> int:
    """Start the bot; a configuration problem ends it at once with a message, not a traceback."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        web.run_app(
            create_app(settings),
            loop=_event_loop(),
            port=settings.port,
            print=None,
            access_log=None,
            shutdown_timeout=10,
        )
    except StoreUnavailable as exc:
        print(f"replica-bot cannot reach its database (DATABASE_URL): {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
