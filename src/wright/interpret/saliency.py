"""Saliency maps: which input values, nudged, would change a class's score the most."""

from __future__ import annotations

import numpy as np

from wright.creation import as_tensor
from wright.interpret.gradients import as_batch, as_labels, input_gradient
from wright.nn.module import Module
from wright.tensor import Tensor


def saliency(model: Module, x, target=None) -> Tensor:
    """The size of the gradient of one class's score with respect to every input value.

    The score is the model's raw output for the class (a logit, or a sigmoid output for the
    lectures' 784-16-16-10 network). Large values mark the pixels the network's answer is most
    sensitive to.

    Args:
        model: a classifier whose output is (N, classes).
        x: (N, ...) inputs.
        target: the class to explain: one int for all samples, (N,) ints, or None for each sample's
            predicted class.

    Returns:
        |d score / d x|, a Tensor shaped like x (no graph).

    Example:
        >>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
        >>> saliency(net, wright.rand(8, 4)).shape  # explains each input's predicted class
        wright.Size([8, 4])
    """
    x = as_batch(x, "saliency")

    def class_score(inputs: Tensor, outputs: Tensor) -> Tensor:
        if outputs.ndim != 2:
            raise ValueError(
                f"saliency: the model must output class scores (N, classes), got shape "
                f"{tuple(outputs.shape)}"
            )
        labels = (
            outputs.array.argmax(axis=1)
            if target is None
            else as_labels(target, len(x), "saliency")
        )
        return outputs[np.arange(len(x)), labels].sum()

    grad, _ = input_gradient(model, x, class_score)
    return as_tensor(np.abs(grad))
