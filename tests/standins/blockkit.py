"""Block Kit as Slack's Web API checks it: what it refuses, where, and in Slack's own words."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement, ConfirmObject, Option, OptionGroup
from slack_sdk.models.views import View

# slack_sdk's models (3.48) hold most limits; run first, node by node, so each refusal names
# its element. What they leave out is below, each with where Slack says it.

# docs.slack.dev/reference/block-kit/blocks: "up to 50 blocks in each message, and 100 blocks
# in modals or Home tabs" (slack_sdk has the 100 only, on View, and none for messages).
MOST_BLOCKS = {"message": 50, "modal": 100, "home": 100}
# docs.slack.dev/reference/block-kit/blocks/section-block, `fields`: "Maximum length for the
# text in each item is 2000 characters" (slack_sdk checks the section's `text` only).
FIELD_TEXT = 2000
# docs.slack.dev/reference/block-kit/composition-objects/option-object, `description`: 75.
OPTION_DESCRIPTION = 75
# docs.slack.dev/reference/block-kit/block-elements/checkboxes-element, `options`: at most 10.
MOST_CHECKBOXES = 10
# docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element: min_length is
# 0 to 3000, max_length 1 to 3000; an initial_value longer than max_length cannot be submitted.
INPUT_LENGTH = 3000
# UNCONFIRMED: Slack documents no limit for a response_action's error texts; an input's hint
# shows in the same place and takes 2000 (docs.slack.dev/reference/block-kit/blocks/input-block).
ERROR_TEXT = 2000
# Block ids: 255 (slack_sdk's Block.block_id_max_length); an errors key names one.
BLOCK_ID = 255

# Where Slack takes plain_text only, and nothing else. Docs of the button element (`text`),
# the input block (`label`, `hint`), every select and input (`placeholder`), the header block,
# the confirmation dialog (`title`, `confirm`, `deny`), option groups (`label`), and the view
# object (`title`, `submit`, `close`).
PLAIN_ONLY = frozenset(
    {"label", "hint", "placeholder", "title", "confirm", "deny", "submit", "close"}
)
# Elements whose options show plain_text only (option object docs: mrkdwn in checkboxes and
# radio buttons alone).
PLAIN_OPTIONS = frozenset(
    {"static_select", "multi_static_select", "external_select", "multi_external_select", "overflow"}
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
RESPONSE_ACTIONS = frozenset({"errors", "update", "push", "clear"})

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing Slack refuses: where (`path`), in a reader's words and in Slack's."""

    path: Path
    words: str
    slack_words: str
    # Slack's pointer goes on past `path` (into a text object's "text").
    tail: Path = ()

    def __str__(self) -> str:
        return f"{dotted(self.path)}: {self.words}"

    def messages(self, root: Path = ()) -> list[str]:
        """As Slack's response_metadata.messages say it, with the pointer under `root`."""
        lines = []
        if self.tail:
            # Slack first says the text object as a whole failed, then what in it did.
            lines.append(_slack("failed to match all allowed schemas", root + self.path))
        lines.append(_slack(self.slack_words, root + self.path + self.tail))
        return lines


@dataclass(frozen=True, slots=True)
class Refusal:
    """A call or a response Slack would refuse: where it went, what was wrong, the answer."""

    where: str  # the Web API method, "response_url" or "ack"
    problems: tuple[str, ...]
    answer: Mapping[str, Any] | str  # a Web API method's JSON; hooks.slack.com's bare text
    status: int = 200

    def __repr__(self) -> str:
        return f"Refusal({self.where}: {'; '.join(self.problems)})"


def block_errors(blocks: list[dict[str, Any]], *, surface: str) -> list[str]:
    """What Slack refuses in `blocks` on `surface` ("message", "modal" or "home"); [] if none."""
    return [str(p) for p in _blocks(blocks, surface, ("blocks",))]


def view_errors(view: dict[str, Any]) -> list[str]:
    """What Slack refuses in a view (modal or Home tab) given to views.*; [] if none."""
    return [str(p) for p in _view(view, ())]


def response_action_errors(body: object) -> list[str]:
    """What Slack refuses in a view_submission's answer ({"response_action": …})."""
    return [str(p) for p in _response_action(body)]


def ack_errors(body: object) -> list[str]:
    """What Slack refuses in an acknowledgement's JSON body: a command's message, or an action."""
    if not isinstance(body, Mapping):
        return []
    if "response_action" in body:
        return response_action_errors(body)
    if "blocks" in body:
        return [str(p) for p in _blocks(body["blocks"], "message", ("blocks",))]
    return []


