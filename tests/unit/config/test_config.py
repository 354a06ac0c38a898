"""Unit tests for the settings: defaults, every problem named at once, and derived values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import (
    EVERY_INTERFACE,
    LOOPBACK,
    ConfigError,
    Settings,
    help_text,
    load_settings,
)
from bot.governance.model import FaceMatch

REQUIRED = {
    "SLACK_BOT_TOKEN": "xoxb-test-token",
    "SLACK_SIGNING_SECRET": "test-signing-secret",
    "TAVUS_API_KEY": "test-tavus-key",
}
PUBLIC_URL = "https://bot.example.com"
# Bolt reads SLACK_CLIENT_SECRET itself, so it must not leak in from the machine either.
BOT_VARIABLES = {name.upper() for name in Settings.model_fields} | {"SLACK_CLIENT_SECRET"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No bot variable from the machine, and no .env but the test's own."""
    for name in list(os.environ):
        # pydantic-settings matches names case-insensitively.
        if name.upper() in BOT_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def required(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in REQUIRED.items():
        monkeypatch.setenv(name, value)


def problems(error: ConfigError) -> list[str]:
    """The lines naming a problem, one per setting."""
    return [line for line in str(error).splitlines() if line.startswith("  - ")]


def refusal(**variables: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(**{name.lower(): value for name, value in variables.items()})
    return caught.value


# Valid settings


@pytest.mark.usefixtures("required")
def test_minimal_settings_take_the_documented_defaults() -> None:
    settings = load_settings()

    assert settings.slack_bot_token == "xoxb-test-token"
    assert settings.slack_signing_secret == "test-signing-secret"
    assert settings.tavus_api_key == "test-tavus-key"
    assert settings.public_url is None
    assert settings.port == 3000
    assert settings.database_url == "sqlite:///replica-bot.db"
    assert settings.tavus_timeout == 30
    assert settings.tavus_poll_interval == 600
    assert settings.tavus_models == ("phoenix-4", "phoenix-3")
    assert settings.slack_app_token is None
    assert settings.log_level == "INFO"
    assert settings.slack_api_base == "https://slack.com/api/"
    assert str(settings.tavus_api_url).rstrip("/") == "https://tavusapi.com"
    assert settings.slack_timeout == 10
    assert isinstance(settings.slack_timeout, int)
    assert settings.slack_channel_rate == 1.0
    assert settings.slack_channel_burst == 2
    assert settings.media_check is True
    assert settings.media_check_concurrency == 2


@pytest.mark.usefixtures("required")
def test_without_a_public_url_no_callback_url_is_offered() -> None:
    # Tavus then gets no callback_url and the bot learns results by polling alone.
    assert load_settings().callback_url("job123", "s3cret") is None


def test_keyword_overrides_stand_in_for_the_environment() -> None:
    settings = load_settings(**{name.lower(): value for name, value in REQUIRED.items()}, port=8080)

    assert settings.port == 8080
    assert settings.tavus_api_key == "test-tavus-key"


@pytest.mark.usefixtures("required")
def test_environment_values_are_read_and_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("TAVUS_TIMEOUT", "2.5")
    monkeypatch.setenv("TAVUS_POLL_INTERVAL", "60")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-test")
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("SLACK_TIMEOUT", "25")
    monkeypatch.setenv("SLACK_CHANNEL_RATE", "0.5")
    monkeypatch.setenv("SLACK_CHANNEL_BURST", "1")

    settings = load_settings()

    assert settings.port == 8080
    assert settings.tavus_timeout == 2.5
    assert settings.tavus_poll_interval == 60
    assert settings.slack_app_token == "xapp-1-test"
    assert settings.log_level == "DEBUG"
    assert str(settings.public_url) == "https://bot.example.com/"
    assert settings.slack_timeout == 25
    assert settings.slack_channel_rate == 0.5
    assert settings.slack_channel_burst == 1


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize(
    ("raw", "models"),
    [
        ("phoenix-3, phoenix-4", ("phoenix-3", "phoenix-4")),
        ("phoenix-4", ("phoenix-4",)),
        (" phoenix-4 ,, phoenix-3 ,", ("phoenix-4", "phoenix-3")),
    ],
)
def test_tavus_models_are_read_as_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch, raw: str, models: tuple[str, ...]
) -> None:
    monkeypatch.setenv("TAVUS_MODELS", raw)

    assert load_settings().tavus_models == models


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    lines = [f"{name}={value}" for name, value in REQUIRED.items()] + ["PORT=4000"]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n")

    settings = load_settings()

    assert settings.slack_bot_token == "xoxb-test-token"
    assert settings.port == 4000


@pytest.mark.usefixtures("required")
def test_the_environment_wins_over_the_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("PORT=4000\n")
    monkeypatch.setenv("PORT", "5000")

    assert load_settings().port == 5000


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize(
    ("raw", "base"),
    [
        ("http://127.0.0.1:9000/api/", "http://127.0.0.1:9000/api/"),
        ("http://127.0.0.1:9000/api", "http://127.0.0.1:9000/api/"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000/"),
    ],
)
def test_slack_api_base_always_ends_with_a_slash(
    monkeypatch: pytest.MonkeyPatch, raw: str, base: str
) -> None:
    monkeypatch.setenv("SLACK_API_URL", raw)

    assert load_settings().slack_api_base == base


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize(
    ("database_url", "sqlalchemy_url"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite:////var/data/x.db", "sqlite+aiosqlite:////var/data/x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+asyncpg://u@h/d"),
        (
            "postgresql://u:p@h:5432/d?sslmode=require",
            "postgresql+asyncpg://u:p@h:5432/d?ssl=require",
        ),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
    ],
)
def test_database_url_gets_the_async_driver(
    monkeypatch: pytest.MonkeyPatch, database_url: str, sqlalchemy_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)

    assert load_settings().sqlalchemy_url == sqlalchemy_url


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize("public_url", ["https://bot.example.com", "https://bot.example.com/"])
def test_callback_url_sits_under_the_public_url(
    monkeypatch: pytest.MonkeyPatch, public_url: str
) -> None:
    monkeypatch.setenv("PUBLIC_URL", public_url)

    url = load_settings().callback_url("job123", "s3cret")

    assert url == "https://bot.example.com/tavus/callback/job123/s3cret"


@pytest.mark.usefixtures("required")
def test_callback_url_keeps_a_public_url_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://example.com/replica-bot/")

    url = load_settings().callback_url("job123", "s3cret")

    assert url == "https://example.com/replica-bot/tavus/callback/job123/s3cret"


# Refused settings


def test_missing_required_settings_are_all_named_at_once_with_where_to_get_them() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings()

    message = str(caught.value)
    assert message.startswith("replica-bot cannot start")
    assert problems(caught.value) == [
        f"  - SLACK_BOT_TOKEN is missing: {help_text('slack_bot_token')}",
        f"  - SLACK_SIGNING_SECRET is missing: {help_text('slack_signing_secret')}",
        f"  - TAVUS_API_KEY is missing: {help_text('tavus_api_key')}",
    ]
    assert "OAuth & Permissions" in message
    assert "Basic Information" in message
    assert "platform.tavus.io" in message


@pytest.mark.usefixtures("required")
def test_a_missing_setting_is_named_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAVUS_API_KEY")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert problems(caught.value) == [f"  - TAVUS_API_KEY is missing: {help_text('tavus_api_key')}"]


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("PORT", "0"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "replica-bot.db"),
        ("PUBLIC_URL", "bot.example.com"),
        ("PUBLIC_URL", "ftp://bot.example.com"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_SIGNING_SECRET", ""),
        ("TAVUS_API_KEY", ""),
        ("TAVUS_TIMEOUT", "0"),
        ("TAVUS_TIMEOUT", "soon"),
        ("TAVUS_POLL_INTERVAL", "-1"),
        ("TAVUS_MODELS", " , "),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token"),
        ("LOG_LEVEL", "VERBOSE"),
        ("SLACK_API_URL", "not a url"),
        ("SLACK_TIMEOUT", "0"),
        ("SLACK_TIMEOUT", "-5"),
        ("SLACK_TIMEOUT", "2.5"),
        ("SLACK_TIMEOUT", "soon"),
        ("SLACK_CHANNEL_RATE", "0"),
        ("SLACK_CHANNEL_RATE", "-1"),
        ("SLACK_CHANNEL_RATE", "fast"),
        ("SLACK_CHANNEL_BURST", "0"),
        ("SLACK_CHANNEL_BURST", "1.5"),
        ("SLACK_CHANNEL_BURST", "many"),
        ("MEDIA_CHECK", "maybe"),
        ("MEDIA_CHECK_CONCURRENCY", "0"),
        ("MEDIA_CHECK_CONCURRENCY", "two"),
    ],
)
def test_malformed_setting_is_named_with_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    (problem,) = problems(caught.value)
    assert problem.startswith(f"  - {variable} is invalid")
    assert problem.endswith(help_text(variable.lower()))


def test_missing_and_malformed_settings_are_reported_together() -> None:
    error = refusal(SLACK_BOT_TOKEN="xoxb-ok", PORT="abc", DATABASE_URL="mysql://x")

    named = [line.split()[1] for line in problems(error)]
    assert sorted(named) == ["DATABASE_URL", "PORT", "SLACK_SIGNING_SECRET", "TAVUS_API_KEY"]


def test_every_new_slack_setting_is_named_when_all_are_malformed() -> None:
    error = refusal(**REQUIRED, SLACK_TIMEOUT="0", SLACK_CHANNEL_RATE="0", SLACK_CHANNEL_BURST="0")

    assert [line.split()[1] for line in problems(error)] == [
        "SLACK_TIMEOUT",
        "SLACK_CHANNEL_RATE",
        "SLACK_CHANNEL_BURST",
    ]


OAUTH = {
    "SLACK_CLIENT_ID": "1234.5678",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_SIGNING_SECRET": "test-signing-secret",
    "PUBLIC_URL": PUBLIC_URL,
    "SECRETS_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
}


def test_a_client_id_chooses_many_workspaces_with_no_token_or_tavus_key() -> None:
    settings = load_settings(**{name.lower(): value for name, value in OAUTH.items()})

    assert settings.oauth
    assert (settings.slack_bot_token, settings.tavus_api_key) == (None, None)
    assert settings.secrets_keys == tuple(OAUTH["SECRETS_KEYS"].split(","))
    assert not load_settings(**{name.lower(): value for name, value in REQUIRED.items()}).oauth


@pytest.mark.parametrize(
    "extra",
    [
        {"SLACK_BOT_TOKEN": "xoxb-1"},
        {"TAVUS_API_KEY": "k", "AUDIT_CHANNEL": "C0AUDIT"},
        {"SLACK_APP_TOKEN": "xapp-1"},
        {"APPROVAL_CHANNEL": "C0APPROVE"},
        {"REPLICA_CREATORS": "U0ALICE,S0SALES", "REPLICA_APPROVERS": "U0BEN"},
    ],
)
def test_a_mixture_of_the_two_modes_is_refused_in_one_line(extra: dict[str, str]) -> None:
    error = refusal(**OAUTH, **extra)

    (problem,) = problems(error)
    assert problem.startswith(f"  - SLACK_CLIENT_ID cannot be set with {', '.join(extra)}:")
    assert "choose one mode" in problem
    assert "Socket Mode cannot serve OAuth installs" in problem


def test_many_workspaces_name_everything_they_still_need() -> None:
    error = refusal(SLACK_CLIENT_ID="1234.5678")

    named = [line.split()[1] for line in problems(error)]
    assert named == ["SLACK_CLIENT_SECRET", "SECRETS_KEYS", "SLACK_SIGNING_SECRET", "PUBLIC_URL"]
    assert all("is missing" in line for line in problems(error))


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://bot.example.com", True),
        ("https://bot.example.com", False),
        ("http://127.0.0.1:3000", False),
        ("http://localhost:3000", False),
    ],
)
def test_many_workspaces_are_served_over_https_or_on_loopback(url: str, refused: bool) -> None:
    variables = {**OAUTH, "PUBLIC_URL": url}
    if refused:
        (problem,) = problems(refusal(**variables))
        assert problem.startswith("  - PUBLIC_URL is invalid")
        assert "https" in problem
    else:
        assert load_settings(**{k.lower(): v for k, v in variables.items()}).oauth


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://bot.example.com", True),
        ("http://203.0.113.9:3000", True),
        ("https://bot.example.com", False),
        ("http://127.0.0.1:3000", False),
        ("http://localhost:3000", False),
        ("http://[::1]:3000", False),
    ],
)
def test_one_workspace_is_called_back_over_https_or_on_loopback(url: str, refused: bool) -> None:
    variables = {**REQUIRED, "PUBLIC_URL": url}
    if refused:
        (problem,) = problems(refusal(**variables))
        assert problem.startswith("  - PUBLIC_URL is invalid")
        assert "must be https" in problem
        assert "http only on loopback" in problem
        assert problem.endswith(help_text("public_url"))
    else:
        assert not load_settings(**{k.lower(): v for k, v in variables.items()}).oauth


