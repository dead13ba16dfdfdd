"""Deep Q-learning: the replay buffer, the double-DQN target and a short training run."""

import numpy as np
import pytest

import wright
from wright import nn
from wright.rl import DQNConfig, ReplayBuffer, evaluate_greedy, train_dqn
from wright.rl.dqn import dqn_loss


def test_replay_buffer_overwrites_the_oldest_transitions():
    buffer = ReplayBuffer(5, (2,))
    for k in range(4):
        obs = np.full((2, 2), k, np.float32)
        buffer.add(obs, np.array([k, k]), np.array([1.0, 2.0]), obs + 1, np.array([0.0, 1.0]))
    assert len(buffer) == 5 and buffer.position == 3
    assert sorted(buffer.actions.tolist()) == [1, 2, 2, 3, 3]  # the last five of eight
    obs, actions, rewards, nxt, ended = buffer.sample(64, np.random.default_rng(0))
    assert obs.shape == (64, 2) and actions.shape == (64,)
    np.testing.assert_array_equal(nxt, obs + 1)
    np.testing.assert_array_equal(ended, rewards == 2.0)  # the second environment ended
    np.testing.assert_array_equal(obs[:, 0], actions)


def test_dqn_loss_uses_the_target_network_on_the_online_networks_choice():
    online, target = nn.Linear(1, 2, bias=False), nn.Linear(1, 2, bias=False)
    with wright.no_grad():
        online.weight.copy_(wright.tensor([[1.0], [2.0]]))  # online prefers action 1
        target.weight.copy_(wright.tensor([[5.0], [3.0]]))  # target would prefer action 0
    batch = (
        np.array([[1.0]], np.float32),
        np.array([0]),
        np.array([1.0], np.float32),
        np.array([[1.0]], np.float32),
        np.array([0.0], np.float32),
    )
    # goal = 1 + 0.5 * Q_target(s', argmax Q_online(s')) = 1 + 0.5 * 3 = 2.5; Q(s, 0) = 1
    loss = dqn_loss(online, target, batch, gamma=0.5, delta=10.0)
    assert float(loss.array) == pytest.approx(0.5 * 1.5**2)
    ended = (*batch[:4], np.array([1.0], np.float32))
    assert float(dqn_loss(online, target, ended, 0.5, 10.0).array) == pytest.approx(0.0)


class Bandit:
    """One step: action 1 pays 1, action 0 pays 0."""

    class _Space:
        n = 2

    action_space = _Space()

    def reset(self, seed=None):
        return np.ones(1, np.float32), {}

    def step(self, action):
        return np.ones(1, np.float32), float(action == 1), True, False, {}


def test_dqn_learns_a_one_step_bandit():
    wright.manual_seed(0)
    network = nn.Linear(1, 2)
    config = DQNConfig(steps=600, envs=2, learning_starts=50, batch_size=16, lr=0.05)
    record = train_dqn(lambda k: Bandit(), network, config, seed=0, progress=False)
    assert len(record["episode_returns"]) == 600
    returns, frames = evaluate_greedy(lambda k: Bandit(), network, episodes=5, record_frames=3)
    assert returns.tolist() == [1.0] * 5
    assert len(frames) == 1 and frames[0][1] == 1


def test_dqn_stops_once_validation_episodes_are_solved():
    wright.manual_seed(0)
    network = nn.Linear(1, 2)
    config = DQNConfig(
        steps=5000,
        envs=2,
        learning_starts=50,
        batch_size=16,
        lr=0.05,
        solved_return=1.0,
        validate_every=100,
        validation_episodes=3,
    )
    record = train_dqn(lambda k: Bandit(), network, config, seed=0, progress=False)
    assert record["steps"] < 5000 and record["validation"][-1][1] == 1.0
