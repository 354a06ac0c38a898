"""The Tavus checks: Tavus takes a key (TAVUS_API_KEY, or a workspace's own); TAVUS_MODELS named."""

from __future__ import annotations

from bot.cli.check.result import Result, failed, passed
from bot.config import Settings
from bot.tavus import TavusClient, TavusError, TavusRejected

TAVUS_KEY_FIX = "put an API key from platform.tavus.io → API Keys in TAVUS_API_KEY"
TAVUS_ACCOUNT_FIX = "check the account at platform.tavus.io: its plan, and the key"
TAVUS_UNANSWERED_FIX = "check TAVUS_API_URL and this machine's network, then run check again"
MODELS_UNCHECKED = "not checked (Tavus has no model list)"


async def check_tavus(tavus: TavusClient, name: str = "Tavus key") -> Result:
    """One workspace: whether Tavus takes TAVUS_API_KEY (one replica asked for)."""
    return await check_key(tavus, name, key_fix=TAVUS_KEY_FIX, subject="TAVUS_API_KEY")


async def check_key(tavus: TavusClient, name: str, *, key_fix: str, subject: str) -> Result:
    """Whether Tavus takes `tavus`'s key, called `subject`; `key_fix` if Tavus refuses the key."""
    try:
        await tavus.check_key()
    except TavusRejected as exc:
        fix = key_fix if exc.status in (401, 403) else TAVUS_ACCOUNT_FIX
        return failed(name, f"Tavus refused {subject} ({exc.status}: {exc.message})", fix)
    except TavusError as exc:
        return failed(name, f"Tavus did not answer properly ({exc})", TAVUS_UNANSWERED_FIX)
    return passed(name, f"Tavus takes {subject}")


def check_models(settings: Settings) -> Result:
    """TAVUS_MODELS: Tavus lists no models anywhere, so they are named, not checked."""
    return passed("Tavus models", f"{', '.join(settings.tavus_models)} {MODELS_UNCHECKED}")
