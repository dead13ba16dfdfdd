"""Every loss against torch (values and gradients, float64), input checks, and QuadraticCost."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import nn
from wright.autograd import gradcheck
from wright.nn import functional as F

RNG = np.random.default_rng(0)


def _compare(make_ours, make_theirs, input_values, target_values, torch, grad_rtol=1e-10):
    """Run both losses on the same float64 inputs; compare the loss and the input gradient."""
    x = wright.tensor(input_values, requires_grad=True)
    x_torch = torch.tensor(input_values, requires_grad=True)
    target = wright.tensor(target_values)
    target_torch = torch.tensor(target_values)
    out, out_torch = make_ours()(x, target), make_theirs()(x_torch, target_torch)
    assert out.shape == tuple(out_torch.shape)
    np.testing.assert_allclose(out.array, out_torch.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(weights)
    out_torch.backward(torch.from_numpy(weights))
    np.testing.assert_allclose(x.grad.array, x_torch.grad.numpy(), rtol=grad_rtol, atol=1e-12)
    return out


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss(reduction):
    torch = pytest.importorskip("torch")
    _compare(
        lambda: nn.MSELoss(reduction),
        lambda: torch.nn.MSELoss(reduction=reduction),
        RNG.standard_normal((4, 3)),
        RNG.standard_normal((4, 3)),
        torch,
    )


def test_mse_gradient_reaches_the_target_too():
    pred = wright.tensor(np.array([1.0, 2.0]), requires_grad=True)
    target = wright.tensor(np.array([0.0, 4.0]), requires_grad=True)
    F.mse_loss(pred, target).backward()
    np.testing.assert_allclose(pred.grad.array, [1.0, -2.0])
    np.testing.assert_allclose(target.grad.array, [-1.0, 2.0])


CROSS_ENTROPY_SETTINGS = [
    {},
    {"reduction": "sum"},
    {"reduction": "none"},
    {"label_smoothing": 0.1},
    {"label_smoothing": 0.3, "reduction": "sum"},
    {"label_smoothing": 0.2, "reduction": "none"},
    {"ignore_index": 2},
    {"ignore_index": 2, "reduction": "none"},
    {"ignore_index": 2, "label_smoothing": 0.15},
]


@pytest.mark.parametrize(
    "settings", CROSS_ENTROPY_SETTINGS, ids=[str(s) for s in CROSS_ENTROPY_SETTINGS]
)
@pytest.mark.parametrize("shape", [(6, 5), (4, 5, 3), (2, 5, 3, 2)], ids=["NC", "NCd", "NCd1d2"])
def test_cross_entropy(settings, shape):
    torch = pytest.importorskip("torch")
    logits = RNG.standard_normal(shape) * 3
    labels = RNG.integers(0, shape[1], size=(shape[0],) + shape[2:])
    labels.flat[0] = 2
    _compare(
        lambda: nn.CrossEntropyLoss(**settings),
        lambda: torch.nn.CrossEntropyLoss(**settings),
        logits,
        labels,
        torch,
    )


def test_cross_entropy_default_ignore_index():
    torch = pytest.importorskip("torch")
    labels = np.array([0, -100, 3, -100, 1])
    _compare(
        nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss, RNG.standard_normal((5, 4)), labels, torch
    )


def test_cross_entropy_with_every_label_ignored_is_finite():
    x = wright.tensor(np.ones((2, 3)), requires_grad=True)
    loss = F.cross_entropy(x, np.array([-100, -100]))
    loss.backward()
    assert loss.item() == 0.0 and not x.grad.array.any()


def test_cross_entropy_extreme_logits():
    torch = pytest.importorskip("torch")
    logits = np.array([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]])
    out = _compare(nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss, logits, np.array([1, 2]), torch)
    assert np.isfinite(out.array)


def test_cross_entropy_gradcheck():
    logits = wright.tensor(RNG.standard_normal((3, 4, 2)), requires_grad=True)
    labels = wright.tensor(np.array([[0, 3], [-100, 1], [2, 2]]))
    assert gradcheck(lambda x: F.cross_entropy(x, labels, label_smoothing=0.1), [logits])


def test_cross_entropy_rejects_float_labels():
    with pytest.raises(TypeError, match="integer class labels.*float"):
        F.cross_entropy(wright.randn(3, 4), wright.tensor([0.0, 1.0, 2.0]))


@pytest.mark.parametrize("bad", [7, -3, 4])
def test_cross_entropy_names_out_of_range_labels(bad):
    with pytest.raises(ValueError, match=rf"label {bad} is outside \[0, 4\)"):
        nn.CrossEntropyLoss()(wright.randn(3, 4), np.array([0, bad, 1]))


def test_cross_entropy_other_input_errors():
    with pytest.raises(ValueError, match=r"target of shape \(3,\), got \(2,\)"):
        F.cross_entropy(wright.randn(3, 4), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"\(N, C\).*\(4,\)"):
        F.cross_entropy(wright.randn(4), np.array([0]))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(wright.randn(3, 4), np.array([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction.*'average'"):
        nn.CrossEntropyLoss(reduction="average")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_after_log_softmax(reduction):
    torch = pytest.importorskip("torch")
    logits = RNG.standard_normal((5, 4))
    labels = RNG.integers(0, 4, size=5)

    def ours():
        return lambda x, t: nn.NLLLoss(reduction)(nn.LogSoftmax(dim=1)(x), t)

    def theirs():
        return lambda x, t: torch.nn.NLLLoss(reduction=reduction)(torch.log_softmax(x, 1), t)

    _compare(ours, theirs, logits, labels, torch)
    ce = F.cross_entropy(wright.tensor(logits), labels, reduction=reduction)
    nll = F.nll_loss(wright.tensor(logits).log_softmax(1), labels, reduction=reduction)
    np.testing.assert_allclose(ce.array, nll.array, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_nll_loss_ignores_labels(reduction, ignore_index):
    torch = pytest.importorskip("torch")
    labels = np.array([0, ignore_index, 2, ignore_index, 1, 3])

    def ours():
        return lambda x, t: F.nll_loss(x, t, reduction, ignore_index=ignore_index)

    def theirs():
        return torch.nn.NLLLoss(reduction=reduction, ignore_index=ignore_index)

    _compare(ours, theirs, np.log(RNG.dirichlet(np.ones(4), size=6)), labels, torch)


def test_nll_loss_errors():
    with pytest.raises(ValueError, match=r"label 5 is outside \[0, 3\)"):
        F.nll_loss(wright.randn(2, 3), np.array([0, 5]))
    with pytest.raises(ValueError, match=r"\(N, C\), got shape \(2, 3, 4\)"):
        F.nll_loss(wright.randn(2, 3, 4), np.zeros((2, 4), dtype=np.int64))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_loss(reduction):
    torch = pytest.importorskip("torch")
    probs = RNG.uniform(0.02, 0.98, size=(4, 3))
    targets = RNG.uniform(0, 1, size=(4, 3))
    _compare(
        lambda: nn.BCELoss(reduction),
        lambda: torch.nn.BCELoss(reduction=reduction),
        probs,
        targets,
        torch,
    )


def test_bce_loss_at_exact_zero_and_one():
    torch = pytest.importorskip("torch")
    probs = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    targets = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    # The gradient there is (p - t) / 1e-12; torch keeps that floor in float32: a looser rtol.
    out = _compare(
        lambda: nn.BCELoss("sum"),
        lambda: torch.nn.BCELoss(reduction="sum"),
        probs,
        targets,
        torch,
        grad_rtol=1e-8,
    )
    np.testing.assert_allclose(out.item(), 200 + np.log(2))


def test_bce_loss_rejects_values_outside_zero_one():
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\].*with_logits"):
        nn.BCELoss()(wright.tensor([0.5, 1.5]), wright.tensor([1.0, 0.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction):
    torch = pytest.importorskip("torch")
    logits = RNG.standard_normal((3, 5)) * 4
    targets = RNG.uniform(0, 1, size=(3, 5))
    _compare(
        lambda: nn.BCEWithLogitsLoss(reduction),
        lambda: torch.nn.BCEWithLogitsLoss(reduction=reduction),
        logits,
        targets,
        torch,
    )


def test_bce_with_logits_extreme_logits():
    torch = pytest.importorskip("torch")
    logits = np.array([-1e4, -800.0, -100.0, -40.0, 0.0, 40.0, 100.0, 800.0, 1e4])
    targets = np.array([0.0, 1.0, 1.0, 0.0, 0.5, 1.0, 0.0, 0.0, 1.0])
    out = _compare(
        lambda: nn.BCEWithLogitsLoss("none"),
        lambda: torch.nn.BCEWithLogitsLoss(reduction="none"),
        logits,
        targets,
        torch,
    )
    assert np.isfinite(out.array).all()


def test_shape_mismatch_errors_name_both_shapes():
    for loss in (nn.MSELoss(), nn.BCELoss(), nn.BCEWithLogitsLoss()):
        with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
            loss(wright.rand(4, 1), wright.rand(4))


def test_loss_reprs():
    assert repr(nn.MSELoss()) == "MSELoss(reduction='mean')"
    assert repr(nn.QuadraticCost(10)) == "QuadraticCost(num_classes=10)"


# ----- the lectures' quadratic cost -----


def test_quadratic_cost_value_and_gradient():
    outputs_values = RNG.uniform(0, 1, size=(6, 4))
    labels = np.array([0, 3, 1, 1, 2, 0])
    one_hot = np.eye(4)[labels]
    outputs = wright.tensor(outputs_values, requires_grad=True)
    cost = nn.QuadraticCost(num_classes=4)(outputs, labels)
    np.testing.assert_allclose(
        cost.item(), 0.5 * np.sum((outputs_values - one_hot) ** 2) / 6, rtol=1e-12
    )
    cost.backward()
    np.testing.assert_allclose(outputs.grad.array, (outputs_values - one_hot) / 6, rtol=1e-12)


def test_quadratic_cost_accepts_tensor_labels_and_checks_classes():
    cost = nn.QuadraticCost()
    assert cost(wright.full((2, 10), 0.5), wright.tensor([1, 9])).dtype == np.float32
    with pytest.raises(ValueError, match=r"QuadraticCost got input of shape \(2, 5\)"):
        cost(wright.rand(2, 5), np.array([1, 2]))
    with pytest.raises(ValueError, match="label 10 is outside"):
        cost(wright.rand(2, 10), np.array([1, 10]))


# ----- one_hot -----


def test_one_hot():
    encoded = F.one_hot(np.array([2, 0, 1]), 4)
    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded.array, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert F.one_hot(wright.tensor([0, 4])).shape == (2, 5)
    assert F.one_hot(np.array([[1, 0], [0, 1]]), 2).shape == (2, 2, 2)


def test_one_hot_errors():
    with pytest.raises(ValueError, match=r"label 5 is outside \[0, 3\)"):
        F.one_hot(np.array([0, 5]), 3)
    with pytest.raises(ValueError, match=r"label -1 is outside"):
        F.one_hot(np.array([-1, 0]), 3)
    with pytest.raises(TypeError, match="integers.*float"):
        F.one_hot(np.array([0.0, 1.0]), 3)
