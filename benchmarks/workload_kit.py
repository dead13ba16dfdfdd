"""What workloads are built from: MNIST-shaped random data, a minibatch cycle, MLPs, one step.

Data and weights are plain NumPy, so every framework's side starts from bit-identical values; the
model builder and the training step are written once, against the API wright and torch share.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

SAMPLES = 10_000
IMAGE_SHAPE = (1, 28, 28)
CLASSES = 10


def mnist_like(seed: int, samples: int = SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Random float32 images in [0, 1] of shape (samples, 1, 28, 28) and int64 labels in [0, 10)."""
    rng = np.random.default_rng(seed)
    images = rng.random((samples, *IMAGE_SHAPE), dtype=np.float32)
    labels = rng.integers(0, CLASSES, samples, dtype=np.int64)
    return images, labels


def shuffled_order(seed: int, samples: int = SAMPLES) -> np.ndarray:
    """The pre-shuffled sample order that minibatches are sliced from."""
    return np.random.default_rng(seed + 1).permutation(samples)


def minibatches(images, labels, order, batch_size: int) -> Iterator[tuple]:
    """Yield (images, labels) batches forever, from consecutive slices of `order`, wrapping round.

    Works on NumPy arrays and torch tensors alike (slicing and fancy indexing), so no side pays for
    a data loader: only for gathering one batch per step, which any training loop does.
    """
    starts = range(0, len(order) - batch_size + 1, batch_size)
    while True:
        for start in starts:
            index = order[start : start + batch_size]
            yield images[index], labels[index]


def minibatch_stream(
    seed: int, batch_size: int, as_tensor: Callable = np.asarray
) -> Iterator[tuple]:
    """`minibatches` of this seed's `mnist_like` data in its `shuffled_order`.

    Args:
        seed: picks the data and the order.
        batch_size: samples per batch.
        as_tensor: converts the arrays once, up front: `torch.from_numpy` for torch; wright and
            NumPy keep arrays (wright wraps each batch in a Tensor inside the step).
    """
    images, labels = mnist_like(seed)
    order = shuffled_order(seed)
    return minibatches(as_tensor(images), as_tensor(labels), as_tensor(order), batch_size)


def mlp_weights(sizes: tuple[int, ...], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight (out, in), bias (out,)) per layer from U(-1/sqrt(in), 1/sqrt(in)), as torch does."""
    rng = np.random.default_rng(seed + 2)
    weights = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1.0 / np.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        bias = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        weights.append((weight, bias))
    return weights


def load_linear_weights(linears, weights: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """Copy `mlp_weights` into a framework's Linear layers (wright or torch) in place.

    `np.asarray(param.data)` is the parameter's own memory in both frameworks: `.data` is a tensor
    sharing the parameter's buffer, and NumPy views that buffer without copying.
    """
    linears = list(linears)
    if len(linears) != len(weights):
        raise ValueError(
            f"load_linear_weights: {len(linears)} layers but {len(weights)} (weight, bias) pairs"
        )
    for layer, (weight, bias) in zip(linears, weights, strict=True):
        np.asarray(layer.weight.data)[...] = weight
        np.asarray(layer.bias.data)[...] = bias


def sequential_mlp(nn, sizes: tuple[int, ...], hidden: str, output: str | None, seed: int):
    """Flatten, then Linear layers of `sizes` with an activation after each one.

    Args:
        nn: the framework's layer namespace, `wright.nn` or `torch.nn` (both name layers alike).
        sizes: layer widths, e.g. (784, 16, 16, 10).
        hidden: activation class name after each hidden layer, e.g. "Sigmoid" or "ReLU".
        output: activation class name after the last layer, or None for raw scores.
        seed: picks the initial weights (`mlp_weights`), the same in every framework.

    Returns:
        The framework's `nn.Sequential`.
    """
    layers = [nn.Flatten()]
    linears = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        linears.append(nn.Linear(fan_in, fan_out))
        layers.append(linears[-1])
        activation = output if i == len(sizes) - 2 else hidden
        if activation is not None:
            layers.append(getattr(nn, activation)())
    load_linear_weights(linears, mlp_weights(sizes, seed))
    return nn.Sequential(*layers)


def training_step(
    model, loss_fn, optimizer, batches: Iterator[tuple], to_tensor: Callable = lambda array: array
) -> Callable:
    """A zero-argument step: next batch, forward, loss, backward, update; it returns the loss.

    Written once for wright and torch, whose Module and Optimizer APIs agree; `to_tensor` wraps the
    NumPy batch for wright (torch batches are tensors already).
    """

    def step():
        images, labels = next(batches)
        optimizer.zero_grad()
        loss = loss_fn(model(to_tensor(images)), to_tensor(labels))
        loss.backward()
        optimizer.step()
        return loss

    return step


def loss_value(loss) -> float:
    """A step's returned loss as a Python float, whichever framework produced it."""
    return float(loss.detach()) if hasattr(loss, "detach") else float(loss)
