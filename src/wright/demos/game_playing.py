"""Game playing: deep Q-learning (replay buffer, target network, epsilon-greedy exploration, Huber
loss) balances gymnasium's CartPole-v1, then learns to play Catch from the screen's pixels alone.

Measured: the mean return of 100 greedy evaluation episodes on CartPole (the environment counts
475 as solved), and the share of balls caught in 100 greedy games of Catch. Evaluation episodes use
seeds the training never saw. Needs gymnasium (`pip install 'wright[apps]'`).

Pictures: game_playing.png (learning curves and a strip of Catch frames with the chosen actions).
"""

from __future__ import annotations

import os

import numpy as np

import wright
from wright.demos._cache import trained
from wright.demos._common import picture_path
from wright.models.dqn import q_cnn, q_mlp
from wright.rl.dqn import DQNConfig, evaluate_greedy, train_dqn

NAME = "game-playing"
SUMMARY = "DQN balances CartPole-v1 from its state, then plays Catch from pixels alone"

ANCHOR_CARTPOLE = 475.0
ANCHOR_CATCH = 0.90
CATCH_SIZE = 16
EVAL_EPISODES = 100
EVAL_SEED = 10_000  # evaluation episodes are seeded apart from the training ones (seed * 1000 + k)

# Training stops early once 10 greedy validation episodes (seeds apart from the evaluation's) all
# reach 500, or, for Catch, once 19 of 20 validation balls are caught.
CARTPOLE = DQNConfig(
    steps=50_000, envs=4, learning_starts=1_000, lr=1e-3, target_every=250, solved_return=500.0
)
CATCH = DQNConfig(
    steps=30_000,
    envs=8,
    buffer_size=20_000,
    batch_size=32,
    learning_starts=1_000,
    train_every=2,
    gamma=0.95,
    lr=1e-3,
    exploration_fraction=0.4,
    target_every=200,
    solved_return=0.9,
    validation_episodes=20,
)
QUICK_STEPS = {"cartpole": 3_000, "catch": 3_000}


def cartpole(_: int = 0):
    """A CartPole-v1 environment (gymnasium's, with its 500-step time limit)."""
    import gymnasium

    return gymnasium.make("CartPole-v1")


def catch(_: int = 0):
    """A Catch game on a CATCH_SIZE x CATCH_SIZE screen."""
    from wright.rl.catch import Catch

    return Catch(CATCH_SIZE)


def _recipe(config: DQNConfig, quick: bool, game: str) -> DQNConfig:
    if not quick:
        return config
    steps = QUICK_STEPS[game]
    return DQNConfig(
        **{**vars(config), "steps": steps, "learning_starts": 500, "exploration_fraction": 0.5}
    )


def run(out_dir: str | os.PathLike | None = None, seed: int = 0, quick: bool = False) -> dict:
    """Train (or load) the two Q-networks and play them greedily on unseen episodes.

    Returns:
        cartpole_mean_return, cartpole_min_return, catch_rate, catch_mean_return, the steps and
        seconds each training took.
    """
    wright.manual_seed(seed)
    results = {}
    curves = {}
    for game, make_env, build, config in (
        ("cartpole", cartpole, lambda: q_mlp(4, 2), CARTPOLE),
        ("catch", catch, lambda: q_cnn(CATCH_SIZE, 3), CATCH),
    ):
        recipe = _recipe(config, quick, game)

        def train(network, make_env=make_env, recipe=recipe):
            return train_dqn(make_env, network, recipe, seed=seed)

        network, record, origin = trained(f"dqn-{game}-s{seed}", build, train, quick)
        returns, frames = evaluate_greedy(
            make_env, network, EVAL_EPISODES, seed=EVAL_SEED, record_frames=CATCH_SIZE
        )
        curves[game] = (np.array(record["episode_ends"]), np.array(record["episode_returns"]))
        results[f"{game}_steps"] = int(record.get("steps", recipe.steps))
        results[f"{game}_train_seconds"] = float(record["train_seconds"])
        results[f"{game}_mean_return"] = float(returns.mean())
        results[f"{game}_min_return"] = float(returns.min())
        print(f"{game}: {results[f'{game}_steps']:,} steps of DQN, {origin}")
        if game == "cartpole":
            print(
                f"  greedy play, {EVAL_EPISODES} unseen episodes: mean return {returns.mean():.1f} "
                f"(min {returns.min():.0f}; anchor: >= {ANCHOR_CARTPOLE:.0f}, the solved line)"
            )
        else:
            rate = float(np.mean(returns > 0))
            results["catch_rate"] = rate
            strip = frames
            print(
                f"  greedy play from pixels, {EVAL_EPISODES} unseen games: caught "
                f"{100 * rate:.0f}% (anchor: >= {100 * ANCHOR_CATCH:.0f}%)"
            )
    if path := picture_path(out_dir, "game_playing.png"):
        from wright.rl.catch import ACTION_NAMES
        from wright.viz.applications import game_summary

        game_summary(
            curves,
            {"cartpole": ANCHOR_CARTPOLE, "catch": 2 * ANCHOR_CATCH - 1},
            [frame[0] for frame, _ in strip],
            [ACTION_NAMES[action] for _, action in strip],
            title=f"DQN: CartPole {results['cartpole_mean_return']:.0f} mean return, Catch "
            f"{100 * results['catch_rate']:.0f}% caught (greedy, unseen episodes)",
            path=path,
        )
    return results
