"""The four-pixel camera: a hand-wired network tells solid, vertical, diagonal and horizontal 2x2
images apart, layer by layer; then the same shape learns the job from random weights by backprop.

Pictures: four_pixel_classes.png, four_pixel_hand_wired.png, four_pixel_hand_wired_fields.png,
four_pixel_trained.png, four_pixel_trained_fields.png.
"""

from __future__ import annotations

import os

import numpy as np

import wright
from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.datasets import toy
from wright.demos._common import picture_path
from wright.train import fit
from wright.viz import draw_network, image_grid, layer_values, receptive_fields

NAME = "four-pixel"
SUMMARY = "2x2 camera: a hand-wired tanh/ReLU network classifies lines; the same shape learns it"

# The example traced through the network: dark pixels on top, light below.
DARK_OVER_LIGHT = np.array([[-1.0, -1.0], [1.0, 1.0]], dtype=np.float32)

_LAYER_NAMES = (
    ("upper left", "upper right", "lower left", "lower right"),
    ("left light", "right light", "left top-light", "right top-light"),
    ("solid", "vertical", "diagonal", "horizontal"),
    (
        "solid +",
        "solid -",
        "vertical +",
        "vertical -",
        "diagonal +",
        "diagonal -",
        "horizontal +",
        "horizontal -",
    ),
    toy.FOUR_PIXEL_CLASSES,
)


def lecture_shaped_network() -> nn.Sequential:
    """4 pixels -> 4 tanh -> 4 tanh -> 8 ReLU -> 4 outputs, with freshly drawn random weights.

    Weights are drawn at the scale each activation keeps steady (Glorot for tanh, He for ReLU) and
    biases start at zero: with layers only four neurons wide, a badly scaled start often gets stuck.
    """
    model = nn.Sequential(
        nn.Linear(4, 4),
        nn.Tanh(),
        nn.Linear(4, 4),
        nn.Tanh(),
        nn.Linear(4, 8),
        nn.ReLU(),
        nn.Linear(8, 4),
    )
    for linear, activation in zip(model[::2], ("tanh", "tanh", "relu", "linear")):
        nn.init.xavier_uniform_(linear.weight, gain=nn.init.calculate_gain(activation))
        nn.init.zeros_(linear.bias)
    return model


def hand_wired_network() -> nn.Sequential:
    """The lecture-shaped network with weights set by hand to +1, -1 or 0 and no biases in use.

    Pixels are read row by row: upper left, upper right, lower left, lower right.
    """
    model = lecture_shaped_network()
    first = [
        [1, 0, 1, 0],  # left column light
        [0, 1, 0, 1],  # right column light
        [1, 0, -1, 0],  # upper left light over lower left dark
        [0, 1, 0, -1],  # upper right light over lower right dark
    ]
    second = [
        [1, 1, 0, 0],  # solid: both columns light
        [1, -1, 0, 0],  # vertical: left light, right dark
        [0, 0, 1, -1],  # diagonal: light over dark on the left, dark over light on the right
        [0, 0, 1, 1],  # horizontal: light over dark on both sides
    ]
    # Each pattern feeds one ReLU directly and one through a negative weight, so that a pattern and
    # its negative (e.g. light-over-dark and dark-over-light) each get a ReLU that fires.
    third = np.kron(np.eye(4), [[1], [-1]])  # (8, 4)
    fourth = np.kron(np.eye(4), [[1, 1]])  # (4, 8): each class adds its two ReLUs
    for linear, weights in zip(model[::2], (first, second, third, fourth)):
        linear.weight.array[...] = weights
        linear.bias.array[...] = 0.0
    return model


def _print_trace(model: nn.Module, image: np.ndarray, hand_wired: bool) -> list[np.ndarray]:
    """Print every neuron's value for one image, naming hand-wired neurons by what they detect."""
    values = [v[0] for v in layer_values(model, image[None])]
    titles = ("input pixels", "layer 1 (tanh)", "layer 2 (tanh)", "layer 3 (ReLU)", "outputs")
    for depth, (title, names, layer) in enumerate(zip(titles, _LAYER_NAMES, values)):
        if not hand_wired and 0 < depth < len(values) - 1:
            names = [f"n{i}" for i in range(len(layer))]
        print(f"  {title:15s} " + "  ".join(f"{n}={v:+.2f}" for n, v in zip(names, layer)))
    return values


def _accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray) -> float:
    outputs = layer_values(model, images)[-1]
    return float(np.mean(outputs.argmax(axis=1) == labels))


