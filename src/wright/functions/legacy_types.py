"""PyTorch's legacy tensor types and memory formats: `wright.FloatTensor(2, 3)`,
`wright.LongTensor([1, 2])`, `isinstance(x, wright.FloatTensor)`, `x.type(wright.LongTensor)` or
`x.type('torch.DoubleTensor')`, and `wright.channels_last` (accepted; wright's memory is always
row-major)."""

from __future__ import annotations

import numpy as np

from wright import dtypes
from wright.tensor import _LEGACY_NAMES, Size, Tensor, _from_array


class _LegacyType(type):
    """The metaclass of the legacy types: an instance check tests the dtype; a call builds a
    tensor from sizes (zero-filled) or data."""

    numpy_dtype: np.dtype

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and instance.array.dtype == cls.numpy_dtype

    def __call__(cls, *args, device=None) -> Tensor:
        if not args:
            return _from_array(np.zeros(0, cls.numpy_dtype))
        sizes = all(isinstance(a, int | np.integer) and not isinstance(a, bool) for a in args)
        if sizes or (len(args) == 1 and isinstance(args[0], Size)):
            shape = tuple(args[0]) if isinstance(args[0], Size) else tuple(int(a) for a in args)
            return _from_array(np.zeros(shape, cls.numpy_dtype))
        if len(args) == 1:
            data = args[0].array if isinstance(args[0], Tensor) else args[0]
            return _from_array(np.array(data, dtype=cls.numpy_dtype))
        raise TypeError(f"{cls.__name__}(): expected sizes or one sequence of data, got {args}")

    def __repr__(cls) -> str:
        return f"<class 'wright.{cls.__name__}'>"

    @property
    def dtype(cls) -> dtypes.dtype:
        """The dtype of this type's tensors."""
        return dtypes.from_numpy_dtype(cls.numpy_dtype)


_TYPES = {
    name: _LegacyType(name, (), {"numpy_dtype": numpy_dtype})
    for numpy_dtype, name in _LEGACY_NAMES.items()
}
globals().update(_TYPES)


def _as_dtype(kind):
    # A legacy type, its name ('torch.FloatTensor' or 'wright.FloatTensor') or a dtype.
    if isinstance(kind, _LegacyType):
        return kind.dtype
    if isinstance(kind, str):
        name = kind.rsplit(".", 1)[-1]
        if name in _TYPES:
            return _TYPES[name].dtype
    return kind


_plain_type = Tensor.type


def _type(self: Tensor, dtype=None, non_blocking: bool = False, **kwargs):
    """With no argument, the type's name ('wright.FloatTensor'); with a dtype, a legacy type or
    its name, the tensor converted to it."""
    return _plain_type(self, None if dtype is None else _as_dtype(dtype), non_blocking)


Tensor.type = _type


class memory_format:
    """How a tensor's elements are ordered in memory; wright keeps every tensor row-major, so
    the formats are accepted and change nothing."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"wright.{self.name}"


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")

__all__ = [
    "channels_last",
    "channels_last_3d",
    "contiguous_format",
    "memory_format",
    "preserve_format",
]
__all__ += list(_TYPES)
