"""Modals open at once with "Working…", then show what they were opened for, or that it failed."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.slack import modals
from bot.slack.blocks import cards
from tests.standins.slack import BOT_TOKEN, SlackStandIn


@pytest.fixture
def client(slack: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)


async def test_the_modal_opens_before_the_view_is_made_then_shows_it(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    seen_when_making: list[int] = []

    async def make() -> dict[str, Any]:
        seen_when_making.append(len(slack.called("views.open")))
        return cards.status_view("Done", "made")

    await modals.open_then(client, slack.trigger(), make())

    assert seen_when_making == [1]  # the modal was open before anything slow began
    assert slack.modal() == [cards.working_view(), cards.status_view("Done", "made")]


async def test_a_view_that_fails_to_be_made_says_so_in_the_open_modal(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    async def broken() -> dict[str, Any]:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        await modals.open_then(client, slack.trigger(), broken())

    [working, failed] = slack.modal()
    assert working == cards.working_view()
    assert messages.WORKING_FAILED in failed["blocks"][0]["text"]["text"]


async def test_a_modal_the_user_closed_before_it_was_filled_in_is_no_error(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    slack.fail("views.update", "not_found")  # as Slack answers for a closed modal

    async def made() -> dict[str, Any]:
        return cards.status_view("Done", "made")

    await modals.open_then(client, slack.trigger(), made())

    assert [call["_error"] for call in slack.called("views.update")] == ["not_found"]


@pytest.mark.slack_refuses
async def test_a_view_slack_refuses_leaves_the_modal_saying_so_not_working_for_good(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    async def refused() -> dict[str, Any]:
        return {"type": "modal", "title": {"type": "plain_text", "text": "x" * 30}, "blocks": []}

    with pytest.raises(SlackApiError):
        await modals.open_then(client, slack.trigger(), refused())

    assert messages.WORKING_FAILED in slack.modal()[-1]["blocks"][0]["text"]["text"]
