"""The face match's engine at work: files read as the media check reads them, compared in its pool.

The profile photo and the training media are read in parts over the media check's guarded
fetch (the address guard, redirects hop by hop), then compared by bot.media.likeness in the
media check's worker pool. dlib and pocketsphinx load with the first match, in its worker, not
when the bot starts. Whatever cannot be done becomes "cannot compare" (or "not heard") with why:
nothing here raises but a cancellation.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping

from bot.governance.receipts import Compared, statement_for
from bot.media.inspection.inspector import Inspector
from bot.media.inspection.model import Medium
from bot.media.inspection.ranged import RangedFile, Unreadable
from bot.media.likeness.model import ConsentWords, FaceMatch, Unheard, Unsure
from bot.media.likeness.verdict import unsure

log = logging.getLogger(__name__)

# The recognizer as the receipt names it, for a listening that never began (no worker loaded it).
HEARD_BY = "pocketsphinx en-us (CMU Sphinx), statement bigram"


class Likenesses:
    """Compares a profile photo with a job's training media, and listens for the statement."""

    def __init__(self, inspector: Inspector, *, clock: Callable[[], float], timeout: float) -> None:
        self._inspector = inspector
        self._clock = clock
        self._timeout = timeout

    async def compare(
        self, *, photo: str | None, files: Mapping[Medium, str], name: str
    ) -> Compared:
        """The photo's face against the training media's; the statement heard where spoken.

        `photo`: the person shown's profile photo ("": a default avatar; None: unknown).
        """
        stop = threading.Event()
        deadline = self._clock() + self._timeout

        def stopped() -> bool:
            return stop.is_set() or self._clock() >= deadline

        try:
            async with asyncio.timeout(self._timeout):
                return await self._compare(photo, files, name, stopped)
        except TimeoutError:
            log.warning("face match: out of time")
            return Compared(unsure(Unsure.FAILED), _unheard(name, Unheard.FAILED))
        finally:
            stop.set()  # a worker still at it stops at its next read

    async def _compare(
        self, photo: str | None, files: Mapping[Medium, str], name: str, stopped: Callable[[], bool]
    ) -> Compared:
        image = Medium.TRAINING_IMAGE in files and Medium.TRAINING_VIDEO not in files
        training = files.get(Medium.TRAINING_VIDEO) or files.get(Medium.TRAINING_IMAGE)
        # The statement is spoken at the start of the consent video, or else of the training one.
        spoken = files.get(Medium.CONSENT_VIDEO) or files.get(Medium.TRAINING_VIDEO)
        portrait = await self._open(photo, stopped) if photo else _no_photo(photo)
        shown = await self._open(training, stopped) if training else Unsure.NO_USABLE_FRAME
        heard = await self._open(spoken, stopped) if spoken else None
        return await self._inspector.in_worker(
            lambda: look(portrait, shown, heard, image=image, name=name, stopped=stopped)
        )

    async def _open(self, url: str, stopped: Callable[[], bool]) -> RangedFile | Unsure:
        try:
            return await self._inspector.opened(url, stopped)
        except Unreadable as exc:
            log.info("face match: a file could not be read: %s", exc.why)
            return Unsure.UNREADABLE


def _no_photo(photo: str | None) -> Unsure:
    # A default avatar is no face; a profile Slack did not give is a photo not read.
    return Unsure.NO_FACE_IN_PHOTO if photo == "" else Unsure.UNREADABLE


def look(
    photo: RangedFile | Unsure,
    training: RangedFile | Unsure,
    spoken: RangedFile | Unsure | None,
    *,
    image: bool,
    name: str,
    stopped: Callable[[], bool],
) -> Compared:
    """In a worker: the faces compared, the statement listened for (None: nowhere spoken)."""
    return Compared(
        _face(photo, training, image=image, stopped=stopped),
        None if spoken is None else _words(spoken, name=name, stopped=stopped),
    )


def _face(
    photo: RangedFile | Unsure,
    training: RangedFile | Unsure,
    *,
    image: bool,
    stopped: Callable[[], bool],
) -> FaceMatch:
    if isinstance(photo, Unsure):
        return unsure(photo)
    if isinstance(training, Unsure):
        return unsure(training)
    # The decoders and dlib's models load here, in the worker, with the first match.
    import av

    from bot.media.inspection.video import open_video
    from bot.media.likeness import embeddings, frames

    try:
        portrait = frames.image_frame(photo)
        if image:
            shots = [frames.image_frame(training)]
        else:
            with open_video(training) as container:
                seconds = container.duration / av.time_base if container.duration else None
                shots = frames.video_frames(container, seconds=seconds, stopped=stopped)
    except (Unreadable, av.FFmpegError) as exc:
        log.info("face match: media not read: %s", type(exc).__name__)
        return unsure(Unsure.UNREADABLE)
    try:
        return embeddings.compare(portrait, shots)
    except Exception:
        log.exception("face match: the comparison failed")
        return unsure(Unsure.FAILED, frames=len(shots))


def _words(spoken: RangedFile | Unsure, *, name: str, stopped: Callable[[], bool]) -> ConsentWords:
    if isinstance(spoken, Unsure):
        return _unheard(name, Unheard.UNREADABLE)
    import av

    from bot.media.inspection.video import open_video
    from bot.media.likeness import speech

    try:
        with open_video(spoken) as container:
            samples = speech.listen(container, stopped=stopped)
    except (Unreadable, av.FFmpegError) as exc:
        log.info("consent words: sound not read: %s", type(exc).__name__)
        return _unheard(name, Unheard.UNREADABLE)
    try:
        return speech.hear_statement(samples, name=name)
    except Exception:
        log.exception("consent words: the recognizer failed")
        return _unheard(name, Unheard.FAILED)


def _unheard(name: str, why: Unheard) -> ConsentWords:
    # Loaded here, not at start: the statement's scoring imports jiwer.
    from bot.media.likeness.statement import words_of

    words = len(words_of(statement_for(name)))
    return ConsentWords(model=HEARD_BY, listened=0.0, words=words, why=why)
