"""PixelShuffle and PixelUnshuffle: PyTorch's channel-to-space order, batch dimensions, gradients,
inverse pairs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from opinfo import OpInfo, Sample, cases, check_against_torch, check_gradcheck, floats
from wright import nn
from wright.nn import functional as F


def _shuffle_samples(rng):
    yield Sample((floats(rng, 2, 8, 3, 4), 2), label="4d")
    yield Sample((floats(rng, 9, 2, 2), 3), label="unbatched")
    yield Sample((floats(rng, 2, 3, 4, 2, 2), 2), label="5d")
    yield Sample((floats(rng, 2, 4, 3, 3, dtype=np.float64), 1), label="factor_one")
    yield Sample((np.arange(32).reshape(2, 4, 2, 2), 2), label="int")
    yield Sample((floats(rng, 1, 3, 2, 4).transpose(0, 3, 2, 1), 2), label="transposed")


def _unshuffle_samples(rng):
    yield Sample((floats(rng, 2, 2, 6, 4), 2), label="4d")
    yield Sample((floats(rng, 1, 6, 9), 3), label="unbatched")
    yield Sample((floats(rng, 2, 1, 3, 4, 4), 2), label="5d")
    yield Sample((np.arange(16).reshape(1, 1, 4, 4), 2), label="int")
    yield Sample((floats(rng, 1, 4, 4, 2).transpose(0, 3, 2, 1), 2), label="transposed")


OPS = [
    OpInfo(
        "pixel_shuffle", lambda lib, x, r: lib.nn.functional.pixel_shuffle(x, r), _shuffle_samples
    ),
    OpInfo(
        "pixel_unshuffle",
        lambda lib, x, r: lib.nn.functional.pixel_unshuffle(x, r),
        _unshuffle_samples,
    ),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


def test_channel_blocks_become_pixel_blocks():
    # Channel c r^2 + i r + j lands at row h r + i, column w r + j.
    x = wright.arange(4.0).reshape(1, 4, 1, 1)
    assert F.pixel_shuffle(x, 2).tolist() == [[[[0.0, 1.0], [2.0, 3.0]]]]
    # (torch's backward fails on an empty batch, so this one is checked here only)
    assert F.pixel_shuffle(wright.zeros(0, 4, 2, 2), 2).shape == (0, 1, 4, 4)


def test_layers_invert_each_other_and_match_torch_reprs():
    torch = pytest.importorskip("torch")
    x = wright.randn(2, 18, 4, 5)
    shuffle, unshuffle = nn.PixelShuffle(3), nn.PixelUnshuffle(3)
    assert shuffle(x).shape == (2, 2, 12, 15)
    np.testing.assert_array_equal(unshuffle(shuffle(x)).array, x.array)
    assert repr(shuffle) == repr(torch.nn.PixelShuffle(3))
    assert repr(unshuffle) == repr(torch.nn.PixelUnshuffle(3))


@pytest.mark.parametrize(
    ("function", "shape", "factor", "error", "message"),
    [
        (F.pixel_shuffle, (1, 6, 2, 2), 2, RuntimeError, r"channels \(6\) must be divisible by"),
        (F.pixel_shuffle, (4, 2), 2, RuntimeError, r"at least 3 dimensions"),
        (F.pixel_shuffle, (1, 4, 2, 2), 0, RuntimeError, r"factor must be positive"),
        (F.pixel_shuffle, (1, 4, 2, 2), 2.0, TypeError, r"factor must be an int"),
        (F.pixel_unshuffle, (1, 1, 5, 4), 2, RuntimeError, r"\(5, 4\) must be divisible"),
    ],
)
def test_errors(function, shape, factor, error, message):
    with pytest.raises(error, match=message):
        function(wright.zeros(*shape), factor)
