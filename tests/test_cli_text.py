"""`wright train shakespeare`, `wright sample` and `wright score`: training, resuming, interrupts,
errors."""

import json
import math
import shutil
from pathlib import Path

import pytest

import wright
from wright import models
from wright.cli import main
from wright.models import text
from wright.train import ModelCheckpoint

PLAY = """ROMEO:
But soft, what light through yonder window breaks?
It is the east, and Juliet is the sun.

JULIET:
O Romeo, Romeo, wherefore art thou Romeo?
"""


@pytest.fixture(autouse=True)
def quick_plots(monkeypatch):
    """history.png as a stub: drawing it takes a second; the module's `trained` run draws a real
    one (module fixtures are made before this one applies)."""

    def stub(history, path, title=None):
        Path(path).write_bytes(b"\x89PNG stub")

    monkeypatch.setattr(wright.cli.viz, "plot_history", stub)


@pytest.fixture(scope="module", autouse=True)
def small_char_lstm():
    """The registered char-lstm with 32 hidden units instead of 512, so that tests run fast."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(models.get("char-lstm").options, "hidden_size", 32)
        yield


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data") / "tinyshakespeare"
    folder.mkdir(parents=True)
    (folder / "input.txt").write_text(PLAY * 30)
    return folder.parent


def train(data, out, *extra):
    argv = ["train", "shakespeare", "--data", data, "--out", out, "--verbose", "2"]
    return main([str(a) for a in [*argv, "--batch-size", "4", "--eval-every", "2", *extra]])


def error_line(err):
    lines = [line for line in err.splitlines() if not line.startswith(("epoch ", "note: "))]
    assert len(lines) == 1 and lines[0].startswith("wright: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def trained(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert train(data, out, "--steps", "4") == 0
    return out


def test_train_writes_checkpoint_history_plot_and_a_sample(trained):
    history = json.loads((trained / "history.json").read_text())
    assert len(history["val_loss"]) == 2 and len(history["loss"]) == 2
    assert (trained / "history.png").is_file()
    checkpoint, vocab = text.load_text_model(trained / "char-lstm.npz")
    assert checkpoint.saved["step"] == 4 and checkpoint.saved["config"]["hidden_size"] == 32
    assert set(vocab.chars) == set(PLAY) and checkpoint.saved["dataset"] == "shakespeare"


def test_train_reports_data_recipe_validation_and_files(data, tmp_path, capsys):
    assert train(data, tmp_path, "--steps", "2") == 0
    out, err = capsys.readouterr()
    assert f"data: {data / 'tinyshakespeare' / 'input.txt'}" in out
    assert "recipe: adam lr" in out and "truncated BPTT" in out
    assert "validation loss" in out and "nats/char after 2 steps" in out
    assert "epoch 1/1  step 2/2" in err and "val_loss" in err
    files = [tmp_path / name for name in ("char-lstm.npz", "history.json", "history.png")]
    assert out.splitlines()[-1] == "wrote " + ", ".join(map(str, files))


def test_resume_continues_from_the_checkpoint(data, trained, tmp_path, capsys):
    run = shutil.copytree(trained, tmp_path / "run")
    assert train(data, run, "--resume", "--steps", "6") == 0
    out = capsys.readouterr().out
    assert "resuming" in out and "at step 4" in out
    saved = wright.load(run / "char-lstm.npz")
    assert saved["step"] == 6 and len(saved["history"]["val_loss"]) == 3


def test_resume_refuses_a_changed_recipe_and_a_finished_budget(data, trained, tmp_path, capsys):
    run = shutil.copytree(trained, tmp_path / "run")
    before = (run / "char-lstm.npz").read_bytes()
    assert train(data, run, "--resume", "--steps", "6", "--lr", "1e6") == 1
    assert "--resume continues the checkpoint's recipe, which has --lr 0.003" in error_line(
        capsys.readouterr().err
    )
    assert train(data, run, "--resume", "--steps", "4") == 1
    assert "has finished 4 of 4 steps; --steps is the total" in capsys.readouterr().err
    assert (run / "char-lstm.npz").read_bytes() == before


def test_interrupt_keeps_the_last_checkpoint(data, tmp_path, monkeypatch, capsys):
    real = ModelCheckpoint.on_epoch_end

    def interrupt_after_first_save(self, epoch, logs):
        real(self, epoch, logs)
        raise KeyboardInterrupt

    monkeypatch.setattr(ModelCheckpoint, "on_epoch_end", interrupt_after_first_save)
    out = tmp_path / "run"
    assert train(data, out, "--steps", "6") == 130
    assert error_line(capsys.readouterr().err).endswith(
        f"interrupted; {out / 'char-lstm.npz'} holds the last good state, epoch 1 (step 2)"
    )
    monkeypatch.undo()
    assert train(data, out, "--resume") == 0
    assert wright.load(out / "char-lstm.npz")["step"] == 6


def test_sample_continues_the_prompt_repeatably(trained, capsys):
    checkpoint = str(trained / "char-lstm.npz")
    args = ["sample", checkpoint, "--prompt", "ROMEO:", "--length", "40", "--seed", "1"]
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
    line = error_line(capsys.readouterr().err)
    assert "'~', '%'" in line and "vocabulary" in line


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s["model"]["head.weight"].array.fill(math.nan), "NaN or infinite values"),
        (lambda s: s.update(vocab=s["vocab"][:-1]), "vocabulary mismatch"),
        (lambda s: s.update(model_name="gpt"), "names model 'gpt'"),
        (lambda s: s["config"].update(layers=2), "config keys ['layers'] do not fit"),
    ],
)
def test_tampered_checkpoints_are_one_line(trained, tmp_path, capsys, change, message):
    saved = wright.load(trained / "char-lstm.npz")
    change(saved)
    wright.save(saved, tmp_path / "bad.npz")
    for command in (
        ["sample", str(tmp_path / "bad.npz")],
        ["score", str(tmp_path / "bad.npz"), "a"],
    ):
        assert main(command) == 1
        assert message in error_line(capsys.readouterr().err)


def test_text_that_is_not_utf8(tmp_path, capsys):
    (tmp_path / "input.txt").write_bytes(PLAY.encode() + b"\xc3\x28 more")
    assert main(["train", "shakespeare", "--data", str(tmp_path), "--out", str(tmp_path)]) == 1
    line = error_line(capsys.readouterr().err)
    assert f"{tmp_path / 'input.txt'} is not UTF-8 text: byte 0xc3 at offset {len(PLAY)}" in line


def test_a_limit_too_small_for_the_streams(data, tmp_path, capsys):
    assert train(data, tmp_path, "--limit", "300", "--steps", "2") == 1
    line = error_line(capsys.readouterr().err)
    assert "--limit 300 gives 270 training characters: too few for 4 streams" in line


def test_missing_data_and_checkpoints_are_clear_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("WRIGHT_DATA", raising=False)
    monkeypatch.setenv("WRIGHT_CACHE", str(tmp_path / "cache"))
    assert main(["train", "shakespeare", "--out", str(tmp_path / "o")]) == 1
    line = error_line(capsys.readouterr().err)
    assert "tiny Shakespeare not found" in line and "--data DIR" in line and "--download" in line
    assert main(["sample", str(tmp_path / "none.npz")]) == 1
    assert "no file" in capsys.readouterr().err
    assert main(["train", "shakespeare", "--out", str(tmp_path / "o"), "--resume"]) == 1
    assert "there is no checkpoint" in error_line(capsys.readouterr().err)


def test_a_time_limited_run_goes_on_with_a_new_step_budget(data, tmp_path, capsys):
    assert train(data, tmp_path, "--time-limit", "1e-9", "--steps", "50") == 0
    assert wright.load(tmp_path / "char-lstm.npz")["step"] == 1
    assert train(data, tmp_path, "--resume") == 1
    assert "has used its 1e-09 s time limit" in error_line(capsys.readouterr().err)
    assert train(data, tmp_path, "--resume", "--steps", "3") == 0
    assert wright.load(tmp_path / "char-lstm.npz")["step"] == 3
