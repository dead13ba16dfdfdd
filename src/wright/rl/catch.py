"""Catch: a ball falls from the top of a small screen and a paddle at the bottom must be under it
when it lands; observed as pixels only. Written for wright behind gymnasium's Env API."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

try:
    import gymnasium
    from gymnasium import spaces
except ImportError as error:  # the module is usable only with the optional extra
    raise ImportError(
        "wright.rl.catch needs gymnasium: pip install 'wright[apps]' (or pip install gymnasium)"
    ) from error

LEFT, STAY, RIGHT = 0, 1, 2
ACTION_NAMES = ("left", "stay", "right")


class Catch(gymnasium.Env):
    """Catch the falling ball.

    The ball starts in a random column of the top row and falls one row per step; the paddle,
    `paddle` pixels wide on the bottom row, moves one pixel left or right, or stays, each step. When
    the ball reaches the bottom row the episode ends with reward +1 if the paddle is under it, else
    -1; every other step gives 0. An episode is always size - 1 steps, and a perfect player always
    catches (the paddle can reach any column in time).

    Args:
        size: the screen's side in pixels (16 to 32).
        paddle: the paddle's width in pixels.

    Observation: float32 (1, size, size): 0 empty, 1 ball or paddle. Actions: 0 left, 1 stay,
    2 right.
    """

    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"]}

    def __init__(self, size: int = 16, paddle: int = 3, render_mode: str | None = None) -> None:
        if not 16 <= size <= 32:
            raise ValueError(f"Catch: size must be between 16 and 32, got {size}")
        self.size, self.paddle, self.render_mode = size, paddle, render_mode
        self.observation_space = spaces.Box(0.0, 1.0, (1, size, size), dtype=np.float32)
        self.action_space = spaces.Discrete(3)
        self.ball = np.zeros(2, dtype=np.int64)  # (row, column)
        self.left = 0  # the paddle's leftmost column

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start a new episode: the ball in a random top column, the paddle at a random place."""
        super().reset(seed=seed)
        self.ball = np.array([0, self.np_random.integers(0, self.size)])
        self.left = int(self.np_random.integers(0, self.size - self.paddle + 1))
        return self._screen(), {}

    def step(self, action: int):
        """Move the paddle, let the ball fall one row; the episode ends when it lands."""
        if not self.action_space.contains(action):
            raise ValueError(f"Catch: action must be 0, 1 or 2, got {action!r}")
        self.left = int(np.clip(self.left + int(action) - 1, 0, self.size - self.paddle))
        self.ball[0] += 1
        landed = self.ball[0] == self.size - 1
        reward = 0.0
        if landed:
            caught = self.left <= self.ball[1] < self.left + self.paddle
            reward = 1.0 if caught else -1.0
        return self._screen(), reward, bool(landed), False, {}

    def render(self) -> np.ndarray:
        """The screen as an RGB image (size, size, 3) uint8."""
        return np.repeat((self._screen()[0] * 255).astype(np.uint8)[..., None], 3, axis=2)

    def _screen(self) -> np.ndarray:
        screen = np.zeros((1, self.size, self.size), dtype=np.float32)
        screen[0, self.ball[0], self.ball[1]] = 1.0
        screen[0, -1, self.left : self.left + self.paddle] = 1.0
        return screen


gymnasium.register(id="wright/Catch-v0", entry_point=Catch, max_episode_steps=None)