def test_a_client_secret_without_its_id_is_refused() -> None:
    error = refusal(**REQUIRED, SLACK_CLIENT_SECRET="client-secret")

    (problem,) = problems(error)
    assert problem.startswith("  - SLACK_CLIENT_SECRET is invalid")
    assert "SLACK_CLIENT_ID" in problem


def test_an_empty_slack_client_id_counts_as_oauth_and_is_refused() -> None:
    # Bolt switches to OAuth installs when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are merely
    # present in the environment (`is not None`), even if empty.
    error = refusal(**{**OAUTH, "SLACK_CLIENT_ID": ""})

    assert [line.split()[1] for line in problems(error)] == ["SLACK_CLIENT_ID"]


def test_a_secrets_key_that_is_not_a_fernet_key_is_refused_without_showing_it() -> None:
    error = refusal(**{**OAUTH, "SECRETS_KEYS": f"{Fernet.generate_key().decode()},hunter2"})

    (problem,) = problems(error)
    assert problem.startswith("  - SECRETS_KEYS is invalid")
    assert "key 2 is not a Fernet key" in problem
    assert "hunter2" not in str(error)


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize(
    ("variable", "secret", "fragment"),
    [
        ("SLACK_BOT_TOKEN", "abc-secret", "abc-secret"),
        ("SLACK_APP_TOKEN", "xoxb-secret-app-token", "secret-app-token"),
        ("DATABASE_URL", "mysql://admin:hunter2@db.example.com/replicas", "hunter2"),
        ("PUBLIC_URL", "not-a-url-with-a-token", "with-a-token"),
        ("SLACK_CLIENT_SECRET", "secret-client-secret", "secret-client-secret"),
    ],
)
def test_secret_values_never_appear_in_the_error(
    monkeypatch: pytest.MonkeyPatch, variable: str, secret: str, fragment: str
) -> None:
    monkeypatch.setenv(variable, secret)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    message = str(caught.value)
    assert variable in message
    assert fragment not in message
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "TAVUS_API_KEY"):
        assert REQUIRED[name] not in message
    # The pydantic error, which carries the input value, is not chained for a traceback to show.
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_socket_mode_needs_no_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("TAVUS_API_KEY", "k")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")

    settings = load_settings()

    assert settings.slack_signing_secret is None


