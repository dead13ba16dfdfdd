"""F.pad and the padding layers: every mode against PyTorch (values, dtypes, gradients, negative
sizes that crop), finite differences, the layers' arguments and reprs, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import wright
from opinfo import OpInfo, Sample, cases, check_against_torch, check_gradcheck, floats
from wright import nn
from wright.nn import functional as F


def _pad_samples(mode: str):
    def samples(rng):
        yield Sample((floats(rng, 2, 5), (1, 2)), label="2d")
        yield Sample((floats(rng, 2, 3, 5), (2, -1)), label="crop_right")
        yield Sample((floats(rng, 2, 3, 4, 5), (-1, 3, 2, 0)), label="4d")
        yield Sample((floats(rng, 3, 4, 5), (1, 1, 2, -1)), label="3d_two_sides")
        yield Sample((floats(rng, 1, 2, 3, 4, 5), (1, 2, 2, 1, 0, 2)), label="5d")
        yield Sample((floats(rng, 2, 3, 4, 5, dtype=np.float64), (0, 0, 1, 1)), label="float64")
        yield Sample((floats(rng, 2, 5, 4).transpose(0, 2, 1), (1, 3)), label="transposed")
        if mode == "constant":
            yield Sample((floats(rng, 5), (2, 1)), {"value": 1.5}, label="1d_value")
            yield Sample((np.arange(6).reshape(2, 3), (1, 1, 1, 0)), {"value": 2.7}, label="int")
            yield Sample((np.array([True, False]), (1, 1)), {"value": 1}, label="bool")
            yield Sample((floats(rng, 0, 3), (1, 1, 0, 2)), label="empty")
            yield Sample((floats(rng, 2, 3), ()), label="no_padding")
            yield Sample((floats(rng, 2, 3, 4), (1, 1, 1, 1, 1, 1)), label="every_dim")

    return samples


PADS = [
    OpInfo(
        f"pad_{mode}",
        lambda lib, x, pad, mode=mode, **kw: lib.nn.functional.pad(x, pad, mode, **kw),
        _pad_samples(mode),
    )
    for mode in ("constant", "reflect", "replicate", "circular")
]


@pytest.mark.parametrize("info, sample", cases(PADS))
def test_pad_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(PADS))
def test_pad_gradcheck(info, sample):
    check_gradcheck(info, sample)


@st.composite
def pad_cases(draw):
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    dims = draw(st.integers(1, 3))
    shape = [draw(st.integers(1, 2))] + [draw(st.integers(1, 5)) for _ in range(dims + 1)]
    pads = []
    for size in reversed(shape[-dims:]):
        # within what each mode accepts: reflect < size, circular <= what is left after cropping
        # (where PyTorch reads uninitialised memory instead of refusing)
        low, top = {"reflect": (-size, size - 1), "circular": (-(size // 3), size // 3)}.get(
            mode, (-size, 4)
        )
        pads += [draw(st.integers(low, top)), draw(st.integers(low, top))]
        if mode != "constant":
            # PyTorch reads uninitialised memory when a non-constant pad crops a dimension away.
            assume(size + pads[-2] + pads[-1] > 0)
    value = draw(st.floats(-2, 2)) if mode == "constant" else None
    return tuple(shape), tuple(pads), mode, value, draw(st.integers(0, 99))


@settings(max_examples=40, deadline=None)
@given(pad_cases())
def test_random_pads_match_torch(case):
    torch = pytest.importorskip("torch")
    shape, pads, mode, value, seed = case
    x = np.random.default_rng(seed).standard_normal(shape)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    try:
        expected = torch.nn.functional.pad(reference, pads, mode, value)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            F.pad(mine, pads, mode, value)
        return
    out = F.pad(mine, pads, mode, value)
    np.testing.assert_array_equal(out.array, expected.detach().numpy())
    weights = np.random.default_rng(seed + 1).standard_normal(expected.shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_reflect_example():
    out = F.pad(wright.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
    assert out.tolist() == [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]


@pytest.mark.parametrize(
    ("shape", "pad", "arguments", "error", "message"),
    [
        ((1, 3, 4), (1, 1, 1), {}, RuntimeError, r"divisible by 2"),
        ((2, 3), (1,) * 6, {}, RuntimeError, r"more than two per dimension"),
        ((1, 3, 4), (1, 1), {"mode": "mirror"}, NotImplementedError, r"unknown padding mode"),
        ((1, 3, 4), (1.0, 1), {}, TypeError, r"pad must be a tuple of ints"),
        ((1, 3, 4), (4, 0), {"mode": "reflect"}, RuntimeError, r"must be less than the size 4"),
        ((1, 3, 4), (5, 0), {"mode": "circular"}, RuntimeError, r"wraps around more than once"),
        ((1, 3, 4), (4, -1), {"mode": "circular"}, RuntimeError, r"wraps around more than once"),
        ((1, 3, 4), (1, 1), {"mode": "reflect", "value": 2}, RuntimeError, r"does not take"),
        ((4,), (1, 1), {"mode": "reflect"}, NotImplementedError, r"last 1, 2 or 3 dimensions"),
        ((1, 2, 3, 4), (1, 1), {"mode": "replicate"}, NotImplementedError, r"got 2 padding"),
        ((2, 0), (1, 1), {"mode": "replicate"}, RuntimeError, r"non-empty padded dimensions"),
        ((1, 3, 4), (-2, -2), {"mode": "reflect"}, RuntimeError, r"leaves no elements"),
        ((1, 3, 4), (-5, 0), {}, RuntimeError, r"leaves a negative size"),
    ],
)
def test_bad_pads_raise_torchs_exception_types(shape, pad, arguments, error, message):
    with pytest.raises(error, match=message):
        F.pad(wright.zeros(*shape), pad, **arguments)


LAYERS = [
    ("ZeroPad1d", (2,), (2, 3, 5)),
    ("ZeroPad2d", ((1, 0, 2, -1),), (2, 3, 4, 5)),
    ("ZeroPad3d", (1,), (1, 2, 2, 3, 4)),
    ("ConstantPad1d", ((1, 2), 3.5), (3, 5)),
    ("ConstantPad2d", (1, -1.0), (2, 3, 4, 5)),
    ("ConstantPad3d", ((1, 0, 0, 1, 1, 0), 2.0), (2, 2, 3, 4)),
    ("ReflectionPad1d", ((3, 1),), (2, 3, 5)),
    ("ReflectionPad2d", (2,), (3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 2, 3, 4)),
    ("ReplicationPad1d", (2,), (3, 5)),
    ("ReplicationPad2d", ((0, 3, 1, 1),), (2, 3, 4, 5)),
    ("ReplicationPad3d", ((1, 2, 0, 0, 1, 1),), (2, 2, 3, 4)),
    ("CircularPad1d", (2,), (2, 3, 5)),
    ("CircularPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ("CircularPad3d", (1,), (1, 2, 2, 3, 4)),
]


@pytest.mark.parametrize(("layer", "arguments", "shape"), LAYERS)
def test_layers_match_torch(layer, arguments, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, layer)(*arguments), getattr(torch.nn, layer)(*arguments)
    assert repr(ours) == repr(theirs)
    assert ours.padding == theirs.padding
    x = np.random.default_rng(0).standard_normal(shape)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    np.testing.assert_array_equal(out.array, expected.detach().numpy())
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(mine.grad.array, reference.grad.numpy())


def test_layer_padding_must_have_two_numbers_per_dimension():
    with pytest.raises(ValueError, match=r"ReflectionPad2d: padding must be an int or 4 ints"):
        nn.ReflectionPad2d((1, 2))


def test_gradient_of_reflection_padding_sums_mirrored_positions():
    x = wright.ones(1, 1, 3, requires_grad=True)
    F.pad(x, (2, 2), mode="reflect").sum().backward()
    # [2 1 | 0 1 2 | 1 0]: position 0 appears twice, 1 three times, 2 twice
    assert x.grad.tolist() == [[[2.0, 3.0, 2.0]]]


def test_float32_stays_float32_and_int_constant_fill_truncates():
    x = wright.zeros(1, 2, 3, requires_grad=True)
    out = F.pad(x, (1, 1), mode="replicate")
    out.sum().backward()
    assert out.dtype == x.grad.dtype == wright.float32
    filled = F.pad(wright.tensor([1, 2]), (1, 0), value=-2.7)
    assert filled.dtype == wright.int64 and filled.tolist() == [-2, 1, 2]


def test_results_never_alias_the_input():
    x = wright.zeros(1, 2, 3)
    for out in (F.pad(x, ()), F.pad(x, (0, 0), mode="reflect"), F.pad(x, (-1, 0))):
        out.fill_(1.0)
    assert x.sum().item() == 0.0
