"""Block Kit primitives, and the action ids buttons and listeners share. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# What a button asks for; each feature's listener module registers under the same ids.
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

# Slack refuses a whole message or view (invalid_blocks) when one text is over its limit, so
# every builder here cuts its text to fit. The limits are Block Kit's published ones.
TEXT_LIMIT = 3000  # a section's text, a context's text
FIELD_LIMIT = 2000  # one of a section's fields
BUTTON_LIMIT = 75  # a button's label
OPTION_LIMIT = 75  # a select option's label
OPTION_VALUE_LIMIT = 150  # a select option's value: an id, never cut (see option())
LABEL_LIMIT = 2000  # an input's label and hint
PLACEHOLDER_LIMIT = 150
VIEW_TITLE_LIMIT = 24  # a modal's title, submit and close
DIALOG_TITLE_LIMIT = 100
DIALOG_TEXT_LIMIT = 300
DIALOG_BUTTON_LIMIT = 30
HEADER_LIMIT = 150
INPUT_ERROR_LIMIT = 2000  # an input's error in a view_submission's answer (as long as its hint)
METADATA_NAME_LIMIT = 200  # a file name in private_metadata (3,000 in all, JSON-escaped)


@dataclass(frozen=True, slots=True)
class Invalid:
    """A modal's submission refused: a message for each offending input block, as Slack shows."""

    errors: dict[str, str]


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


def link(url: str, label: str) -> str:
    """A mrkdwn link to `url`, shown as `label` (mrkdwn, made inert by the caller).

    Slack ends a link's address at its first "|": one inside the address would make the rest
    a label of whoever wrote the link, so it is percent-encoded (to the same address).
    """
    return f"<{escape(url).replace('|', '%7C')}|{label}>"


def when(moment: datetime) -> str:
    """A moment as Slack shows it in each reader's own time zone; UTC where it cannot."""
    stamp = int(moment.timestamp())
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"


def clip(words: str, limit: int) -> str:
    """`words` cut to at most `limit` characters, ending in "…" when cut.

    Never in the middle of an escape (`&amp;`) or a `<…>` mention, link or date, which Slack
    would show broken or refuse.
    """
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    for opening, closing in (("&", ";"), ("<", ">")):
        start = cut.rfind(opening)
        if start != -1 and closing not in cut[start:]:
            cut = cut[:start]
    return cut + "…"


def section(words: str) -> dict[str, Any]:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(words, TEXT_LIMIT)}}


def fields(texts: list[str]) -> dict[str, Any]:
    """A section of mrkdwn fields, shown two to a row."""
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": clip(t, FIELD_LIMIT)} for t in texts],
    }


def context(words: str) -> dict[str, Any]:
    """A context block: small grey mrkdwn text."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(words, TEXT_LIMIT)}]}


def header(words: str) -> dict[str, Any]:
    """A header block: large plain text."""
    return {"type": "header", "text": plain(words, HEADER_LIMIT)}


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
        "text": plain(label, BUTTON_LIMIT),
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
        "title": plain(title, DIALOG_TITLE_LIMIT),
        "text": {"type": "mrkdwn", "text": clip(words, DIALOG_TEXT_LIMIT)},
        "confirm": plain(confirm, DIALOG_BUTTON_LIMIT),
        "deny": plain(deny, DIALOG_BUTTON_LIMIT),
    }
    if danger:
        made["style"] = "danger"
    return made


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    """An actions block holding buttons."""
    return {"type": "actions", "elements": list(elements)}


def plain(words: str, limit: int = LABEL_LIMIT) -> dict[str, Any]:
    """A plain_text object: labels, titles, option texts, cut to `limit`."""
    return {"type": "plain_text", "text": clip(words, limit)}


def title(words: str) -> dict[str, Any]:
    """A modal's title, or the words of its submit or close button."""
    return plain(words, VIEW_TITLE_LIMIT)


def option(value: str, label: str | None = None, line: str | None = None) -> dict[str, Any]:
    """A select's option, labelled with its value unless given a label; `line` under it.

    Only the label and line are cut: the value is what the submission hands back, so callers
    offer no value over OPTION_VALUE_LIMIT (fits_option). Slack shows the line (an option's
    description) in radio buttons and checkboxes only.
    """
    made = {"text": plain(label or value, OPTION_LIMIT), "value": value}
    if line:
        made["description"] = plain(line, OPTION_LIMIT)
    return made


def fits_option(value: str) -> bool:
    """Whether a select can offer `value` as it is (Slack refuses longer values)."""
    return 0 < len(value) <= OPTION_VALUE_LIMIT


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
        "label": plain(label, LABEL_LIMIT),
        "element": {**element, "action_id": FIELD},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def errors(by_block: Mapping[str, str]) -> dict[str, str]:
    """A view_submission's `errors` answer, each cut to fit under its input."""
    return {block_id: clip(words, INPUT_ERROR_LIMIT) for block_id, words in by_block.items()}


def field_state(values: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    """What a submitted modal holds for one input block ({} if nothing)."""
    state = values.get(block_id, {}).get(FIELD)
    return state if isinstance(state, Mapping) else {}
