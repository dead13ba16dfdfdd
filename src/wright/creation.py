"""Factories for new tensors: from data, filled with constants, ranges, or random draws.

Every factory takes PyTorch's keywords: `dtype=`, `device=` (the CPU unless named; the `*_like`
and `new_*` factories default to their tensor's device), `requires_grad=`, and the random ones
`generator=` (a generator of the same kind of device).
"""

from __future__ import annotations

import builtins

import numpy as np

from wright import backend, dtypes
from wright.tensor import Size, Tensor, _from_array, _shape_args, tensor_method


def _made(array, device, requires_grad: bool) -> Tensor:
    # `array` is moved to `device` (it is usually made there already), or host data to the
    # default device when none is named.
    made = _from_array(backend.place(array, device))
    if requires_grad:
        made.requires_grad = True
    return made


def _module(device):
    # The array module that makes arrays on `device`.
    return backend.module_for(backend.resolve_device(device))


def _float_dtype(dtype) -> np.dtype:
    return dtypes.default_float_numpy() if dtype is None else dtypes.to_numpy_dtype(dtype)


def _size(size) -> tuple[int, ...]:
    if len(size) == 1 and size[0] is None:
        raise TypeError("expected a shape (ints or a tuple of ints), got None")
    return _shape_args(size)


def tensor(data, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False):
    """A new tensor holding a copy of data (numbers, nested lists, arrays or tensors).

    Python floats become the default float dtype (float32), Python ints int64, bools bool; NumPy
    arrays keep their dtype.

    Example:
        >>> wright.tensor([[1, 2], [3, 4]]).dtype
        wright.int64
    """
    if isinstance(data, Tensor):
        data = data.array
    elif isinstance(data, list | tuple) and any(isinstance(d, Tensor) for d in _flat(data)):
        data = _nested_arrays(data)
    array = backend.to_array(data, dtype)
    array = np.array(array, copy=True) if type(array) is np.ndarray else array.copy()
    return _made(array, device, requires_grad)


def _flat(data):
    for item in data:
        if isinstance(item, list | tuple):
            yield from _flat(item)
        else:
            yield item


def _nested_arrays(data):
    return [
        _nested_arrays(d)
        if isinstance(d, list | tuple)
        else backend.to_numpy(d.array)
        if isinstance(d, Tensor)
        else d
        for d in data
    ]


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """A tensor sharing memory with data when it already is an array (or a tensor) of the wanted
    dtype; otherwise a converted copy."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    return _made(backend.to_array(data, dtype), device, False)


asarray = as_tensor


def from_numpy(array: np.ndarray) -> Tensor:
    """Wrap a NumPy array without copying, keeping its dtype: changes to one show in the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    return _from_array(array)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False):
    """A tensor of zeros."""
    array = _module(device).zeros(_size(size), dtype=_float_dtype(dtype))
    return _made(array, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False):
    """A tensor of ones."""
    array = _module(device).ones(_size(size), dtype=_float_dtype(dtype))
    return _made(array, device, requires_grad)


def empty(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    pin_memory: bool = False,
    memory_format=None,
):
    """A new tensor; wright fills it with zeros rather than leaving memory uninitialised."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _fill_dtype(fill_value, dtype) -> np.dtype:
    if dtype is not None:
        return dtypes.to_numpy_dtype(dtype)
    if isinstance(fill_value, builtins.bool | np.bool_):
        return np.dtype(np.bool_)
    if isinstance(fill_value, builtins.int | np.integer):
        return np.dtype(np.int64)
    if isinstance(fill_value, Tensor):
        return fill_value.array.dtype
    return dtypes.default_float_numpy()


def full(
    size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False
) -> Tensor:
    """A tensor filled with one value; its dtype follows the value (bool, int64 or float) unless
    given."""
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    array = _module(device).full(_size((size,)), value, dtype=_fill_dtype(fill_value, dtype))
    return _made(array, device, requires_grad)


def _like_dtype(input: Tensor, dtype) -> np.dtype:
    return input.array.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)


def _like_device(input: Tensor, device):
    return input.device if device is None else device


def zeros_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
) -> Tensor:
    """Zeros with another tensor's shape (and dtype and device unless given)."""
    return zeros(
        input.array.shape,
        dtype=_like_dtype(input, dtype),
        device=_like_device(input, device),
        requires_grad=requires_grad,
    )


