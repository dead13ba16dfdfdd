"""The draw-a-digit page's models: MNIST-style centring, answers with every layer, nudges."""

import base64

import numpy as np
import pytest

import wright
from wright import models
from wright.playground.digits import MODELS, PIXELS, DigitModels, load_prepared, mnist_like
from wright.playground.settings import ParameterError


@pytest.fixture(scope="module")
def digits():
    """DigitModels holding untrained models (the shapes and wiring are what is tested here)."""
    wright.manual_seed(0)
    prepared = DigitModels()
    prepared.models = {name: models.build(name).eval() for name in MODELS}
    return prepared


def test_a_drawing_is_fitted_into_20_pixels_and_centred_by_mass():
    drawing = np.zeros((28, 28), np.float32)
    drawing[1:9, 2:4] = 1.0  # a short stroke in the top-left corner
    image = mnist_like(drawing)
    rows, _ = np.nonzero(image > 0.5)
    assert rows.max() - rows.min() + 1 == 20
    ys, xs = np.indices(image.shape)
    centre = [(ys * image).sum() / image.sum(), (xs * image).sum() / image.sum()]
    np.testing.assert_allclose(centre, [13.5, 13.5], atol=0.6)
    assert image.dtype == np.float32 and 0 <= image.min() and image.max() <= 1


def test_an_empty_drawing_stays_empty():
    assert not mnist_like(np.zeros((28, 28), np.float32)).any()
    assert not mnist_like(np.full((28, 28), 0.05, np.float32)).any()  # below the ink level


def test_pixels_must_be_784_numbers_between_0_and_1():
    assert len(PIXELS.check("pixels", [0.5] * 784)) == 784
    for bad, words in (
        ([0.5] * 783, "expected 784 to 784 entries, got 783"),
        ([0.5] * 783 + [1.5], "expected 0 to 1, got 1.5"),
        ([0.5] * 783 + ["x"], "expected a number"),
        ("0.5", "expected a list"),
    ):
        with pytest.raises(ParameterError, match=words):
            PIXELS.check("pixels", bad)


def test_answers_hold_both_hidden_layers_the_outputs_and_the_cnn(digits):
    image = mnist_like(np.eye(28, dtype=np.float32))
    answer = digits.answer(image)
    mlp = answer["mlp"]
    assert [len(layer) for layer in mlp["hidden"]] == [16, 16] and len(mlp["outputs"]) == 10
    with wright.no_grad():
        outputs = digits.models["mlp-lecture"](wright.tensor(image[None, None])).array[0]
    np.testing.assert_allclose(mlp["outputs"], outputs, atol=1e-4)
    assert mlp["answer"] == int(outputs.argmax())
    assert sum(answer["cnn"]["outputs"]) == pytest.approx(1, abs=1e-3)
    pixels = np.frombuffer(base64.b64decode(answer["input"]), np.uint8)
    np.testing.assert_allclose(pixels / 255, image.ravel(), atol=0.5 / 255 + 1e-6)


def test_models_not_ready_are_left_out(digits):
    waiting = DigitModels()
    assert set(waiting.answer(np.zeros((28, 28), np.float32))) == {"input"}
    assert waiting.first_layer() is None
    assert all(info["state"] == "waiting" for info in waiting.status().values())
    first = digits.first_layer()
    assert len(first["images"]) == 16 and len(base64.b64decode(first["images"][0])) == 784


def test_a_nudge_flips_the_answer_within_epsilon(digits):
    image = mnist_like(np.eye(28, dtype=np.float32))
    nudged, epsilon, before, after = digits.nudge(image, "mlp-lecture")
    if np.isfinite(epsilon):
        assert before != after
        assert np.abs(nudged - image).max() <= epsilon + 1e-6
        assert digits.answer(nudged)["mlp"]["answer"] == after
    else:
        assert before == after


def test_a_prepared_model_loads_with_its_accuracy_and_origin(tmp_path):
    model = models.build("mlp-lecture")
    path = str(tmp_path / "m.npz")
    wright.save({"model": model.state_dict(), "accuracy": 0.5, "origin": "made here"}, path)
    loaded, accuracy, origin = load_prepared("mlp-lecture", path)
    assert (accuracy, origin) == (0.5, "made here") and not loaded.training
    np.testing.assert_array_equal(loaded[1].weight.array, model[1].weight.array)
