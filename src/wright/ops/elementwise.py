"""Elementwise ops: arithmetic with broadcasting, and the squashing functions (sigmoid, tanh,
ReLU)."""

import numpy as np

from wright.autograd import Function


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


class RoundedDiv(Function):
    """a / b rounded toward zero ('trunc') or down ('floor'); the gradient is zero almost
    everywhere."""

    def forward(self, a, b, mode):
        if a.dtype.kind in "iu" and mode == "floor":
            return np.floor_divide(a, b)
        if a.dtype.kind in "iu":
            # Integer division that rounds toward zero: the quotient of the magnitudes, signed.
            return np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b))
        with np.errstate(divide="ignore", invalid="ignore"):
            quotient = a / b
        return np.floor(quotient) if mode == "floor" else np.trunc(quotient)

    def backward(self, grad):
        zeros = np.zeros_like(grad)
        return zeros, zeros


class Remainder(Function):
    """a - floor(a / b) * b: Python's modulo, the result has the divisor's sign."""

    def forward(self, a, b):
        self.quotient = np.floor_divide(a, b) if self.needs_input_grad[1] else None
        return np.remainder(a, b)

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        return (grad if need_a else None), (-grad * self.quotient if need_b else None)


class PowScalar(Function):
    """a ** exponent for a constant (Python number) exponent."""

    def forward(self, a, exponent):
        self.a, self.exponent = a, exponent
        return a**exponent

    def backward(self, grad):
        if self.exponent == 0:
            return np.zeros_like(grad)
        return grad * self.exponent * self.a ** (self.exponent - 1)


class Pow(Function):
    """a ** b for two tensors; gradients flow to both."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = np.power(a, b)
        return self.out

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        a, b = self.a, self.b
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_a:
                # d/da a^b = b a^(b-1), taken as 0 where b == 0 (so 0 ** 0 has a finite slope)
                grad_a = grad * np.where(b == 0, 0, b * np.power(a, b - 1))
            if need_b:
                # d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0
                grad_b = grad * np.where((a == 0) & (b >= 0), 0, self.out * np.log(a))
        return grad_a, grad_b


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class Exp(Function):
    def forward(self, a):
        self.out = np.exp(a)
        return self.out

    def backward(self, grad):
        return grad * self.out


class Log(Function):
    def forward(self, a):
        self.a = a
        return np.log(a)

    def backward(self, grad):
        return grad / self.a


class Sqrt(Function):
    def forward(self, a):
        self.out = np.sqrt(a)
        return self.out

    def backward(self, grad):
        return grad / (2 * self.out)


class Abs(Function):
    def forward(self, a):
        self.a = a
        return np.abs(a)

    def backward(self, grad):
        return grad * np.sign(self.a)


class Tanh(Function):
    def forward(self, a):
        self.out = np.tanh(a)
        return self.out

    def backward(self, grad):
        # d/dx tanh x = 1 - tanh^2 x
        return grad * (1 - self.out * self.out)


def sigmoid_array(a):
    """The logistic function 1 / (1 + e^-a), written with tanh so large |a| cannot overflow."""
    out = np.tanh(a * 0.5)
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
        self.out = np.maximum(a, 0)
        return self.out

    def backward(self, grad):
        return grad * (self.out > 0)


class LeakyReLU(Function):
    def forward(self, a, slope):
        self.positive = a > 0
        self.slope = slope
        return np.where(self.positive, a, a * slope)

    def backward(self, grad):
        return np.where(self.positive, grad, grad * self.slope)


class Clip(Function):
    def forward(self, a, low, high):
        out = np.clip(a, low, high)
        self.inside = out == a
        return out

    def backward(self, grad):
        return grad * self.inside


class Maximum(Function):
    """Elementwise larger of a and b; at ties each gets half the gradient, as in PyTorch."""

    def forward(self, a, b):
        self.share_a = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0)).astype(a.dtype)
        return np.maximum(a, b)

    def backward(self, grad):
        need_a, need_b = self.needs_input_grad
        return (grad * self.share_a if need_a else None), (
            grad * (1 - self.share_a) if need_b else None
        )


class Minimum(Maximum):
    """Elementwise smaller of a and b; at ties each gets half the gradient."""

    def forward(self, a, b):
        self.share_a = np.where(a < b, 1.0, np.where(a == b, 0.5, 0.0)).astype(a.dtype)
        return np.minimum(a, b)


class Where(Function):
    def forward(self, a, b, condition):
        self.condition = condition
        return np.where(condition, a, b)

    def backward(self, grad):
        # np.where, not a product with the mask: a NaN or inf gradient must not leak into the
        # branch that was not chosen (NaN * 0 is NaN).
        need_a, need_b = self.needs_input_grad
        return (np.where(self.condition, grad, 0) if need_a else None), (
            np.where(self.condition, 0, grad) if need_b else None
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
