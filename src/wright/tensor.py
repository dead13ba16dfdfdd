"""Tensor: an n-dimensional array that remembers the ops that made it, so gradients can flow
back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from wright import autograd, backend
from wright.ops import elementwise as E
from wright.ops import linalg as L
from wright.ops import reduce as R
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
        return tuple(shape[0])
    return tuple(shape)


def _check_can_require_grad(dtype: np.dtype) -> None:
    if dtype.kind != "f":
        raise RuntimeError(f"only floating-point tensors can require gradients, got dtype {dtype}")


def _index_array(index):
    """Replace Tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


class Tensor:
    """An array (`data`) with an optional gradient (`grad`) and a link to the op that produced it
    (`_ctx`).

    Example:
        >>> x = wright.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4., 6.])
    """

    __slots__ = ("__weakref__", "_ctx", "_retains_grad", "data", "grad", "requires_grad")
    # Make NumPy hand mixed expressions (array + Tensor) to Tensor's operators.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = False, dtype=None) -> None:
        if type(data) is not np.ndarray or dtype is not None:
            data = backend.to_array(data.data if isinstance(data, Tensor) else data, dtype)
        self.data = data
        self.grad: Tensor | None = None
        self.requires_grad = requires_grad
        self._ctx: autograd.Function | None = None
        self._retains_grad = False
        if requires_grad:
            _check_can_require_grad(data.dtype)

    # ----- basic properties -----
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op that records a graph."""
        return self._ctx is None

    def size(self, dim: int | None = None):
        """The shape (PyTorch's spelling), or the length of one dimension; `numel()` counts
        elements."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        """Number of elements."""
        return self.data.size

    def dim(self) -> int:
        """Number of dimensions."""
        return self.data.ndim

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = ""
        if self.data.dtype not in (backend.get_default_dtype(), np.int64, np.bool_):
            extras += f", dtype={self.data.dtype}"
        if self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({body}{extras})"

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    __hash__ = object.__hash__

    # ----- conversion -----
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied); detach first if it may be modified."""
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item(): tensor has {self.data.size} elements, expected exactly 1")
        return self.data.item()

    def tolist(self):
        """Nested Python lists of the values."""
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same values, cut off from the graph (no gradient flows through)."""
        return Tensor(self.data)

    def clone(self) -> Tensor:
        """A copy that keeps the graph link (gradient flows back to the original)."""
        return self * 1 if self.requires_grad else Tensor(self.data.copy())

    def to(self, dtype) -> Tensor:
        """Convert to another dtype; between floating types the gradient flows through."""
        dtype = np.dtype(dtype) if not isinstance(dtype, str) or dtype != "cpu" else self.data.dtype
        if dtype == self.data.dtype:
            return self
        if dtype.kind == "f" and self.requires_grad:
            return E.Cast.apply(self, dtype=dtype)
        return Tensor(self.data.astype(dtype))

    astype = type = to

    def float(self) -> Tensor:
        """Convert to float32."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """Convert to float64."""
        return self.to(np.float64)

    def long(self) -> Tensor:
        """Convert to int64."""
        return self.to(np.int64)

    def int(self) -> Tensor:
        """Convert to int32."""
        return self.to(np.int32)

    def bool(self) -> Tensor:
        """Convert to bool."""
        return self.to(np.bool_)

    # ----- autograd -----
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad and add it to the leaf's
        `.grad`.

        `grad` is the gradient of some final scalar with respect to this tensor; it may be omitted
        for a one-element tensor (it is then 1).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): tensor does not require grad and has no graph to go back through"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    "backward(): grad can be omitted only for one-element outputs, "
                    f"shape is {self.shape}"
                )
            grad = np.ones_like(self.data)
        else:
            # A copy, because the leaves' gradients may end up as views of it.
            grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward(): grad has shape {grad.shape}, "
                    f"expected the tensor's shape {self.shape}"
                )
        autograd.run_backward(self, grad, retain_graph)

    def retain_grad(self) -> Tensor:
        """Keep this intermediate tensor's gradient in `.grad` after backward (leaves always keep
        theirs)."""
        self._retains_grad = True
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set `requires_grad` in place and return self."""
        if requires_grad:
            _check_can_require_grad(self.data.dtype)
        self.requires_grad = requires_grad
        return self

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        self.data[...] = 0
        return self

    def fill_(self, value) -> Tensor:
        """Fill with a value in place."""
        self.data[...] = value
        return self

    def copy_(self, source) -> Tensor:
        """Copy values from another tensor or array in place (shapes must broadcast)."""
        self.data[...] = source.data if isinstance(source, Tensor) else source
        return self

    # ----- arithmetic -----
    def _lift(self, other) -> Tensor:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, int | float) and self.data.dtype.kind == "f":
            return Tensor(np.asarray(other, dtype=self.data.dtype))
        return Tensor(other)

    def __add__(self, other):
        return E.Add.apply(self, self._lift(other))

    def __radd__(self, other):
        return E.Add.apply(self._lift(other), self)

    def __sub__(self, other):
        return E.Sub.apply(self, self._lift(other))

    def __rsub__(self, other):
        return E.Sub.apply(self._lift(other), self)

    def __mul__(self, other):
        return E.Mul.apply(self, self._lift(other))

    def __rmul__(self, other):
        return E.Mul.apply(self._lift(other), self)

    def __truediv__(self, other):
        return E.Div.apply(self, self._lift(other))

    def __rtruediv__(self, other):
        return E.Div.apply(self._lift(other), self)

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor) and exponent.requires_grad:
            # d/db a^b = a^b log a: a learned exponent needs the log form (defined for a > 0).
            return (self.log() * exponent).exp()
        constant = exponent.data if isinstance(exponent, Tensor) else exponent
        return E.Pow.apply(self, exponent=constant)

    def __rpow__(self, base):
        return (self._lift(base).log() * self).exp()

    def __neg__(self):
        return E.Neg.apply(self)

    def __matmul__(self, other):
        other = self._lift(other)
        if self.ndim == 0 or other.ndim == 0:
            raise ValueError(
                "matmul: both operands need at least 1 dimension, "
                f"got shapes {self.shape} and {other.shape}"
            )
        if self.shape[-1] != other.shape[-2 if other.ndim > 1 else 0]:
            raise ValueError(
                f"matmul: shapes {self.shape} and {other.shape} do not line up "
                f"({self.shape[-1]} != {other.shape[-2 if other.ndim > 1 else 0]})"
            )
        return L.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return self._lift(other).__matmul__(self)

    def _compare(self, other, op):
        return Tensor(op(self.data, other.data if isinstance(other, Tensor) else other))

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __index__(self) -> int:
        return int(self.data)

    # ----- elementwise functions -----
    def exp(self) -> Tensor:
        """e to the power of each element."""
        return E.Exp.apply(self)

    def log(self) -> Tensor:
        """Natural logarithm of each element."""
        return E.Log.apply(self)

    def sqrt(self) -> Tensor:
        """Square root of each element."""
        return E.Sqrt.apply(self)

    def abs(self) -> Tensor:
        """Absolute value of each element."""
        return E.Abs.apply(self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent: squashes to (-1, 1)."""
        return E.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        """Logistic function 1 / (1 + e^-x): squashes to (0, 1)."""
        return E.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        """Rectified linear unit max(x, 0)."""
        return E.ReLU.apply(self)

    def clip(self, min=None, max=None) -> Tensor:
        """Limit values to [min, max]; the gradient is zero where a value was clipped."""
        return E.Clip.apply(self, low=min, high=max)

    clamp = clip

    def maximum(self, other) -> Tensor:
        """Elementwise maximum with another tensor or number."""
        return E.Maximum.apply(self, self._lift(other))

    def minimum(self, other) -> Tensor:
        """Elementwise minimum with another tensor or number."""
        return E.Minimum.apply(self, self._lift(other))

    # ----- reductions -----
    def _reduce(self, op, axis, keepdims, dim, keepdim, **attrs) -> Tensor:
        axis = pick(axis, dim, "axis", "dim")
        keepdims = pick(keepdims, keepdim, "keepdims", "keepdim", False)
        return op.apply(self, axis=axis, keepdims=keepdims, **attrs)

    def sum(self, axis=None, keepdims=None, *, dim=None, keepdim=None) -> Tensor:
        """Sum over `axis` (or `dim`); all elements when neither is given."""
        return self._reduce(R.Sum, axis, keepdims, dim, keepdim)

    def mean(self, axis=None, keepdims=None, *, dim=None, keepdim=None) -> Tensor:
        """Arithmetic mean over `axis` (or `dim`)."""
        return self._reduce(R.Mean, axis, keepdims, dim, keepdim)

    def max(self, axis=None, keepdims=None, *, dim=None, keepdim=None) -> Tensor:
        """Largest value over `axis` (or `dim`); returns values only (use `argmax` for
        positions)."""
        return self._reduce(R.Max, axis, keepdims, dim, keepdim)

    def min(self, axis=None, keepdims=None, *, dim=None, keepdim=None) -> Tensor:
        """Smallest value over `axis` (or `dim`); returns values only (use `argmin` for
        positions)."""
        return self._reduce(R.Max, axis, keepdims, dim, keepdim, smallest=True)

    def var(
        self,
        axis=None,
        keepdims=None,
        ddof: int = 0,
        *,
        dim=None,
        keepdim=None,
        correction=None,
        unbiased=None,
    ) -> Tensor:
        """Variance over `axis`; `ddof` (NumPy, default 0) or `correction`/`unbiased` (PyTorch) set
        the divisor."""
        axis = pick(axis, dim, "axis", "dim")
        keepdims = pick(keepdims, keepdim, "keepdims", "keepdim", False)
        if correction is not None:
            ddof = correction
        elif unbiased is not None:
            ddof = int(unbiased)
        centred = self - self.mean(axis=axis, keepdims=True)
        count = R._count(self.shape, axis)
        return (centred * centred).sum(axis=axis, keepdims=keepdims) / max(count - ddof, 1)

    def std(self, *args, **kwargs) -> Tensor:
        """Standard deviation: the square root of `var`, taking the same arguments."""
        return self.var(*args, **kwargs).sqrt()

    def _positions(self, find, axis, keepdims, dim, keepdim) -> Tensor:
        axis = pick(axis, dim, "axis", "dim")
        return Tensor(
            find(
                self.data, axis=axis, keepdims=pick(keepdims, keepdim, "keepdims", "keepdim", False)
            )
        )

    def argmax(self, axis=None, keepdims=None, *, dim=None, keepdim=None) -> Tensor:
        """Index of the largest value over `axis` (flattened when no axis is given)."""
        return self._positions(np.argmax, axis, keepdims, dim, keepdim)

    def argmin(self, axis=None, keepdims=None, *, dim=None, keepdim=None) -> Tensor:
        """Index of the smallest value over `axis` (flattened when no axis is given)."""
        return self._positions(np.argmin, axis, keepdims, dim, keepdim)

    def logsumexp(self, axis=None, keepdims=None, *, dim=None, keepdim=None) -> Tensor:
        """log(sum(exp(x))) over `axis`, computed without overflow."""
        return self._reduce(R.LogSumExp, axis, keepdims, dim, keepdim)

    def softmax(self, axis=None, *, dim=None) -> Tensor:
        """Exponentiate and normalise along `axis` (default last): positive values summing to 1."""
        return R.Softmax.apply(self, axis=pick(axis, dim, "axis", "dim", -1))

    def log_softmax(self, axis=None, *, dim=None) -> Tensor:
        """log(softmax(x)) along `axis` (default last), computed stably."""
        return R.LogSoftmax.apply(self, axis=pick(axis, dim, "axis", "dim", -1))

    # ----- shape -----
    def reshape(self, *shape) -> Tensor:
        """Same values in a new shape; one dimension may be -1."""
        return S.Reshape.apply(self, shape=_shape_args(shape))

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions start_dim..end_dim into one."""
        shape = self.shape
        start, end = start_dim % max(self.ndim, 1), end_dim % max(self.ndim, 1)
        return self.reshape(shape[:start] + (-1,) + shape[end + 1 :])

    def permute(self, *dims) -> Tensor:
        """Reorder the dimensions."""
        return S.Permute.apply(self, axes=_shape_args(dims))

    def transpose(self, *dims) -> Tensor:
        """With two dims, swap them (PyTorch); with none, reverse all; with a full order, permute
        (NumPy)."""
        dims = _shape_args(dims)
        if not dims:
            dims = tuple(reversed(range(self.ndim)))
        elif len(dims) == 2:
            order = list(range(self.ndim))
            a, b = dims
            order[a], order[b] = order[b], order[a]
            dims = tuple(order)
        return self.permute(dims)

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the matrix transpose for 2-D)."""
        return self.transpose()

    def squeeze(self, axis=None, *, dim=None) -> Tensor:
        """Remove dimensions of size 1 (only `axis` when given)."""
        axis = pick(axis, dim, "axis", "dim")
        if self.ndim == 0:
            return self
        if axis is None:
            shape = tuple(n for n in self.shape if n != 1)
        else:
            axes = {a % self.ndim for a in (axis if isinstance(axis, tuple) else (axis,))}
            shape = tuple(n for i, n in enumerate(self.shape) if not (i in axes and n == 1))
        return self.reshape(shape)

    def unsqueeze(self, axis=None, *, dim=None) -> Tensor:
        """Insert a dimension of size 1 at `axis`."""
        axis = pick(axis, dim, "axis", "dim")
        axis = axis if axis >= 0 else axis + self.ndim + 1
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def expand(self, *shape) -> Tensor:
        """Broadcast to a larger shape without copying; -1 keeps a dimension."""
        shape = _shape_args(shape)
        offset = len(shape) - self.ndim
        shape = tuple(self.shape[i - offset] if n == -1 else n for i, n in enumerate(shape))
        return S.Expand.apply(self, shape=shape)

    broadcast_to = expand

    def expand_as(self, other: Tensor) -> Tensor:
        """Broadcast to another tensor's shape."""
        return self.expand(other.shape)

    def __getitem__(self, index) -> Tensor:
        return S.GetItem.apply(self, index=_index_array(index))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def split(self, split_size_or_sections, axis=None, *, dim=None) -> tuple[Tensor, ...]:
        """Split into pieces of `split_size` (int) or of the listed sizes along `axis` (PyTorch
        semantics)."""
        return split(self, split_size_or_sections, axis, dim=dim)

    def chunk(self, chunks: int, axis=None, *, dim=None) -> tuple[Tensor, ...]:
        """Split into `chunks` nearly equal pieces along `axis`."""
        axis = pick(axis, dim, "axis", "dim", 0)
        return split(self, -(-self.shape[axis] // chunks), axis)


def split(tensor: Tensor, split_size_or_sections, axis=None, *, dim=None) -> tuple[Tensor, ...]:
    """Split along `axis` into pieces of the given size (int) or sizes (list), as torch.split
    does."""
    axis = pick(axis, dim, "axis", "dim", 0)
    length = tensor.shape[axis]
    if isinstance(split_size_or_sections, int):
        sizes = [split_size_or_sections] * (length // split_size_or_sections)
        if length % split_size_or_sections:
            sizes.append(length % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != length:
            raise ValueError(
                f"split: sizes {sizes} add up to {sum(sizes)}, but dimension {axis} has {length}"
            )
    pieces, start = [], 0
    for size in sizes:
        index = [slice(None)] * tensor.ndim
        index[axis] = slice(start, start + size)
        pieces.append(tensor[tuple(index)])
        start += size
    return tuple(pieces)


def _as_tensors(tensors: Iterable) -> list[Tensor]:
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


def concatenate(tensors: Sequence[Tensor], axis=None, *, dim=None) -> Tensor:
    """Join tensors along an existing axis (also spelled `cat`)."""
    tensors = _as_tensors(tensors)
    axis = pick(axis, dim, "axis", "dim", 0)
    reference = tensors[0].shape
    for t in tensors[1:]:
        if t.ndim != len(reference) or any(
            a != b for i, (a, b) in enumerate(zip(t.shape, reference)) if i != axis % len(reference)
        ):
            raise ValueError(
                f"concatenate: shapes {reference} and {t.shape} differ outside axis {axis}"
            )
    return S.Concatenate.apply(*tensors, axis=axis)


cat = concatenate


def stack(tensors: Sequence[Tensor], axis=None, *, dim=None) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    tensors = _as_tensors(tensors)
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors need the same shape, got {sorted(shapes)}")
    return S.Stack.apply(*tensors, axis=pick(axis, dim, "axis", "dim", 0))


def where(condition, a, b) -> Tensor:
    """Elementwise choice: a where condition is true, else b."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    a = a if isinstance(a, Tensor) else Tensor(a)
    return E.Where.apply(a, a._lift(b), condition=condition.astype(bool))


def pad(tensor: Tensor, pad_width, value: float = 0.0) -> Tensor:
    """Pad with a constant; `pad_width` is NumPy's ((before, after), ...) per dimension."""
    pad_width = tuple(tuple(p) for p in np.broadcast_to(np.asarray(pad_width), (tensor.ndim, 2)))
    return S.Pad.apply(tensor, pad_width=pad_width, value=value)
