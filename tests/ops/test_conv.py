"""Convolution, transposed convolution and pooling primitives: window arithmetic, gradcheck, and
agreement with torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import wright
from wright.autograd import gradcheck
from wright.nn import functional as F
from wright.ops import conv as conv_ops
from wright.ops.conv import sliding_window


def _tensor(rng: np.random.Generator, shape, requires_grad: bool = True) -> wright.Tensor:
    return wright.tensor(rng.standard_normal(shape), dtype=np.float64, requires_grad=requires_grad)


# ----- window arithmetic -----


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "out"),
    [
        ((28, 28), 5, 1, 0, 1, (24, 24)),
        ((9, 11), 3, 2, 1, 1, (5, 6)),
        ((9, 11), (3, 2), (2, 1), (0, 1), (2, 1), (3, 12)),
        ((7,), 3, 1, "same", 2, (7,)),
        ((6, 6), 4, 1, "same", 1, (6, 6)),
        ((5, 5), 5, 1, "valid", 1, (1, 1)),
    ],
)
def test_output_size_follows_the_formula(size, kernel, stride, padding, dilation, out):
    assert sliding_window("conv", size, kernel, stride, padding, dilation).out == out


def test_same_padding_puts_the_odd_cell_after():
    window = sliding_window("conv", (6, 6), 4, 1, "same")
    assert window.pad_before == (1, 1) and window.pad_after == (2, 2)


def test_ceil_mode_lets_the_last_window_run_off_the_edge():
    # The lectures' 7x7 filtered image pooled 2x2, stride 2: a fourth window covers the last column.
    floor = sliding_window("pool", (7, 7), 2, pooling=True)
    ceil = sliding_window("pool", (7, 7), 2, ceil_mode=True, pooling=True)
    assert floor.out == (3, 3) and ceil.out == (4, 4)
    assert ceil.pad_after == (1, 1)


def test_ceil_mode_drops_a_window_that_starts_in_the_padding():
    # torch: the last window must start inside the image or its left padding.
    assert sliding_window("pool", (5,), 2, 2, padding=1, ceil_mode=True, pooling=True).out == (3,)


def test_a_kernel_larger_than_the_padded_input_shows_the_arithmetic():
    message = (
        r"conv2d: the kernel does not fit the input's height: output height = "
        r"floor\(\(height 3 \+ padding 1 \+ 1 - dilation 1 \* \(kernel_size 7 - 1\) - 1\) "
        r"/ stride 1\) \+ 1 = floor\(-2 / 1\) \+ 1 = -1 <= 0; the padded input \(5\) is "
        r"smaller than the kernel's extent \(7\)"
    )
    with pytest.raises(ValueError, match=message):
        F.conv2d(wright.zeros(1, 1, 3, 9), wright.zeros(1, 1, 7, 7), padding=1)


def test_dilation_counts_in_the_kernel_extent():
    with pytest.raises(ValueError, match=r"kernel's extent \(9\)"):
        F.conv2d(wright.zeros(1, 1, 8, 8), wright.zeros(1, 1, 3, 3), dilation=4)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"stride": 0}, r"stride must be positive, got \(0, 0\)"),
        ({"padding": -1}, r"padding must be >= 0"),
        ({"padding": "full"}, r"padding must be an int, a tuple, 'valid' or 'same'"),
        ({"padding": "same", "stride": 2}, r"padding='same' needs stride 1"),
        ({"stride": (1, 2, 3)}, r"stride must be an int or 2 ints"),
    ],
)
def test_bad_window_arguments_are_named(arguments, message):
    with pytest.raises(ValueError, match=message):
        F.conv2d(wright.zeros(1, 1, 8, 8), wright.zeros(1, 1, 3, 3), **arguments)


def test_pool_padding_at_most_half_the_kernel():
    with pytest.raises(ValueError, match=r"max_pool2d: padding \(2, 2\) must be at most half"):
        F.max_pool2d(wright.zeros(1, 1, 8, 8), 3, padding=2)


# ----- gradcheck (float64) -----


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"stride": 2, "padding": 1},
        {"stride": (2, 1), "padding": (0, 2), "dilation": (1, 2)},
        {"padding": "same", "dilation": 2},
    ],
)
def test_conv2d_gradcheck(arguments):
    rng = np.random.default_rng(0)
    x, weight, bias = _tensor(rng, (2, 3, 6, 7)), _tensor(rng, (4, 3, 3, 2)), _tensor(rng, (4,))
    assert gradcheck(lambda a, w, b: F.conv2d(a, w, b, **arguments), [x, weight, bias])


def test_grouped_and_one_channel_conv2d_gradcheck():
    rng = np.random.default_rng(1)
    x, weight = _tensor(rng, (2, 4, 5, 5)), _tensor(rng, (6, 2, 3, 3))
    assert gradcheck(lambda a, w: F.conv2d(a, w, groups=2, stride=2), [x, weight])
    depthwise = _tensor(rng, (4, 1, 2, 2))
    assert gradcheck(lambda a, w: F.conv2d(a, w, groups=4, padding=1), [x, depthwise])


def test_conv1d_gradcheck():
    rng = np.random.default_rng(2)
    x, weight, bias = _tensor(rng, (2, 3, 9)), _tensor(rng, (2, 3, 4)), _tensor(rng, (2,))
    assert gradcheck(lambda a, w, b: F.conv1d(a, w, b, stride=2, padding=1), [x, weight, bias])


@pytest.mark.parametrize(
    "arguments",
    [
        {"kernel_size": 2},
        {"kernel_size": 2, "stride": 2, "ceil_mode": True},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": (2, 3), "stride": 1, "dilation": (2, 1)},
    ],
)
def test_max_pool2d_gradcheck(arguments):
    # Distinct values, so no window has a tie that a finite difference would split.
    values = np.random.default_rng(3).permutation(2 * 3 * 7 * 7).reshape(2, 3, 7, 7) / 10.0
    x = wright.tensor(values, dtype=np.float64, requires_grad=True)
    assert gradcheck(lambda a: F.max_pool2d(a, **arguments), [x])


@pytest.mark.parametrize(
    "arguments",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
    ],
)
def test_avg_pool2d_gradcheck(arguments):
    x = _tensor(np.random.default_rng(4), (2, 2, 7, 6))
    assert gradcheck(lambda a: F.avg_pool2d(a, **arguments), [x])


# ----- memory layout and dtype -----


def test_results_do_not_depend_on_the_input_memory_order():
    rng = np.random.default_rng(5)
    images = rng.standard_normal((3, 4, 8, 8)).astype(np.float32)
    channels_last = np.ascontiguousarray(images.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    weight = wright.tensor(rng.standard_normal((5, 4, 3, 3)).astype(np.float32))
    for fn in (
        lambda a: F.conv2d(a, weight, padding=1),
        lambda a: F.max_pool2d(a, 2),
        lambda a: F.avg_pool2d(a, 3, 2, 1),
    ):
        np.testing.assert_allclose(
            fn(wright.tensor(images)).array,
            fn(wright.tensor(channels_last)).array,
            rtol=1e-5,
            atol=1e-6,
        )


def test_float32_stays_float32():
    x = wright.randn(2, 3, 8, 8, requires_grad=True)
    weight = wright.randn(4, 3, 3, 3, requires_grad=True)
    out = F.max_pool2d(F.conv2d(x, weight), 2)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == weight.grad.dtype == np.float32


def test_first_layer_skips_the_input_gradient():
    x, weight = wright.randn(2, 1, 8, 8), wright.randn(4, 1, 3, 3, requires_grad=True)
    F.conv2d(x, weight).sum().backward()
    assert x.grad is None and weight.grad.shape == (4, 1, 3, 3)


# ----- agreement with torch on random shapes -----


def _compare_with_torch(wright_fn, torch_fn, inputs: list[np.ndarray]) -> None:
    torch = pytest.importorskip("torch")
    ours = [wright.tensor(a, dtype=np.float64, requires_grad=True) for a in inputs]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    out, expected = wright_fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(
        out.array, expected.detach().numpy(), rtol=1e-10, atol=1e-10, equal_nan=True
    )
    weights = np.random.default_rng(0).standard_normal(expected.shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-10, atol=1e-10)


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    in_channels = groups * draw(st.integers(1, 3))
    out_channels = groups * draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    size = [max(e - 2 * p, 1) + draw(st.integers(0, 5)) for e, p in zip(extent, padding)]
    batch = draw(st.integers(1, 3))
    arguments = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return {
        "x": (batch, in_channels, *size),
        "weight": (out_channels, in_channels // groups, *kernel),
        "arguments": arguments,
        "bias": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }


@settings(max_examples=25, deadline=None)
@given(conv_cases())
def test_conv2d_matches_torch(case):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(case["seed"])
    arrays = [rng.standard_normal(case["x"]), rng.standard_normal(case["weight"])]
    if case["bias"]:
        arrays.append(rng.standard_normal(case["weight"][0]))
    _compare_with_torch(
        lambda *a: F.conv2d(*a, **case["arguments"]),
        lambda *a: torch.nn.functional.conv2d(*a, **case["arguments"]),
        arrays,
    )


@settings(max_examples=15, deadline=None)
@given(
    extra=st.integers(0, 8),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.sampled_from([0, 1, 2, "same"]),
    dilation=st.integers(1, 2),
    seed=st.integers(0, 99),
)
def test_conv1d_matches_torch(extra, kernel, stride, padding, dilation, seed):
    torch = pytest.importorskip("torch")
    stride = 1 if padding == "same" else stride
    length = dilation * (kernel - 1) + 1 + extra
    rng = np.random.default_rng(seed)
    arrays = [
        rng.standard_normal((2, 3, length)),
        rng.standard_normal((4, 3, kernel)),
        rng.standard_normal(4),
    ]
    arguments = {"stride": stride, "padding": padding, "dilation": dilation}
    _compare_with_torch(
        lambda *a: F.conv1d(*a, **arguments),
        lambda *a: torch.nn.functional.conv1d(*a, **arguments),
        arrays,
    )


@st.composite
def pool_cases(draw, dilated: bool = False):
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = tuple(max(e - 2 * p, 1) + draw(st.integers(0, 6)) for e, p in zip(extent, padding))
    case = {
        "kernel_size": kernel,
        "stride": (draw(st.integers(1, 4)), draw(st.integers(1, 4))),
        "padding": padding,
        "ceil_mode": draw(st.booleans()),
    }
    if dilated:
        case["dilation"] = dilation
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *size)
    return shape, case, draw(st.integers(0, 99))


@settings(max_examples=25, deadline=None)
@given(pool_cases(dilated=True))
def test_max_pool2d_matches_torch(shape_case_seed):
    torch = pytest.importorskip("torch")
    shape, case, seed = shape_case_seed
    # ReLU-like inputs with many exact ties: the gradient must go to the first maximum, as in torch.
    values = np.maximum(np.random.default_rng(seed).standard_normal(shape).round(1), 0)
    # A dilated window can fall wholly in the padding (output -inf); torch's backward then scatters
    # to an undefined index (and can corrupt memory), so leave those cases out.
    assume(np.isfinite(F.max_pool2d(wright.tensor(values), **case).array).all())
    _compare_with_torch(
        lambda a: F.max_pool2d(a, **case),
        lambda a: torch.nn.functional.max_pool2d(a, **case),
        [values],
    )


@settings(max_examples=25, deadline=None)
@given(pool_cases(), st.booleans())
def test_avg_pool2d_matches_torch(shape_case_seed, count_include_pad):
    torch = pytest.importorskip("torch")
    shape, case, seed = shape_case_seed
    values = np.random.default_rng(seed).standard_normal(shape)
    case["count_include_pad"] = count_include_pad
    _compare_with_torch(
        lambda a: F.avg_pool2d(a, **case),
        lambda a: torch.nn.functional.avg_pool2d(a, **case),
        [values],
    )


# ----- blocks of images over threads -----


def _forward_backward(fn, inputs: list[np.ndarray], needs_grad: list[bool]):
    tensors = [
        wright.tensor(a, requires_grad=need) if a is not None else None
        for a, need in zip(inputs, needs_grad)
    ]
    out = fn(*tensors)
    if out.requires_grad:
        out.backward(np.random.default_rng(0).standard_normal(out.shape).astype(out.array.dtype))
    grads = [t.grad.array if t is not None and t.grad is not None else None for t in tensors]
    return out.array, grads


_BLOCK_CASES = {
    "conv_padded_strided_bias": (
        lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1),
        [(9, 3, 8, 7), (4, 3, 3, 2), (4,)],
        [True, True, True],
    ),
    "conv_groups_no_weight_grad": (
        lambda x, w, b: F.conv2d(x, w, b, groups=2, dilation=2, padding=(2, 0)),
        [(7, 4, 9, 9), (6, 2, 3, 3), (6,)],
        [True, False, True],
    ),
    "conv_one_channel_first_layer": (
        lambda x, w, b: F.conv2d(x, w, b),
        [(11, 1, 10, 10), (5, 1, 3, 3), (5,)],
        [False, True, True],
    ),
    "conv_inference": (
        lambda x, w, b: F.conv2d(x, w, b, padding="same"),
        [(10, 2, 6, 6), (3, 2, 3, 3), (3,)],
        [False, False, False],
    ),
    "conv_transpose": (
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, groups=2),
        [(9, 4, 5, 4), (4, 3, 3, 3), (6,)],
        [True, True, True],
    ),
    "conv_transpose_weight_only": (
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(1, 2)),
        [(8, 2, 4, 5), (2, 3, 2, 2), (3,)],
        [False, True, False],
    ),
    "max_pool_tiled": (lambda x: F.max_pool2d(x, 2), [(9, 3, 8, 8)], [True]),
    "avg_pool_padded": (
        lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        [(9, 3, 8, 7)],
        [True],
    ),
    "max_pool_overlapping_padded": (
        lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
        [(9, 3, 8, 7)],
        [True],
    ),
    "max_pool_gaps": (
        lambda x: F.max_pool2d(x, (1, 3), (2, 3), dilation=(2, 1)),
        [(9, 2, 8, 7)],
        [True],
    ),
}


@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("name", sorted(_BLOCK_CASES))
def test_blocks_over_threads_match_one_block(monkeypatch, name, channels_last):
    """The fast path (blocks of one or two images, three threads) against the reference (the
    whole batch in one block, one thread): the same NumPy code on the whole batch."""
    from threadpoolctl import threadpool_limits

    fn, shapes, needs_grad = _BLOCK_CASES[name]
    rng = np.random.default_rng(7)
    inputs = [rng.standard_normal(shape) for shape in shapes]
    if channels_last:
        inputs[0] = np.ascontiguousarray(inputs[0].transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    monkeypatch.setattr(conv_ops, "_BLOCK_NUMBERS", 1 << 30)
    with threadpool_limits(1, user_api="blas"):
        expected = _forward_backward(fn, inputs, needs_grad)
    monkeypatch.setattr(conv_ops, "_BLOCK_NUMBERS", 100)
    monkeypatch.setattr(conv_ops, "_MIN_BLOCK_NUMBERS", 1)
    with threadpool_limits(3, user_api="blas"):
        out, grads = _forward_backward(fn, inputs, needs_grad)
    np.testing.assert_allclose(out, expected[0], rtol=1e-12, atol=1e-12)
    for grad, reference in zip(grads, expected[1]):
        assert (grad is None) == (reference is None)
        if grad is not None:
            np.testing.assert_allclose(grad, reference, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "arguments",
    [
        {"kernel_size": (1, 3), "stride": (2, 3), "padding": (0, 1), "dilation": (2, 1)},
        {"kernel_size": 1, "stride": (1, 2), "dilation": 2},
        {"kernel_size": 2, "stride": 3},
        {"kernel_size": 2, "stride": 2},
    ],
)
def test_max_pool2d_leaves_pixels_no_window_reads_at_zero(arguments):
    # Windows that do not tile the image (gaps between them, a left-over row) give zero gradient
    # to the pixels in between, as in torch.
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(8).standard_normal((3, 2, 8, 7))
    _compare_with_torch(
        lambda a: F.max_pool2d(a, **arguments),
        lambda a: torch.nn.functional.max_pool2d(a, **arguments),
        [values],
    )


# ----- transposed convolution -----


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"stride": 2, "padding": 1, "output_padding": 1},
        {"stride": (2, 1), "dilation": (1, 2), "groups": 2},
    ],
)
def test_conv_transpose2d_gradcheck(arguments):
    rng = np.random.default_rng(7)
    x, weight, bias = _tensor(rng, (2, 4, 3, 4)), _tensor(rng, (4, 2, 3, 2)), _tensor(rng, (4,))
    groups = arguments.get("groups", 1)
    bias = bias[: 2 * groups].detach().requires_grad_()
    assert gradcheck(lambda a, w, b: F.conv_transpose2d(a, w, b, **arguments), [x, weight, bias])


@st.composite
def transposed_cases(draw):
    case = draw(conv_cases())
    arguments = case["arguments"]
    # A transposed convolution's weight is (in, out / groups, *kernel).
    out_channels, group_channels, *kernel = case["weight"]
    groups = arguments["groups"]
    case["weight"] = (group_channels * groups, out_channels // groups, *kernel)
    case["x"] = (case["x"][0], group_channels * groups, *[max(s // 2, 1) for s in case["x"][2:]])
    arguments["output_padding"] = tuple(
        draw(st.integers(0, max(s, d) - 1))
        for s, d in zip(arguments["stride"], arguments["dilation"])
    )
    return case


@settings(max_examples=25, deadline=None)
@given(transposed_cases())
def test_conv_transpose2d_matches_torch(case):
    torch = pytest.importorskip("torch")
    arguments = case["arguments"]
    # Skip sizes where the padding eats the whole output (both libraries refuse them).
    size = [
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, k, s, p, op, d in zip(
            case["x"][2:],
            case["weight"][2:],
            arguments["stride"],
            arguments["padding"],
            arguments["output_padding"],
            arguments["dilation"],
        )
    ]
    assume(min(size) > 0)
    rng = np.random.default_rng(case["seed"])
    arrays = [rng.standard_normal(case["x"]), rng.standard_normal(case["weight"])]
    if case["bias"]:
        arrays.append(rng.standard_normal(case["weight"][1] * arguments["groups"]))
    _compare_with_torch(
        lambda *a: F.conv_transpose2d(*a, **arguments),
        lambda *a: torch.nn.functional.conv_transpose2d(*a, **arguments),
        arrays,
    )


def test_conv_transpose_is_the_input_gradient_of_conv():
    rng = np.random.default_rng(8)
    x, weight = _tensor(rng, (2, 3, 7, 6)), _tensor(rng, (4, 3, 3, 2), requires_grad=False)
    out = F.conv2d(x, weight, stride=2, padding=1)
    grad = rng.standard_normal(out.shape)
    out.backward(grad)
    # (7, 6) -> (4, 4) by the convolution; the transposed one maps (4, 4) back to (7, 6).
    transposed = F.conv_transpose2d(wright.tensor(grad), weight, stride=2, padding=1)
    np.testing.assert_allclose(transposed.array, x.grad.array, rtol=1e-12, atol=1e-12)


# ----- max pooling's indices -----


@settings(max_examples=20, deadline=None)
@given(pool_cases(dilated=True))
def test_max_pool2d_indices_match_torch(shape_case_seed):
    torch = pytest.importorskip("torch")
    shape, case, seed = shape_case_seed
    values = np.random.default_rng(seed).standard_normal(shape).round(1)
    out, indices = F.max_pool2d(wright.tensor(values), **case, return_indices=True)
    assume(np.isfinite(out.array).all())
    expected, expected_indices = torch.nn.functional.max_pool2d(
        torch.tensor(values), **case, return_indices=True
    )
    np.testing.assert_array_equal(out.array, expected.numpy())
    assert indices.dtype == wright.int64
    np.testing.assert_array_equal(indices.array, expected_indices.numpy())


def test_max_pool_nan_wins_as_in_torch():
    torch = pytest.importorskip("torch")
    values = np.arange(32.0).reshape(1, 2, 4, 4)
    values[0, 0, 0, 1] = values[0, 0, 1, 0] = values[0, 1, 2, 2] = np.nan
    _compare_with_torch(
        lambda a: F.max_pool2d(a, 2, 1), lambda a: torch.nn.functional.max_pool2d(a, 2, 1), [values]
    )
    _, indices = F.max_pool2d(wright.tensor(values), 2, 1, return_indices=True)
    _, expected = torch.nn.functional.max_pool2d(torch.tensor(values), 2, 1, return_indices=True)
    np.testing.assert_array_equal(indices.array, expected.numpy())


# ----- resampling's backward strategies -----


@pytest.mark.parametrize(
    ("max_runs", "max_matrix"),
    [(16, 1 << 22), (0, 1 << 22), (0, 0)],
    ids=["slices_or_matrix", "matrix", "sort_and_sum"],
)
def test_every_resampling_backward_gives_torchs_gradient(monkeypatch, max_runs, max_matrix):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(conv_ops, "_MAX_RUNS", max_runs)
    monkeypatch.setattr(conv_ops, "_MAX_MATRIX", max_matrix)
    rng = np.random.default_rng(9)
    image = rng.standard_normal((2, 3, 5, 6))
    cases = [
        (lambda lib, a: lib.nn.functional.pad(a, (2, 3, 4, -1), mode="reflect"), image),
        (lambda lib, a: lib.nn.functional.pad(a, (5, 0, 1, 3), mode="replicate"), image),
        (lambda lib, a: lib.nn.functional.pad(a, (3, -2, 2, 2), mode="circular"), image),
        (lambda lib, a: lib.nn.functional.interpolate(a, scale_factor=1.7), image),
        (lambda lib, a: lib.nn.functional.interpolate(a, size=(7, 4), mode="bilinear"), image),
        (lambda lib, a: lib.nn.functional.interpolate(a, size=(9, 3), mode="bicubic"), image),
    ]
    for op, values in cases:
        _compare_with_torch(lambda a, op=op: op(wright, a), lambda a, op=op: op(torch, a), [values])


def test_blocks_over_threads_hold_enough_work_and_fit_the_cache(monkeypatch):
    from threadpoolctl import threadpool_limits

    like = np.zeros(1, np.float32)
    blas_free = [False]
    monkeypatch.setattr(conv_ops.parallel, "blas_threads_free", lambda: blas_free[0])
    monkeypatch.setattr(conv_ops.parallel, "_spare_cores", lambda: None)  # an idle machine
    with threadpool_limits(2, user_api="blas"):
        if conv_ops.parallel.threads() != 2:
            pytest.skip("this BLAS does not let threadpoolctl set its thread count")
        # LeNet's first convolution: 28 x 28 positions of 25 taps per image, a batch of 64
        small = conv_ops._images_per_block(784 * 25, 64, like)
        # the 3x3-conv CNN's second: 24 x 24 positions of 288 taps
        large = conv_ops._images_per_block(576 * 288, 64, like)
        blas_free[0] = True  # no op uses wright's pool: a small batch goes whole, to BLAS's threads
        small_whole = conv_ops._images_per_block(784 * 25, 64, like)
        large_free = conv_ops._images_per_block(576 * 288, 64, like)
    assert small * 784 * 25 >= conv_ops._MIN_BLOCK_NUMBERS and small < 64
    assert large == large_free == conv_ops._BLOCK_NUMBERS // (576 * 288)
    assert small_whole == 64


def test_only_batches_too_large_to_go_whole_claim_the_pool(monkeypatch):
    # Small batches split only while another op needs the pool: they must not claim it themselves,
    # or one split would keep every op off BLAS's threads for good.
    from threadpoolctl import threadpool_limits

    like = np.zeros(1, np.float32)
    monkeypatch.setattr(conv_ops.parallel, "_spare_cores", lambda: None)
    monkeypatch.setattr(conv_ops.parallel, "_machine_idle", lambda: True)
    monkeypatch.setattr(conv_ops.parallel, "_pool_used_at", -float("inf"))
    with threadpool_limits(2, user_api="blas"):
        if conv_ops.parallel.threads() != 2:
            pytest.skip("this BLAS does not let threadpoolctl set its thread count")
        x = wright.randn(64, 1, 28, 28, requires_grad=True)
        kernels = wright.randn(20, 1, 5, 5, requires_grad=True)
        wright.nn.functional.max_pool2d(wright.nn.functional.conv2d(x, kernels), 2).sum().backward()
        assert conv_ops.parallel.blas_threads_free()
        assert conv_ops._images_per_block(576 * 288, 64, like) < 64  # the 3x3 CNN's second
        assert not conv_ops.parallel.blas_threads_free()


def test_a_busy_machine_gets_the_blocks_of_one_thread(monkeypatch):
    from threadpoolctl import threadpool_limits

    like = np.zeros(1, np.float32)
    monkeypatch.setattr(conv_ops.parallel, "blas_threads_free", lambda: False)
    with threadpool_limits(1, user_api="blas"):
        alone = conv_ops._images_per_block(784 * 25, 64, like)
    with threadpool_limits(2, user_api="blas"):
        if conv_ops.parallel.threads() != 2:
            pytest.skip("this BLAS does not let threadpoolctl set its thread count")
        monkeypatch.setattr(conv_ops.parallel, "_spare_cores", lambda: 1)  # one core left
        assert conv_ops._images_per_block(784 * 25, 64, like) == alone
