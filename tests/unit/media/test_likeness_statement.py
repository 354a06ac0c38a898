"""The consent statement's words, its bigram model and its scoring against what was heard (pure)."""

from __future__ import annotations

from bot.governance.receipts import statement_for
from bot.media.likeness.statement import FOLLOW, language_model, score, words_of


def test_words_are_lower_case_without_punctuation() -> None:
    assert words_of("I, Ada O'Brien, am 2 AI-clones.") == [
        "i",
        "ada",
        "o'brien",
        "am",
        "2",
        "ai",
        "clones",
    ]


def test_the_statement_said_word_for_word_scores_no_errors_and_hears_the_name() -> None:
    statement = statement_for("Ada Lovelace")

    found = score(statement, "Ada Lovelace", statement.upper())

    assert found.error_rate == 0.0
    assert found.heard == len(words_of(statement))
    assert found.name_heard is True


def test_the_statement_without_the_name_misses_two_words_and_the_name() -> None:
    statement = statement_for("Ada Lovelace")
    said = statement.replace("Ada Lovelace, ", "")

    found = score(statement, "Ada Lovelace", said)

    assert found.error_rate == round(2 / len(words_of(statement)), 4)
    assert found.name_heard is False


def test_half_a_name_is_not_the_name() -> None:
    found = score(statement_for("Ada Lovelace"), "Ada Lovelace", "i ada am lovelace")

    assert found.name_heard is False


def test_nothing_heard_is_every_word_missed() -> None:
    found = score(statement_for("Ada Lovelace"), "Ada Lovelace", "")

    assert found.error_rate == 1.0
    assert found.heard == 0


def test_a_name_the_recognizer_cannot_say_is_neither_heard_nor_unheard() -> None:
    found = score(
        statement_for("Zqxw Lovelace"),
        "Zqxw Lovelace",
        "i lovelace am",
        known=lambda word: word != "zqxw",
    )

    assert found.name_heard is None


def test_the_model_has_each_word_once_and_each_step_of_the_statement() -> None:
    words = words_of("I understand that I understand")

    model = language_model(words)

    unigrams = model.split("\\1-grams:\n")[1].split("\n\n")[0].splitlines()
    bigrams = model.split("\\2-grams:\n")[1].split("\n\n")[0].splitlines()
    assert sorted(line.split()[1] for line in unigrams) == [
        "</s>",
        "<s>",
        "i",
        "that",
        "understand",
    ]
    # "understand" is followed by "that" once and by the end once: the chance is split.
    assert {" ".join(line.split()[1:]) for line in bigrams} == {
        "<s> i",
        "i understand",
        "understand that",
        "that i",
        "understand </s>",
    }
    assert "ngram 1=5" in model
    assert "ngram 2=5" in model
    assert FOLLOW < 1
