"""The children's book demo: the one-step RNN breaks the grammar, the LSTM (almost) never does."""

import numpy as np
import pytest

from wright.datasets.sequences import PERIOD, book_text, book_violations
from wright.demos import book


def test_book_demo(tmp_path):
    results = book.run(tmp_path, seed=0, quick=True)
    assert results["sentences"] == 300
    assert results["rnn_violation_rate"] > 0.3
    assert results["lstm_violation_rate"] < 0.03
    assert results["rnn_faults"]["subject seen as object"] > 0
    if book.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "book.png").exists()


def test_one_step_rnn_learns_which_word_follows_which():
    rng = np.random.default_rng(0)
    model = book.train_one_step_rnn(book_text(500, rng), epochs=8, seed=0)
    words = book.sample_one_step(model, 2000, rng)
    # It never puts two names together or writes "saw saw", but cannot know the subject.
    kinds = book_violations(words)["kinds"]
    assert kinds["name followed by a name"] == kinds["saw saw"] == 0
    assert kinds["subject seen as object"] > 0


def test_first_sentences_cuts_after_the_nth_period():
    words = np.array([0, 3, 1, PERIOD, 1, 3, 2, PERIOD, 2])
    assert book.first_sentences(words, 2).tolist() == words[:8].tolist()
    with pytest.raises(ValueError, match="only 2 sentences"):
        book.first_sentences(words, 3)


@pytest.mark.slow
def test_full_demo_lstm_under_one_percent():
    results = book.run(None, seed=0)
    assert results["sentences"] == 1000
    assert results["lstm_violation_rate"] < 0.01 < results["rnn_violation_rate"]