def refusal(method: str, args: Mapping[str, Any]) -> Refusal | None:
    """How Slack answers a Web API call whose blocks or view it refuses; None if it takes them.

    chat.*: `invalid_blocks`, with `errors` and `response_metadata.messages` (as in
    slackapi/bolt-python#1016 and metabase/metabase#74943); blocks that are not a JSON array:
    `invalid_blocks_format` (slackapi/node-slack-sdk#1027). views.*: `invalid_arguments`, whose
    messages start with "failed to match all allowed schemas [json-pointer:/view]" (as in
    rtCamp/frappe-slack-connector#54 and nicklambourne/slackblocks#36).
    """
    if method in {"chat.postMessage", "chat.update", "chat.postEphemeral"}:
        if "blocks" not in args or args["blocks"] in (None, ""):
            return None
        blocks = _decoded(args["blocks"])
        if not isinstance(blocks, list):
            return Refusal(method, ("blocks: not a JSON array",), _error("invalid_blocks_format"))
        problems = _blocks(blocks, "message", ("blocks",))
        if not problems:
            return None
        lines = [line for p in problems for line in p.messages()]
        answer = {
            **_error("invalid_blocks"),
            "errors": [line.removeprefix("[ERROR] ") for line in lines],
            "response_metadata": {"messages": lines},
        }
        return Refusal(method, tuple(map(str, problems)), answer)
    if method in {"views.open", "views.update", "views.push", "views.publish"}:
        problems = _view(_decoded(args.get("view")), ())
        if not problems:
            return None
        lines = [_slack("failed to match all allowed schemas", ("view",))]
        lines += [line for p in problems for line in p.messages(("view",))]
        answer = {**_error("invalid_arguments"), "response_metadata": {"messages": lines}}
        return Refusal(method, tuple(f"view.{p}" for p in problems), answer)
    return None


def response_url_refusal(body: object) -> Refusal | None:
    """How Slack answers a response_url message whose blocks it refuses; None if it takes it.

    hooks.slack.com answers 400 with the bare error as text, as for incoming webhooks
    (sourcegraph/sourcegraph-public-snapshot#49979, louislam/uptime-kuma#941,
    slackapi/java-slack-sdk#1017; response_url itself UNCONFIRMED); Bolt's respond() does not
    raise on it, so the bot never knows.
    """
    if not isinstance(body, Mapping) or body.get("blocks") in (None, ""):
        return None
    blocks = _decoded(body["blocks"])
    problems = (
        [Problem(("blocks",), "not a JSON array", "not a JSON array")]
        if not isinstance(blocks, list)
        else _blocks(blocks, "message", ("blocks",))
    )
    if not problems:
        return None
    return Refusal("response_url", tuple(map(str, problems)), "invalid_blocks", status=400)


def dotted(path: Path) -> str:
    """A path as a reader writes it: blocks[3].elements[0].confirm.text."""
    out = ""
    for part in path:
        if isinstance(part, int) or not part.isidentifier():
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out or "(top)"


# The walk


def _blocks(blocks: object, surface: str, path: Path) -> list[Problem]:
    if not isinstance(blocks, list):
        return [Problem(path, "not a list", "must be an array")]
    problems: list[Problem] = []
    most = MOST_BLOCKS[surface]
    if len(blocks) > most:
        problems.append(_too_many(path, len(blocks), most))
    seen: dict[str, int] = {}
    for i, block in enumerate(blocks):
        here = (*path, i)
        problems += _block(block, here)
        block_id = block.get("block_id") if isinstance(block, Mapping) else None
        if isinstance(block_id, str):
            # block_id docs: "should be unique for each message and each iteration of a message".
            if block_id in seen:
                problems.append(
                    Problem(
                        (*here, "block_id"),
                        f"{block_id!r} repeats blocks[{seen[block_id]}]'s",
                        f"duplicate block_id: {block_id}",
                    )
                )
            seen.setdefault(block_id, i)
    return problems


