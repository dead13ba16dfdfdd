"""The backprop page's session: its numbers are wright's autograd, and equal PyTorch's."""

import numpy as np
import pytest

from wright.datasets import toy
from wright.playground.backprop import BackpropSession
from wright.playground.settings import ParameterError

torch = pytest.importorskip("torch")


def _torch_step(snapshot):
    """Forward and backward through the same network in PyTorch, from the page's weights."""
    value = torch.tensor([snapshot["image"]], dtype=torch.float32)
    sums, values = [], []
    layers = snapshot["layers"]
    weights = []
    for layer in layers:
        w = torch.tensor(layer["weight"], dtype=torch.float32, requires_grad=True)
        b = torch.tensor(layer["bias"], dtype=torch.float32, requires_grad=True)
        weights.append((w, b))
        z = value @ w.T + b
        z.retain_grad()
        value = {"Tanh": torch.tanh, "ReLU": torch.relu, "Identity": lambda t: t * 1}[
            layer["activation"]
        ](z)
        value.retain_grad()
        sums.append(z)
        values.append(value)
    target = torch.tensor([snapshot["target"]])
    error = ((value - target) ** 2).sum()
    error.backward()
    return error, sums, values, weights


def test_forward_backward_and_update_match_pytorch():
    session = BackpropSession({"seed": 3})
    session.forward()
    forward = session.snapshot()
    assert forward["phase"] == "forward" and forward["layers"][0]["sum_grad"] is None
    session.backward()
    snapshot = session.snapshot()
    error, sums, values, weights = _torch_step(snapshot)
    assert snapshot["error"] == pytest.approx(error.item(), rel=1e-6)
    for layer, z, a, (w, b) in zip(snapshot["layers"], sums, values, weights):
        np.testing.assert_allclose(layer["sum"], z[0].detach(), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(layer["value"], a[0].detach(), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(layer["sum_grad"], z.grad[0], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(layer["value_grad"], a.grad[0], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(layer["weight_grad"], w.grad, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(layer["bias_grad"], b.grad, rtol=1e-5, atol=1e-7)
        # The chain rule the page prints: dE/dz = dE/da * da/dz.
        np.testing.assert_allclose(
            layer["sum_grad"],
            np.float32(layer["value_grad"]) * np.float32(layer["local"]),
            rtol=1e-6,
        )
    session.step()
    updated = session.snapshot()
    assert updated["phase"] == "update" and updated["error"] is None and updated["updates"] == 1
    for old, new in zip(snapshot["layers"], updated["layers"]):
        np.testing.assert_allclose(
            new["weight"],
            np.float32(old["weight"]) - np.float32(0.1) * np.float32(old["weight_grad"]),
            rtol=1e-6,
        )
    session.forward()
    assert session.snapshot()["error"] < snapshot["error"]


def test_local_derivatives_are_those_of_tanh_and_relu():
    session = BackpropSession()
    session.forward()
    layers = session.snapshot()["layers"]
    for layer in layers[:2]:
        np.testing.assert_allclose(layer["local"], 1 - np.float32(layer["value"]) ** 2, rtol=1e-5)
    assert layers[2]["local"] == [float(z > 0) for z in layers[2]["sum"]]
    assert layers[3]["local"] == [1.0] * 4 and layers[3]["activation"] == "Identity"


def test_hand_wired_start_calls_the_lectures_example_horizontal():
    session = BackpropSession({"start": "hand-wired", "image": 7})
    session.forward()
    snapshot = session.snapshot()
    assert snapshot["label"] == "horizontal"
    assert np.argmax(snapshot["layers"][-1]["value"]) == toy.FOUR_PIXEL_CLASSES.index("horizontal")


def test_backward_and_update_do_the_steps_before_them():
    session = BackpropSession()
    session.step()  # forward and backward happen first
    assert session.updates == 1 and session.phase == "update"


def test_settings_are_checked_and_a_new_image_clears_the_numbers():
    session = BackpropSession()
    session.forward()
    weights = session.snapshot()["layers"][0]["weight"]
    session.update({"image": 2})
    snapshot = session.snapshot()
    assert snapshot["phase"] == "start" and snapshot["layers"][0]["weight"] == weights
    session.update({"seed": 5})
    assert session.snapshot()["layers"][0]["weight"] != weights
    for bad in ({"image": 8}, {"lr": 0}, {"start": "zeros"}, {"seed": -1}, {"code": "1"}):
        with pytest.raises(ParameterError):
            session.update(bad)
