"""Reductions: sum, mean, max and min (with their positions), variance, log-sum-exp and the
softmax family. Each takes PyTorch's `dim`/`keepdim` and NumPy's `axis`/`keepdims`."""

from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from wright.functions.pointwise import floating
from wright.ops import reduce as R
from wright.ops import shape as S
from wright.tensor import Tensor, _from_array, pick, tensor_method


def return_type(name: str) -> type:
    """A (values, indices) pair type, as PyTorch's `torch.return_types.max`."""
    return namedtuple(name, ["values", "indices"])


max_type, min_type = return_type("max"), return_type("min")


def dims(tensor: Tensor, dim) -> tuple[int, ...] | int | None:
    """`dim` checked against the tensor's rank and made non-negative (None for all)."""
    if dim is None or (isinstance(dim, tuple | list) and len(dim) == 0):
        return None
    many = isinstance(dim, tuple | list)
    ndim = builtins.max(tensor.ndim, 1)
    found = []
    for d in dim if many else (dim,):
        if not -ndim <= d < ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
                f"but got {d})"
            )
        found.append(d % ndim)
    if tensor.ndim == 0:
        return None
    return tuple(found) if many else found[0]


def _axes(x: Tensor, dim, axis, keepdim, keepdims):
    return dims(x, pick(axis, dim, "axis", "dim")), pick(
        keepdims, keepdim, "keepdims", "keepdim", False
    )


@tensor_method
def sum(
    input: Tensor,
    dim=None,
    keepdim=None,
    *,
    dtype=None,
    axis=None,
    keepdims=None,
) -> Tensor:
    """Sum over `dim` (all elements when not given); integers and bools sum as int64."""
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    if dtype is not None:
        input = input.to(dtype)
    elif input.array.dtype.kind in "biu":
        return _from_array(np.sum(input.array, axis=dim, keepdims=keepdim, dtype=np.int64))
    return R.Sum.apply(input, axis=dim, keepdims=keepdim)


@tensor_method
def mean(
    input: Tensor,
    dim=None,
    keepdim=None,
    *,
    dtype=None,
    axis=None,
    keepdims=None,
) -> Tensor:
    """Arithmetic mean over `dim` (all elements when not given)."""
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    if dtype is not None:
        input = input.to(dtype)
    if input.array.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype}"
        )
    return R.Mean.apply(input, axis=dim, keepdims=keepdim)


def _extreme(input: Tensor, dim, keepdim, axis, keepdims, smallest: bool, pair: type):
    if isinstance(dim, Tensor):  # max(input, other): the elementwise maximum
        return input.minimum(dim) if smallest else input.maximum(dim)
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    if dim is None:
        if input.array.size == 0:
            raise RuntimeError(
                f"{pair.__name__}(): Expected reduction dim to be specified for input.numel() == "
                "0. Specify the reduction dim with the 'dim' argument."
            )
        # The whole tensor: tied elements share the gradient equally, as in PyTorch.
        return R.Max.apply(input, axis=None, keepdims=False, smallest=smallest)
    if isinstance(dim, tuple):
        raise TypeError(f"{pair.__name__}(): dim must be one int; use amax/amin for several")
    find = np.argmin if smallest else np.argmax
    indices = find(input.array, axis=dim, keepdims=True)
    values = S.Gather.apply(input, axis=dim, index=indices)
    if not keepdim:
        values, indices = values.squeeze(dim), np.squeeze(indices, axis=dim)
    return pair(values, _from_array(indices))


@tensor_method
def max(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None):
    """The largest value; with `dim`, a (values, indices) pair along it; with a tensor, the
    elementwise maximum."""
    return _extreme(input, dim, keepdim, axis, keepdims, False, max_type)


@tensor_method
def min(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None):
    """The smallest value; with `dim`, a (values, indices) pair along it; with a tensor, the
    elementwise minimum."""
    return _extreme(input, dim, keepdim, axis, keepdims, True, min_type)


@tensor_method
def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """The largest values over one or several dims; ties share the gradient equally."""
    return R.Max.apply(input, axis=dims(input, dim), keepdims=keepdim, smallest=False)


@tensor_method
def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """The smallest values over one or several dims; ties share the gradient equally."""
    return R.Max.apply(input, axis=dims(input, dim), keepdims=keepdim, smallest=True)


