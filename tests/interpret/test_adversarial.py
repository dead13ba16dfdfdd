"""FGSM and PGD: checked against a PyTorch implementation, their limits, and that they do fool a
network."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from wright import nn, optim
from wright.interpret import fgsm, pgd


def mlp() -> nn.Sequential:
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 12), nn.Sigmoid(), nn.Linear(12, 3))


def blobs(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes of 4x4 images in [0, 1], each brighter in its own band of rows."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 3
    images = rng.random((count, 1, 4, 4)).astype(np.float32) * 0.3
    for k in range(3):
        images[labels == k, 0, k] += 0.6
    return images, labels


def trained_mlp() -> nn.Sequential:
    net = mlp()
    x, y = blobs(150)
    opt = optim.Adam(net.parameters(), lr=0.05)
    for _ in range(150):
        loss = nn.functional.cross_entropy(net(wright.tensor(x)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.zero_grad()
    return net


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 5), eps=st.floats(0.01, 0.5), seed=st.integers(0, 1000))
def test_fgsm_matches_torch(batch, eps, seed):
    torch = pytest.importorskip("torch")
    wright.manual_seed(seed)
    net = mlp()
    x, y = blobs(batch, seed)
    reference = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(16, 12), torch.nn.Sigmoid(), torch.nn.Linear(12, 3)
    )
    reference.load_state_dict(
        {name: torch.tensor(value.array) for name, value in net.state_dict().items()}
    )
    inputs = torch.tensor(x, requires_grad=True)
    torch.nn.functional.cross_entropy(
        reference(inputs), torch.tensor(y), reduction="sum"
    ).backward()
    expected = (inputs + eps * inputs.grad.sign()).clamp(0, 1).detach().numpy()
    np.testing.assert_allclose(fgsm(net, x, y, eps).array, expected, atol=1e-6)


def test_fgsm_moves_every_value_by_eps_within_bounds():
    net = mlp()
    x, y = blobs(6)
    moved = fgsm(net, x, y, 0.1, bounds=None).array
    np.testing.assert_allclose(np.abs(moved - x), 0.1, rtol=1e-5)
    clipped = fgsm(net, x, y, 0.9).array
    assert clipped.min() >= 0 and clipped.max() <= 1
    assert clipped.dtype == np.float32 and clipped.shape == x.shape


def test_eps_can_differ_per_sample():
    net = mlp()
    x, y = blobs(3)
    eps = np.array([0.0, 0.05, 0.2], np.float32)
    moved = fgsm(net, x, y, eps, bounds=None).array
    np.testing.assert_allclose(np.abs(moved - x).max(axis=(1, 2, 3)), eps, atol=1e-6)
    together = pgd(net, x, y, eps, eps / 4, steps=5).array
    alone = [
        pgd(net, x[i : i + 1], y[i : i + 1], eps[i], eps[i] / 4, steps=5).array[0] for i in range(3)
    ]
    np.testing.assert_allclose(together, np.stack(alone), atol=1e-6)


def test_pgd_with_one_full_step_is_fgsm():
    net = mlp()
    x, y = blobs(5)
    np.testing.assert_allclose(
        pgd(net, x, y, 0.1, step=0.1, steps=1).array, fgsm(net, x, y, 0.1).array
    )


def test_pgd_stays_within_eps_of_the_original():
    net = mlp()
    x, y = blobs(8)
    attacked = pgd(net, x, y, 0.05, step=0.02, steps=10).array
    assert np.abs(attacked - x).max() <= 0.05 + 1e-6
    assert attacked.min() >= 0 and attacked.max() <= 1


def test_attacks_fool_a_trained_network_and_pgd_is_stronger():
    net = trained_mlp()
    x, y = blobs(90, seed=1)
    predict = lambda images: net(wright.tensor(images)).array.argmax(axis=1)
    assert np.mean(predict(x) == y) == 1.0
    assert np.mean(predict(fgsm(net, x, y, 0.1).array) != y) == 0.0
    assert np.mean(predict(fgsm(net, x, y, 0.4).array) != y) > 0.9
    fgsm_fooled = np.mean(predict(fgsm(net, x, y, 0.25).array) != y)
    pgd_fooled = np.mean(predict(pgd(net, x, y, 0.25, step=0.25 / 4, steps=20).array) != y)
    assert 0.2 < fgsm_fooled < pgd_fooled
    assert not any(p.grad is not None for p in net.parameters())


def test_a_custom_loss_is_increased():
    net = mlp()
    x, y = blobs(4)
    toward_class_0 = lambda outputs, labels: outputs[:, 0].sum()
    before = net(wright.tensor(x)).array[:, 0]
    after = net(fgsm(net, x, y, 0.1, loss=toward_class_0)).array[:, 0]
    assert np.all(after > before)


def test_attacks_reject_bad_arguments():
    net = mlp()
    x, y = blobs(4)
    with pytest.raises(ValueError, match=r"fgsm: eps must be a number or one per sample \(4,\)"):
        fgsm(net, x, y, [0.1, 0.2])
    with pytest.raises(TypeError, match="pgd: labels must be integers"):
        pgd(net, x, y.astype(np.float32), 0.1, 0.01)
    with pytest.raises(ValueError, match="pgd: steps must be >= 1"):
        pgd(net, x, y, 0.1, 0.01, steps=0)
