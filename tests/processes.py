"""The bot as a real child process (`python -m bot`), configured through its environment."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import Settings


def environment_of(settings: dict[str, Any], port: int) -> dict[str, str]:
    """The machine's environment without the bot's own variables, plus these settings."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    for name, value in settings.items():
        if value is not None:
            env[name.upper()] = ",".join(value) if isinstance(value, tuple) else str(value)
    env["PORT"] = str(port)
    return env


class BotProcess:
    """One `python -m bot` process; `start` may be called again after it stopped."""

    def __init__(self, env: dict[str, str], cwd: Path, port: int) -> None:
        self._env = env
        self._cwd = cwd
        self.port = port
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the process and wait until /healthz answers 200."""
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self._cwd, env=self._env
        )
        async with asyncio.timeout(60), aiohttp.ClientSession() as session:
            while not await _healthy(session, self.port):
                assert self.process.returncode is None, "the bot exited before serving"
                await asyncio.sleep(0.1)

    async def stop(self, sig: signal.Signals) -> int:
        """Send `sig` and return the exit status."""
        assert self.process is not None
        self.process.send_signal(sig)
        async with asyncio.timeout(30):
            return await self.process.wait()

    async def kill(self) -> None:
        """Make sure the process is gone (test teardown)."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def _healthy(session: aiohttp.ClientSession, port: int) -> bool:
    try:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientConnectionError:
        return False
