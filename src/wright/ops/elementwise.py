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


class Pow(Function):
    """a ** exponent for a constant exponent."""

    def forward(self, a, exponent):
        self.a, self.exponent = a, exponent
        return a**exponent

    def backward(self, grad):
        return grad * self.exponent * self.a ** (self.exponent - 1)


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
    """Elementwise larger of a and b; at ties the gradient goes to a."""

    def forward(self, a, b):
        self.a_wins = a >= b
        return np.maximum(a, b)

    def backward(self, grad):
        return grad * self.a_wins, grad * ~self.a_wins


class Minimum(Function):
    """Elementwise smaller of a and b; at ties the gradient goes to a."""

    def forward(self, a, b):
        self.a_wins = a <= b
        return np.minimum(a, b)

    def backward(self, grad):
        return grad * self.a_wins, grad * ~self.a_wins


class Where(Function):
    def forward(self, a, b, condition):
        self.condition = condition
        return np.where(condition, a, b)

    def backward(self, grad):
        return grad * self.condition, grad * ~self.condition


class Cast(Function):
    def forward(self, a, dtype):
        self.dtype = a.dtype
        return a.astype(dtype)

    def backward(self, grad):
        return grad.astype(self.dtype)
