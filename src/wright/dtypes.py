"""Data types: `wright.float32`, `wright.long`, ... and PyTorch's rules for mixing them.

A wright dtype wraps a NumPy dtype. It compares equal to that NumPy dtype (and to its scalar type,
`np.float32`), hashes like it, and NumPy accepts it wherever it takes a dtype, so arrays and
tensors mix freely. What it adds is PyTorch's face: `repr` is `wright.float32`, and it has
`is_floating_point`, `is_signed` and `itemsize`.

Type promotion follows PyTorch, not NumPy, where they differ:
- an integer tensor mixed with a float of any kind gives a float (int64 + float32 -> float32);
- a Python number, or a zero-dimensional tensor, changes the result's type only when it is of a
  higher category (bool < integer < floating) than every tensor with dimensions: a float32 tensor
  times 2.5 or times a 0-d float64 tensor stays float32, an int64 tensor times 2.5 becomes the
  default float dtype.
"""

from __future__ import annotations

import builtins

import numpy as np


class dtype:
    """A tensor's element type, such as `wright.float32` or `wright.int64`.

    Example:
        >>> wright.zeros(2, dtype=wright.long).dtype
        wright.int64
        >>> wright.float32.is_floating_point
        True
    """

    __slots__ = ("dtype", "name")

    def __init__(self, numpy_dtype, name: str) -> None:
        # NumPy reads `.dtype` from any object passed as a dtype, so np.zeros(3, wright.float32)
        # works.
        self.dtype = np.dtype(numpy_dtype)
        self.name = name

    @property
    def is_floating_point(self) -> bool:
        """True for float16, float32 and float64."""
        return self.dtype.kind == "f"

    @property
    def is_complex(self) -> bool:
        """Always False: wright has no complex dtypes."""
        return False

    @property
    def is_signed(self) -> bool:
        """True unless the type is unsigned (uint8) or bool."""
        return self.dtype.kind in "if"

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    def to_real(self) -> dtype:
        """The dtype itself (wright has no complex types)."""
        return self

    def __repr__(self) -> str:
        return f"wright.{self.name}"

    def __eq__(self, other) -> bool:
        if isinstance(other, dtype):
            return self.dtype == other.dtype
        try:
            return self.dtype == np.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.dtype)

    def __reduce__(self):
        return (as_dtype, (self.name,))


float16 = half = dtype(np.float16, "float16")
float32 = float = dtype(np.float32, "float32")
float64 = double = dtype(np.float64, "float64")
uint8 = dtype(np.uint8, "uint8")
int8 = dtype(np.int8, "int8")
int16 = short = dtype(np.int16, "int16")
int32 = int = dtype(np.int32, "int32")
int64 = long = dtype(np.int64, "int64")
bool = dtype(np.bool_, "bool")

_BY_NUMPY = {
    d.dtype: d for d in (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
}
_BY_NAME = {d.name: d for d in _BY_NUMPY.values()}
_BY_NAME.update(half=half, float=float32, double=float64, short=int16, int=int32, long=int64)


def as_dtype(value) -> dtype:
    """The wright dtype for a wright dtype, a NumPy dtype or scalar type, a name, or a Python type.

    `float` means the default float dtype's kind as in NumPy (float64) only when given as NumPy's
    `np.float64`; the Python types `float`, `int` and `bool` map as PyTorch maps them: float32
    (the default float dtype), int64 and bool.
    """
    if isinstance(value, dtype):
        return value
    if value is builtins.float:
        return _BY_NUMPY[default_float_numpy()]
    if value is builtins.int:
        return int64
    if value is builtins.bool:
        return bool
    if isinstance(value, str) and value.removeprefix("wright.").removeprefix("torch.") in _BY_NAME:
        return _BY_NAME[value.removeprefix("wright.").removeprefix("torch.")]
    try:
        numpy_dtype = np.dtype(value)
    except TypeError:
        raise TypeError(f"dtype: expected a dtype such as wright.float32, got {value!r}") from None
    if numpy_dtype not in _BY_NUMPY:
        raise TypeError(f"dtype: wright has no dtype for NumPy's {numpy_dtype}")
    return _BY_NUMPY[numpy_dtype]


def to_numpy_dtype(value) -> np.dtype:
    """The NumPy dtype behind any dtype spelling `as_dtype` accepts."""
    if isinstance(value, np.dtype):
        return value
    return as_dtype(value).dtype


def from_numpy_dtype(numpy_dtype: np.dtype) -> dtype:
    """The wright dtype that wraps a NumPy dtype."""
    found = _BY_NUMPY.get(numpy_dtype)
    if found is None:
        raise TypeError(f"dtype: wright has no dtype for NumPy's {numpy_dtype}")
    return found


_default_float = np.dtype(np.float32)


def default_float_numpy() -> np.dtype:
    """The NumPy dtype of the default floating type (float32 unless changed)."""
    return _default_float


def get_default_dtype() -> dtype:
    """The floating dtype that new tensors get (float32 unless changed)."""
    return _BY_NUMPY[_default_float]


def set_default_dtype(value) -> None:
    """Set the floating dtype that new tensors get; float32 and float64 are accepted."""
    global _default_float
    numpy_dtype = to_numpy_dtype(value)
    if numpy_dtype not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: expected float32 or float64, got {numpy_dtype}")
    _default_float = numpy_dtype


# ----- PyTorch's promotion rules -----

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def category(numpy_dtype: np.dtype) -> builtins.int:
    """0 for bool, 1 for integers, 2 for floats."""
    return _CATEGORY[numpy_dtype.kind]


def promote_types(type1, type2) -> dtype:
    """The dtype two dtypes combine to, by PyTorch's table: `promote_types(wright.int64,
    wright.float32)` is float32."""
    return from_numpy_dtype(promote(to_numpy_dtype(type1), to_numpy_dtype(type2)))


def promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """The smallest NumPy dtype both convert to, by PyTorch's table: a float beats any integer."""
    if a == b:
        return a
    category_a, category_b = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if category_a != category_b:
        return a if category_a > category_b else b
    return np.promote_types(a, b)


def _scalar_dtype(value) -> np.dtype:
    if isinstance(value, builtins.bool | np.bool_):
        return np.dtype(np.bool_)
    if isinstance(value, builtins.int | np.integer):
        return np.dtype(np.int64)
    if isinstance(value, builtins.float | np.floating):
        return _default_float
    raise TypeError(f"expected a Tensor or a number, got {type(value).__name__}")


def result_type(*operands) -> np.dtype:
    """The dtype PyTorch gives an op on these operands (arrays of any device, or numbers).

    Arrays with dimensions decide first; 0-d arrays and then Python numbers count only when they
    bring a higher category. Python floats count as the default float dtype.
    """
    tiers: list[np.dtype | None] = [None, None, None]  # dimensioned, zero-dim, Python number
    for operand in operands:
        scalar = isinstance(operand, builtins.bool | builtins.int | builtins.float | np.generic)
        if scalar or not hasattr(operand, "ndim"):
            tier, kind = 2, _scalar_dtype(operand)
        else:  # an array: NumPy's, or a device's
            tier, kind = (0 if operand.ndim else 1), operand.dtype
        tiers[tier] = kind if tiers[tier] is None else promote(tiers[tier], kind)
    result = tiers[2]
    for higher in (tiers[1], tiers[0]):
        result = _combine(higher, result)
    return result


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    # `higher` is from a more important tier; `lower` wins only by bringing a higher category.
    if higher is None:
        return lower
    if lower is None or _CATEGORY[higher.kind] >= _CATEGORY[lower.kind]:
        return higher
    return promote(higher, lower)
