"""Deep Q-learning (Mnih et al. 2015) with a replay buffer, a target network, epsilon-greedy
exploration and the Huber loss; targets as in double DQN (van Hasselt et al. 2016).

Several copies of the environment run side by side so that one forward pass picks the actions of
all of them; each round of steps is followed by a gradient update on a minibatch drawn from the
replay buffer.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from tqdm.auto import tqdm

from wright import nn, optim
from wright.autograd import no_grad
from wright.creation import as_tensor
from wright.nn import functional as F
from wright.nn.module import Module


@dataclass
class DQNConfig:
    """A DQN recipe.

    Attributes:
        steps: environment steps in all (summed over the parallel environments).
        envs: environments run side by side.
        buffer_size: transitions the replay buffer keeps (oldest overwritten first).
        batch_size: transitions per gradient update.
        learning_starts: steps of random play before the first update.
        train_every: environment steps per gradient update.
        gamma: discount of future rewards.
        lr, final_lr: Adam's learning rate, annealed linearly from lr to final_lr over the updates
            (a small final rate keeps the last policy from drifting).
        epsilon_start, epsilon_end, exploration_fraction: epsilon falls linearly from
            epsilon_start to epsilon_end over this fraction of the steps, then stays.
        target_every: updates between copies of the online network into the target network.
        clip: largest gradient norm.
        huber_delta: where the Huber loss turns from quadratic to linear.
        solved_return: stop training once the greedy policy's mean return over
            `validation_episodes` validation episodes reaches this (None: train for all the steps).
        validate_every: steps between those validations.
        validation_episodes: episodes per validation (their seeds are VALIDATION_SEED + k, apart
            from the training and evaluation seeds).
    """

    steps: int = 50_000
    envs: int = 4
    buffer_size: int = 50_000
    batch_size: int = 64
    learning_starts: int = 1_000
    train_every: int = 1
    gamma: float = 0.99
    lr: float = 1e-3
    final_lr: float = 1e-5
    epsilon_start: float = 1.0
    epsilon_end: float = 0.02
    exploration_fraction: float = 0.3
    target_every: int = 250
    clip: float = 10.0
    huber_delta: float = 1.0
    solved_return: float | None = None
    validate_every: int = 2_000
    validation_episodes: int = 10


VALIDATION_SEED = 500_000


class ReplayBuffer:
    """A ring buffer of transitions (observation, action, reward, next observation, terminated).

    Args:
        capacity: the most transitions kept.
        shape: one observation's shape.
    """

    def __init__(self, capacity: int, shape: tuple[int, ...]) -> None:
        self.capacity, self.size, self.position = capacity, 0, 0
        self.observations = np.zeros((capacity, *shape), dtype=np.float32)
        self.next_observations = np.zeros((capacity, *shape), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)

    def __len__(self) -> int:
        return self.size

    def add(self, observations, actions, rewards, next_observations, terminated) -> None:
        """Store a batch of transitions (one per environment)."""
        count = len(actions)
        slots = (self.position + np.arange(count)) % self.capacity
        self.observations[slots] = observations
        self.actions[slots] = actions
        self.rewards[slots] = rewards
        self.next_observations[slots] = next_observations
        self.terminated[slots] = terminated
        self.position = (self.position + count) % self.capacity
        self.size = min(self.size + count, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """A uniform random minibatch: (observations, actions, rewards, next observations,
        terminated)."""
        index = rng.integers(0, self.size, batch_size)
        return (
            self.observations[index],
            self.actions[index],
            self.rewards[index],
            self.next_observations[index],
            self.terminated[index],
        )


def q_values(network: Module, observations: np.ndarray) -> np.ndarray:
    """The network's action values for a batch of observations, without recording a graph."""
    with no_grad():
        return network(as_tensor(np.asarray(observations, dtype=np.float32))).array


def dqn_loss(
    online: Module, target: Module, batch: tuple[np.ndarray, ...], gamma: float, delta: float
):
    """Huber loss between Q(s, a) and r + gamma * Q_target(s', argmax_a' Q(s', a')) (zero future
    after a terminal step; a time-limit cut is not terminal, so its future still counts)."""
    observations, actions, rewards, next_observations, terminated = batch
    next_online = q_values(online, next_observations)
    next_target = q_values(target, next_observations)
    best = next_online.argmax(axis=1)
    future = next_target[np.arange(len(best)), best]
    goal = rewards + gamma * (1.0 - terminated) * future
    predicted = online(as_tensor(observations)).gather(1, as_tensor(actions[:, None]))[:, 0]
    return F.huber_loss(predicted, as_tensor(goal.astype(np.float32)), delta=delta)


