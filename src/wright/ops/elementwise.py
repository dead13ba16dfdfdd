"""Elementwise ops: arithmetic with broadcasting, the squashing functions (sigmoid, tanh, ReLU),
trigonometric, hyperbolic, exponential and rounding functions, and the error function family."""

import math

import numpy as np

from wright import backend
from wright.autograd import Function
from wright.backend import array_module


def quietly(function, *arrays):
    """function(*arrays) without NumPy's warnings: NaN and infinities are valid results here, as
    in PyTorch (log of 0, arcsin outside [-1, 1], overflow)."""
    with np.errstate(all="ignore"):
        return function(*arrays)


class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        return (grad * self.b if need_a else None), (grad * self.a if need_b else None)


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        grad_a = grad / self.b if need_a else None
        # d(a/b)/db = -a / b^2
        grad_b = -grad * self.a / (self.b * self.b) if need_b else None
        return grad_a, grad_b


def check_integer_divisor(b) -> None:
    """Integer division by zero has no value: raise as PyTorch does (NumPy would give 0)."""
    xp = array_module(b)
    if b.dtype.kind in "iub" and not xp.all(b):
        raise RuntimeError("ZeroDivisionError: integer division or remainder by zero")


def check_remainder_operands(a, b, op: str) -> None:
    """Remainders exist for numbers, not for bools (PyTorch has no bool kernel)."""
    if a.dtype == np.bool_:
        raise NotImplementedError(f"{op}: not implemented for bool tensors")
    check_integer_divisor(b)


