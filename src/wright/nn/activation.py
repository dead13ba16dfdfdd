"""Activation layers: the nonlinear functions applied to each neuron's weighted sum.

Each is a thin module over its `wright.nn.functional` form, with PyTorch's constructor arguments
(`nn.ReLU(inplace=True)`, `nn.LeakyReLU(0.2)`) and repr.
"""

from __future__ import annotations

import warnings

from wright import backend, dtypes
from wright.creation import empty
from wright.nn import functional as F
from wright.nn.init import constant_
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


class Identity(Module):
    """Returns its input unchanged (a placeholder layer); any arguments are ignored."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Sigmoid(Module):
    """Logistic function 1 / (1 + e^-x): squashes any sum into (0, 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return input.sigmoid()


class Tanh(Module):
    """Hyperbolic tangent: squashes any sum into (-1, 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return input.tanh()


class _InplaceActivation(Module):
    """An activation with only PyTorch's `inplace` flag: store the result in the input itself."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


def _inplace_suffix(inplace: bool) -> str:
    return ", inplace=True" if inplace else ""


class ReLU(_InplaceActivation):
    """Rectified linear unit max(x, 0): passes positives, zeroes negatives.

    Args:
        inplace: overwrite the input with the result.

    Shape: input (*) -> output (*).
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, self.inplace)


class ReLU6(_InplaceActivation):
    """min(max(x, 0), 6).

    Args:
        inplace: overwrite the input with the result.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.relu6(input, self.inplace)


class SELU(_InplaceActivation):
    """Self-normalising ELU: scale * (x if x > 0 else alpha (e^x - 1)), alpha ~ 1.6733 and
    scale ~ 1.0507, which keep activations near mean 0, variance 1.

    Args:
        inplace: overwrite the input with the result.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)


class SiLU(_InplaceActivation):
    """x * sigmoid(x), also called swish.

    Args:
        inplace: overwrite the input with the result.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, self.inplace)


class Mish(_InplaceActivation):
    """x * tanh(softplus(x)).

    Args:
        inplace: overwrite the input with the result.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input, self.inplace)


class Hardswish(_InplaceActivation):
    """x * relu6(x + 3) / 6, a piecewise quadratic swish.

    Args:
        inplace: overwrite the input with the result.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch's repr leaves out the flag for this one


class Hardsigmoid(Hardswish):
    """relu6(x + 3) / 6, a piecewise linear sigmoid.

    Args:
        inplace: overwrite the input with the result.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input, self.inplace)


class LeakyReLU(Module):
    """x for positive x, negative_slope * x otherwise.

    Args:
        negative_slope: the slope on the negative side.
        inplace: overwrite the input with the result.
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + _inplace_suffix(self.inplace)


class ELU(Module):
    """Exponential linear unit: x for x > 0, alpha (e^x - 1) otherwise.

    Args:
        alpha: the value approached for very negative inputs is -alpha.
        inplace: overwrite the input with the result.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace_suffix(self.inplace)


class CELU(ELU):
    """Continuously differentiable ELU: max(0, x) + min(0, alpha (e^(x / alpha) - 1)).

    Args:
        alpha: the value approached for very negative inputs is -alpha.
        inplace: overwrite the input with the result.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)


class Hardtanh(Module):
    """Clamp to [min_val, max_val] (gradient 0 at and beyond the bounds).

    Args:
        min_val, max_val: the bounds.
        inplace: overwrite the input with the result.
        min_value, max_value: deprecated spellings of min_val and max_val.
    """

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ) -> None:
        super().__init__()
        for old, new, value in (
            ("min_value", "min_val", min_value),
            ("max_value", "max_val", max_value),
        ):
            if value is not None:
                warnings.warn(
                    f"Hardtanh: {old} is deprecated, use {new}", FutureWarning, stacklevel=2
                )
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise ValueError(
                f"Hardtanh: max_val ({self.max_val}) must be greater than min_val ({self.min_val})"
            )

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace_suffix(self.inplace)


class Threshold(Module):
    """x where x > threshold, `value` elsewhere.

    Args:
        threshold: the level to compare with.
        value: what replaces inputs at or below the threshold.
        inplace: overwrite the input with the result.
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + _inplace_suffix(self.inplace)


class RReLU(Module):
    """Randomised leaky ReLU: in training, each non-positive input gets its own slope from
    U(lower, upper); in evaluation, the slope (lower + upper) / 2.

    Args:
        lower, upper: the range of the random slopes.
        inplace: overwrite the input with the result.
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + _inplace_suffix(self.inplace)


class Softplus(Module):
    """Smooth ReLU log(1 + e^(beta x)) / beta, linear where beta x > threshold.

    Args:
        beta: sharpness of the bend.
        threshold: above it (in beta x) the layer returns x itself.
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softshrink(Module):
    """0 on [-lambd, lambd], elsewhere x moved lambd towards 0.

    Args:
        lambd: half-width of the zeroed band.
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Softshrink):
    """0 on [-lambd, lambd], x elsewhere.

    Args:
        lambd: half-width of the zeroed band.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)


class _Stateless(Module):
    """An activation without settings; arguments are accepted and ignored, as in PyTorch."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()


class LogSigmoid(_Stateless):
    """log(sigmoid(x)), finite for any x."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softsign(_Stateless):
    """x / (1 + |x|)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Tanhshrink(_Stateless):
    """x - tanh(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class Softmax2d(_Stateless):
    """Softmax over the channels (dim -3) of each position of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected 3-D or 4-D input, got {input.ndim}-D")
        return input.softmax(-3)


class GLU(Module):
    """Gated linear unit: halves a and b of `dim`, a * sigmoid(b).

    Args:
        dim: the dimension to split in two (its size must be even).

    Shape: input (*, 2M, *) -> output (*, M, *).
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(Module):
    """Turns scores into probabilities along `dim`: exponentiate, then divide by the total.

    Args:
        dim: the dimension that sums to 1. None uses PyTorch's deprecated implicit choice (0 for
            0-, 1- and 3-D input, else 1) with a warning.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along `dim`, computed stably; pair it with NLLLoss.

    Args:
        dim: as for Softmax.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmin(Softmax):
    """softmax(-x) along `dim`: the smallest inputs get the largest probabilities.

    Args:
        dim: as for Softmax.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim, _stacklevel=5)


class PReLU(Module):
    """Leaky ReLU with a learned slope: x for x > 0, a * x otherwise, one slope `a` shared or one
    per channel (dim 1).

    Args:
        num_parameters: 1, or the number of channels.
        init: the slopes' starting value.

    Shape: input (*) with channels at dim 1 -> output (*).
    """

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None
    ) -> None:
        super().__init__()
        backend.resolve_device(device)
        self.num_parameters, self.init = num_parameters, init
        dtype = dtypes.to_numpy_dtype(dtype or dtypes.default_float_numpy())
        self.weight = Parameter(empty(num_parameters, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope to `init`."""
        constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
