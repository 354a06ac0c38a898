"""The stand-in refuses the Block Kit Slack refuses, at each limit's boundary, as Slack answers."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack_client import SlackSender
from tests.standins.blockkit import (
    ack_errors,
    block_errors,
    refusal,
    response_action_errors,
    response_url_refusal,
    view_errors,
)
from tests.standins.slack import BOT_TOKEN, SlackStandIn


def plain(words: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": words}


def mrkdwn(words: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": words}


def button(**changes: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": "go", "value": "v", "text": plain("Go"), **changes}


def dialog(**changes: Any) -> dict[str, Any]:
    made = {
        "title": plain("Sure?"),
        "text": mrkdwn("Really."),
        "confirm": plain("Yes"),
        "deny": plain("No"),
    }
    return {**made, **changes}


def select(**changes: Any) -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": "pick",
        "options": [{"text": plain("One"), "value": "1"}],
        **changes,
    }


def actions(*elements: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "actions", "elements": list(elements)}]


def field(**changes: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": "name",
        "label": plain("Name"),
        "element": {"type": "plain_text_input", "action_id": "value"},
        **changes,
    }


def modal(**changes: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain("New replica"),
        "submit": plain("Create"),
        "close": plain("Cancel"),
        "blocks": [field()],
        **changes,
    }


def message(blocks: list[dict[str, Any]]) -> list[str]:
    return block_errors(blocks, surface="message")


def in_modal(blocks: list[dict[str, Any]]) -> list[str]:
    return view_errors(modal(blocks=blocks))


# Each limit: what to check, a thing holding `n` characters (or items), its limit, and where.
LIMITS: list[tuple[str, Callable[[int], list[str]], int, str]] = [
    (
        "confirm title",
        lambda n: message(actions(button(confirm=dialog(title=plain("t" * n))))),
        100,
        "blocks[0].elements[0].confirm.title",
    ),
    (
        "confirm text",
        lambda n: message(actions(button(confirm=dialog(text=mrkdwn("t" * n))))),
        300,
        "blocks[0].elements[0].confirm.text",
    ),
    (
        "confirm confirm",
        lambda n: message(actions(button(confirm=dialog(confirm=plain("t" * n))))),
        30,
        "blocks[0].elements[0].confirm.confirm",
    ),
    (
        "confirm deny",
        lambda n: message(actions(button(confirm=dialog(deny=plain("t" * n))))),
        30,
        "blocks[0].elements[0].confirm.deny",
    ),
    (
        "option text",
        lambda n: message(actions(select(options=[{"text": plain("o" * n), "value": "1"}]))),
        75,
        "blocks[0].elements[0].options[0].text",
    ),
    (
        "option value",
        lambda n: message(actions(select(options=[{"text": plain("One"), "value": "v" * n}]))),
        150,
        "blocks[0].elements[0].options[0].value",
    ),
    (
        "option description",
        lambda n: message(
            actions(
                select(
                    options=[{"text": plain("One"), "value": "1", "description": plain("d" * n)}]
                )
            )
        ),
        75,
        "blocks[0].elements[0].options[0].description",
    ),
    (
        "section text",
        lambda n: message([{"type": "section", "text": mrkdwn("s" * n)}]),
        3000,
        "blocks[0].text",
    ),
    (
        "section field text",
        lambda n: message([{"type": "section", "fields": [mrkdwn("a"), mrkdwn("f" * n)]}]),
        2000,
        "blocks[0].fields[1]",
    ),
    (
        "button text",
        lambda n: message(actions(button(text=plain("b" * n)))),
        75,
        "blocks[0].elements[0].text",
    ),
    (
        "button value",
        lambda n: message(actions(button(value="v" * n))),
        2000,
        "blocks[0].elements[0].value",
    ),
    (
        "button action_id",
        lambda n: message(actions(button(action_id="a" * n))),
        255,
        "blocks[0].elements[0].action_id",
    ),
    (
        "button url",
        lambda n: message(actions(button(url="https://x.example/" + "u" * (n - 18)))),
        3000,
        "blocks[0].elements[0].url",
    ),
    (
        "header text",
        lambda n: message([{"type": "header", "text": plain("h" * n)}]),
        150,
        "blocks[0].text",
    ),
    (
        "input label",
        lambda n: in_modal([field(label=plain("l" * n))]),
        2000,
        "blocks[0].label",
    ),
    (
        "input hint",
        lambda n: in_modal([field(hint=plain("h" * n))]),
        2000,
        "blocks[0].hint",
    ),
    (
        "placeholder",
        lambda n: in_modal(
            [
                field(
                    element={
                        "type": "plain_text_input",
                        "action_id": "value",
                        "placeholder": plain("p" * n),
                    }
                )
            ]
        ),
        150,
        "blocks[0].element.placeholder",
    ),
    (
        "initial_value within max_length",
        lambda n: in_modal(
            [
                field(
                    element={
                        "type": "plain_text_input",
                        "action_id": "value",
                        "max_length": 100,
                        "initial_value": "i" * n,
                    }
                )
            ]
        ),
        100,
        "blocks[0].element.initial_value",
    ),
    ("modal title", lambda n: view_errors(modal(title=plain("t" * n))), 24, "title"),
    ("modal submit", lambda n: view_errors(modal(submit=plain("s" * n))), 24, "submit"),
    ("modal close", lambda n: view_errors(modal(close=plain("c" * n))), 24, "close"),
    (
        "private_metadata",
        lambda n: view_errors(modal(private_metadata="m" * n)),
        3000,
        "private_metadata",
    ),
    ("callback_id", lambda n: view_errors(modal(callback_id="c" * n)), 255, "callback_id"),
    (
        "block_id",
        lambda n: message([{"type": "divider", "block_id": "b" * n}]),
        255,
        "blocks[0].block_id",
    ),
    (
        "an errors answer's block id",
        lambda n: response_action_errors({"response_action": "errors", "errors": {"b" * n: "e"}}),
        255,
        f"errors.{'b' * 256}",
    ),
    (
        "an errors answer's text",
        lambda n: response_action_errors(
            {"response_action": "errors", "errors": {"name": "e" * n}}
        ),
        2000,
        "errors.name",
    ),
]


@pytest.mark.parametrize(("check", "build", "limit", "where"), LIMITS, ids=[c[0] for c in LIMITS])
def test_each_length_limit_takes_its_limit_and_refuses_one_more(
    check: str, build: Callable[[int], list[str]], limit: int, where: str
) -> None:
    assert build(limit) == []
    # The path of the refused one is printed with 256 characters of block id: built here too.
    assert build(limit + 1) == [f"{where}: {limit + 1} > {limit}"]


def sections(n: int) -> list[dict[str, Any]]:
    return [{"type": "section", "text": mrkdwn(f"row {i}")} for i in range(n)]


COUNTS: list[tuple[str, Callable[[int], list[str]], int, str]] = [
    ("message blocks", lambda n: message(sections(n)), 50, "blocks"),
    ("modal blocks", lambda n: block_errors(sections(n), surface="modal"), 100, "blocks"),
    ("home blocks", lambda n: view_errors({"type": "home", "blocks": sections(n)}), 100, "blocks"),
    (
        "section fields",
        lambda n: message([{"type": "section", "fields": [mrkdwn("f")] * n}]),
        10,
        "blocks[0].fields",
    ),
    (
        "context elements",
        lambda n: message([{"type": "context", "elements": [mrkdwn("c")] * n}]),
        10,
        "blocks[0].elements",
    ),
    (
        "actions elements",
        lambda n: message(actions(*(button(action_id=f"b{i}") for i in range(n)))),
        25,
        "blocks[0].elements",
    ),
    (
        "select options",
        lambda n: message(
            actions(select(options=[{"text": plain(f"{i}"), "value": f"{i}"} for i in range(n)]))
        ),
        100,
        "blocks[0].elements[0].options",
    ),
    (
        "checkboxes",
        lambda n: in_modal(
            [
                field(
                    element={
                        "type": "checkboxes",
                        "action_id": "value",
                        "options": [{"text": plain(f"{i}"), "value": f"{i}"} for i in range(n)],
                    }
                )
            ]
        ),
        10,
        "blocks[0].element.options",
    ),
]


@pytest.mark.parametrize(("check", "build", "limit", "where"), COUNTS, ids=[c[0] for c in COUNTS])
def test_each_count_limit_takes_its_limit_and_refuses_one_more(
    check: str, build: Callable[[int], list[str]], limit: int, where: str
) -> None:
    assert build(limit) == []
    assert build(limit + 1) == [f"{where}: {limit + 1} items > {limit}"]


# plain_text where Slack takes nothing else

PLAIN_ONLY: list[tuple[str, Callable[[dict[str, Any]], list[str]], str]] = [
    ("button text", lambda t: message(actions(button(text=t))), "blocks[0].elements[0].text"),
    (
        "option text in a select",
        lambda t: message(actions(select(options=[{"text": t, "value": "1"}]))),
        "blocks[0].elements[0].options[0].text",
    ),
    ("input label", lambda t: in_modal([field(label=t)]), "blocks[0].label"),
    ("input hint", lambda t: in_modal([field(hint=t)]), "blocks[0].hint"),
    (
        "placeholder",
        lambda t: in_modal(
            [field(element={"type": "plain_text_input", "action_id": "v", "placeholder": t})]
        ),
        "blocks[0].element.placeholder",
    ),
    ("header", lambda t: message([{"type": "header", "text": t}]), "blocks[0].text"),
    (
        "confirm title",
        lambda t: message(actions(button(confirm=dialog(title=t)))),
        "blocks[0].elements[0].confirm.title",
    ),
    (
        "confirm confirm",
        lambda t: message(actions(button(confirm=dialog(confirm=t)))),
        "blocks[0].elements[0].confirm.confirm",
    ),
    (
        "confirm deny",
        lambda t: message(actions(button(confirm=dialog(deny=t)))),
        "blocks[0].elements[0].confirm.deny",
    ),
    ("modal title", lambda t: view_errors(modal(title=t)), "title"),
    ("modal submit", lambda t: view_errors(modal(submit=t)), "submit"),
    ("modal close", lambda t: view_errors(modal(close=t)), "close"),
]


@pytest.mark.parametrize(("check", "build", "where"), PLAIN_ONLY, ids=[c[0] for c in PLAIN_ONLY])
def test_where_slack_takes_plain_text_only_mrkdwn_is_refused(
    check: str, build: Callable[[dict[str, Any]], list[str]], where: str
) -> None:
    assert build(plain("Words")) == []
    assert build(mrkdwn("Words")) == [f"{where}.type: mrkdwn where only plain_text"]


def test_mrkdwn_is_taken_where_slack_takes_it() -> None:
    checkbox = {
        "type": "checkboxes",
        "action_id": "v",
        "options": [{"text": mrkdwn("*I*"), "value": "1"}],
    }

    assert message([{"type": "section", "text": mrkdwn("*a*"), "fields": [plain("b")]}]) == []
    assert message(actions(button(confirm=dialog(text=plain("plain is fine too"))))) == []
    assert in_modal([field(element=checkbox)]) == []


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "section", "text": mrkdwn("")}],
        [{"type": "section", "fields": [mrkdwn("a"), plain("")]}],
        [{"type": "context", "elements": [mrkdwn("")]}],
        actions(button(text=plain(""))),
    ],
    ids=["section", "field", "context", "button"],
)
def test_an_empty_text_is_refused(blocks: list[dict[str, Any]]) -> None:
    found = message(blocks)

    assert len(found) == 1
    assert found[0].endswith(": empty text")


def test_blocks_must_be_objects_of_a_known_type() -> None:
    assert message([{"type": "section", "text": mrkdwn("ok")}, {"type": "divider"}]) == []
    assert message([{"type": "sectoin", "text": mrkdwn("ok")}]) == [
        "blocks[0].type: unknown block type 'sectoin'"
    ]
    assert message([{"text": mrkdwn("no type")}]) == ["blocks[0].type: unknown block type None"]
    assert message(["a section"]) == ["blocks[0]: not an object"]  # type: ignore[list-item]
    assert block_errors({"type": "section"}, surface="message") == ["blocks: not a list"]  # type: ignore[arg-type]
    assert message(actions({"type": "buton", "action_id": "x"})) == [
        "blocks[0].elements[0].type: unknown element type 'buton'"
    ]


def test_block_ids_are_unique_within_one_message_or_view() -> None:
    twice = [{"type": "divider", "block_id": "b"}, {"type": "divider", "block_id": "b"}]

    assert (
        message([{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "b"}]) == []
    )
    assert message(twice) == ["blocks[1].block_id: 'b' repeats blocks[0]'s"]
    assert in_modal([field(), field()]) == ["blocks[1].block_id: 'name' repeats blocks[0]'s"]


def test_action_ids_are_unique_within_one_block() -> None:
    assert message(actions(button(action_id="a"), button(action_id="b"))) == []
    assert message(actions(button(action_id="a"), button(action_id="a"))) == [
        "blocks[0].elements[1].action_id: 'a' repeats in its block"
    ]


def test_a_section_needs_text_or_fields_as_slack_sdk_says() -> None:
    assert message([{"type": "section"}]) == [
        "blocks[0]: text or fields attribute must be specified"
    ]


def test_a_confirm_dialog_needs_all_four_texts() -> None:
    no_deny = {key: value for key, value in dialog().items() if key != "deny"}

    assert message(actions(button(confirm=no_deny))) == [
        "blocks[0].elements[0].confirm.deny: missing or not a text object"
    ]


def test_a_modal_needs_a_title_and_with_inputs_a_submit() -> None:
    untitled = {key: value for key, value in modal().items() if key != "title"}
    unsubmittable = {key: value for key, value in modal().items() if key != "submit"}
    shown = modal(blocks=[{"type": "section", "text": mrkdwn("only words")}])
    del shown["submit"]

    assert view_errors(untitled) == ["(top): no title"]
    assert view_errors(unsubmittable) == ["(top): inputs but no submit"]
    assert view_errors(shown) == []


def test_a_home_tab_has_neither_submit_nor_close() -> None:
    home = {"type": "home", "blocks": sections(1)}

    assert view_errors(home) == []
    assert view_errors({**home, "close": plain("Close")}) == [
        "(top): home view cannot have submit and close"
    ]


def test_plain_text_input_lengths_stay_within_what_slack_allows() -> None:
    def element(**lengths: Any) -> list[str]:
        return in_modal([field(element={"type": "plain_text_input", "action_id": "v", **lengths})])

    assert element(min_length=0, max_length=3000) == []
    assert element(max_length=3001) == ["blocks[0].element.max_length: 3001 not in 1..3000"]
    assert element(max_length=0) == ["blocks[0].element.max_length: 0 not in 1..3000"]
    assert element(min_length=3001) == ["blocks[0].element.min_length: 3001 not in 0..3000"]


# Answers to a view_submission


def test_an_errors_answer_names_blocks_with_words() -> None:
    assert (
        response_action_errors({"response_action": "errors", "errors": {"name": "Too long"}}) == []
    )
    assert response_action_errors({"response_action": "errors", "errors": {}}) == [
        "errors: no errors to show"
    ]
    assert response_action_errors({"response_action": "errors", "errors": {"": "x", "a": ""}}) == [
        "errors['']: empty block_id",
        "errors.a: empty error",
    ]


def test_an_update_or_push_answer_carries_a_valid_view() -> None:
    assert response_action_errors({"response_action": "update", "view": modal()}) == []
    assert response_action_errors(
        {"response_action": "push", "view": modal(title=plain("t" * 25))}
    ) == ["view.title: 25 > 24"]
    assert response_action_errors({"response_action": "update"}) == ["view: not an object"]
    assert response_action_errors({"response_action": "clear"}) == []
    assert response_action_errors({"response_action": "close"}) == [
        "response_action: unknown 'close'"
    ]


def test_an_acknowledgement_is_checked_as_what_it_answers() -> None:
    assert ack_errors({}) == []
    assert ack_errors({"text": "Hi"}) == []
    assert ack_errors({"text": "Hi", "blocks": [{"type": "section", "text": mrkdwn("")}]}) == [
        "blocks[0].text: empty text"
    ]
    assert ack_errors({"response_action": "errors", "errors": {"a": ""}}) == [
        "errors.a: empty error"
    ]


# What Slack answers


def test_chat_methods_answer_invalid_blocks_with_slacks_messages() -> None:
    blocks = actions(button(confirm=dialog(text=mrkdwn("t" * 312))))

    refused = refusal("chat.postMessage", {"channel": "C1", "blocks": json.dumps(blocks)})

    assert refused is not None
    assert refused.problems == ("blocks[0].elements[0].confirm.text: 312 > 300",)
    assert refused.answer == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": [
            "failed to match all allowed schemas [json-pointer:/blocks/0/elements/0/confirm/text]",
            "must be less than 301 characters "
            "[json-pointer:/blocks/0/elements/0/confirm/text/text]",
        ],
        "response_metadata": {
            "messages": [
                "[ERROR] failed to match all allowed schemas "
                "[json-pointer:/blocks/0/elements/0/confirm/text]",
                "[ERROR] must be less than 301 characters "
                "[json-pointer:/blocks/0/elements/0/confirm/text/text]",
            ]
        },
    }
    assert refusal("chat.update", {"blocks": blocks}) is not None
    assert refusal("chat.postEphemeral", {"blocks": blocks}) is not None
    assert refusal("chat.postMessage", {"text": "no blocks"}) is None
    assert refusal("chat.postMessage", {"blocks": sections(1)}) is None
    assert refusal("conversations.history", {"blocks": blocks}) is None


def test_blocks_that_are_no_array_answer_invalid_blocks_format() -> None:
    refused = refusal("chat.postMessage", {"blocks": '{"type": "section"}'})

    assert refused is not None
    assert refused.answer == {"ok": False, "error": "invalid_blocks_format"}


def test_views_methods_answer_invalid_arguments_with_slacks_messages() -> None:
    refused = refusal("views.open", {"trigger_id": "t", "view": modal(title=plain("t" * 25))})

    assert refused is not None
    assert refused.problems == ("view.title: 25 > 24",)
    assert refused.answer == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {
            "messages": [
                "[ERROR] failed to match all allowed schemas [json-pointer:/view]",
                "[ERROR] failed to match all allowed schemas [json-pointer:/view/title]",
                "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]",
            ]
        },
    }
    for method in ("views.update", "views.push", "views.publish"):
        assert refusal(method, {"view": json.dumps(modal(title=plain("")))}) is not None
    assert refusal("views.open", {"view": modal()}) is None


def test_response_url_answers_400_with_the_bare_error() -> None:
    refused = response_url_refusal(
        {"text": "x", "blocks": [{"type": "section", "text": mrkdwn("")}]}
    )

    assert refused is not None
    assert (refused.status, refused.answer) == (400, "invalid_blocks")
    assert response_url_refusal({"text": "x", "blocks": sections(1)}) is None
    assert response_url_refusal({"text": "no blocks"}) is None


# Over HTTP


@pytest.fixture
def client(slack: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(base_url=slack.api_url, token=BOT_TOKEN)


@pytest.mark.slack_refuses
async def test_the_stand_in_answers_invalid_blocks_and_records_it(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    blocks = actions(button(confirm=dialog(text=mrkdwn("t" * 301))))

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C1", text="t", blocks=blocks)

    assert refused.value.response["error"] == "invalid_blocks"
    assert refused.value.response["response_metadata"]["messages"][-1] == (
        "[ERROR] must be less than 301 characters "
        "[json-pointer:/blocks/0/elements/0/confirm/text/text]"
    )
    assert slack.posts() == []
    assert [r.problems for r in slack.refused_blocks] == [
        ("blocks[0].elements[0].confirm.text: 301 > 300",)
    ]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_update(channel="C1", ts="1.000001", text="t", blocks=blocks)
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_postEphemeral(channel="C1", user="U1", text="t", blocks=blocks)
    assert [r.where for r in slack.refused_blocks] == [
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
    ]


@pytest.mark.slack_refuses
async def test_the_stand_in_answers_invalid_arguments_for_a_view_and_records_it(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id="t", view=modal(close=plain("c" * 25)))

    assert refused.value.response["error"] == "invalid_arguments"
    assert refused.value.response["response_metadata"]["messages"][0] == (
        "[ERROR] failed to match all allowed schemas [json-pointer:/view]"
    )
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id="U1", view={"type": "home", "blocks": sections(101)})
    assert [r.where for r in slack.refused_blocks] == ["views.open", "views.publish"]


async def test_what_slack_takes_goes_through_and_nothing_is_recorded(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel="C1", text="t", blocks=actions(button(confirm=dialog())))
    await client.views_open(trigger_id=slack.trigger(), view=modal())
    await client.views_publish(user_id="U1", view={"type": "home", "blocks": sections(100)})

    assert len(slack.posts()) == 1
    assert slack.refused_blocks == []


@pytest.mark.slack_refuses
async def test_response_url_answers_400_invalid_blocks_and_shows_nothing(
    slack: SlackStandIn,
) -> None:
    bad = {"text": "t", "blocks": [{"type": "header", "text": mrkdwn("*no*")}]}
    good = {"text": "t", "blocks": sections(1)}

    async with aiohttp.ClientSession() as session:
        async with session.post(slack.response_url("k"), json=bad) as answer:
            assert (answer.status, await answer.text()) == (400, "invalid_blocks")
        async with session.post(slack.response_url("k"), json=good) as answer:
            assert (answer.status, await answer.text()) == (200, "ok")

    assert slack.responses["k"] == [good]
    assert [r.problems for r in slack.refused_blocks] == [
        ("blocks[0].text.type: mrkdwn where only plain_text",)
    ]


@pytest.mark.slack_refuses
async def test_a_socket_mode_acknowledgement_slack_would_refuse_is_recorded(
    slack: SlackStandIn,
) -> None:
    async def bot(socket: aiohttp.ClientWebSocketResponse) -> None:
        await socket.receive_json()  # hello
        envelope = await socket.receive_json()
        payload = {"response_action": "errors", "errors": {"name": ""}}
        await socket.send_json({"envelope_id": envelope["envelope_id"], "payload": payload})

    async with aiohttp.ClientSession() as session, session.ws_connect(f"{slack.url}/socket") as ws:
        task = asyncio.ensure_future(bot(ws))
        ack = await slack.push("interactive", {"type": "view_submission"})
        await task

    assert ack["payload"]["errors"] == {"name": ""}
    assert [(r.where, r.problems) for r in slack.refused_blocks] == [
        ("ack", ("errors.name: empty error",))
    ]


# The bot's acknowledgements over HTTP


@pytest.fixture
async def answering() -> AsyncIterator[tuple[str, list[Any]]]:
    """An endpoint answering each POST with the next JSON body given, as the bot would."""
    bodies: list[Any] = []

    async def answer(request: web.Request) -> web.Response:
        return web.json_response(bodies.pop(0))

    app = web.Application()
    app.router.add_post("/slack/events", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    port = unused_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/slack/events", bodies
    await runner.cleanup()


async def test_the_sender_fails_on_an_acknowledgement_slack_would_refuse(
    answering: tuple[str, list[Any]],
) -> None:
    url, bodies = answering
    sender = SlackSender(url, triggers=lambda: "a-trigger")
    bodies += [
        {"response_action": "errors", "errors": {"name": "Give it a name."}},
        {"response_action": "update", "view": modal(title=plain("t" * 30))},
        {"text": "Hi", "blocks": [{"type": "section", "text": mrkdwn("Hi")}]},
        {"text": "Hi", "blocks": [{"type": "section", "text": mrkdwn("")}]},
    ]

    assert (await sender.submit(modal()))[0] == 200
    with pytest.raises(AssertionError, match=r"view\.title: 30 > 24"):
        await sender.submit(modal())
    assert (await sender.command("help"))[0] == 200
    with pytest.raises(AssertionError, match=r"blocks\[0\]\.text: empty text"):
        await sender.command("help")


# The slack fixture's guarantee


ROOT = str(Path(__file__).resolve().parents[2])
GUARDED = """
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.conftest import slack  # noqa: F401
from tests.standins.slack import BOT_TOKEN

EMPTY = [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]


async def post(slack):
    client = AsyncWebClient(base_url=slack.api_url, token=BOT_TOKEN)
    try:
        await client.chat_postMessage(channel="C1", text="t", blocks=EMPTY)
    except SlackApiError:
        pass  # as a bot that gives up quietly


async def test_refused(slack):
    await post(slack)


@pytest.mark.slack_refuses
async def test_marked(slack):
    await post(slack)


async def test_cleared(slack):
    await post(slack)
    slack.refused_blocks.clear()
"""


async def test_a_test_whose_message_slack_refused_fails_unless_it_says_so(tmp_path: Path) -> None:
    (tmp_path / "test_guarded.py").write_text(GUARDED)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
        "markers = slack_refuses: refusals expected\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": ROOT},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        out, _ = await process.communicate()
    said = out.decode()

    # Its own steps pass; the fixture's check after them fails the run.
    assert process.returncode == 1
    assert "3 passed, 1 error" in said, said
    assert "ERROR test_guarded.py::test_refused" in said
    assert (
        "Slack refused the bot's Block Kit: [Refusal(chat.postMessage: blocks[0].text: empty text)]"
        in said
    )
