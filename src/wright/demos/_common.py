"""Small pieces the demos share: plain gradient descent on a whole batch, and where pictures go."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from wright import optim
from wright.nn.module import Parameter
from wright.tensor import Tensor
from wright.viz.figure import matplotlib_available


def descend(
    parameters: Iterable[Parameter], loss_of: Callable[[], Tensor], steps: int, lr: float
) -> np.ndarray:
    """Plain gradient descent: `steps` times, compute the loss and move every parameter by
    -lr * gradient.

    Args:
        parameters: what to train.
        loss_of: computes the loss on the whole training set (one "iteration" of the lectures).
        steps: number of updates.
        lr: learning rate.

    Returns:
        the loss before each update, (steps,).
    """
    optimizer = optim.SGD(list(parameters), lr=lr)
    losses = np.empty(steps)
    for step in range(steps):
        loss = loss_of()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses[step] = float(loss.array)
    return losses


def picture_path(out_dir: str | os.PathLike | None, filename: str) -> Path | None:
    """Where to save a picture: None (draw nothing) without out_dir or without matplotlib."""
    if out_dir is None:
        return None
    if not matplotlib_available():
        print(f"(matplotlib is not installed: skipping {filename}; pip install 'wright[viz]')")
        return None
    return Path(out_dir) / filename
