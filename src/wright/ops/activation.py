"""Activation ops: elementwise nonlinearities with PyTorch's gradients at their kinks (hardtanh's is
zero at the bounds, threshold's at the threshold, hardswish's one at +3 and zero at -3, ...)."""

from wright.autograd import Function
from wright.backend import array_module
from wright.ops.elementwise import sigmoid_array


def softplus_array(a):
    """log(1 + e^a), without overflow for large a."""
    xp = array_module(a)
    return xp.logaddexp(0, a).astype(a.dtype, copy=False)


class Hardtanh(Function):
    """Clamp to [low, high]; unlike clamp, the gradient is zero at the bounds themselves."""

    def forward(self, a, low, high):
        xp = array_module(a)
        self.inside = ~((a <= low) | (a >= high))
        if a.dtype.kind != "f":
            low, high = a.dtype.type(low), a.dtype.type(high)
        return xp.clip(a, low, high)

    def backward(self, grad):
        return grad * self.inside


class Threshold(Function):
    """x where x > threshold, else `value`; no gradient where the value replaced x."""

    def forward(self, a, threshold, value):
        xp = array_module(a)
        self.keep = ~(a <= threshold)
        return xp.where(self.keep, a, xp.asarray(value, dtype=a.dtype))

    def backward(self, grad):
        return grad * self.keep


class ELU(Function):
    """scale x for x > 0, scale alpha (e^(input_scale x) - 1) otherwise: ELU, SELU and CELU."""

    def forward(self, a, alpha, scale, input_scale):
        xp = array_module(a)
        self.negative = a <= 0
        self.scale, self.input_scale, self.alpha_scale = scale, input_scale, alpha * scale
        # Only the negative side needs the exponential; min(a, 0) keeps it from overflowing.
        self.curve = xp.expm1(xp.minimum(a, 0) * input_scale) * self.alpha_scale
        return xp.where(self.negative, self.curve, a * scale)

    def backward(self, grad):
        # d/dx scale alpha (e^(s x) - 1) = s (curve + scale alpha)
        xp = array_module(grad)
        negative_slope = (self.curve + self.alpha_scale) * self.input_scale
        return grad * xp.where(self.negative, negative_slope, self.scale)


class Softplus(Function):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold."""

    def forward(self, a, beta, threshold):
        xp = array_module(a)
        self.scaled, self.linear = a * beta, a * beta > threshold
        return xp.where(self.linear, a, softplus_array(self.scaled) / beta)

    def backward(self, grad):
        # d/dx softplus = sigmoid(beta x)
        xp = array_module(grad)
        return xp.where(self.linear, grad, grad * sigmoid_array(self.scaled))


class SiLU(Function):
    """x sigmoid(x) (also called swish)."""

    def forward(self, a):
        self.a, self.sigmoid = a, sigmoid_array(a)
        return a * self.sigmoid

    def backward(self, grad):
        s = self.sigmoid
        return grad * s * (1 + self.a * (1 - s))


class Mish(Function):
    """x tanh(softplus(x))."""

    def forward(self, a):
        xp = array_module(a)
        self.a, self.tanh = a, xp.tanh(softplus_array(a))
        return a * self.tanh

    def backward(self, grad):
        # d/dx = tanh(sp(x)) + x sigmoid(x) (1 - tanh^2(sp(x)))
        t = self.tanh
        return grad * (t + self.a * sigmoid_array(self.a) * (1 - t * t))


class LogSigmoid(Function):
    """log(sigmoid(x)) = -softplus(-x), finite for any x."""

    def forward(self, a):
        self.a = a
        return -softplus_array(-a)

    def backward(self, grad):
        # d/dx log sigmoid(x) = sigmoid(-x)
        return grad * sigmoid_array(-self.a)


class Hardswish(Function):
    """x relu6(x + 3) / 6."""

    def forward(self, a):
        xp = array_module(a)
        self.a = a
        return a * xp.clip(a + 3, 0, 6) / 6

    def backward(self, grad):
        xp = array_module(grad)
        a = self.a
        slope = xp.where(a <= -3, 0, xp.where(a < 3, a / 3 + 0.5, 1)).astype(a.dtype, copy=False)
        return grad * slope


class Hardsigmoid(Function):
    """relu6(x + 3) / 6, a piecewise linear sigmoid."""

    def forward(self, a):
        xp = array_module(a)
        self.inside = (a > -3) & (a < 3)
        return xp.clip(a + 3, 0, 6) / 6

    def backward(self, grad):
        return grad * self.inside / 6


class Shrink(Function):
    """Zero on [-lambd, lambd]; outside, x (hard) or x moved lambd towards zero (soft)."""

    def forward(self, a, lambd, soft):
        xp = array_module(a)
        self.outside = ~((a >= -lambd) & (a <= lambd))
        if not soft:
            return xp.where(self.outside, a, 0).astype(a.dtype, copy=False)
        return xp.where(self.outside, a - xp.sign(a) * lambd, 0).astype(a.dtype, copy=False)

    def backward(self, grad):
        return grad * self.outside
