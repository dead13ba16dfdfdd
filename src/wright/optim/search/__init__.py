"""Gradient-free search: find a function's lowest value only by evaluating it (the tea story), and
hyperparameter search built on the same methods.

Every search takes the same objective, a function of a point `x` (a 1-D float array) returning the
number to minimise, and returns a `SearchResult` with the best point, its value, how many
evaluations it used and every point it tried. With `vectorized=True` the objective instead receives
a batch of points, shape (N, D), and returns N values, which is much faster when the objective is
NumPy code. `tune` searches the settings of a training function the same way and tabulates every
trial; it is also `wright.tune`.

Example:
    >>> from wright.optim import search
    >>> result = search.simulated_annealing(lambda x: (x[0] - 3.0) ** 2, bounds=[(-10, 10)], seed=0)
    >>> round(float(result.x[0]), 1)
    3.0
"""

from wright.optim.search.hyperparameters import METHODS, TuneResult, tune
from wright.optim.search.methods import (
    SearchResult,
    exhaustive,
    genetic,
    gradient_descent,
    newton_1d,
    nudge,
    random_search,
    simulated_annealing,
)

__all__ = [
    "METHODS",
    "SearchResult",
    "TuneResult",
    "exhaustive",
    "genetic",
    "gradient_descent",
    "newton_1d",
    "nudge",
    "random_search",
    "simulated_annealing",
    "tune",
]