class RoundedDiv(Function):
    """a / b rounded toward zero ('trunc') or down ('floor'); the gradient is zero almost
    everywhere."""

    def forward(self, a, b, mode):
        xp = array_module(a)
        check_integer_divisor(b)
        if a.dtype.kind in "iu" and mode == "floor":
            return xp.floor_divide(a, b)
        if a.dtype.kind in "iu":
            # Integer division that rounds toward zero: the quotient of the magnitudes, signed.
            return xp.sign(a) * xp.sign(b) * (xp.abs(a) // xp.abs(b))
        with np.errstate(divide="ignore", invalid="ignore"):
            quotient = a / b
        return xp.floor(quotient) if mode == "floor" else xp.trunc(quotient)

    def backward(self, grad):
        xp = array_module(grad)
        zeros = xp.zeros_like(grad)
        return zeros, zeros


class Remainder(Function):
    """a - floor(a / b) * b: Python's modulo, the result has the divisor's sign."""

    def forward(self, a, b):
        xp = array_module(a)
        check_remainder_operands(a, b, "remainder")
        self.quotient = xp.floor_divide(a, b) if self.needs_input_grad[1] else None
        return xp.remainder(a, b)

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        return (grad if need_a else None), (-grad * self.quotient if need_b else None)


class PowScalar(Function):
    """a ** exponent for a constant (Python number) exponent."""

    def forward(self, a, exponent):
        self.a, self.exponent = a, exponent
        return a**exponent

    def backward(self, grad):
        xp = array_module(grad)
        if self.exponent == 0:
            return xp.zeros_like(grad)
        return grad * self.exponent * self.a ** (self.exponent - 1)


class Pow(Function):
    """a ** b for two tensors; gradients flow to both."""

    def forward(self, a, b):
        xp = array_module(a)
        self.a, self.b = a, b
        self.out = xp.power(a, b)
        return self.out

    def backward(self, grad):
        xp = array_module(grad)
        need_a, need_b = self.needs_input_grad
        a, b = self.a, self.b
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_a:
                # d/da a^b = b a^(b-1), taken as 0 where b == 0 (so 0 ** 0 has a finite slope)
                grad_a = grad * xp.where(b == 0, 0, b * xp.power(a, b - 1))
            if need_b:
                # d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0
                grad_b = grad * xp.where((a == 0) & (b >= 0), 0, self.out * xp.log(a))
        return grad_a, grad_b


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class Exp(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = quietly(xp.exp, a)
        return self.out

    def backward(self, grad):
        return grad * self.out


class Log(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.log, a)

    def backward(self, grad):
        xp = array_module(grad)
        return quietly(xp.divide, grad, self.a)


class Sqrt(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = quietly(xp.sqrt, a)
        return self.out

    def backward(self, grad):
        xp = array_module(grad)
        return quietly(xp.divide, grad, 2 * self.out)


class Abs(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return xp.abs(a)

    def backward(self, grad):
        xp = array_module(grad)
        return grad * xp.sign(self.a)


class Tanh(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = xp.tanh(a)
        return self.out

    def backward(self, grad):
        # d/dx tanh x = 1 - tanh^2 x
        return grad * (1 - self.out * self.out)


def sigmoid_array(a):
    """The logistic function 1 / (1 + e^-a), written with tanh so large |a| cannot overflow."""
    xp = array_module(a)
    out = xp.tanh(a * 0.5)
    out *= 0.5
    out += 0.5
    return out


class Sigmoid(Function):
    def forward(self, a):
        self.out = sigmoid_array(a)
        return self.out

    def backward(self, grad):
        # d/dx s(x) = s(x) (1 - s(x))
        return grad * self.out * (1 - self.out)


class ReLU(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = xp.maximum(a, 0)
        return self.out

    def backward(self, grad):
        return grad * (self.out > 0)


class LeakyReLU(Function):
    def forward(self, a, slope):
        xp = array_module(a)
        self.positive = a > 0
        self.slope = slope
        return xp.where(self.positive, a, a * slope)

    def backward(self, grad):
        xp = array_module(grad)
        return xp.where(self.positive, grad, grad * self.slope)


class Clip(Function):
    """a limited to [low, high] (numbers, either may be None); the gradient passes where
    low <= a <= high, so a value equal to a bound keeps it (PyTorch's subgradient)."""

    def forward(self, a, low, high):
        xp = array_module(a)
        self.inside = True
        if low is not None:
            self.inside = a >= low
        if high is not None:
            self.inside = self.inside & (a <= high)
        return xp.clip(a, low, high)

    def backward(self, grad):
        return grad * self.inside


class Maximum(Function):
    """Elementwise larger of a and b; at ties each gets half the gradient, as in PyTorch."""

    def forward(self, a, b):
        xp = array_module(a)
        self.share_a = xp.where(a > b, 1.0, xp.where(a == b, 0.5, 0.0)).astype(a.dtype)
        return xp.maximum(a, b)

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        return (grad * self.share_a if need_a else None), (
            grad * (1 - self.share_a) if need_b else None
        )


class Minimum(Maximum):
    """Elementwise smaller of a and b; at ties each gets half the gradient."""

    def forward(self, a, b):
        xp = array_module(a)
        self.share_a = xp.where(a < b, 1.0, xp.where(a == b, 0.5, 0.0)).astype(a.dtype)
        return xp.minimum(a, b)


class Fmax(Function):
    """Elementwise larger of a and b, ignoring NaN (NaN only where both are); the gradient goes
    whole to the chosen side, to a at ties (PyTorch's rule)."""

    def forward(self, a, b):
        xp = array_module(a)
        self.to_a = (a >= b) | xp.isnan(b) if a.dtype.kind == "f" else a >= b
        return xp.fmax(a, b)

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        return (grad * self.to_a if need_a else None), (grad * ~self.to_a if need_b else None)


class Fmin(Fmax):
    """Elementwise smaller of a and b, ignoring NaN; the gradient goes to a at ties."""

    def forward(self, a, b):
        xp = array_module(a)
        self.to_a = (a <= b) | xp.isnan(b) if a.dtype.kind == "f" else a <= b
        return xp.fmin(a, b)


class Where(Function):
    def forward(self, a, b, condition):
        xp = array_module(a)
        self.condition = condition
        return xp.where(condition, a, b)

    def backward(self, grad):
        # xp.where, not a product with the mask: a NaN or inf gradient must not leak into the
        # branch that was not chosen (NaN * 0 is NaN).
        xp = array_module(grad)
        need_a, need_b = self.needs_input_grad
        return (xp.where(self.condition, grad, 0) if need_a else None), (
            xp.where(self.condition, 0, grad) if need_b else None
        )


class Clone(Function):
    def forward(self, a):
        return a.copy()

    def backward(self, grad):
        return grad


class Cast(Function):
    def forward(self, a, dtype):
        self.dtype = a.dtype
        return a.astype(dtype)

    def backward(self, grad):
        return grad.astype(self.dtype)


class ToDevice(Function):
    """The same values on another device; the gradient goes back to the input's device."""

    def forward(self, a, device):
        self.source = backend.device_of(a)
        return backend.to_device(a, device)

    def backward(self, grad):
        return backend.to_device(grad, self.source)


def _float_work(a):
    # A flat array to compute on (so 0-d inputs stay arrays); float16 is computed in float32,
    # which the rational functions need for their range.
    return a.reshape(-1).astype(np.float32 if a.dtype == np.float16 else a.dtype, copy=False)


# ----- trigonometric and hyperbolic functions -----


class Sin(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return xp.sin(a)

    def backward(self, grad):
        xp = array_module(grad)
        return grad * xp.cos(self.a)


class Cos(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return xp.cos(a)

    def backward(self, grad):
        xp = array_module(grad)
        return -grad * xp.sin(self.a)


class Tan(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = quietly(xp.tan, a)
        return self.out

    def backward(self, grad):
        # d/dx tan x = 1 + tan^2 x
        return grad * (1 + self.out * self.out)


class Asin(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.arcsin, a)

    def backward(self, grad):
        xp = array_module(grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / xp.sqrt(1 - self.a * self.a)


class Acos(Asin):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.arccos, a)

    def backward(self, grad):
        return -super().backward(grad)


class Atan(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return xp.arctan(a)

    def backward(self, grad):
        return grad / (1 + self.a * self.a)


class Atan2(Function):
    """The angle of the point (b, a): arctan(a / b) in the right quadrant."""

    def forward(self, a, b):
        xp = array_module(a)
        self.a, self.b = a, b
        return xp.arctan2(a, b)

    def backward(self, grad):
        # d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2); PyTorch takes both as 0 at the origin.
        xp = array_module(grad)
        need_a, need_b = self.needs_input_grad
        squared = self.a * self.a + self.b * self.b
        origin = squared == 0
        scale = xp.where(origin, 0, grad / xp.where(origin, 1, squared))
        return (scale * self.b if need_a else None), (-scale * self.a if need_b else None)


class Sinh(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.sinh, a)

    def backward(self, grad):
        xp = array_module(grad)
        return grad * xp.cosh(self.a)


class Cosh(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.cosh, a)

    def backward(self, grad):
        xp = array_module(grad)
        return grad * xp.sinh(self.a)


class Asinh(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return xp.arcsinh(a)

    def backward(self, grad):
        xp = array_module(grad)
        return grad / xp.sqrt(self.a * self.a + 1)


class Acosh(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.arccosh, a)

    def backward(self, grad):
        xp = array_module(grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / xp.sqrt(self.a * self.a - 1)


class Atanh(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.arctanh, a)

    def backward(self, grad):
        with np.errstate(divide="ignore"):
            return grad / (1 - self.a * self.a)


class Sinc(Function):
    """sin(pi a) / (pi a), and 1 at 0."""

    def forward(self, a):
        xp = array_module(a)
        self.a = a
        with np.errstate(all="ignore"):
            scaled = np.pi * a
            return xp.where(a == 0, 1, xp.sin(scaled) / scaled).astype(a.dtype, copy=False)

    def backward(self, grad):
        # d/dx sin(pi x) / (pi x) = (pi x cos(pi x) - sin(pi x)) / (pi x^2), and 0 at 0
        xp = array_module(grad)
        a = self.a
        with np.errstate(all="ignore"):
            scaled = np.pi * a
            slope = (scaled * xp.cos(scaled) - xp.sin(scaled)) / (scaled * a)
        return grad * xp.where(a == 0, 0, slope)


# ----- exponentials, logarithms and powers -----


class Exp2(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = quietly(xp.exp2, a)
        return self.out

    def backward(self, grad):
        return grad * self.out * math.log(2)


class Expm1(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = quietly(xp.expm1, a)
        return self.out

    def backward(self, grad):
        return grad * (self.out + 1)


class Log2(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.log2, a)

    def backward(self, grad):
        xp = array_module(grad)
        return quietly(xp.divide, grad, self.a * math.log(2))


class Log10(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.log10, a)

    def backward(self, grad):
        xp = array_module(grad)
        return quietly(xp.divide, grad, self.a * math.log(10))


class Log1p(Function):
    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return quietly(xp.log1p, a)

    def backward(self, grad):
        with np.errstate(divide="ignore"):
            return grad / (1 + self.a)


class Rsqrt(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = quietly(lambda x: 1 / xp.sqrt(x), a)
        return self.out

    def backward(self, grad):
        # d/dx x^(-1/2) = -x^(-3/2) / 2
        return grad * -0.5 * self.out * self.out * self.out


class Reciprocal(Function):
    def forward(self, a):
        xp = array_module(a)
        self.out = quietly(xp.reciprocal, a)
        return self.out

    def backward(self, grad):
        return -grad * self.out * self.out


class Logit(Function):
    """log(a / (1 - a)), with a first limited to [eps, 1 - eps] when eps is given."""

    def forward(self, a, eps):
        xp = array_module(a)
        self.a, self.eps = a, eps
        if eps is not None:
            a = xp.where(a < eps, eps, xp.where(a > 1 - eps, 1 - eps, a)).astype(a.dtype)
        return quietly(lambda x: xp.log(x / (1 - x)), a)

    def backward(self, grad):
        # d/dx logit x = 1 / (x (1 - x)); zero where eps limited x, NaN outside [0, 1] without eps
        xp = array_module(grad)
        a = self.a
        slope = quietly(xp.divide, grad, a * (1 - a))
        if self.eps is None:
            return xp.where((a < 0) | (a > 1), np.nan, slope)
        return xp.where((a < self.eps) | (a > 1 - self.eps), 0, slope)


class LogAddExp(Function):
    """log(e^a + e^b), without overflow for large a or b."""

    combine, power = "logaddexp", "exp"

    def forward(self, a, b):
        with np.errstate(invalid="ignore"):
            self.difference = b - a
        return getattr(array_module(a), self.combine)(a, b)

    def backward(self, grad):
        # d/da = e^a / (e^a + e^b) = 1 / (1 + e^(b - a)), and symmetrically for b
        need_a, need_b = self.needs_input_grad
        power = getattr(array_module(grad), self.power)
        with np.errstate(over="ignore"):
            return (
                grad / (1 + power(self.difference)) if need_a else None,
                grad / (1 + power(-self.difference)) if need_b else None,
            )


class LogAddExp2(LogAddExp):
    """log2(2^a + 2^b)."""

    combine, power = "logaddexp2", "exp2"


class Hypot(Function):
    """sqrt(a^2 + b^2), without overflow for large a or b."""

    def forward(self, a, b):
        xp = array_module(a)
        self.a, self.b = a, b
        self.out = xp.hypot(a, b)
        return self.out

    def backward(self, grad):
        # d/da = a / hypot(a, b): NaN at the origin, as in PyTorch
        need_a, need_b = self.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = grad / self.out
            return (scale * self.a if need_a else None), (scale * self.b if need_b else None)


def xlogy_array(x, y):
    """x * log(y), taken as 0 where x is 0 (unless y is NaN), as PyTorch's xlogy."""
    xp = array_module(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return xp.where((x == 0) & ~xp.isnan(y), 0, x * xp.log(y))


class Xlogy(Function):
    def forward(self, x, y):
        self.x, self.y = x, y
        return xlogy_array(x, y)

    def backward(self, grad):
        # d/dx = log y (0 where x == 0 and y <= 0, where the value is fixed at 0); d/dy = x / y
        xp = array_module(grad)
        need_x, need_y = self.needs_input_grad
        x, y = self.x, self.y
        grad_x = grad_y = None
        if need_x:
            grad_x = xp.where((x == 0) & (y <= 0), 0, xlogy_array(grad, y))
        if need_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_y = grad * x / y
        return grad_x, grad_y


# ----- signs, rounding and remainders -----


class Constant(Function):
    """Base of piecewise-constant functions (rounding, sign): the gradient is zero everywhere,
    the jumps included, as in PyTorch."""

    def backward(self, grad):
        xp = array_module(grad)
        return xp.zeros_like(grad)


class Floor(Constant):
    def forward(self, a):
        xp = array_module(a)
        return xp.floor(a)


class Ceil(Constant):
    def forward(self, a):
        xp = array_module(a)
        return xp.ceil(a)


class Trunc(Constant):
    def forward(self, a):
        xp = array_module(a)
        return xp.trunc(a)


class Round(Constant):
    """Round half to even, to `decimals` decimal places (negative: to tens, hundreds, ...)."""

    def forward(self, a, decimals):
        xp = array_module(a)
        if decimals == 0:
            return xp.rint(a)
        # Scale by a power of ten, round to an integer, scale back (dividing by the exact power
        # rather than multiplying by its inexact inverse). float16 is scaled in float32.
        x = _float_work(a)
        scale = 10.0 ** abs(decimals)
        out = xp.rint(x * scale) / scale if decimals > 0 else xp.rint(x / scale) * scale
        return out.reshape(a.shape).astype(a.dtype, copy=False)


class Sign(Constant):
    """-1, 0 or 1; NaN gives 0 and -0.0 gives 0.0, as in PyTorch."""

    def forward(self, a):
        out = (a > 0).astype(a.dtype)
        out -= a < 0
        return out


class Copysign(Function):
    """|a| with the sign of b; the gradient flows only to a."""

    def forward(self, a, b):
        xp = array_module(a)
        self.a = a
        self.out = xp.copysign(a, b)
        return self.out

    def backward(self, grad):
        xp = array_module(grad)
        need_a, need_b = self.needs_input_grad
        grad_a = None
        if need_a:
            # +1 where the sign was kept, -1 where it flipped, and 0 at a == 0 (PyTorch's choice)
            with np.errstate(invalid="ignore"):
                grad_a = grad * xp.where(self.a == 0, 0, self.out / self.a)
        return grad_a, (xp.zeros_like(grad) if need_b else None)


class Fmod(Remainder):
    """C's fmod: a - trunc(a / b) * b, the result has the dividend's sign."""

    def forward(self, a, b):
        xp = array_module(a)
        check_remainder_operands(a, b, "fmod")
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                self.quotient = xp.trunc(a / b)
        return xp.fmod(a, b)


class Lerp(Function):
    """start + weight * (end - start), computed from the nearer end for accuracy."""

    def forward(self, start, end, weight):
        xp = array_module(start)
        self.start, self.end, self.weight = start, end, weight
        difference = end - start
        return xp.where(
            xp.abs(weight) < 0.5, start + weight * difference, end - difference * (1 - weight)
        )

    def backward(self, grad):
        need_start, need_end, need_weight = self.needs_input_grad
        return (
            grad * (1 - self.weight) if need_start else None,
            grad * self.weight if need_end else None,
            grad * (self.end - self.start) if need_weight else None,
        )


class ClampTensor(Function):
    """a limited by tensor bounds: max(a, low), min(a, high), or min(max(a, low), high).

    Gradients follow PyTorch's subgradient: a keeps it where low <= a <= high, low gets it where
    a < low < high, and high where a > high or where low > high (then the result is high).
    """

    def forward(self, a, *bounds, has_low, has_high):
        xp = array_module(a)
        low = bounds[0] if has_low else None
        high = bounds[-1] if has_high else None
        out = a
        self.to_a = self.to_low = self.to_high = True
        if low is not None:
            out = xp.maximum(out, low)
            self.to_a = a >= low
            self.to_low = a < low
        if high is not None:
            out = xp.minimum(out, high)
            self.to_a = self.to_a & (a <= high)
            self.to_high = a > high
        if low is not None and high is not None:
            self.to_low = self.to_low & (low < high)
            self.to_high = self.to_high | (high < low)
        self.has_low, self.has_high = has_low, has_high
        return out

    def backward(self, grad):
        grads = [grad * self.to_a if self.needs_input_grad[0] else None]
        masks = ([self.to_low] if self.has_low else []) + ([self.to_high] if self.has_high else [])
        for need, mask in zip(self.needs_input_grad[1:], masks):
            grads.append(grad * mask if need else None)
        return tuple(grads)


class NanToNum(Function):
    """NaN, +inf and -inf replaced by given numbers; the gradient passes at finite values only."""

    def forward(self, a, nan, posinf, neginf):
        xp = array_module(a)
        self.finite = xp.isfinite(a)
        with np.errstate(over="ignore"):
            return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, grad):
        return grad * self.finite


class Heaviside(Function):
    """The step function: 0 for a < 0, 1 for a > 0, and `values` where a == 0."""

    def forward(self, a, values):
        xp = array_module(a)
        return xp.where(a == 0, values, a > 0).astype(a.dtype)

    def backward(self, grad):
        raise RuntimeError("heaviside: the derivative is not implemented (as in PyTorch)")


# ----- the error function family -----

# W. J. Cody, "Rational Chebyshev approximations for the error function", Mathematics of
# Computation 23 (1969): coefficients (highest power first) of erf(x) / x in x^2 for
# |x| <= 0.46875, of erfc(x) e^(x^2) in x on [0.46875, 4], and of the asymptotic series
# remainder in 1/x^2 beyond 4. Together they reach float64 round-off.
_ERF_P = (
    1.85777706184603153e-1,
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
)
_ERF_Q = (
    1.0,
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
_ERFC_P = (
    2.15311535474403846e-8,
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
)
_ERFC_Q = (
    1.0,
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_TAIL_P = (
    1.63153871373020978e-2,
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
)
_TAIL_Q = (
    1.0,
    2.56852019228982242e00,
    1.87295284992346725e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_NEAR_ZERO = 0.46875
_TAIL_START = 4.0
# erfc underflows to zero (in float64 too) well before this
_UNDERFLOW = 30.0
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _horner(t, coefficients):
    out = t * coefficients[0]
    out += coefficients[1]
    for coefficient in coefficients[2:]:
        out *= t
        out += coefficient
    return out


def _rational(t, numerator, denominator):
    out = _horner(t, numerator)
    out /= _horner(t, denominator)
    return out


def _erf_near_zero(x):
    return x * _rational(x * x, _ERF_P, _ERF_Q)


def _erfc_positive(y, relative: bool = True):
    # erfc(y) for y >= _NEAR_ZERO (y may be NaN). relative=False gives up accuracy relative to
    # tiny values, keeping it relative to 1, which is all that erf = 1 - erfc needs.
    xp = array_module(y)
    y = xp.clip(y, _NEAR_ZERO, _UNDERFLOW)
    scaled = _rational(y, _ERFC_P, _ERFC_Q)  # erfc(y) e^(y^2)
    tail = y > _TAIL_START
    if tail.any():
        y_tail = y[tail]
        t = 1 / (y_tail * y_tail)
        scaled[tail] = (1 / math.sqrt(math.pi) - t * _rational(t, _TAIL_P, _TAIL_Q)) / y_tail
    if not relative:
        scaled *= xp.exp(-y * y)
        return scaled
    # e^(-y^2) as e^(-s^2) e^(-(y - s)(y + s)) with s = y cut to a multiple of 1/16: s^2 is exact,
    # so the rounding error of y^2 is not magnified by the exponential.
    s = xp.trunc(y * 16)
    s /= 16
    rest = y - s
    rest *= y + s
    s *= s
    scaled *= xp.exp(-s)
    scaled *= xp.exp(-rest)
    return scaled


def erf_array(a):
    """The error function 2/sqrt(pi) * integral_0^a e^(-t^2) dt, elementwise, to round-off."""
    xp = array_module(a)
    x = _float_work(a)
    with np.errstate(all="ignore"):
        y = xp.abs(x)
        far = _erfc_positive(y, relative=False)
        xp.subtract(1, far, out=far)
        xp.copysign(far, x, out=far)
        out = xp.where(y <= _NEAR_ZERO, _erf_near_zero(x), far)
    return out.reshape(a.shape).astype(a.dtype, copy=False)


def erfc_array(a):
    """The complementary error function 1 - erf(a), accurate also where it is tiny."""
    xp = array_module(a)
    x = _float_work(a)
    with np.errstate(all="ignore"):
        y = xp.abs(x)
        far = _erfc_positive(y)
        far = xp.where(x < 0, 2 - far, far)
        out = xp.where(y <= _NEAR_ZERO, 1 - _erf_near_zero(x), far)
    return out.reshape(a.shape).astype(a.dtype, copy=False)


def erfinv_array(a):
    """The inverse error function on [-1, 1] (+-inf at +-1, NaN outside), computed in float64."""
    xp = array_module(a)
    x = a.astype(np.float64).reshape(-1)
    with np.errstate(all="ignore"):
        size = xp.abs(x)
        # Start from Winitzki's closed-form approximation (relative error below 2%) ...
        log_term = xp.log((1 - size) * (1 + size))
        first = 2 / (math.pi * 0.147) + log_term / 2
        y = xp.sqrt(xp.sqrt(first * first - log_term / 0.147) - first)
        # ... and polish with Halley's method on erf(y) = size, which triples the correct digits
        # per step. Near 1, solve erfc(y) = 1 - size instead: 1 - size is exact there.
        upper = size > 0.5
        for _ in range(3):
            error = xp.empty_like(y)
            error[~upper] = erf_array(y[~upper]) - size[~upper]
            error[upper] = (1 - size[upper]) - erfc_array(y[upper])
            step = error / (_TWO_OVER_SQRT_PI * xp.exp(-y * y))
            y -= step / (1 + y * step)
        y[size == 1] = np.inf
    return xp.copysign(y, x).reshape(a.shape).astype(a.dtype, copy=False)


class Erf(Function):
    def forward(self, a):
        self.a = a
        return erf_array(a)

    def backward(self, grad):
        # d/dx erf x = 2/sqrt(pi) e^(-x^2)
        xp = array_module(grad)
        return grad * _TWO_OVER_SQRT_PI * xp.exp(-self.a * self.a)


class Erfc(Erf):
    def forward(self, a):
        self.a = a
        return erfc_array(a)

    def backward(self, grad):
        return -super().backward(grad)


class Erfinv(Function):
    def forward(self, a):
        self.out = erfinv_array(a)
        return self.out

    def backward(self, grad):
        # d/dx erfinv x = sqrt(pi)/2 e^(erfinv(x)^2)
        xp = array_module(grad)
        with np.errstate(over="ignore"):
            return grad / _TWO_OVER_SQRT_PI * xp.exp(self.out * self.out)