def _block(block: object, path: Path) -> list[Problem]:
    if not isinstance(block, Mapping):
        return [Problem(path, "not an object", "must be an object")]
    own, parsed = _sdk(block, path, lambda: Block.parse(dict(block)))
    kind = block.get("type")
    if parsed is None and not own:
        return [Problem((*path, "type"), f"unknown block type {kind!r}", "unsupported type")]
    problems: list[Problem] = []
    if kind == "section":
        if "text" in block:
            problems += _text(block["text"], (*path, "text"))
        for i, item in enumerate(_list(block.get("fields"))):
            problems += _text(item, (*path, "fields", i), most=FIELD_TEXT)
        if "accessory" in block:
            problems += _element(block["accessory"], (*path, "accessory"))
    elif kind == "context":
        for i, item in enumerate(_list(block.get("elements"))):
            here = (*path, "elements", i)
            is_text = isinstance(item, Mapping) and item.get("type") in TEXT_TYPES
            problems += _text(item, here) if is_text else _element(item, here)
    elif kind == "actions":
        elements = _list(block.get("elements"))
        for i, item in enumerate(elements):
            problems += _element(item, (*path, "elements", i))
        problems += _unique_action_ids(elements, path)
    elif kind == "header":
        problems += _text(block.get("text"), (*path, "text"), plain=True)
    elif kind == "input":
        problems += _text(block.get("label"), (*path, "label"), plain=True)
        if "hint" in block:
            problems += _text(block["hint"], (*path, "hint"), plain=True)
        problems += _element(block.get("element"), (*path, "element"))
    return _mine(own, parsed, problems) + problems


def _element(element: object, path: Path) -> list[Problem]:
    if not isinstance(element, Mapping):
        return [Problem(path, "not an object", "must be an object")]
    own, parsed = _sdk(element, path, lambda: BlockElement.parse(dict(element)))
    kind = element.get("type")
    if parsed is None and not own:
        return [Problem((*path, "type"), f"unknown element type {kind!r}", "unsupported type")]
    problems: list[Problem] = []
    if "text" in element:
        # Button docs: "Can only be of type: plain_text".
        problems += _text(element["text"], (*path, "text"), plain=True)
    if "placeholder" in element:
        problems += _text(element["placeholder"], (*path, "placeholder"), plain=True)
    if "confirm" in element:
        problems += _confirm(element["confirm"], (*path, "confirm"))
    plain = kind in PLAIN_OPTIONS
    options = _list(element.get("options"))
    for i, option in enumerate(options):
        problems += _option(option, (*path, "options", i), plain=plain)
    if kind in {"checkboxes", "radio_buttons"} and len(options) > MOST_CHECKBOXES:
        problems.append(_too_many((*path, "options"), len(options), MOST_CHECKBOXES))
    if "initial_option" in element:
        problems += _option(element["initial_option"], (*path, "initial_option"), plain=plain)
    for i, option in enumerate(_list(element.get("initial_options"))):
        problems += _option(option, (*path, "initial_options", i), plain=plain)
    for i, group in enumerate(_list(element.get("option_groups"))):
        problems += _group(group, (*path, "option_groups", i))
    if kind == "plain_text_input":
        problems += _input_lengths(element, path)
    return _mine(own, parsed, problems) + problems


def _input_lengths(element: Mapping[str, Any], path: Path) -> list[Problem]:
    problems = []
    most = element.get("max_length")
    least = element.get("min_length")
    if most is not None and not (isinstance(most, int) and 1 <= most <= INPUT_LENGTH):
        problems.append(
            Problem((*path, "max_length"), f"{most!r} not in 1..{INPUT_LENGTH}", "out of range")
        )
    if least is not None and not (isinstance(least, int) and 0 <= least <= INPUT_LENGTH):
        problems.append(
            Problem((*path, "min_length"), f"{least!r} not in 0..{INPUT_LENGTH}", "out of range")
        )
    initial = element.get("initial_value")
    if isinstance(initial, str) and isinstance(most, int):
        problems += _length((*path, "initial_value"), initial, most)
    return problems


def _confirm(confirm: object, path: Path) -> list[Problem]:
    if not isinstance(confirm, Mapping):
        return [Problem(path, "not an object", "must be an object")]
    own, parsed = _sdk(confirm, path, lambda: ConfirmObject(**confirm))
    problems: list[Problem] = []
    # Confirmation dialog docs: all four are required.
    for key in ("title", "text", "confirm", "deny"):
        problems += _text(confirm.get(key), (*path, key), plain=key in PLAIN_ONLY)
    return _mine(own, parsed, problems) + problems


