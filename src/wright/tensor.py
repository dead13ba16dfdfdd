"""Tensor: an n-dimensional array that remembers the ops that made it, so gradients can flow
back.

This file holds the core: construction, conversion, autograd entry points, in-place changes,
arithmetic operators with PyTorch's type promotion, indexing, and reshaping. Most other methods
(`x.sin()`, `x.cumsum(0)`, `x.gather(...)`) are defined once, as functions in `wright.functions`,
and attached to Tensor by `tensor_method`, so `wright.sin(x)` and `x.sin()` are the same code.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from wright import autograd, backend, dtypes, printing
from wright.ops import elementwise as E
from wright.ops import linalg as L
from wright.ops import shape as S


def pick(numpy_value, torch_value, numpy_name: str, torch_name: str, default=None):
    """Resolve an argument that NumPy and PyTorch spell differently (axis/dim, keepdims/keepdim)."""
    if numpy_value is not None and torch_value is not None and numpy_value != torch_value:
        raise TypeError(
            f"got both {numpy_name}={numpy_value!r} and {torch_name}={torch_value!r}; pass one"
        )
    value = numpy_value if numpy_value is not None else torch_value
    if value is None:
        return default
    return tuple(value) if isinstance(value, list) else value


def _shape_args(shape) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        return tuple(int(n) for n in shape[0])
    return tuple(int(n) for n in shape)


class Size(tuple):
    """A tensor's shape: a tuple of ints that also has `numel()`, as `torch.Size`."""

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)

    def __repr__(self) -> str:
        return f"wright.Size({list(self)})"

    def __getitem__(self, index):
        found = tuple.__getitem__(self, index)
        return Size(found) if isinstance(index, slice) else found

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


def _wrapped_dim(dim: int, rank: int) -> int:
    """`dim` made non-negative for a tensor of `rank` dimensions; PyTorch's IndexError when it is
    out of range."""
    if not -rank <= dim < rank:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got "
            f"{dim})"
        )
    return dim % rank


def _check_can_require_grad(numpy_dtype: np.dtype) -> None:
    if numpy_dtype.kind != "f":
        raise RuntimeError(
            f"only Tensors of floating point dtype can require gradients, got dtype "
            f"{dtypes.from_numpy_dtype(numpy_dtype)}"
        )


def _from_array(array, cls=None) -> Tensor:
    """Wrap an array as a Tensor without copying or converting (the ops' fast path)."""
    if type(array) is not np.ndarray and not backend.is_array(array):
        array = np.asarray(array)
    tensor = object.__new__(cls or Tensor)
    tensor.array = array
    tensor.grad = None
    tensor._requires_grad = False
    tensor._ctx = None
    tensor._version_counter = [0]
    tensor._base = None
    tensor._view_index = None
    tensor._hooks = None
    return tensor


def _rebuild(array: np.ndarray, requires_grad: bool, cls) -> Tensor:
    tensor = _from_array(array, cls)
    tensor._requires_grad = requires_grad
    return tensor


def tensor_method(function: Callable | None = None, *, name: str | None = None):
    """Attach a function (its first argument a Tensor) to Tensor as a method of the same name.

    Used as `@tensor_method` over a function in `wright.functions`, so `wright.sin(x)` and
    `x.sin()` are one piece of code.
    """

    def attach(function: Callable) -> Callable:
        setattr(Tensor, name or function.__name__, function)
        return function

    return attach if function is None else attach(function)


def _any_requires_grad(args, kwargs) -> bool:
    for value in (*args, *kwargs.values()):
        if isinstance(value, Tensor) and value._requires_grad:
            return True
        if isinstance(value, list | tuple) and any(
            isinstance(v, Tensor) and v._requires_grad for v in value
        ):
            return True
    return False


