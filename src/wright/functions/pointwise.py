"""Elementwise maths: `wright.exp(x)` and `x.exp()`, the squashing functions, clamping, and their
in-place forms (`x.exp_()`).

Floating-only functions given an integer or bool tensor compute in the default float dtype, as
PyTorch does (`wright.arange(3).exp()` is float32).
"""

from __future__ import annotations

import numpy as np

from wright import dtypes
from wright.ops import elementwise as E
from wright.tensor import Tensor, _as_operand, _promoted, tensor_method


def floating(x: Tensor) -> Tensor:
    """x itself when it is floating point, else x converted to the default float dtype."""
    if x.array.dtype.kind == "f":
        return x
    return x._cast(dtypes.default_float_numpy())


def inplace(function, name: str | None = None):
    """The in-place form of an elementwise method: `x.exp_()` stores `x.exp()` in x."""
    op = name or f"{function.__name__}_"

    def method(self: Tensor, *args, **kwargs) -> Tensor:
        return self._inplace(op, function, *args, **kwargs)

    method.__name__ = op
    method.__doc__ = f"In-place form of `{function.__name__}`."
    setattr(Tensor, op, method)
    return method


@tensor_method
def exp(input: Tensor) -> Tensor:
    """e to the power of each element."""
    return E.Exp.apply(floating(input))


@tensor_method
def log(input: Tensor) -> Tensor:
    """Natural logarithm of each element."""
    return E.Log.apply(floating(input))


@tensor_method
def sqrt(input: Tensor) -> Tensor:
    """Square root of each element."""
    return E.Sqrt.apply(floating(input))


@tensor_method
def abs(input: Tensor) -> Tensor:
    """Absolute value of each element."""
    if input.array.dtype == np.bool_:
        return input
    return E.Abs.apply(input)


absolute = abs
Tensor.absolute = abs
Tensor.__abs__ = abs


@tensor_method
def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent: squashes to (-1, 1)."""
    return E.Tanh.apply(floating(input))


@tensor_method
def sigmoid(input: Tensor) -> Tensor:
    """Logistic function 1 / (1 + e^-x): squashes to (0, 1)."""
    return E.Sigmoid.apply(floating(input))


@tensor_method
def relu(input: Tensor) -> Tensor:
    """Rectified linear unit max(x, 0)."""
    return E.ReLU.apply(input)


def _bound(value):
    return value.array if isinstance(value, Tensor) else value


@tensor_method
def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Limit values to [min, max] (either may be None or a tensor); the gradient is zero where a
    value was clamped."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    low, high = _bound(min), _bound(max)
    kind = input.array.dtype.kind
    if kind != "f" and any(isinstance(v, float) for v in (low, high)):
        input = floating(input)
    if isinstance(low, np.ndarray) or isinstance(high, np.ndarray):
        # Tensor bounds: clamp is a maximum and a minimum (with their tie rules).
        result = input
        if min is not None:
            result = result.maximum(_as_operand(min, like=input))
        if max is not None:
            result = result.minimum(_as_operand(max, like=input))
        return result
    return E.Clip.apply(input, low=low, high=high)


clip = clamp
Tensor.clip = clamp


@tensor_method
def maximum(input: Tensor, other) -> Tensor:
    """Elementwise maximum with another tensor or number; ties split the gradient."""
    a, b = _promoted(input, other)
    return E.Maximum.apply(a, b)


@tensor_method
def minimum(input: Tensor, other) -> Tensor:
    """Elementwise minimum with another tensor or number; ties split the gradient."""
    a, b = _promoted(input, other)
    return E.Minimum.apply(a, b)


for _function in (exp, log, sqrt, abs, tanh, sigmoid, relu, clamp):
    inplace(_function)
Tensor.clip_ = Tensor.clamp_


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """input + alpha * other."""
    return _as_operand(input).add(other, alpha=alpha)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """input - alpha * other."""
    return _as_operand(input).sub(other, alpha=alpha)


subtract = sub


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise product."""
    return _as_operand(input).mul(other)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """Elementwise quotient (rounding_mode None, 'trunc' or 'floor')."""
    return _as_operand(input).div(other, rounding_mode=rounding_mode)


divide = true_divide = div


def floor_divide(input, other) -> Tensor:
    """Elementwise quotient rounded down."""
    return _as_operand(input).div(other, rounding_mode="floor")


def remainder(input, other) -> Tensor:
    """Python's modulo: the result has the divisor's sign."""
    return _as_operand(input).remainder(other)


def pow(input, exponent) -> Tensor:
    """input ** exponent, elementwise (either may be a number)."""
    return _as_operand(input, like=exponent if isinstance(exponent, Tensor) else None).pow(exponent)


def neg(input: Tensor) -> Tensor:
    """-input."""
    return input.neg()


negative = neg


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with broadcasting of batch dimensions."""
    return input.matmul(other)


def eq(input: Tensor, other) -> Tensor:
    """Elementwise ==."""
    return input.eq(other)


def ne(input: Tensor, other) -> Tensor:
    """Elementwise !=."""
    return input.ne(other)


def lt(input: Tensor, other) -> Tensor:
    """Elementwise <."""
    return input.lt(other)


def le(input: Tensor, other) -> Tensor:
    """Elementwise <=."""
    return input.le(other)


def gt(input: Tensor, other) -> Tensor:
    """Elementwise >."""
    return input.gt(other)


def ge(input: Tensor, other) -> Tensor:
    """Elementwise >=."""
    return input.ge(other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def is_tensor(obj) -> bool:
    """True for wright tensors."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """True for floating-point tensors."""
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    """Number of elements."""
    return input.numel()


__all__ = [
    "abs",
    "absolute",
    "add",
    "clamp",
    "clip",
    "div",
    "divide",
    "eq",
    "exp",
    "floor_divide",
    "ge",
    "greater",
    "greater_equal",
    "gt",
    "is_floating_point",
    "is_tensor",
    "le",
    "less",
    "less_equal",
    "log",
    "lt",
    "matmul",
    "maximum",
    "minimum",
    "mul",
    "multiply",
    "ne",
    "neg",
    "negative",
    "not_equal",
    "numel",
    "pow",
    "relu",
    "remainder",
    "sigmoid",
    "sqrt",
    "sub",
    "subtract",
    "tanh",
    "true_divide",
]
