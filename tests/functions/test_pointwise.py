"""Elementwise functions against PyTorch (values, dtypes, gradients, errors) and finite
differences, plus the error function's accuracy in float64."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import wright
from opinfo import (
    OpInfo,
    Sample,
    cases,
    check_against_torch,
    check_gradcheck,
    floats,
    unary_samples,
)

INTS = np.array([-3, -1, 0, 2, 5])
BOOLS = np.array([True, False, True])


def _binary_samples(rng):
    yield Sample((floats(rng, 3, 4), floats(rng, 3, 4)), label="same")
    yield Sample((floats(rng, 3, 1), floats(rng, 4)), label="broadcast")
    yield Sample((floats(rng, 2, 3), 1.5), label="number")
    yield Sample((np.arange(6).reshape(2, 3), floats(rng, 3)), label="int_float")
    yield Sample((np.arange(6).reshape(2, 3), np.array(2.5)), label="int_0d_float64")


def _unary(low=-2.0, high=2.0, ints=(INTS,), bools=True):
    """unary_samples plus integer (and bool) inputs, which float functions compute in float32."""
    base = unary_samples(low, high)

    def samples(rng):
        yield from base(rng)
        for number, values in enumerate(ints):
            yield Sample((values,), label=f"int{number}")
        if bools:
            yield Sample((BOOLS,), label="bool")

    return samples


def _pairs(low=-2.0, high=2.0, second=None, ints=True, number=True, f64=True):
    """Samples for a function of two tensors: same shape, broadcast, 0-d, empty, non-contiguous,
    mixed float32/float64, ints (and a Python number where the function takes one)."""
    second = second or (low, high)

    def samples(rng):
        def a(*shape, dtype=np.float32):
            return floats(rng, *shape, low=low, high=high, dtype=dtype)

        def b(*shape, dtype=np.float32):
            return floats(rng, *shape, low=second[0], high=second[1], dtype=dtype)

        yield Sample((a(3, 4), b(3, 4)), label="same")
        yield Sample((a(3, 1), b(4)), label="broadcast")
        yield Sample((a(), b(2, 3)), label="0d_first")
        yield Sample((a(0, 3), b(3)), label="empty")
        yield Sample((a(4, 3).T, b(3, 4)), label="transposed")
        yield Sample((a(2, 3, dtype=np.float64), b(3, dtype=np.float64)), label="f64")
        if f64:
            yield Sample((a(2, 3), b(3, dtype=np.float64)), label="f32_f64")
        if ints:
            yield Sample((np.array([1, 2, 3]), b(3)), label="int_float")
            yield Sample((np.array([1, 2, 3]), np.array([2, 3, 1])), label="int_int")
        if number:
            yield Sample((a(2, 3), float(second[1])), label="number")

    return samples


def _into(low=-2.0, high=2.0, second=None, f64=True, number=True):
    """Samples for an in-place function of two tensors: the second broadcasts to the first."""
    second = second or (low, high)

    def samples(rng):
        def a(*shape, dtype=np.float32):
            return floats(rng, *shape, low=low, high=high, dtype=dtype)

        def b(*shape, dtype=np.float32):
            return floats(rng, *shape, low=second[0], high=second[1], dtype=dtype)

        yield Sample((a(3, 4), b(3, 4)), label="same")
        yield Sample((a(3, 4), b(4)), label="broadcast")
        yield Sample((a(2, 3), b()), label="0d_second")
        yield Sample((a(4, 3).T, b(3, 1)), label="transposed")
        if f64:
            yield Sample((a(2, 3), b(3, dtype=np.float64)), label="f32_f64")
        if number:
            yield Sample((a(2, 3), float(second[1])), label="number")

    return samples


def _special(*arguments, dtype=np.float64):
    """Samples at special points (zeros, ties, bounds), compared with torch but not gradchecked."""

    def samples(rng):
        for number, args in enumerate(arguments):
            yield Sample(tuple(np.asarray(a, dtype=dtype) for a in args), label=f"sp{number}")

    return samples


def _op(name, call, samples, **options):
    return OpInfo(name, call, samples, **options)


def _unary_op(name, low=-2.0, high=2.0, ints=(INTS,), bools=True, **options):
    samples = _unary(low, high, ints, bools)
    return _op(name, lambda lib, x: getattr(lib, name)(x), samples, **options)


def _method_op(name, bools=True):
    return _op(f"{name}-method", lambda lib, x: getattr(x, name)(), _unary(bools=bools))


def _inplace_op(name, low=-2.0, high=2.0, extra=(), graph=True):
    # Through a clone, so the gradient also runs back through the in-place node; graph=False
    # where PyTorch has no gradient for the in-place form.
    def call(lib, x):
        target = x.clone() if graph else x.detach().clone()
        return getattr(target, f"{name}_")(*extra)

    return _op(f"{name}_", call, unary_samples(low, high), gradcheck=graph)


POSITIVE_INTS = np.array([1, 2, 5, 9])
UNIT_INTS = np.array([-1, 0, 1])
NON_INTEGER = unary_samples(0.1, 0.9)

UNARY = [
    _unary_op("exp"),
    _unary_op("exp2"),
    _unary_op("expm1"),
    _unary_op("log", 0.1, 3.0, ints=(POSITIVE_INTS,)),
    _unary_op("log2", 0.1, 3.0, ints=(POSITIVE_INTS,)),
    _unary_op("log10", 0.1, 3.0, ints=(POSITIVE_INTS,)),
    _unary_op("log1p", -0.9, 3.0, ints=(POSITIVE_INTS,)),
    _unary_op("sqrt", 0.1, 3.0, ints=(POSITIVE_INTS,)),
    _unary_op("rsqrt", 0.2, 3.0, ints=(POSITIVE_INTS,)),
    _unary_op("reciprocal", 0.5, 3.0, ints=(POSITIVE_INTS,)),
    _unary_op("square"),
    _unary_op("sin", -4.0, 4.0),
    _unary_op("cos", -4.0, 4.0),
    _unary_op("tan", -1.2, 1.2, ints=(UNIT_INTS,)),
    _unary_op("asin", -0.9, 0.9, ints=(UNIT_INTS,)),
    _unary_op("arcsin", -0.9, 0.9, ints=(UNIT_INTS,)),
    _unary_op("acos", -0.9, 0.9, ints=(UNIT_INTS,)),
    _unary_op("arccos", -0.9, 0.9, ints=(UNIT_INTS,)),
    _unary_op("atan", -3.0, 3.0),
    _unary_op("arctan", -3.0, 3.0),
    _unary_op("sinh"),
    _unary_op("cosh"),
    _unary_op("tanh"),
    _unary_op("asinh", -3.0, 3.0),
    _unary_op("arcsinh", -3.0, 3.0),
    _unary_op("acosh", 1.1, 4.0, ints=(POSITIVE_INTS,)),
    _unary_op("arccosh", 1.1, 4.0, ints=(POSITIVE_INTS,)),
    _unary_op("atanh", -0.9, 0.9, ints=(UNIT_INTS,)),
    _unary_op("arctanh", -0.9, 0.9, ints=(UNIT_INTS,)),
    _unary_op("sigmoid"),
    _unary_op("logit", 0.05, 0.95, ints=(UNIT_INTS,)),
    _op("logit_eps", lambda lib, x: lib.logit(x, 0.2), _unary(-0.5, 1.5, (UNIT_INTS,))),
    _op("logit_wide_eps", lambda lib, x: x.logit(eps=0.6), _unary(0.0, 1.0), gradcheck=False),
    _unary_op("sinc", -3.0, 3.0),
    _unary_op("deg2rad", -360.0, 360.0),
    _unary_op("rad2deg"),
    _unary_op("erf", -3.0, 3.0),
    _unary_op("erfc", -3.0, 3.0),
    _unary_op("erfinv", -0.95, 0.95, ints=(UNIT_INTS,)),
    _unary_op("abs", bools=False),
    _unary_op("absolute", bools=False),
    _unary_op("sign", ints=(INTS, INTS.astype(np.uint8))),
    _unary_op("sgn"),
    _unary_op("signbit", differentiable=False),
    _unary_op("floor", bools=False),
    _unary_op("ceil", bools=False),
    _unary_op("trunc", bools=False),
    _unary_op("fix", bools=False),
    _unary_op("round", bools=False),
    _op("frac", lambda lib, x: lib.frac(x), unary_samples(-3.0, 3.0)),
    _unary_op("relu", bools=False),
    _unary_op("positive", bools=False),
    _unary_op("nan_to_num"),
    _unary_op("isnan", differentiable=False),
    _unary_op("isinf", differentiable=False),
    _unary_op("isposinf", differentiable=False),
    _unary_op("isneginf", differentiable=False),
    _unary_op("isfinite", differentiable=False),
    _unary_op("isreal", differentiable=False),
    _unary_op("logical_not", differentiable=False),
    _op(
        "round_decimals",
        lambda lib, x: lib.round(x * 100, decimals=1),
        unary_samples(),
        gradcheck=False,
    ),
    _op(
        "round_negative",
        lambda lib, x: lib.round(x * 1000, decimals=-2),
        unary_samples(),
        gradcheck=False,
    ),
    _op("clamp_numbers", lambda lib, x: lib.clamp(x, -0.5, 1.0), _unary()),
    _op("clamp_min_int", lambda lib, x: lib.clamp(x, min=0), _unary(bools=False)),
    _op("clamp_max_float", lambda lib, x: x.clamp_max(0.5), _unary()),
    _op("clamp_min_float", lambda lib, x: lib.clamp_min(x, 0.5), _unary()),
    _op("clip", lambda lib, x: lib.clip(x, max=0.25), _unary(bools=False)),
    _op(
        "nan_to_num_values",
        lambda lib, x: lib.nan_to_num(lib.log(x), nan=1.5, posinf=2.0, neginf=-3.0),
        unary_samples(),
    ),
    _op("isinf_of_log", lambda lib, x: lib.isinf(lib.log(x)), _unary(), differentiable=False),
]

METHODS = [
    _method_op(name, bools=name not in ("floor", "abs"))
    for name in ("exp2", "sin", "cos", "erf", "sign", "floor", "abs", "square", "logical_not")
]

INPLACE = [
    _inplace_op("exp"),
    _inplace_op("exp2"),
    _inplace_op("expm1"),
    _inplace_op("log", 0.1, 3.0),
    _inplace_op("log2", 0.1, 3.0),
    _inplace_op("log10", 0.1, 3.0),
    _inplace_op("log1p", 0.1, 3.0),
    _inplace_op("sqrt", 0.1, 3.0),
    _inplace_op("rsqrt", 0.1, 3.0),
    _inplace_op("reciprocal", 0.5, 3.0),
    _inplace_op("square"),
    _inplace_op("sin"),
    _inplace_op("cos"),
    _inplace_op("tan", -1.0, 1.0),
    _inplace_op("asin", -0.9, 0.9),
    _inplace_op("arcsin", -0.9, 0.9),
    _inplace_op("acos", -0.9, 0.9),
    _inplace_op("atan"),
    _inplace_op("arctan"),
    _inplace_op("sinh"),
    _inplace_op("cosh"),
    _inplace_op("asinh", graph=False),
    _inplace_op("acosh", 1.1, 3.0, graph=False),
    _inplace_op("atanh", -0.9, 0.9, graph=False),
    _inplace_op("erf"),
    _inplace_op("erfc"),
    _inplace_op("erfinv", -0.9, 0.9),
    _inplace_op("abs"),
    _inplace_op("absolute"),
    _inplace_op("sign"),
    _inplace_op("sgn"),
    _inplace_op("floor"),
    _inplace_op("ceil"),
    _inplace_op("trunc"),
    _inplace_op("fix"),
    _inplace_op("round"),
    _inplace_op("frac", -3.0, 3.0),
    _inplace_op("nan_to_num"),
    _inplace_op("negative"),
    _inplace_op("sigmoid"),
    _inplace_op("logit", 0.1, 0.9),
    _inplace_op("sinc"),
    _inplace_op("deg2rad"),
    _inplace_op("rad2deg"),
    _inplace_op("tanh"),
    _inplace_op("relu"),
    _inplace_op("clamp_min", extra=(0.5,)),
    _inplace_op("clamp_max", extra=(0.5,)),
    _inplace_op("clamp", extra=(-0.5, 0.5)),
    _inplace_op("clip", extra=(-0.5, 0.5)),
    _inplace_op("logical_not", graph=False),
]


def _named(name):
    return lambda lib, a, b: getattr(lib, name)(a, b)


BINARY = [
    _op("add", lambda lib, a, b: lib.add(a, b, alpha=2), _binary_samples),
    _op("mul", lambda lib, a, b: a * b, _binary_samples),
    _op("div", lambda lib, a, b: a / b, _binary_samples, gradcheck=False),
    _op(
        "maximum",
        lambda lib, a, b: lib.maximum(a, b if hasattr(b, "shape") and b.ndim else a),
        _binary_samples,
    ),
    _op("atan2", _named("atan2"), _pairs(number=False)),
    _op("arctan2", lambda lib, a, b: a.arctan2(b), _pairs(number=False)),
    _op("hypot", _named("hypot"), _pairs(ints=False, number=False)),
    _op("logaddexp", _named("logaddexp"), _pairs(-5.0, 5.0, ints=False, number=False)),
    _op("logaddexp2", _named("logaddexp2"), _pairs(-5.0, 5.0, ints=False, number=False)),
    _op("copysign", _named("copysign"), _pairs()),
    _op("copysign_number", lambda lib, a, b: lib.copysign(a, -2), _pairs(ints=False)),
    _op("xlogy", _named("xlogy"), _pairs(-2.0, 2.0, second=(0.1, 3.0))),
    _op(
        "xlogy_number_first",
        lambda lib, a, b: lib.xlogy(2.5, b),
        _pairs(second=(0.1, 3.0), number=False),
    ),
    _op("float_power", _named("float_power"), _pairs(0.2, 2.0, second=(-2.0, 2.0))),
    _op("float_power_int", lambda lib, a, b: lib.float_power(a, 3), _pairs(ints=False)),
    _op("float_power_number_first", lambda lib, a, b: lib.float_power(2, b), _pairs(number=False)),
    _op("fmod", _named("fmod"), _pairs(-5.0, 5.0, second=(0.7, 2.0))),
    _op("fmod_negative", _named("fmod"), _pairs(-5.0, 5.0, second=(-2.0, -0.7))),
    _op("remainder", _named("remainder"), _pairs(-5.0, 5.0, second=(0.7, 2.0))),
    _op("remainder_negative", _named("remainder"), _pairs(-5.0, 5.0, second=(-2.0, -0.7))),
    # PyTorch has no gradient for remainder(number, tensor).
    _op(
        "remainder_number_first",
        lambda lib, a, b: lib.remainder(5, b),
        _pairs(0.7, 2.0, number=False),
        differentiable=False,
    ),
    _op("fmax", _named("fmax"), _pairs(number=False)),
    _op("fmin", lambda lib, a, b: a.fmin(b), _pairs(number=False)),
    # PyTorch raises at backward through floor_divide; wright gives its zero gradient.
    _op(
        "floor_divide_method",
        lambda lib, a, b: a.floor_divide(b),
        _pairs(0.5, 5.0, (0.5, 2.0)),
        differentiable=False,
    ),
    _op("divide_method", lambda lib, a, b: a.divide(b, rounding_mode="trunc"), _pairs(0.5, 2.0)),
    _op("true_divide_", lambda lib, a, b: a.clone().true_divide_(b), _into(0.5, 2.0)),
    _op("multiply_", lambda lib, a, b: a.clone().multiply_(b), _into()),
    _op("subtract_", lambda lib, a, b: a.clone().subtract_(b, alpha=2), _into()),
    _op("clamp_min_tensor", lambda lib, a, b: lib.clamp_min(a, b), _pairs()),
    _op("clamp_max_tensor", lambda lib, a, b: a.clamp_max(b), _pairs()),
    _op("clamp_min_tensor_kw", lambda lib, a, b: lib.clamp(a, min=b), _pairs(number=False)),
    _op("lerp_number", lambda lib, a, b: lib.lerp(a, a * 2 + 1, 0.3), _pairs(ints=False)),
    _op("lerp_number_high", lambda lib, a, b: a.lerp(a - 1, 0.8), _pairs(ints=False)),
    _op("logical_and", _named("logical_and"), _pairs(number=False), differentiable=False),
    _op("logical_or", _named("logical_or"), _pairs(number=False), differentiable=False),
    _op("logical_xor", _named("logical_xor"), _pairs(number=False), differentiable=False),
    _op(
        "isclose",
        lambda lib, a, b: lib.isclose(a, a + b * 1e-6),
        _pairs(ints=False, f64=False),
        differentiable=False,
    ),
    _op(
        "isclose_tolerances",
        lambda lib, a, b: lib.isclose(a, b, rtol=0.5, atol=0.2),
        _pairs(ints=False, number=False, f64=False),
        differentiable=False,
    ),
    _op(
        "allclose",
        lambda lib, a, b: lib.allclose(a, a * (1 + 1e-7)),
        _pairs(ints=False),
        differentiable=False,
    ),
    _op("equal", lambda lib, a, b: lib.equal(a, a.clone()), _pairs(), differentiable=False),
    _op(
        "equal_differs",
        lambda lib, a, b: lib.equal(a, b),
        _pairs(number=False),
        differentiable=False,
    ),
]


def _lerp_samples(rng):
    yield Sample((floats(rng, 3, 4), floats(rng, 3, 4), floats(rng, 3, 4, low=-0.5, high=1.5)))
    yield Sample((floats(rng, 3, 1), floats(rng, 4), floats(rng, 1, 4)), label="broadcast")
    yield Sample((floats(rng, 2, 3), floats(rng, 2, 3), floats(rng)), label="0d_weight")
    yield Sample(
        (floats(rng, 2, 3), floats(rng, 2, 3), np.array(0.25, dtype=np.float64)),
        label="0d_weight_f64",
    )
    f64 = np.float64
    yield Sample(
        (floats(rng, 2, dtype=f64), floats(rng, 2, dtype=f64), floats(rng, 2, 2, dtype=f64)),
        label="f64",
    )


def _three_samples(rng):
    yield Sample((floats(rng, 3, 4), floats(rng, 3, 4), floats(rng, 3, 4, low=0.5, high=2.0)))
    yield Sample((floats(rng, 3, 1), floats(rng, 4), floats(rng, 1, 4, low=0.5)), label="bcast")
    yield Sample((floats(rng), floats(rng, 2), floats(rng, 2, 1, low=0.5)), label="0d")
    yield Sample(
        (floats(rng, 2, 3, dtype=np.float64), floats(rng, 3), floats(rng, 3, low=0.5)), label="mix"
    )
    yield Sample((np.array([1, 2]), np.array([3, 4]), floats(rng, 2, low=0.5)), label="int")


def _clamp_samples(rng):
    yield Sample((floats(rng, 3, 4), floats(rng, 3, 4, high=0.0), floats(rng, 3, 4, low=0.0)))
    yield Sample(
        (floats(rng, 3, 4), floats(rng, 4, high=0.0), floats(rng, 3, 1, low=0.0)), label="b"
    )
    yield Sample((floats(rng, 5), floats(rng, 5), floats(rng, 5)), label="crossing")
    yield Sample((np.arange(5), np.array(1.5), np.array(3)), label="int_bounds")


THREE = [
    _op("lerp", lambda lib, a, b, w: lib.lerp(a, b, w), _lerp_samples),
    _op("lerp_method", lambda lib, a, b, w: a.lerp(b, w), _lerp_samples),
    _op("addcmul", lambda lib, a, b, c: lib.addcmul(a, b, c), _three_samples),
    _op("addcmul_value", lambda lib, a, b, c: lib.addcmul(a, b, c, value=-0.5), _three_samples),
    _op("addcdiv", lambda lib, a, b, c: lib.addcdiv(a, b, c), _three_samples),
    _op("addcdiv_value", lambda lib, a, b, c: a.addcdiv(b, c, value=2), _three_samples),
    _op("clamp_tensors", lambda lib, x, lo, hi: lib.clamp(x, lo, hi), _clamp_samples),
    _op("clip_tensors", lambda lib, x, lo, hi: x.clip(min=lo, max=hi), _clamp_samples),
]


INPLACE_MULTI = [
    _op("atan2_", lambda lib, a, b: a.clone().atan2_(b), _into(number=False)),
    _op("arctan2_", lambda lib, a, b: a.clone().arctan2_(b), _into(number=False)),
    _op("hypot_", lambda lib, a, b: a.clone().hypot_(b), _into(number=False)),
    _op("copysign_", lambda lib, a, b: a.clone().copysign_(b), _into()),
    _op("xlogy_", lambda lib, a, b: a.clone().xlogy_(b), _into(second=(0.1, 2.0))),
    _op("fmod_", lambda lib, a, b: a.clone().fmod_(b), _into(-5.0, 5.0, (0.7, 2.0))),
    _op("clamp_min_tensor_", lambda lib, a, b: a.clone().clamp_min_(b), _into(number=False)),
    _op("clamp_max_tensor_", lambda lib, a, b: a.clone().clamp_max_(b), _into(number=False)),
    _op("lerp_", lambda lib, a, b: a.clone().lerp_(a * 0 + 1, b), _into(f64=False)),
    _op(
        "float_power_",
        lambda lib, a, b: (a.double() * 1).float_power_(b),
        _into(0.2, 2.0, (-2.0, 2.0)),
    ),
    _op(
        "addcmul_",
        lambda lib, a, b, c: a.clone().addcmul_(b, c, value=0.5),
        lambda rng: [s for s in _three_samples(rng) if s.label == ""],
    ),
    _op(
        "addcdiv_",
        lambda lib, a, b, c: a.clone().addcdiv_(b, c),
        lambda rng: [s for s in _three_samples(rng) if s.label == ""],
    ),
    _op(
        "heaviside_",
        lambda lib, a, b: a.clone().heaviside_(b),
        lambda rng: [Sample((np.array([-1.0, 0.0, 2.0, 0.0]), np.array([0.5])))],
        differentiable=False,
    ),
]
# PyTorch records no gradient for logical functions done in place (the tensor keeps its old
# graph); wright cuts the graph there, so these are compared on tensors outside any graph.
INPLACE_MULTI += [
    _op(
        f"{name}_",
        lambda lib, a, b, name=name: getattr(a.detach().clone(), f"{name}_")(b),
        _into(number=False),
        gradcheck=False,
    )
    for name in ("logical_and", "logical_or", "logical_xor")
]

# Special points: where PyTorch picks a subgradient or a convention (compared with torch, not
# with finite differences).
SPECIAL = [
    _op("abs_at_0", lambda lib, x: lib.abs(x), _special(([0.0, -0.0, -1.0, 2.0],))),
    _op("sign_at_0", lambda lib, x: lib.sign(x), _special(([0.0, -0.0, -1.0, 2.0],))),
    _op("sign_nan", lambda lib, x: lib.sign(x), _special(([np.nan, np.inf, -np.inf],))),
    _op("floor_at_integers", lambda lib, x: lib.floor(x), _special(([-1.0, 0.0, 2.0, 2.5],))),
    _op("round_halves", lambda lib, x: lib.round(x), _special(([-2.5, -0.5, 0.5, 1.5, 2.5],))),
    _op("frac_at_integers", lambda lib, x: lib.frac(x), _special(([-1.0, 0.0, 2.0],))),
    _op("sqrt_at_0", lambda lib, x: lib.sqrt(x), _special(([0.0, 4.0],))),
    _op("rsqrt_at_0", lambda lib, x: lib.rsqrt(x), _special(([0.0, -1.0, 4.0],))),
    _op("asin_at_1", lambda lib, x: lib.asin(x), _special(([1.0, -1.0, 2.0],))),
    _op("acosh_at_1", lambda lib, x: lib.acosh(x), _special(([1.0, 0.5, 2.0],))),
    _op("atanh_at_1", lambda lib, x: lib.atanh(x), _special(([1.0, -1.0, 2.0],))),
    _op("log_at_0", lambda lib, x: lib.log2(x), _special(([0.0, -1.0, 1.0],))),
    _op("log1p_at_-1", lambda lib, x: lib.log1p(x), _special(([-1.0, -2.0, 0.0],))),
    _op("erfinv_at_1", lambda lib, x: lib.erfinv(x), _special(([1.0, -1.0, 1.5, 0.0],))),
    _op(
        "erf_extremes",
        lambda lib, x: lib.erf(x),
        _special(([np.inf, -np.inf, np.nan, 0.0, -0.0, 30.0, -6.0],)),
    ),
    _op(
        "erfc_extremes",
        lambda lib, x: lib.erfc(x),
        _special(([np.inf, -np.inf, np.nan, 0.0, 27.0, 10.0, -30.0],)),
    ),
    _op(
        "nan_to_num_grad",
        lambda lib, x: lib.nan_to_num(x),
        _special(([np.nan, np.inf, -np.inf, 1.0],)),
    ),
    _op(
        "nan_to_num_float32",
        lambda lib, x: lib.nan_to_num(x),
        _special(([np.nan, np.inf, -np.inf, 1.0],), dtype=np.float32),
    ),
    _op(
        "nan_to_num_float16",
        lambda lib, x: lib.nan_to_num(x, nan=70000.0),
        _special(([np.nan, np.inf, -np.inf, 1.0],), dtype=np.float16),
    ),
    _op("atan2_origin", _named("atan2"), _special(([0.0, 1.0, -0.0], [0.0, 0.0, -1.0]))),
    _op("hypot_origin", _named("hypot"), _special(([0.0, 3.0], [0.0, 4.0]))),
    _op(
        "copysign_zero",
        _named("copysign"),
        _special(([0.0, -0.0, 2.0, -3.0, 1.0], [1.0, -1.0, -1.0, 1.0, -0.0])),
    ),
    _op(
        "xlogy_zeros",
        _named("xlogy"),
        _special(([0.0, 0.0, 0.0, 1.0, 2.0, 0.0], [0.0, -1.0, np.nan, 0.0, 3.0, 2.0])),
    ),
    _op(
        "logit_edges",
        lambda lib, x: lib.logit(x),
        _special(([0.0, 1.0, -0.5, 1.5, 0.5],)),
    ),
    _op("sinc_at_0", lambda lib, x: lib.sinc(x), _special(([0.0, 1.0, -2.0, 0.5],))),
    _op(
        "fmax_nan",
        _named("fmax"),
        _special(([1.0, 2.0, np.nan, 3.0, np.nan], [1.0, 3.0, 1.0, np.nan, np.nan])),
    ),
    _op(
        "fmin_nan",
        _named("fmin"),
        _special(([1.0, 2.0, np.nan, 3.0, np.nan], [1.0, 3.0, 1.0, np.nan, np.nan])),
    ),
    _op(
        "logaddexp_infinities",
        _named("logaddexp"),
        _special(([-np.inf, np.inf, 1.0, 800.0], [-np.inf, 1.0, -np.inf, 1.0])),
    ),
    _op(
        "fmod_exact",
        _named("fmod"),
        _special(([5.5, -5.5, 3.0, 4.0, -0.0], [2.0, 2.0, -2.0, 2.0, 3.0])),
    ),
    _op(
        "remainder_exact",
        _named("remainder"),
        _special(([5.5, -5.5, 3.0, 4.0, 1.0], [2.0, 2.0, -2.0, 2.0, -np.inf])),
    ),
    _op(
        "clamp_ties",
        lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
        _special(
            (
                [1.0, 2.0, 3.0, 1.0, 4.0, 2.0, 3.0, 6.0],
                [2.0, 2.0, 2.0, 5.0, 5.0, 1.0, 1.0, 5.0],
                [2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0],
            )
        ),
    ),
    _op(
        "clamp_min_tie",
        lambda lib, x, lo: lib.clamp(x, min=lo),
        _special(([1.0, 2.0, 3.0, np.nan], [2.0, 2.0, 2.0, 0.0])),
    ),
    _op(
        "clamp_max_tie",
        lambda lib, x, hi: lib.clamp_max(x, hi),
        _special(([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])),
    ),
    _op(
        "clamp_number_ties",
        lambda lib, x: lib.clamp(x, 2.0, 3.0),
        _special(([1.0, 2.0, 3.0, 4.0, np.nan],)),
    ),
    _op(
        "clamp_crossed_numbers", lambda lib, x: lib.clamp(x, 5.0, 3.0), _special(([1.0, 3.0, 6.0],))
    ),
    _op(
        "lerp_weight",
        lambda lib, a, b, w: lib.lerp(a, b, w),
        _special(([1.0, 2.0, 0.0], [3.0, 5.0, 1.0], [0.2, 0.7, 0.5])),
    ),
    _op(
        "float_power_zero",
        _named("float_power"),
        _special(([0.0, 2.0, -1.0], [0.0, 3.0, 2.0])),
    ),
    _op(
        "heaviside",
        _named("heaviside"),
        _special(([-1.0, 0.0, 2.0, np.nan, -0.0], [0.5])),
        differentiable=False,
    ),
]

INTEGER = [
    _op("sign_int", lambda lib, x: lib.sign(x), lambda rng: [Sample((INTS,))]),
    _op("fmod_int", lambda lib, a: lib.fmod(a, 3), lambda rng: [Sample((INTS,))]),
    _op("fmod_int_neg", lambda lib, a: lib.fmod(a, -2), lambda rng: [Sample((INTS,))]),
    _op("remainder_int", lambda lib, a: lib.remainder(a, -3), lambda rng: [Sample((INTS,))]),
    _op("fmod_bool_int", lambda lib, a: lib.fmod(a, 2), lambda rng: [Sample((BOOLS,))]),
    _op("square_bool", lambda lib, a: lib.square(a), lambda rng: [Sample((BOOLS,))]),
    _op("addcmul_int", lambda lib, a: lib.addcmul(a, a, a, value=2), lambda rng: [Sample((INTS,))]),
    _op(
        "addcmul_int_float_value",
        lambda lib, a: lib.addcmul(a, a, a, value=1.5),
        lambda rng: [Sample((INTS,))],
    ),
    _op("clamp_bool", lambda lib, a: lib.clamp(a, 0), lambda rng: [Sample((BOOLS,))]),
    _op("heaviside_int", lambda lib, a: lib.heaviside(a, a), lambda rng: [Sample((INTS,))]),
    _op(
        "heaviside_bool",
        lambda lib, a: lib.heaviside(a, lib.tensor([True])),
        lambda rng: [Sample((BOOLS,))],
    ),
    _op("copysign_int", lambda lib, a: lib.copysign(a, a - 2), lambda rng: [Sample((INTS,))]),
    _op(
        "isclose_int", lambda lib, a: lib.isclose(a, a + 1, atol=1.5), lambda rng: [Sample((INTS,))]
    ),
    _op("isclose_bool", lambda lib, a: lib.isclose(a, ~a), lambda rng: [Sample((BOOLS,))]),
    _op(
        "signbit_uint8",
        lambda lib, a: lib.signbit(a),
        lambda rng: [Sample((INTS.astype(np.uint8),))],
    ),
    _op("nan_to_num_int", lambda lib, a: lib.nan_to_num(a, nan=2.5), lambda rng: [Sample((INTS,))]),
]


def _bits(rng):
    yield Sample((np.array([5, -8, 3, 12]), np.array([3, 1, -6, 4])), label="int64")
    yield Sample(
        (np.array([[1, 2]], dtype=np.int8), np.array([[3], [7]], dtype=np.int8)), label="i8"
    )
    yield Sample((np.array([200, 7], dtype=np.uint8), 3), label="uint8_number")
    yield Sample((np.array([True, False]), np.array([True, True])), label="bool")
    yield Sample((np.array([True, False]), 3), label="bool_number")
    yield Sample((np.array([3, 4], dtype=np.int16), np.array([1, 2], dtype=np.int32)), label="mix")


def _shifts(rng):
    yield Sample((np.array([1, -8, 5, -8, 8]), np.array([64, 1, 70, -1, 2])), label="int64")
    yield Sample((np.array([1, -8], dtype=np.int8), 7), label="int8_number")
    yield Sample((np.array([1, -8], dtype=np.int8), np.array([9, 9], dtype=np.int8)), label="wide")
    yield Sample((np.array([200], dtype=np.uint8), np.array([1, 3, 9], dtype=np.uint8)), label="u8")


BITWISE = [
    _op(name, lambda lib, a, b, name=name: getattr(lib, name)(a, b), _bits, differentiable=False)
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor")
]
BITWISE += [
    _op(
        f"{name}_",
        lambda lib, a, b, name=name: getattr(a.clone(), f"{name}_")(b),
        lambda rng: [s for s in _bits(rng) if s.label in ("int64", "uint8_number")],
        differentiable=False,
    )
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift")
]
BITWISE += [
    _op(name, lambda lib, a, b, name=name: getattr(lib, name)(a, b), _shifts, differentiable=False)
    for name in ("bitwise_left_shift", "bitwise_right_shift")
]
BITWISE += [
    _op(
        "bitwise_not",
        lambda lib, a: lib.bitwise_not(a),
        lambda rng: [Sample((INTS,)), Sample((BOOLS,)), Sample((INTS.astype(np.uint8),))],
        differentiable=False,
    ),
    _op(
        "bitwise_and_number_first",
        lambda lib, a: lib.bitwise_and(6, a),
        lambda rng: [Sample((INTS,))],
        differentiable=False,
    ),
    _op(
        "bitwise_left_shift_number_first",
        lambda lib, a: lib.bitwise_left_shift(2, a.abs()),
        lambda rng: [Sample((INTS,))],
        differentiable=False,
    ),
]

ALL = UNARY + METHODS + INPLACE + BINARY + THREE + INPLACE_MULTI + INTEGER + BITWISE
# In-place forms are checked against torch's gradients; finite differences once per function.
GRADCHECKED = [
    info
    for info in UNARY + BINARY + THREE + INPLACE_MULTI
    if info.differentiable and info.gradcheck
]


@pytest.mark.parametrize("info, sample", cases(ALL + SPECIAL))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(GRADCHECKED))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


VIEWS = [
    OpInfo(
        "flatten", lambda lib, x: lib.flatten(x, 1), lambda rng: [Sample((floats(rng, 2, 3, 4),))]
    ),
    OpInfo(
        "reshape",
        lambda lib, x: lib.reshape(x, (4, -1)),
        lambda rng: [Sample((floats(rng, 2, 3, 4),))],
    ),
    OpInfo(
        "transpose",
        lambda lib, x: lib.transpose(x, 0, 2),
        lambda rng: [Sample((floats(rng, 2, 3, 4),))],
    ),
    OpInfo(
        "permute",
        lambda lib, x: lib.permute(x, (2, 0, 1)),
        lambda rng: [Sample((floats(rng, 2, 3, 4),))],
    ),
    OpInfo("squeeze", lambda lib, x: lib.squeeze(x, 0), lambda rng: [Sample((floats(rng, 1, 3),))]),
    OpInfo(
        "unsqueeze", lambda lib, x: lib.unsqueeze(x, -1), lambda rng: [Sample((floats(rng, 3),))]
    ),
    OpInfo("t", lambda lib, x: lib.t(x), lambda rng: [Sample((floats(rng, 2, 3),))]),
    OpInfo("chunk", lambda lib, x: lib.chunk(x, 2, 1), lambda rng: [Sample((floats(rng, 2, 5),))]),
    OpInfo("clone", lambda lib, x: lib.clone(x) * 2, lambda rng: [Sample((floats(rng, 2, 5),))]),
]


@pytest.mark.parametrize("info, sample", cases(VIEWS))
def test_view_functions_match_torch(info, sample):
    check_against_torch(info, sample)


# ----- errors where PyTorch raises -----

ERRORS = {
    "frac_int": lambda lib: lib.frac(lib.tensor([1, 2])),
    "floor_bool": lambda lib: lib.floor(lib.tensor([True])),
    "round_bool": lambda lib: lib.round(lib.tensor([True])),
    "round_int_decimals": lambda lib: lib.round(lib.tensor([15, 25]), decimals=-1),
    "abs_bool": lambda lib: lib.abs(lib.tensor([True])),
    "relu_bool": lambda lib: lib.relu(lib.tensor([True])),
    "positive_bool": lambda lib: lib.positive(lib.tensor([True])),
    "atan2_number": lambda lib: lib.atan2(lib.tensor([1.0]), 2.0),
    "hypot_int": lambda lib: lib.hypot(lib.tensor([1]), lib.tensor([2])),
    "hypot_number": lambda lib: lib.hypot(lib.tensor([1.0]), 2.0),
    "logaddexp_int": lambda lib: lib.logaddexp(lib.tensor([1]), lib.tensor([2])),
    "logaddexp_bool": lambda lib: lib.logaddexp(lib.tensor([True]), lib.tensor([True])),
    "logaddexp2_number": lambda lib: lib.logaddexp2(lib.tensor([1.0]), 2.0),
    "fmod_bool": lambda lib: lib.fmod(lib.tensor([True]), lib.tensor([True])),
    "fmod_int_zero": lambda lib: lib.fmod(lib.tensor([5, 2]), 0),
    "remainder_int_zero": lambda lib: lib.remainder(lib.tensor([5, 2]), lib.tensor([1, 0])),
    "floor_divide_int_zero": lambda lib: lib.tensor([5, 2]) // 0,
    "lerp_int": lambda lib: lib.lerp(lib.tensor([1]), lib.tensor([2]), 0.5),
    "lerp_end_dtype": lambda lib: lib.lerp(lib.tensor([1.0]), lib.tensor([2.0]).double(), 0.5),
    "lerp_weight_dtype": lambda lib: lib.lerp(
        lib.tensor([1.0]), lib.tensor([2.0]), lib.tensor([0.5]).double()
    ),
    "lerp_end_number": lambda lib: lib.lerp(lib.tensor([1.0]), 2.0, 0.5),
    "addcdiv_ints": lambda lib: lib.addcdiv(lib.tensor([1.0]), lib.tensor([1]), lib.tensor([2])),
    "addcmul_bools": lambda lib: lib.addcmul(
        lib.tensor([True]), lib.tensor([True]), lib.tensor([True])
    ),
    "heaviside_dtypes": lambda lib: lib.heaviside(lib.tensor([1.0]), lib.tensor([1.0]).double()),
    "heaviside_number": lambda lib: lib.heaviside(lib.tensor([1.0]), 0.5),
    "heaviside_backward": lambda lib: (
        lib.heaviside(lib.tensor([1.0, 0.0], requires_grad=True), lib.tensor([0.5]))
        .sum()
        .backward()
    ),
    "isclose_dtypes": lambda lib: lib.isclose(lib.tensor([1]), lib.tensor([1.0])),
    "isclose_negative_rtol": lambda lib: lib.isclose(lib.tensor([1.0]), lib.tensor([1.0]), -1.0),
    "isclose_number": lambda lib: lib.isclose(lib.tensor([1.0]), 1.0),
    "allclose_dtypes": lambda lib: lib.allclose(lib.tensor([1]), lib.tensor([1.0])),
    "equal_number": lambda lib: lib.equal(lib.tensor([1.0]), 1.0),
    "logical_and_number": lambda lib: lib.logical_and(lib.tensor([1.0]), 1),
    "bitwise_and_float": lambda lib: lib.bitwise_and(lib.tensor([1.0]), lib.tensor([1.0])),
    "bitwise_not_float": lambda lib: lib.bitwise_not(lib.tensor([1.0])),
    "left_shift_bool": lambda lib: lib.bitwise_left_shift(lib.tensor([True]), lib.tensor([True])),
    "right_shift_float": lambda lib: lib.bitwise_right_shift(lib.tensor([1.0]), 1),
    "clamp_no_bounds": lambda lib: lib.clamp(lib.tensor([1.0])),
    "clamp_bool_number": lambda lib: lib.clamp(lib.tensor([True, False]), True),
    "fmax_number": lambda lib: lib.fmax(lib.tensor([1.0]), 2.0),
    "remainder_bool": lambda lib: lib.remainder(lib.tensor([True]), lib.tensor([True])),
    "sin_int_inplace": lambda lib: lib.tensor([1, 2]).sin_(),
    "float_power_float32_inplace": lambda lib: lib.tensor([1.0, 2.0]).float_power_(2),
    "logical_not_leaf_inplace": lambda lib: lib.tensor([1.0], requires_grad=True).exp_(),
    "clamp_int_float_inplace": lambda lib: lib.tensor([1, 2]).clamp_(0.5),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_raises_like_torch(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(theirs.type):
        call(wright)


# ----- values and gradients for random broadcastable shapes -----

BROADCAST_OPS = {
    "atan2": lambda lib, a, b: lib.atan2(a, b),
    "hypot": lambda lib, a, b: lib.hypot(a, b),
    "logaddexp": lambda lib, a, b: lib.logaddexp(a, b),
    "copysign": lambda lib, a, b: lib.copysign(a, b),
    "fmod": lambda lib, a, b: lib.fmod(a, b.abs() + 0.5),
    "xlogy": lambda lib, a, b: lib.xlogy(a, b.abs() + 0.1),
    "lerp": lambda lib, a, b: lib.lerp(a, b, b.sigmoid()),
    "clamp_max": lambda lib, a, b: lib.clamp_max(a, b),
    "addcdiv": lambda lib, a, b: lib.addcdiv(a, a, b.abs() + 0.5, value=0.5),
    "float_power": lambda lib, a, b: lib.float_power(a.abs() + 0.5, b),
}


@pytest.mark.parametrize("name", BROADCAST_OPS)
@settings(max_examples=15, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    seed=st.integers(0, 2**16),
)
def test_broadcasting_matches_torch(name, shapes, seed):
    rng = np.random.default_rng(seed)
    first, second = (rng.uniform(-2, 2, size=shape) for shape in shapes.input_shapes)
    info = OpInfo(name, BROADCAST_OPS[name], lambda rng: [])
    check_against_torch(info, Sample((first, second)))


# ----- the error function family: accuracy in float64 -----


def _relative_error(ours: np.ndarray, theirs: np.ndarray) -> float:
    # Relative to the true size where floats carry full precision; subnormal values (below
    # 2.2e-308, where erfc lands beyond x = 26.55) have only a few digits, in torch too.
    normal = np.isfinite(theirs) & (np.abs(theirs) >= np.finfo(np.float64).tiny)
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    assert np.array_equal(ours[np.isinf(theirs)], theirs[np.isinf(theirs)])
    np.testing.assert_allclose(ours[~normal], theirs[~normal], rtol=0, atol=1e-320)
    return float(np.max(np.abs(ours[normal] - theirs[normal]) / np.abs(theirs[normal])))


@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_erf_float64_accuracy(name):
    torch = pytest.importorskip("torch")
    x = np.concatenate([np.linspace(-27.0, 27.0, 20001), np.geomspace(1e-300, 1.0, 500)])
    x = np.concatenate([x, -x])
    ours = getattr(wright, name)(wright.tensor(x)).numpy()
    theirs = getattr(torch, name)(torch.tensor(x)).numpy()
    assert _relative_error(ours, theirs) < 2e-15


def test_erfinv_float64_accuracy():
    torch = pytest.importorskip("torch")
    near_one = 1 - np.geomspace(1e-16, 0.5, 2000)
    x = np.concatenate([np.linspace(-1.0, 1.0, 20001), near_one, np.geomspace(1e-300, 0.5, 500)])
    x = np.concatenate([x, -x])
    ours = wright.erfinv(wright.tensor(x)).numpy()
    theirs = torch.erfinv(torch.tensor(x)).numpy()
    assert _relative_error(ours, theirs) < 2e-15
    # Its inverse: erf(erfinv(x)) returns x to round-off away from +-1.
    inner = np.abs(x) < 0.999
    assert np.allclose(wright.erf(wright.tensor(ours[inner])).numpy(), x[inner], rtol=1e-15, atol=0)


def test_erf_float32_and_float16_match_torch():
    torch = pytest.importorskip("torch")
    x = np.linspace(-6.0, 6.0, 4001)
    for dtype, rtol in ((np.float32, 1e-6), (np.float16, 1e-3)):
        for name in ("erf", "erfc", "erfinv"):
            values = np.tanh(x) if name == "erfinv" else x
            ours = getattr(wright, name)(wright.tensor(values.astype(dtype)))
            theirs = getattr(torch, name)(torch.tensor(values.astype(dtype)))
            assert ours.dtype == getattr(wright, dtype.__name__)
            np.testing.assert_allclose(
                ours.numpy().astype(np.float64),
                theirs.numpy().astype(np.float64),
                rtol=rtol,
                atol=1e-30,
                err_msg=f"{name} {dtype.__name__}",
            )


# ----- in-place forms: memory, versions, views -----


def test_inplace_changes_memory_and_version():
    x = wright.tensor([0.5, 1.0, 2.0])
    array, version = x.array, x._version
    assert x.sin_() is x
    assert x.array is array and x._version == version + 1
    np.testing.assert_allclose(x.numpy(), np.sin([0.5, 1.0, 2.0]), rtol=1e-6)


def test_inplace_on_a_view_changes_the_base():
    base = wright.tensor([[0.2, 0.4], [0.6, 0.8]])
    base[0].erf_()
    expected = np.array([[0.2, 0.4], [0.6, 0.8]], dtype=np.float32)
    expected[0] = wright.erf(wright.tensor(expected[0])).numpy()
    np.testing.assert_allclose(base.numpy(), expected)


def test_inplace_logical_keeps_dtype():
    x = wright.tensor([0.0, 2.0, -1.0])
    x.logical_not_()
    assert x.dtype == wright.float32 and x.tolist() == [1.0, 0.0, 0.0]
    y = wright.tensor([0, 2, 3])
    y.logical_and_(wright.tensor([1, 1, 0]))
    assert y.dtype == wright.int64 and y.tolist() == [0, 1, 0]


def test_changed_input_raises_at_backward():
    x = wright.tensor([0.5, 1.0], requires_grad=True)
    y = x * 1
    z = y.sin()
    y.cos_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_methods_and_functions_are_one():
    for name in ("sin", "erf", "lerp", "clamp_min", "xlogy", "isclose", "logical_xor"):
        assert getattr(wright.Tensor, name) is getattr(wright, name)
    assert wright.arcsin is wright.asin and wright.Tensor.arctan2_ is wright.Tensor.atan2_
    assert wright.fix is wright.trunc and wright.clip is wright.clamp
