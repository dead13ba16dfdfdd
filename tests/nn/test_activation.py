"""Activation layers: values and gradients against torch, extreme inputs, printing."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import nn

ACTIVATIONS = [
    ("Sigmoid", lambda: nn.Sigmoid(), lambda torch: torch.nn.Sigmoid()),
    ("Tanh", lambda: nn.Tanh(), lambda torch: torch.nn.Tanh()),
    ("ReLU", lambda: nn.ReLU(), lambda torch: torch.nn.ReLU()),
    ("LeakyReLU", lambda: nn.LeakyReLU(), lambda torch: torch.nn.LeakyReLU()),
    ("LeakyReLU_0.2", lambda: nn.LeakyReLU(0.2), lambda torch: torch.nn.LeakyReLU(0.2)),
    ("Softmax", lambda: nn.Softmax(dim=1), lambda torch: torch.nn.Softmax(dim=1)),
    ("Softmax_last", lambda: nn.Softmax(), lambda torch: torch.nn.Softmax(dim=-1)),
    ("LogSoftmax", lambda: nn.LogSoftmax(dim=1), lambda torch: torch.nn.LogSoftmax(dim=1)),
    ("Identity", lambda: nn.Identity(), lambda torch: torch.nn.Identity()),
]


@pytest.mark.parametrize("name, make, make_torch", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_matches_torch(name, make, make_torch):
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(0).uniform(-3, 3, size=(4, 5, 3))
    grad_out = np.random.default_rng(1).standard_normal(values.shape)
    x = wright.tensor(values, requires_grad=True)
    x_torch = torch.tensor(values, requires_grad=True)
    out, out_torch = make()(x), make_torch(torch)(x_torch)
    np.testing.assert_allclose(out.array, out_torch.detach().numpy(), rtol=1e-12, atol=1e-15)
    out.backward(grad_out)
    out_torch.backward(torch.from_numpy(grad_out))
    np.testing.assert_allclose(x.grad.array, x_torch.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_saturating_functions_stay_finite_for_huge_inputs():
    x = wright.tensor([-1e4, -800.0, 0.0, 800.0, 1e4], requires_grad=True)
    s = nn.Sigmoid()(x)
    np.testing.assert_array_equal(s.array, [0.0, 0.0, 0.5, 1.0, 1.0])
    s.sum().backward()
    assert np.isfinite(x.grad.array).all()
    t = nn.Tanh()(x)
    np.testing.assert_array_equal(t.array, [-1.0, -1.0, 0.0, 1.0, 1.0])
    logits = wright.tensor([[1e4, 0.0, -1e4]])
    assert np.isfinite(nn.LogSoftmax(dim=1)(logits).array).all()
    np.testing.assert_allclose(nn.Softmax(dim=1)(logits).array, [[1.0, 0.0, 0.0]])


def test_relu_gradient_is_zero_for_negatives():
    x = wright.tensor([-2.0, -0.5, 0.5, 3.0], requires_grad=True)
    nn.ReLU()(x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 1.0, 1.0])


def test_float32_in_float32_out():
    x = wright.randn(3, 4)
    for _, make, _ in ACTIVATIONS:
        assert make()(x).dtype == np.float32


def test_repr():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=0)) == "Softmax(dim=0)"
    assert repr(nn.LogSoftmax(dim=1)) == "LogSoftmax(dim=1)"
    assert repr(nn.Sigmoid()) == "Sigmoid()"
