"""The 3x3-conv MNIST CNN most PyTorch users meet first: conv 3x3 (32) - ReLU - conv 3x3 (64) -
ReLU - max pool 2x2 - dropout 0.25 - FC 9216-128 - ReLU - dropout 0.5 - FC 128-10, cross-entropy,
SGD with momentum (lr 0.01, 0.9), batch 64: one training step.

The second convolution (64 x 32 x 3 x 3 over 26 x 26 images) holds most of the arithmetic and its
im2col columns are large (43,264 rows of 288 numbers), so the ratio shows what building columns,
col2im, max-pool backward and the elementwise passes cost around the matrix products. Dropout
draws different masks in each framework, so the two sides agree on the loss only in eval mode (the
tests check it there); the timed step trains with dropout on, as the network is used.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from workload_kit import minibatch_stream, training_step

BATCH_SIZE = 64
LEARNING_RATE = 0.01
MOMENTUM = 0.9
STEPS = 40
REQUIRED_RATIO = 1.2
GOAL_RATIO = 1.0
# The labels are random, so one step on a batch need not lower the loss on the next one.
TRAINS = False
# Dropout masks come from each framework's own generator: compare losses with dropout off.
DETERMINISTIC = False

# (name, shape) of every parameter, in the order both frameworks list them.
SHAPES = (
    ("0.weight", (32, 1, 3, 3)),
    ("0.bias", (32,)),
    ("2.weight", (64, 32, 3, 3)),
    ("2.bias", (64,)),
    ("7.weight", (128, 9216)),
    ("7.bias", (128,)),
    ("10.weight", (10, 128)),
    ("10.bias", (10,)),
)


def mnist_cnn(nn):
    """The network from `wright.nn` or `torch.nn`, which name these layers alike."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(9216, 128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 10),
    )


def cnn_with_weights(nn, seed: int):
    """`mnist_cnn(nn)` with torch's default initial weight distribution, drawn from `seed`."""
    model = mnist_cnn(nn)
    rng = np.random.default_rng(seed + 2)
    shapes = dict(SHAPES)
    for name, param in model.named_parameters():
        bound = 1.0 / np.sqrt(np.prod(shapes[name.replace("bias", "weight")][1:]))
        np.asarray(param.data)[...] = rng.uniform(-bound, bound, shapes[name]).astype(np.float32)
    return model


def build_wright(seed: int, train: bool = True) -> Callable:
    """One SGD step of the CNN in wright (`train=False`: dropout off, for comparing losses)."""
    import wright
    from wright import nn, optim

    model = cnn_with_weights(nn, seed).train(train)
    optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    batches = minibatch_stream(seed, BATCH_SIZE)
    return training_step(model, nn.CrossEntropyLoss(), optimizer, batches, wright.as_tensor)


def build_torch(seed: int, train: bool = True) -> Callable:
    """The same step in PyTorch."""
    import torch

    model = cnn_with_weights(torch.nn, seed).train(train)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    batches = minibatch_stream(seed, BATCH_SIZE, torch.from_numpy)
    return training_step(model, torch.nn.CrossEntropyLoss(), optimizer, batches)
