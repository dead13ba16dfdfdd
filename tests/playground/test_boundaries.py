"""The boundaries page's session: training, settings changes and what it sends to draw."""

import base64

import numpy as np
import pytest

import wright
from wright import nn
from wright.playground.boundaries import (
    ACTIVATIONS,
    GRID,
    OPTIMIZERS,
    BoundarySession,
    build_network,
)
from wright.playground.settings import ParameterError


def _bytes(text):
    return np.frombuffer(base64.b64decode(text), np.uint8)


def test_xor_is_learned_to_over_95_percent_on_the_test_points():
    session = BoundarySession({"dataset": "xor"})
    for _ in range(60):
        session.train()
    snapshot = session.snapshot()
    assert snapshot["epoch"] == 60
    assert snapshot["test_accuracy"] > 0.95
    assert snapshot["test_loss"] < 0.35


def test_snapshot_holds_every_surface_and_weight_the_page_draws():
    session = BoundarySession({"hidden": [3, 5], "points": 100, "train_fraction": 0.3})
    snapshot = session.snapshot()
    assert snapshot["epoch"] == 0 and snapshot["grid"] == GRID
    assert _bytes(snapshot["surface"]).shape == (GRID * GRID,)
    assert [len(layer) for layer in snapshot["neurons"]] == [3, 5]
    for layer in snapshot["neurons"]:
        for neuron in layer:
            assert _bytes(neuron["bytes"]).shape == (GRID * GRID,)
            assert (neuron["low"], neuron["high"]) == (-1.0, 1.0)  # tanh's range
    assert [np.shape(w) for w in snapshot["weights"]] == [(3, 2), (5, 3), (1, 5)]
    assert [np.shape(b) for b in snapshot["biases"]] == [(3,), (5,), (1,)]
    data = session.data()
    assert len(data["train"]) == 30 and len(data["test"]) == 70
    assert set(data["train_labels"]) <= {0, 1}


def test_surface_is_the_networks_own_probability_on_the_grid():
    session = BoundarySession({"hidden": [2]})
    snapshot = session.snapshot()
    with wright.no_grad():
        expected = wright.sigmoid(session.model(session.grid)).array[:, 0]
    assert np.abs(_bytes(snapshot["surface"]) / 255 - expected).max() <= 0.5 / 255 + 1e-6
    # Row 0 is the top of the plane: the grid's first point is the top-left corner.
    assert session.grid.array[0].tolist() == pytest.approx([-1.4, 1.4])


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_activation_and_optimizer_trains(activation, optimizer):
    session = BoundarySession(
        {
            "activation": activation,
            "optimizer": optimizer,
            "points": 100,
            "l2": 0.001,
            "dropout": 0.1,
            "lr": 0.01,
        }
    )
    before = session.snapshot()["train_loss"]
    for _ in range(5):
        session.train()
    after = session.snapshot()
    assert np.isfinite(after["train_loss"]) and after["train_loss"] != before
    assert not session.diverged


def test_no_hidden_layer_is_logistic_regression():
    session = BoundarySession({"hidden": [], "dataset": "blobs"})
    for _ in range(20):
        session.train()
    snapshot = session.snapshot()
    assert snapshot["neurons"] == [] and len(snapshot["weights"]) == 1
    assert snapshot["test_accuracy"] > 0.95


def test_new_data_keeps_the_network_and_a_new_shape_replaces_it():
    session = BoundarySession()
    session.train()
    weights = session.model[0].weight.array.copy()
    assert session.update({"dataset": "circle", "noise": 0.1}) == {"data"}
    assert np.array_equal(session.model[0].weight.array, weights)
    assert session.epoch == 1
    assert session.update({"lr": 0.1, "optimizer": "adam"}) == set()
    assert isinstance(session.optimizer, wright.optim.Adam)
    assert np.array_equal(session.model[0].weight.array, weights)
    assert session.update({"hidden": [8, 8, 8]}) == {"network"}
    assert session.epoch == 0 and len(session.hidden_ends) == 3


def test_bad_settings_change_nothing():
    session = BoundarySession()
    settings = dict(session.settings)
    with pytest.raises(ParameterError, match="hidden: expected 1 to 8, got 9"):
        session.update({"lr": 0.5, "hidden": [4, 9]})
    with pytest.raises(ParameterError, match="hidden: expected 0 to 6 entries, got 7"):
        session.update({"hidden": [1] * 7})
    with pytest.raises(ParameterError, match="points: expected 50 to 2000"):
        BoundarySession({"points": 10**9})
    assert session.settings == settings


def test_same_seed_same_run_and_reset_draws_new_weights():
    first, second = BoundarySession({"seed": 7}), BoundarySession({"seed": 7})
    assert np.array_equal(first.model[0].weight.array, second.model[0].weight.array)
    assert np.array_equal(first.points, second.points)
    first.reset()
    assert not np.array_equal(first.model[0].weight.array, second.model[0].weight.array)


def test_a_time_budget_cuts_a_long_epoch_and_the_next_call_goes_on():
    session = BoundarySession({"points": 2000, "train_fraction": 0.9, "batch_size": 1})
    session.train(budget=0.0)
    assert session.steps == 1 and session.epoch == 0
    session.train()
    assert session.epoch == 1 and session.steps == 1800


def test_a_diverging_run_is_flagged():
    session = BoundarySession({"activation": "relu", "lr": 10.0, "hidden": [8, 8, 8, 8, 8, 8]})
    for _ in range(30):
        session.train()
        if session.diverged:
            break
    assert session.diverged
    snapshot = session.snapshot()  # still drawable, with missing numbers as None
    assert snapshot["diverged"] is True


def test_build_network_marks_the_hidden_layers_outputs():
    model, ends = build_network([3, 4], "relu", 0.5)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert ends == [2, 5]
    model, ends = build_network([3], "linear", 0.0)
    assert [type(m) for m in model] == [nn.Linear, nn.Linear] and ends == [0]
