"""Weight initialisers (PyTorch's `torch.nn.init`): each fills a tensor in place, outside the graph,
keeping its dtype, drawing from `generator` or wright's seeded default one, and returns it."""

from __future__ import annotations

import functools
import math
import numbers
import warnings

import numpy as np

from wright import backend, dtypes
from wright.autograd import no_grad
from wright.backend import array_module
from wright.tensor import Tensor

_GAINS = {
    "linear": 1.0,
    "identity": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3.0,
    "relu": math.sqrt(2.0),
    # SELU's own gain keeps the self-normalising fixed point in its linear regime.
    "selu": 3.0 / 4.0,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended scale of initial weights for an activation (PyTorch's table).

    Args:
        nonlinearity: 'linear', 'conv1d'/'conv2d'/'conv3d', 'conv_transpose1d'/'2d'/'3d',
            'sigmoid', 'tanh', 'relu', 'leaky_relu' or 'selu'.
        param: the negative slope for 'leaky_relu' (default 0.01).
    """
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in _GAINS:
        raise ValueError(
            f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; choose from "
            f"{sorted([*_GAINS, 'leaky_relu'])}"
        )
    return _GAINS[nonlinearity]


def fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """Inputs and outputs feeding one weight: (in * kernel size, out * kernel size) for
    (out, in, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in/out needs a weight with at least 2 dimensions, got shape {tuple(tensor.shape)}"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


# PyTorch's (private, but widely used) spelling.
_calculate_fan_in_and_fan_out = fan_in_and_fan_out


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """fan_in or fan_out of a weight, as `mode` says."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} is not supported; use 'fan_in' or 'fan_out'")
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def parameter_dtype(device, dtype) -> np.dtype:
    """The NumPy dtype of a new layer's parameters: `dtype`, or the default float dtype (the
    `device` is checked to exist)."""
    backend.resolve_device(device)
    return dtypes.to_numpy_dtype(dtype or dtypes.default_float_numpy())


def _fill(tensor: Tensor, values) -> Tensor:
    # Initialisers change weights outside the graph, as optimizers do.
    with no_grad():
        return tensor.copy_(values)


def _draw(name: str, tensor: Tensor, generator, draw) -> Tensor:
    if tensor.array.dtype.kind != "f":
        raise NotImplementedError(f"{name}: not implemented for {tensor.dtype} tensors")
    # Draws come from the generator of the tensor's device, as in PyTorch.
    return _fill(tensor, draw(backend.rng(generator, tensor.device)))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with draws from U(a, b)."""
    if a > b:
        raise RuntimeError(f"uniform_: a range [a, b) needs a <= b, got a={a} > b={b}")
    return _draw("uniform_", tensor, generator, lambda rng: rng.uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with draws from N(mean, std^2)."""
    if std < 0:
        raise RuntimeError(f"normal_: std must be at least 0, got {std}")
    return _draw(
        "normal_", tensor, generator, lambda rng: backend.normal(rng, mean, std, tensor.shape)
    )


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator=None,
) -> Tensor:
    """Fill with draws from N(mean, std^2) restricted to [a, b] (bounds in the tensor's units, not
    in standard deviations)."""
    if a > b:
        raise RuntimeError(f"trunc_normal_: the interval [a, b] needs a <= b, got a={a} > b={b}")
    if std < 0:
        raise RuntimeError(f"trunc_normal_: std must be at least 0, got {std}")
    if std == 0:
        return constant_(tensor, min(max(mean, a), b))
    low, high = (a - mean) / std, (b - mean) / std

    def draw(rng):
        return mean + std * _standard_truncated_normal(rng, low, high, tensor.array.size)

    return _draw("trunc_normal_", tensor, generator, lambda rng: draw(rng).reshape(tensor.shape))


def _standard_truncated_normal(rng, low: float, high: float, count: int):
    """`count` draws from N(0, 1) restricted to [low, high], by rejection from a proposal chosen
    so that at least about a fifth of the candidates are kept, however far into a tail the
    interval lies."""
    if high <= 0:  # mirror an interval on the negative side
        return -_standard_truncated_normal(rng, -high, -low, count)
    if low <= 0 and high - low >= 1:
        # Wide around 0: plain normal draws (at least a third of them land inside).
        def propose(n):
            candidates = rng.standard_normal(n)
            return candidates, (candidates >= low) & (candidates <= high)
    elif low <= 0:
        # Narrow around 0: uniform candidates, kept with probability exp(-x^2 / 2) >= e^-1/2.
        def propose(n):
            candidates = rng.uniform(low, high, n)
            return candidates, rng.random(n) <= array_module(candidates).exp(-0.5 * candidates**2)
    else:
        rate = (low + math.sqrt(low * low + 4)) / 2  # the best exponential proposal's rate
        if (high - low) * rate < 1:
            # Narrow and in the tail: uniform candidates, relative to the density at `low`.
            def propose(n):
                candidates = rng.uniform(low, high, n)
                keep = rng.random(n) <= array_module(candidates).exp(
                    0.5 * (low * low - candidates**2)
                )
                return candidates, keep
        else:
            # Wide and in the tail: shifted exponential candidates (Robert's method).
            def propose(n):
                candidates = low + rng.exponential(1 / rate, n)
                keep = rng.random(n) <= array_module(candidates).exp(
                    -0.5 * (candidates - rate) ** 2
                )
                return candidates, keep & (candidates <= high)

    found, total = [], 0
    while total < count:
        candidates, keep = propose(max(2 * (count - total), 16))
        kept = candidates[keep][: count - total]
        found.append(kept)
        total += kept.size
    return array_module(*found).concatenate(found) if found else np.zeros(0)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with one value."""
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros."""
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones."""
    return _fill(tensor, 1)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a matrix with the identity (ones on the diagonal), keeping the identity of the
    inputs in a linear layer."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a (out, in, *kernel) convolution weight with the Dirac delta: each output channel
    copies one input channel (per group), so the convolution starts as the identity."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(
            f"dirac_: only 3-, 4- or 5-D tensors are supported, got shape {tuple(tensor.shape)}"
        )
    out_channels, in_channels, *kernel = tensor.shape
    if out_channels % groups:
        raise ValueError(f"dirac_: dim 0 ({out_channels}) must be divisible by groups ({groups})")
    per_group = out_channels // groups
    delta = np.zeros(tensor.shape)
    channel = np.arange(min(per_group, in_channels))
    centre = tuple(k // 2 for k in kernel)
    for group in range(groups):
        delta[(group * per_group + channel, channel, *centre)] = 1
    return _fill(tensor, delta)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)); keeps signal variance for
    sigmoid/tanh."""
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    """He's standard deviation gain / sqrt(fan), or None for a tensor without elements."""
    fan = _calculate_correct_fan(tensor, mode)
    if 0 in tensor.shape:
        warnings.warn("kaiming init: initialising a tensor without elements does nothing")
        return None
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """He: U(-b, b) with b = gain * sqrt(3 / fan), fan = fan_in or fan_out (`mode`) and the gain
    of `nonlinearity` (with negative slope `a` for leaky_relu); suited to ReLU layers."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """He: N(0, std^2) with std = gain / sqrt(fan) (arguments as for kaiming_uniform_)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times `gain`: the first dimension is the rows, the
    others flattened into columns; rows (or columns, whichever are fewer) are orthonormal."""
    if tensor.ndim < 2:
        raise ValueError(
            f"orthogonal_: tensors need at least 2 dimensions, got shape {tuple(tensor.shape)}"
        )
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    columns = tensor.numel() // rows

    def draw(rng):
        values = rng.standard_normal((rows, columns))
        tall = values if rows >= columns else values.T
        xp = array_module(values)
        q, r = xp.linalg.qr(tall)
        # Signs from R's diagonal make the result uniformly distributed over orthogonal matrices.
        q = q * xp.sign(xp.diag(r))
        return gain * (q if rows >= columns else q.T).reshape(tensor.shape)

    return _draw("orthogonal_", tensor, generator, draw)


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Fill a matrix from N(0, std^2), then zero ceil(sparsity * rows) random entries in each
    column."""
    if tensor.ndim != 2:
        raise ValueError(
            f"sparse_: only 2-D tensors are supported, got shape {tuple(tensor.shape)}"
        )
    rows, columns = tensor.shape
    zeros_per_column = math.ceil(sparsity * rows)

    def draw(rng):
        values = backend.normal(rng, 0.0, std, (rows, columns))
        # A random permutation of the rows per column; its first entries are zeroed.
        xp = array_module(values)
        order = xp.argsort(rng.random((rows, columns)), axis=0)
        xp.put_along_axis(values, order[:zeros_per_column], 0.0, axis=0)
        return values

    return _draw("sparse_", tensor, generator, draw)


def _deprecated(method):
    # PyTorch's old names without the trailing underscore still work, with a warning.
    @functools.wraps(method)
    def alias(*args, **kwargs):
        warnings.warn(
            f"nn.init.{method.__name__[:-1]} is deprecated in favour of nn.init.{method.__name__}",
            FutureWarning,
            stacklevel=2,
        )
        return method(*args, **kwargs)

    alias.__name__ = method.__name__[:-1]
    alias.__doc__ = f"Deprecated spelling of `{method.__name__}`."
    return alias


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
