"""Other spellings PyTorch has for ops wright already computes: in-place comparisons (`x.lt_(y)`),
comparison aliases as methods (`x.greater(y)`), `x.where(cond, y)`, `wright.rsub`, and the
top-level forms of in-place methods (`wright.relu_(x)` is `x.relu_()`)."""

from __future__ import annotations

import numpy as np

from wright.functions.shaping import diagflat
from wright.tensor import Tensor, _copied_from, _from_array, _promoted, where


def _compared_in_place(name: str):
    compare = getattr(Tensor, name)

    def method(self: Tensor, other) -> Tensor:
        # The truth values in self's own dtype (1 and 0), as PyTorch stores them; the old values
        # stay linked to the graph with a zero gradient.
        return self._inplace(f"{name}_", lambda s, o: _copied_from(s, compare(s, o)), other)

    method.__name__ = f"{name}_"
    method.__doc__ = f"In-place `{name}`: 1 where it holds, 0 elsewhere, in this tensor's dtype."
    return method


for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Tensor, f"{_name}_", _compared_in_place(_name))

for _alias, _name in (
    ("greater", "gt"),
    ("greater_equal", "ge"),
    ("less", "lt"),
    ("less_equal", "le"),
    ("not_equal", "ne"),
):
    setattr(Tensor, _alias, getattr(Tensor, _name))
    setattr(Tensor, f"{_alias}_", getattr(Tensor, f"{_name}_"))


def _where_method(self: Tensor, condition, y) -> Tensor:
    """`wright.where(condition, self, y)`: self where condition holds, else y."""
    return where(condition, self, y)


Tensor.where = _where_method
Tensor.diagflat = diagflat


def rsub(input: Tensor, other, alpha=1) -> Tensor:
    """other - alpha * input (subtraction with the operands reversed)."""
    a, b = _promoted(input, other)
    return b.sub(a, alpha=alpha)


def fill(input: Tensor, value) -> Tensor:
    """A new tensor of input's shape and dtype filled with `value` (the out-of-place `fill_`)."""
    return input.clone().fill_(value)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """`chunk` (PyTorch's unchecked-views variant; the same in wright)."""
    return input.chunk(chunks, dim)


def unsafe_split(input: Tensor, split_size, dim: int = 0) -> tuple:
    """`split` (PyTorch's unchecked-views variant; the same in wright)."""
    return input.split(split_size, dim)


def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """`split_with_sizes` (PyTorch's unchecked-views variant; the same in wright)."""
    return input.split_with_sizes(split_sizes, dim)


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """`nonzero()` with exactly `size` rows: cut short, or padded with fill_value."""
    found = input.array.nonzero()
    rows = np.stack(found, axis=1) if found else np.zeros((0, 0), np.int64)
    out = np.full((size, input.ndim), fill_value, np.int64)
    kept = min(size, rows.shape[0])
    out[:kept] = rows[:kept]
    return _from_array(out)


def is_set_to(self: Tensor, tensor: Tensor) -> bool:
    """Whether the two tensors view the same memory with the same start, sizes and strides."""
    a, b = self.array, tensor.array
    same_start = a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    return same_start and a.shape == b.shape and a.strides == b.strides and a.dtype == b.dtype


def get_device(input: Tensor) -> int:
    """-1: every wright tensor is on the CPU."""
    return -1


def set_flush_denormal(mode: bool) -> bool:
    """Accepted; NumPy keeps denormal numbers. Returns True, as PyTorch does on x86 CPUs."""
    return True


for _function in (unsafe_chunk, unsafe_split, unsafe_split_with_sizes, nonzero_static, is_set_to):
    setattr(Tensor, _function.__name__, _function)


def _function_form(name: str):
    def function(input: Tensor, *args, **kwargs) -> Tensor:
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`input.{name}(...)`: the method as a function."
    function.__module__ = __name__
    return function


# torch.X_(input, ...) for the in-place methods PyTorch also exposes as functions.
_FUNCTION_FORMS = [
    "abs_",
    "acos_",
    "acosh_",
    "addmv_",
    "arccos_",
    "arccosh_",
    "arcsin_",
    "arcsinh_",
    "arctan_",
    "arctanh_",
    "asin_",
    "asinh_",
    "atan_",
    "atanh_",
    "ceil_",
    "clamp_",
    "clamp_max_",
    "clamp_min_",
    "clip_",
    "cos_",
    "cosh_",
    "deg2rad_",
    "detach_",
    "erf_",
    "erfc_",
    "exp2_",
    "exp_",
    "expm1_",
    "fill_",
    "fix_",
    "floor_",
    "frac_",
    "gcd_",
    "i0_",
    "lcm_",
    "ldexp_",
    "log10_",
    "log1p_",
    "log2_",
    "log_",
    "logit_",
    "nan_to_num_",
    "neg_",
    "negative_",
    "rad2deg_",
    "reciprocal_",
    "relu_",
    "round_",
    "rsqrt_",
    "sigmoid_",
    "sin_",
    "sinc_",
    "sinh_",
    "sqrt_",
    "square_",
    "tan_",
    "tanh_",
    "trunc_",
    "xlogy_",
    "zero_",
]

for _name in _FUNCTION_FORMS:
    globals()[_name] = _function_form(_name)

# Keep the module's namespace to its public names.
del _name, _alias, _function

__all__ = [
    "fill",
    "get_device",
    "nonzero_static",
    "rsub",
    "set_flush_denormal",
    "unsafe_chunk",
    "unsafe_split",
    "unsafe_split_with_sizes",
]
__all__ += _FUNCTION_FORMS  # noqa: PLE0605 (a list of names)