def train_network(
    images: np.ndarray, labels: np.ndarray, seed: int, steps: int = 400, lr: float = 0.03
) -> tuple[nn.Sequential, float]:
    """Train the lecture-shaped network from random weights by backprop (Adam, cross-entropy).

    Every step shows the eight class images plus 64 fresh grey versions of them, so the network
    learns the patterns rather than the exact pixel values.

    Returns:
        the model and its final loss.
    """
    wright.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = lecture_shaped_network()
    # Every batch: the eight class images, then 64 grey versions drawn for that step alone.
    batches = []
    for _ in range(steps):
        grey_images, grey_labels = toy.four_pixel_grey(64, seed=int(rng.integers(2**31)))
        batches.append(
            (np.concatenate([images, grey_images]), np.concatenate([labels, grey_labels]))
        )
    inputs = np.concatenate([b[0] for b in batches]).reshape(-1, 4)  # (steps * 72, 4)
    targets = np.concatenate([b[1] for b in batches])
    loader = DataLoader(TensorDataset(inputs, targets), batch_size=len(batches[0][1]))
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=lr), loader, verbose=0)
    # fit reports the epoch's mean; the loss on the last batch is what the network ends with.
    last = slice(len(targets) - len(batches[0][1]), None)
    with wright.no_grad():
        loss = nn.functional.cross_entropy(
            model(wright.as_tensor(inputs[last])), wright.as_tensor(targets[last])
        )
    return model, float(loss.item())


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Trace the hand-wired network's forward pass, then train the same shape from scratch.

    Returns:
        hand_wired_accuracy and trained_accuracy on the eight class images, ambiguous_spread (how
        far apart the hand-wired outputs are on the eight three-and-one images: 0 means a four-way
        tie), trained_grey_accuracy on unseen grey versions, final_loss, horizontal_output (the
        hand-wired network's horizontal output for the traced example).
    """
    images, labels = toy.four_pixel()
    all_images, all_labels = toy.four_pixel(all_images=True)
    hand_wired = hand_wired_network()

    print("Hand-wired network, dark-over-light image, layer by layer:")
    trace = _print_trace(hand_wired, DARK_OVER_LIGHT, hand_wired=True)
    verdict = toy.FOUR_PIXEL_CLASSES[int(np.argmax(trace[-1]))]
    hand_accuracy = _accuracy(hand_wired, images, labels)
    ambiguous = layer_values(hand_wired, all_images[all_labels < 0])[-1]
    spread = float(np.max(ambiguous.max(axis=1) - ambiguous.min(axis=1)))
    print(f"verdict: {verdict}; hand-wired accuracy on the 8 class images: {hand_accuracy:.0%}")
    print(f"the 8 three-and-one images fit no class: the outputs tie (largest spread {spread:.2g})")

    steps = 200 if quick else 400
    model, final_loss = train_network(images, labels, seed, steps)
    trained_accuracy = _accuracy(model, images, labels)
    grey_images, grey_labels = toy.four_pixel_grey(200 if quick else 2000, seed=seed + 10_000)
    grey_accuracy = _accuracy(model, grey_images, grey_labels)
    print(
        f"\nTrained from random weights by backprop: {steps} steps (final loss {final_loss:.3f});"
        f" accuracy {trained_accuracy:.0%} on the 8 class images, {grey_accuracy:.1%} on "
        f"{len(grey_images)} unseen grey versions"
    )
    print("Trained network, same image:")
    _print_trace(model, DARK_OVER_LIGHT, hand_wired=False)

    if path := picture_path(out_dir, "four_pixel_classes.png"):
        image_grid(
            images,
            labels=[toy.FOUR_PIXEL_CLASSES[k] for k in labels],
            cols=4,
            vmin=-1,
            vmax=1,
            title="the four-pixel camera's classes",
            path=path,
        )
    for tag, network in (("hand_wired", hand_wired), ("trained", model)):
        name = tag.replace("_", "-")
        if path := picture_path(out_dir, f"four_pixel_{tag}.png"):
            draw_network(
                network,
                DARK_OVER_LIGHT,
                input_labels=_LAYER_NAMES[0],
                output_labels=_LAYER_NAMES[-1],
                title=f"{name} network, dark-over-light input",
                path=path,
            )
        if path := picture_path(out_dir, f"four_pixel_{tag}_fields.png"):
            receptive_fields(
                network, (2, 2), title=f"receptive fields of the {name} network", path=path
            )
    return {
        "hand_wired_accuracy": hand_accuracy,
        "horizontal_output": float(trace[-1][toy.FOUR_PIXEL_CLASSES.index("horizontal")]),
        "ambiguous_spread": spread,
        "trained_accuracy": trained_accuracy,
        "trained_grey_accuracy": grey_accuracy,
        "final_loss": final_loss,
    }
