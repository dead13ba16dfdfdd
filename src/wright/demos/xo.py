"""X or O: the lecture's convolutional network worked by hand on its 9x9 X (filtering with three 3x3
features, ReLU, 2x2 max pooling, a fully connected vote), then learned from random weights.

Pictures: xo_examples.png, xo_lecture_maps.png, xo_features.png.
"""

from __future__ import annotations

import os
import time

import numpy as np

import wright
from wright import nn, optim
from wright.data import DataLoader, TensorDataset
from wright.datasets.xo import (
    CLASSES,
    FEATURE_NAMES,
    LECTURE_FEATURES,
    LECTURE_X,
    draw_xo,
    xo_images,
)
from wright.demos._common import picture_path
from wright.nn import functional as F
from wright.train import evaluate, fit
from wright.viz import image_grid

NAME = "xo"
SUMMARY = "CNN for X vs O: filtering, ReLU, pooling and the vote by hand, then learned features"

# The lecture's O is not drawn pixel by pixel; this one has the X's size and stroke.
LECTURE_O = draw_xo([1], [[4, 4]], [3], [0], [0.5])[0]


def filter_pool(images: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's convolution layer, ReLU layer and pooling layer, with hand-made features.

    Filtering is the mean of pixel products: a convolution with kernel feature / pixel count.

    Args:
        images: (N, 1, H, W) in the +1/-1 convention.
        features: (F, KH, KW).

    Returns:
        the filtered maps (N, F, H-KH+1, W-KW+1) and the pooled maps after ReLU and 2x2 stride-2
        max pooling, where a window running off the edge takes the max of what is there.
    """
    kernels = wright.tensor(features[:, None] / features[0].size)
    maps = F.conv2d(wright.tensor(images), kernels)
    pooled = F.max_pool2d(F.relu(maps), 2, 2, ceil_mode=True)
    return maps.array, pooled.array


def prototype_votes(pooled: np.ndarray, prototypes: np.ndarray) -> np.ndarray:
    """The fully connected vote between two classes.

    A pooled value votes for a class with a weight equal to how much higher it is in that class's
    clean image than in the other's; each class's vote is the weighted average of the values it
    listens to (1 when all of them match perfectly).

    Args:
        pooled: (N, ...) pooled maps of the images.
        prototypes: (2, ...) pooled maps of one clean image per class.

    Returns:
        (N, 2) votes.
    """
    flat = prototypes.reshape(2, -1)
    weights = np.maximum(flat - flat[::-1], 0.0)
    weights /= weights.sum(axis=1, keepdims=True)
    return pooled.reshape(len(pooled), -1) @ weights.T


def _truncated(values: np.ndarray) -> np.ndarray:
    # Two decimals cut off rather than rounded, as the lecture reads them (7/9 -> 0.77).
    return np.trunc(values * 100) / 100


def _print_maps(title: str, maps: np.ndarray) -> None:
    print(title)
    for name, grid in zip(FEATURE_NAMES, maps):
        print(f"  {name}:")
        for row in _truncated(grid):
            print("    " + " ".join(f"{v:5.2f}" for v in row))


def small_cnn(features: int = 3) -> nn.Sequential:
    """The lecture's network with learnable parts: 3x3 convolution, ReLU, 2x2 max pooling (edge
    windows included) and a fully connected layer voting for X or O.

    Shape:
        input (N, 1, 9, 9) -> output (N, 2) scores.
    """
    return nn.Sequential(
        nn.Conv2d(1, features, 3),  # (N, F, 7, 7)
        nn.ReLU(),
        nn.MaxPool2d(2, 2, ceil_mode=True),  # (N, F, 4, 4)
        nn.Flatten(),  # (N, F * 16)
        nn.Linear(features * 16, len(CLASSES)),  # (N, 2) votes
    )


def train_small_cnn(seed: int, quick: bool) -> tuple[nn.Sequential, dict]:
    """Train `small_cnn` from random weights on varied X/O images; test it on unseen ones."""
    wright.manual_seed(seed)
    count = 1000 if quick else 4000
    train_images, train_labels = xo_images(count, seed=seed)
    test_images, test_labels = xo_images(count, seed=seed + 1)
    train = DataLoader(TensorDataset(train_images, train_labels), batch_size=32, shuffle=True)
    test = DataLoader(TensorDataset(test_images, test_labels), batch_size=500)
    model = small_cnn()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    started = time.perf_counter()
    history = fit(model, loss_fn, optimizer, train, epochs=8 if quick else 15, verbose=0)
    seconds = time.perf_counter() - started
    measured = evaluate(model, loss_fn, test)
    return model, {
        "train_accuracy": history["accuracy"][-1],
        "test_accuracy": measured["accuracy"],
        "test_images": count,
        "train_images": count,
        "train_seconds": seconds,
    }


def _feature_similarity(learned: np.ndarray, hand_made: np.ndarray) -> np.ndarray:
    """(learned, hand-made) cosine similarities of the features, each learned one centred first."""
    a = learned.reshape(len(learned), -1)
    b = hand_made.reshape(len(hand_made), -1)
    a = a - a.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(a, axis=1, keepdims=True) * np.linalg.norm(b, axis=1)
    return (a @ b.T) / (norms + 1e-12)


def _print_features(learned: np.ndarray, similarity: np.ndarray) -> None:
    print("Learned features (scaled to -1..1) next to the most alike hand-made one:")
    for index, kernel in enumerate(learned):
        closest = int(np.argmax(np.abs(similarity[index])))
        cosine = similarity[index, closest]
        # A negative cosine means the learned feature is the hand-made one with light and dark
        # swapped; the network's next layer can use either sign.
        sign = 1.0 if cosine >= 0 else -1.0
        alike = FEATURE_NAMES[closest] if sign > 0 else f"{FEATURE_NAMES[closest]} negated"
        print(f"  feature {index}: most alike {alike} (cosine {cosine:+.2f})")
        scaled = kernel / np.abs(kernel).max()
        for learned_row, hand_row in zip(scaled, sign * LECTURE_FEATURES[closest]):
            print(
                "    "
                + " ".join(f"{v:+.2f}" for v in learned_row)
                + "   |   "
                + " ".join(f"{v:+.0f}" for v in hand_row)
            )


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Run the demo: the lecture's hand-worked forward pass, then a CNN trained from random weights.

    Returns:
        map_top_left, map_centre: two values of the first filtered map (7/9 and 5/9: the lecture's
            0.77 and 0.55);
        x_vote_for_x, x_vote_for_o: the hand-made network's votes on the lecture's X;
        hand_made_accuracy: that network on the held-out varied images;
        train_accuracy, test_accuracy, test_images, train_images, train_seconds: the learned
            network;
        feature_similarity: each learned feature's best |cosine| with a hand-made one.
    """
    images = np.stack([LECTURE_X, LECTURE_O])[:, None]  # (2, 1, 9, 9)
    maps, pooled = filter_pool(images, LECTURE_FEATURES)
    print(
        "The lecture's 9x9 X (+1 light, -1 dark) filtered by its three 3x3 features "
        "(mean of pixel products):"
    )
    _print_maps("Filtered maps (7x7):", maps[0])
    _print_maps(
        "After ReLU and 2x2 stride-2 max pooling (4x4; a window off the edge takes the max "
        "of what is there):",
        pooled[0],
    )
    votes = prototype_votes(pooled, pooled)
    print("Fully connected vote (values higher in a class's clean image vote for it):")
    for name, row in zip(CLASSES, votes):
        winner = CLASSES[int(np.argmax(row))]
        print(f"  the {name} image: X {row[0]:.2f}, O {row[1]:.2f} -> {winner}")

    model, measured = train_small_cnn(seed, quick)
    test_images, test_labels = xo_images(measured["test_images"], seed=seed + 1)
    hand_votes = prototype_votes(filter_pool(test_images, LECTURE_FEATURES)[1], pooled)
    hand_accuracy = float(np.mean(hand_votes.argmax(axis=1) == test_labels))
    print(
        f"\nThe hand-made features and votes on {len(test_images)} varied images (shifted, "
        f"scaled, rotated, thick and thin): {hand_accuracy:.1%} correct"
    )
    print(
        f"A CNN with three 3x3 features, learned from random weights on "
        f"{measured['train_images']} images in {measured['train_seconds']:.1f} s: "
        f"{measured['train_accuracy']:.1%} on its training images, "
        f"{measured['test_accuracy']:.1%} on {len(test_images)} held-out ones"
    )
    learned = model[0].weight.array[:, 0]  # (3, 3, 3)
    similarity = _feature_similarity(learned, LECTURE_FEATURES)
    _print_features(learned, similarity)

    examples, example_labels = xo_images(16, seed=seed + 2)
    if path := picture_path(out_dir, "xo_examples.png"):
        image_grid(
            examples,
            labels=[CLASSES[k] for k in example_labels],
            cols=8,
            vmin=-1,
            vmax=1,
            colorbar_label="pixel",
            title="varied X and O images (+1 light, -1 dark)",
            path=path,
        )
    if path := picture_path(out_dir, "xo_lecture_maps.png"):
        image_grid(
            maps[0],
            labels=list(FEATURE_NAMES),
            vmin=-1,
            vmax=1,
            size=2.6,
            colorbar_label="mean of pixel products",
            title="the lecture's X filtered by each feature",
            path=path,
        )
    if path := picture_path(out_dir, "xo_features.png"):
        scaled = learned / np.abs(learned).max(axis=(1, 2), keepdims=True)
        titles = [f"hand: {n}" for n in FEATURE_NAMES] + [f"learned {i}" for i in range(3)]
        image_grid(
            np.concatenate([LECTURE_FEATURES, scaled]),
            labels=titles,
            cols=3,
            vmin=-1,
            vmax=1,
            colorbar_label="weight (scaled)",
            title="hand-made features (top) and learned ones",
            path=path,
        )
    return {
        "map_top_left": float(maps[0, 0, 0, 0]),
        "map_centre": float(maps[0, 0, 3, 3]),
        "x_vote_for_x": float(votes[0, 0]),
        "x_vote_for_o": float(votes[0, 1]),
        "hand_made_accuracy": hand_accuracy,
        **measured,
        "feature_similarity": [float(np.max(np.abs(row))) for row in similarity],
    }
