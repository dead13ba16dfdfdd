"""How tensors print: PyTorch's layout, so printed output reads the same in both frameworks.

Floats get four decimals (`1.5000`), or none when every value is whole (`2.`), or scientific
notation when the values span more than three orders of magnitude or leave [1e-4, 1e8]; columns
are padded to one width; tensors of more than 1000 elements show their first and last three
entries per dimension.
"""

from __future__ import annotations

import numpy as np


def _float_format(array: np.ndarray):
    finite = array[np.isfinite(array)]
    magnitudes = np.abs(finite[finite != 0])
    if finite.size and np.all(finite == np.round(finite)):
        if magnitudes.size and magnitudes.max() > 1e8:
            return "{:.4e}".format
        return lambda value: f"{value:.0f}." if np.isfinite(value) else f"{value}"
    if magnitudes.size and (
        magnitudes.max() / magnitudes.min() > 1000
        or magnitudes.max() > 1e8
        or magnitudes.min() < 1e-4
    ):
        return "{:.4e}".format
    return "{:.4f}".format


def tensor_body(array: np.ndarray, prefix: str = "tensor(") -> str:
    """The values part of a tensor's repr, laid out as PyTorch lays it out."""
    if array.dtype.kind != "f" or array.size == 0:
        return np.array2string(array, separator=", ", prefix=prefix, threshold=1000, edgeitems=3)
    form = _float_format(array.astype(np.float64))

    def text(value) -> str:
        return (
            "nan"
            if np.isnan(value)
            else ("inf" if value == np.inf else ("-inf" if value == -np.inf else form(value)))
        )

    # The widest entry is one of the extremes (or a non-finite one).
    finite = array[np.isfinite(array)]
    candidates = [text(v) for v in (finite.min(), finite.max())] if finite.size else []
    candidates += [text(v) for v in array[~np.isfinite(array)].ravel()[:3]]
    width = max(map(len, candidates))
    return np.array2string(
        array,
        separator=", ",
        prefix=prefix,
        threshold=1000,
        edgeitems=3,
        formatter={"float_kind": lambda value: text(value).rjust(width)},
    )
