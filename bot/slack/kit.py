"""Block Kit primitives, and the action ids buttons and listeners share. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# What a button asks for; the listeners in actions.py are registered under the same ids.
RETRY_ACTION = "retry_job"
LIST_PAGE_ACTION = "list_page"
DELETE_ACTION = "delete_replica"
OPEN_FORM_ACTION = "open_form"
CONSENT_GIVE_ACTION = "consent_give"
CONSENT_DECLINE_ACTION = "consent_decline"
WITHDRAW_ACTION = "consent_withdraw"
APPROVE_ACTION = "approval_approve"
REJECT_ACTION = "approval_reject"
POLICY_ACTION = "open_policy"
CONNECT_TAVUS_ACTION = "connect_tavus"
OPEN_LINK_ACTION = "open_link"
TALK_ACTION = "talk_to_replica"


# Every modal input holds a single element under this action id: its block id says which.
FIELD = "value"


@dataclass(frozen=True, slots=True)
class Message:
    """A Slack message: the plain text every client and notification shows, and its blocks."""

    text: str
    blocks: list[dict[str, Any]]


def text(words: str) -> Message:
    """A plain message: one section."""
    return Message(text=words, blocks=[section(words)])


def escape(words: str) -> str:
    """Text from users or Tavus, made inert: no @channel pings, links or broken formatting."""
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(words: str) -> dict[str, Any]:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": words}}


def fields(texts: list[str]) -> dict[str, Any]:
    """A section of mrkdwn fields, shown two to a row."""
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": t} for t in texts]}


def context(words: str) -> dict[str, Any]:
    """A context block: small grey mrkdwn text."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": words}]}


def button(
    label: str,
    action_id: str,
    value: str,
    *,
    style: str | None = None,
    confirm: dict[str, Any] | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """A button; `confirm` is Slack's own dialog, shown before the click counts; `url` opens."""
    made: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": label},
    }
    if url:
        made["url"] = url
    if style:
        made["style"] = style
    if confirm:
        made["confirm"] = confirm
    return made


def dialog(
    title: str, words: str, confirm: str, deny: str, *, danger: bool = False
) -> dict[str, Any]:
    """Slack's confirmation dialog for a button: `words` in mrkdwn, two choices."""
    made: dict[str, Any] = {
        "title": {"type": "plain_text", "text": title},
        "text": {"type": "mrkdwn", "text": words},
        "confirm": {"type": "plain_text", "text": confirm},
        "deny": {"type": "plain_text", "text": deny},
    }
    if danger:
        made["style"] = "danger"
    return made


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    """An actions block holding buttons."""
    return {"type": "actions", "elements": list(elements)}


def plain(words: str) -> dict[str, Any]:
    """A plain_text object: labels, titles, option texts."""
    return {"type": "plain_text", "text": words}


def option(value: str, label: str | None = None) -> dict[str, Any]:
    """A select's option, labelled with its value unless given a label."""
    return {"text": plain(label or value), "value": value}


def field(
    block_id: str,
    label: str,
    hint: str | None,
    element: dict[str, Any],
    optional: bool = False,
) -> dict[str, Any]:
    """A modal's input block holding one element (its action id FIELD)."""
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {**element, "action_id": FIELD},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def field_state(values: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    """What a submitted modal holds for one input block ({} if nothing)."""
    state = values.get(block_id, {}).get(FIELD)
    return state if isinstance(state, Mapping) else {}
