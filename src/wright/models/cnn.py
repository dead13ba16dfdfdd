"""Convolutional networks for 28x28 grey images: LeNet-style stacks of convolution, ReLU and max
pooling feeding a fully connected vote."""

from __future__ import annotations

from wright import nn
from wright.models.registry import ModelSpec, register


def lenet(num_classes: int = 10, in_channels: int = 1, dropout: float = 0.0) -> nn.Sequential:
    """LeNet-style: two rounds of 5x5 convolution, ReLU and 2x2 max pooling, then 500 hidden ReLUs.

    The layer sizes are those of the classic Caffe LeNet (20 and 50 features, 500 hidden units),
    with ReLU in place of the original squashing functions. Weights keep PyTorch's default
    initialisation.

    Args:
        num_classes: number of output scores.
        in_channels: channels of the input images.
        dropout: probability of dropping each hidden unit in training (0 for none).

    Shape:
        input (N, in_channels, 28, 28) -> output (N, num_classes) scores (logits).
    """
    layers: list[nn.Module] = [
        nn.Conv2d(in_channels, 20, 5),  # (N, 20, 24, 24)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 20, 12, 12)
        nn.Conv2d(20, 50, 5),  # (N, 50, 8, 8)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 50, 4, 4)
        nn.Flatten(),  # (N, 800)
        nn.Linear(800, 500),
        nn.ReLU(),
    ]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(500, num_classes))
    return nn.Sequential(*layers)


register(
    ModelSpec(
        name="cnn",
        summary=(
            "LeNet-style: conv 5x5 (20) - pool - conv 5x5 (50) - pool - FC 500 - 10, ReLU; Adam"
        ),
        builder=lambda num_classes=10, in_channels=1: lenet(num_classes, in_channels),
        loss="cross-entropy",
        optimizer="adam",
        lr=1e-3,
        batch_size=64,
        epochs=8,
        schedule="cosine",
    )
)

register(
    ModelSpec(
        name="cnn-long",
        summary="the cnn with dropout 0.5 before its last layer, trained about twice as long; Adam",
        builder=lambda num_classes=10, in_channels=1: lenet(num_classes, in_channels, dropout=0.5),
        loss="cross-entropy",
        optimizer="adam",
        lr=1e-3,
        batch_size=64,
        epochs=15,
        schedule="cosine",
    )
)
