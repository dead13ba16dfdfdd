"""Turning lists of samples into batches (`default_collate`) and arrays into tensors
(`default_convert`), with PyTorch's rules for each kind of value."""

from __future__ import annotations

import collections.abc
import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from wright.creation import tensor as _tensor
from wright.tensor import Tensor, _from_array, stack

_COLLATE_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_text(array: np.ndarray) -> bool:
    # Bytes, unicode and object arrays can't become tensors.
    return array.dtype.kind in "SaUO"


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars into tensors, inside dicts, (named) tuples and lists too;
    everything else is returned unchanged. What a DataLoader without batching applies to each
    sample (tuples come back as lists, as in PyTorch).

    Example:
        >>> default_convert((np.zeros(2), "a"))
        [tensor([0., 0.], dtype=wright.float64), 'a']
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _is_text(data) else _from_array(data)
    # Tuples before the (slower) abstract-class checks: a batch is usually one.
    if isinstance(data, tuple):
        if hasattr(data, "_fields"):  # a namedtuple keeps its type
            return type(data)(*(default_convert(d) for d in data))
        return [default_convert(d) for d in data]
    if isinstance(data, np.generic) and not isinstance(data, np.str_ | np.bytes_):
        return _from_array(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, str | bytes):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(original: collections.abc.Mapping, values: dict) -> Any:
    """`values` in a mapping of the original's type where that type allows, else a dict."""
    try:
        if isinstance(original, collections.abc.MutableMapping):
            rebuilt = copy.copy(original)
            rebuilt.update(values)
            return rebuilt
        return type(original)(values)
    except TypeError:
        return values


def _rebuild_sequence(original: collections.abc.Sequence, items: list) -> Any:
    """`items` in a sequence of the original's type where that type allows, else a list."""
    try:
        if isinstance(original, collections.abc.MutableSequence):
            rebuilt = copy.copy(original)
            for i, item in enumerate(items):
                rebuilt[i] = item
            return rebuilt
        return type(original)(items)
    except TypeError:
        return items


def _stack(arrays: list[np.ndarray]) -> Tensor:
    shapes = [a.shape for a in arrays]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise RuntimeError(
                "default_collate: stack expects each tensor to be equal size, but got "
                f"{list(shapes[0])} at entry 0 and {list(shape)} at entry {i}"
            )
    return _from_array(np.stack(arrays))


def _collate_tensors(batch, *, collate_fn_map=None) -> Tensor:
    if any(t.requires_grad for t in batch):
        return stack(batch, 0)  # keep the graph
    return _stack([t.array for t in batch])


def _collate_arrays(batch, *, collate_fn_map=None) -> Tensor:
    if _is_text(batch[0]):
        raise TypeError(_COLLATE_ERROR.format(batch[0].dtype))
    return _stack(list(batch))


def _collate_numpy_scalars(batch, *, collate_fn_map=None) -> Tensor:
    return _from_array(np.asarray(batch))


def _collate_floats(batch, *, collate_fn_map=None) -> Tensor:
    return _from_array(np.asarray(batch, dtype=np.float64))


def _collate_ints(batch, *, collate_fn_map=None) -> Tensor:
    return _tensor(batch)  # int64, or bool for bools


def _collate_strings(batch, *, collate_fn_map=None) -> Any:
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: _collate_tensors,
    np.ndarray: _collate_arrays,
    (np.bool_, np.number, np.object_): _collate_numpy_scalars,
    float: _collate_floats,
    int: _collate_ints,
    str: _collate_strings,
    bytes: _collate_strings,
}


def collate(batch, *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None):
    """Collate a list of samples, looking up how to batch each kind of leaf value in
    `collate_fn_map` (exact type first, then isinstance in order); dicts, namedtuples and other
    sequences are collated field by field.

    Each function in the map is called as `fn(batch, collate_fn_map=collate_fn_map)`. Extend a
    copy of `default_collate_fn_map` to teach it a new type.
    """
    first = batch[0]
    kind = type(first)
    if collate_fn_map is not None:
        if kind in collate_fn_map:
            return collate_fn_map[kind](batch, collate_fn_map=collate_fn_map)
        for handled, fn in collate_fn_map.items():
            if isinstance(first, handled):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(first, collections.abc.Mapping):
        values = {
            key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in first
        }
        return _rebuild_mapping(first, values)
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # namedtuple
        return kind(*(collate(field, collate_fn_map=collate_fn_map) for field in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        size = len(first)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # Each field goes on as a tuple: strings come back as one, as in PyTorch.
        fields = [collate(field, collate_fn_map=collate_fn_map) for field in zip(*batch)]
        # A tuple of fields comes back as a list, as in PyTorch.
        return fields if isinstance(first, tuple) else _rebuild_sequence(first, fields)
    raise TypeError(_COLLATE_ERROR.format(kind))


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, as PyTorch's DataLoader does by default.

    Tensors and NumPy arrays are stacked along a new first dimension (arrays keep their dtype);
    Python floats become a float64 tensor, ints int64 (bools bool), NumPy scalars keep their
    dtype; strings and bytes stay a list; dicts are collated key by key, namedtuples field by
    field, and tuples or lists of fields into a list of batches. Anything else raises TypeError.

    Example:
        >>> x, y = default_collate([(np.ones(2, np.float32), 1), (np.zeros(2, np.float32), 3)])
        >>> x.shape, y.tolist()
        (wright.Size([2, 2]), [1, 3])
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