def _option(option: object, path: Path, *, plain: bool) -> list[Problem]:
    if not isinstance(option, Mapping):
        return [Problem(path, "not an object", "must be an object")]
    own, parsed = _sdk(option, path, lambda: Option(**option))
    problems = _text(option.get("text"), (*path, "text"), plain=plain)
    if "description" in option:
        problems += _text(option["description"], (*path, "description"), most=OPTION_DESCRIPTION)
    if not isinstance(option.get("value"), str):
        problems.append(Problem((*path, "value"), "missing", "missing required field: value"))
    return _mine(own, parsed, problems) + problems


def _group(group: object, path: Path) -> list[Problem]:
    if not isinstance(group, Mapping):
        return [Problem(path, "not an object", "must be an object")]
    own, parsed = _sdk(group, path, lambda: OptionGroup(**group))
    problems = _text(group.get("label"), (*path, "label"), plain=True)
    for i, option in enumerate(_list(group.get("options"))):
        problems += _option(option, (*path, "options", i), plain=True)
    return _mine(own, parsed, problems) + problems


def _text(
    text: object, path: Path, *, plain: bool = False, most: int | None = None
) -> list[Problem]:
    """A text object: plain_text or mrkdwn (only plain_text where Slack says so), never empty."""
    if not isinstance(text, Mapping):
        return [Problem(path, "missing or not a text object", "must be a text object")]
    kind = text.get("type")
    words = text.get("text")
    problems = []
    # "unsupported type: …" is Slack's wording for a value outside the enum it expects (as
    # blocks.validate documents it); what it says of mrkdwn where plain_text only is UNCONFIRMED.
    if kind not in TEXT_TYPES:
        problems.append(
            Problem((*path, "type"), f"unknown text type {kind!r}", f"unsupported type: {kind}")
        )
    elif plain and kind != "plain_text":
        problems.append(
            Problem((*path, "type"), f"{kind} where only plain_text", f"unsupported type: {kind}")
        )
    if not isinstance(words, str) or not words:
        # Text object docs: "minimum length for this field is 1 character".
        problems.append(Problem(path, "empty text", "must be more than 0 characters", ("text",)))
    elif most is not None:
        problems += _length(path, words, most, tail=("text",))
    return problems


def _view(view: object, path: Path) -> list[Problem]:
    if not isinstance(view, Mapping):
        return [Problem(path, "not an object", "must be an object")]
    kind = view.get("type")
    surface = kind if kind in {"modal", "home"} else "modal"
    # Its blocks are walked below, one by one, and counted there: slack_sdk's count of them
    # (which the view built without them fails) is left out.
    own, parsed = _sdk(view, path, lambda: View(**{**view, "blocks": None}))
    own = [p for p in own if p.path[len(path) : len(path) + 1] != ("views",)]
    problems: list[Problem] = []
    if kind == "modal" and "title" not in view:
        # View object docs: a modal's title is required.
        problems.append(Problem(path, "no title", "missing required field: title"))
    for key in ("title", "submit", "close"):
        if key in view:
            problems += _text(view[key], (*path, key), plain=True)
    blocks = view.get("blocks")
    if blocks is None:
        problems.append(Problem(path, "no blocks", "missing required field: blocks"))
    else:
        problems += _blocks(blocks, surface, (*path, "blocks"))
        has_input = any(isinstance(b, Mapping) and b.get("type") == "input" for b in _list(blocks))
        if kind == "modal" and has_input and "submit" not in view:
            # View object docs: `submit` is "required when an input block is within the blocks".
            problems.append(Problem(path, "inputs but no submit", "missing required field: submit"))
    return _mine(own, parsed, problems) + problems


def _response_action(body: object) -> list[Problem]:
    if not isinstance(body, Mapping):
        return [Problem((), "not an object", "must be an object")]
    action = body.get("response_action")
    if action not in RESPONSE_ACTIONS:
        return [Problem(("response_action",), f"unknown {action!r}", "unsupported value")]
    if action == "errors":
        errors = body.get("errors")
        if not isinstance(errors, Mapping) or not errors:
            return [Problem(("errors",), "no errors to show", "must be a non-empty object")]
        problems = []
        for key, words in errors.items():
            here: Path = ("errors", str(key))
            if not isinstance(key, str) or not key:
                problems.append(Problem(here, "empty block_id", "must be a block_id"))
            elif len(key) > BLOCK_ID:
                problems += _length(here, key, BLOCK_ID)
            if not isinstance(words, str) or not words:
                problems.append(Problem(here, "empty error", "must be more than 0 characters"))
            else:
                problems += _length(here, words, ERROR_TEXT)
        return problems
    if action in {"update", "push"}:
        return _view(body.get("view"), ("view",))
    return []


