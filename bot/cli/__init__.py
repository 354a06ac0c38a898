"""`python -m bot`'s commands: serve (the default), check, audit, rotate-keys."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.cli import audit_export, check, rotate_keys, serve

SERVE = "serve"
# Each command's own parser (its arguments, description and --help), and what runs it once its
# arguments are read.
COMMANDS: dict[
    str, tuple[Callable[[], argparse.ArgumentParser], Callable[[argparse.Namespace], int]]
] = {
    SERVE: (serve.parser, serve.execute),
    "check": (check.parser, check.execute),
    "audit": (audit_export.parser, audit_export.execute),
    "rotate-keys": (rotate_keys.parser, rotate_keys.execute),
}


def parser() -> argparse.ArgumentParser:
    """`python -m bot`'s command line: a command, then that command's own arguments."""
    made = argparse.ArgumentParser(
        prog="python -m bot",
        description="replica-bot: a Slack app that creates Tavus replicas. Settings come from "
        "the environment or .env (see the README).",
    )
    # Not required: `python -m bot` alone serves, as the Procfile runs it (web: python -m bot).
    commands = made.add_subparsers(
        dest="command", required=False, title="commands", metavar="COMMAND"
    )
    for name, (its_parser, _) in COMMANDS.items():
        own = its_parser()
        # The command's own parser lends its arguments and its --help (its own, hence
        # add_help=False here), so that `run(argv)` and this line read them alike.
        commands.add_parser(
            name,
            parents=[own],
            add_help=False,
            help=own.description,
            description=own.description,
        )
    return made


def main(argv: list[str] | None = None) -> int:
    """Run a command (serve by default); bad arguments exit 2 with usage, --help exits 0.

    A configuration problem ends it at once with a message, not a traceback.
    """
    args = parser().parse_args(argv)
    _, execute = COMMANDS[args.command or SERVE]
    return execute(args)