def test_without_an_app_token_the_signing_secret_is_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("TAVUS_API_KEY", "k")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert "SLACK_SIGNING_SECRET is missing" in str(caught.value)
    assert "SLACK_APP_TOKEN" in str(caught.value)


def test_pool_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("TAVUS_API_KEY", "k")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "12")
    monkeypatch.setenv("DATABASE_POOL_OVERFLOW", "0")
    monkeypatch.setenv("DATABASE_TIMEOUT", "2.5")

    pool = load_settings().pool

    assert (pool.size, pool.overflow, pool.timeout) == (12, 0, 2.5)


@pytest.mark.parametrize(
    ("variables", "host"),
    [
        ({}, EVERY_INTERFACE),  # Slack's requests come over HTTP
        ({"PUBLIC_URL": PUBLIC_URL}, EVERY_INTERFACE),
        ({"SLACK_APP_TOKEN": "xapp-1"}, LOOPBACK),  # Socket Mode: nothing calls in
        ({"SLACK_APP_TOKEN": "xapp-1", "PUBLIC_URL": "http://127.0.0.1:3000"}, LOOPBACK),
        ({"SLACK_APP_TOKEN": "xapp-1", "PUBLIC_URL": PUBLIC_URL}, EVERY_INTERFACE),  # Tavus does
        ({"SLACK_APP_TOKEN": "xapp-1", "HOST": EVERY_INTERFACE}, EVERY_INTERFACE),
        ({"HOST": "127.0.0.1"}, "127.0.0.1"),
        ({"HOST": "::"}, "::"),
    ],
)
@pytest.mark.usefixtures("required")
def test_the_bot_listens_only_where_it_is_called_unless_host_says(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], host: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    assert load_settings().listen_host == host


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize("value", ["", "every interface", "127.0.0.1;rm", "host/x"])
def test_a_malformed_host_is_named_with_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("HOST", value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    (problem,) = problems(caught.value)
    assert problem.startswith("  - HOST is invalid")
    assert "127.0.0.1" in problem


@pytest.mark.usefixtures("required")
def test_faces_that_cannot_be_compared_warn_unless_replica_face_match_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().policy.face_match is FaceMatch.WARN

    monkeypatch.setenv("REPLICA_FACE_MATCH", " Require ")

    assert load_settings().policy.face_match is FaceMatch.REQUIRE


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize("value", ["", "strict", "warn,off", "yes"])
def test_a_face_match_that_is_not_one_of_the_three_stops_the_start_naming_them(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("REPLICA_FACE_MATCH", value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    (problem,) = problems(caught.value)
    assert problem.startswith("  - REPLICA_FACE_MATCH is invalid")
    assert "one of 'require', 'warn', 'off'" in problem
    assert problem.endswith(help_text("replica_face_match"))


def test_many_workspaces_share_the_face_match_as_every_workspaces_default() -> None:
    variables = {**OAUTH, "REPLICA_FACE_MATCH": "off"}

    settings = load_settings(**{name.lower(): value for name, value in variables.items()})

    # A word, not one workspace's people or channel: each workspace's admins may choose another.
    assert settings.policy.face_match is FaceMatch.OFF
