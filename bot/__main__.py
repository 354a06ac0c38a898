"""python -m bot: serve until SIGTERM or Ctrl-C; or run `check`, `audit` or `rotate-keys`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Callable

from aiohttp import web

from bot import logs
from bot.app import create_app
from bot.cli import audit_export, check, rotate_keys
from bot.config import ConfigError, Settings, load_settings
from bot.store import StoreUnavailable
from bot.vault import Unreadable


def _event_loop() -> asyncio.AbstractEventLoop:
    # uvloop serves a burst of Slack requests faster; it does not exist on Windows.
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


async def _serving(settings: Settings) -> web.Application:
    app = await create_app(settings)
    app.on_startup.append(_freeze_startup_objects)
    return app


async def _freeze_startup_objects(_: web.Application) -> None:
    # What was built to start (modules, SQLAlchemy's tables, Bolt) lives as long as the process:
    # left in the collector's care, each full collection walks all of it, a 40 ms pause that
    # landed in the middle of a burst of forms (see bench/).
    gc.freeze()


SERVE = "serve"
# The other commands, each with a parser (and --help) of its own.
COMMANDS: dict[str, tuple[Callable[[list[str]], int], Callable[[], argparse.ArgumentParser]]] = {
    "check": (check.run, check.parser),
    "audit": (audit_export.run, audit_export.parser),
    "rotate-keys": (rotate_keys.run, rotate_keys.parser),
}


def parser() -> argparse.ArgumentParser:
    """`python -m bot`'s commands: serve (the default), check, audit, rotate-keys."""
    made = argparse.ArgumentParser(
        prog="python -m bot",
        description="replica-bot: a Slack app that creates Tavus replicas. Settings come from "
        "the environment or .env (see the README).",
    )
    commands = made.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    commands.add_parser(
        SERVE,
        help="serve Slack and Tavus until SIGTERM (the default, as the Procfile runs it)",
        description="Serve Slack (HTTP on PORT, or Socket Mode) and Tavus's callbacks until "
        "SIGTERM or Ctrl-C.",
    )
    for name, (_, its_parser) in COMMANDS.items():
        # Only listed here: the command parses its own arguments (and answers its own --help).
        commands.add_parser(name, help=its_parser().description, add_help=False)
    return made


def main(argv: list[str] | None = None) -> int:
    """Run a command (serve by default); bad arguments exit 2 with usage, --help exits 0.

    A configuration problem ends it at once with a message, not a traceback.
    """
    args = sys.argv[1:] if argv is None else argv
    if args[:1] and args[0] in COMMANDS:
        run, _ = COMMANDS[args[0]]
        return run(args[1:])
    # Nothing, "serve", --help, or something unknown: argparse says which (exit 0 or 2).
    parser().parse_args(args)
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


if __name__ == "__main__":
    sys.exit(main())
