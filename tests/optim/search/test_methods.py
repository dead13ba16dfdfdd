"""Tests for the gradient-free searches: minima, evaluation counts, bounds and seeds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wright.optim import search


def bowl(x):
    return float(np.sum((np.asarray(x) - np.array([3.0, -2.0])[: len(x)]) ** 2))


def bowl_batch(points):
    return np.sum((points - np.array([3.0, -2.0])[: points.shape[1]]) ** 2, axis=1)


def double_well(points):
    """Two valleys: a shallow one at +2 and a deeper one at -2 (vectorised, one coordinate)."""
    x = points[:, 0]
    return (x**2 - 4) ** 2 / 10 + 0.8 * x


BOUNDS_2D = [(-10.0, 10.0), (-10.0, 10.0)]


@pytest.mark.parametrize(
    "run",
    [
        lambda: search.exhaustive(bowl, BOUNDS_2D, points=81),
        lambda: search.random_search(bowl, BOUNDS_2D, budget=3000, seed=0),
        lambda: search.simulated_annealing(bowl, BOUNDS_2D, budget=2000, seed=0),
        lambda: search.genetic(bowl, BOUNDS_2D, budget=2000, seed=0),
        lambda: search.gradient_descent(bowl, [0.0, 0.0], lr=0.2, max_steps=200),
        lambda: search.nudge(bowl, [0.0, 0.0], step=0.25, max_steps=100),
    ],
    ids=["exhaustive", "random", "annealing", "genetic", "gradient_descent", "nudge"],
)
def test_every_search_finds_the_bottom_of_a_bowl(run):
    result = run()
    np.testing.assert_allclose(result.x, [3.0, -2.0], atol=0.35)
    assert result.value == pytest.approx(bowl(result.x))
    assert result.evaluations == len(result.trace_values) == len(result.trace_x)
    assert result.trace_x.shape[1] == 2
    assert np.all(np.diff(result.best_so_far()) <= 0)
    assert result.value == result.trace_values.min()
    assert "evaluations" in str(result)


def test_newton_solves_a_parabola_in_one_step_and_stops_on_the_next():
    result = search.newton_1d(lambda x: (x[0] - 1.5) ** 2 + 4.0, x0=10.0, h=1e-2, max_step=100.0)
    assert result.x[0] == pytest.approx(1.5, abs=1e-6)
    assert result.steps == 2
    assert result.evaluations == 6  # three cups per step


def test_newton_and_gradient_descent_stall_on_a_plateau_but_annealing_does_not():
    def plateau(points):
        x = points[:, 0]
        return np.where(np.abs(x - 8.0) < 1.0, -1.0, 0.0)

    newton = search.newton_1d(plateau, 0.0, bounds=(-10, 10), vectorized=True)
    descent = search.gradient_descent(plateau, 0.0, bounds=[(-10, 10)], vectorized=True)
    annealing = search.simulated_annealing(
        plateau, [(-10, 10)], x0=0.0, budget=400, step=0.3, seed=0, vectorized=True
    )
    assert newton.steps == 1 and newton.value == 0.0
    assert descent.steps == 1 and descent.value == 0.0
    assert annealing.value == -1.0


def test_local_searches_roll_into_the_nearest_valley_and_global_ones_find_the_deepest():
    start = 2.5
    descent = search.gradient_descent(
        double_well, start, lr=0.05, bounds=[(-4, 4)], vectorized=True
    )
    newton = search.newton_1d(double_well, start, bounds=(-4, 4), vectorized=True)
    assert descent.x[0] > 0 and newton.x[0] > 0
    for seed in range(3):
        annealing = search.simulated_annealing(
            double_well, [(-4, 4)], x0=start, budget=500, step=0.3, seed=seed, vectorized=True
        )
        genetic = search.genetic(double_well, [(-4, 4)], budget=400, seed=seed, vectorized=True)
        assert annealing.x[0] < 0 and genetic.x[0] < 0


def test_vectorized_and_pointwise_objectives_give_the_same_search():
    for method in (search.random_search, search.simulated_annealing, search.genetic):
        one = method(bowl, BOUNDS_2D, budget=200, seed=3)
        batch = method(bowl_batch, BOUNDS_2D, budget=200, seed=3, vectorized=True)
        np.testing.assert_allclose(one.trace_x, batch.trace_x)
        np.testing.assert_allclose(one.trace_values, batch.trace_values)


def test_same_seed_same_search_and_different_seed_different_search():
    first = search.simulated_annealing(bowl, BOUNDS_2D, budget=100, seed=1)
    again = search.simulated_annealing(bowl, BOUNDS_2D, budget=100, seed=1)
    other = search.simulated_annealing(bowl, BOUNDS_2D, budget=100, seed=2)
    np.testing.assert_array_equal(first.trace_x, again.trace_x)
    assert not np.array_equal(first.trace_x, other.trace_x)


@pytest.mark.parametrize("budget", [20, 37, 100])
def test_budgets_are_never_exceeded(budget):
    assert search.random_search(bowl, BOUNDS_2D, budget=budget, seed=0).evaluations == budget
    assert search.simulated_annealing(bowl, BOUNDS_2D, budget=budget, seed=0).evaluations == budget
    genetic = search.genetic(bowl, BOUNDS_2D, budget=budget, population=10, seed=0)
    assert budget - 8 < genetic.evaluations <= budget


def test_exhaustive_grid_has_every_combination_and_includes_the_ends():
    result = search.exhaustive(bowl, [(0, 4), (-3, 3)], points=(5, 7))
    assert result.evaluations == 35
    assert result.trace_x[:, 0].min() == 0 and result.trace_x[:, 0].max() == 4
    np.testing.assert_allclose(result.x, [3.0, -2.0])


def test_nudge_moves_each_weight_by_one_step_toward_lower_error():
    result = search.nudge(bowl, [1.0, 1.0], step=0.5, max_steps=1)
    np.testing.assert_allclose(result.last_x, [1.5, 0.5])
    assert result.evaluations == 5  # the point, then each weight nudged up and down


def test_nudge_respects_bounds():
    result = search.nudge(
        bowl, [0.9, 0.0], step=0.25, max_steps=20, bounds=[(0.0, 1.0), (0.0, 1.0)]
    )
    np.testing.assert_allclose(result.last_x, [1.0, 0.0])


def test_nan_values_count_as_worst():
    result = search.random_search(
        lambda x: np.nan if x[0] < 0 else x[0], [(-1, 1)], budget=50, seed=0
    )
    assert 0 <= result.x[0] <= 1
    assert np.isinf(result.trace_values[result.trace_x[:, 0] < 0]).all()


@pytest.mark.parametrize(
    "bad, message",
    [
        ([(1.0, 0.0)], "low < high"),
        ([(0.0, np.inf)], "finite"),
        ([[0.0, 1.0, 2.0]], "pairs"),
    ],
)
def test_bad_bounds_are_explained(bad, message):
    with pytest.raises(ValueError, match=f"random_search.*{message}"):
        search.random_search(bowl, bad, budget=5)


def test_other_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="genetic: budget 5 is smaller than one generation of 20"):
        search.genetic(bowl, BOUNDS_2D, budget=5)
    with pytest.raises(ValueError, match="gradient_descent: lr must be positive"):
        search.gradient_descent(bowl, [0.0, 0.0], lr=0.0)
    with pytest.raises(ValueError, match="newton_1d: x0 must be a single number"):
        search.newton_1d(bowl, [0.0, 0.0])
    with pytest.raises(ValueError, match="one value per point"):
        search.random_search(lambda p: np.zeros(3), BOUNDS_2D, budget=5, vectorized=True)


@settings(max_examples=20, deadline=None)
@given(
    low=st.floats(-100, 100),
    width=st.floats(0.01, 100),
    dims=st.integers(1, 3),
    seed=st.integers(0, 99),
)
def test_searches_stay_inside_their_bounds(low, width, dims, seed):
    bounds = [(low, low + width)] * dims

    def squares(points):
        return np.sum(points**2, axis=1)

    for result in (
        search.random_search(squares, bounds, budget=30, seed=seed, vectorized=True),
        search.simulated_annealing(squares, bounds, budget=30, seed=seed, vectorized=True),
        search.genetic(squares, bounds, budget=30, population=10, seed=seed, vectorized=True),
        search.exhaustive(squares, bounds, points=4, vectorized=True),
    ):
        assert np.all(result.trace_x >= low) and np.all(result.trace_x <= low + width)
        assert result.value == result.trace_values.min()
