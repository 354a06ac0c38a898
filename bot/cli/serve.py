"""`python -m bot serve` (or `python -m bot` alone): Slack and Tavus served until SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys

from aiohttp import web

from bot.config import ConfigError, Settings, load_settings
from bot.ops import logs
from bot.store import StoreUnavailable
from bot.workspaces.vault import Unreadable


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m bot serve`."""
    return argparse.ArgumentParser(
        prog="python -m bot serve",
        description="Serve Slack (HTTP on PORT, or Socket Mode) and Tavus's callbacks until "
        "SIGTERM or Ctrl-C: the default command, as the Procfile runs it.",
    )


LISTEN_BACKLOG = 1024  # connections waiting to be accepted (the kernel's somaxconn caps it)


def execute(_: argparse.Namespace) -> int:
    """Serve until stopped: 0 then, 2 for bad settings, 1 without the database or signing keys."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format, secrets=settings.secret_values)
    try:
        web.run_app(
            _serving(settings),
            loop=_event_loop(),
            host=settings.listen_host,
            port=settings.port,
            print=None,
            access_log=None,
            shutdown_timeout=10,
            # A burst of Slack requests opens as many connections at once: past aiohttp's 128
            # waiting to be accepted, the kernel drops them and each client retries 1 s later.
            backlog=LISTEN_BACKLOG,
        )
    except StoreUnavailable as exc:
        print(f"replica-bot cannot reach its database (DATABASE_URL): {exc}", file=sys.stderr)
        return 1
    except Unreadable as exc:
        # Signing keys sealed with keys no longer in SECRETS_KEYS (or none): media and Connect
        # Tavus links would not verify, so the bot does not start.
        print(f"replica-bot cannot open its signing keys: {exc}", file=sys.stderr)
        return 1
    return 0


def _event_loop() -> asyncio.AbstractEventLoop:
    # uvloop serves a burst of Slack requests faster; it does not exist on Windows.
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


async def _serving(settings: Settings) -> web.Application:
    # Imported only to serve: the other commands never load the web app (Bolt, every listener),
    # so they start quickly, and tests/scenarios/test_cli.py keeps them clear of it.
    from bot.app import create_app

    app = await create_app(settings)
    app.on_startup.append(_freeze_startup_objects)
    return app


async def _freeze_startup_objects(_: web.Application) -> None:
    # What was built to start (modules, SQLAlchemy's tables, Bolt) lives as long as the process:
    # left in the collector's care, each full collection walks all of it, a 40 ms pause that
    # landed in the middle of a burst of forms (see bench/).
    gc.freeze()
