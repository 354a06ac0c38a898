"""What listeners need, handed to them through Bolt's context by one middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.service import ReplicaService
from bot.voices import Voices

KEY = "replica_bot"


@dataclass(frozen=True, slots=True)
class Deps:
    """The domain service, and the choices the form offers."""

    service: ReplicaService
    models: Sequence[str]
    voices: Voices

    @staticmethod
    def of(context: AsyncBoltContext) -> Deps:
        """The Deps the middleware put in this request's context."""
        deps = context[KEY]
        assert isinstance(deps, Deps)
        return deps

    def install(self, app: AsyncApp) -> None:
        """Add the middleware that puts these Deps in every request's context."""

        async def inject(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
            context[KEY] = self
            await next()

        app.use(inject)
