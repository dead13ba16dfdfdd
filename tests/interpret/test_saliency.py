"""Input gradients and saliency maps, checked against closed forms and PyTorch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from wright import nn
from wright.interpret import input_gradient, saliency
from wright.interpret.gradients import frozen


def mlp() -> nn.Sequential:
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.Tanh(), nn.Linear(8, 3))


def test_saliency_of_a_linear_model_is_the_size_of_the_target_row():
    layer = nn.Linear(5, 3)
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    targets = np.array([0, 2, 1, 2])
    heat = saliency(layer, x, targets)
    np.testing.assert_allclose(heat.array, np.abs(layer.weight.array[targets]), rtol=1e-6)
    assert not heat.requires_grad


def test_saliency_defaults_to_the_predicted_class():
    net = mlp()
    x = np.random.default_rng(1).random((6, 1, 3, 4), dtype=np.float32)
    predicted = net(wright.tensor(x)).array.argmax(axis=1)
    np.testing.assert_allclose(saliency(net, x).array, saliency(net, x, predicted).array)
    assert saliency(net, x).shape == x.shape


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 6), seed=st.integers(0, 1000))
def test_saliency_matches_torch(batch, seed):
    torch = pytest.importorskip("torch")
    wright.manual_seed(seed)
    net = mlp()
    x = np.random.default_rng(seed).random((batch, 1, 3, 4), dtype=np.float32)
    target = np.random.default_rng(seed + 1).integers(0, 3, batch)
    reference = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(12, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)
    )
    reference.load_state_dict(
        {name: torch.tensor(value.array) for name, value in net.state_dict().items()}
    )
    inputs = torch.tensor(x, requires_grad=True)
    reference(inputs)[torch.arange(batch), torch.tensor(target)].sum().backward()
    np.testing.assert_allclose(
        saliency(net, x, target).array, inputs.grad.abs().numpy(), rtol=1e-5, atol=1e-6
    )


def test_one_sample_gradient_does_not_depend_on_the_rest_of_the_batch():
    net = mlp()
    x = np.random.default_rng(2).random((5, 1, 3, 4), dtype=np.float32)
    together = saliency(net, x, 1).array
    alone = np.concatenate([saliency(net, x[i : i + 1], 1).array for i in range(5)])
    np.testing.assert_allclose(together, alone, rtol=1e-6)


def test_input_gradient_leaves_the_weights_alone():
    net = mlp().train()
    before = [p.array.copy() for p in net.parameters()]
    grad, outputs = input_gradient(net, np.ones((2, 12), np.float32), lambda inputs, out: out.sum())
    assert grad.shape == (2, 12) and outputs.shape == (2, 3)
    assert all(p.grad is None and p.requires_grad for p in net.parameters())
    assert net.training
    for p, old in zip(net.parameters(), before):
        np.testing.assert_array_equal(p.array, old)


def test_frozen_restores_the_model_even_after_an_error():
    net = mlp().train()
    net[1].weight.requires_grad = False
    with pytest.raises(RuntimeError), frozen(net):
        assert not net.training and not any(p.requires_grad for p in net.parameters())
        raise RuntimeError("inside")
    assert net.training
    assert [p.requires_grad for p in net.parameters()] == [False, True, True, True]


def test_saliency_rejects_bad_inputs():
    net = mlp()
    with pytest.raises(ValueError, match=r"saliency: expected a batch of inputs \(N, ...\)"):
        saliency(net, np.zeros((0, 12), np.float32))
    with pytest.raises(ValueError, match="expected 2 labels"):
        saliency(net, np.zeros((2, 12), np.float32), [0, 1, 2])
    with pytest.raises(ValueError, match=r"class scores \(N, classes\), got shape \(2, 3, 1\)"):
        saliency(
            nn.Sequential(nn.Linear(12, 3), nn.Unflatten(1, (3, 1))), np.zeros((2, 12), np.float32)
        )
