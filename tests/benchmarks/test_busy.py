"""The busy-machine benchmark: busy loops that end with the block, ratios taken within rounds."""

import os

import busy
import pytest

CHILDREN = f"/proc/{os.getpid()}/task/{os.getpid()}/children"


def _children() -> set[int]:
    with open(CHILDREN) as listing:
        return {int(pid) for pid in listing.read().split()}


@pytest.mark.skipif(not os.path.exists(CHILDREN), reason="needs Linux's /proc children lists")
def test_busy_loops_run_during_the_block_only():
    before = _children()
    with busy.busy_loops(2):
        started = _children() - before
        assert len(started) == 2
    assert not (_children() & started)


def test_row_takes_each_ratio_within_a_round():
    def run(seconds):
        return {"seconds_per_step": seconds}

    pairs = [(run(0.010), run(0.011)), (run(0.020), run(0.018)), (run(0.012), run(0.012))]
    row = busy.row_cells("lenet_train", "wright", 2, 1, pairs)
    assert row[:4] == ["lenet_train", "wright", "2", "1"]
    assert row[4:6] == ["12.00", "12.00"]
    assert row[6] == "1.00 (0.90-1.10)"
    assert row[7] == "3"


def test_one_round_pairs_one_and_n_threads():
    pairs = busy.busy_rounds("mlp_lecture", "wright", 2, 1, steps=5, log=lambda text: None)
    ((one, two),) = pairs
    assert (one["threads"], two["threads"]) == (1, 2)


def test_fewer_than_two_threads_is_refused(capsys):
    with pytest.raises(SystemExit):
        busy.main(["mlp_lecture", "--threads", "1"])
    assert "--threads: expected at least 2" in capsys.readouterr().err
