"""Unit tests for a workspace's rules as values: the face-match rule read, kept, recorded."""

from __future__ import annotations

import pytest

from bot.governance.model import Approvers, Creators, FaceMatch, Policy


@pytest.mark.parametrize(
    ("word", "rule"),
    [("require", FaceMatch.REQUIRE), ("WARN", FaceMatch.WARN), (" off ", FaceMatch.OFF)],
)
def test_a_face_match_reads_as_written_whatever_its_case(word: str, rule: FaceMatch) -> None:
    assert FaceMatch.parse(word) is rule


@pytest.mark.parametrize("word", ["", "required", "on", "warn,off"])
def test_any_other_face_match_is_refused_naming_the_three(word: str) -> None:
    with pytest.raises(ValueError, match="one of 'require', 'warn', 'off', not ") as caught:
        FaceMatch.parse(word)

    assert repr(word) in str(caught.value)


def test_a_policy_warns_when_faces_cannot_be_compared_unless_told_otherwise() -> None:
    assert Policy().face_match is FaceMatch.WARN


def test_the_audit_record_of_a_policy_says_its_face_match() -> None:
    policy = Policy(
        creators=Creators(everyone=False, admins=True),
        approvers=Approvers(users=frozenset({"U0ANN"})),
        face_match=FaceMatch.REQUIRE,
    )

    assert policy.as_record() == {
        "creators": "admins",
        "approvers": "U0ANN",
        "approval_channel": None,
        "face_match": "require",
    }
