"""Autoencoder on shadow heights: a 10-3-10 network learns to copy animals' shadows through 3 hidden
neurons; then its hidden layer is frozen and a softmax head learns to name the animal from it."""

from __future__ import annotations

import os

import numpy as np

import wright
from wright import nn
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.demos._common import descend, picture_path
from wright.interpret import maximize_activation
from wright.nn import functional as F
from wright.tensor import Tensor
from wright.viz.charts import curves
from wright.viz.figure import colour_bar, new_figure, save_figure
from wright.viz.inside import preferred_inputs
from wright.viz.network import draw_network

NAME = "autoencoder"
SUMMARY = (
    "10-3-10 autoencoder on cheetah/zebra/giraffe shadows, then a softmax head on the frozen "
    "hidden layer"
)

ANIMALS = ("cheetah", "zebra", "giraffe")
LEVELS = 10
# Shadows in levels of the wall: cheetahs are short, zebras medium, giraffes tall.
TYPICAL_HEIGHTS = np.array([2.5, 5.5, 8.5])


def shadow_heights(
    n: int, seed: int | None = None, spread: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Shadows cast on a wall marked in LEVELS levels by cheetahs, zebras and giraffes, in turn.

    Each animal's height is its typical height plus uniform noise in [-spread, spread]; a level is 1
    when the shadow covers it, 0 when it does not, and the fraction covered for the level the shadow
    ends in.

    Args:
        n: number of shadows.
        seed: seed of the heights.
        spread: how far an animal's height strays from its typical height, in levels.

    Returns:
        shadows (n, LEVELS) float32 (level 0 is the lowest) and labels (n,) int64 indexing ANIMALS.
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(ANIMALS)
    heights = TYPICAL_HEIGHTS[labels] + rng.uniform(-spread, spread, n)
    return _shadows(heights), labels.astype(np.int64)


def _shadows(heights: np.ndarray) -> np.ndarray:
    return np.clip(heights[:, None] - np.arange(LEVELS)[None, :], 0.0, 1.0).astype(np.float32)


def autoencoder(hidden: int = 3) -> nn.Sequential:
    """LEVELS inputs -> `hidden` sigmoid neurons -> LEVELS sigmoid outputs."""
    return nn.Sequential(
        nn.Linear(LEVELS, hidden), nn.Sigmoid(), nn.Linear(hidden, LEVELS), nn.Sigmoid()
    )


def _reconstruction_error(net: nn.Module, shadows: Tensor) -> float:
    with no_grad():
        return float(F.mse_loss(net(shadows), shadows).array)


def _levels(values: np.ndarray) -> str:
    """A shadow as text, lowest level first: '#' lit, '+' half lit, '.' dark."""
    return "".join("#" if v > 0.75 else "+" if v > 0.25 else "." for v in values)


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train the autoencoder, show what its hidden neurons like, then train and score the softmax
    head."""
    wright.manual_seed(seed)
    iterations, head_iterations = (600, 300) if quick else (1000, 500)
    train_x, train_y = shadow_heights(150 if quick else 300, seed=seed)
    test_x, test_y = shadow_heights(90, seed=seed + 1)
    shadows, test_shadows = as_tensor(train_x), as_tensor(test_x)

    net = autoencoder()
    error_before = _reconstruction_error(net, test_shadows)
    descend(net.parameters(), lambda: F.mse_loss(net(shadows), shadows), iterations, lr=10.0)
    error_after = _reconstruction_error(net, test_shadows)
    print(
        f"autoencoder 10-3-10 on {len(train_x)} shadows, "
        f"{iterations} iterations of gradient descent"
    )
    print(
        "  reconstruction error (mean squared, test): "
        f"{error_before:.4f} before -> {error_after:.5f} after"
    )
    typical = as_tensor(_shadows(TYPICAL_HEIGHTS))
    with no_grad():
        copies = net(typical).array
    for animal, shadow, copy in zip(ANIMALS, typical.array, copies):
        print(f"  {animal:8s} in {_levels(shadow)}  out {_levels(copy)}")

    preferred = maximize_activation(
        net, [0, 1, 2], (LEVELS,), steps=100, lr=0.1, layer=1, seed=seed
    ).array
    print("  input that excites each hidden neuron most (levels low -> high):")
    for unit, values in enumerate(preferred):
        print(f"    neuron {unit}: {_levels(values)}")

    encoder = net[:2]  # the trained first layer, shared with the autoencoder
    encoder.requires_grad_(False)
    head = nn.Linear(3, len(ANIMALS))
    with no_grad():
        codes, test_codes = encoder(shadows), encoder(test_shadows)
    labels = as_tensor(train_y)
    descend(
        head.parameters(), lambda: F.cross_entropy(head(codes), labels), head_iterations, lr=2.0
    )
    with no_grad():
        train_accuracy = float(np.mean(head(codes).array.argmax(axis=1) == train_y))
        test_probs = head(test_codes).softmax(axis=1).array
    test_accuracy = float(np.mean(test_probs.argmax(axis=1) == test_y))
    print(
        f"softmax head on the frozen hidden layer, {head_iterations} iterations: accuracy "
        f"{100 * train_accuracy:.1f}% train, {100 * test_accuracy:.1f}% test "
        f"({len(test_x)} new shadows)"
    )

    _draw(out_dir, net, typical.array, copies, preferred, test_x, test_probs, test_y)
    return {
        "reconstruction_error_before": error_before,
        "reconstruction_error": error_after,
        "iterations": iterations,
        "head_train_accuracy": train_accuracy,
        "head_test_accuracy": test_accuracy,
    }


def _draw(out_dir, net, typical, copies, preferred, test_x, test_probs, test_y) -> None:
    path = picture_path(out_dir, "autoencoder.png")
    if path is None:
        return
    figure, axes = new_figure(1, 3, size=(13, 3.8), layout="constrained")
    axes = np.ravel(axes)
    pairs = np.stack([typical, copies], axis=1).reshape(-1, LEVELS).T  # (levels, in/out per animal)
    image = axes[0].imshow(pairs, cmap="gray", vmin=0, vmax=1, origin="lower", aspect="auto")
    axes[0].set_xticks(
        range(2 * len(ANIMALS)), [f"{a}\n{w}" for a in ANIMALS for w in ("in", "out")], fontsize=7
    )
    axes[0].set_ylabel("level on the wall (0 lowest)")
    axes[0].set_title("shadows in and copies out", fontsize=10)
    axes[1].imshow(preferred.T, cmap="gray", vmin=0, vmax=1, origin="lower", aspect="auto")
    axes[1].set_xticks(
        range(len(preferred)), [f"hidden\nneuron {i}" for i in range(len(preferred))], fontsize=7
    )
    axes[1].set_ylabel("level on the wall (0 lowest)")
    axes[1].set_title("the shadow each hidden neuron likes most", fontsize=10)
    colour_bar(figure, image, axes[:2].tolist(), "share of the level in shadow")
    heights = test_x.sum(axis=1)
    order = np.argsort(heights)
    curves(
        {
            f"P({animal})": (heights[order], test_probs[order, k])
            for k, animal in enumerate(ANIMALS)
        },
        xlabel="shadow height (levels)",
        ylabel="softmax probability",
        ax=axes[2],
        title=f"softmax head: {100 * np.mean(test_probs.argmax(1) == test_y):.0f}% right",
    )
    figure.suptitle("a 10-3-10 autoencoder on animal shadows")
    save_figure(figure, path)
    draw_network(
        net,
        typical[0],
        input_labels=[f"level {i}" for i in range(LEVELS)],
        output_labels=[f"level {i}" for i in range(LEVELS)],
        first_at_bottom=True,
        title="trained autoencoder, a cheetah's shadow going through (level 0 at the bottom)",
        path=picture_path(out_dir, "autoencoder_network.png"),
    )
    preferred_inputs(
        preferred,
        [f"hidden neuron {i}" for i in range(len(preferred))],
        value_label="share in shadow",
        title="inputs that excite each hidden neuron most",
        path=picture_path(out_dir, "autoencoder_hidden.png"),
    )
