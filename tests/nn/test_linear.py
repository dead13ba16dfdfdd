"""Linear: shapes, initial weights, no bias, and agreement with torch.nn.Linear on equal weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

import wright
from wright import nn


def test_shapes_and_dtype():
    layer = nn.Linear(5, 3)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert layer.weight.dtype == np.float32
    assert layer(wright.zeros(4, 5)).shape == (4, 3)
    assert layer(wright.zeros(2, 4, 5)).shape == (2, 4, 3)
    assert layer(wright.zeros(5)).shape == (3,)
    assert nn.Linear(2, 2, dtype=wright.float64).weight.dtype == np.float64


def test_initial_weights_follow_one_over_sqrt_fan_in():
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for values in (layer.weight.array, layer.bias.array):
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.95 * bound
    np.testing.assert_allclose(layer.weight.array.std(), bound / math.sqrt(3), rtol=0.02)


def test_seed_controls_initial_weights():
    wright.manual_seed(3)
    first = nn.Linear(4, 4).weight.array.copy()
    wright.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(4, 4).weight.array, first)


def test_no_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = wright.randn(4, 3)
    np.testing.assert_allclose(layer(x).array, x.array @ layer.weight.array.T, rtol=1e-6)


def test_repr_and_summary():
    assert repr(nn.Linear(3, 2, bias=False)) == "Linear(in_features=3, out_features=2, bias=False)"
    assert nn.Linear(16, 10).summary_line() == "Linear 16->10"


def test_wrong_feature_count_is_reported():
    with pytest.raises(
        ValueError, match=r"Linear 3->2 got input of shape \(4, 5\).*3 at dimension -1"
    ):
        nn.Linear(3, 2)(wright.zeros(4, 5))


def test_reset_parameters_draws_new_weights():
    layer = nn.Linear(3, 2)
    before = layer.weight.array.copy()
    layer.reset_parameters()
    assert not np.array_equal(before, layer.weight.array)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("input_shape", [(6, 4), (2, 3, 4), (4,)])
def test_matches_torch_linear(bias, input_shape):
    torch = pytest.importorskip("torch")
    ours = nn.Linear(4, 3, bias=bias, dtype=wright.float64)
    theirs = torch.nn.Linear(4, 3, bias=bias, dtype=torch.float64)
    theirs.load_state_dict(
        {name: torch.from_numpy(value.array.copy()) for name, value in ours.state_dict().items()}
    )
    x_values = np.random.default_rng(0).standard_normal(input_shape)
    grad_out = np.random.default_rng(1).standard_normal(input_shape[:-1] + (3,))
    x = wright.tensor(x_values, requires_grad=True)
    x_torch = torch.tensor(x_values, requires_grad=True)
    out, out_torch = ours(x), theirs(x_torch)
    np.testing.assert_allclose(out.array, out_torch.detach().numpy(), rtol=1e-12, atol=1e-14)
    out.backward(grad_out)
    out_torch.backward(torch.from_numpy(grad_out))
    np.testing.assert_allclose(x.grad.array, x_torch.grad.numpy(), rtol=1e-12, atol=1e-14)
    for (name, param), (_, param_torch) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(
            param.grad.array, param_torch.grad.numpy(), rtol=1e-12, atol=1e-14, err_msg=name
        )


def test_loads_weights_from_a_torch_state_dict():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Linear(5, 2)
    ours = nn.Linear(5, 2)
    ours.load_state_dict(
        {name: value.detach().numpy() for name, value in theirs.state_dict().items()}
    )
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_allclose(
        ours(wright.tensor(x)).array,
        theirs(torch.from_numpy(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_positional_device_and_dtype():
    layer = nn.Linear(3, 2, False, "cpu", wright.float64)
    assert layer.bias is None and layer.weight.dtype == np.float64
    with pytest.raises(RuntimeError, match="cuda"):
        nn.Linear(3, 2, device="cuda")
    empty = nn.Linear(0, 3)
    assert empty(wright.zeros(2, 0)).shape == (2, 3)


# ----- Bilinear -----


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [(5,), (2, 3), ()])
def test_bilinear_matches_torch(bias, batch):
    torch = pytest.importorskip("torch")
    ours = nn.Bilinear(4, 3, 2, bias, None, wright.float64)
    theirs = torch.nn.Bilinear(4, 3, 2, bias=bias, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(v.array) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(0)
    x1, x2 = rng.standard_normal(batch + (4,)), rng.standard_normal(batch + (3,))
    a, b = wright.tensor(x1, requires_grad=True), wright.tensor(x2, requires_grad=True)
    a_t, b_t = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
    out, out_t = ours(a, b), theirs(a_t, b_t)
    np.testing.assert_allclose(out.array, out_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    grad = rng.standard_normal(out.shape)
    out.backward(grad)
    out_t.backward(torch.tensor(grad))
    np.testing.assert_allclose(a.grad.array, a_t.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.grad.array, b_t.grad.numpy(), rtol=1e-12, atol=1e-14)
    t_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        np.testing.assert_allclose(
            param.grad.array, t_params[name].grad.numpy(), rtol=1e-12, atol=1e-14
        )


def test_bilinear_gradcheck_and_initial_range():
    rng = np.random.default_rng(1)
    weight = wright.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    bias = wright.tensor(rng.standard_normal(2), requires_grad=True)
    x1 = wright.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    x2 = wright.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert wright.autograd.gradcheck(
        lambda a, b, w, c: nn.functional.bilinear(a, b, w, c), [x1, x2, weight, bias]
    )
    layer = nn.Bilinear(100, 5, 60)
    bound = 1 / math.sqrt(100)
    assert np.abs(layer.weight.array).max() <= bound
    assert np.abs(layer.weight.array).max() > 0.95 * bound
    with pytest.raises(RuntimeError, match="bilinear"):
        layer(wright.zeros(2, 100), wright.zeros(2, 4))
