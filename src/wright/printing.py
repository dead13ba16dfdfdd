"""How tensors print: PyTorch's layout, so printed output reads the same in both frameworks.

Floats get four decimals by default (`1.5000`), or none when every value is whole (`2.`), or
scientific notation when the values span more than three orders of magnitude or leave
[1e-4, 1e8]; columns are padded to one width; lines hold 80 characters; tensors of more than 1000
elements show their first and last three entries per dimension. `set_printoptions` changes these.
"""

from __future__ import annotations

import math

import numpy as np

# The print options' defaults (PyTorch's "default" profile) and the other two profiles.
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
# sci_mode None: choose scientific notation from the values.
_options = {**_PROFILES["default"], "sci_mode": None}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print: decimals (precision), how many elements print in full
    (threshold; beyond it, edgeitems per dim at each end), characters per line (linewidth), a
    profile ('default', 'short', 'full') for all of these, and sci_mode (True, False, or None to
    choose from the values). Options left as None keep their value, except sci_mode."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}")
        _options.update(_PROFILES[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems}
    given["linewidth"] = linewidth
    _options.update({name: value for name, value in given.items() if value is not None})
    _options["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """The current print options, as set_printoptions takes them."""
    return dict(_options)


def _summarised(array: np.ndarray, edge: int) -> np.ndarray:
    # The elements a summarised print shows (edge items at each end of every dim): the format is
    # chosen from these alone.
    for axis, size in enumerate(array.shape):
        if size > 2 * edge:
            keep = np.r_[0:edge, size - edge : size]
            array = np.take(array, keep, axis=axis)
    return array


class _Format:
    """How to write each element: PyTorch's choice between whole-number, fixed and scientific
    forms, and the width every entry is padded to."""

    def __init__(self, shown: np.ndarray) -> None:
        self.floating = shown.dtype.kind == "f"
        self.whole = True
        self.scientific = False
        self.width = 1
        digits = _options["precision"]
        if not self.floating:
            self.width = max((len(str(v)) for v in shown.ravel().tolist()), default=1)
        else:
            values = shown.astype(np.float64).ravel()
            values = values[np.isfinite(values) & (values != 0)]
            if values.size:
                magnitudes = np.abs(values)
                low, high = magnitudes.min(), magnitudes.max()
                self.whole = bool(np.all(values == np.ceil(values)))
                chosen = _options["sci_mode"]
                if chosen is None:
                    chosen = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
                self.scientific = bool(chosen)
                if self.scientific:
                    texts = [f"{v:.{digits}e}" for v in values.tolist()]
                elif self.whole:
                    texts = [f"{v:.0f}." for v in values.tolist()]
                else:
                    texts = [f"{v:.{digits}f}" for v in values.tolist()]
                self.width = max(map(len, texts))

    def __call__(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.scientific:
            text = f"{value:{self.width}.{_options['precision']}e}"
        elif self.whole:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{_options['precision']}f}"
        return text.rjust(self.width)


def _lines(array: np.ndarray, indent: int, summarise: bool, form: _Format) -> str:
    edge = _options["edgeitems"]
    if array.ndim == 1:
        texts = [form(v) for v in array.tolist()]
        if summarise and len(texts) > 2 * edge:
            texts = texts[:edge] + [" ..."] + texts[-edge:]
        per_line = max(1, math.floor((_options["linewidth"] - indent) / (form.width + 2)))
        rows = [", ".join(texts[i : i + per_line]) for i in range(0, len(texts), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(rows) + "]"
    count = array.shape[0]
    if summarise and count > 2 * edge:
        parts = [_lines(array[i], indent + 1, summarise, form) for i in range(edge)]
        parts.append("...")
        parts += [_lines(array[i], indent + 1, summarise, form) for i in range(count - edge, count)]
    else:
        parts = [_lines(row, indent + 1, summarise, form) for row in array]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_body(array: np.ndarray, prefix: str = "tensor(") -> str:
    """The values part of a tensor's repr, laid out as PyTorch lays it out."""
    if array.size == 0:
        return "[]"
    summarise = array.size > _options["threshold"]
    shown = _summarised(array, _options["edgeitems"]) if summarise else array
    form = _Format(shown)
    if array.ndim == 0:
        return form(array.item())
    return _lines(array, len(prefix), summarise, form)


def with_suffixes(text: str, suffixes: list[str], indent: int = len("tensor(")) -> str:
    """Close a repr with ", dtype=...", ", grad_fn=..." and the like, each starting a new
    (indented) line where it would overflow the line width."""
    parts = [text]
    line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line + len(suffix) + 2 > _options["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line += len(suffix) + 2
    return "".join(parts) + ")"
