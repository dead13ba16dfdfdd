"""The Catch game: its screen, rules and gymnasium API."""

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")

from wright.rl.catch import LEFT, RIGHT, STAY, Catch


def play(env, policy):
    screen, _ = env.reset(seed=0)
    total, steps, done = 0.0, 0, False
    while not done:
        screen, reward, done, cut, _ = env.step(policy(env))
        total += reward
        steps += 1
        assert not cut
    return total, steps, screen


def test_screen_shows_the_ball_and_the_paddle():
    env = Catch(16)
    screen, info = env.reset(seed=1)
    assert screen.shape == (1, 16, 16) and screen.dtype == np.float32 and info == {}
    assert env.observation_space.contains(screen)
    assert screen[0, 0].sum() == 1 and screen[0, -1].sum() == 3 and screen.sum() == 4


def test_following_the_ball_always_catches_and_staying_put_mostly_misses():
    def follow(env):
        centre = env.left + 1
        return RIGHT if env.ball[1] > centre else LEFT if env.ball[1] < centre else STAY

    env = Catch(16)
    caught = []
    for seed in range(30):
        env.reset(seed=seed)
        total, steps, _ = play(env, follow)
        caught.append(total)
        assert steps == 15
    assert caught == [1.0] * 30
    idle = [play(Catch(16), lambda env: STAY)[0] for _ in range(3)]
    assert set(idle) <= {-1.0, 1.0}


def test_catch_checks_its_arguments_and_registers_with_gymnasium():
    with pytest.raises(ValueError, match="between 16 and 32"):
        Catch(8)
    env = Catch(20)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(3)
    made = gymnasium.make("wright/Catch-v0", size=24)
    screen, _ = made.reset(seed=0)
    assert screen.shape == (1, 24, 24)
    assert env.render().shape == (20, 20, 3)
