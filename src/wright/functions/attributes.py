"""Tensor attributes and small methods PyTorch programs ask about: memory layout (`stride()`,
`storage_offset()`, `layout`, `nbytes`), the predicates (`is_signed()`, `is_nonzero()`, ...), the
complex-number interface as it reads for real tensors (`conj()` is the tensor itself, `imag` an
error), `resize_`, `set_`, `apply_`/`map_` with Python callables, and the post-accumulate-grad
hook."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from wright import autograd, dtypes
from wright.tensor import Tensor, _from_array, _RemovableHook, _shape_args, _wrapped_dim


class layout:
    """How a tensor's elements are laid out in memory; wright's tensors are all `wright.strided`
    (dense, with strides)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"wright.{self.name}"

    def __reduce__(self):
        return (_layout_named, (self.name,))


strided = layout("strided")


def _layout_named(name: str) -> layout:
    if name != "strided":
        raise RuntimeError(f"layout: wright has only the strided layout, got {name!r}")
    return strided


# ----- memory layout -----


def stride(self: Tensor, dim: int | None = None):
    """The steps, in elements, between neighbours along each dimension (one dim's when given)."""
    steps = tuple(s // self.array.itemsize for s in self.array.strides)
    if dim is None:
        return steps
    dim = _wrapped_dim(dim, max(self.ndim, 1))
    return steps[dim] if steps else 1


def _root(array: np.ndarray) -> np.ndarray:
    # The array that owns the memory this one views.
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def storage_offset(self: Tensor) -> int:
    """How many elements into its memory this tensor's first element lies (0 unless a view)."""
    start = self.array.__array_interface__["data"][0]
    origin = _root(self.array).__array_interface__["data"][0]
    return (start - origin) // self.array.itemsize


def _layout(self: Tensor) -> layout:
    return strided


def _nbytes(self: Tensor) -> int:
    return self.array.size * self.array.itemsize


def _itemsize(self: Tensor) -> int:
    return self.array.itemsize


Tensor.stride = stride
Tensor.storage_offset = storage_offset
Tensor.layout = property(_layout, doc="The memory layout: always `wright.strided`.")
Tensor.nbytes = property(_nbytes, doc="Bytes the elements take (numel * itemsize).")
Tensor.itemsize = property(_itemsize, doc="Bytes per element.")
Tensor.is_cpu = True
Tensor.is_mps = Tensor.is_xpu = Tensor.is_nested = Tensor.is_mkldnn = False


# ----- predicates -----


def is_complex(input: Tensor) -> bool:
    """Always False: wright has no complex dtypes."""
    return False


def is_signed(input: Tensor) -> bool:
    """Whether the dtype holds negative values (False for uint8 and bool)."""
    return dtypes.from_numpy_dtype(input.array.dtype).is_signed


def is_nonzero(input: Tensor) -> bool:
    """The truth value of a one-element tensor (an error for any other size)."""
    if input.array.size == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.array.size > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.array.reshape(()))


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether two tensors have the same shape."""
    return input.array.shape == other.array.shape


def is_inference(input: Tensor) -> bool:
    """False: wright has no separate inference tensors (its inference_mode is no_grad)."""
    return False


def is_conj(input: Tensor) -> bool:
    """False: a real tensor is never a lazily conjugated view."""
    return False


def is_neg(input: Tensor) -> bool:
    """False: a real tensor is never a lazily negated view."""
    return False


for _function in (is_signed, is_nonzero, is_same_size, is_inference, is_conj, is_neg):
    setattr(Tensor, _function.__name__, _function)


# ----- types -----


def result_type(tensor, other) -> dtypes.dtype:
    """The dtype an arithmetic op on the two operands (tensors or numbers) gives, by PyTorch's
    promotion rules."""
    operands = [t.array if isinstance(t, Tensor) else t for t in (tensor, other)]
    return dtypes.from_numpy_dtype(dtypes.result_type(*operands))


def can_cast(from_, to) -> bool:
    """Whether PyTorch's casting rules allow an op to write `from_` values into `to`: never to a
    lower kind (float to integer, integer to bool)."""
    source, target = dtypes.to_numpy_dtype(from_), dtypes.to_numpy_dtype(to)
    return dtypes.category(target) >= dtypes.category(source)


def typename(obj) -> str:
    """A readable type name: 'wright.FloatTensor' for a tensor, else module.qualname of the
    object's class (of the object itself for classes and functions)."""
    if isinstance(obj, Tensor):
        return obj.type()
    named = obj if hasattr(obj, "__qualname__") else type(obj)
    module = getattr(named, "__module__", "") or ""
    name = getattr(named, "__qualname__", None) or named.__name__
    return name if module in ("", "builtins") else f"{module}.{name}"


