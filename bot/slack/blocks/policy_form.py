"""The Policy modal in App Home: build it from a workspace's rules, read a submission back. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot import messages
from bot.governance.model import ADMINS, EVERYONE, Approvers, Creators, FaceMatch, Policy
from bot.slack.blocks.kit import Invalid, field, field_state, option, section, title

CALLBACK_ID = "policy_form"
RULE = "creators_rule"
CREATOR_USERS = "creator_users"
CREATOR_GROUPS = "creator_groups"
APPROVER_USERS = "approver_users"
APPROVER_GROUPS = "approver_groups"
CHANNEL = "approval_channel"
FACE_MATCH = "face_match"
LISTED = "listed"  # the rule: the people and user groups chosen below

_GROUP = re.compile(r"^S[A-Z0-9]{2,}$")
# Each face-match rule as the modal offers it: its label, and the line saying what it does.
_FACE_CHOICES = {
    FaceMatch.REQUIRE: (messages.POLICY_FACE_REQUIRE, messages.POLICY_FACE_REQUIRE_LINE),
    FaceMatch.WARN: (messages.POLICY_FACE_WARN, messages.POLICY_FACE_WARN_LINE),
    FaceMatch.OFF: (messages.POLICY_FACE_OFF, messages.POLICY_FACE_OFF_LINE),
}


def build(policy: Policy) -> dict[str, Any]:
    """The modal, filled in with the workspace's rules as they stand."""
    creators, approvers = policy.creators, policy.approvers
    rule = EVERYONE if creators.everyone else ADMINS if creators.admins else LISTED
    options = {
        EVERYONE: messages.POLICY_RULE_EVERYONE,
        ADMINS: messages.POLICY_RULE_ADMINS,
        LISTED: messages.POLICY_RULE_LISTED,
    }
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if policy.approval_channel:
        channel["initial_conversation"] = policy.approval_channel
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": title(messages.POLICY_TITLE),
        "submit": title(messages.POLICY_SUBMIT),
        "close": title(messages.FORM_CLOSE),
        "blocks": [
            section(messages.POLICY_INTRO),
            field(
                RULE,
                messages.POLICY_RULE_LABEL,
                None,
                {
                    "type": "static_select",
                    "options": [option(value, label) for value, label in options.items()],
                    "initial_option": option(rule, options[rule]),
                },
            ),
            field(
                CREATOR_USERS,
                messages.POLICY_CREATOR_USERS,
                messages.POLICY_LISTED_HINT,
                _users(creators.users),
                optional=True,
            ),
            field(
                CREATOR_GROUPS,
                messages.POLICY_CREATOR_GROUPS,
                messages.POLICY_GROUPS_HINT,
                _groups(creators.groups),
                optional=True,
            ),
            {"type": "divider"},
            field(
                APPROVER_USERS,
                messages.POLICY_APPROVER_USERS,
                messages.POLICY_APPROVERS_HINT,
                _users(approvers.users),
                optional=True,
            ),
            field(
                APPROVER_GROUPS,
                messages.POLICY_APPROVER_GROUPS,
                messages.POLICY_GROUPS_HINT,
                _groups(approvers.groups),
                optional=True,
            ),
            field(CHANNEL, messages.POLICY_CHANNEL, messages.POLICY_CHANNEL_HINT, channel, True),
            {"type": "divider"},
            field(
                FACE_MATCH,
                messages.POLICY_FACE_LABEL,
                messages.POLICY_FACE_HINT,
                {
                    "type": "radio_buttons",
                    "options": [_face_option(rule) for rule in FaceMatch],
                    "initial_option": _face_option(policy.face_match),
                },
            ),
        ],
    }


def parse(view: Mapping[str, Any]) -> Policy | Invalid:
    """Read and check a submitted Policy modal; never trusts Slack's client-side checks."""
    values = view.get("state", {}).get("values", {})
    errors: dict[str, str] = {}
    rule = (field_state(values, RULE).get("selected_option") or {}).get("value")
    creator_groups = _group_ids(values, CREATOR_GROUPS, errors)
    approver_groups = _group_ids(values, APPROVER_GROUPS, errors)
    creator_users = _user_ids(values, CREATOR_USERS)
    approvers = Approvers(users=_user_ids(values, APPROVER_USERS), groups=approver_groups)
    channel = field_state(values, CHANNEL).get("selected_conversation") or None
    face = _face_match(values)
    if rule not in (EVERYONE, ADMINS, LISTED):
        errors[RULE] = messages.POLICY_ERROR_RULE
    elif rule == LISTED and not (creator_users or creator_groups):
        errors[CREATOR_USERS] = messages.POLICY_ERROR_NO_CREATORS
    if channel is not None and not approvers:
        errors[CHANNEL] = messages.POLICY_ERROR_CHANNEL_ALONE
    if face is None:
        errors[FACE_MATCH] = messages.POLICY_ERROR_FACE
    if errors or face is None:
        return Invalid(errors)
    if rule == EVERYONE:
        creators = Creators()
    elif rule == ADMINS:
        creators = Creators(everyone=False, admins=True)
    else:
        creators = Creators(everyone=False, users=creator_users, groups=creator_groups)
    return Policy(creators=creators, approvers=approvers, approval_channel=channel, face_match=face)


def _face_match(values: Mapping[str, Any]) -> FaceMatch | None:
    chosen = (field_state(values, FACE_MATCH).get("selected_option") or {}).get("value")
    # Exactly one of the values offered: nothing else a client could send is stored.
    return next((rule for rule in FaceMatch if rule.value == chosen), None)


def _face_option(rule: FaceMatch) -> dict[str, Any]:
    label, line = _FACE_CHOICES[rule]
    return option(rule.value, label, line)


def _user_ids(values: Mapping[str, Any], block_id: str) -> frozenset[str]:
    chosen = field_state(values, block_id).get("selected_users") or []
    return frozenset(str(user) for user in chosen if user)


def _group_ids(values: Mapping[str, Any], block_id: str, errors: dict[str, str]) -> tuple[str, ...]:
    words = re.split(r"[\s,]+", str(field_state(values, block_id).get("value") or "").strip())
    words = [word for word in words if word]
    wrong = [word for word in words if not _GROUP.match(word)]
    if wrong:
        errors[block_id] = messages.POLICY_ERROR_GROUPS.format(words=", ".join(wrong)[:80])
    return tuple(dict.fromkeys(words))


def _users(users: frozenset[str]) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "multi_users_select"}
    if users:
        element["initial_users"] = sorted(users)
    return element


def _groups(groups: tuple[str, ...]) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input"}
    if groups:
        element["initial_value"] = ", ".join(groups)
    return element
