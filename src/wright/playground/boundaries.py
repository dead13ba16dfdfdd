"""The boundaries page's model: a small network learning two classes of points in the plane, with
everything the page draws (decision surface, each hidden neuron's surface, weights, losses)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import wright
from wright import nn, optim
from wright.datasets import toy
from wright.models.mlp import mlp
from wright.playground.settings import Choice, Integer, ListOf, Number, checked
from wright.playground.wire import image_bytes, rounded, symmetric_bytes

ACTIVATIONS = ("linear", "logistic", "tanh", "relu")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
RULES = {
    "dataset": Choice(toy.PLANE_DATASETS),
    "points": Integer(50, 2000),
    "noise": Number(0.0, 0.5),
    "train_fraction": Number(0.1, 0.9),
    "seed": Integer(0, 2**20),
    "hidden": ListOf(Integer(1, 8), 0, 6),
    "activation": Choice(ACTIVATIONS),
    "lr": Number(1e-5, 10.0),
    "batch_size": Integer(1, 500),
    "optimizer": Choice(OPTIMIZERS),
    "l2": Number(0.0, 1.0),
    "dropout": Number(0.0, 0.9),
}
DEFAULTS = {
    "dataset": "xor",
    "points": 500,
    "noise": 0.0,
    "train_fraction": 0.5,
    "seed": 0,
    "hidden": [4, 4],
    "activation": "tanh",
    "lr": 0.03,
    "batch_size": 10,
    "optimizer": "sgd",
    "l2": 0.0,
    "dropout": 0.0,
}
_DATA = {"dataset", "points", "noise", "train_fraction", "seed"}
_SHAPE = {"hidden", "activation", "dropout"}
GRID = 48  # surfaces are sampled on GRID x GRID points
EXTENT = 1.4  # over the square [-EXTENT, EXTENT]^2
_BOUNDED = {"logistic": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def build_network(
    hidden: list[int], activation: str, dropout: float
) -> tuple[nn.Sequential, list[int]]:
    """A 2-...-1 network (one raw score for class 1) and the positions of its hidden layers' last
    modules, whose outputs are the hidden neurons' values.

    The linear layers come from `wright.models.mlp.mlp`, so they start as that initialises them.
    """
    names = {"linear": None, "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
    linears = [m for m in mlp((2, *hidden, 1), names[activation]) if isinstance(m, nn.Linear)]
    modules: list[nn.Module] = []
    ends = []
    for linear in linears[:-1]:
        modules.append(linear)
        if activation != "linear":
            modules.append({"logistic": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[activation]())
        if dropout:
            modules.append(nn.Dropout(dropout))
        ends.append(len(modules) - 1)
    return nn.Sequential(*modules, linears[-1]), ends


def make_optimizer(name: str, params, lr: float, l2: float) -> optim.Optimizer:
    """One of OPTIMIZERS, with L2 as weight decay (its gradient l2 * w is added to each weight's)."""
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=l2)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, weight_decay=l2)
    return optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0, weight_decay=l2)


