"""The face match's service, where a media check's workers are there to run it (issue #25)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from bot.governance.policy import Governance
from bot.jobs import Job, face_matches
from bot.jobs.face_matches import FaceMatches
from bot.jobs.lifecycle import Lifecycle
from bot.media.inspection.inspector import Inspector
from bot.media.inspection.likeness import Likenesses
from bot.store import Store


def face_matches_for(
    inspector: Inspector | None,
    *,
    store: Store,
    lifecycle: Lifecycle,
    governance: Governance,
    send: Callable[[Job], Awaitable[object]],
) -> FaceMatches | None:
    """The face match, started by every move into MATCHING; None without the media check."""
    if inspector is None:
        return None
    engine = Likenesses(inspector, clock=time.monotonic, timeout=face_matches.TIMEOUT)
    matches = FaceMatches(
        store=store, lifecycle=lifecycle, engine=engine, policies=governance.policy, send=send
    )
    lifecycle.on_matching(matches.start)
    return matches
