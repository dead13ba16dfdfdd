"""LBFGS against torch.optim.LBFGS: whole runs with and without the strong-Wolfe line search, its
state, and argument checks."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import optim

torch = pytest.importorskip("torch")


def _rosenbrock(x: np.ndarray, y: np.ndarray):
    """The Rosenbrock function and its gradient, in NumPy, so that both libraries' optimizers see
    exactly the same numbers."""
    loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
    return loss, [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]


def _least_squares(w: np.ndarray, b: np.ndarray):
    """A linear least-squares fit (a convex problem) and its gradient, in NumPy."""
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((20, 3)).astype(w.dtype)
    targets = rng.standard_normal((20, 2)).astype(w.dtype)
    error = inputs @ w + b - targets
    scale = w.dtype.type(2 / error.size)
    return (error**2).mean(), [inputs.T @ error * scale, error.sum(0) * scale]


def _run(lib, objective, values, steps, **settings):
    params = [lib.tensor(v.copy(), requires_grad=True) for v in values]
    optimizer = lib.optim.LBFGS(params, **settings)

    def closure():
        loss, grads = objective(*[p.detach().numpy() for p in params])
        for p, grad in zip(params, grads, strict=True):
            p.grad = lib.tensor(np.asarray(grad))
        return lib.tensor(np.asarray(loss))

    losses = [optimizer.step(closure).item() for _ in range(steps)]
    return [p.detach().numpy() for p in params], losses, optimizer


def _bowl(w: np.ndarray, b: np.ndarray):
    """A smooth, well-conditioned convex function (a quadratic plus a quartic) and its gradient."""
    rng = np.random.default_rng(3)
    root = rng.standard_normal((6, 6))
    curvature, pull = root @ root.T / 6 + 0.5 * np.eye(6), rng.standard_normal(6)
    v = np.concatenate([w.ravel(), b.ravel()])
    loss = 0.5 * v @ curvature @ v + 0.25 * np.sum(v**4) - pull @ v
    grad = curvature @ v + v**3 - pull
    return loss, [grad[:4].reshape(w.shape), grad[4:].reshape(b.shape)]


BOWL = [np.array([[1.5, -2.0], [0.5, 1.0]]), np.array([2.0, -1.0])]
ROSENBROCK = [np.array(-1.5), np.array(2.0)]
CASES = [
    ({}, 3),
    ({"line_search_fn": "strong_wolfe"}, 3),
    ({"history_size": 3, "max_iter": 7, "lr": 0.5}, 4),
    ({"line_search_fn": "strong_wolfe", "history_size": 2, "max_eval": 9}, 4),
    ({"tolerance_change": 1e-3, "max_iter": 50}, 2),
]
case_ids = [str(settings) for settings, _ in CASES]


def _compare(objective, values, settings, steps, rtol):
    ours, our_losses, our_optimizer = _run(wright, objective, values, steps, **settings)
    theirs, their_losses, their_optimizer = _run(torch, objective, values, steps, **settings)
    np.testing.assert_allclose(our_losses, their_losses, rtol=rtol, atol=1e-12)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12)
    our_state = next(iter(our_optimizer.state.values()))
    their_state = next(iter(their_optimizer.state.values()))
    assert our_state.keys() == their_state.keys()
    # The same iterations and evaluations: every branch went the same way.
    for key in ("func_evals", "n_iter"):
        assert our_state[key] == their_state[key]
    assert len(our_state["old_dirs"]) == len(their_state["old_dirs"])


@pytest.mark.parametrize("settings, steps", CASES, ids=case_ids)
def test_float64_run_matches_torch(settings, steps):
    _compare(_bowl, BOWL, settings, steps, rtol=1e-12)


@pytest.mark.parametrize("settings, steps", CASES, ids=case_ids)
def test_rosenbrock_takes_the_same_path_as_torch(settings, steps):
    """Rosenbrock's curved valley amplifies last-bit differences of the two libraries' roundings
    over tens of iterations, so the points agree to 1e-4 here (the bowl above to 1e-12)."""
    _compare(_rosenbrock, ROSENBROCK, settings, steps, rtol=1e-4)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_least_squares_float32_matches_torch(line_search_fn):
    """Float32 runs agree to float32 precision while far from the minimum (near it, the line
    search compares losses that differ only by rounding noise)."""
    rng = np.random.default_rng(1)
    values = [rng.standard_normal((3, 2)).astype(np.float32), np.zeros(2, np.float32)]
    settings = {"line_search_fn": line_search_fn, "max_iter": 6}
    ours, our_losses, _ = _run(wright, _least_squares, values, 1, **settings)
    theirs, their_losses, _ = _run(torch, _least_squares, values, 1, **settings)
    assert ours[0].dtype == np.float32
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-6)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_stops_at_once_when_the_gradient_is_small():
    point = [np.array(1.0), np.array(1.0)]  # where the Rosenbrock function has its minimum
    ours, _, optimizer = _run(wright, _rosenbrock, point, 1)
    state = next(iter(optimizer.state.values()))
    assert state["func_evals"] == 1 and state["n_iter"] == 0
    np.testing.assert_array_equal(ours, point)


def test_state_dict_round_trip_continues_identically(tmp_path):
    params = [wright.tensor(v.copy(), requires_grad=True) for v in ROSENBROCK]
    optimizer = optim.LBFGS(params, history_size=4, max_iter=5)

    def closure_for(optimizer, params):
        def closure():
            optimizer.zero_grad()
            loss = (1 - params[0]) ** 2 + 100 * (params[1] - params[0] * params[0]) ** 2
            loss.backward()
            return loss

        return closure

    optimizer.step(closure_for(optimizer, params))
    wright.save(
        {"params": [p.array for p in params], "optimizer": optimizer.state_dict()},
        tmp_path / "checkpoint",
    )
    checkpoint = wright.load(tmp_path / "checkpoint")
    restored = [wright.tensor(v.copy(), requires_grad=True) for v in checkpoint["params"]]
    resumed = optim.LBFGS(restored, history_size=4, max_iter=5)
    resumed.load_state_dict(checkpoint["optimizer"])
    for _ in range(2):
        optimizer.step(closure_for(optimizer, params))
        resumed.step(closure_for(resumed, restored))
    for a, b in zip(params, restored, strict=True):
        np.testing.assert_array_equal(a.array, b.array)


def test_argument_checks():
    a, b = wright.ones(1, requires_grad=True), wright.ones(1, requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    optimizer = optim.LBFGS([a], line_search_fn="backtracking")
    with pytest.raises(TypeError, match="closure"):
        optimizer.step(None)
    with pytest.raises(RuntimeError, match="strong_wolfe"):
        optimizer.step(lambda: (a * a).sum())
    assert optim.LBFGS([a], max_iter=8).defaults["max_eval"] == 10