class BoundarySession:
    """One page's experiment: data, network, optimizer and training position.

    Args:
        settings: changes to DEFAULTS, checked against RULES.

    Example:
        >>> session = BoundarySession({"dataset": "circle", "hidden": [8, 8]})
        >>> for _ in range(20):
        ...     session.train()  # one epoch
        >>> snapshot = session.snapshot()
        >>> snapshot["epoch"], snapshot["test_accuracy"] > 0.8
        (20, True)
    """

    def __init__(self, settings: dict | None = None) -> None:
        self.settings = checked(settings or {}, RULES, DEFAULTS)
        self.loss_fn = nn.BCEWithLogitsLoss()
        axis = np.linspace(-EXTENT, EXTENT, GRID, dtype=np.float32)
        # Row 0 of the picture is the top of the plane (largest second coordinate).
        x1, x2 = np.meshgrid(axis, axis[::-1])
        self.grid = wright.as_tensor(np.stack([x1.ravel(), x2.ravel()], axis=1))  # (GRID^2, 2)
        self.networks_drawn = 0
        self._new_data()
        self._new_network()

    def update(self, changes: Any) -> set[str]:
        """Apply changed settings (checked first: nothing changes if any is bad).

        New data keeps the network, so it can be watched adapting; a new shape (layers,
        activation, dropout) starts a fresh network; the rest keeps the weights and restarts the
        optimizer.

        Returns:
            what was rebuilt: a subset of {"data", "network"}.
        """
        old, self.settings = self.settings, checked(changes, RULES, self.settings)
        changed = {name for name in self.settings if self.settings[name] != old[name]}
        rebuilt = set()
        if changed & _DATA:
            self._new_data()
            rebuilt.add("data")
        if changed & _SHAPE:
            self._new_network()
            rebuilt.add("network")
        elif changed & {"lr", "optimizer", "l2"}:
            self._new_optimizer()
        return rebuilt

    def reset(self) -> None:
        """Fresh random weights, keeping the data."""
        self._new_network()

    def _new_data(self) -> None:
        s = self.settings
        points, labels = toy.plane_points(s["dataset"], s["points"], s["noise"], s["seed"])
        cut = round(s["train_fraction"] * len(points))
        self.points, self.labels = points, labels
        self.train_x, self.test_x = wright.as_tensor(points[:cut]), wright.as_tensor(points[cut:])
        targets = labels[:, None].astype(np.float32)  # (N, 1), as the one raw score
        self.train_y, self.test_y = wright.as_tensor(targets[:cut]), wright.as_tensor(targets[cut:])
        self.cut = cut
        self._rng = np.random.default_rng(s["seed"])
        self._order, self._position = np.arange(cut), cut  # the next step starts a new epoch

    def _new_network(self) -> None:
        s = self.settings
        # The seed and the count of networks drawn so far fix the weights: the same settings and
        # the same presses of reset give the same run.
        wright.manual_seed(s["seed"] * 1009 + self.networks_drawn)
        self.networks_drawn += 1
        self.model, self.hidden_ends = build_network(s["hidden"], s["activation"], s["dropout"])
        self.epoch = 0
        self.steps = 0
        self.diverged = False
        self._new_optimizer()

    def _new_optimizer(self) -> None:
        s = self.settings
        self.optimizer = make_optimizer(s["optimizer"], self.model.parameters(), s["lr"], s["l2"])

    def train(self, budget: float | None = None) -> None:
        """Minibatch steps to the end of the current epoch, or until `budget` seconds have passed
        (a long epoch then goes on where it stopped at the next call)."""
        start = time.perf_counter()
        count, batch = self.cut, self.settings["batch_size"]
        self.model.train()
        # A diverging run overflows on purpose; the page is told through `diverged`.
        with np.errstate(over="ignore", invalid="ignore"):
            self._steps(start, count, batch, budget)

    def _steps(self, start: float, count: int, batch: int, budget: float | None) -> None:
        while True:
            if self._position >= count:
                self._order, self._position = self._rng.permutation(count), 0
            picked = self._order[self._position : self._position + batch]
            self._position += batch
            x, y = self.train_x.array[picked], self.train_y.array[picked]
            loss = self.loss_fn(self.model(wright.as_tensor(x)), wright.as_tensor(y))
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.steps += 1
            if not np.isfinite(loss.item()):
                self.diverged = True
                return
            if self._position >= count:
                self.epoch += 1
                return
            if budget is not None and time.perf_counter() - start > budget:
                return

    def _scores(self, x: wright.Tensor) -> tuple[np.ndarray, list[np.ndarray]]:
        """Raw class-1 scores for points x, and every hidden layer's values."""
        hidden = []
        with wright.no_grad():
            for position, module in enumerate(self.model):
                x = module(x)
                if position in self.hidden_ends:
                    hidden.append(x.array)
        return x.array[:, 0], hidden

    def _measure(self, x: wright.Tensor, y: wright.Tensor) -> tuple[float, float]:
        scores, _ = self._scores(x)
        if not len(scores):
            return float("nan"), float("nan")
        with wright.no_grad():
            loss = self.loss_fn(wright.as_tensor(scores[:, None]), y).item()
        return loss, float(np.mean((scores > 0) == (y.array[:, 0] > 0.5)))

    def snapshot(self) -> dict:
        """What the page draws now: losses, accuracies, surfaces as bytes (see `wire`), weights."""
        self.model.eval()
        with np.errstate(over="ignore", invalid="ignore"):
            return self._snapshot()

    def _snapshot(self) -> dict:
        train_loss, train_accuracy = self._measure(self.train_x, self.train_y)
        test_loss, test_accuracy = self._measure(self.test_x, self.test_y)
        scores, hidden = self._scores(self.grid)
        with wright.no_grad():
            probability = wright.sigmoid(wright.as_tensor(scores)).array
        neurons = []
        for values in hidden:
            layer = []
            for column in values.T:
                if self.settings["activation"] in _BOUNDED:
                    low, high = _BOUNDED[self.settings["activation"]]
                    layer.append(
                        {"bytes": image_bytes(column, low, high), "low": low, "high": high}
                    )
                else:
                    text, scale = symmetric_bytes(column)
                    layer.append({"bytes": text, "low": -scale, "high": scale})
            neurons.append(layer)
        linears = [m for m in self.model if isinstance(m, nn.Linear)]
        return {
            "epoch": self.epoch,
            "steps": self.steps,
            "train_loss": _number(train_loss),
            "test_loss": _number(test_loss),
            "train_accuracy": _number(train_accuracy),
            "test_accuracy": _number(test_accuracy),
            "diverged": self.diverged,
            "grid": GRID,
            "extent": EXTENT,
            "surface": image_bytes(probability, 0.0, 1.0),
            "neurons": neurons,
            "weights": [rounded(m.weight.array) for m in linears],
            "biases": [rounded(m.bias.array) for m in linears],
        }

    def data(self) -> dict:
        """The points and labels, split into training and test points, for the page to plot."""
        return {
            "train": rounded(self.points[: self.cut], 3),
            "train_labels": self.labels[: self.cut].tolist(),
            "test": rounded(self.points[self.cut :], 3),
            "test_labels": self.labels[self.cut :].tolist(),
            "extent": EXTENT,
        }


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
