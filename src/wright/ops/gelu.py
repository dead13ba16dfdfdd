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
                # Worked out in one buffer: each temporary of a large activation is a fresh
                # allocation (and a * a * a: NumPy's float32 a**3 is 15x slower).
                tanh = xp.multiply(a, a, out=xp.empty_like(a))
                tanh *= _SQRT_2_OVER_PI * _CUBIC
                tanh += _SQRT_2_OVER_PI
                tanh *= a
                self.tanh = xp.tanh(tanh, out=tanh)
                out = tanh + 1
                out *= a
                out *= 0.5
                return out
            self.cdf = 0.5 * (1 + erf_array(a * _SQRT_HALF))
            return a * self.cdf

    def backward(self, grad):
        xp = array_module(grad)
        a = self.a
        if self.approximate == "tanh":
            # d/dx 0.5 x (1 + tanh u) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) du/dx, in one buffer
            tanh = self.tanh
            local = xp.multiply(a, a, out=xp.empty_like(a))
            local *= 1.5 * _SQRT_2_OVER_PI * _CUBIC
            local += 0.5 * _SQRT_2_OVER_PI
            local *= a  # 0.5 x du/dx
            local *= 1 - tanh * tanh
            local += 0.5
            local += 0.5 * tanh
            local *= grad
            return local
        # d/dx x Phi(x) = Phi(x) + x phi(x)
        density = _INV_SQRT_2PI * xp.exp(-0.5 * a * a)
        return grad * (self.cdf + a * density)
