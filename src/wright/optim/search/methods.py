"""The searches themselves: exhaustive, random, annealing, genetic, finite-difference descent,
nudging and Newton's method, each returning a `SearchResult`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Objective = Callable[[np.ndarray], float]
Bounds = Sequence[tuple[float, float]] | tuple[float, float] | np.ndarray


@dataclass
class SearchResult:
    """What a search found and what it cost.

    Attributes:
        method: the search that produced it ("exhaustive", "genetic", ...).
        x: the best point evaluated, shape (D,).
        value: the objective at `x`.
        evaluations: how many points were evaluated (cups of tea brewed).
        trace_x: every point evaluated, in order, shape (evaluations, D).
        trace_values: the objective at each of those points, shape (evaluations,).
        steps: iterations of the method (generations, descent steps, ...; equal to evaluations for
            one-point-at-a-time searches).
        last_x: where a step-by-step search (gradient_descent, nudge, newton_1d) stopped: its last
            iterate, which may not have been evaluated yet; for the other searches the same as `x`.
    """

    method: str
    x: np.ndarray
    value: float
    evaluations: int
    trace_x: np.ndarray
    trace_values: np.ndarray
    steps: int
    last_x: np.ndarray

    def best_so_far(self) -> np.ndarray:
        """The lowest value seen after each evaluation, shape (evaluations,): the progress curve."""
        return np.minimum.accumulate(self.trace_values)

    def __str__(self) -> str:
        point = np.array2string(self.x, precision=4, separator=", ")
        return (
            f"{self.method}: x={point} value={self.value:.6g} after {self.evaluations} evaluations"
        )


class _Recorder:
    """Evaluates the objective on batches of points and keeps every point and value it saw."""

    def __init__(self, objective: Objective, dim: int, vectorized: bool, method: str) -> None:
        self.objective, self.dim, self.vectorized, self.method = objective, dim, vectorized, method
        self.points: list[np.ndarray] = []
        self.values: list[np.ndarray] = []

    def __call__(self, points: np.ndarray) -> np.ndarray:
        points = np.array(points, dtype=np.float64).reshape(-1, self.dim)
        if self.vectorized:
            values = np.asarray(self.objective(points), dtype=np.float64).reshape(-1)
            if values.shape[0] != points.shape[0]:
                raise ValueError(
                    f"{self.method}: a vectorized objective must return one value per point: got "
                    f"{values.shape[0]} values for {points.shape[0]} points"
                )
        else:
            values = np.array([float(self.objective(point)) for point in points])
        # NaN compares false against everything; counting it as infinitely bad keeps searches sane.
        values = np.where(np.isnan(values), np.inf, values)
        self.points.append(points)
        self.values.append(values)
        return values

    def result(self, steps: int, last_x: np.ndarray | None = None) -> SearchResult:
        trace_x = np.concatenate(self.points)
        trace_values = np.concatenate(self.values)
        best = int(np.argmin(trace_values))
        x = trace_x[best].copy()
        return SearchResult(
            self.method,
            x,
            float(trace_values[best]),
            len(trace_values),
            trace_x,
            trace_values,
            steps,
            x if last_x is None else last_x.copy(),
        )


def _as_bounds(bounds: Bounds, method: str) -> np.ndarray:
    """Bounds as a (D, 2) array of [low, high] rows; one (low, high) pair means one dimension."""
    array = np.asarray(bounds, dtype=np.float64)
    if array.shape == (2,):
        array = array.reshape(1, 2)
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
        raise ValueError(
            f"{method}: bounds must be (low, high) or a list of (low, high) pairs, "
            f"got shape {np.shape(bounds)}"
        )
    if not np.all(np.isfinite(array)) or np.any(array[:, 0] >= array[:, 1]):
        raise ValueError(f"{method}: every bound needs finite low < high, got {array.tolist()}")
    return array


def _as_point(x0, method: str, bounds: np.ndarray | None) -> np.ndarray:
    point = np.atleast_1d(np.asarray(x0, dtype=np.float64)).ravel().copy()
    if bounds is not None and point.shape[0] != bounds.shape[0]:
        raise ValueError(
            f"{method}: x0 has {point.shape[0]} coordinates but bounds describe {bounds.shape[0]}"
        )
    return point


def _clip(x: np.ndarray, bounds: np.ndarray | None) -> np.ndarray:
    return x if bounds is None else np.clip(x, bounds[:, 0], bounds[:, 1])


def _check_positive(method: str, **values) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"{method}: {name} must be positive, got {value}")


def _probe(record: _Recorder, x: np.ndarray, h: float) -> tuple[float, np.ndarray, np.ndarray]:
    """One batch of evaluations: f(x), then f(x + h e_i) and f(x - h e_i) for every coordinate i."""
    nudges = h * np.eye(x.shape[0])
    values = record(np.concatenate([x[None], x + nudges, x - nudges]))
    dim = x.shape[0]
    return float(values[0]), values[1 : dim + 1], values[dim + 1 :]


def exhaustive(
    objective: Objective,
    bounds: Bounds,
    points: int | Sequence[int] = 101,
    vectorized: bool = False,
) -> SearchResult:
    """Evaluate every point of an evenly spaced grid and keep the lowest: slow, but never fooled.

    Args:
        objective: function to minimise (see the module docstring).
        bounds: (low, high) for each coordinate; the grid includes both ends.
        points: grid points per coordinate (one number for all, or one per coordinate), at least 2.
        vectorized: whether the objective takes a batch of points.

    Returns:
        SearchResult; the answer is exact to within half a grid step where the function is smooth.
    """
    bounds = _as_bounds(bounds, "exhaustive")
    counts = np.broadcast_to(np.asarray(points), (bounds.shape[0],))
    if np.any(counts < 2):
        raise ValueError(
            f"exhaustive: need at least 2 grid points per coordinate, got {counts.tolist()}"
        )
    axes = [np.linspace(low, high, int(n)) for (low, high), n in zip(bounds, counts)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, bounds.shape[0])
    record = _Recorder(objective, bounds.shape[0], vectorized, "exhaustive")
    record(grid)
    return record.result(steps=len(grid))


def random_search(
    objective: Objective,
    bounds: Bounds,
    budget: int = 100,
    seed: int | None = None,
    vectorized: bool = False,
) -> SearchResult:
    """Evaluate `budget` points drawn uniformly inside the bounds and keep the lowest.

    Args:
        objective: function to minimise.
        bounds: (low, high) for each coordinate.
        budget: number of evaluations.
        seed: seed of the random draws.
        vectorized: whether the objective takes a batch of points.
    """
    bounds = _as_bounds(bounds, "random_search")
    _check_positive("random_search", budget=budget)
    rng = np.random.default_rng(seed)
    record = _Recorder(objective, bounds.shape[0], vectorized, "random_search")
    record(rng.uniform(bounds[:, 0], bounds[:, 1], size=(budget, bounds.shape[0])))
    return record.result(steps=budget)


def simulated_annealing(
    objective: Objective,
    bounds: Bounds,
    x0=None,
    budget: int = 1000,
    step: float = 0.1,
    temperature: float | None = None,
    cooling: float = 1e-3,
    seed: int | None = None,
    vectorized: bool = False,
) -> SearchResult:
    """Random jumps that keep every improvement and some worse points, fewer as the search cools.

    A worse point is accepted with probability exp(-(increase) / T). The temperature T falls
    geometrically from `temperature` to `temperature * cooling` over the budget, and the jump size
    shrinks with sqrt(T), so the search roams over hills while hot and settles into the deepest
    valley it found while cold.

    Args:
        objective: function to minimise.
        bounds: (low, high) for each coordinate; jumps are clipped to them.
        x0: starting point; by default the best of the probe points below.
        budget: total number of evaluations.
        step: standard deviation of the first jumps, as a fraction of each coordinate's range.
        temperature: starting temperature, in units of the objective. By default it is the spread
            (standard deviation) of the objective over 10 random probe points, which count toward
            the budget.
        cooling: final temperature as a fraction of the starting one.
        seed: seed of the random jumps.
        vectorized: whether the objective takes a batch of points.
    """
    bounds = _as_bounds(bounds, "simulated_annealing")
    _check_positive("simulated_annealing", budget=budget, step=step, cooling=cooling)
    rng = np.random.default_rng(seed)
    record = _Recorder(objective, bounds.shape[0], vectorized, "simulated_annealing")
    width = bounds[:, 1] - bounds[:, 0]
    current, current_value = None, math.inf
    if temperature is None:
        probes = rng.uniform(bounds[:, 0], bounds[:, 1], size=(min(10, budget), bounds.shape[0]))
        probe_values = record(probes)
        finite = probe_values[np.isfinite(probe_values)]
        temperature = float(np.std(finite)) if finite.size > 1 and np.std(finite) > 0 else 1.0
        best = int(np.argmin(probe_values))
        current, current_value = probes[best], float(probe_values[best])
    _check_positive("simulated_annealing", temperature=temperature)
    if x0 is not None:
        current = _clip(_as_point(x0, "simulated_annealing", bounds), bounds)
        current_value = float(record(current)[0])
    elif current is None:
        current = rng.uniform(bounds[:, 0], bounds[:, 1])
        current_value = float(record(current)[0])
    remaining = budget - sum(len(v) for v in record.values)
    for k in range(max(remaining, 0)):
        ratio = cooling ** (k / max(remaining - 1, 1))
        heat = temperature * ratio
        candidate = _clip(
            current + rng.normal(0.0, 1.0, current.shape) * step * width * math.sqrt(ratio), bounds
        )
        value = float(record(candidate)[0])
        if value <= current_value or rng.random() < math.exp(-(value - current_value) / heat):
            current, current_value = candidate, value
    return record.result(steps=max(remaining, 0))


def genetic(
    objective: Objective,
    bounds: Bounds,
    budget: int = 1000,
    population: int = 20,
    mutation: float = 0.1,
    elite: int = 2,
    seed: int | None = None,
    vectorized: bool = False,
) -> SearchResult:
    """Evolve a population: fitter members become parents, children mix and mutate their parents.

    Each parent is the fitter of two members picked at random, and the `elite` best members survive
    unchanged into the next generation.

    Children are blends `mother + u * (father - mother)` with u drawn from U(-0.25, 1.25) per
    coordinate (so they can land a little outside their parents), plus Gaussian noise of `mutation`
    times each range.

    Args:
        objective: function to minimise.
        bounds: (low, high) for each coordinate; the first generation is drawn uniformly inside
            them.
        budget: most evaluations: the first generation costs `population`, each later one
            `population - elite`.
        population: members per generation (at least 2).
        mutation: standard deviation of the mutation noise, as a fraction of each coordinate's
            range.
        elite: how many of the best members are copied unchanged into the next generation.
        seed: seed of every random choice.
        vectorized: whether the objective takes a batch of points (a whole generation at once).
    """
    bounds = _as_bounds(bounds, "genetic")
    if population < 2 or not 0 <= elite < population:
        raise ValueError(
            f"genetic: need population >= 2 and 0 <= elite < population, got population "
            f"{population}, elite {elite}"
        )
    if budget < population:
        raise ValueError(f"genetic: budget {budget} is smaller than one generation of {population}")
    _check_positive("genetic", mutation=mutation)
    rng = np.random.default_rng(seed)
    record = _Recorder(objective, bounds.shape[0], vectorized, "genetic")
    width = bounds[:, 1] - bounds[:, 0]
    members = rng.uniform(bounds[:, 0], bounds[:, 1], size=(population, bounds.shape[0]))
    fitness = record(members)
    newborn = population - elite
    generations = 1 + (budget - population) // newborn
    for _ in range(generations - 1):
        first, second = rng.integers(population, size=(2, 2 * newborn))
        parents = members[np.where(fitness[first] <= fitness[second], first, second)]
        mothers, fathers = parents[:newborn], parents[newborn:]
        blend = rng.uniform(-0.25, 1.25, size=mothers.shape)
        children = (
            mothers
            + blend * (fathers - mothers)
            + rng.normal(0.0, 1.0, mothers.shape) * mutation * width
        )
        children = _clip(children, bounds)
        survivors = np.argsort(fitness, kind="stable")[:elite]
        members = np.concatenate([members[survivors], children])
        fitness = np.concatenate([fitness[survivors], record(children)])
    return record.result(steps=generations)


def gradient_descent(
    objective: Objective,
    x0,
    lr: float = 0.1,
    h: float = 1e-3,
    max_steps: int = 100,
    tol: float = 1e-6,
    bounds: Bounds | None = None,
    vectorized: bool = False,
) -> SearchResult:
    """Roll downhill using slopes measured from the objective alone: x <- x - lr * slope.

    Each step evaluates x and x +/- h along every coordinate (2D + 1 evaluations) and takes the
    central difference (f(x + h) - f(x - h)) / 2h as the slope, like brewing one cup a little warmer
    and one a little cooler. It stops when a step moves every coordinate less than `tol`: at the
    bottom of the nearest valley, or stuck on a flat step or plateau.

    Args:
        objective: function to minimise.
        x0: starting point.
        lr: learning rate (step size per unit of slope).
        h: distance of the probe points.
        max_steps: most descent steps.
        tol: stop when no coordinate moves more than this.
        bounds: optional (low, high) per coordinate; steps are clipped to them.
        vectorized: whether the objective takes a batch of points.
    """
    bounds = None if bounds is None else _as_bounds(bounds, "gradient_descent")
    _check_positive("gradient_descent", lr=lr, h=h, max_steps=max_steps)
    x = _clip(_as_point(x0, "gradient_descent", bounds), bounds)
    record = _Recorder(objective, x.shape[0], vectorized, "gradient_descent")
    steps = 0
    while steps < max_steps:
        _, above, below = _probe(record, x, h)
        slope = np.where(np.isfinite(above - below), (above - below) / (2 * h), 0.0)
        moved = _clip(x - lr * slope, bounds)
        steps += 1
        if np.max(np.abs(moved - x)) < tol:
            break
        x = moved
    return record.result(steps, last_x=x)


def nudge(
    objective: Objective,
    x0,
    step: float = 0.05,
    max_steps: int = 100,
    bounds: Bounds | None = None,
    vectorized: bool = False,
) -> SearchResult:
    """The lectures' first learning rule: nudge each weight up and down, keep the way that helped.

    Each weight is tried `step` higher and `step` lower and then moved by `step` in whichever
    direction lowered the error, or left where it is if neither did.

    All coordinates move together after each round of 2D + 1 evaluations; the search stops when no
    nudge lowers the objective or after `max_steps` rounds.

    Args:
        objective: function to minimise (the error, as a function of the weights).
        x0: starting weights.
        step: how far each weight is nudged and moved.
        max_steps: most rounds of nudging.
        bounds: optional (low, high) per coordinate; weights are clipped to them.
        vectorized: whether the objective takes a batch of points.
    """
    bounds = None if bounds is None else _as_bounds(bounds, "nudge")
    _check_positive("nudge", step=step, max_steps=max_steps)
    x = _clip(_as_point(x0, "nudge", bounds), bounds)
    record = _Recorder(objective, x.shape[0], vectorized, "nudge")
    steps = 0
    while steps < max_steps:
        here, above, below = _probe(record, x, step)
        direction = np.where(
            (above < here) & (above <= below), 1.0, np.where(below < here, -1.0, 0.0)
        )
        steps += 1
        if not direction.any():
            break
        x = _clip(x + step * direction, bounds)
    return record.result(steps, last_x=x)


def newton_1d(
    objective: Objective,
    x0: float,
    h: float = 1e-3,
    max_steps: int = 50,
    tol: float = 1e-6,
    max_step: float | None = None,
    bounds: tuple[float, float] | None = None,
    vectorized: bool = False,
) -> SearchResult:
    """Newton's method on one variable: the curvature, not just the slope, sets the step size.

    Three evaluations per step (x - h, x, x + h) give the slope s and curvature c by finite
    differences. Where the curve bends upward (c > 0) the step is -s / c: long while the slope is
    steep but the curve straight, short as it flattens into the bottom. Where it bends downward
    there is no bottom to aim for, so the step goes downhill by `max_step`. Quick on well-behaved
    curves; stuck wherever the curve is flat.

    Args:
        objective: function of one variable to minimise (given x as an array of shape (1,)).
        x0: starting point.
        h: distance of the probe points.
        max_steps: most Newton steps.
        tol: stop when a step is shorter than this.
        max_step: longest step allowed; defaults to a tenth of the bounds' width, or 1.0 without
            bounds.
        bounds: optional (low, high); steps are clipped to it.
        vectorized: whether the objective takes a batch of points.
    """
    bounds = None if bounds is None else _as_bounds(bounds, "newton_1d")
    if bounds is not None and bounds.shape[0] != 1:
        raise ValueError(f"newton_1d: searches one variable, got bounds for {bounds.shape[0]}")
    _check_positive("newton_1d", h=h, max_steps=max_steps)
    if max_step is None:
        max_step = 1.0 if bounds is None else 0.1 * float(bounds[0, 1] - bounds[0, 0])
    x = _clip(_as_point(x0, "newton_1d", None), bounds)
    if x.shape != (1,):
        raise ValueError(f"newton_1d: x0 must be a single number, got {x.shape[0]} coordinates")
    record = _Recorder(objective, 1, vectorized, "newton_1d")
    steps = 0
    while steps < max_steps:
        here, above, below = _probe(record, x, h)
        slope = (above[0] - below[0]) / (2 * h)
        curvature = (above[0] - 2 * here + below[0]) / h**2
        if not (np.isfinite(slope) and np.isfinite(curvature)):
            break
        move = -slope / curvature if curvature > 0 else -np.sign(slope) * max_step
        moved = _clip(x + np.clip(move, -max_step, max_step), bounds)
        steps += 1
        if abs(moved[0] - x[0]) < tol:
            break
        x = moved
    return record.result(steps, last_x=x)