# slack_sdk's own checks, one object at a time


# "text attribute cannot exceed 300 characters", "title must be between 1 and 24 characters",
# "views must contain between 1 and 100 blocks", "fields attribute cannot exceed 10 items"…
_SDK_LIMIT = re.compile(
    r"^(?P<attr>\w+)(?: attribute)? (?:cannot exceed|must be between 1 and|must contain between"
    r" 1 and) (?P<limit>\d+) (?P<unit>characters|items|elements|blocks)$"
)


def _sdk(
    node: Mapping[str, Any], path: Path, build: Callable[[], object]
) -> tuple[list[Problem], object]:
    """The model slack_sdk makes of `node`, and what each of its own checks finds wrong there.

    Each check runs alone (validate_json stops at the first), and only the node's own: its
    children are checked where the walk reaches them, so each problem is named once, there.
    """
    try:
        parsed = build()
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        said = f"slack_sdk cannot read it: {exc}"
        return [Problem(path, said, "failed to match all allowed schemas")], None
    if parsed is None:
        return [], None
    problems = []
    for check in _checks(parsed):
        try:
            check()
        except SlackObjectFormationError as exc:
            problems.append(_from_sdk(node, path, str(exc)))
        except (TypeError, AttributeError) as exc:
            said = f"slack_sdk cannot check it: {exc}"
            problems.append(Problem(path, said, "failed to match all allowed schemas"))
    return problems, parsed


def _mine(own: list[Problem], parsed: object, parts: list[Problem]) -> list[Problem]:
    # slack_sdk builds an object's parts with it: when it cannot build one that says why itself.
    return own if parsed is not None or not parts else []


def _checks(parsed: object) -> Iterator[Callable[[], None]]:
    for name in sorted(dir(type(parsed))):
        if name.startswith("__"):
            continue
        check = getattr(parsed, name, None)
        # slack_sdk marks its validators (JsonValidator, EnumValidator) with `validator`.
        if callable(check) and getattr(check, "validator", False):
            yield check


def _from_sdk(node: Mapping[str, Any], path: Path, said: str) -> Problem:
    found = _SDK_LIMIT.match(said)
    if found is None:
        return Problem(path, said, said)
    attr, limit = found["attr"], int(found["limit"])
    value = node.get(attr)
    here = (*path, attr)
    if isinstance(value, Mapping):
        size, tail = len(str(value.get("text") or "")), ("text",)
    elif isinstance(value, str | list):
        size, tail = len(value), ()
    else:
        return Problem(here, said, said)
    if isinstance(value, list):
        return _too_many(here, size, limit)
    if size > limit:
        return Problem(here, f"{size} > {limit}", f"must be less than {limit + 1} characters", tail)
    return Problem(here, said, said, tail)  # too short: "between 1 and …"


# Small parts


def _length(path: Path, value: str, most: int, *, tail: Path = ()) -> list[Problem]:
    if len(value) <= most:
        return []
    # Slack's words for a string too long, as it answers them: "must be less than 3001 characters".
    return [
        Problem(path, f"{len(value)} > {most}", f"must be less than {most + 1} characters", tail)
    ]


def _too_many(path: Path, count: int, most: int) -> Problem:
    # UNCONFIRMED wording: Slack's message for too many items was not found.
    return Problem(path, f"{count} items > {most}", f"must provide no more than {most} items")


def _unique_action_ids(elements: list[Any], path: Path) -> list[Problem]:
    # Button docs, action_id: "Should be unique among all other action_ids in the containing block".
    seen: set[str] = set()
    problems = []
    for i, element in enumerate(elements):
        action_id = element.get("action_id") if isinstance(element, Mapping) else None
        if isinstance(action_id, str):
            if action_id in seen:
                problems.append(
                    Problem(
                        (*path, "elements", i, "action_id"),
                        f"{action_id!r} repeats in its block",
                        f"duplicate action_id: {action_id}",
                    )
                )
            seen.add(action_id)
    return problems


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _decoded(value: object) -> object:
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _error(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def _slack(words: str, pointer: Path) -> str:
    return f"[ERROR] {words} [json-pointer:/{'/'.join(map(str, pointer))}]"