class Tensor:
    """An array (`array`) with an optional gradient (`grad`) and a link to the op that produced it.

    `wright.tensor(data)` is the usual way to make one. `Tensor(data)` follows PyTorch's legacy
    constructor: data becomes the default float dtype, and `Tensor(2, 3)` is a (2, 3) tensor
    (of zeros).

    Example:
        >>> x = wright.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4., 6.])
    """

    __slots__ = (
        "__weakref__",
        "_base",
        "_ctx",
        "_hooks",
        # Set only when a post-accumulate-grad hook is registered (read with getattr).
        "_post_accumulate_hooks",
        "_requires_grad",
        "_version_counter",
        "_view_index",
        "array",
        "grad",
    )
    # Make NumPy hand mixed expressions (array + Tensor) to Tensor's operators.
    __array_ufunc__ = None

    def __init__(self, *args, dtype=None, device=None, requires_grad: bool = False) -> None:
        numpy_dtype = dtypes.to_numpy_dtype(dtype or dtypes.default_float_numpy())
        if not args:
            array = np.zeros(0, dtype=numpy_dtype)
        elif all(isinstance(a, int | np.integer) and not isinstance(a, bool) for a in args):
            array = np.zeros(tuple(int(a) for a in args), dtype=numpy_dtype)
        elif len(args) == 1 and isinstance(args[0], Size):
            array = np.zeros(args[0], dtype=numpy_dtype)
        elif len(args) == 1 and isinstance(args[0], Tensor):
            array = args[0].array
        elif len(args) == 1:
            array = backend.to_array(args[0], numpy_dtype)
        else:
            raise TypeError(f"Tensor(): expected data or sizes, got {len(args)} arguments")
        self.array = backend.place(array, device)
        self.grad = None
        self._requires_grad = False
        self._ctx = None
        self._version_counter = [0]
        self._base = None
        self._view_index = None
        self._hooks = None
        if requires_grad:
            self.requires_grad = True

    # ----- basic properties -----
    @property
    def shape(self) -> Size:
        return Size(self.array.shape)

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy_dtype(self.array.dtype)

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def device(self) -> backend.device:
        """Where the tensor's memory lives (from its array's type): cpu or cuda:0, ..."""
        return backend.device_of(self.array)

    @property
    def is_cuda(self) -> bool:
        """Whether the tensor lives on a GPU."""
        return self.device.type == "cuda"

    def get_device(self) -> int:
        """The index of the GPU holding the tensor, or -1 on the CPU (PyTorch's numbering)."""
        found = self.device
        return -1 if found.type == "cpu" else found.index or 0

    is_sparse = False
    is_quantized = False
    is_meta = False

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op that records a graph."""
        return self._ctx is None

    @property
    def requires_grad(self) -> bool:
        """Whether gradients are computed for this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value:
            _check_can_require_grad(self.array.dtype)
        elif self._ctx is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables; use detach() to get "
                "a tensor cut off from the graph"
            )
        self._requires_grad = bool(value)

    @property
    def grad_fn(self) -> autograd.Function | None:
        """The graph node that made this tensor (None for a leaf)."""
        return self._ctx

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has seen."""
        return self._version_counter[0]

    @property
    def data(self) -> Tensor:
        """The same memory as a Tensor cut off from the graph, as PyTorch's `.data`.

        Changes through it are not tracked by autograd (unlike `detach()`'s), so it is the escape
        hatch for updating weights by hand: `p.data.add_(p.grad, alpha=-0.1)`. The NumPy array is
        `.array` (or `.numpy()`).
        """
        return _from_array(self.array)

    @data.setter
    def data(self, value) -> None:
        self.array = value.array if isinstance(value, Tensor) else backend.to_array(value)

    def size(self, dim: int | None = None):
        """The shape (PyTorch's spelling), or the length of one dimension; `numel()` counts
        elements."""
        return self.shape if dim is None else self.array.shape[dim]

    def numel(self) -> int:
        """Number of elements."""
        return self.array.size

    nelement = numel

    def dim(self) -> int:
        """Number of dimensions."""
        return self.array.ndim

    ndimension = dim

    def element_size(self) -> int:
        """Bytes per element."""
        return self.array.itemsize

    def is_floating_point(self) -> bool:
        """True for float16, float32 and float64 tensors."""
        return self.array.dtype.kind == "f"

    def is_complex(self) -> bool:
        """Always False: wright has no complex dtypes."""
        return False

    def is_contiguous(self, memory_format=None) -> bool:
        """Whether the elements lie in memory in row-major order without gaps."""
        return bool(self.array.flags.c_contiguous)

    def data_ptr(self) -> int:
        """The address of the first element (in the device's memory for a device tensor)."""
        if type(self.array) is np.ndarray:
            return self.array.__array_interface__["data"][0]
        return self.array.data.ptr

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.array)

    def __repr__(self) -> str:
        body = printing.tensor_body(backend.to_numpy(self.array))
        extras = []
        if type(self.array) is not np.ndarray:
            extras.append(f"device='{self.device}'")
        default = (dtypes.default_float_numpy(), np.dtype(np.int64), np.dtype(np.bool_))
        if self.array.size == 0:
            # No values to tell the dtype or the shape by.
            default = default[:1]
            if self.array.shape != (0,):
                extras.append(f"size={tuple(self.array.shape)}")
        if self.array.dtype not in default:
            extras.append(f"dtype={self.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn=<{self._ctx.name()}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return printing.with_suffixes("tensor(" + body, extras)

    def __format__(self, spec: str) -> str:
        if self.array.ndim == 0:
            return format(self.array.item(), spec)
        return format(repr(self), spec)

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    __hash__ = object.__hash__

    def __reduce_ex__(self, protocol):
        # Pickling (worker processes, deepcopy) keeps the values and the flag, never the graph.
        return (_rebuild, (self.array, self._requires_grad, type(self)))

    def __deepcopy__(self, memo) -> Tensor:
        if self._ctx is not None:
            raise RuntimeError(
                "only tensors created by the user (graph leaves) support deepcopy; detach() first"
            )
        copied = _rebuild(copy.deepcopy(self.array, memo), self._requires_grad, type(self))
        if self.grad is not None:
            copied.grad = _from_array(self.grad.array.copy())
        memo[id(self)] = copied
        return copied

    # ----- conversion -----
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying NumPy array (shared, not copied); detach first if it may be modified.

        A device tensor has no NumPy array: `cpu()` copies it to the host first (or pass
        `force=True` to get a host copy).
        """
        if type(self.array) is np.ndarray:
            return self.array
        if force:
            return backend.to_numpy(self.array)
        raise TypeError(
            f"numpy(): the tensor lives on {self.device}, and NumPy arrays live on the host; "
            "copy it there first with .cpu()"
        )

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.array.size} elements cannot be converted to a Scalar"
            )
        return self.array.item()

    def tolist(self):
        """Nested Python lists of the values."""
        return self.array.tolist()

    def detach(self) -> Tensor:
        """The same values and memory, cut off from the graph (no gradient flows through)."""
        detached = _from_array(self.array)
        # A change through either is a change to both, so they count versions together.
        detached._version_counter = self._version_counter
        return detached

    def detach_(self) -> Tensor:
        """Cut this tensor off from the graph, in place."""
        self._ctx, self._requires_grad = None, False
        return self

    def clone(self, *, memory_format=None) -> Tensor:
        """A copy that keeps the graph link (gradient flows back to the original)."""
        return E.Clone.apply(self)

    def contiguous(self, memory_format=None) -> Tensor:
        """This tensor when its memory is already row-major, else a row-major copy."""
        return self if self.array.flags.c_contiguous else self.clone()

    def _cast(self, numpy_dtype: np.dtype) -> Tensor:
        if numpy_dtype == self.array.dtype:
            return self
        if numpy_dtype.kind == "f" and self._requires_grad:
            return E.Cast.apply(self, dtype=numpy_dtype)
        return _from_array(self.array.astype(numpy_dtype))

    def to(self, *args, **kwargs) -> Tensor:
        """Change dtype and/or device: `to(dtype)`, `to(device)`, `to(device, dtype)`,
        `to(other_tensor)`; gradients flow through a cast between floating types.

        Returns the tensor itself when nothing changes (unless `copy=True`).
        """
        device, dtype, copy_wanted = parse_to(args, kwargs)
        result = self if dtype is None else self._cast(dtypes.to_numpy_dtype(dtype))
        if device is not None and not _on(result.array, device):
            result = E.ToDevice.apply(result, device=device)
        return result.clone() if copy_wanted and result is self else result

    def cpu(self, memory_format=None) -> Tensor:
        """This tensor on the host (itself when it is there already)."""
        return self.to(backend.CPU)

    def cuda(self, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
        """This tensor on a GPU (the current one, or `device`: an index or 'cuda:N')."""
        return self.to(backend.resolve_device("cuda" if device is None else device))

    def type(self, dtype=None, non_blocking: bool = False):
        """With no argument, the type's name ('wright.FloatTensor'); with a dtype, `to(dtype)`."""
        if dtype is None:
            return f"wright.{_LEGACY_NAMES[self.array.dtype]}"
        return self.to(dtype)

    def type_as(self, other: Tensor) -> Tensor:
        """Convert to another tensor's dtype."""
        return self.to(other.dtype)

    def float(self, memory_format=None) -> Tensor:
        """Convert to float32."""
        return self._cast(np.dtype(np.float32))

    def double(self, memory_format=None) -> Tensor:
        """Convert to float64."""
        return self._cast(np.dtype(np.float64))

    def half(self, memory_format=None) -> Tensor:
        """Convert to float16."""
        return self._cast(np.dtype(np.float16))

    def long(self, memory_format=None) -> Tensor:
        """Convert to int64."""
        return self._cast(np.dtype(np.int64))

    def int(self, memory_format=None) -> Tensor:
        """Convert to int32."""
        return self._cast(np.dtype(np.int32))

    def short(self, memory_format=None) -> Tensor:
        """Convert to int16."""
        return self._cast(np.dtype(np.int16))

    def byte(self, memory_format=None) -> Tensor:
        """Convert to uint8."""
        return self._cast(np.dtype(np.uint8))

    def char(self, memory_format=None) -> Tensor:
        """Convert to int8."""
        return self._cast(np.dtype(np.int8))

    def bool(self, memory_format=None) -> Tensor:
        """Convert to bool."""
        return self._cast(np.dtype(np.bool_))

    # ----- autograd -----
    def backward(
        self,
        gradient=None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs=None,
    ) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad and add it to the leaf's
        `.grad`.

        `gradient` is the gradient of some final scalar with respect to this tensor; it may be
        omitted for a one-element tensor (it is then 1).
        """
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def retain_grad(self) -> Tensor:
        """Keep this intermediate tensor's gradient in `.grad` after backward (leaves always keep
        theirs)."""
        if self._ctx is not None:
            import weakref

            self._ctx.retained = weakref.ref(self)
        return self

    @property
    def retains_grad(self) -> bool:
        """Whether `retain_grad()` was called on this non-leaf tensor."""
        return self._ctx is not None and self._ctx.retained is not None

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set `requires_grad` in place and return self."""
        self.requires_grad = requires_grad
        return self

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _RemovableHook:
        """Call `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces
        the gradient. Returns a handle whose `remove()` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._ctx is not None:
            if self._ctx.hooks is None:
                self._ctx.hooks = []
            hooks = self._ctx.hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return _RemovableHook(hooks, hook)

    # ----- in-place changes -----
    def _snapshot(self) -> Tensor:
        # The value before an in-place change, for the graph: a copy, so the new values can go
        # into this tensor's memory while the graph keeps the old ones.
        old = _from_array(self.array.copy())
        old._ctx, old._requires_grad = self._ctx, self._requires_grad
        return old

    def _write(self, result: Tensor, op: str) -> None:
        if result.array.shape != self.array.shape:
            raise RuntimeError(
                f"{op}: output with shape {list(self.array.shape)} doesn't match the broadcast "
                f"shape {list(result.array.shape)}"
            )
        if not np.can_cast(result.array.dtype, self.array.dtype, "same_kind"):
            raise RuntimeError(
                f"{op}: result type {dtypes.from_numpy_dtype(result.array.dtype)} can't be cast to "
                f"the desired output type {self.dtype}"
            )
        if result.array is not self.array:
            backend.array_module(self.array).copyto(self.array, result.array, casting="same_kind")
        self._version_counter[0] += 1

    def _inplace(self, op: str, compute: Callable[..., Tensor], *args, **kwargs) -> Tensor:
        """Run the out-of-place `compute(self, *args)` and store the result in this tensor's own
        memory, as PyTorch's in-place ops (`add_`, `x[i] = v`, `+=`) do.

        When the graph is recording and anything involved requires grad, the tensor becomes the
        output of the new op (its old value lives on in the graph), and every view of the same
        memory sees the change. Graphs that saved the old value raise at backward.
        """
        tracked = autograd.is_grad_enabled() and (
            self._requires_grad or _any_requires_grad(args, kwargs)
        )
        if not tracked:
            self._write(compute(self, *args, **kwargs), op)
            return self
        if self._requires_grad and self._ctx is None:
            raise RuntimeError(
                f"{op}: a leaf tensor that requires grad is being used in an in-place operation; "
                "do it inside `with wright.no_grad():` (as optimizers do) or on a clone()"
            )
        base = self._base
        if base is not None:
            return self._inplace_through_base(base, op, compute, *args, **kwargs)
        result = compute(self._snapshot(), *args, **kwargs)
        self._write(result, op)
        if result.array.dtype != self.array.dtype:
            result = result._cast(self.array.dtype)
        self._ctx, self._requires_grad = result._ctx, result._requires_grad
        return self

    def _inplace_through_base(self, base: Tensor, op: str, compute, *args, **kwargs) -> Tensor:
        # A view changed in place changes its base: write the new values into the base through
        # the same index (a differentiable item assignment), then view the new base again.
        if self._view_index is None:
            raise RuntimeError(
                f"{op}: in-place change of a reshaped, transposed or expanded view of a tensor "
                "that is part of a graph; clone() the view first, or index the base instead"
            )
        if base._requires_grad and base._ctx is None:
            raise RuntimeError(
                f"{op}: a view of a leaf tensor that requires grad is being used in an in-place "
                "operation; do it inside `with wright.no_grad():` or on a clone()"
            )
        values = compute(self._snapshot(), *args, **kwargs)
        base.__setitem__(self._view_index, values)
        fresh = base[self._view_index]
        self._ctx, self._requires_grad = fresh._ctx, fresh._requires_grad
        return self

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        return self.fill_(0)

    def fill_(self, value) -> Tensor:
        """Fill with one value in place."""
        return self._inplace("fill_", _filled, value)

    def copy_(self, src, non_blocking: bool = False) -> Tensor:
        """Copy values from another tensor (or array) in place; they must broadcast to this shape."""
        return self._inplace("copy_", _copied_from, src)

    # ----- arithmetic -----
    def add(self, other, *, alpha=1) -> Tensor:
        """self + alpha * other, with broadcasting and PyTorch's type promotion."""
        if alpha != 1:
            other = _as_operand(other) * alpha
        a, b = _promoted(self, other)
        return E.Add.apply(a, b)

    def sub(self, other, *, alpha=1) -> Tensor:
        """self - alpha * other."""
        if alpha != 1:
            other = _as_operand(other) * alpha
        a, b = _promoted(self, other)
        return E.Sub.apply(a, b)

    def mul(self, other) -> Tensor:
        """Elementwise product."""
        a, b = _promoted(self, other)
        return E.Mul.apply(a, b)

    def div(self, other, *, rounding_mode: str | None = None) -> Tensor:
        """Elementwise quotient: true division, or rounded with rounding_mode 'trunc' or 'floor'."""
        if rounding_mode is None:
            a, b = _promoted(self, other, floating=True)
            return E.Div.apply(a, b)
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(
                f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}"
            )
        a, b = _promoted(self, other)
        return E.RoundedDiv.apply(a, b, mode=rounding_mode)

    def pow(self, exponent) -> Tensor:
        """self ** exponent, elementwise; gradients flow to a tensor exponent too."""
        if isinstance(exponent, int | float) and not isinstance(exponent, bool):
            if self.array.dtype.kind in "iub" and isinstance(exponent, float):
                return self._cast(dtypes.default_float_numpy()).pow(exponent)
            if self.array.dtype.kind in "iu" and exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            return E.PowScalar.apply(self, exponent=exponent)
        a, b = _promoted(self, exponent)
        return E.Pow.apply(a, b)

    def neg(self) -> Tensor:
        """-self."""
        if self.array.dtype == np.bool_:
            raise RuntimeError(
                "negation, the `-` operator, on a bool tensor is not supported; use `~` or "
                "logical_not() instead"
            )
        return E.Neg.apply(self)

    negative = neg

    def matmul(self, other) -> Tensor:
        """Matrix product with NumPy/PyTorch broadcasting of batch dimensions."""
        other = other if isinstance(other, Tensor) else _as_operand(other)
        if self.ndim == 0 or other.ndim == 0:
            raise RuntimeError(
                "matmul: both arguments need at least 1 dimension, "
                f"got shapes {list(self.shape)} and {list(other.shape)}"
            )
        inner = other.shape[-2 if other.ndim > 1 else 0]
        if self.shape[-1] != inner:
            raise RuntimeError(
                f"matmul: shapes {list(self.shape)} and {list(other.shape)} cannot be multiplied "
                f"({self.shape[-1]} != {inner})"
            )
        if self.array.dtype != other.array.dtype:
            raise RuntimeError(
                f"matmul: expected both arguments to have the same dtype, got {self.dtype} and "
                f"{other.dtype}"
            )
        return L.MatMul.apply(self, other)

    __add__ = add
    __sub__ = sub
    __mul__ = mul
    __truediv__ = div
    __pow__ = pow
    __matmul__ = matmul
    __neg__ = neg

    def __radd__(self, other):
        return _as_operand(other, like=self).add(self)

    def __rsub__(self, other):
        return _as_operand(other, like=self).sub(self)

    def __rmul__(self, other):
        return _as_operand(other, like=self).mul(self)

    def __rtruediv__(self, other):
        return _as_operand(other, like=self).div(self)

    def __rpow__(self, base):
        return _as_operand(base, like=self).pow(self)

    def __rmatmul__(self, other):
        return _as_operand(other).matmul(self)

    def __floordiv__(self, other):
        return self.div(other, rounding_mode="floor")

    def __rfloordiv__(self, other):
        return _as_operand(other, like=self).div(self, rounding_mode="floor")

    def __mod__(self, other):
        return self.remainder(other)

    def __rmod__(self, other):
        return _as_operand(other, like=self).remainder(self)

    def __pos__(self):
        return self

    def remainder(self, other) -> Tensor:
        """Python's modulo: the remainder has the sign of the divisor."""
        a, b = _promoted(self, other)
        return E.Remainder.apply(a, b)

    # In-place arithmetic: x += y changes x itself, as in PyTorch.
    def add_(self, other, *, alpha=1) -> Tensor:
        """self += alpha * other, in place."""
        return self._inplace("add_", Tensor.add, other, alpha=alpha)

    def sub_(self, other, *, alpha=1) -> Tensor:
        """self -= alpha * other, in place."""
        return self._inplace("sub_", Tensor.sub, other, alpha=alpha)

    def mul_(self, other) -> Tensor:
        """self *= other, in place."""
        return self._inplace("mul_", Tensor.mul, other)

    def div_(self, other, *, rounding_mode: str | None = None) -> Tensor:
        """self /= other, in place."""
        return self._inplace("div_", Tensor.div, other, rounding_mode=rounding_mode)

    def pow_(self, exponent) -> Tensor:
        """self **= exponent, in place."""
        return self._inplace("pow_", Tensor.pow, exponent)

    def neg_(self) -> Tensor:
        """Negate in place."""
        return self._inplace("neg_", Tensor.neg)

    def remainder_(self, other) -> Tensor:
        """self %= other, in place."""
        return self._inplace("remainder_", Tensor.remainder, other)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ipow__ = pow_
    __imod__ = remainder_

    def __ifloordiv__(self, other):
        return self.div_(other, rounding_mode="floor")

    # ----- comparison and logic (results are bool tensors, not differentiable) -----
    def _compare(self, other, compare: str) -> Tensor:
        if other is None:
            return False
        try:
            a, b = _promoted(self, other)
        except TypeError:
            # Not a number or array: let the other object compare itself (pytest.approx does).
            return NotImplemented
        return _from_array(_combined(compare, a, b))

    def eq(self, other) -> Tensor:
        """Elementwise ==."""
        return self._compare(other, "equal")

    def ne(self, other) -> Tensor:
        """Elementwise !=."""
        if other is None:
            return True
        return self._compare(other, "not_equal")

    def lt(self, other) -> Tensor:
        """Elementwise <."""
        return self._compare(other, "less")

    def le(self, other) -> Tensor:
        """Elementwise <=."""
        return self._compare(other, "less_equal")

    def gt(self, other) -> Tensor:
        """Elementwise >."""
        return self._compare(other, "greater")

    def ge(self, other) -> Tensor:
        """Elementwise >=."""
        return self._compare(other, "greater_equal")

    __eq__ = eq
    __ne__ = ne
    __lt__ = lt
    __le__ = le
    __gt__ = gt
    __ge__ = ge

    def _bitwise(self, other, combine: str, name: str) -> Tensor:
        a, b = _promoted(self, other)
        if a.array.dtype.kind == "f":
            raise RuntimeError(f"{name}: not implemented for floating point tensors ({a.dtype})")
        return _from_array(_combined(combine, a, b))

    def __and__(self, other):
        return self._bitwise(other, "bitwise_and", "bitwise_and")

    def __or__(self, other):
        return self._bitwise(other, "bitwise_or", "bitwise_or")

    def __xor__(self, other):
        return self._bitwise(other, "bitwise_xor", "bitwise_xor")

    def __lshift__(self, other):
        return self._bitwise(other, "left_shift", "bitwise_left_shift")

    def __rshift__(self, other):
        return self._bitwise(other, "right_shift", "bitwise_right_shift")

    __rand__ = __and__
    __ror__ = __or__
    __rxor__ = __xor__

    def __invert__(self):
        if self.array.dtype.kind == "f":
            raise RuntimeError("~ (bitwise_not) is only for integer and bool tensors")
        return _from_array(~self.array)

    def __iand__(self, other):
        return self._inplace("__iand__", Tensor.__and__, other)

    def __ior__(self, other):
        return self._inplace("__ior__", Tensor.__or__, other)

    def __ixor__(self, other):
        return self._inplace("__ixor__", Tensor.__xor__, other)

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.array.size} values is ambiguous"
            )
        return bool(self.array)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.array.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    # ----- shape -----
    def reshape(self, *shape) -> Tensor:
        """Same values in a new shape; one dimension may be -1."""
        shape = _shape_args(shape)
        if shape == self.array.shape:
            return self
        return S.Reshape.apply(self, shape=_resolved_shape(self, shape, "reshape"))

    def view(self, *shape) -> Tensor:
        """Same memory in a new shape (PyTorch's view); a dtype reinterprets the bytes instead."""
        if len(shape) == 1 and not isinstance(shape[0], int | tuple | list | Size):
            return _from_array(self.array.view(dtypes.to_numpy_dtype(shape[0])))
        return self.reshape(*shape)

    def view_as(self, other: Tensor) -> Tensor:
        """View with another tensor's shape."""
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions start_dim..end_dim into one (the tensor itself when that is one)."""
        shape = self.array.shape
        rank = max(len(shape), 1)
        start, end = _wrapped_dim(start_dim, rank), _wrapped_dim(end_dim, rank)
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if not shape:
            return S.Reshape.apply(self, shape=(1,))
        if start == end:
            return self
        merged = shape[:start] + (math.prod(shape[start : end + 1]),) + shape[end + 1 :]
        return S.Reshape.apply(self, shape=merged)

    def ravel(self) -> Tensor:
        """The elements as one dimension."""
        return self.reshape(-1)

    def permute(self, *dims) -> Tensor:
        """Reorder the dimensions."""
        dims = _shape_args(dims)
        if len(dims) != self.ndim:
            raise RuntimeError(
                f"permute: number of dims don't match: the tensor has {self.ndim} dimensions, "
                f"{len(dims)} were given"
            )
        return S.Permute.apply(self, axes=tuple(d % max(self.ndim, 1) for d in dims))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dimensions."""
        if self.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
            return self
        order = list(range(self.ndim))
        order[dim0], order[dim1] = order[dim1], order[dim0]
        return S.Permute.apply(self, axes=tuple(order))

    swapaxes = swapdims = transpose

    def t(self) -> Tensor:
        """Transpose a matrix (a vector or scalar comes back unchanged)."""
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self if self.ndim < 2 else self.transpose(0, 1)

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the matrix transpose for 2-D)."""
        return self.permute(tuple(reversed(range(self.ndim)))) if self.ndim > 1 else self

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    def squeeze(self, dim=None, *, axis=None) -> Tensor:
        """Remove dimensions of size 1 (only `dim` when given)."""
        dim = pick(axis, dim, "axis", "dim")
        if self.ndim == 0:
            return self
        if dim is None:
            shape = tuple(n for n in self.array.shape if n != 1)
        else:
            dims = {d % self.ndim for d in (dim if isinstance(dim, tuple) else (dim,))}
            shape = tuple(n for i, n in enumerate(self.array.shape) if not (i in dims and n == 1))
        return self.reshape(shape)

    def unsqueeze(self, dim=None, *, axis=None) -> Tensor:
        """Insert a dimension of size 1 at `dim`."""
        dim = pick(axis, dim, "axis", "dim")
        if not -self.ndim - 1 <= dim <= self.ndim:
            raise IndexError(
                f"unsqueeze: dimension {dim} out of range [{-self.ndim - 1}, {self.ndim}]"
            )
        dim = dim if dim >= 0 else dim + self.ndim + 1
        return self.reshape(self.array.shape[:dim] + (1,) + self.array.shape[dim:])

    def expand(self, *shape) -> Tensor:
        """Broadcast to a larger shape without copying; -1 keeps a dimension."""
        shape = _shape_args(shape)
        offset = len(shape) - self.ndim
        if offset < 0:
            raise RuntimeError(
                f"expand: the number of sizes provided ({len(shape)}) must be greater or equal "
                f"to the number of dimensions in the tensor ({self.ndim})"
            )
        shape = tuple(
            self.array.shape[i - offset] if n == -1 and i >= offset else n
            for i, n in enumerate(shape)
        )
        if shape == self.array.shape:
            return self
        return S.Expand.apply(self, shape=shape)

    broadcast_to = expand

    def expand_as(self, other: Tensor) -> Tensor:
        """Broadcast to another tensor's shape."""
        return self.expand(other.shape)

    # ----- indexing -----
    def __getitem__(self, index) -> Tensor:
        index = S.as_index(index)
        result = S.GetItem.apply(self, index=index)
        if result._base is self:
            result._view_index = index
        return result

    def __setitem__(self, index, value) -> None:
        index = S.as_index(index)
        if not autograd.is_grad_enabled() or not (
            self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
        ):
            raw = getattr(value, "array", value)
            if not isinstance(raw, bool | int | float | np.generic) and (
                backend.is_array(raw) or type(self.array) is not np.ndarray
            ):
                raw = _values_for(self, value).array
            S.set_items(self.array, index, raw)
            self._version_counter[0] += 1
            return
        self._inplace("__setitem__", _with_items, index, value)

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.array)))

    def __contains__(self, element) -> bool:
        return bool((self == element).array.any())

    def split(self, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
        """Split into pieces of `split_size` (int) or of the listed sizes along `dim`."""
        return split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """Split into `chunks` nearly equal pieces along `dim` (the last may be smaller)."""
        return split(self, max(-(-self.shape[dim] // chunks), 1), dim)


class _RemovableHook:
    """The handle `register_hook` returns: `remove()` unregisters the hook."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        """Unregister the hook (again is fine)."""
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


autograd.register_tensor_type(_from_array)

_LEGACY_NAMES = {
    np.dtype(np.float16): "HalfTensor",
    np.dtype(np.float32): "FloatTensor",
    np.dtype(np.float64): "DoubleTensor",
    np.dtype(np.uint8): "ByteTensor",
    np.dtype(np.int8): "CharTensor",
    np.dtype(np.int16): "ShortTensor",
    np.dtype(np.int32): "IntTensor",
    np.dtype(np.int64): "LongTensor",
    np.dtype(np.bool_): "BoolTensor",
}


def parse_to(args: tuple, kwargs: dict) -> tuple[backend.device | None, dtypes.dtype | None, bool]:
    """The (device, dtype, copy) that `to(...)`'s arguments ask for, as `Tensor.to` and
    `Module.to` read them: a device, a dtype, both, or another tensor's, plus the flags (None for
    what is not asked for)."""
    dtype, copy_wanted = kwargs.pop("dtype", None), kwargs.pop("copy", False)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None), kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to(): unexpected arguments {sorted(kwargs)}")
    flags = [arg for arg in args if isinstance(arg, bool)]  # non_blocking, copy
    copy_wanted = copy_wanted or (len(flags) > 1 and flags[1])
    for arg in args:
        if isinstance(arg, bool):
            continue
        if isinstance(arg, Tensor):
            dtype, device = arg.dtype, arg.device
        elif isinstance(arg, str | backend.device | int) and not _names_dtype(arg):
            device = arg
        else:
            dtype = arg
    return (
        None if device is None else backend.resolve_device(device),
        None if dtype is None else dtypes.as_dtype(dtype),
        copy_wanted,
    )


def _names_dtype(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dtypes.as_dtype(value)
    except TypeError:
        return False
    return True


def _resolved_shape(tensor: Tensor, shape: tuple[int, ...], op: str) -> tuple[int, ...]:
    size = tensor.array.size
    known = math.prod(n for n in shape if n != -1)
    if (
        shape.count(-1) > 1
        or (shape.count(-1) == 0 and known != size)
        or (shape.count(-1) == 1 and (known == 0 or size % known))
    ):
        raise RuntimeError(f"{op}: shape {list(shape)} is invalid for input of size {size}")
    return shape


def _as_operand(value, like: Tensor | None = None) -> Tensor:
    """A Tensor for an operator's other operand; numbers stay 'weak' for promotion by `_promoted`."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, bool | int | float | np.number | np.bool_):
        if like is not None:
            return _promoted(like, value)[1]
        return _from_array(backend.to_array(value))
    return _from_array(backend.to_array(value))


def _promoted(a: Tensor, b, floating: bool = False) -> tuple[Tensor, Tensor]:
    """Both operands as tensors of the dtype PyTorch's promotion rules give (`floating`: at least
    the default float dtype, as true division needs)."""
    if isinstance(b, Tensor):
        if a.array.dtype == b.array.dtype and (not floating or a.array.dtype.kind == "f"):
            return a, b
        target = dtypes.result_type(a.array, b.array)
    elif isinstance(b, float | int) and a.array.dtype.kind == "f" and type(b) is not bool:
        # The common case, tensor (op) Python number, decided without the general rule.
        array = a.array
        xp = np if type(array) is np.ndarray else backend.array_module(array)
        return a, _from_array(xp.asarray(b, dtype=array.dtype))
    else:
        if not isinstance(b, bool | int | float | np.generic):
            b = _from_array(backend.to_array(b))
            return _promoted(a, b, floating)
        target = dtypes.result_type(a.array, b)
        # astype, not asarray(dtype=): a number outside the type's range wraps around, as in
        # PyTorch (uint8 & -1 uses 255).
        b = _from_array(np.asarray(b).astype(target))
        if type(a.array) is not np.ndarray:
            b = _from_array(backend.to_device(b.array, a.device))
    if floating and target.kind != "f":
        target = dtypes.default_float_numpy()
    return a._cast(target), b._cast(target)


def _filled(source: Tensor, value) -> Tensor:
    given = value
    value = getattr(value, "array", value)
    ndim = value.ndim if backend.is_array(value) else np.ndim(value)
    if ndim != 0:
        raise RuntimeError(
            f"fill_ only supports 0-dimension value tensor but got tensor with {ndim} dimensions"
        )
    if backend.is_array(value):
        value = value.item()
    xp = backend.array_module(source.array)
    filled = _from_array(xp.full(source.array.shape, value, dtype=source.array.dtype))
    if source._requires_grad or isinstance(given, Tensor):
        # Keeps a (zero-gradient) link to the old value, so the tensor stays in the graph.
        return E.Where.apply(source, filled, condition=xp.zeros(source.array.shape, bool))
    return filled


def _values_for(source: Tensor, value) -> Tensor:
    # A value written into `source` (copy_, item assignment) as a tensor on source's device: data
    # from the host is copied over, and a tensor on another device moves (gradients follow it).
    if not isinstance(value, Tensor):
        raw = value if backend.is_array(value) else np.asarray(value)
        return _from_array(backend.array_like(raw, source.array))
    return value if _on(value.array, source.device) else value.to(source.device)


def _copied_from(source: Tensor, src) -> Tensor:
    src = _values_for(source, src)._cast(source.array.dtype).expand(source.array.shape)
    if src._requires_grad or not source._requires_grad:
        return src if src._requires_grad else _from_array(src.array.copy())
    # The old value is replaced entirely: keep the link with a zero gradient.
    xp = backend.array_module(source.array)
    return E.Where.apply(source, src, condition=xp.zeros(source.array.shape, bool))


def _with_items(source: Tensor, index, value) -> Tensor:
    return S.SetItem.apply(
        source, _values_for(source, value)._cast(source.array.dtype), index=index
    )


def _on(array, device: backend.device) -> bool:
    # Whether an array lives on `device` (a device named without an index means the current one).
    if type(array) is np.ndarray:
        return device.type == "cpu"
    found = backend.device_of(array)
    return found.type == device.type and device.index in (None, found.index)


def _combined(name: str, a: Tensor, b: Tensor):
    # An elementwise NumPy function (comparison, bitwise) of two tensors' arrays on one device.
    arrays = backend.same_device((a.array, b.array), name)
    return getattr(backend.array_module(*arrays), name)(*arrays)


# ----- functions that join or split tensors -----


def split(
    tensor: Tensor, split_size_or_sections, dim: int | None = None, *, axis: int | None = None
) -> tuple[Tensor, ...]:
    """Split along `dim` into pieces of the given size (int) or sizes (list), as torch.split
    does."""
    dim = pick(axis, dim, "axis", "dim", 0)
    length = tensor.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and length:
            raise RuntimeError(f"split: split_size must be positive, got {step}")
        sizes = [step] * (length // step) if step else []
        if step and length % step:
            sizes.append(length % step)
        sizes = sizes or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != length:
            raise RuntimeError(
                f"split: sizes {sizes} add up to {sum(sizes)}, but dimension {dim} has {length}"
            )
    pieces, start = [], 0
    index = [slice(None)] * tensor.ndim
    for size in sizes:
        index[dim] = slice(start, start + size)
        pieces.append(tensor[tuple(index)])
        start += size
    return tuple(pieces)


def _as_tensors(tensors: Iterable) -> list[Tensor]:
    return [t if isinstance(t, Tensor) else _from_array(backend.to_array(t)) for t in tensors]


def _common_dtype(tensors: Sequence[Tensor]) -> list[Tensor]:
    dtype = tensors[0].array.dtype
    if all(t.array.dtype == dtype for t in tensors):
        return list(tensors)
    target = tensors[0].array.dtype
    for t in tensors[1:]:
        target = dtypes.promote(target, t.array.dtype)
    return [t._cast(target) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int | None = None, *, axis: int | None = None, out=None):
    """Join tensors along an existing dimension (also spelled `concatenate`, `concat`)."""
    dim = pick(axis, dim, "axis", "dim", 0)
    tensors = _as_tensors(tensors)
    if not tensors:
        raise RuntimeError("cat: expected a non-empty list of tensors")
    # PyTorch skips 1-D empty tensors, a common placeholder for "nothing yet".
    kept = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    reference = kept[0].shape
    if reference and not -len(reference) <= dim < len(reference):
        raise IndexError(f"cat: dimension {dim} out of range for {len(reference)}-D tensors")
    for t in kept[1:]:
        if t.ndim != len(reference) or any(
            a != b for i, (a, b) in enumerate(zip(t.shape, reference)) if i != dim % len(reference)
        ):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {dim}: got "
                f"{list(reference)} and {list(t.shape)}"
            )
    return S.Concatenate.apply(*_common_dtype(kept), axis=dim)


concatenate = concat = cat


def stack(tensors: Sequence[Tensor], dim: int | None = None, *, axis: int | None = None, out=None):
    """Join same-shaped tensors along a new dimension."""
    tensors = _as_tensors(tensors)
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(
            f"stack expects each tensor to be equal size, got {sorted(map(list, shapes))}"
        )
    return S.Stack.apply(*_common_dtype(tensors), axis=pick(axis, dim, "axis", "dim", 0))


def where(condition, input=None, other=None) -> Tensor:
    """Elementwise choice: input where condition is true, else other. With only a condition,
    the indices where it holds (as `nonzero(as_tuple=True)`)."""
    condition = getattr(condition, "array", condition)
    if not backend.is_array(condition):
        condition = np.asarray(condition)
    if input is None and other is None:
        return tuple(_from_array(i) for i in backend.array_module(condition).nonzero(condition))
    a = input if isinstance(input, Tensor) else _as_operand(input, like=other)
    a, b = _promoted(a, other) if isinstance(a, Tensor) else (a, other)
    if condition.dtype != np.bool_:
        if condition.dtype == np.uint8:
            condition = condition.astype(bool)
        else:
            raise RuntimeError(
                f"where: expected condition to be a bool tensor, got {condition.dtype}"
            )
    if type(condition) is not np.ndarray or type(a.array) is not np.ndarray:
        condition = backend.same_device((condition, a.array, b.array), "where")[0]
    return E.Where.apply(a, b, condition=condition)


def pad(tensor: Tensor, pad_width, value: float = 0.0) -> Tensor:
    """Pad with a constant; `pad_width` is NumPy's ((before, after), ...) per dimension."""
    pad_width = tuple(tuple(p) for p in np.broadcast_to(np.asarray(pad_width), (tensor.ndim, 2)))
    return S.Pad.apply(tensor, pad_width=pad_width, value=value)


__all__ = ["Size", "Tensor", "cat", "concat", "concatenate", "pad", "split", "stack", "where"]
