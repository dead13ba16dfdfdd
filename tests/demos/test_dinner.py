"""The dinner demo: chance from circumstances, 100% from yesterday's dinner, even after absence."""

import numpy as np
import pytest

import wright
from wright.datasets.sequences import dinner_cycle
from wright.demos import dinner


def test_dinner_demo(tmp_path):
    results = dinner.run(tmp_path, seed=0, quick=True)
    assert results["rnn_accuracy"] == 1.0
    assert results["away_accuracy"] == 1.0 and results["away_days"] == 14
    assert results["circumstances_accuracy"] < 0.6
    if dinner.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "dinner.png").exists()


def test_unrolling_plays_the_missing_days_forward():
    wright.manual_seed(1)
    history = dinner_cycle(400, start=1)
    model = dinner.train_rnn(history, steps=60)
    for start in range(3):
        known = dinner_cycle(5, start=start)
        tonight, played = dinner.predict_after_absence(model, known, away=14)
        assert played == dinner_cycle(14, start=start + 5).tolist()
        assert tonight == (start + 5 + 14) % 3


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_full_demo_is_right_after_two_weeks_away(seed):
    results = dinner.run(None, seed=seed)
    assert results["rnn_accuracy"] == 1.0 and results["away_accuracy"] == 1.0
    assert abs(results["circumstances_accuracy"] - 1 / 3) < 0.2 and np.isfinite(results["chance"])