def train_dqn(
    make_env: Callable[[int], object],
    network: Module,
    config: DQNConfig,
    seed: int = 0,
    progress: bool = True,
) -> dict:
    """Train `network` (observation -> one value per action) by deep Q-learning, in place.

    Args:
        make_env: builds environment number k (gymnasium's Env API, discrete actions).
        network: the online Q-network; the target network is a copy of it.
        config: the recipe.
        seed: seeds the environments, exploration and minibatches.
        progress: show a tqdm bar.

    Returns:
        a record: "episode_returns" and "episode_ends" (the step at which each training episode
        ended), "losses" (mean Huber loss per 1,000 steps), "validation" ((step, mean greedy
        return) pairs), "steps" (how many were taken), "config", "seconds".
    """
    rng = np.random.default_rng(seed)
    envs = [make_env(k) for k in range(config.envs)]
    observations = np.stack([env.reset(seed=seed * 1000 + k)[0] for k, env in enumerate(envs)])
    actions_count = envs[0].action_space.n
    buffer = ReplayBuffer(config.buffer_size, observations.shape[1:])
    target = copy.deepcopy(network)
    target.requires_grad_(False)
    optimizer = optim.Adam(network.parameters(), lr=config.lr)
    updates_total = max((config.steps - config.learning_starts) // config.train_every, 1)
    returns = np.zeros(config.envs)
    record: dict = {"episode_returns": [], "episode_ends": [], "losses": [], "validation": []}
    losses, updates, step, started = [], 0, 0, time.perf_counter()
    network.train()
    bar = tqdm(total=config.steps, desc="DQN", disable=not progress, leave=False)
    while step < config.steps:
        share = min(step / max(config.exploration_fraction * config.steps, 1), 1.0)
        epsilon = config.epsilon_start + share * (config.epsilon_end - config.epsilon_start)
        greedy = q_values(network, observations).argmax(axis=1)
        explore = rng.random(config.envs) < epsilon
        actions = np.where(explore, rng.integers(0, actions_count, config.envs), greedy)
        # next_observations holds what each step showed (the end of an episode included), while
        # observations moves on to the first screen of the next episode where one ended.
        next_observations = np.empty_like(observations)
        rewards, terminated = np.zeros(config.envs), np.zeros(config.envs)
        following = observations.copy()
        for k, env in enumerate(envs):
            seen, rewards[k], ended, cut, _ = env.step(int(actions[k]))
            next_observations[k], terminated[k] = seen, ended
            following[k] = seen
            returns[k] += rewards[k]
            if ended or cut:
                record["episode_returns"].append(float(returns[k]))
                record["episode_ends"].append(step + k + 1)
                returns[k] = 0.0
                following[k] = env.reset()[0]
        buffer.add(observations, actions, rewards, next_observations, terminated)
        observations = following
        for _ in range(config.envs // config.train_every if step >= config.learning_starts else 0):
            fraction = min(updates / updates_total, 1.0)
            for group in optimizer.param_groups:
                group["lr"] = config.lr + fraction * (config.final_lr - config.lr)
            batch = buffer.sample(config.batch_size, rng)
            loss = dqn_loss(network, target, batch, config.gamma, config.huber_delta)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(network.parameters(), config.clip)
            optimizer.step()
            losses.append(float(loss.array))
            updates += 1
            if updates % config.target_every == 0:
                target.load_state_dict(network.state_dict())
        step += config.envs
        if step % 1000 < config.envs and losses:
            record["losses"].append(float(np.mean(losses)))
            losses = []
        validating = config.solved_return is not None and step > config.learning_starts
        if validating and step % config.validate_every < config.envs:
            returns_now, _ = evaluate_greedy(
                make_env, network, config.validation_episodes, seed=VALIDATION_SEED
            )
            network.train()
            record["validation"].append((step, float(returns_now.mean())))
            if returns_now.mean() >= config.solved_return:
                break
        if progress and record["episode_returns"]:
            bar.set_postfix(
                epsilon=f"{epsilon:.2f}",
                mean_return=f"{np.mean(record['episode_returns'][-20:]):.1f}",
            )
        bar.update(config.envs)
    bar.close()
    record["steps"] = step
    record["config"] = asdict(config)
    record["seconds"] = time.perf_counter() - started
    return record


def evaluate_greedy(
    make_env: Callable[[int], object],
    network: Module,
    episodes: int = 100,
    seed: int = 10_000,
    record_frames: int = 0,
) -> tuple[np.ndarray, list[tuple[np.ndarray, int]]]:
    """Play `episodes` episodes with the greedy policy (no exploration), all side by side.

    Args:
        make_env: builds environment number k.
        network: the Q-network.
        episodes: how many episodes (each in its own environment, seeded seed + k).
        seed: the first environment seed (keep it apart from the training seeds).
        record_frames: keep the first this many (observation, action) pairs of episode 0.

    Returns:
        the return of each episode (episodes,), and the recorded frames.
    """
    envs = [make_env(k) for k in range(episodes)]
    observations = np.stack([env.reset(seed=seed + k)[0] for k, env in enumerate(envs)])
    returns = np.zeros(episodes)
    running = np.ones(episodes, dtype=bool)
    frames: list[tuple[np.ndarray, int]] = []
    network.eval()
    while running.any():
        active = np.flatnonzero(running)
        actions = q_values(network, observations[active]).argmax(axis=1)
        for k, action in zip(active, actions):
            if k == 0 and len(frames) < record_frames:
                frames.append((observations[0].copy(), int(action)))
            seen, reward, ended, cut, _ = envs[k].step(int(action))
            observations[k] = seen
            returns[k] += reward
            running[k] = not (ended or cut)
    return returns, frames
