"""`wright train shakespeare`, `wright sample` and `wright score`: training, resuming, interrupts,
errors."""

import json
import shutil

import pytest

from wright.cli import main
from wright.train import language_model as lm

PLAY = """ROMEO:
But soft, what light through yonder window breaks?
It is the east, and Juliet is the sun.

JULIET:
O Romeo, Romeo, wherefore art thou Romeo?
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data") / "tinyshakespeare"
    folder.mkdir(parents=True)
    (folder / "input.txt").write_text(PLAY * 30)
    return folder.parent


def train(data, out, *extra):
    return main(
        [
            "train",
            "shakespeare",
            "--data",
            str(data),
            "--out",
            str(out),
            "--batch-size",
            "4",
            "--eval-every",
            "2",
            *extra,
        ]
    )


@pytest.fixture(scope="module")
def trained(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert train(data, out, "--steps", "4") == 0
    return out


def test_train_writes_checkpoint_history_and_a_sample(trained, capsys):
    history = json.loads((trained / "history.json").read_text())
    assert history["step"] == [2, 4] and len(history["val_loss"]) == 2
    saved = lm.load_checkpoint(trained / "char-lstm.npz")
    assert saved["step"] == 4 and saved["config"]["hidden_size"] == 512
    assert set(saved["vocab"]) == set(PLAY)


def test_train_reports_recipe_and_validation(data, tmp_path, capsys):
    assert train(data, tmp_path / "run", "--steps", "2") == 0
    out = capsys.readouterr().out
    assert "recipe: adam lr" in out and "truncated BPTT" in out
    assert "nats/char" in out and "validation loss" in out


def test_resume_continues_from_the_checkpoint(data, trained, tmp_path, capsys):
    run = shutil.copytree(trained, tmp_path / "run")
    assert train(data, run, "--resume", "--steps", "6") == 0
    out = capsys.readouterr().out
    assert "resuming" in out and "at step 4" in out
    assert lm.load_checkpoint(run / "char-lstm.npz")["step"] == 6


def test_interrupt_keeps_the_last_checkpoint(data, tmp_path, monkeypatch, capsys):
    calls = []
    real = lm.evaluate_nats

    def interrupt_second_validation(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(lm, "evaluate_nats", interrupt_second_validation)
    out = tmp_path / "run"
    assert train(data, out, "--steps", "6") == 130
    assert "interrupted" in capsys.readouterr().err
    assert lm.load_checkpoint(out / "char-lstm.npz")["step"] == 2
    monkeypatch.setattr(lm, "evaluate_nats", real)
    assert train(data, out, "--resume", "--steps", "4") == 0
    assert lm.load_checkpoint(out / "char-lstm.npz")["step"] == 4


def test_sample_continues_the_prompt_repeatably(trained, capsys):
    checkpoint = str(trained / "char-lstm.npz")
    args = [
        "sample",
        checkpoint,
        "--prompt",
        "ROMEO:",
        "--length",
        "40",
        "--temperature",
        "0.8",
        "--seed",
        "1",
    ]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first and first.startswith("ROMEO:") and len(first) == 47


def test_score_prints_log_probability(trained, capsys):
    assert main(["score", str(trained / "char-lstm.npz"), "Romeo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("log P = -") and "nats per character over 5 characters" in out


@pytest.mark.parametrize("command", [["sample", "--prompt", "ROMEO~%"], ["score", "ROMEO~%"]])
def test_unknown_characters_are_listed(trained, capsys, command):
    name, *rest = command
    assert main([name, str(trained / "char-lstm.npz"), *rest]) == 1
    err = capsys.readouterr().err
    assert "'~', '%'" in err and "vocabulary" in err


def test_missing_data_and_checkpoints_are_clear_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("WRIGHT_DATA", raising=False)
    monkeypatch.setenv("WRIGHT_CACHE", str(tmp_path / "cache"))
    assert (
        main(["train", "shakespeare", "--data", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    )
    assert "--data" in capsys.readouterr().err
    assert main(["sample", str(tmp_path / "none.npz")]) == 1
    assert "no file" in capsys.readouterr().err
    assert (
        main(
            [
                "train",
                "shakespeare",
                "--data",
                str(tmp_path),
                "--out",
                str(tmp_path / "o"),
                "--resume",
            ]
        )
        == 1
    )
