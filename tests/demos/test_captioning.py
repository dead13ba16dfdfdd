"""The captioning demo: CNN encoder, LSTM decoder, exact match and BLEU."""

import numpy as np
import pytest

from wright.demos import captioning


def test_captioning_demo_runs_quickly(tmp_path):
    results = captioning.run(tmp_path, seed=0, quick=True)
    assert results["test_scenes"] == 200 and results["train_scenes"] == 3000
    assert results["final_train_loss"] < 1.5  # from ln 19 = 2.9 at the start
    assert 0.0 <= results["exact_match"] <= 1.0 and 0.0 <= results["bleu4"] <= 1.0
    if captioning.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "captioning.png").exists()


def test_bleu():
    same = ["a small red circle left of a large blue square"] * 3
    assert captioning.corpus_bleu(same, same) == pytest.approx(1.0)
    assert captioning.corpus_bleu(["a b c d"], ["e f g h"]) == 0.0
    # One wrong word of six: precisions 5/6, 3/5, 2/4, 1/3 (geometric mean), no brevity penalty.
    score = captioning.corpus_bleu(["a small red circle x y"], ["a small red circle x z"])
    assert score == pytest.approx((5 / 6 * 4 / 5 * 3 / 4 * 2 / 3) ** 0.25)
    # Shorter than the reference: the brevity penalty exp(1 - 6/4) applies.
    short = captioning.corpus_bleu(["a small red circle"], ["a small red circle x z"])
    assert short == pytest.approx(np.exp(1 - 6 / 4))


def test_captions_are_encoded_for_teacher_forcing():
    inputs, targets = captioning.encode_captions(["a small red circle"])
    assert inputs.shape == targets.shape == (captioning.MAX_WORDS + 1, 1)
    words = captioning.VOCABULARY.words
    assert inputs[0, 0] == words.index("<start>") and targets[4, 0] == words.index("<end>")
    np.testing.assert_array_equal(inputs[1:5, 0], targets[:4, 0])
    assert (targets[5:, 0] == 0).all()


@pytest.mark.slow
def test_full_demo_writes_nine_in_ten_captions_exactly():
    assert captioning.run(None, seed=0)["exact_match"] >= 0.9
