"""The Gaussian error linear unit x * Phi(x), exactly (through erf) or with PyTorch's tanh
approximation, and the vectorised erf it needs."""

from __future__ import annotations

import math

import numpy as np

from wright.autograd import Function

# erf on [0, _STOP) is a Chebyshev series on each interval of width _WIDTH; beyond, it is 1 to
# double precision (erfc(6) < 3e-17).
_WIDTH, _STOP, _DEGREE = 0.125, 6.0, 9
# Below this the series is fitted to erf(x) / x (so that erf keeps its relative accuracy near 0),
# from here on to erf - 1 = -erfc (storing the small erfc keeps its digits).
_ERFC_FROM = 0.5


def _erf_table() -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Fit the series once, from math.erf/math.erfc at each interval's Chebyshev points.

    Returns:
        (coefficients: one array per degree, indexed by interval, with a last all-zero interval
        for |x| >= _STOP; the offset, 0 or 1, to add back per interval; the interval centres).
    """
    count = _DEGREE + 1
    angles = np.pi * (np.arange(count) + 0.5) / count
    starts = np.arange(0.0, _STOP, _WIDTH)
    centres = starts + _WIDTH / 2
    far = starts >= _ERFC_FROM
    points = centres[:, None] + _WIDTH / 2 * np.cos(angles)
    values = np.array(
        [
            [-math.erfc(x) if is_far else math.erf(x) / x for x in row]
            for row, is_far in zip(points, far)
        ]
    )
    # Chebyshev coefficients from values at Chebyshev points: a discrete cosine transform.
    series = values @ np.cos(np.outer(np.arange(count), angles)).T * (2 / count)
    series[:, 0] /= 2
    coefficients = [np.append(series[:, j], 0.0) for j in range(count)]
    return coefficients, np.append(far.astype(np.float64), 1.0), np.append(centres, 0.0)


_COEFFICIENTS, _OFFSETS, _CENTRES = _erf_table()


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf of every element, in float64, to a few units in the last place (absolute).

    Each |x| picks its interval and sums the series there by Clenshaw's recurrence: vectorised
    gathers and multiply-adds, no Python loop over elements. NaN stays NaN.
    """
    # NaN passes through `minimum` (and then through t); `fmin` sends it to the last interval so
    # that the index is valid.
    a = np.minimum(np.abs(x, dtype=np.float64), _STOP)
    interval = np.fmin(a * (1 / _WIDTH), len(_CENTRES) - 1).astype(np.intp)
    t = (a - _CENTRES[interval]) * (2 / _WIDTH)
    twice_t = 2 * t
    b1, b2 = _COEFFICIENTS[_DEGREE][interval], np.zeros_like(t)
    for j in range(_DEGREE - 1, 0, -1):
        b1, b2 = twice_t * b1 - b2 + _COEFFICIENTS[j][interval], b1
    series = t * b1 - b2 + _COEFFICIENTS[0][interval]
    return np.copysign(_OFFSETS[interval] + np.where(a < _ERFC_FROM, a, 1.0) * series, x)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_CUBIC = 0.044715


class Gelu(Function):
    def forward(self, a, approximate):
        self.a, self.approximate = a, approximate
        if approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (a + _CUBIC * a**3)
            self.tanh = np.tanh(inner)
            return 0.5 * a * (1 + self.tanh)
        self.cdf = (0.5 * (1 + erf_array(a * _SQRT_HALF))).astype(a.dtype)
        return a * self.cdf

    def backward(self, grad):
        a = self.a
        if self.approximate == "tanh":
            # d/dx 0.5 x (1 + tanh u) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) du/dx
            slope = _SQRT_2_OVER_PI * (1 + 3 * _CUBIC * a * a)
            local = 0.5 * (1 + self.tanh) + 0.5 * a * (1 - self.tanh**2) * slope
            return grad * local
        # d/dx x Phi(x) = Phi(x) + x phi(x)
        density = _INV_SQRT_2PI * np.exp(-0.5 * a * a)
        return grad * (self.cdf + a * density)
