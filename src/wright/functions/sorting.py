"""Sorting and selection (sort, topk, kthvalue, median, mode, quantile), unique values, and counting
into bins (bincount, histc, searchsorted, bucketize).

Orders are stable: equal elements keep their original order (first occurrence first, also when
descending), and NaN counts as larger than every number. Where PyTorch's CPU kernels pick among
tied elements in an unspecified way (topk, kthvalue, and sort with stable=False or mode along
more than 16 elements), wright's choice follows from that stable order; the values are the same.
"""

from __future__ import annotations

import math

import numpy as np

from wright import backend, return_types
from wright.backend import array_module
from wright.functions.reduction import as_line, dims, select_along
from wright.ops import reduce as R
from wright.ops import scan as C
from wright.ops import shape as S
from wright.tensor import Tensor, _from_array, pick, tensor_method, where


def _order(array: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Positions that sort `array` along `axis`, stably, NaN last (first when descending)."""
    xp = array_module(array)
    if not descending:
        return xp.argsort(array, axis=axis, kind="stable")
    # Sorting the reversed array and reversing the result keeps equal elements in their original
    # order, which negating the values would not do (and cannot do for unsigned or bool).
    reversed_order = xp.argsort(xp.flip(array, axis), axis=axis, kind="stable")
    return array.shape[axis] - 1 - xp.flip(reversed_order, axis)


@tensor_method
def sort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False, axis=None
):
    """The values along `dim` in order and where they came from, a (values, indices) pair.

    The sort is always stable (ties keep their order), whatever `stable` says; NaN sorts as the
    largest value. The gradient goes back to each value's original position.
    """
    x, dim, restore = as_line(input, pick(axis, dim, "axis", "dim"), "sort")
    order = _order(x.array, dim, descending)
    values = S.Gather.apply(x, axis=dim, index=order)
    return return_types.sort(restore(values), restore(_from_array(order.astype(np.int64))))


@tensor_method
def argsort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False, axis=None
) -> Tensor:
    """The positions that sort the values along `dim` (stably), as int64."""
    x, dim, restore = as_line(input, pick(axis, dim, "axis", "dim"), "argsort")
    return restore(_from_array(_order(x.array, dim, descending).astype(np.int64)))


@tensor_method
def msort(input: Tensor) -> Tensor:
    """The values sorted along the first dim."""
    return sort(input, 0).values


@tensor_method
def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, axis=None
):
    """The k largest (or smallest) values along `dim` and their indices, a (values, indices) pair,
    in order (also when `sorted=False`); among equal values the earlier comes first."""
    xp = array_module(input.array)
    if input.array.dtype == bool:
        raise RuntimeError("topk(): bool tensors are not supported; convert to an integer dtype")
    x, dim, restore = as_line(input, pick(axis, dim, "axis", "dim"), "topk")
    size = x.shape[dim]
    if not 0 <= k <= size:
        raise RuntimeError(f"topk(): selected index k out of range: k={k} for a dim of size {size}")
    order = xp.take(_order(x.array, dim, largest), xp.arange(k), axis=dim)
    values = S.Gather.apply(x, axis=dim, index=order)
    return return_types.topk(restore(values), restore(_from_array(order.astype(np.int64))))


def _reject_bool(input: Tensor, name: str) -> None:
    if input.array.dtype == bool:
        raise NotImplementedError(f"{name}(): not implemented for bool tensors")


@tensor_method
def kthvalue(
    input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, axis=None, keepdims=None
):
    """The k-th smallest value along `dim` (k counts from 1) and its index, a (values, indices)
    pair."""
    xp = array_module(input.array)
    _reject_bool(input, "kthvalue")
    dim = pick(axis, dim, "axis", "dim")
    line = dims(input, dim)
    if not 1 <= k <= (input.shape[line] if input.ndim else 1):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    return select_along(
        input,
        dim,
        pick(keepdims, keepdim, "keepdims", "keepdim", False),
        return_types.kthvalue,
        lambda a, d: xp.take(_order(a, d, False), [k - 1], axis=d),
    )


def _nan_count(array: np.ndarray, axis=None, keepdims: bool = False):
    xp = array_module(array)
    if array.dtype.kind != "f":
        return 0
    return xp.sum(xp.isnan(array), axis=axis, keepdims=keepdims)


def _median(input: Tensor, dim, keepdim, axis, keepdims, ignore_nan: bool, pair: type):
    xp = array_module(input.array)
    _reject_bool(input, pair.__name__)
    dim = pick(axis, dim, "axis", "dim")
    if dim is None:
        # The whole tensor: the lower of the two middle values, or NaN when there is a NaN (for
        # nanmedian, when all are NaN). Elements equal to it share the gradient.
        flat = xp.sort(input.array.reshape(-1))
        nans = _nan_count(flat)
        if ignore_nan:
            count = flat.size - nans
            value = flat[(count - 1) // 2] if count else np.nan
        else:
            value = np.nan if nans or flat.size == 0 else flat[(flat.size - 1) // 2]
        if math.isnan(float(value)) and input.array.dtype.kind != "f":
            raise RuntimeError(f"{pair.__name__}(): an empty integer tensor has no median")
        return R.PickValue.apply(input, value=value)

    def choose(array, axis):
        xp = array_module(array)
        size, nans = array.shape[axis], _nan_count(array, axis, keepdims=True)
        if ignore_nan:
            position = xp.maximum((size - nans - 1) // 2, 0)
        else:
            # A line with NaN gives NaN, from its first NaN (NaNs sort last, in order).
            position = xp.where(nans > 0, size - nans, (size - 1) // 2)
        position = xp.broadcast_to(position, array.shape[:axis] + (1,) + array.shape[axis + 1 :])
        return xp.take_along_axis(_order(array, axis, False), position, axis=axis)

    keepdim = pick(keepdims, keepdim, "keepdims", "keepdim", False)
    return select_along(input, dim, keepdim, pair, choose)


@tensor_method
def median(input: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """The median: without `dim`, the lower of the two middle values of all elements (NaN if any
    is NaN); with `dim`, a (values, indices) pair along it."""
    return _median(input, dim, keepdim, axis, keepdims, False, return_types.median)


@tensor_method
def nanmedian(input: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """The median of the elements that are not NaN, as `median` (NaN where all are NaN)."""
    return _median(input, dim, keepdim, axis, keepdims, True, return_types.nanmedian)


def _mode_position(array: np.ndarray, axis: int) -> np.ndarray:
    """Where the most frequent value of each line along `axis` occurs last (the smallest of
    equally frequent values), with the axis kept as size 1."""
    xp = array_module(array)
    line = xp.moveaxis(array, axis, -1)
    order = xp.argsort(line, axis=-1, kind="stable")
    ordered = xp.take_along_axis(line, order, axis=-1)
    same = ordered[..., 1:] == ordered[..., :-1]
    if line.dtype.kind == "f":
        same |= xp.isnan(ordered[..., 1:]) & xp.isnan(ordered[..., :-1])
    # Runs of equal values in sorted order: each run's length, stored at its last element.
    edge = xp.ones(line.shape[:-1] + (1,), dtype=bool)
    starts = xp.concatenate([edge, ~same], axis=-1)
    ends = xp.concatenate([~same, edge], axis=-1)
    position = xp.arange(line.shape[-1])
    run_start = C.running("maximum", xp.where(starts, position, 0), -1)
    length = xp.where(ends, position - run_start + 1, 0)
    # argmax takes the first longest run, the smallest value; the run's last element in the
    # stable order is the value's last occurrence.
    best = xp.argmax(length, axis=-1, keepdims=True)
    return xp.moveaxis(xp.take_along_axis(order, best, axis=-1), -1, axis)


@tensor_method
def mode(input: Tensor, dim: int = -1, keepdim: bool = False, *, axis=None, keepdims=None):
    """The most frequent value along `dim` (the smallest of equally frequent ones) and the index
    of its last occurrence, a (values, indices) pair. NaNs count as one value."""
    dim = pick(axis, dim, "axis", "dim")
    keepdim = pick(keepdims, keepdim, "keepdims", "keepdim", False)
    return select_along(input, dim, keepdim, return_types.mode, _mode_position)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_q(input: Tensor, q, name: str) -> tuple[Tensor, bool]:
    """q as a 1-D tensor of the input's dtype, and whether it was a scalar."""
    xp = array_module(input.array)
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.array.dtype != input.array.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if bool(((q.array < 0) | (q.array > 1)).any()):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        return q.reshape(-1), q.ndim == 0
    if isinstance(q, bool) or not isinstance(q, int | float):
        raise TypeError(f"{name}(): q must be a float or a tensor, got {type(q).__name__}")
    if not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    return _from_array(xp.asarray([q], dtype=input.array.dtype)), True


def _quantile(input: Tensor, q, dim, keepdim, interpolation, ignore_nan: bool, name: str):
    xp = array_module(input.array)
    if input.array.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    q, scalar = _quantile_q(input, q, name)
    if input.array.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}"
        )
    axis = dims(input, dim)
    if axis is None:
        lines = input.reshape(-1)
        shape = (1,) * input.ndim if keepdim else ()
    else:
        # The reduced dim moves last; the others keep their order.
        lines = input.permute(*(d for d in range(input.ndim) if d != axis), axis)
        shape = tuple(
            1 if d == axis else n for d, n in enumerate(input.shape) if keepdim or d != axis
        )
    ordered = sort(lines, -1).values  # (..., n), NaN last
    size = lines.shape[-1]
    if ignore_nan:
        valid = size - _nan_count(ordered.array, -1, keepdims=True)
        ranks = q * _from_array((valid - 1).astype(input.array.dtype))  # (..., Q)
        masked = ranks.array < 0  # rows of NaN only: rank 0, which gives NaN
        ranks = where(masked, 0.0, ranks)
    else:
        masked = xp.isnan(ordered.array[..., -1:])  # rows with NaN take the last (NaN) value
        ranks = where(masked, float(size - 1), q * (size - 1))
    rank = ranks.array
    if interpolation == "lower":
        rank = xp.floor(rank)
    elif interpolation == "higher":
        rank = xp.ceil(rank)
    elif interpolation == "nearest":
        rank = xp.round(rank)  # half to even, as PyTorch
    below = rank.astype(np.int64)
    result = S.Gather.apply(ordered, axis=-1, index=below)
    if interpolation in ("linear", "midpoint"):
        above = S.Gather.apply(ordered, axis=-1, index=xp.ceil(rank).astype(np.int64))
        # The weight is a tensor, so that the gradient also reaches a q that requires grad.
        weight = ranks - _from_array(below.astype(rank.dtype)) if interpolation == "linear" else 0.5
        result = _lerp(result, above, weight, masked)
    result = result.permute(result.ndim - 1, *range(result.ndim - 1))  # (Q, ...)
    return result.reshape(shape if scalar else (q.shape[0], *shape))


