"""The deep-vs-wide demo in quick mode: a plateau then a cliff, fast retraining, narrow nets
stuck."""

import numpy as np

import wright
from wright import demos
from wright.demos.deep_vs_wide import StackedNets


def test_knocked_out_neurons_pass_nothing_on():
    wright.manual_seed(0)
    nets = StackedNets([3, 4, 4, 2], alive=np.array([4, 2]))
    x = wright.randn(5, 3)
    out = nets(x)
    assert out.shape == (2, 5, 2)
    # Copy 1 keeps two neurons per layer: changing the weights of the dead ones changes nothing.
    before = out.array[1].copy()
    nets.weight1.array[1, :, 2:] += 5.0
    nets.weight2.array[1, 2:] += 5.0
    np.testing.assert_allclose(nets(x).array[1], before)
    nets.knock_out_one_per_layer(np.random.default_rng(0))
    assert [int(mask[0].sum()) for mask in nets.alive] == [3, 3]
    assert [int(mask[1].sum()) for mask in nets.alive] == [1, 1]


def test_keeping_some_copies_keeps_their_outputs():
    wright.manual_seed(0)
    nets = StackedNets([3, 4, 4, 2], alive=np.array([4, 2, 3]))
    x = wright.randn(5, 3)
    before = nets(x).array
    nets.keep(np.array([True, False, True]))
    assert nets.weight0.shape == (2, 3, 4) and len(list(nets.parameters())) == 6
    np.testing.assert_array_equal(nets(x).array, before[[0, 2]])
    assert [int(mask.sum()) for mask in nets.alive] == [7, 7]


def test_deep_vs_wide_quick(tmp_path):
    results = demos.get("deep-vs-wide").run(tmp_path, seed=0, quick=True)
    assert abs(results["plateau_cost"] - 1 / 3) < 0.01  # every output near 1/3: 'no' to everything
    assert results["cliff_iterations"] > 1000
    assert results["retrain_iterations_max"] < results["cliff_iterations"] / 5
    assert results["retrain_solved_two_per_layer"] == 1.0
    assert results["wide_success_rate"] > results["narrow_success_rate"]
    if any(tmp_path.glob("*.png")):
        assert (tmp_path / "deep-vs-wide.png").is_file()
