"""Unit tests for the job domain: Tavus status words, states, notice kinds and callback secrets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.jobs import (
    CallbackSecret,
    JobStatus,
    Notice,
    NoticeKind,
    Outcome,
    hash_secret,
    new_id,
    outcome_of,
    secret_matches,
)

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tavus_status", "outcome"),
    [
        ("ready", Outcome.SUCCEEDED),
        ("completed", Outcome.SUCCEEDED),
        ("READY", Outcome.SUCCEEDED),
        (" Completed\n", Outcome.SUCCEEDED),
        ("error", Outcome.FAILED),
        ("ERROR", Outcome.FAILED),
        ("started", Outcome.IN_PROGRESS),
        ("training", Outcome.IN_PROGRESS),
        ("", Outcome.IN_PROGRESS),
        ("something-new", Outcome.IN_PROGRESS),
    ],
)
def test_outcome_of_maps_tavus_status_words(tavus_status: str, outcome: Outcome) -> None:
    assert outcome_of(tavus_status) is outcome


@pytest.mark.parametrize(
    ("status", "final"),
    [
        (JobStatus.QUEUED, False),
        (JobStatus.CREATING, False),
        (JobStatus.TRAINING, False),
        # A stale or unknown job is no longer polled, but a late callback can still settle it.
        (JobStatus.STALE, False),
        (JobStatus.UNKNOWN, False),
        (JobStatus.READY, True),
        (JobStatus.FAILED, True),
        (JobStatus.REJECTED, True),
        (JobStatus.DELETED, True),
    ],
)
def test_only_finished_jobs_are_final(status: JobStatus, final: bool) -> None:
    assert status.is_final is final


def test_job_status_values_are_the_stored_words() -> None:
    assert [status.value for status in JobStatus] == [
        "queued",
        "creating",
        "training",
        "stale",
        "ready",
        "failed",
        "rejected",
        "deleted",
        "unknown",
    ]
    assert JobStatus("training") is JobStatus.TRAINING
    assert JobStatus("queued") is JobStatus.QUEUED
    assert JobStatus("stale") is JobStatus.STALE


def test_notice_kind_values_are_the_stored_words() -> None:
    assert [kind.value for kind in NoticeKind] == [
        "announcement",
        "result",
        "stale",
        "card",
        "not_started",
    ]
    assert NoticeKind("not_started") is NoticeKind.NOT_STARTED


def test_a_new_notice_is_not_yet_attempted_nor_in_doubt() -> None:
    notice = Notice(id="n1", job_id="j1", kind=NoticeKind.RESULT, created_at=NOW)

    assert (notice.attempts, notice.in_doubt) == (0, False)


def test_generated_secrets_are_long_and_distinct() -> None:
    secrets = [CallbackSecret.generate().value for _ in range(100)]

    assert len(set(secrets)) == len(secrets)
    # 32 random bytes, URL-safe base64: 43 characters, safe in a URL path.
    assert all(len(secret) >= 43 for secret in secrets)
    assert all(secret.replace("-", "").replace("_", "").isalnum() for secret in secrets)


def test_a_secrets_digest_is_its_sha256_and_not_the_secret() -> None:
    secret = CallbackSecret("known-secret")

    assert secret.digest == hash_secret("known-secret")
    assert len(secret.digest) == 64
    assert "known-secret" not in secret.digest
    assert secret.digest == CallbackSecret("known-secret").digest


def test_the_right_secret_matches_its_digest() -> None:
    secret = CallbackSecret.generate()

    assert secret_matches(secret.value, secret.digest)


@pytest.mark.parametrize(
    "presented",
    ["", "wrong", "known-secret ", "KNOWN-SECRET", "known-secre"],
    ids=["empty", "other", "trailing-space", "case", "prefix"],
)
def test_any_other_secret_does_not_match(presented: str) -> None:
    assert not secret_matches(presented, CallbackSecret("known-secret").digest)


def test_the_digest_itself_does_not_pass_as_the_secret() -> None:
    digest = CallbackSecret("known-secret").digest

    assert not secret_matches(digest, digest)


def test_an_empty_stored_digest_matches_nothing() -> None:
    assert not secret_matches("", "")


def test_ids_are_random_hex_that_fits_the_id_columns() -> None:
    ids = {new_id() for _ in range(100)}

    assert len(ids) == 100
    # 12 random bytes as lowercase hex: 24 characters, well within the String(32) id columns.
    assert all(len(value) == 24 and set(value) <= set("0123456789abcdef") for value in ids)
