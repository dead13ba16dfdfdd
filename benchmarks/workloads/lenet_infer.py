"""LeNet inference on a batch of 1000 MNIST-shaped images: the forward pass only, no graph recorded.

Each step classifies the next 1000 images (conv, pool, conv, pool, two fully connected layers) and
returns their mean cross-entropy, so both frameworks can be checked to compute the same numbers.
Big batches make the convolutions' matrix products large: the ratio shows the cost of building the
im2col columns against PyTorch's direct convolutions.
"""

from __future__ import annotations

from collections.abc import Callable

from workload_kit import minibatch_stream

from workloads.lenet_train import lenet_with_weights

BATCH_SIZE = 1000
STEPS = 10
REQUIRED_RATIO = 1.3
GOAL_RATIO = 1.0
# Inference does not train: the loss does not fall from one step to the next.
TRAINS = False


def build_wright(seed: int) -> Callable:
    """Forward passes of LeNet in wright under `no_grad`."""
    import wright
    from wright import nn

    model = lenet_with_weights(nn, seed).eval()
    loss_fn = nn.CrossEntropyLoss()
    batches = minibatch_stream(seed, BATCH_SIZE)

    def step():
        images, labels = next(batches)
        with wright.no_grad():
            return loss_fn(model(wright.as_tensor(images)), wright.as_tensor(labels))

    return step


def build_torch(seed: int) -> Callable:
    """The same forward passes in PyTorch under `no_grad`."""
    import torch

    model = lenet_with_weights(torch.nn, seed).eval()
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = minibatch_stream(seed, BATCH_SIZE, torch.from_numpy)

    def step():
        images, labels = next(batches)
        with torch.no_grad():
            return loss_fn(model(images), labels)

    return step
