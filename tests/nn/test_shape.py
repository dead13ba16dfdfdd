"""Flatten and Unflatten: PyTorch's arguments, shapes and errors."""

import numpy as np
import pytest

import wright
from wright import nn


def test_flatten_matches_torch():
    torch = pytest.importorskip("torch")
    values = np.zeros((2, 3, 4, 5))
    for args in [(), (0,), (2,), (1, 2), (0, -2)]:
        ours = nn.Flatten(*args)(wright.tensor(values))
        theirs = torch.nn.Flatten(*args)(torch.tensor(values))
        assert ours.shape == tuple(theirs.shape)
        assert repr(nn.Flatten(*args)) == repr(torch.nn.Flatten(*args))
    assert nn.Flatten(0)(wright.tensor(3.0)).shape == (1,)
    with pytest.raises(IndexError, match="out of range"):
        nn.Flatten()(wright.zeros(3))


def test_tensor_flatten_refuses_dims_as_torch_does():
    torch = pytest.importorskip("torch")
    values = np.zeros((2, 3, 4, 5))
    for args in [(5,), (-5,), (0, 4), (2, 1), (-1, 0)]:
        with pytest.raises(Exception) as theirs:
            torch.tensor(values).flatten(*args)
        with pytest.raises(theirs.type, match=str(theirs.value).split("(")[0]):
            wright.tensor(values).flatten(*args)
    with pytest.raises(IndexError, match="out of range"):
        wright.tensor(3.0).flatten(1)
    x = wright.tensor(values)
    assert x.flatten(2, 2) is x  # nothing merged: the tensor itself, as in torch
    assert x.flatten(-2).shape == tuple(torch.tensor(values).flatten(-2).shape) == (2, 3, 20)


def test_unflatten_matches_torch():
    torch = pytest.importorskip("torch")
    for dim, sizes in [(1, (2, 4)), (-1, [2, -1]), (0, (3, 1))]:
        ours = nn.Unflatten(dim, sizes)
        theirs = torch.nn.Unflatten(dim, sizes)
        assert repr(ours) == repr(theirs)
        values = np.arange(24.0).reshape(3, 8)
        np.testing.assert_array_equal(
            ours(wright.tensor(values)).array, theirs(torch.tensor(values)).numpy()
        )
    with pytest.raises(RuntimeError, match="multiply up to the size of dim 1"):
        nn.Unflatten(1, (3, 3))(wright.zeros(2, 8))
    with pytest.raises(RuntimeError, match="multiply up"):
        nn.Unflatten(1, (3, -1))(wright.zeros(2, 8))
    with pytest.raises(TypeError, match="tuple or list"):
        nn.Unflatten(1, 4)