def _lerp(start: Tensor, end: Tensor, weight, masked: np.ndarray) -> Tensor:
    """start + weight (end - start) as PyTorch's lerp computes it (from the nearer end, so
    infinities give what they give there); where `masked`, the weight gets no gradient."""
    # Masked rows have NaN at both ends: a zero gap keeps NaN out of the weight's gradient.
    with np.errstate(invalid="ignore"):  # inf - inf is NaN, as in PyTorch
        gap = where(masked, 0.0, end - start)
        from_start = start + weight * gap
        from_end = end - gap * (1 - weight)
    low = weight.array < 0.5 if isinstance(weight, Tensor) else np.asarray(weight < 0.5)
    return where(low, from_start, from_end)


@tensor_method
def quantile(
    input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    """The q-th quantiles along `dim` (of all elements when not given), interpolating between
    neighbouring sorted values ('linear', 'lower', 'higher', 'midpoint' or 'nearest'); NaN where
    a NaN is present. A 1-D q adds a leading dim of quantiles."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


@tensor_method
def nanquantile(
    input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    """`quantile` of the elements that are not NaN (NaN where all are)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


def _unique_result(values, inverse, counts, return_inverse: bool, return_counts: bool):
    found = [_from_array(values)]
    if return_inverse:
        found.append(_from_array(inverse.astype(np.int64, copy=False)))
    if return_counts:
        found.append(_from_array(counts.astype(np.int64, copy=False)))
    return found[0] if len(found) == 1 else tuple(found)


@tensor_method
def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
):
    """The distinct values in ascending order (always sorted), or with `dim` the distinct slices
    along it; optionally also the inverse (each element's position in the result) and the
    counts. Every NaN is distinct, as in PyTorch. Not differentiable."""
    # On the host, where the result's size becomes known; the results go back to the device.
    array = backend.to_numpy(input.array)
    if dim is None:
        found = np.unique(
            array.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False
        )
        found = (found[0], found[1].reshape(array.shape), found[2])
    else:
        found = np.unique(array, return_inverse=True, return_counts=True, axis=dims(input, dim))
        found = (found[0], found[1].reshape(-1), found[2])
    values, inverse, counts = (backend.array_like(f, input.array) for f in found)
    return _unique_result(values, inverse, counts, return_inverse, return_counts)


