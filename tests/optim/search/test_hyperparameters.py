"""Tests for tune (wright.optim.search, also wright.tune): every search method, the table of trials, dict scores, bad spaces."""

import math

import numpy as np
import pytest

import wright
from wright import nn, optim
from wright.optim.search import TuneResult, tune

SPACE = {"lr": (1e-4, 1e-1, "log"), "hidden": [16, 32, 64], "activation": ["tanh", "relu"]}


def pretend_training(lr, hidden, activation):
    """A made-up validation loss, lowest at lr = 0.01, hidden = 32, tanh."""
    return abs(math.log10(lr) + 2) + abs(hidden - 32) / 32 + (activation == "relu") * 0.1


@pytest.mark.parametrize("method", ["random", "annealing", "genetic"])
def test_searches_find_good_settings_within_budget(method):
    result = tune(pretend_training, SPACE, method=method, budget=40, seed=0)
    assert isinstance(result, TuneResult)
    assert result.best["hidden"] == 32
    assert result.best_score < 0.35
    assert len(result.rows) <= result.evaluations <= 40
    assert result.best_score == min(row["score"] for row in result.rows)


def test_grid_tries_every_combination_once():
    calls = []
    result = tune(
        lambda **s: calls.append(s) or pretend_training(**s),
        SPACE,
        method="grid",
        budget=None,
        grid_points=3,
    )
    assert len(calls) == len(result.rows) == 3 * 3 * 2
    assert sorted({row["lr"] for row in result.rows}) == pytest.approx([1e-4, 10**-2.5, 1e-1])
    assert result.best == {"lr": pytest.approx(10**-2.5), "hidden": 32, "activation": "tanh"}


def test_grid_that_does_not_fit_the_budget_is_an_error():
    with pytest.raises(ValueError, match="grid has 18 settings but the budget is 5"):
        tune(pretend_training, SPACE, method="grid", budget=5)


def test_repeated_settings_are_trained_only_once():
    calls = []
    result = tune(
        lambda size: calls.append(size) or (size - 3) ** 2,
        {"size": [1, 2, 3, 4]},
        method="annealing",
        budget=30,
        seed=0,
    )
    assert len(calls) == len(set(calls)) == len(result.rows) <= 4
    assert result.best == {"size": 3}


def test_integer_ranges_give_integers_and_dict_scores_pick_the_metric():
    result = tune(
        lambda layers: {"accuracy": 1 - abs(layers - 4) / 10, "loss": layers},
        {"layers": (1, 8)},
        budget=25,
        seed=1,
        metric="accuracy",
        mode="max",
    )
    assert all(isinstance(row["layers"], int) and 1 <= row["layers"] <= 8 for row in result.rows)
    assert result.best == {"layers": 4}
    assert result.metric == "accuracy"
    assert "accuracy" in result.table()


def test_table_marks_the_best_trial_and_prints_every_row():
    result = tune(pretend_training, SPACE, budget=6, seed=0)
    table = result.table()
    lines = table.splitlines()
    assert lines[0].split() == ["trial", "lr", "hidden", "activation", "score", "seconds"]
    assert len(lines) == 2 + len(result.rows)
    starred = [line for line in lines if "*" in line]
    assert len(starred) == 1 and starred[0].split()[0].rstrip("*").isdigit()
    assert str(result).endswith(f"activation={result.best['activation']}")


def test_nan_scores_never_win():
    result = tune(lambda x: float("nan") if x > 0.5 else x, {"x": (0.0, 1.0)}, budget=20, seed=0)
    assert result.best["x"] <= 0.5


@pytest.mark.parametrize(
    "space, message",
    [
        ({"lr": (0.1, 0.01)}, "low < high"),
        ({"lr": (0.0, 1.0, "log")}, "low > 0"),
        ({"lr": (0.1, 1.0, "linear")}, "only be 'log'"),
        ({"hidden": []}, "empty list"),
        ({"hidden": {16, 32}}, "list of choices"),
        ({}, "empty"),
    ],
)
def test_bad_spaces_are_explained(space, message):
    with pytest.raises(ValueError, match=message):
        tune(lambda **s: 0.0, space, budget=3)


def test_bad_method_and_mode_are_explained():
    with pytest.raises(ValueError, match="method must be one of"):
        tune(pretend_training, SPACE, method="bayes")
    with pytest.raises(ValueError, match="mode must be"):
        tune(pretend_training, SPACE, mode="largest")


def test_wright_tune_is_exported():
    assert wright.tune is tune


def test_tuning_a_real_training_run_prefers_a_working_learning_rate():
    x = np.linspace(-1, 1, 32, dtype=np.float32)[:, None]
    y = 3 * x - 1

    def train(lr):
        wright.manual_seed(0)
        model = nn.Linear(1, 1)
        optimizer = optim.SGD(model.parameters(), lr=lr)
        for _ in range(30):
            loss = nn.MSELoss()(model(wright.tensor(x)), wright.tensor(y))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return float(loss.item())

    result = tune(train, {"lr": [1e-4, 1e-2, 0.5]}, method="grid")
    assert result.best == {"lr": 0.5}
    assert result.best_score < 0.01
