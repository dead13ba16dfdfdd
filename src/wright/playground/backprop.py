"""The backprop page's model: the lecture's four-pixel network taken through one forward pass, one
backward pass and one weight update, with every node's numbers from wright's own autograd."""

from __future__ import annotations

from typing import Any

import numpy as np

import wright
from wright import nn, optim
from wright.datasets import toy
from wright.demos.four_pixel import hand_wired_network, lecture_shaped_network
from wright.playground.settings import Choice, Integer, Number, checked

RULES = {
    "image": Integer(0, 7),
    "start": Choice(("random", "hand-wired")),
    "lr": Number(1e-4, 10.0),
    "seed": Integer(0, 2**31 - 1),
}
DEFAULTS = {"image": 7, "start": "random", "lr": 0.1, "seed": 0}
# Each activation's local rule, as the page prints it beside a node: value, then derivative.
_RULES_SHOWN = {
    "Tanh": ("a = tanh(z)", "da/dz = 1 - a²"),
    "ReLU": ("a = max(0, z)", "da/dz = 1 if z > 0 else 0"),
    "Identity": ("y = z", "dy/dz = 1"),
}
ERROR_RULE = "E = Σ (y - t)²;  dE/dy = 2 (y - t)"


def _floats(tensor: wright.Tensor | None) -> list | None:
    # Exact float32 values as Python floats (JSON keeps them exact), so the page can be checked.
    return None if tensor is None else tensor.array.astype(np.float64).tolist()


class BackpropSession:
    """The four-pixel network (4 -> 4 tanh -> 4 tanh -> 8 ReLU -> 4), one labelled image, and the
    phase of the step shown: "start", "forward", "backward" or "update".

    Args:
        settings: changes to DEFAULTS, checked against RULES.
    """

    def __init__(self, settings: dict | None = None) -> None:
        self.settings = checked(settings or {}, RULES, DEFAULTS)
        self.images, self.labels = toy.four_pixel()
        self.loss_fn = nn.MSELoss(reduction="sum")
        self.restart()

    def update(self, changes: Any) -> None:
        """Apply changed settings (checked first); a new image or start drops the numbers shown,
        and a new start or seed also new weights."""
        old, self.settings = self.settings, checked(changes, RULES, self.settings)
        if any(self.settings[k] != old[k] for k in ("start", "seed")):
            self.restart()
        elif self.settings["image"] != old["image"]:
            self._clear()

    def restart(self) -> None:
        """Fresh weights (random from the seed, or the lecture's hand-wired ones)."""
        if self.settings["start"] == "hand-wired":
            self.model = hand_wired_network()
        else:
            wright.manual_seed(self.settings["seed"])
            self.model = lecture_shaped_network()
        self.updates = 0
        self._clear()

    def _clear(self) -> None:
        self.phase = "start"
        self.sums: list[wright.Tensor] = []
        self.values: list[wright.Tensor] = []
        self.local: list[wright.Tensor] = []
        self.error: wright.Tensor | None = None
        self.grads_ready = False

    def pairs(self) -> list[tuple[nn.Linear, nn.Module]]:
        """(weighted sum, activation) per layer; the output layer's activation is Identity."""
        modules = list(self.model)
        pairs = []
        for position, module in enumerate(modules):
            if isinstance(module, nn.Linear):
                following = modules[position + 1] if position + 1 < len(modules) else None
                pairs.append((module, following if following is not None else nn.Identity()))
        return pairs

    def forward(self) -> None:
        """Weighted sums and squashed values of every node, layer by layer, and the error against
        the one-hot truth; each keeps its gradient for the backward pass."""
        self._clear()
        for parameter in self.model.parameters():
            parameter.grad = None
        value = wright.tensor(self.images[self.settings["image"]].reshape(1, 4))
        self.values = [value]
        for linear, activation in self.pairs():
            z = linear(value)
            z.retain_grad()
            value = activation(z)
            if value is z:  # Identity: the output node's value is its sum, one tensor
                value = z * 1
            value.retain_grad()
            self.sums.append(z)
            self.values.append(value)
            # The local derivative da/dz of each node, by wright's autograd on a detached copy.
            probe = z.detach().requires_grad_()
            activation(probe).sum().backward()
            self.local.append(probe.grad)
        self.error = self.loss_fn(value, self.target())
        self.phase = "forward"

    def target(self) -> wright.Tensor:
        """The truth: 1 for the image's class, 0 for the others, shape (1, 4)."""
        return wright.nn.functional.one_hot(
            wright.tensor([int(self.labels[self.settings["image"]])]), 4
        ).float()

    def backward(self) -> None:
        """dE/d(everything) by the chain rule, from the error back to the first weights."""
        if self.error is None:
            self.forward()
        self.error.backward()
        self.grads_ready = True
        self.phase = "backward"

    def step(self) -> None:
        """w <- w - lr * dE/dw for every weight and bias (plain gradient descent)."""
        if not self.grads_ready:
            self.backward()
        optim.SGD(self.model.parameters(), lr=self.settings["lr"]).step()
        self.updates += 1
        self._clear()
        self.phase = "update"

    def snapshot(self) -> dict:
        """Everything the page shows, as exact floats (None where not computed yet)."""
        layers = []
        for index, (linear, activation) in enumerate(self.pairs()):
            done = index < len(self.sums)
            name = type(activation).__name__
            layers.append(
                {
                    "activation": name,
                    "rule": _RULES_SHOWN[name],
                    "weight": _floats(linear.weight),
                    "bias": _floats(linear.bias),
                    "weight_grad": _floats(linear.weight.grad) if self.grads_ready else None,
                    "bias_grad": _floats(linear.bias.grad) if self.grads_ready else None,
                    "sum": _floats(self.sums[index][0]) if done else None,
                    "value": _floats(self.values[index + 1][0]) if done else None,
                    "local": _floats(self.local[index][0]) if done else None,
                    "sum_grad": _floats(self.sums[index].grad[0]) if self.grads_ready else None,
                    "value_grad": _floats(self.values[index + 1].grad[0])
                    if self.grads_ready
                    else None,
                }
            )
        image = self.images[self.settings["image"]]
        return {
            "phase": self.phase,
            "updates": self.updates,
            "settings": self.settings,
            "image": image.reshape(4).astype(np.float64).tolist(),
            "images": self.images.reshape(-1, 4).astype(np.float64).tolist(),
            "labels": [toy.FOUR_PIXEL_CLASSES[k] for k in self.labels],
            "label": toy.FOUR_PIXEL_CLASSES[int(self.labels[self.settings["image"]])],
            "classes": list(toy.FOUR_PIXEL_CLASSES),
            "target": _floats(self.target()[0]),
            "error": None if self.error is None else float(self.error.item()),
            "error_rule": ERROR_RULE,
            "layers": layers,
        }
