"""The game-playing demo: DQN on CartPole and on Catch from pixels."""

import pytest

pytest.importorskip("gymnasium")

from wright.demos import game_playing


def test_game_playing_demo_runs_quickly(tmp_path):
    results = game_playing.run(tmp_path, seed=0, quick=True)
    assert results["cartpole_steps"] == 3000 and results["catch_steps"] == 3000
    assert results["cartpole_mean_return"] >= 9  # a falling pole lasts at least 8 steps
    assert 0.0 <= results["catch_rate"] <= 1.0
    if game_playing.picture_path(tmp_path, "x.png"):
        assert (tmp_path / "game_playing.png").exists()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_full_demo_solves_cartpole_and_catches(seed):
    results = game_playing.run(None, seed=seed)
    assert results["cartpole_mean_return"] >= 475 and results["catch_rate"] >= 0.9
