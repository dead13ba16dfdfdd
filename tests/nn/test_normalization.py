"""Normalization layers (batch, instance, group, local response): batch statistics in training,
running statistics in evaluation, PyTorch's state dicts and reprs, agreement with torch, and no
silent absorption of NaN or inf."""

from __future__ import annotations

import numpy as np
import pytest

import wright
from wright import nn
from wright.nn import functional as F


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
        ("BatchNorm2d", (4, 3, 2, 3), {"bias": False}),
        ("BatchNorm3d", (2, 3, 2, 3, 4), {"momentum": 0.2}),
        ("InstanceNorm1d", (4, 3, 5), {}),
        ("InstanceNorm1d", (3, 6), {"affine": True}),
        ("InstanceNorm2d", (2, 3, 4, 5), {"affine": True, "track_running_stats": True}),
        ("InstanceNorm2d", (3, 4, 5), {"track_running_stats": True, "momentum": None}),
        ("InstanceNorm3d", (2, 3, 2, 3, 2), {"affine": True, "bias": False}),
    ],
)
def test_matches_torch_over_training_steps_and_evaluation(layer, shape, arguments):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    ours = getattr(nn, layer)(3, dtype=wright.float64, **arguments)
    theirs = getattr(torch.nn, layer)(3, **arguments).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with wright.no_grad():
        for parameter in ours.parameters():
            parameter.copy_(rng.standard_normal(3))
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


@pytest.mark.parametrize(
    ("shape", "groups", "arguments"),
    [
        ((4, 6), 3, {}),
        ((2, 6, 5), 2, {}),
        ((2, 6, 3, 4), 6, {"eps": 1e-3}),
        ((2, 6, 2, 3, 2), 1, {"affine": False}),
        ((3, 6, 4), 3, {"bias": False}),
    ],
)
def test_group_norm_matches_torch(shape, groups, arguments):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    ours = nn.GroupNorm(groups, 6, dtype=wright.float64, **arguments)
    theirs = torch.nn.GroupNorm(groups, 6, **arguments).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with wright.no_grad():
        for parameter in ours.parameters():
            parameter.copy_(rng.standard_normal(6))
    theirs.load_state_dict({k: torch.tensor(v.array) for k, v in ours.state_dict().items()})
    x = rng.normal(1.0, 2.0, shape)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = rng.standard_normal(shape)
    out.backward(weights)
    expected.backward(torch.tensor(weights))
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-9, atol=1e-11)
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(
            parameter.grad.array, getattr(theirs, name).grad.numpy(), rtol=1e-9, atol=1e-11
        )


def test_group_norm_errors():
    with pytest.raises(
        ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"
    ):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match=r"must be divisible by num_groups=3"):
        F.group_norm(wright.zeros(2, 4, 3), 3)
    with pytest.raises(RuntimeError, match=r"expected weight of shape \(6,\)"):
        nn.GroupNorm(2, 4)(wright.zeros(2, 6, 3))
    with pytest.raises(RuntimeError, match=r"expected an \(N, C, \*\) input"):
        F.group_norm(wright.zeros(4), 2)


def test_functional_norms_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, weight, bias = rng.standard_normal((3, 4, 5)), rng.standard_normal(4), rng.standard_normal(4)
    running = [rng.standard_normal(4), rng.uniform(0.5, 2, 4)]
    ours_stats = [wright.tensor(a) for a in running]
    theirs_stats = [torch.tensor(a) for a in running]
    for use_input_stats in (True, False):
        out = F.instance_norm(
            wright.tensor(x),
            *ours_stats,
            wright.tensor(weight),
            wright.tensor(bias),
            use_input_stats,
            0.3,
        )
        expected = torch.nn.functional.instance_norm(
            torch.tensor(x),
            *theirs_stats,
            torch.tensor(weight),
            torch.tensor(bias),
            use_input_stats,
            0.3,
        )
        np.testing.assert_allclose(out.array, expected.numpy(), rtol=1e-10, atol=1e-12)
        for mine, reference in zip(ours_stats, theirs_stats):
            np.testing.assert_allclose(mine.array, reference.numpy(), rtol=1e-12)
    out = F.group_norm(wright.tensor(x), 2, wright.tensor(weight), wright.tensor(bias), 1e-3)
    expected = torch.nn.functional.group_norm(
        torch.tensor(x), 2, torch.tensor(weight), torch.tensor(bias), 1e-3
    )
    np.testing.assert_allclose(out.array, expected.numpy(), rtol=1e-10, atol=1e-12)


def test_norm_gradchecks():
    rng = np.random.default_rng(5)
    x = wright.tensor(rng.standard_normal((2, 4, 3)), requires_grad=True)
    weight = wright.tensor(rng.standard_normal(4), requires_grad=True)
    bias = wright.tensor(rng.standard_normal(4), requires_grad=True)
    assert wright.autograd.gradcheck(lambda a, w, b: F.group_norm(a, 2, w, b), [x, weight, bias])
    assert wright.autograd.gradcheck(
        lambda a, w, b: F.instance_norm(a, weight=w, bias=b), [x, weight, bias]
    )
    assert wright.autograd.gradcheck(lambda a: F.local_response_norm(a, 3, 0.5, 0.6, 1.5), [x])


def test_instance_norm_channels_and_sizes():
    with pytest.raises(ValueError, match=r"expected 3 channels at dim 1"):
        nn.InstanceNorm2d(3, affine=True)(wright.zeros(2, 4, 5, 5))
    with pytest.warns(UserWarning, match=r"expected 3 channels at dim 0"):
        nn.InstanceNorm2d(3)(wright.randn(4, 5, 5))
    with pytest.raises(ValueError, match=r"InstanceNorm2d 3 got input of shape \(5, 5\)"):
        nn.InstanceNorm2d(3)(wright.zeros(5, 5))
    with pytest.raises(ValueError, match=r"more than one spatial element"):
        nn.InstanceNorm1d(3)(wright.zeros(2, 3, 1))
    # momentum=None keeps the running statistics where they are, as in torch
    norm = nn.InstanceNorm1d(3, track_running_stats=True, momentum=None)
    norm(wright.randn(2, 3, 4))
    assert norm.running_mean.tolist() == [0.0, 0.0, 0.0] and int(norm.num_batches_tracked) == 0


@pytest.mark.parametrize(
    ("shape", "size"), [((2, 5, 4), 3), ((2, 6, 3, 4), 4), ((1, 4, 2, 3, 2), 2)]
)
def test_local_response_norm_matches_torch(shape, size):
    torch = pytest.importorskip("torch")
    ours = nn.LocalResponseNorm(size, 0.1, 0.6, 2.0)
    theirs = torch.nn.LocalResponseNorm(size, 0.1, 0.6, 2.0)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(6).standard_normal(shape)
    mine, reference = wright.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match=r"3 or more dimensions"):
        ours(wright.zeros(2, 5))


def test_positional_arguments_and_bias_keyword_follow_torch():
    norm = nn.BatchNorm2d(4, 1e-3, None, True, False, "cpu", wright.float64, bias=False)
    assert norm.momentum is None and not norm.track_running_stats and norm.bias is None
    assert norm.weight.dtype == wright.float64
    assert list(norm.state_dict()) == ["weight"]
    with pytest.raises(RuntimeError, match=r"not available"):
        nn.GroupNorm(2, 4, device="cuda")
