"""Logs as python -m bot writes them: text or JSON lines, the job's context, and no secret."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet

from bot.ops.logs import (
    QUIET,
    REDACTOR,
    JsonFormatter,
    configure,
    log_context,
    register_secret,
)
from bot.ops.redaction import FEW_HEADS, Redactor

log = logging.getLogger("bot.test_logs")
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\w+) ([\w.]+): (.*)$")


@pytest.fixture(autouse=True)
def clean_logging() -> Iterator[None]:
    """Put the root logger, its handlers and the quiet libraries back as they were."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET}
    yield
    for handler in list(root.handlers):
        handler.removeFilter(REDACTOR)
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


Capture = Callable[..., io.StringIO]


@pytest.fixture
def capture() -> Capture:
    """Configure logging as python -m bot does, writing to a string instead of stderr."""

    def start(fmt: str = "json", level: str = "INFO", **kwargs: Any) -> io.StringIO:
        stream = io.StringIO()
        configure(level, fmt, stream=stream, **kwargs)
        return stream

    return start


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Each line written, parsed as JSON (failing if one is not an object on its own line)."""
    parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert all(isinstance(each, dict) for each in parsed)
    return parsed


def test_a_json_line_has_the_time_level_logger_and_message(capture: Capture) -> None:
    stream = capture("json")
    before = datetime.now(UTC)

    log.warning("job %s is %s", "J1", "ready")

    (line,) = lines(stream)
    assert line["level"] == "WARNING"
    assert line["logger"] == "bot.test_logs"
    assert line["message"] == "job J1 is ready"
    assert line["time"].endswith("Z")
    moment = datetime.fromisoformat(line["time"])
    assert moment.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= moment <= datetime.now(UTC)
    assert set(line) == {"time", "level", "logger", "message"}  # nothing to say it is about


def test_text_keeps_the_line_the_bot_always_wrote(capture: Capture) -> None:
    stream = capture("text")

    log.info("job %s is %s", "J1", "ready")

    (written,) = stream.getvalue().splitlines()
    matched = TEXT_LINE.match(written)
    assert matched is not None, written
    assert matched.groups() == ("INFO", "bot.test_logs", "job J1 is ready")


def test_lines_below_the_level_are_not_written(capture: Capture) -> None:
    stream = capture("json", level="WARNING")

    log.info("not this one")
    log.error("this one")

    assert [line["message"] for line in lines(stream)] == ["this one"]


def test_libraries_that_write_secrets_at_debug_never_go_below_info(capture: Capture) -> None:
    stream = capture("json", level="DEBUG")

    logging.getLogger("slack_sdk.web").debug("Sending a request - headers: ...")
    logging.getLogger("bot.bolt").debug("a request body")
    log.debug("the bot's own debug line")

    assert [line["logger"] for line in lines(stream)] == ["bot.test_logs"]
    for name in QUIET:
        assert logging.getLogger(name).getEffectiveLevel() == logging.INFO


def test_the_quiet_libraries_follow_a_level_above_info(capture: Capture) -> None:
    capture("text", level="ERROR")

    for name in QUIET:
        assert logging.getLogger(name).getEffectiveLevel() == logging.ERROR


def test_configured_again_it_replaces_its_own_handler(capture: Capture) -> None:
    first = capture("json")
    second = capture("text")

    log.info("once")

    assert first.getvalue() == ""
    assert second.getvalue().count("once") == 1


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        configure("INFO", "yaml", stream=io.StringIO())


def test_inside_a_log_context_each_line_names_what_it_is_about(capture: Capture) -> None:
    stream = capture("json")

    with log_context(job_id="J1", team_id="T1", channel="C1", replica_id="r1"):
        log.info("inside")
    log.info("outside")

    inside, outside = lines(stream)
    assert inside["job_id"] == "J1"
    assert inside["team_id"] == "T1"
    assert inside["channel"] == "C1"
    assert inside["replica_id"] == "r1"
    for name in ("job_id", "team_id", "channel", "replica_id"):
        assert name not in outside


def test_a_nested_context_adds_to_the_outer_one(capture: Capture) -> None:
    stream = capture("json")

    with log_context(team_id="T1", job_id="J1"):
        with log_context(job_id="J2", replica_id="r2", channel=None):
            log.info("inner")
        log.info("outer again")

    inner, outer = lines(stream)
    assert (inner["team_id"], inner["job_id"], inner["replica_id"]) == ("T1", "J2", "r2")
    assert (outer["team_id"], outer["job_id"]) == ("T1", "J1")
    assert "replica_id" not in outer
    assert "channel" not in inner  # None leaves a field as it was: unset


def test_a_calls_extra_wins_over_the_context_and_the_rest_is_kept(capture: Capture) -> None:
    stream = capture("json")

    with log_context(job_id="J1", team_id="T1"):
        log.info("settled", extra={"job_id": "J2", "replica_id": "r1"})

    (line,) = lines(stream)
    assert (line["job_id"], line["team_id"], line["replica_id"]) == ("J2", "T1", "r1")


def test_extra_alone_names_what_a_line_is_about(capture: Capture) -> None:
    stream = capture("json")

    log.info("posted", extra={"channel": "C9", "unrelated": "not written"})

    (line,) = lines(stream)
    assert line["channel"] == "C9"
    assert "unrelated" not in line


async def test_a_task_started_inside_a_context_keeps_it(capture: Capture) -> None:
    stream = capture("json")
    go = asyncio.Event()

    async def later() -> None:
        await go.wait()
        log.info("from the follow-up")

    with log_context(job_id="J1"):
        task = asyncio.create_task(later())
    log.info("the listener returned")
    go.set()
    await task

    returned, follow_up = lines(stream)
    assert "job_id" not in returned
    assert follow_up["job_id"] == "J1"


def test_an_exception_is_rendered_as_its_traceback_on_the_same_line(capture: Capture) -> None:
    stream = capture("json")

    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("the poll failed")

    (line,) = lines(stream)
    assert line["message"] == "the poll failed"
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert line["exception"].endswith("ValueError: boom")


def test_a_stack_asked_for_is_rendered_too(capture: Capture) -> None:
    stream = capture("json")

    log.info("where am I", stack_info=True)

    (line,) = lines(stream)
    assert line["stack"].startswith("Stack (most recent call last):")


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


FERNET_TOKEN = Fernet(Fernet.generate_key()).encrypt(b"xoxb-sealed-bot-token").decode()
# (what is logged, with {} where the secret goes; the secret; what is left to read)
SECRETS = {
    "bot token": ("token {}", "xoxb-1234-5678-abcDEF90", "token xoxb-…"),
    "user token": ("token {}", "xoxp-1234-5678-abcDEF90", "token xoxp-…"),
    "refresh token": ("token {}", "xoxe.xoxp-1-Mi0yLTEyMzQ", "token xoxe.xoxp-…"),
    "app token": ("{} for Socket Mode", "xapp-1-A0APP-1234-abcdef0123", "xapp-… for Socket Mode"),
    "bearer": ("{{'Authorization': 'Bearer {}'}}", "eyJhbGciOiJIUzI1NiJ9.e30.sig", "Bearer …"),
    "basic": ("Authorization: Basic {}", _basic("1234.5678", "client-secret"), "Basic …"),
    "fernet": ("sealed as {}", FERNET_TOKEN, "sealed as …"),
    "api key header": ("headers {{'x-api-key': '{}'}}", "tavus0123456789key", "'x-api-key': '…'"),
    "api key": ("sent x-api-key: {} to Tavus", "tavus0123456789key", "x-api-key: … to Tavus"),
    "callback": (
        "callback_url https://bot.example.com/tavus/callback/J1/{}",
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "/tavus/callback/J1/…",
    ),
    "media link": (
        "fetching https://bot.example.com/media/a1.mp4?expires=1700000000&sig={}",
        "0123456789abcdef0123456789abcdef",
        "expires=1700000000&sig=…",
    ),
    "s3 link": (
        "fetching https://b.s3.amazonaws.com/k?X-Amz-Expires=60&X-Amz-Signature={}&x=1",
        "fedcba9876543210fedcba9876543210",
        "X-Amz-Signature=…&x=1",
    ),
    "gcs link": (
        "fetching https://storage.googleapis.com/b/k?X-Goog-Expires=60&X-Goog-Signature={}&x=1",
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "X-Goog-Signature=…&x=1",
    ),
    "gcs credential": (
        "fetching https://storage.googleapis.com/b/k?X-Goog-Credential={}&x=1",
        "bot%40project.iam.gserviceaccount.com%2F20261203%2Fauto%2Fstorage%2Fgoog4_request",
        "X-Goog-Credential=…&x=1",
    ),
    "azure sas": (
        "fetching https://a.blob.core.windows.net/c/k?sv=2022-11-02&se=2026-12-04&sig={}",
        "q8XkV4c9GNTuFkSx2VY0lPnRcd%2BX1oIa0Ykq3fF2Z0s%3D",
        "se=2026-12-04&sig=…",
    ),
    "cloudfront signature": (
        "fetching https://d1.cloudfront.net/k.mp4?Expires=1700000000&Signature={}&Key-Pair-Id=K",
        "Nql641NHEUkUaXQHZINK1FZ~SYeUSoBJMxjdgqrzIdzV2gyEXPDNv0pYdWJkflDKJ3xIu7lbwRpSkG98NBlgPi",
        "Signature=…&Key-Pair-Id=…",
    ),
    "cloudfront policy": (
        "fetching https://d1.cloudfront.net/k.mp4?Policy={}&Signature=s1gnature&Key-Pair-Id=K",
        "eyJTdGF0ZW1lbnQiOlt7IlJlc291cmNlIjoiaHR0cHM6Ly9kMS5jbG91ZGZyb250Lm5ldC8qIn1dfQ__",
        "Policy=…&Signature=…&Key-Pair-Id=…",
    ),
}


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("kind", list(SECRETS))
def test_a_secret_in_a_logs_arguments_is_never_written(
    capture: Capture, fmt: str, kind: str
) -> None:
    template, secret, left = SECRETS[kind]
    stream = capture(fmt)

    log.info("%s", template.format(secret))
    log.info(template.format(secret))  # in the message itself, as an f-string would put it

    written = stream.getvalue()
    assert secret not in written
    assert written.count(left) == 2


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("kind", list(SECRETS))
def test_a_secret_in_an_exception_is_never_written(capture: Capture, fmt: str, kind: str) -> None:
    template, secret, left = SECRETS[kind]
    stream = capture(fmt)

    try:
        raise RuntimeError(template.format(secret))
    except RuntimeError:
        log.exception("a request failed")

    written = stream.getvalue()
    assert "RuntimeError" in written
    assert secret not in written
    assert left in written


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_registered_secret_is_never_written(capture: Capture, fmt: str) -> None:
    signing_secret, client_secret = secrets.token_hex(16), secrets.token_urlsafe(24)
    key = Fernet.generate_key().decode()  # one of SECRETS_KEYS
    stream = capture(fmt, secrets=[signing_secret, None])
    register_secret(client_secret)
    register_secret(key)

    log.info("verifying with %s", signing_secret)
    log.info("exchanging the code with %r", {"client_secret": client_secret})
    try:
        raise ValueError(f"not a key: {key}")
    except ValueError:
        log.exception("the vault failed")

    written = stream.getvalue()
    for secret in (signing_secret, client_secret, key):
        assert secret not in written
    assert "verifying with …" in written
    assert "not a key: …" in written


def test_a_registered_secret_is_hidden_url_encoded_too(capture: Capture) -> None:
    key = "abc/def+ghi=jkl=="
    stream = capture("text", secrets=[key])

    log.info("GET /connect?key=abc%2Fdef%2Bghi%3Djkl%3D%3D")

    assert "abc%2Fdef" not in stream.getvalue()


def test_a_value_too_short_to_be_a_secret_is_not_hidden(capture: Capture) -> None:
    stream = capture("text", secrets=["ok"])

    log.info("all ok")

    assert "all ok" in stream.getvalue()


def test_words_that_merely_look_like_credentials_are_kept(capture: Capture) -> None:
    stream = capture("text")

    log.info("see the Basic Information page; Bearer realm=metrics")

    assert "see the Basic Information page; Bearer realm=metrics" in stream.getvalue()


def test_a_line_whose_arguments_do_not_fit_is_written_without_its_secret(
    capture: Capture,
) -> None:
    stream = capture("json")

    log.info("posting %s to %s", "xoxb-1234-5678-abcDEF90")  # one argument short

    (line,) = lines(stream)
    assert "unformattable" in line["message"]
    assert "xoxb-1234" not in line["message"]


def test_a_handler_installed_before_is_redacted_as_well(capture: Capture) -> None:
    earlier = io.StringIO()
    logging.getLogger().addHandler(logging.StreamHandler(earlier))
    capture("json")

    log.info("token %s", "xoxb-1234-5678-abcDEF90")

    assert "xoxb-…" in earlier.getvalue()
    assert "xoxb-1234" not in earlier.getvalue()


def test_the_json_formatter_renders_an_exception_on_a_handler_of_its_own() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    alone = logging.getLogger("bot.test_logs.alone")
    alone.addHandler(handler)
    alone.propagate = False
    try:
        try:
            raise KeyError("k")
        except KeyError:
            alone.exception("lookup failed")
    finally:
        alone.removeHandler(handler)
        alone.propagate = True

    (line,) = lines(stream)
    assert line["exception"].endswith("KeyError: 'k'")


def test_the_registered_values_are_bounded_the_least_recently_used_going_first() -> None:
    redactor = Redactor(most=3)
    redactor.add("a-setting-secret", keep=True)
    for number in range(5):
        redactor.add(f"tavus-key-{number}")
    redactor.add("tavus-key-2")  # used again: recent once more
    redactor.add("tavus-key-5")

    assert len(redactor) == 4  # the setting, and the three used last
    assert "a-setting-secret" in redactor
    assert [f"tavus-key-{n}" in redactor for n in range(6)] == [
        False,
        False,
        True,
        False,
        True,
        True,
    ]
    assert redactor.redact("tavus-key-1 tavus-key-2 tavus-key-4 a-setting-secret") == (
        "tavus-key-1 … … …"
    )


def test_a_setting_registered_by_use_first_is_kept_for_good() -> None:
    redactor = Redactor(most=1)
    redactor.add("shared-secret-value")
    redactor.add("shared-secret-value", keep=True)
    redactor.add("another-value-0001")
    redactor.add("another-value-0002")

    assert "shared-secret-value" in redactor
    assert redactor.redact("x shared-secret-value y") == "x … y"


@pytest.mark.parametrize("count", [1, FEW_HEADS, FEW_HEADS + 1, 1000])
def test_each_registered_value_is_hidden_however_many_there_are(count: int) -> None:
    redactor = Redactor()
    values = [secrets.token_urlsafe(24) for _ in range(count)]
    for value in values:
        redactor.add(value)
    hidden = [values[0], values[-1], values[count // 2]]

    for value in hidden:
        line = f"key={value}&then {quote(value, safe='')}."
        assert redactor.redact(line) == "key=…&then …."
    assert redactor.redact("nothing secret here at all") == "nothing secret here at all"


def test_a_secret_that_contains_another_is_hidden_whole() -> None:
    redactor = Redactor()
    redactor.add("0123456789")
    redactor.add("0123456789abcdef")

    assert redactor.redact("<0123456789abcdef> <0123456789>") == "<…> <…>"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_control_characters_in_a_logged_value_are_written_escaped_on_one_line(
    capture: Capture, fmt: str
) -> None:
    stream = capture(fmt)
    outside = "x\r\n2031-01-01 12:00:00,000 INFO bot.connect: forged\x1b[2J\u2028\x85\x00\tend"

    log.info("a value from outside: %s", outside)

    [line] = stream.getvalue().splitlines()
    message = json.loads(line)["message"] if fmt == "json" else line
    assert message.endswith(
        r"a value from outside: x\r\n2031-01-01 12:00:00,000 INFO bot.connect: forged"
        r"\x1b[2J\u2028\x85\x00\tend"
    )


def test_in_text_a_traceback_is_indented_so_no_line_of_it_passes_for_a_record(
    capture: Capture,
) -> None:
    stream = capture("text")

    try:
        raise ValueError("bad\n2031-01-01 12:00:00,000 INFO bot.connect: forged\rover")
    except ValueError:
        log.exception("the check failed")
    log.info("next", stack_info=True)

    written = stream.getvalue().splitlines()
    records = [line for line in written if not line.startswith("  ")]
    assert [TEXT_LINE.match(line) is not None for line in records] == [True, True]
    assert "  Traceback (most recent call last):" in written
    assert "  2031-01-01 12:00:00,000 INFO bot.connect: forged\\rover" in written
    assert "  Stack (most recent call last):" in written
