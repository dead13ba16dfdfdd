"""Weight normalization (legacy hook and parametrization) and parametrize against PyTorch:
parameter names and shapes, outputs, gradients, training steps, removal."""

import numpy as np
import pytest

import wright

torch = pytest.importorskip("torch")

WEIGHT = np.arange(12.0, dtype=np.float32).reshape(4, 3) / 7 - 0.5


def _linear(lib):
    layer = lib.nn.Linear(3, 4)
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(WEIGHT))
        layer.bias.zero_()
    return layer


def _conv(lib):
    layer = lib.nn.Conv2d(2, 3, 2)
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(np.linspace(-1, 1, 24, dtype=np.float32).reshape(3, 2, 2, 2)))
        layer.bias.zero_()
    return layer


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("dim", [0, 1, None])
@pytest.mark.parametrize("style", ["legacy", "parametrization"])
@pytest.mark.parametrize("make", [_linear, _conv], ids=["linear", "conv"])
def test_weight_norm_matches_torch(make, style, dim):
    results = []
    for lib in (wright, torch):
        layer = make(lib)
        if style == "legacy":
            layer = lib.nn.utils.weight_norm(layer, dim=dim)
        else:
            layer = lib.nn.utils.parametrizations.weight_norm(layer, dim=dim)
        names = sorted((n, tuple(p.shape)) for n, p in layer.named_parameters())
        optimizer = lib.optim.SGD(layer.parameters(), lr=0.1)
        shape = (2, 3) if make is _linear else (1, 2, 3, 3)
        x = lib.tensor(np.linspace(-1, 2, int(np.prod(shape)), dtype=np.float32).reshape(shape))
        losses = []
        for _ in range(3):
            optimizer.zero_grad()
            loss = (layer(x) ** 2).sum()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        weight = layer(x).detach().numpy()
        if style == "legacy":
            lib.nn.utils.remove_weight_norm(layer)
        else:
            lib.nn.utils.parametrize.remove_parametrizations(layer, "weight")
        after = sorted(n for n, _ in layer.named_parameters())
        results.append((names, losses, weight, after, sorted(layer.state_dict())))
    ours, theirs = results
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5, atol=2e-5)
    assert ours[3] == theirs[3] == ["bias", "weight"]
    assert ours[4] == theirs[4]


def test_parametrize_with_a_custom_module_matches_torch():
    results = []
    for lib in (wright, torch):

        class Symmetric(lib.nn.Module):
            def forward(self, x):
                return x.triu() + x.triu(1).mT

        layer = lib.nn.Linear(3, 3)
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(WEIGHT[:3]))
        lib.nn.utils.parametrize.register_parametrization(layer, "weight", Symmetric())
        assert lib.nn.utils.parametrize.is_parametrized(layer)
        assert lib.nn.utils.parametrize.is_parametrized(layer, "weight")
        assert not lib.nn.utils.parametrize.is_parametrized(layer, "bias")
        weight = layer.weight
        (weight * lib.arange(9.0).reshape(3, 3)).sum().backward()
        grad = layer.parametrizations.weight.original.grad.numpy()
        results.append((weight.detach().numpy(), grad, sorted(layer.state_dict())))
        assert type(layer).__name__ == "ParametrizedLinear"
        assert isinstance(layer, lib.nn.Linear)
        lib.nn.utils.parametrize.remove_parametrizations(layer, "weight")
        assert type(layer) is lib.nn.Linear
    for found, expected in zip(*results):
        if isinstance(found, list):
            assert found == expected
        else:
            np.testing.assert_allclose(found, expected)


def test_legacy_weight_norm_errors():
    layer = wright.nn.utils.weight_norm(wright.nn.Linear(2, 2))
    with pytest.raises(RuntimeError):
        wright.nn.utils.weight_norm(layer)
    wright.nn.utils.remove_weight_norm(layer)
    with pytest.raises(ValueError):
        wright.nn.utils.remove_weight_norm(layer)
    with pytest.raises(ValueError):
        wright.nn.utils.parametrize.remove_parametrizations(layer, "weight")
