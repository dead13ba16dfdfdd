"""Elementwise maths: `wright.sin(x)` and `x.sin()`, with their in-place forms (`x.sin_()`):
exponentials and logarithms, trigonometric and hyperbolic functions, the error function family,
rounding, clamping, two-argument maths (atan2, hypot, lerp, ...), comparisons and closeness,
predicates (isnan, ...), and logical and bitwise functions.

Floating-only functions given an integer or bool tensor compute in the default float dtype, as
PyTorch does (`wright.arange(3).exp()` is float32).
"""

from __future__ import annotations

import numpy as np

from wright import backend, dtypes
from wright.backend import array_module
from wright.ops import elementwise as E
from wright.tensor import (
    Tensor,
    _as_operand,
    _combined,
    _from_array,
    _promoted,
    tensor_method,
)


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


def _tensor_argument(value, op: str, name: str = "other") -> Tensor:
    # Some PyTorch functions take a second tensor but no Python number: keep that rule.
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")
    return value


def reject_dtypes(kinds: str, x: Tensor, op: str) -> None:
    """Raise NotImplementedError, as PyTorch does where it has no kernel for a dtype, when x's
    NumPy dtype kind is one of `kinds` ('b' bool, 'iu' integers, 'f' floats)."""
    if x.array.dtype.kind in kinds:
        raise NotImplementedError(f"{op}: not implemented for {x.dtype} tensors")


def _float_operands(input: Tensor, other, op: str, integers: bool = True) -> tuple[Tensor, Tensor]:
    # Both operands of a two-argument float function, promoted: integers and bools compute in the
    # default float dtype, or (integers=False) are an error, PyTorch having no kernel for them.
    if not integers:
        a, b = _promoted(input, other)
        reject_dtypes("biu", a, op)
        return a, b
    return _promoted(input, other, floating=True)


# ----- exponentials, logarithms, powers -----


@tensor_method
def exp(input: Tensor) -> Tensor:
    """e to the power of each element."""
    return E.Exp.apply(floating(input))


@tensor_method
def exp2(input: Tensor) -> Tensor:
    """2 to the power of each element."""
    return E.Exp2.apply(floating(input))


@tensor_method
def expm1(input: Tensor) -> Tensor:
    """e^x - 1, accurate for small x."""
    return E.Expm1.apply(floating(input))


@tensor_method
def log(input: Tensor) -> Tensor:
    """Natural logarithm of each element."""
    return E.Log.apply(floating(input))


@tensor_method
def log2(input: Tensor) -> Tensor:
    """Base-2 logarithm of each element."""
    return E.Log2.apply(floating(input))


@tensor_method
def log10(input: Tensor) -> Tensor:
    """Base-10 logarithm of each element."""
    return E.Log10.apply(floating(input))


@tensor_method
def log1p(input: Tensor) -> Tensor:
    """log(1 + x), accurate for small x."""
    return E.Log1p.apply(floating(input))


@tensor_method
def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """The log-odds log(x / (1 - x)), the inverse of sigmoid; with eps, x is first limited to
    [eps, 1 - eps] (and gets no gradient where it was limited)."""
    return E.Logit.apply(floating(input), eps=eps)


@tensor_method
def sqrt(input: Tensor) -> Tensor:
    """Square root of each element."""
    return E.Sqrt.apply(floating(input))


@tensor_method
def rsqrt(input: Tensor) -> Tensor:
    """1 / sqrt(x) for each element."""
    return E.Rsqrt.apply(floating(input))


@tensor_method
def reciprocal(input: Tensor) -> Tensor:
    """1 / x for each element (integers give the default float dtype)."""
    return E.Reciprocal.apply(floating(input))


@tensor_method
def square(input: Tensor) -> Tensor:
    """x * x for each element (integers and bools give integers)."""
    if input.array.dtype == np.bool_:
        input = input.long()
    return input.pow(2)


# ----- trigonometric and hyperbolic functions -----


@tensor_method
def sin(input: Tensor) -> Tensor:
    """Sine of each element (in radians)."""
    return E.Sin.apply(floating(input))


@tensor_method
def cos(input: Tensor) -> Tensor:
    """Cosine of each element (in radians)."""
    return E.Cos.apply(floating(input))


@tensor_method
def tan(input: Tensor) -> Tensor:
    """Tangent of each element (in radians)."""
    return E.Tan.apply(floating(input))


@tensor_method
def asin(input: Tensor) -> Tensor:
    """Inverse sine, in [-pi/2, pi/2] (NaN outside [-1, 1])."""
    return E.Asin.apply(floating(input))


