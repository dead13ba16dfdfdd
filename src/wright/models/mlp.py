"""Multi-layer perceptrons for 28x28 images: the lectures' 784-16-16-10 network and its
relatives."""

from __future__ import annotations

import itertools

from wright import nn
from wright.models.registry import ModelSpec, register


def mlp(
    sizes: tuple[int, ...], activation: str = "relu", output_activation: str | None = None
) -> nn.Sequential:
    """A fully connected network with the given layer sizes, e.g. (784, 16, 16, 10).

    Images are flattened first. Hidden layers use `activation`; the last layer uses
    `output_activation` (None leaves raw scores for cross-entropy). Weights are drawn for the
    activation: Glorot (xavier) for sigmoid and tanh, He (kaiming) for ReLU.
    """
    activations = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
    layers: list[nn.Module] = [nn.Flatten()]
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        layer = nn.Linear(fan_in, fan_out)
        last = i == len(sizes) - 2
        act = output_activation if last else activation
        if act == "relu":
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
        else:
            nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain(act or "linear"))
        nn.init.zeros_(layer.bias)
        layers.append(layer)
        if act is not None:
            layers.append(activations[act]())
    return nn.Sequential(*layers)


def _sigmoid_classifier(name: str, hidden: tuple[int, ...], summary: str) -> ModelSpec:
    """A sigmoid-everywhere net trained the textbook way: quadratic cost, SGD lr 3.0, batch 10."""

    def build(num_classes: int = 10, in_features: int = 784) -> nn.Sequential:
        return mlp((in_features, *hidden, num_classes), "sigmoid", "sigmoid")

    return ModelSpec(
        name=name,
        summary=summary,
        builder=build,
        loss="quadratic",
        optimizer="sgd",
        lr=3.0,
        batch_size=10,
        epochs=30,
    )


register(
    _sigmoid_classifier(
        "mlp-lecture",
        (16, 16),
        "784-16-16-10, sigmoid everywhere, quadratic cost, plain minibatch SGD "
        "(the lectures' network)",
    )
)
register(
    _sigmoid_classifier(
        "mlp-30",
        (30,),
        "784-30-10 sigmoid, quadratic cost, SGD lr 3.0, batch 10, 30 epochs (the textbook setting)",
    )
)

register(
    ModelSpec(
        name="mlp",
        summary="784-256-256-10 ReLU, cross-entropy, Adam (the 'couple of tweaks' that reach 98%)",
        builder=lambda num_classes=10, in_features=784: mlp(
            (in_features, 256, 256, num_classes), "relu"
        ),
        loss="cross-entropy",
        optimizer="adam",
        lr=1e-3,
        batch_size=128,
        epochs=12,
        schedule="cosine",
    )
)
