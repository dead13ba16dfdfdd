"""BatchNorm1d and BatchNorm2d: batch statistics in training, running statistics in evaluation,
PyTorch's state dict, and no silent absorption of NaN or inf."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import nn


def test_training_output_has_zero_mean_unit_variance_per_channel():
    x = wright.tensor(np.random.default_rng(0).normal(3.0, 2.0, (16, 4, 5, 5)).astype(np.float32))
    out = nn.BatchNorm2d(4)(x).array
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, atol=1e-3)


def test_state_dict_names_and_shapes_follow_pytorch():
    norm = nn.BatchNorm2d(6)
    shapes = {name: tuple(value.shape) for name, value in norm.state_dict().items()}
    assert shapes == {
        "weight": (6,),
        "bias": (6,),
        "running_mean": (6,),
        "running_var": (6,),
        "num_batches_tracked": (),
    }
    assert [name for name, _ in norm.named_parameters()] == ["weight", "bias"]
    plain = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert list(plain.state_dict()) == []


def test_eval_uses_running_statistics():
    norm = nn.BatchNorm1d(2, momentum=None)
    batches = [wright.randn(8, 2) * 3 + 1 for _ in range(4)]
    for batch in batches:
        norm(batch)
    everything = np.concatenate([b.array for b in batches])
    # momentum=None keeps an equal-weight average of the batch means
    np.testing.assert_allclose(norm.running_mean.array, everything.mean(axis=0), rtol=1e-5)
    assert int(norm.num_batches_tracked.array) == 4
    norm.eval()
    x = wright.randn(5, 2)
    expected = (x.array - norm.running_mean.array) / np.sqrt(norm.running_var.array + norm.eps)
    np.testing.assert_allclose(norm(x).array, expected, rtol=1e-5, atol=1e-6)


def test_non_finite_input_raises_and_leaves_running_statistics_alone():
    model = nn.Sequential(nn.BatchNorm2d(3))
    model(wright.randn(4, 3, 2, 2))
    before = {name: value.array.copy() for name, value in model.state_dict().items()}
    x = wright.randn(4, 3, 2, 2)
    x.array[1, 2, 0, 0] = np.nan
    with pytest.raises(
        FloatingPointError,
        match=r"^0 \(BatchNorm2d 3\): the batch mean or "
        r"variance of channel\(s\) \[2\] is not finite",
    ):
        model(x)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.array, before[name])


def test_one_value_per_channel_cannot_train():
    with pytest.raises(ValueError, match=r"BatchNorm1d 4 needs more than one value per channel"):
        nn.BatchNorm1d(4)(wright.randn(1, 4))
    assert nn.BatchNorm1d(4).eval()(wright.randn(1, 4)).shape == (1, 4)


def test_wrong_layout_names_the_layer():
    with pytest.raises(
        ValueError,
        match=r"BatchNorm2d 3 got input of shape \(4, 3\); expected "
        r"\(N, C, H, W\) with C = 3",
    ):
        nn.BatchNorm2d(3)(wright.zeros(4, 3))
    with pytest.raises(ValueError, match=r"expected \(N, C\) or \(N, C, L\) with C = 3"):
        nn.BatchNorm1d(3)(wright.zeros(4, 5))


def test_gradcheck_in_training_and_evaluation():
    rng = np.random.default_rng(1)
    norm = nn.BatchNorm2d(2, dtype=wright.float64)
    norm.weight.array[...] = rng.standard_normal(2)
    x = wright.tensor(rng.standard_normal((3, 2, 2, 3)), requires_grad=True)
    # the running statistics move on every call, which does not change the training output
    inputs = [x, norm.weight, norm.bias]
    assert wright.autograd.gradcheck(lambda a, *_: norm(a), inputs)
    norm.eval()
    assert wright.autograd.gradcheck(lambda a, *_: norm(a), inputs)


@pytest.mark.parametrize(
    ("layer", "shape", "arguments"),
    [
        ("BatchNorm2d", (4, 3, 5, 6), {}),
        ("BatchNorm2d", (4, 3, 5, 6), {"momentum": None}),
        ("BatchNorm1d", (8, 3), {"momentum": 0.3}),
        ("BatchNorm1d", (4, 3, 7), {"affine": False}),
        ("BatchNorm1d", (4, 3), {"track_running_stats": False}),
    ],
)
def test_matches_torch_over_training_steps_and_evaluation(layer, shape, arguments):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    ours = getattr(nn, layer)(3, dtype=wright.float64, **arguments)
    theirs = getattr(torch.nn, layer)(3, **arguments).double()
    if ours.affine:
        ours.weight.array[...] = rng.standard_normal(3)
        ours.bias.array[...] = rng.standard_normal(3)
    theirs.load_state_dict({k: torch.tensor(v.array) for k, v in ours.state_dict().items()})
    for training in (True, True, True, False):
        ours.train(training)
        theirs.train(training)
        x = rng.normal(1.0, 2.0, shape)
        mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = ours(mine), theirs(reference)
        weights = rng.standard_normal(shape)
        out.backward(weights)
        expected.backward(torch.tensor(weights))
        np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-9, atol=1e-10)
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value.array, theirs.state_dict()[name].numpy(), rtol=1e-9)
