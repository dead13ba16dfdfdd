"""The Gaussian error linear unit x * Phi(x), exactly (through erf) or with PyTorch's tanh
approximation, and the vectorised erf it needs."""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import chebyshev

from wright.autograd import Function

# erf on [0, _STOP) is a polynomial on each interval of width _WIDTH; beyond, it is 1 to double
# precision (erfc(6) < 3e-17). Degree 9 reaches float64 round-off, 5 float32's.
_WIDTH, _STOP = 0.125, 6.0
_DEGREES = {np.float32: 5, np.float64: 9}
# Below this the series is fitted to erf(x) / x (so that erf keeps its relative accuracy near 0),
# from here on to erf - 1 = -erfc (storing the small erfc keeps its digits).
_ERFC_FROM = 0.5


def _erf_table(degree: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit the polynomials once, from math.erf/math.erfc at each interval's Chebyshev points.

    Returns:
        (coefficients (intervals + 1, degree + 1) of powers of t, the position in the interval
        scaled to [-1, 1], with a last all-zero row for |x| >= _STOP; the offset, 0 or 1, to add
        back per interval; the interval centres).
    """
    count = degree + 1
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
    # Chebyshev coefficients from values at Chebyshev points (a discrete cosine transform), then
    # the same polynomials in powers of t, for Horner's rule.
    series = values @ np.cos(np.outer(np.arange(count), angles)).T * (2 / count)
    series[:, 0] /= 2
    powers = np.zeros((len(centres) + 1, count))
    for row, coefficients in zip(powers, series):
        converted = chebyshev.cheb2poly(coefficients)
        row[: len(converted)] = converted
    return powers, np.append(far.astype(np.float64), 1.0), np.append(centres, 0.0)


def _tables() -> dict:
    tables = {}
    for dtype, degree in _DEGREES.items():
        powers, offsets, centres = _erf_table(degree)
        # One contiguous array per power, so that each gather reads a small array.
        columns = [np.ascontiguousarray(powers[:, j], dtype=dtype) for j in range(degree + 1)]
        tables[dtype] = columns, offsets.astype(dtype), centres.astype(dtype)
    return tables


_TABLES = _tables()


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf of every element: in float64 to a few units in the last place, in float32 for other
    inputs.

    Each |x| picks its interval and evaluates the polynomial there by Horner's rule: vectorised
    gathers and multiply-adds, no Python loop over elements. NaN stays NaN.
    """
    dtype = np.float64 if x.dtype == np.float64 else np.float32
    powers, offsets, centres = _TABLES[dtype]
    shape, x = x.shape, x.reshape(-1)  # 1-D, so that a 0-d input is updated in place too
    # NaN passes through `minimum` (and then through t); `fmin` sends it to the last interval so
    # that the index is valid.
    a = np.minimum(np.abs(x, dtype=dtype), _STOP)
    interval = np.fmin(a * (1 / _WIDTH), len(centres) - 1).astype(np.intp)
    t = a - centres[interval]
    t *= 2 / _WIDTH
    out = powers[-1][interval]
    for j in range(len(powers) - 2, -1, -1):
        out *= t
        out += powers[j][interval]
    out *= np.where(a < _ERFC_FROM, a, 1)
    out += offsets[interval]
    return np.copysign(out, x, out=out).reshape(shape)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_CUBIC = 0.044715


class Gelu(Function):
    def forward(self, a, approximate):
        self.a, self.approximate = a, approximate
        # -inf * 0 is NaN at x = -inf, as in PyTorch, without NumPy's warning.
        with np.errstate(invalid="ignore"):
            if approximate == "tanh":
                self.tanh = np.tanh(_SQRT_2_OVER_PI * (a + _CUBIC * a**3))
                return 0.5 * a * (1 + self.tanh)
            self.cdf = (0.5 * (1 + erf_array(a * _SQRT_HALF))).astype(a.dtype, copy=False)
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