@tensor_method
def unique_consecutive(
    input: Tensor,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
):
    """One element (or, with `dim`, one slice) from each run of consecutive equal ones, with
    optionally the inverse and the run lengths. Not differentiable."""
    xp = array_module(input.array)
    array = input.array
    if dim is None:
        rows = array.reshape(-1, 1)
    else:
        axis = dims(input, dim)
        rows = xp.moveaxis(array, axis, 0).reshape(array.shape[axis], -1)
    starts = xp.ones(len(rows), dtype=bool)
    starts[1:] = xp.any(rows[1:] != rows[:-1], axis=1)
    first = xp.flatnonzero(starts)
    if dim is None:
        values, inverse = array.reshape(-1)[first], xp.cumsum(starts).reshape(array.shape) - 1
    else:
        values, inverse = xp.take(array, first, axis=axis), xp.cumsum(starts) - 1
    counts = xp.diff(xp.append(first, len(rows)))
    return _unique_result(values, inverse, counts, return_inverse, return_counts)


@tensor_method
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ..., max occurs in a 1-D tensor of non-negative integers
    (int64), or the sum of the `weights` at each value. Not differentiable."""
    xp = array_module(input.array)
    if input.array.dtype.kind not in "iu":
        raise NotImplementedError(f"bincount(): not implemented for {input.dtype} input")
    if input.ndim != 1 or bool((input.array < 0).any()):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _from_array(xp.bincount(input.array, minlength=minlength).astype(np.int64))
    if weights.ndim != 1 or weights.shape[0] != input.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    kept = weights.array.dtype if weights.array.dtype in (np.float32, np.float64) else np.float64
    return _from_array(xp.bincount(input.array, weights.array, minlength).astype(kept))


@tensor_method
def histc(input: Tensor, bins: int = 100, min=0, max=0) -> Tensor:
    """A histogram of all elements: `bins` equal-width bins between min and max (the data's own
    range when both are equal); elements outside, and NaN, are left out. Not differentiable."""
    xp = array_module(input.array)
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer):
        raise TypeError(f"histc(): argument 'bins' must be int, not {type(bins).__name__}")
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"histc(): not implemented for {input.dtype} input")
    if bins <= 0:
        raise RuntimeError(f"histc(): bins must be > 0, but got {bins}")
    values = input.array.reshape(-1)
    low, high = float(min), float(max)
    if low == high and values.size:
        low, high = float(values.min()), float(values.max())
    if low == high:
        low, high = low - 1, high + 1
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"histc(): range of [{low}, {high}] is not finite")
    if low > high:
        raise RuntimeError("histc(): max must be larger than min")
    # PyTorch bins in the input's own precision; so does this, to put edge values where it does.
    kind = values.dtype.type
    low, high = kind(low), kind(high)
    inside = values[(values >= low) & (values <= high)]
    position = ((inside - low) * kind(bins) / (high - low)).astype(np.int64)
    counts = xp.bincount(xp.minimum(position, bins - 1), minlength=bins)
    return _from_array(counts.astype(values.dtype))


def _sorted_positions(boundaries: np.ndarray, values: np.ndarray, right: bool) -> np.ndarray:
    """NumPy's searchsorted row by row for rows of sorted boundaries (..., N) and values (..., M).

    Both are merged and stably sorted together: each value's place in the merged order minus the
    values before it is the number of boundaries before it. Values go before equal boundaries
    (left) or after them (right).
    """
    xp = array_module(boundaries)
    count = values.shape[-1]
    merged = xp.concatenate([boundaries, values] if right else [values, boundaries], axis=-1)
    order = xp.argsort(merged, axis=-1, kind="stable")
    is_value = order >= boundaries.shape[-1] if right else order < count
    boundaries_before = xp.cumsum(~is_value, axis=-1)
    # Each row holds exactly `count` values: take them in merged order, with their own indices.
    shape = values.shape
    found = boundaries_before[is_value].reshape(shape)
    which = order[is_value].reshape(shape) - (boundaries.shape[-1] if right else 0)
    result = xp.empty(shape, dtype=np.int64)
    xp.put_along_axis(result, which, found, axis=-1)
    return result


def searchsorted(
    sorted_sequence: Tensor,
    input,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """For each value of `input`, the index where it would go into `sorted_sequence` (sorted
    along its last dim) to keep it sorted: before equal elements, or after them with
    `right=True` / `side='right'`. An N-D sequence is searched row by row with the matching rows
    of `input`."""
    xp = array_module(sorted_sequence.array)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of left "
                "while right was True"
            )
        right = side == "right"
    boundaries = sorted_sequence.array
    if boundaries.ndim == 0:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
            "dimension"
        )
    if sorter is not None:
        boundaries = xp.take_along_axis(boundaries, sorter.array, axis=-1)
    if isinstance(input, Tensor):
        values = backend.same_device((input.array, boundaries), "searchsorted")[0]
    else:
        values = backend.array_like(np.asarray(input), boundaries)
    if boundaries.ndim == 1:
        found = xp.searchsorted(boundaries, values, side="right" if right else "left")
    elif boundaries.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(boundaries.shape)} and input value tensor "
            f"{list(values.shape)}"
        )
    else:
        found = _sorted_positions(boundaries, values, right)
    return _from_array(xp.asarray(found, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False):
    """The index of the bucket each value falls into, for 1-D sorted `boundaries`: i such that
    boundaries[i-1] < x <= boundaries[i] (with `right=True`, boundaries[i-1] <= x <
    boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


__all__ = [
    "argsort",
    "bincount",
    "bucketize",
    "histc",
    "kthvalue",
    "median",
    "mode",
    "msort",
    "nanmedian",
    "nanquantile",
    "quantile",
    "searchsorted",
    "sort",
    "topk",
    "unique",
    "unique_consecutive",
]