@tensor_method
def acos(input: Tensor) -> Tensor:
    """Inverse cosine, in [0, pi] (NaN outside [-1, 1])."""
    return E.Acos.apply(floating(input))


@tensor_method
def atan(input: Tensor) -> Tensor:
    """Inverse tangent, in (-pi/2, pi/2)."""
    return E.Atan.apply(floating(input))


@tensor_method
def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle of the point (other, input) in (-pi, pi]: atan(input / other) in the right
    quadrant."""
    a, b = _float_operands(input, _tensor_argument(other, "atan2"), "atan2")
    return E.Atan2.apply(a, b)


@tensor_method
def sinc(input: Tensor) -> Tensor:
    """The normalized sinc function sin(pi x) / (pi x), 1 at 0."""
    return E.Sinc.apply(floating(input))


@tensor_method
def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians."""
    return floating(input) * (np.pi / 180)


@tensor_method
def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees."""
    return floating(input) * (180 / np.pi)


@tensor_method
def sinh(input: Tensor) -> Tensor:
    """Hyperbolic sine of each element."""
    return E.Sinh.apply(floating(input))


@tensor_method
def cosh(input: Tensor) -> Tensor:
    """Hyperbolic cosine of each element."""
    return E.Cosh.apply(floating(input))


@tensor_method
def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent: squashes to (-1, 1)."""
    return E.Tanh.apply(floating(input))


@tensor_method
def asinh(input: Tensor) -> Tensor:
    """Inverse hyperbolic sine."""
    return E.Asinh.apply(floating(input))


@tensor_method
def acosh(input: Tensor) -> Tensor:
    """Inverse hyperbolic cosine (NaN below 1)."""
    return E.Acosh.apply(floating(input))


@tensor_method
def atanh(input: Tensor) -> Tensor:
    """Inverse hyperbolic tangent (+-inf at +-1, NaN outside [-1, 1])."""
    return E.Atanh.apply(floating(input))


# ----- the error function family -----


@tensor_method
def erf(input: Tensor) -> Tensor:
    """The error function 2/sqrt(pi) * integral from 0 to x of e^(-t^2) dt."""
    return E.Erf.apply(floating(input))


@tensor_method
def erfc(input: Tensor) -> Tensor:
    """The complementary error function 1 - erf(x), accurate where it is tiny."""
    return E.Erfc.apply(floating(input))


@tensor_method
def erfinv(input: Tensor) -> Tensor:
    """The inverse error function on [-1, 1] (+-inf at +-1, NaN outside)."""
    return E.Erfinv.apply(floating(input))


# ----- absolute value, sign, rounding -----


@tensor_method
def abs(input: Tensor) -> Tensor:
    """Absolute value of each element; the gradient at 0 is 0."""
    reject_dtypes("b", input, "abs")
    return E.Abs.apply(input)


@tensor_method
def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (NaN gives 0); the gradient is zero."""
    if input.array.dtype == np.bool_:
        return _from_array(input.array.copy())
    return E.Sign.apply(input)


@tensor_method
def sgn(input: Tensor) -> Tensor:
    """The sign of each element (`sign` for real tensors)."""
    return sign(input)


@tensor_method
def signbit(input: Tensor) -> Tensor:
    """Whether each element's sign bit is set (True for -0.0): a bool tensor."""
    if input.array.dtype.kind == "f":
        return _from_array(array_module(input.array).signbit(input.array))
    return _from_array(input.array < 0)


def _rounded(input: Tensor, op, name: str, **attrs) -> Tensor:
    reject_dtypes("b", input, name)
    if input.array.dtype.kind in "iu":
        return _from_array(input.array.copy())
    return op.apply(input, **attrs)


@tensor_method
def floor(input: Tensor) -> Tensor:
    """The largest integer <= each element; the gradient is zero."""
    return _rounded(input, E.Floor, "floor")


@tensor_method
def ceil(input: Tensor) -> Tensor:
    """The smallest integer >= each element; the gradient is zero."""
    return _rounded(input, E.Ceil, "ceil")


@tensor_method
def trunc(input: Tensor) -> Tensor:
    """Each element rounded toward zero; the gradient is zero."""
    return _rounded(input, E.Trunc, "trunc")


