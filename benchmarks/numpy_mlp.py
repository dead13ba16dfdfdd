"""A multilayer perceptron with forward and backward passes written out in NumPy, no autograd.

The workloads' `build_numpy` sides use it as a floor: the arithmetic a framework must do, with no
graph, no Tensor wrappers and no per-op dispatch.
"""

from __future__ import annotations

import math

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


# Each activation with its derivative written in terms of its own output a (what backward keeps).
_ACTIVATIONS = {
    "sigmoid": (_sigmoid, lambda a: a * (1 - a)),
    "relu": (_relu, lambda a: (a > 0).astype(a.dtype)),
}


class NumpyMLP:
    """Fully connected layers y = x W^T + b with an activation after each (optional after the last).

    Args:
        weights: (weight (out, in), bias (out,)) per layer; copied, the caller's arrays stay put.
        activation: "sigmoid" or "relu", used after every hidden layer.
        output_activation: the same choices, or None to return raw scores.
    """

    def __init__(self, weights, activation: str, output_activation: str | None = None) -> None:
        self.params = [array.copy() for pair in weights for array in pair]
        self.hidden = _ACTIVATIONS[activation]
        self.output = _ACTIVATIONS[output_activation] if output_activation else None
        self.layer_inputs: list[np.ndarray] = []
        self.result: np.ndarray | None = None
        self.grads: list[np.ndarray] = []

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Run the network on a batch (N, in) and keep each layer's input for backward."""
        self.layer_inputs = []
        layers = len(self.params) // 2
        for i in range(layers):
            self.layer_inputs.append(x)
            x = x @ self.params[2 * i].T + self.params[2 * i + 1]
            if i < layers - 1:
                x = self.hidden[0](x)
            elif self.output is not None:
                x = self.output[0](x)
        self.result = x
        return x

    def backward(self, grad_output: np.ndarray) -> list[np.ndarray]:
        """Gradients of the loss for every parameter, in `params` order, given d loss / d output."""
        delta = grad_output if self.output is None else grad_output * self.output[1](self.result)
        grads: list[np.ndarray] = [None] * len(self.params)
        for i in reversed(range(len(self.layer_inputs))):
            layer_input = self.layer_inputs[i]
            grads[2 * i] = delta.T @ layer_input
            grads[2 * i + 1] = delta.sum(axis=0)
            if i:
                delta = (delta @ self.params[2 * i]) * self.hidden[1](layer_input)
        # Keep the gradients until the next backward, as a framework keeps `.grad`: freed at once,
        # the large buffers go back to the OS (glibc trims the heap) and every step page-faults
        # them in again, which made this floor half again slower than the frameworks.
        self.grads = grads
        return grads


def sgd_step(params: list[np.ndarray], grads: list[np.ndarray], lr: float) -> None:
    """Plain gradient descent, in place: p <- p - lr g."""
    for param, grad in zip(params, grads, strict=True):
        param -= lr * grad


class NumpyAdam:
    """Adam with bias correction, in place, with the same defaults as wright's and torch's."""

    def __init__(
        self, params: list[np.ndarray], lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8
    ) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.exp_avg = [np.zeros_like(p) for p in params]
        self.exp_avg_sq = [np.zeros_like(p) for p in params]
        self.steps = 0

    def step(self, grads: list[np.ndarray]) -> None:
        """Update every parameter from its gradient."""
        self.steps += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1 - beta1**self.steps)
        root_correction = math.sqrt(1 - beta2**self.steps)
        moments = zip(self.exp_avg, self.exp_avg_sq, strict=True)
        for param, grad, (m, v) in zip(self.params, grads, moments, strict=True):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= step_size * m / (np.sqrt(v) / root_correction + self.eps)
