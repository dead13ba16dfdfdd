"""wright.nn.functional: stateless forms agree with the layers and take plain arrays as targets."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import nn
from wright.nn import functional as F

X = np.random.default_rng(0).standard_normal((4, 3))


@pytest.mark.parametrize(
    "function, module",
    [
        (F.sigmoid, nn.Sigmoid()),
        (F.tanh, nn.Tanh()),
        (F.relu, nn.ReLU()),
        (lambda x: F.leaky_relu(x, 0.3), nn.LeakyReLU(0.3)),
        (lambda x: F.softmax(x, 0), nn.Softmax(0)),
        (lambda x: F.log_softmax(x, 1), nn.LogSoftmax(1)),
    ],
)
def test_functions_match_their_layers(function, module):
    x = wright.tensor(X)
    np.testing.assert_array_equal(function(x).array, module(x).array)


def test_activation_values():
    x = wright.tensor(X)
    np.testing.assert_allclose(F.sigmoid(x).array, 1 / (1 + np.exp(-X)), rtol=1e-12)
    np.testing.assert_allclose(F.leaky_relu(x).array, np.where(X > 0, X, 0.01 * X))
    np.testing.assert_allclose(F.softmax(x, -1).array.sum(-1), 1.0)
    np.testing.assert_allclose(np.exp(F.log_softmax(x, dim=0).array).sum(0), 1.0)


def test_linear_function():
    weight = np.random.default_rng(1).standard_normal((2, 3))
    bias = np.array([0.5, -1.0])
    x = wright.tensor(X)
    np.testing.assert_allclose(
        F.linear(x, wright.tensor(weight), wright.tensor(bias)).array, X @ weight.T + bias
    )
    np.testing.assert_allclose(F.linear(x, wright.tensor(weight)).array, X @ weight.T)


def test_losses_take_arrays_and_lists_as_targets():
    pred = wright.tensor(X)
    target = np.zeros_like(X)
    np.testing.assert_allclose(F.mse_loss(pred, target).item(), np.mean(X**2))
    np.testing.assert_allclose(F.mse_loss(pred, target, reduction="sum").item(), np.sum(X**2))
    labels = [0, 2, 1, 1]
    by_list = F.cross_entropy(pred, labels)
    by_tensor = nn.CrossEntropyLoss()(pred, wright.tensor(labels))
    np.testing.assert_allclose(by_list.item(), by_tensor.item())
    probs = F.sigmoid(pred)
    np.testing.assert_allclose(
        F.binary_cross_entropy(probs, target).item(),
        F.binary_cross_entropy_with_logits(pred, target).item(),
        rtol=1e-10,
    )


# ----- one_hot -----


def test_one_hot_matches_torch():
    torch = pytest.importorskip("torch")
    for labels, classes in [([2, 0, 1], 4), ([[1, 0], [0, 3]], -1), ([], 3), (2, 5)]:
        ours = F.one_hot(wright.tensor(np.array(labels, dtype=np.int64)), classes)
        theirs = torch.nn.functional.one_hot(torch.tensor(labels, dtype=torch.int64), classes)
        assert ours.dtype == wright.int64
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    assert F.one_hot(np.array([0, 4], dtype=np.int32)).shape == (2, 5)


def test_one_hot_errors():
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(np.array([0, 5]), 3)
    with pytest.raises(RuntimeError, match="negative"):
        F.one_hot(np.array([-1, 0]), 3)
    with pytest.raises(RuntimeError, match="integer.*float"):
        F.one_hot(np.array([0.0, 1.0]), 3)
    with pytest.raises(RuntimeError, match="empty"):
        F.one_hot(np.zeros(0, dtype=np.int64))