# ----- complex numbers, as they read for real tensors -----


def conj(input: Tensor) -> Tensor:
    """The complex conjugate: the tensor itself, as every wright tensor is real."""
    return input


conj_physical = resolve_conj = resolve_neg = conj


def _conj_physical_(self: Tensor) -> Tensor:
    """In-place conjugation: nothing to do for a real tensor."""
    return self


def real(input: Tensor) -> Tensor:
    """The real part: the tensor itself."""
    return input


def imag(input: Tensor) -> Tensor:
    """The imaginary part: an error, as in PyTorch for tensors of real dtypes."""
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (their transpose for real tensors)."""
    if input.ndim < 2:
        raise RuntimeError(
            "tensor.adjoint() is only supported on matrices or batches of matrices. Got "
            f"{input.ndim}-D tensor."
        )
    return input.transpose(-2, -1)


def _hermitian(self: Tensor) -> Tensor:
    if self.ndim == 0:
        warnings.warn(
            "Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", stacklevel=2
        )
        return self
    if self.ndim != 2:
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor."
            + (" For batches of matrices, consider using tensor.mH" if self.ndim > 2 else "")
        )
    return self.transpose(0, 1)


def _batch_hermitian(self: Tensor) -> Tensor:
    if self.ndim < 2:
        raise RuntimeError(
            "tensor.mH is only supported on matrices or batches of matrices. Got "
            f"{self.ndim}-D tensor."
        )
    return self.transpose(-2, -1)


for _name in ("conj", "conj_physical", "resolve_conj", "resolve_neg"):
    setattr(Tensor, _name, conj)
Tensor.adjoint = adjoint
Tensor.conj_physical_ = _conj_physical_
Tensor.real = property(real, doc="The real part: the tensor itself.")
Tensor.imag = property(imag, doc="The imaginary part: an error for real tensors, as in PyTorch.")
Tensor.H = property(_hermitian, doc="The conjugate transpose of a matrix.")
Tensor.mH = property(_batch_hermitian, doc="The conjugate transpose of the last two dims.")


# ----- memory pinning and sharing (plain memory; Tensor.get_device tells the device) -----


def _pin_memory(self: Tensor, device=None) -> Tensor:
    """This tensor (pinned memory only matters for copies to a GPU)."""
    return self


def _is_pinned(self: Tensor, device=None) -> bool:
    """False: wright does not pin memory."""
    return False


def _share_memory_(self: Tensor) -> Tensor:
    """This tensor, unchanged (wright's worker processes receive copies)."""
    return self


def _is_shared(self: Tensor) -> bool:
    """False: wright's tensors live in ordinary process memory."""
    return False


Tensor.pin_memory = _pin_memory
Tensor.is_pinned = _is_pinned
Tensor.share_memory_ = _share_memory_
Tensor.is_shared = _is_shared


# ----- changing size and memory -----


def _refuse_grad(self: Tensor, message: str) -> None:
    if self._requires_grad:
        raise RuntimeError(message)


def resize_(self: Tensor, *sizes, memory_format=None) -> Tensor:
    """Give the tensor a new shape, keeping the leading elements in row-major order; new
    elements are zeros (uninitialised in PyTorch), and the memory may be new."""
    _refuse_grad(self, "cannot resize variables that require grad")
    shape = _shape_args(sizes)
    if any(n < 0 for n in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    count = math.prod(shape)
    if count == self.array.size and self.array.flags.c_contiguous:
        self.array = self.array.reshape(shape)
    else:
        grown = np.zeros(shape, self.array.dtype)
        kept = min(count, self.array.size)
        grown.reshape(-1)[:kept] = self.array.reshape(-1)[:kept]
        self.array = grown
    self._view_index = None
    self._version_counter[0] += 1
    return self


def resize_as_(input: Tensor, the_template: Tensor, *, memory_format=None) -> Tensor:
    """`resize_` to another tensor's shape."""
    return resize_(input, the_template.shape)


def set_(self: Tensor, source: Tensor | None = None) -> Tensor:
    """Make this tensor use `source`'s memory, shape and dtype (empty without a source)."""
    if source is not None and not isinstance(source, Tensor):
        raise TypeError(
            f"set_(): wright sets a tensor from another tensor, got {type(source).__name__}"
        )
    if autograd.is_grad_enabled() and self._requires_grad and self._ctx is None:
        raise RuntimeError(
            "set_: a leaf tensor that requires grad is being used in an in-place operation"
        )
    if source is None:
        self.array = np.zeros(0, self.array.dtype)
        self._version_counter[0] += 1
    else:
        self.array = source.array
        # One memory, one count of changes.
        source._version_counter[0] += 1
        self._version_counter = source._version_counter
    self._view_index = None
    return self


def apply_(self: Tensor, callable: Callable) -> Tensor:
    """Replace every element x by callable(x), calling the Python function once per element
    (slow; for small tensors)."""
    _refuse_grad(
        self,
        "Can't call apply_() on Variable that requires grad. Use var.detach().apply_() instead.",
    )
    mapped = np.vectorize(callable, otypes=[self.array.dtype])(self.array)
    self._write(_from_array(mapped), "apply_")
    return self


def map_(self: Tensor, tensor: Tensor, callable: Callable) -> Tensor:
    """Replace every element x by callable(x, y), y the element of `tensor` (broadcast to this
    shape) at the same place."""
    _refuse_grad(
        self, "Can't call map_() on Variable that requires grad. Use var.detach().map_() instead."
    )
    other = np.broadcast_to(tensor.array, self.array.shape)
    mapped = np.vectorize(callable, otypes=[self.array.dtype])(self.array, other)
    self._write(_from_array(mapped), "map_")
    return self


def map2_(self: Tensor, x: Tensor, y: Tensor, callable: Callable) -> Tensor:
    """Replace every element s by callable(s, a, b), a and b the elements of x and y (broadcast
    to this shape) at the same place."""
    _refuse_grad(
        self, "Can't call map2_() on Variable that requires grad. Use var.detach().map2_() instead."
    )
    shape = self.array.shape
    mapped = np.vectorize(callable, otypes=[self.array.dtype])(
        self.array, np.broadcast_to(x.array, shape), np.broadcast_to(y.array, shape)
    )
    self._write(_from_array(mapped), "map2_")
    return self


for _function in (resize_, resize_as_, set_, apply_, map_, map2_):
    setattr(Tensor, _function.__name__, _function)


# ----- hooks -----


def register_post_accumulate_grad_hook(self: Tensor, hook: Callable[[Tensor], None]):
    """Call `hook(tensor)` after backward has added to this leaf's `.grad` (optimizers that step
    during backward use it). Returns a handle whose `remove()` unregisters it."""
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self._ctx is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    hooks = autograd.post_accumulate_grad_hooks(self, create=True)
    hooks.append(hook)
    return _RemovableHook(hooks, hook)


Tensor.register_post_accumulate_grad_hook = register_post_accumulate_grad_hook

__all__ = [
    "adjoint",
    "can_cast",
    "conj",
    "conj_physical",
    "imag",
    "is_complex",
    "is_conj",
    "is_inference",
    "is_neg",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "layout",
    "real",
    "resize_as_",
    "resolve_conj",
    "resolve_neg",
    "result_type",
    "strided",
    "typename",
]
