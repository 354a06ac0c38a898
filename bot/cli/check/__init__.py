"""`python -m bot check`: the set-up checked one line at a time, without starting the bot."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from typing import TextIO

import aiohttp

from bot.cli.check.database import check_store
from bot.cli.check.result import Result
from bot.cli.check.settings import check_settings
from bot.cli.check.slack import check_slack
from bot.cli.check.tavus import check_models, check_tavus
from bot.cli.check.web import check_media, check_public_url
from bot.cli.check.workspaces import check_workspaces
from bot.config import ConfigError, Settings, load_settings
from bot.tavus import TavusClient


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m bot check`."""
    return argparse.ArgumentParser(
        prog="python -m bot check",
        description=(
            "Check the settings, the database, Slack, Tavus, PUBLIC_URL and media storage "
            "without starting the bot: one line each, and the fix for each problem."
        ),
    )


def run(argv: list[str], out: TextIO | None = None) -> int:
    """Print one line per check; 2 for bad arguments or settings, 1 if any check found a problem."""
    # Exits 2 with a usage message on bad arguments, 0 for --help.
    return execute(parser().parse_args(argv), out)


def execute(_: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print one line per check; 2 for bad settings, 1 if any check found a problem."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        # Nothing else can be checked without settings.
        print(exc, file=sys.stderr)
        return 2
    healthy = asyncio.run(_report(settings, out or sys.stdout))
    return 0 if healthy else 1


async def _report(settings: Settings, out: TextIO) -> bool:
    healthy = True
    async for result in checks(settings):
        # Printed as each comes: a slow check shows where it is.
        print(result.line, file=out, flush=True)
        healthy = healthy and result.ok
    return healthy


async def checks(settings: Settings) -> AsyncIterator[Result]:
    """Every check in turn: settings, database, Slack, Tavus, PUBLIC_URL, media storage."""
    yield check_settings(settings)
    result, schema, store = await check_store(settings)
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.slack_timeout))
    # With one workspace, its key is the HTTP client's; with many, each account brings its own.
    tavus_http = TavusClient.build_http(
        base_url=str(settings.tavus_api_url),
        api_key=settings.tavus_api_key,
        timeout=settings.tavus_timeout,
    )
    try:
        yield result
        if settings.oauth:
            for result in await check_workspaces(settings, store, schema, session, tavus_http):
                yield result
        else:
            for result in await check_slack(settings, session):
                yield result
            yield await check_tavus(TavusClient(tavus_http, deadline=settings.tavus_timeout))
        yield check_models(settings)
        yield check_public_url(settings)
        yield await check_media(settings)
    finally:
        await tavus_http.aclose()
        await session.close()
        if store is not None:
            await store.close()
