"""The shawarma demo: nudging and backprop both recover the cook's two schedules."""

import numpy as np
import pytest

from wright.datasets import toy
from wright.demos import shawarma


def test_shawarma_demo(tmp_path):
    results = shawarma.run(tmp_path, seed=0, quick=True)
    # The lecture's first day: activity 0.6 (error 0.4), then 0.7 (error 0.3) after one nudge.
    assert results["first_day_activity_before"] == pytest.approx(0.6, abs=1e-6)
    assert results["first_day_activity_after"] == pytest.approx(0.7, abs=1e-6)
    assert results["first_day_error_after"] == pytest.approx(0.3, abs=1e-6)
    assert results["nudge_recovered"] == results["backprop_recovered"] == 1.0
    assert 0 < results["nudge_days"] <= 60 and 0 < results["backprop_days"] <= 60
    assert results["nudge_evaluations_per_day"] == 9
    assert (
        results["nudge_distance"] <= shawarma.TOLERANCE
        and results["backprop_distance"] <= shawarma.TOLERANCE
    )
    if shawarma.picture_path(tmp_path, "x.png"):
        for name in ("nudged", "backprop", "error"):
            assert (tmp_path / f"shawarma_{name}.png").exists()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_methods_recover_the_schedules_for_other_seeds(seed):
    days = toy.shawarma_days(60, seed=seed)
    start = shawarma.starting_weights(seed)
    nudged, _, nudge_days, _ = shawarma.learn_by_nudging(days, start)
    layer, _, backprop_days = shawarma.learn_by_backprop(days, start)
    assert shawarma.recovered(nudged) and shawarma.recovered(layer.weight.array)
    assert nudge_days is not None and backprop_days is not None


def test_recovered_needs_each_schedule_on_a_different_output():
    schedules = toy.SHAWARMA_SCHEDULES
    assert shawarma.recovered(schedules[::-1])
    assert not shawarma.recovered(np.stack([schedules[0], schedules[0]]))
    assert not shawarma.recovered(schedules + 0.2)
