"""The lectures' network: 784-16-16-10, sigmoid everywhere, quadratic cost, SGD lr 3.0, batch 10.

The matrices are tiny and a batch holds ten images, so the arithmetic of a step takes microseconds
and the step time is mostly framework overhead: recording the graph, wrapping arrays, calling
modules and looping over the parameters in the optimizer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy_mlp import NumpyMLP, sgd_step
from workload_kit import CLASSES, minibatch_stream, mlp_weights, sequential_mlp, training_step

SIZES = (784, 16, 16, 10)
BATCH_SIZE = 10
LEARNING_RATE = 3.0
STEPS = 3000
REQUIRED_RATIO = 0.8
GOAL_RATIO = 0.5


def build_wright(seed: int) -> Callable:
    """One SGD step of the sigmoid MLP in wright, with `nn.QuadraticCost`."""
    import wright
    from wright import nn, optim

    model = sequential_mlp(nn, SIZES, "Sigmoid", "Sigmoid", seed)
    optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE)
    batches = minibatch_stream(seed, BATCH_SIZE)
    return training_step(model, nn.QuadraticCost(CLASSES), optimizer, batches, wright.as_tensor)


def build_torch(seed: int) -> Callable:
    """The same step in PyTorch, the quadratic cost built from its fused, summed `mse_loss`."""
    import torch
    from torch.nn import functional as F

    def quadratic_cost(outputs, labels):
        wanted = F.one_hot(labels, CLASSES).to(outputs.dtype)
        return F.mse_loss(outputs, wanted, reduction="sum") * (0.5 / outputs.shape[0])

    model = sequential_mlp(torch.nn, SIZES, "Sigmoid", "Sigmoid", seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    batches = minibatch_stream(seed, BATCH_SIZE, torch.from_numpy)
    return training_step(model, quadratic_cost, optimizer, batches)


def build_numpy(seed: int) -> Callable:
    """The same step with forward and backward written by hand in NumPy: the floor."""
    net = NumpyMLP(mlp_weights(SIZES, seed), "sigmoid", "sigmoid")
    batches = minibatch_stream(seed, BATCH_SIZE)
    one_hot = np.eye(CLASSES, dtype=np.float32)

    def step():
        images, labels = next(batches)
        outputs = net.forward(images.reshape(len(images), -1))
        error = outputs - one_hot[labels]  # d cost / d outputs, before dividing by the batch size
        sgd_step(net.params, net.backward(error / len(images)), LEARNING_RATE)
        return 0.5 * np.sum(error * error) / len(images)

    return step