def _positions(input: Tensor, dim, keepdim, axis, keepdims, find) -> Tensor:
    dim = dims(input, pick(axis, dim, "axis", "dim"))
    keepdim = pick(keepdims, keepdim, "keepdims", "keepdim", False)
    if dim is None:
        found = find(input.array)
        return _from_array(
            np.asarray(found, dtype=np.int64).reshape((1,) * input.ndim if keepdim else ())
        )
    return _from_array(find(input.array, axis=dim, keepdims=keepdim).astype(np.int64))


@tensor_method
def argmax(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """Index of the largest value along `dim` (in the flattened tensor when not given)."""
    return _positions(input, dim, keepdim, axis, keepdims, np.argmax)


@tensor_method
def argmin(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """Index of the smallest value along `dim` (in the flattened tensor when not given)."""
    return _positions(input, dim, keepdim, axis, keepdims, np.argmin)


def _correction(unbiased, correction, ddof) -> float:
    given = [v for v in (unbiased, correction, ddof) if v is not None]
    if len(given) > 1:
        raise TypeError("var/std: pass only one of unbiased, correction and ddof")
    if correction is not None:
        return correction
    if ddof is not None:
        return ddof
    return 1 if unbiased is None else int(bool(unbiased))


@tensor_method
def var(
    input: Tensor,
    dim=None,
    unbiased=None,
    keepdim=None,
    *,
    correction=None,
    axis=None,
    keepdims=None,
    ddof=None,
) -> Tensor:
    """Variance over `dim`, dividing by N - correction: PyTorch's default correction=1 is the
    unbiased estimate (`unbiased=False`, `correction=0` or NumPy's `ddof=0` divide by N)."""
    if isinstance(dim, bool):  # var(input, unbiased) in PyTorch's older signature
        dim, unbiased = None, dim
    correction = _correction(unbiased, correction, ddof)
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    input = floating(input)
    centred = input - input.mean(dim, keepdim=True)
    count = R._count(input.shape, dim)
    # No room for the correction gives inf or nan, as in PyTorch.
    return (centred * centred).sum(dim, keepdim=keepdim) / builtins.max(count - correction, 0)


@tensor_method
def std(input: Tensor, *args, **kwargs) -> Tensor:
    """Standard deviation: the square root of `var`, with the same arguments."""
    return input.var(*args, **kwargs).sqrt()


def var_mean(input: Tensor, *args, **kwargs) -> tuple[Tensor, Tensor]:
    """(var, mean) over the same dims."""
    variance = input.var(*args, **kwargs)
    dim = kwargs.get("dim", args[0] if args else None)
    keepdim = kwargs.get("keepdim", False)
    return variance, input.mean(dim, keepdim=keepdim)


def std_mean(input: Tensor, *args, **kwargs) -> tuple[Tensor, Tensor]:
    """(std, mean) over the same dims."""
    variance, average = var_mean(input, *args, **kwargs)
    return variance.sqrt(), average


@tensor_method
def logsumexp(input: Tensor, dim=None, keepdim=None, *, axis=None, keepdims=None) -> Tensor:
    """log(sum(exp(x))) over `dim`, computed without overflow."""
    dim, keepdim = _axes(input, dim, axis, keepdim, keepdims)
    return R.LogSumExp.apply(floating(input), axis=dim, keepdims=keepdim)


def _softmax_dim(input: Tensor, dim, axis) -> int:
    dim = pick(axis, dim, "axis", "dim")
    if dim is None:
        # PyTorch's implicit choice (deprecated there): 0 for 0-, 1- and 3-D input, else 1.
        dim = 0 if input.ndim in (0, 1, 3) else 1
    found = dims(input, dim)
    return 0 if found is None else found


@tensor_method
def softmax(input: Tensor, dim=None, dtype=None, *, axis=None) -> Tensor:
    """Exponentiate and normalise along `dim`: positive values summing to 1."""
    if dtype is not None:
        input = input.to(dtype)
    return R.Softmax.apply(floating(input), axis=_softmax_dim(input, dim, axis))


@tensor_method
def log_softmax(input: Tensor, dim=None, dtype=None, *, axis=None) -> Tensor:
    """log(softmax(x)) along `dim`, computed stably."""
    if dtype is not None:
        input = input.to(dtype)
    return R.LogSoftmax.apply(floating(input), axis=_softmax_dim(input, dim, axis))


__all__ = [
    "amax",
    "amin",
    "argmax",
    "argmin",
    "log_softmax",
    "logsumexp",
    "max",
    "mean",
    "min",
    "softmax",
    "std",
    "std_mean",
    "sum",
    "var",
    "var_mean",
]
