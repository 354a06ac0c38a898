"""How the bot talks to Slack and Tavus: their addresses, timeouts and paces."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AnyHttpUrl, Field, field_validator
from pydantic_settings import NoDecode

from bot.config.modes import ModeSettings


class ClientSettings(ModeSettings):
    """The mode's settings, then Slack's and Tavus's addresses, timeouts and paces."""

    slack_api_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://slack.com/api/"), description="the Slack Web API base URL"
    )
    tavus_api_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://tavusapi.com"), description="the Tavus API base URL"
    )
    tavus_timeout: float = Field(
        default=30.0, gt=0, description="seconds to wait for a Tavus answer, a number above 0"
    )
    tavus_max_concurrency: int = Field(
        default=10,
        ge=1,
        description=(
            "requests open at Tavus at once at most, 1 or more; a burst of creates waits its "
            "turn, in order; a 429 from Tavus holds every request back for its Retry-After, a "
            "minute at most"
        ),
    )
    tavus_poll_interval: float = Field(
        default=600.0,
        gt=0,
        description=(
            "seconds between polls of an unfinished training, above 0; trainings older than 6 "
            "hours are polled half as often"
        ),
    )
    tavus_models: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("phoenix-4", "phoenix-3"),
        description=(
            "comma-separated Tavus model names offered in the form; the first is preselected"
        ),
    )
    slack_timeout: int = Field(
        default=10, ge=1, description="whole seconds to wait for a Slack Web API answer, 1 or more"
    )
    slack_channel_rate: float = Field(
        default=1.0,
        gt=0,
        description=(
            "messages a second the bot sends to one channel (Slack allows about one), above 0, "
            "shared by every instance on PostgreSQL; a starting point: after a 429 the channel's "
            "pace falls back, then recovers"
        ),
    )
    slack_channel_burst: int = Field(
        default=2,
        ge=1,
        description=(
            "messages the bot may send to one channel at once before that rate applies, 1 or "
            "more (Slack allows short bursts without saying how long: two is the safe guess); "
            "after a 429 it starts again from one"
        ),
    )
    slack_update_rate: float = Field(
        default=50 / 60,
        gt=0,
        description=(
            "card redraws (chat.update) a second per workspace, above 0: Slack's Tier 3 allows "
            "about 50 a minute; redraws wait in a lane of their own, so no result waits behind "
            "one, and a 429 on chat.update pauses only them"
        ),
    )
    slack_update_burst: int = Field(
        default=10, ge=1, description="card redraws per workspace in a burst, 1 or more"
    )

    @field_validator("tavus_models", mode="before")
    @classmethod
    def _split_models(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if not value:
            raise ValueError("at least one model is needed")
        return value

    @property
    def slack_api_base(self) -> str:
        """The Slack Web API base URL with the trailing slash slack_sdk expects."""
        url = str(self.slack_api_url)
        return url if url.endswith("/") else url + "/"
