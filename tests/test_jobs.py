"""Unit tests for the job domain: Tavus status words, final states and callback secrets."""

from __future__ import annotations

import pytest

from bot.jobs import (
    CallbackSecret,
    JobStatus,
    Outcome,
    hash_secret,
    new_job_id,
    outcome_of,
    secret_matches,
)


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
        (JobStatus.CREATING, False),
        (JobStatus.TRAINING, False),
        (JobStatus.READY, True),
        (JobStatus.FAILED, True),
        (JobStatus.REJECTED, True),
        (JobStatus.UNKNOWN, True),
    ],
)
def test_only_creating_and_training_jobs_are_unfinished(status: JobStatus, final: bool) -> None:
    assert status.is_final is final


def test_job_status_values_are_the_stored_words() -> None:
    assert [status.value for status in JobStatus] == [
        "creating",
        "training",
        "ready",
        "failed",
        "rejected",
        "unknown",
    ]
    assert JobStatus("training") is JobStatus.TRAINING


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


def test_job_ids_are_random_hex() -> None:
    ids = {new_job_id() for _ in range(100)}

    assert len(ids) == 100
    assert all(len(job_id) == 24 and int(job_id, 16) >= 0 for job_id in ids)