def ones_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
) -> Tensor:
    """Ones with another tensor's shape (and dtype and device unless given)."""
    return ones(
        input.array.shape,
        dtype=_like_dtype(input, dtype),
        device=_like_device(input, device),
        requires_grad=requires_grad,
    )


empty_like = zeros_like


def full_like(
    input: Tensor,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
) -> Tensor:
    """One value in another tensor's shape (and dtype and device unless given)."""
    return full(
        input.array.shape,
        fill_value,
        dtype=_like_dtype(input, dtype),
        device=_like_device(input, device),
        requires_grad=requires_grad,
    )


def rand_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
    generator=None,
) -> Tensor:
    """Uniform draws on [0, 1) in another tensor's shape."""
    return rand(
        input.array.shape,
        dtype=_like_dtype(input, dtype),
        device=_like_device(input, device),
        requires_grad=requires_grad,
        generator=generator,
    )


def randn_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
    generator=None,
) -> Tensor:
    """Standard normal draws in another tensor's shape."""
    return randn(
        input.array.shape,
        dtype=_like_dtype(input, dtype),
        device=_like_device(input, device),
        requires_grad=requires_grad,
        generator=generator,
    )


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    dtype=None,
    device=None,
    requires_grad: bool = False,
    generator=None,
) -> Tensor:
    """Random integers in [low, high) in another tensor's shape (and dtype unless given)."""
    if high is None:
        low, high = 0, low
    return randint(
        low,
        high,
        input.array.shape,
        dtype=_like_dtype(input, dtype),
        device=_like_device(input, device),
        generator=generator,
    )


