"""Unfold / Fold (im2col and col2im) and EmbeddingBag against PyTorch: values, gradients,
gradcheck, modules and errors."""

import numpy as np
import pytest

import wright
from opinfo import (
    HOST_ONLY,
    Const,
    OpInfo,
    Sample,
    cases,
    check_against_torch,
    check_gradcheck,
    check_same_error,
    floats,
)

WINDOWS = [
    {"kernel_size": 2},
    {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)},
    {"kernel_size": 3, "padding": (0, 1), "stride": 2},
]


def _unfold_samples(rng):
    for window in WINDOWS:
        yield Sample((floats(rng, 2, 3, 6, 5),), window, label=repr(window))
    yield Sample((floats(rng, 3, 4, 4),), {"kernel_size": 2}, label="unbatched")
    yield Sample(
        (floats(rng, 1, 2, 5, 4, dtype=np.float64).transpose(0, 1, 3, 2),),
        {"kernel_size": 2},
        label="transposed64",
    )


def _fold_samples(rng):
    for window in WINDOWS:
        blocks = wright.nn.functional.unfold(wright.zeros(1, 1, 6, 5), **window).shape[-1]
        kernel = window["kernel_size"]
        taps = kernel * kernel if isinstance(kernel, int) else int(np.prod(kernel))
        yield Sample((floats(rng, 2, 3 * taps, blocks),), {"output_size": (6, 5), **window})
    yield Sample((floats(rng, 8, 9),), {"output_size": 4, "kernel_size": 2}, label="unbatched")


def _bag_samples(rng):
    weight = floats(rng, 7, 3)
    flat = Const(np.array([1, 2, 4, 5, 4, 3, 2, 0, 6]))
    offsets = Const(np.array([0, 2, 2, 5]))
    for mode in ("sum", "mean", "max"):
        yield Sample((flat, weight), {"offsets": offsets, "mode": mode}, label=f"{mode}-offsets")
        yield Sample(
            (Const(np.array([[1, 2, 3], [4, 2, 2]])), weight),
            {"mode": mode, "padding_idx": 2},
            label=f"{mode}-2d-padding",
        )
    yield Sample(
        (flat, weight),
        {"offsets": Const(np.array([0, 3, 9])), "include_last_offset": True, "mode": "mean"},
        label="include-last-offset",
    )
    yield Sample(
        (flat, weight),
        {"offsets": offsets, "mode": "sum", "per_sample_weights": floats(rng, 9)},
        label="per-sample-weights",
    )


OPS = [
    OpInfo("F.unfold", lambda lib, x, **k: lib.nn.functional.unfold(x, **k), _unfold_samples),
    OpInfo("F.fold", lambda lib, x, **k: lib.nn.functional.fold(x, **k), _fold_samples),
    OpInfo(
        "F.embedding_bag",
        lambda lib, i, w, **k: lib.nn.functional.embedding_bag(i, w, **k),
        _bag_samples,
        # max picks one row per bag: finite differences across ties are meaningless.
        gradcheck=False,
    ),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample, devices=HOST_ONLY)  # host-only ops: docs/gpu.md


@pytest.mark.parametrize("info, sample", cases(OPS[:2]))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_embedding_bag_sum_and_mean_gradcheck():
    weight = wright.tensor(np.random.default_rng(0).standard_normal((5, 2)), requires_grad=True)
    flat, offsets = wright.tensor([0, 1, 4, 4, 2]), wright.tensor([0, 3])
    for mode in ("sum", "mean"):
        assert wright.autograd.gradcheck(
            lambda w, mode=mode: wright.nn.functional.embedding_bag(flat, w, offsets, mode=mode),
            [weight],
        )


def test_unfold_then_matmul_is_conv2d():
    rng = np.random.default_rng(0)
    x = wright.tensor(rng.standard_normal((2, 3, 5, 5)).astype(np.float32))
    w = wright.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    columns = wright.nn.functional.unfold(x, 3, padding=1)
    by_columns = (w.reshape(4, -1) @ columns).reshape(2, 4, 5, 5)
    np.testing.assert_allclose(
        by_columns.numpy(), wright.conv2d(x, w, padding=1).numpy(), rtol=1e-5, atol=1e-5
    )


def test_modules_match_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4)
    ours = wright.nn.Unfold(2, stride=2)(wright.tensor(x))
    theirs = torch.nn.Unfold(2, stride=2)(torch.tensor(x))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    back = wright.nn.Fold((4, 4), 2, stride=2)(ours)
    np.testing.assert_array_equal(back.numpy(), torch.nn.Fold((4, 4), 2, stride=2)(theirs).numpy())
    assert repr(wright.nn.Unfold(2, stride=2)) == repr(torch.nn.Unfold(2, stride=2))
    assert repr(wright.nn.Fold((4, 4), 2)) == repr(torch.nn.Fold((4, 4), 2))


def test_embedding_bag_module_matches_torch():
    torch = pytest.importorskip("torch")
    weight = np.random.default_rng(1).standard_normal((10, 3)).astype(np.float32)
    flat, offsets = [1, 2, 4, 5, 4, 3, 2, 9], [0, 4]
    for mode in ("sum", "mean", "max"):
        ours = wright.nn.EmbeddingBag.from_pretrained(wright.tensor(weight), mode=mode)
        theirs = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(weight), mode=mode)
        found = ours(wright.tensor(flat), wright.tensor(offsets))
        expected = theirs(torch.tensor(flat), torch.tensor(offsets))
        np.testing.assert_allclose(found.numpy(), expected.numpy(), rtol=1e-6)
        assert not ours.weight.requires_grad
    bag = wright.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0)
    assert bag.weight[0].abs().sum().item() == 0
    assert repr(bag) == "EmbeddingBag(10, 3, mode='sum', padding_idx=0)"
    assert repr(bag) == repr(torch.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0))


ERRORS = {
    "unfold-too-big": lambda lib: lib.nn.functional.unfold(lib.ones(1, 1, 2, 2), 3),
    "fold-blocks": lambda lib: lib.nn.functional.fold(lib.ones(1, 4, 5), (3, 3), 2),
    "fold-channels": lambda lib: lib.nn.functional.fold(lib.ones(1, 5, 4), (3, 3), 2),
    "bag-2d-offsets": lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([[1, 2]]), lib.ones(5, 2), lib.tensor([0])
    ),
    "bag-weights-mean": lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([1, 2]), lib.ones(5, 2), lib.tensor([0]), per_sample_weights=lib.ones(2)
    ),
    "bag-first-offset": lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([1, 2]), lib.ones(5, 2), lib.tensor([1])
    ),
    "bag-no-offsets": lambda lib: lib.nn.functional.embedding_bag(lib.tensor([1]), lib.ones(5, 2)),
    "bag-mode": lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([1]), lib.ones(5, 2), lib.tensor([0]), mode="median"
    ),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)