@tensor_method
def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even, to `decimals` decimal places (negative: tens, hundreds, ...); the
    gradient is zero."""
    if decimals != 0:
        reject_dtypes("biu", input, "round with decimals")
    return _rounded(input, E.Round, "round", decimals=int(decimals))


@tensor_method
def frac(input: Tensor) -> Tensor:
    """The fractional part x - trunc(x), with the sign of x; the gradient is one."""
    reject_dtypes("biu", input, "frac")
    return input - input.trunc()


# ----- squashing and clamping -----


@tensor_method
def sigmoid(input: Tensor) -> Tensor:
    """Logistic function 1 / (1 + e^-x): squashes to (0, 1)."""
    return E.Sigmoid.apply(floating(input))


@tensor_method
def relu(input: Tensor) -> Tensor:
    """Rectified linear unit max(x, 0)."""
    if input.array.dtype == np.bool_:
        raise RuntimeError("relu: bool tensors are not supported")
    return E.ReLU.apply(input)


@tensor_method
def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Limit values to [min, max] (either may be None, a number or a tensor); the result is max
    where min > max.

    The gradient flows to input where min <= input <= max (so at a bound too), to a tensor min
    where input < min < max, and to a tensor max where input > max or min > max, as in PyTorch.
    """
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    bounds = [bound for bound in (min, max) if bound is not None]
    target = dtypes.result_type(input.array, *(getattr(b, "array", b) for b in bounds))
    input = input._cast(target)
    if not any(isinstance(bound, Tensor) for bound in bounds):
        reject_dtypes("b", input, "clamp with number bounds")
        # Bounds are converted to the result's dtype first, as in PyTorch (-1 is 255 for uint8).
        low, high = (None if b is None else np.asarray(b).astype(target)[()] for b in (min, max))
        return E.Clip.apply(input, low=low, high=high)
    tensors = [
        b._cast(target)
        if isinstance(b, Tensor)
        else _from_array(backend.array_like(np.asarray(b).astype(target), input.array))
        for b in bounds
    ]
    return E.ClampTensor.apply(input, *tensors, has_low=min is not None, has_high=max is not None)


@tensor_method
def clamp_min(input: Tensor, min) -> Tensor:
    """Limit values from below: max(input, min)."""
    return clamp(input, min=min)


@tensor_method
def clamp_max(input: Tensor, max) -> Tensor:
    """Limit values from above: min(input, max)."""
    return clamp(input, max=max)


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