def eye(
    n: int,
    m: int | None = None,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The identity matrix (n x m)."""
    return _made(_module(device).eye(n, m, dtype=_float_dtype(dtype)), device, requires_grad)


def arange(
    start,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in [start, end); integers give int64, any float the default float
    dtype."""
    if end is None:
        start, end = 0, start
    bounds = [b.item() if isinstance(b, Tensor) else b for b in (start, end, step)]
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if dtype is None:
        floating = any(isinstance(b, builtins.float | np.floating) for b in bounds)
        dtype = dtypes.default_float_numpy() if floating else np.dtype(np.int64)
    else:
        dtype = dtypes.to_numpy_dtype(dtype)
    # Count in float64 (as PyTorch does), then convert: arange(0, 1, 0.1) has 10 elements.
    first, last, stride = bounds
    count = builtins.max(int(np.ceil((last - first) / stride)), 0)
    xp = _module(device)
    values = first + stride * xp.arange(count, dtype=np.float64 if dtype.kind == "f" else np.int64)
    return _made(values.astype(dtype), device, requires_grad)


def range(
    start=0,
    end=None,
    step=1,
    *,
    dtype=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from start to end inclusive (deprecated in PyTorch; prefer arange)."""
    if end is None:
        start, end = 0, start
    count = int(np.floor((end - start) / step)) + 1
    values = start + step * _module(device).arange(builtins.max(count, 0), dtype=np.float64)
    return _made(values.astype(_float_dtype(dtype)), device, requires_grad)


def linspace(
    start,
    end,
    steps: int,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """`steps` evenly spaced values from start to end inclusive."""
    values = _module(device).linspace(float(start), float(end), int(steps))
    return _made(values.astype(_float_dtype(dtype)), device, requires_grad)


def logspace(
    start,
    end,
    steps: int,
    base: float = 10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """`steps` values from base**start to base**end, evenly spaced in the exponent."""
    values = _module(device).logspace(float(start), float(end), int(steps), base=base)
    return _made(values.astype(_float_dtype(dtype)), device, requires_grad)


def randn(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """Draws from the standard normal distribution N(0, 1)."""
    rng = _rng(generator, device)
    dtype = _float_dtype(dtype)
    draws = rng.standard_normal(_size(size), dtype=dtype if dtype != np.float16 else np.float32)
    return _made(draws.astype(dtype, copy=False), device, requires_grad)


def rand(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """Draws from the uniform distribution on [0, 1)."""
    rng = _rng(generator, device)
    dtype = _float_dtype(dtype)
    draws = rng.random(_size(size), dtype=dtype if dtype != np.float16 else np.float32)
    return _made(draws.astype(dtype, copy=False), device, requires_grad)


def randint(
    *args,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """Random integers in [low, high): `randint(high, size)` or `randint(low, high, size)`, int64
    unless told."""
    args = list(args)
    if size is None:
        if not args or not isinstance(args[-1], tuple | list | Size):
            raise TypeError("randint: expected a size tuple, as randint(low, high, (n,))")
        size = args.pop()
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    draws = _rng(generator, device).integers(low, high, size=_shape_args((size,)))
    dtype = np.dtype(np.int64) if dtype is None else dtypes.to_numpy_dtype(dtype)
    return _made(draws.astype(dtype), device, requires_grad)


def randperm(
    n: int,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """A random ordering of 0 .. n-1 (int64 unless told)."""
    order = backend.permutation(_rng(generator, device), int(n))
    dtype = np.dtype(np.int64) if dtype is None else dtypes.to_numpy_dtype(dtype)
    return _made(order.astype(dtype), device, requires_grad)


def normal(
    mean=0.0,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """Draws from N(mean, std^2): numbers with a `size`, or tensors of means and/or stds."""
    given = next((t for t in (mean, std) if isinstance(t, Tensor)), None)
    device = given.device if device is None and given is not None else device
    means = mean.array if isinstance(mean, Tensor) else mean
    stds = std.array if isinstance(std, Tensor) else std
    shape = _shape_args((size,)) if size is not None else _broadcast_shape(means, stds)
    dtype = given.array.dtype if dtype is None and given is not None else _float_dtype(dtype)
    draws = backend.normal(_rng(generator, device), means, stds, shape)
    return _made(draws.astype(dtype), device, requires_grad)


def _broadcast_shape(*values) -> tuple[int, ...]:
    return np.broadcast_shapes(*(getattr(v, "shape", ()) for v in values))


def _rng(generator, device):
    # The array library's generator for draws on `device`.
    return backend.rng(generator, backend.resolve_device(device))


# ----- Tensor.new_*: factories that take dtype and device from an existing tensor -----


@tensor_method
def new_tensor(self: Tensor, data, *, dtype=None, device=None, requires_grad: bool = False):
    """A tensor of data with this tensor's dtype and device (unless given)."""
    return tensor(
        data,
        dtype=_like_dtype(self, dtype),
        device=_like_device(self, device),
        requires_grad=requires_grad,
    )


@tensor_method
def new_zeros(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False):
    """Zeros of a new shape, with this tensor's dtype and device (unless given)."""
    return zeros(
        *size,
        dtype=_like_dtype(self, dtype),
        device=_like_device(self, device),
        requires_grad=requires_grad,
    )


@tensor_method
def new_ones(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False):
    """Ones of a new shape, with this tensor's dtype and device (unless given)."""
    return ones(
        *size,
        dtype=_like_dtype(self, dtype),
        device=_like_device(self, device),
        requires_grad=requires_grad,
    )


Tensor.new_empty = new_zeros


@tensor_method
def new_full(
    self: Tensor, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False
):
    """One value in a new shape, with this tensor's dtype and device (unless given)."""
    return full(
        size,
        fill_value,
        dtype=_like_dtype(self, dtype),
        device=_like_device(self, device),
        requires_grad=requires_grad,
    )
