"""Legacy tensor types (`FloatTensor`, `LongTensor`, ...) and memory formats against PyTorch."""

import numpy as np
import pytest

import wright

torch = pytest.importorskip("torch")

NAMES = [
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
]


@pytest.mark.parametrize("name", NAMES)
def test_legacy_types_match_torch(name):
    ours, theirs = getattr(wright, name), getattr(torch, name)
    assert str(ours.dtype)[7:] == str(theirs.dtype)[6:]
    for args in ((2, 3), ([1, 0, 1],), ()):
        found, expected = ours(*args), theirs(*args)
        assert tuple(found.shape) == tuple(expected.shape)
        assert str(found.dtype)[7:] == str(expected.dtype)[6:]
        if args and isinstance(args[0], list):
            np.testing.assert_array_equal(found.numpy(), expected.numpy())
    assert isinstance(ours([1]), ours)
    converted = wright.ones(2).type(ours)
    assert converted.dtype == ours.dtype and converted.type() == f"wright.{name}"
    assert wright.ones(2).type(f"torch.{name}").dtype == ours.dtype


def test_isinstance_checks_the_dtype():
    assert isinstance(wright.ones(2), wright.FloatTensor)
    assert not isinstance(wright.ones(2), wright.LongTensor)
    assert isinstance(wright.tensor([1, 2]), wright.LongTensor)
    assert not isinstance(np.ones(2), wright.FloatTensor)


def test_memory_formats_are_accepted():
    x = wright.ones(2, 3, 4, 5)
    for name in ("channels_last", "contiguous_format", "preserve_format", "channels_last_3d"):
        fmt = getattr(wright, name)
        assert repr(fmt) == repr(getattr(torch, name)).replace("torch", "wright")
        assert isinstance(fmt, wright.memory_format)
    assert tuple(x.contiguous(memory_format=wright.channels_last).shape) == (2, 3, 4, 5)
