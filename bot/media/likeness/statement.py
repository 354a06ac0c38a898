"""The consent statement as the recognizer expects it and as it is scored: words, model, errors."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jiwer

# Words of the statement that CMU's pronouncing dictionary lacks, in its phones: Tavus, "TAH-vus".
EXTRA_WORDS = {"tavus": "T AA V AH S"}
# How likely the statement's next word is to follow each word. What is left goes to any word of
# the statement, so words skipped, repeated or said out of order are still heard as they are.
FOLLOW = 0.9
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words_of(text: str) -> list[str]:
    """A text's words as the dictionary spells them: lower case, no punctuation."""
    return _WORD.findall(text.lower())


def language_model(words: Sequence[str]) -> str:
    """A bigram model in ARPA form, built from the statement alone, for the recognizer.

    A reading tutor's model (Project LISTEN's, with Sphinx): the recognizer expects the text it
    was given, so it hears the statement's words where they are said, where a general model of
    English mishears rare ones ("Tavus", "consent", a name). Other speech still comes out as
    few words, out of order: a high error rate. Never run on speech to find out what was said.
    """
    vocabulary = sorted({*words, "<s>", "</s>"})
    chain = ["<s>", *words, "</s>"]
    after: dict[str, set[str]] = {}
    for word, following in itertools.pairwise(chain):
        after.setdefault(word, set()).add(following)
    # Each word alike, as a word said out of the statement's order.
    alike = math.log10(1 / (len(vocabulary) - 1))
    lines = [
        "\\data\\",
        f"ngram 1={len(vocabulary)}",
        f"ngram 2={sum(len(followers) for followers in after.values())}",
        "",
        "\\1-grams:",
    ]
    for word in vocabulary:
        # <s> only starts a sentence: it is never a word heard.
        probability = -99.0 if word == "<s>" else alike
        backoff = math.log10(1 - FOLLOW) if word in after else 0.0
        lines.append(f"{probability:.4f} {word} {backoff:.4f}")
    lines += ["", "\\2-grams:"]
    for word, followers in sorted(after.items()):
        for following in sorted(followers):
            lines.append(f"{math.log10(FOLLOW / len(followers)):.4f} {word} {following}")
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Score:
    """What was heard, against what should have been."""

    error_rate: float
    heard: int
    name_heard: bool | None


def score(
    statement: str, name: str, heard: str, *, known: Callable[[str], bool] = lambda _: True
) -> Score:
    """The word error rate of `heard` against `statement`, and whether `name` was heard whole.

    `known`: whether the recognizer can say a word; a name with a word it cannot is neither
    heard nor unheard (None).
    """
    expected = words_of(statement)
    said = words_of(heard)
    rate = jiwer.wer(" ".join(expected), " ".join(said)) if expected else 0.0
    named = words_of(name)
    name_heard: bool | None
    if not named or not all(known(word) for word in named):
        name_heard = None
    else:
        name_heard = any(
            said[at : at + len(named)] == named for at in range(len(said) - len(named) + 1)
        )
    return Score(error_rate=round(float(rate), 4), heard=len(said), name_heard=name_heard)
