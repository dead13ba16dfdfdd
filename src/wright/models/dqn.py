"""Q-networks for deep Q-learning: an MLP for state vectors (CartPole) and a small CNN that reads
the screen (Catch)."""

from __future__ import annotations

from wright import nn
from wright.models.registry import ModelSpec, register


def q_mlp(observations: int = 4, actions: int = 2, hidden: int = 128) -> nn.Sequential:
    """State vector -> two ReLU layers of `hidden` -> one value per action.

    Shape:
        (N, observations) -> (N, actions).
    """
    return nn.Sequential(
        nn.Linear(observations, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, actions),
    )


def q_cnn(size: int = 16, actions: int = 3, channels: int = 1, hidden: int = 128) -> nn.Sequential:
    """Screen -> two stride-2 3x3 convolutions (16, 32 channels, ReLU) -> a ReLU layer of `hidden`
    -> one value per action.

    Shape:
        (N, channels, size, size) -> (N, actions); size divisible by 4.
    """
    return nn.Sequential(
        nn.Conv2d(channels, 16, 3, stride=2, padding=1),  # (N, 16, size/2, size/2)
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1),  # (N, 32, size/4, size/4)
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(32 * (size // 4) ** 2, hidden),
        nn.ReLU(),
        nn.Linear(hidden, actions),
    )


register(
    ModelSpec(
        name="dqn-mlp",
        summary="Q-network for state vectors: 2 ReLU layers of 128 -> a value per action (DQN)",
        builder=q_mlp,
        loss="huber",
        optimizer="adam",
        lr=1e-3,
        tasks=("reinforcement",),
    )
)
register(
    ModelSpec(
        name="dqn-cnn",
        summary="Q-network for screens: 2 stride-2 convolutions, a ReLU layer -> values (DQN)",
        builder=q_cnn,
        loss="huber",
        optimizer="adam",
        lr=1e-3,
        tasks=("reinforcement",),
    )
)
