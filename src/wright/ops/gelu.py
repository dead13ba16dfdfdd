"""The Gaussian error linear unit x * Phi(x), exactly (through erf) or with PyTorch's tanh
approximation."""

from __future__ import annotations

import math

import numpy as np

from wright.autograd import Function
from wright.backend import array_module
from wright.ops.elementwise import erf_array

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_CUBIC = 0.044715


class Gelu(Function):
    def forward(self, a, approximate):
        xp = array_module(a)
        self.a, self.approximate = a, approximate
        # -inf * 0 is NaN at x = -inf, as in PyTorch, without NumPy's warning.
        with np.errstate(invalid="ignore"):
            if approximate == "tanh":
                # a * a * a: NumPy's float32 a**3 is 15x slower.
                self.tanh = xp.tanh(_SQRT_2_OVER_PI * (a + _CUBIC * (a * a * a)))
                return 0.5 * a * (1 + self.tanh)
            self.cdf = 0.5 * (1 + erf_array(a * _SQRT_HALF))
            return a * self.cdf

    def backward(self, grad):
        xp = array_module(grad)
        a = self.a
        if self.approximate == "tanh":
            # d/dx 0.5 x (1 + tanh u) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) du/dx
            slope = _SQRT_2_OVER_PI * (1 + 3 * _CUBIC * a * a)
            local = 0.5 * (1 + self.tanh) + 0.5 * a * (1 - self.tanh**2) * slope
            return grad * local
        # d/dx x Phi(x) = Phi(x) + x phi(x)
        density = _INV_SQRT_2PI * xp.exp(-0.5 * a * a)
        return grad * (self.cdf + a * density)
