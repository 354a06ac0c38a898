"""The consent statement listened for offline with pocketsphinx, in the first seconds of a video."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pocketsphinx
from av.container import InputContainer
from numpy.typing import NDArray

from bot.governance.receipts import statement_for
from bot.media.inspection.video import RATE, sound
from bot.media.likeness.model import ConsentWords, Unheard
from bot.media.likeness.statement import EXTRA_WORDS, language_model, score, words_of

Samples = NDArray[np.int16]  # mono, at RATE
# The statement is spoken first and takes some 15 s at a steady pace; a few seconds' start
# (the camera, a breath) and a slow speaker still end within this.
HEAR_FOR = 30.0
MODEL = "pocketsphinx en-us (CMU Sphinx), statement bigram"
# CMU's pronouncing dictionary, as the wheel ships it: 134,000 words, one pronunciation a line.
_DICTIONARY = os.path.join(pocketsphinx.get_model_path(), "en-us", "cmudict-en-us.dict")


def listen(
    container: InputContainer, *, stopped: Callable[[], bool], seconds: float = HEAR_FOR
) -> Samples | None:
    """The sound's first `seconds`, at RATE, mono; None without a sound track."""
    heard = sound(container, starts=[0.0], width=seconds, stopped=stopped)
    if heard is None:
        return None
    return heard[0][1] if heard else np.zeros(0, dtype=np.int16)


def hear_statement(samples: Samples | None, *, name: str) -> ConsentWords:
    """How much of the consent statement, said with `name`, is heard in `samples`.

    Each listening has a decoder of its own, made for the statement: its dictionary holds the
    statement's words alone (a decoder given all 134,000 takes 2 s more to build its search, every
    time), its model is the statement's. The acoustic model is read in 10 ms, so nothing is
    kept between listenings and nothing is shared between threads.
    """
    statement = statement_for(name)
    expected = words_of(statement)
    if samples is None:
        return ConsentWords(model=MODEL, listened=0.0, words=len(expected), why=Unheard.NO_SOUND)
    pronounced = _pronunciations(set(expected))
    known = {line.split(" ", 1)[0].split("(", 1)[0] for line in pronounced}
    # A word the dictionary cannot say cannot be heard: kept out of the model (pocketsphinx
    # would refuse it), counted as missed by the error rate.
    words = [word for word in expected if word in known]
    heard = _recognize(samples, pronounced, words) if words and len(samples) else ""
    found = score(statement, name, heard, known=known.__contains__)
    return ConsentWords(
        model=MODEL,
        listened=round(len(samples) / RATE, 2),
        words=len(expected),
        heard=found.heard,
        error_rate=found.error_rate,
        name_heard=found.name_heard,
    )


def _pronunciations(words: set[str]) -> list[str]:
    """The dictionary's lines for `words`, every pronunciation of each ("read", "read(2)")."""
    found = [f"{word} {phones}\n" for word, phones in EXTRA_WORDS.items() if word in words]
    with open(_DICTIONARY, encoding="utf-8") as dictionary:
        for line in dictionary:
            if line.split(" ", 1)[0].split("(", 1)[0] in words:
                found.append(line if line.endswith("\n") else line + "\n")
    return found


def _recognize(samples: Samples, pronounced: list[str], words: list[str]) -> str:
    with tempfile.TemporaryDirectory() as folder:
        dictionary = Path(folder) / "statement.dict"
        dictionary.write_text("".join(pronounced), encoding="utf-8")
        model = Path(folder) / "statement.arpa"
        model.write_text(language_model(words), encoding="utf-8")
        decoder = pocketsphinx.Decoder(
            samprate=RATE, loglevel="FATAL", dict=str(dictionary), lm=str(model)
        )
    decoder.start_utt()
    decoder.process_raw(samples.tobytes(), full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""