@tensor_method
def fmax(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum that ignores NaN (NaN only where both are); ties give the gradient to
    input."""
    a, b = _promoted(input, _tensor_argument(other, "fmax"))
    return E.Fmax.apply(a, b)


@tensor_method
def fmin(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum that ignores NaN (NaN only where both are); ties give the gradient to
    input."""
    a, b = _promoted(input, _tensor_argument(other, "fmin"))
    return E.Fmin.apply(a, b)


@tensor_method
def nan_to_num(
    input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """Replace NaN with `nan` and +-inf with `posinf`/`neginf` (the dtype's largest and smallest
    values by default); the gradient is zero at the replaced elements."""
    if input.array.dtype.kind != "f":
        return _from_array(input.array.copy())
    return E.NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


@tensor_method
def positive(input: Tensor) -> Tensor:
    """The input itself (`+x`); an error for bool tensors, as in PyTorch."""
    if input.array.dtype == np.bool_:
        raise RuntimeError("positive: the `+` operator on a bool tensor is not supported")
    return input


# ----- functions of two tensors -----


@tensor_method
def hypot(input: Tensor, other: Tensor) -> Tensor:
    """sqrt(input^2 + other^2), without overflow; float tensors only."""
    a, b = _float_operands(input, _tensor_argument(other, "hypot"), "hypot", integers=False)
    return E.Hypot.apply(a, b)


@tensor_method
def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(e^input + e^other), without overflow; float tensors only."""
    a, b = _float_operands(input, _tensor_argument(other, "logaddexp"), "logaddexp", integers=False)
    return E.LogAddExp.apply(a, b)


@tensor_method
def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2^input + 2^other), without overflow; float tensors only."""
    other = _tensor_argument(other, "logaddexp2")
    a, b = _float_operands(input, other, "logaddexp2", integers=False)
    return E.LogAddExp2.apply(a, b)


@tensor_method
def copysign(input: Tensor, other) -> Tensor:
    """|input| with the sign of other (a tensor or number); the gradient flows to input only."""
    a, b = _float_operands(input, other, "copysign")
    return E.Copysign.apply(a, b)


@tensor_method
def xlogy(input, other) -> Tensor:
    """input * log(other), taken as 0 where input is 0 (unless other is NaN); either may be a
    number."""
    if not isinstance(input, Tensor):
        input = _as_operand(input, like=other)
    a, b = _float_operands(input, other, "xlogy")
    return E.Xlogy.apply(a, b)


@tensor_method
def float_power(input, exponent) -> Tensor:
    """input ** exponent computed in float64 (the result is always float64); either may be a
    number."""
    if not isinstance(input, Tensor):
        exponent = _tensor_argument(exponent, "float_power", "exponent")
        base = backend.array_like(np.asarray(input, dtype=np.float64), exponent.array)
        return _from_array(base).pow(exponent.double())
    if isinstance(exponent, Tensor):
        exponent = exponent.double()
    return input.double().pow(exponent)


def _float_power_(self: Tensor, exponent) -> Tensor:
    """In-place form of `float_power`: only for float64 tensors, as the result is float64."""
    if self.array.dtype != np.float64:
        raise RuntimeError(
            f"float_power_: the base has dtype {self.dtype} but the result is float64; use a "
            "float64 tensor or the out-of-place float_power"
        )
    return self._inplace("float_power_", float_power, exponent)


Tensor.float_power_ = _float_power_


@tensor_method
def fmod(input: Tensor, other) -> Tensor:
    """C's remainder input - trunc(input / other) * other: the result has the dividend's sign."""
    a, b = _promoted(input, other)
    return E.Fmod.apply(a, b)


def remainder(input, other) -> Tensor:
    """Python's modulo: the result has the divisor's sign."""
    return _as_operand(input, like=other if isinstance(other, Tensor) else None).remainder(other)


@tensor_method
def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    """Linear interpolation input + weight * (end - input) (weight a number or a tensor); float
    tensors of one dtype only."""
    end = _tensor_argument(end, "lerp", "end")
    reject_dtypes("biu", input, "lerp")
    if end.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"lerp: expected dtype {input.dtype} for `end` but got dtype {end.dtype}"
        )
    if not isinstance(weight, Tensor):
        xp = array_module(input.array)
        weight = _from_array(xp.asarray(weight, dtype=input.array.dtype))
    elif weight.array.dtype != input.array.dtype:
        if weight.ndim:
            raise RuntimeError(
                f"lerp: expected dtype {input.dtype} for `weight` but got dtype {weight.dtype}"
            )
        weight = weight._cast(input.array.dtype)
    return E.Lerp.apply(input, end, weight)


@tensor_method
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """input + value * tensor1 * tensor2 (value is cut to an integer for integer results)."""
    product = tensor1 * tensor2
    reject_dtypes("b", product, "addcmul")
    return input.add(product, alpha=_scale_for(input, product, value))


@tensor_method
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """input + value * tensor1 / tensor2 (true division; integer tensor1 and tensor2 are an
    error, as in PyTorch)."""
    if tensor1.array.dtype.kind in "biu" and tensor2.array.dtype.kind in "biu":
        raise RuntimeError(
            "addcdiv: integer division is not supported; use true division of floats "
            "(tensor1.float() / tensor2) or addcmul with reciprocals"
        )
    quotient = tensor1 / tensor2
    return input.add(quotient, alpha=_scale_for(input, quotient, value))


def _scale_for(input: Tensor, term: Tensor, value):
    # PyTorch casts `value` to the result type: an integer result takes int(value).
    if dtypes.result_type(input.array, term.array).kind in "biu":
        return int(value)
    return value


@tensor_method
def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 where input < 0, 1 where input > 0, `values` where input == 0 (same
    dtypes only); it has no gradient."""
    values = _tensor_argument(values, "heaviside", "values")
    if values.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"heaviside: expected tensors of one dtype, got {input.dtype} and {values.dtype}"
        )
    return E.Heaviside.apply(input, values)


for _function in (
    exp,
    exp2,
    expm1,
    log,
    log2,
    log10,
    log1p,
    logit,
    sqrt,
    rsqrt,
    reciprocal,
    square,
    sin,
    cos,
    tan,
    asin,
    acos,
    atan,
    atan2,
    sinc,
    deg2rad,
    rad2deg,
    sinh,
    cosh,
    tanh,
    asinh,
    acosh,
    atanh,
    erf,
    erfc,
    erfinv,
    abs,
    sign,
    sgn,
    floor,
    ceil,
    trunc,
    round,
    frac,
    sigmoid,
    relu,
    clamp,
    clamp_min,
    clamp_max,
    nan_to_num,
    hypot,
    copysign,
    xlogy,
    fmod,
    lerp,
    addcmul,
    addcdiv,
    heaviside,
):
    inplace(_function)

# PyTorch's second names (NumPy's spellings) for the same functions, with their in-place forms.
absolute, arcsin, arccos, arctan, arctan2 = abs, asin, acos, atan, atan2
arcsinh, arccosh, arctanh, fix, clip = asinh, acosh, atanh, trunc, clamp
for _alias, _function in {
    "absolute": abs,
    "arcsin": asin,
    "arccos": acos,
    "arctan": atan,
    "arctan2": atan2,
    "arcsinh": asinh,
    "arccosh": acosh,
    "arctanh": atanh,
    "fix": trunc,
    "clip": clamp,
}.items():
    setattr(Tensor, _alias, _function)
    setattr(Tensor, f"{_alias}_", getattr(Tensor, f"{_function.__name__}_"))
Tensor.__abs__ = abs


# ----- arithmetic (the operators' function forms) -----


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


# The operators' methods (tensor.py) under their other PyTorch names, in place too.
Tensor.floor_divide = floor_divide
inplace(floor_divide)
for _alias, _method in {
    "subtract": "sub",
    "multiply": "mul",
    "divide": "div",
    "true_divide": "div",
    "negative": "neg",
}.items():
    setattr(Tensor, _alias, getattr(Tensor, _method))
    setattr(Tensor, f"{_alias}_", getattr(Tensor, f"{_method}_"))


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


# ----- comparisons -----


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


@tensor_method
def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Elementwise |input - other| <= atol + rtol * |other| (equal infinities are close; NaNs only
    with equal_nan): a bool tensor. Both tensors must have one dtype."""
    other = _tensor_argument(other, "isclose")
    if input.array.dtype != other.array.dtype:
        raise RuntimeError(f"isclose: {input.dtype} did not match {other.dtype}")
    if rtol < 0 or atol < 0:
        raise RuntimeError(
            f"isclose: rtol and atol must be greater than or equal to zero, got rtol={rtol}, "
            f"atol={atol}"
        )
    a, b = backend.same_device((input.array, other.array), "isclose")
    xp = array_module(a)
    close = a == b
    if a.dtype.kind == "f" and equal_nan:
        close |= xp.isnan(a) & xp.isnan(b)
    if rtol == 0 and atol == 0:
        return _from_array(close)
    if a.dtype.kind != "f":
        # Integers are compared in the default float dtype, as PyTorch does.
        a, b = a.astype(dtypes.default_float_numpy()), b.astype(dtypes.default_float_numpy())
    with np.errstate(invalid="ignore", over="ignore"):
        error = xp.abs(a - b)
        close |= xp.isfinite(error) & (error <= atol + xp.abs(rtol * b))
    return _from_array(close)


@tensor_method
def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether every element of input is close to other's (see `isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


@tensor_method
def equal(input: Tensor, other: Tensor) -> bool:
    """Whether two tensors have the same shape and elements (NaN is never equal)."""
    other = _tensor_argument(other, "equal")
    if input.shape != other.shape:
        return False
    return bool(_combined("array_equal", input, other))


# ----- predicates: bool tensors saying what kind of number each element is -----


def _float_test(input: Tensor, test: str, default: bool) -> Tensor:
    xp = array_module(input.array)
    if input.array.dtype.kind == "f":
        return _from_array(getattr(xp, test)(input.array))
    return _from_array(xp.full(input.array.shape, default))


@tensor_method
def isnan(input: Tensor) -> Tensor:
    """Whether each element is NaN."""
    return _float_test(input, "isnan", False)


@tensor_method
def isinf(input: Tensor) -> Tensor:
    """Whether each element is +inf or -inf."""
    return _float_test(input, "isinf", False)


@tensor_method
def isposinf(input: Tensor) -> Tensor:
    """Whether each element is +inf."""
    return _float_test(input, "isposinf", False)


@tensor_method
def isneginf(input: Tensor) -> Tensor:
    """Whether each element is -inf."""
    return _float_test(input, "isneginf", False)


@tensor_method
def isfinite(input: Tensor) -> Tensor:
    """Whether each element is neither infinite nor NaN."""
    return _float_test(input, "isfinite", True)


@tensor_method
def isreal(input: Tensor) -> Tensor:
    """Whether each element is real: all True, as wright has no complex dtypes."""
    return _from_array(array_module(input.array).ones(input.array.shape, dtype=bool))


# ----- logical and bitwise functions -----


@tensor_method
def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise `and` of the truth values (nonzero is true): a bool tensor."""
    other = _tensor_argument(other, "logical_and")
    return _from_array(_combined("logical_and", input, other))


@tensor_method
def logical_or(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise `or` of the truth values (nonzero is true): a bool tensor."""
    other = _tensor_argument(other, "logical_or")
    return _from_array(_combined("logical_or", input, other))


@tensor_method
def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise exclusive `or` of the truth values (nonzero is true): a bool tensor."""
    other = _tensor_argument(other, "logical_xor")
    return _from_array(_combined("logical_xor", input, other))


@tensor_method
def logical_not(input: Tensor) -> Tensor:
    """Elementwise `not` of the truth values (zero is false): a bool tensor."""
    return _from_array(array_module(input.array).logical_not(input.array))


def _bitwise_operands(input, other, op: str) -> tuple[Tensor, Tensor]:
    if not isinstance(input, Tensor):
        input = _as_operand(input, like=other)
    a, b = _promoted(input, other)
    reject_dtypes("f", a, op)
    return a, b


@tensor_method
def bitwise_and(input: Tensor, other) -> Tensor:
    """Elementwise bitwise `and` of integer or bool tensors (either may be a number)."""
    a, b = _bitwise_operands(input, other, "bitwise_and")
    return _from_array(_combined("bitwise_and", a, b))


@tensor_method
def bitwise_or(input: Tensor, other) -> Tensor:
    """Elementwise bitwise `or` of integer or bool tensors (either may be a number)."""
    a, b = _bitwise_operands(input, other, "bitwise_or")
    return _from_array(_combined("bitwise_or", a, b))


@tensor_method
def bitwise_xor(input: Tensor, other) -> Tensor:
    """Elementwise bitwise exclusive `or` of integer or bool tensors (either may be a number)."""
    a, b = _bitwise_operands(input, other, "bitwise_xor")
    return _from_array(_combined("bitwise_xor", a, b))


@tensor_method
def bitwise_not(input: Tensor) -> Tensor:
    """Elementwise bitwise `not` (logical `not` for bool tensors)."""
    reject_dtypes("f", input, "bitwise_not")
    return _from_array(~input.array)


@tensor_method
def bitwise_left_shift(input: Tensor, other) -> Tensor:
    """input << other for integer tensors; bits shifted past the width are lost (shifting by the
    width or more, or by a negative amount, gives 0)."""
    a, b = _bitwise_operands(input, other, "bitwise_left_shift")
    reject_dtypes("b", a, "bitwise_left_shift")
    return _from_array(_combined("left_shift", a, b))


@tensor_method
def bitwise_right_shift(input: Tensor, other) -> Tensor:
    """input >> other for integer tensors, keeping the sign (arithmetic shift)."""
    a, b = _bitwise_operands(input, other, "bitwise_right_shift")
    reject_dtypes("b", a, "bitwise_right_shift")
    return _from_array(_combined("right_shift", a, b))


for _function in (
    logical_and,
    logical_or,
    logical_xor,
    logical_not,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    bitwise_not,
    bitwise_left_shift,
    bitwise_right_shift,
):
    inplace(_function)


# ----- about tensors -----


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
    "acos",
    "acosh",
    "add",
    "addcdiv",
    "addcmul",
    "allclose",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "ceil",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clip",
    "copysign",
    "cos",
    "cosh",
    "deg2rad",
    "div",
    "divide",
    "eq",
    "equal",
    "erf",
    "erfc",
    "erfinv",
    "exp",
    "exp2",
    "expm1",
    "fix",
    "float_power",
    "floor",
    "floor_divide",
    "fmax",
    "fmin",
    "fmod",
    "frac",
    "ge",
    "greater",
    "greater_equal",
    "gt",
    "heaviside",
    "hypot",
    "is_floating_point",
    "is_tensor",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isreal",
    "le",
    "lerp",
    "less",
    "less_equal",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logaddexp2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logit",
    "lt",
    "matmul",
    "maximum",
    "minimum",
    "mul",
    "multiply",
    "nan_to_num",
    "ne",
    "neg",
    "negative",
    "not_equal",
    "numel",
    "positive",
    "pow",
    "rad2deg",
    "reciprocal",
    "relu",
    "remainder",
    "round",
    "rsqrt",
    "sgn",
    "sigmoid",
    "sign",
    "signbit",
    "sin",
    "sinc",
    "sinh",
    "sqrt",
    "square",
    "sub",
    "subtract",
    "tan",
    "tanh",
    "true_divide",
    "trunc",
    "xlogy",
]
