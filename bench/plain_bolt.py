"""A plain Bolt app, as a team would write it in an afternoon: the benchmark's yardstick.

Run as its own process (`python -m bench.plain_bolt`), configured by the bot's own variables:
SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, TAVUS_API_KEY, TAVUS_API_URL, PUBLIC_URL
and PORT. `/replica` acks and opens a modal; its submission creates the replica at Tavus inline
(before the ack, so a refusal shows in the form) and posts to the channel, unpaced. No database,
no consent, no link check, no look-up of anyone: what the bot does on top is what is compared.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

CALLBACK_ID = "plain_replica"
NAME, VIDEO = "name", "video"


def modal(channel_id: str) -> dict[str, Any]:
    """The form: a name and a training video's address."""
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"channel_id": channel_id}),
        "title": {"type": "plain_text", "text": "New Tavus replica"},
        "submit": {"type": "plain_text", "text": "Start training"},
        "blocks": [
            {
                "type": "input",
                "block_id": NAME,
                "label": {"type": "plain_text", "text": "Name"},
                "element": {"type": "plain_text_input", "action_id": NAME},
            },
            {
                "type": "input",
                "block_id": VIDEO,
                "label": {"type": "plain_text", "text": "Training video URL"},
                "element": {"type": "url_text_input", "action_id": VIDEO},
            },
        ],
    }


def create_app() -> tuple[AsyncApp, httpx.AsyncClient]:
    """The Bolt app and the Tavus client it creates replicas with."""
    env = os.environ
    client = AsyncWebClient(token=env["SLACK_BOT_TOKEN"], base_url=env["SLACK_API_URL"])
    app = AsyncApp(client=client, signing_secret=env["SLACK_SIGNING_SECRET"])
    tavus = httpx.AsyncClient(
        base_url=env["TAVUS_API_URL"],
        headers={"x-api-key": env["TAVUS_API_KEY"]},
        timeout=httpx.Timeout(10.0),
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=100),
    )
    callback_url = f"{env['PUBLIC_URL']}/tavus/callback"

    @app.command("/replica")
    async def replica(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=modal(body["channel_id"]))

    @app.view(CALLBACK_ID)
    async def submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = view["state"]["values"]
        name = values[NAME][NAME]["value"]
        video = values[VIDEO][VIDEO]["value"]
        channel = json.loads(view["private_metadata"])["channel_id"]
        response = await tavus.post(
            "/v2/replicas",
            json={
                "replica_name": name,
                "train_video_url": video,
                "model_name": "phoenix-4",
                "callback_url": callback_url,
            },
        )
        if response.status_code != 200:
            await ack(response_action="errors", errors={NAME: response.text[:150]})
            return
        await ack()
        replica_id = response.json()["replica_id"]
        user = body["user"]["id"]
        await client.chat_postMessage(
            channel=channel, text=f"<@{user}> started training *{name}* ({replica_id})."
        )

    return app, tavus


def main() -> None:
    app, _ = create_app()
    # app.start(), but with the bot's listen backlog: neither drops a burst's connections.
    web.run_app(app.web_app(), host="127.0.0.1", port=int(os.environ["PORT"]), backlog=1024)


if __name__ == "__main__":
    main()
