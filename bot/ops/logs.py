"""Logging: LOG_FORMAT text or json, the job a line is about, and never a secret on any line."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TextIO

from bot.jobs import Job
from bot.ops.redaction import Redactor

# The line python -m bot has always written, kept for LOG_FORMAT=text.
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")
# Loggers that write whole Slack requests and answers at DEBUG: oauth.v2.access's answer is a
# bot token, and a request carries its token too. They never say more than INFO.
QUIET = ("slack_sdk", "slack_bolt", "bot.bolt")
# What a line may say it is about, from log_context() or a call's `extra`.
FIELDS = ("job_id", "team_id", "channel", "replica_id")
HANDLER_NAME = "replica-bot"
# In text, the lines of a traceback or stack below a record's own line start with this: only a
# record's first line starts at the margin, so no value can pass for a record of its own.
CONTINUED = "  "

_context: ContextVar[Mapping[str, str]] = ContextVar("log_context", default=MappingProxyType({}))


@contextmanager
def log_context(
    *,
    job_id: str | None = None,
    team_id: str | None = None,
    channel: str | None = None,
    replica_id: str | None = None,
) -> Iterator[None]:
    """Name the job, workspace, channel or replica the lines logged inside are about.

    Nested contexts add to the outer one (None keeps the outer value); tasks started inside
    carry the context with them, as asyncio copies it into each new task.
    """
    given = {"job_id": job_id, "team_id": team_id, "channel": channel, "replica_id": replica_id}
    fields = {**_context.get(), **{name: value for name, value in given.items() if value}}
    token = _context.set(MappingProxyType(fields))
    try:
        yield
    finally:
        _context.reset(token)


def about(job: Job) -> AbstractContextManager[None]:
    """The log context of work on one job: its id, workspace, channel and replica."""
    return log_context(
        job_id=job.id,
        team_id=job.requester.team_id,
        channel=job.announcement_channel or job.requester.channel_id,
        replica_id=job.replica_id,
    )


# Installed on every handler configure() sees, so that register_secret() reaches them all.
REDACTOR = Redactor()


def register_secret(value: str | None) -> None:
    """Never log this value (a workspace's Tavus key); None and short ones are ignored.

    Kept among the MOST_SECRETS registered most recently: register a value each time it is
    used, and only once it is known to be a secret (a key Tavus accepted, never one merely typed).
    """
    REDACTOR.add(value)


class TextFormatter(logging.Formatter):
    """TEXT_FORMAT's line; a traceback or stack below it indented, never passing for a record."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """The record's line, and any traceback or stack on the lines below, each indented."""
        return super().format(record).replace("\n", f"\n{CONTINUED}")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, what it is about, any exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON; a call's `extra` wins over log_context()."""
        moment = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, str] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _context.get()
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is None:
                value = context.get(name)
            if value is not None:
                line[name] = str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # JSON escapes newlines: a traceback stays on its one line.
        return json.dumps(line, ensure_ascii=False)


def configure(
    level: str,
    fmt: str = "text",
    *,
    secrets: Iterable[str | None] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Log at `level` (LOG_LEVEL) as `fmt` (LOG_FORMAT) to `stream` (stderr), no secret shown.

    Libraries that would write a secret they were handed at DEBUG never go below INFO. Called
    again, it replaces the handler it installed before. Returns the handler.
    """
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    number = logging.getLevelNamesMapping()[level]
    for value in secrets:
        REDACTOR.add(value, keep=True)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [each for each in root.handlers if each.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    # Handlers something else installed (a platform's) are redacted as well.
    for each in root.handlers:
        each.addFilter(REDACTOR)
    root.setLevel(number)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.INFO, number))
    return handler
