"""A wider network: 784-256-256-10 with ReLU, cross-entropy and Adam (lr 1e-3, batch 128).

Each step multiplies (128, 784) by (784, 256) and friends, so BLAS does much of the work and the
ratio shows what a framework adds around it: backward bookkeeping, the Adam update of 270k weights.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy_mlp import NumpyAdam, NumpyMLP
from workload_kit import minibatch_stream, mlp_weights, sequential_mlp, training_step

SIZES = (784, 256, 256, 10)
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
STEPS = 300
REQUIRED_RATIO = 1.1
GOAL_RATIO = 0.9


def build_wright(seed: int) -> Callable:
    """One Adam step of the ReLU MLP in wright."""
    import wright
    from wright import nn, optim

    model = sequential_mlp(nn, SIZES, "ReLU", None, seed)
    optimizer = optim.Adam(model.parameters(), lr=LEARNING_RATE)
    batches = minibatch_stream(seed, BATCH_SIZE)
    return training_step(model, nn.CrossEntropyLoss(), optimizer, batches, wright.as_tensor)


def build_torch(seed: int) -> Callable:
    """The same step in PyTorch."""
    import torch

    model = sequential_mlp(torch.nn, SIZES, "ReLU", None, seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    batches = minibatch_stream(seed, BATCH_SIZE, torch.from_numpy)
    return training_step(model, torch.nn.CrossEntropyLoss(), optimizer, batches)


def build_numpy(seed: int) -> Callable:
    """The same step with forward and backward written by hand in NumPy: the floor."""
    net = NumpyMLP(mlp_weights(SIZES, seed), "relu")
    adam = NumpyAdam(net.params, lr=LEARNING_RATE)
    batches = minibatch_stream(seed, BATCH_SIZE)

    def step():
        images, labels = next(batches)
        rows = np.arange(len(images))
        logits = net.forward(images.reshape(len(images), -1))
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        # d loss / d logits = softmax - one-hot, averaged over the batch
        grad = np.exp(log_probs)
        grad[rows, labels] -= 1
        adam.step(net.backward(grad / len(images)))
        return -log_probs[rows, labels].mean()

    return step
