"""Reinforcement learning: deep Q-learning (DQN) and a small game to learn from pixels.

The games follow gymnasium's `Env` API (`reset(seed=...) -> (observation, info)`,
`step(action) -> (observation, reward, terminated, truncated, info)`); gymnasium itself is an
optional extra (`pip install 'wright[apps]'`) needed for its environments such as CartPole-v1 and
for `Catch`'s spaces.
"""

from wright.rl.dqn import DQNConfig, ReplayBuffer, evaluate_greedy, train_dqn

__all__ = ["DQNConfig", "ReplayBuffer", "evaluate_greedy", "train_dqn"]
