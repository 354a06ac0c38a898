"""`python -m bot audit`: the audit log printed to standard output, for a compliance export."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.config import ConfigError, DatabaseSettings, load_database_settings
from bot.governance import audit
from bot.store import Store, StoreUnavailable

FORMATS = {"csv": audit.to_csv, "jsonl": audit.to_jsonl}


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m bot audit`."""
    made = argparse.ArgumentParser(
        prog="python -m bot audit",
        description="Print the audit log, oldest first, from the database in DATABASE_URL.",
    )
    made.add_argument(
        "--since",
        type=_day,
        help="only records from this day on (YYYY-MM-DD, UTC); default: all",
    )
    made.add_argument("--format", choices=sorted(FORMATS), default="csv", help="default: csv")
    return made


def run(argv: list[str], out: TextIO = sys.stdout) -> int:
    """Print the records `argv` asks for; 2 for bad arguments or settings, 1 without a database."""
    # Exits 2 with a usage message on bad arguments, 0 for --help.
    return execute(parser().parse_args(argv), out)


def execute(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Print the records `args` asks for; 2 for bad settings, 1 without a database."""
    try:
        settings = load_database_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        records = asyncio.run(_read(settings, args.since))
    except StoreUnavailable as exc:
        print(f"cannot reach the database (DATABASE_URL): {exc}", file=sys.stderr)
        return 1
    out.write(FORMATS[args.format](records))
    return 0


async def _read(settings: DatabaseSettings, since: datetime | None) -> list[audit.Record]:
    store = await Store.open(settings.sqlalchemy_url, pool=settings.pool)
    try:
        return await store.audit.since(since)
    finally:
        await store.close()


def _day(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day as YYYY-MM-DD: {value!r}") from None
