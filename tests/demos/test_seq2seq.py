"""The seq2seq demo: dates in words to ISO dates through one vector."""

import numpy as np
import pytest

from wright.demos import seq2seq


def test_seq2seq_demo_learns_in_quick_mode(tmp_path):
    results = seq2seq.run(tmp_path, seed=0, quick=True)
    assert results["test_dates"] == 200 and results["steps"] == 200
    assert results["final_loss"] < 1.0
    assert results["character_accuracy"] > 0.5
    if seq2seq.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "seq2seq.png").exists()


def test_batches_are_left_padded_index_arrays():
    sources, targets = seq2seq.encode_batch(
        [("may 1 2000", "2000-05-01"), ("the 2nd of may 2000", "2000-05-02")]
    )
    assert sources.shape == (19, 2) and targets.shape == (10, 2)
    assert (sources[:9, 0] == 0).all() and sources[9, 0] != 0
    assert seq2seq.SOURCE.decode(sources[9:, 0]) == "may 1 2000"
    assert seq2seq.TARGET.decode(targets[:, 1]) == "2000-05-02"


def test_greedy_decoding_writes_ten_target_symbols():
    model = seq2seq.Seq2Seq(
        len(seq2seq.SOURCE), len(seq2seq.TARGET), embedding_dim=4, hidden_size=8
    )
    accuracy, answers = seq2seq.exact_match(model, [("may 1 2000", "2000-05-01")] * 3)
    assert 0.0 <= accuracy <= 1.0 and len(answers) == 3 and all(len(a) == 10 for a in answers)
    assert np.unique(answers).size == 1


@pytest.mark.slow
def test_full_demo_reaches_99_percent_on_held_out_dates():
    results = seq2seq.run(None, seed=0)
    assert results["test_dates"] == 1000 and results["exact_match"] >= 0.99
