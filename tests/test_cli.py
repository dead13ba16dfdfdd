"""The `wright` command line: training, resuming, evaluation, info, demos and the errors users see."""

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import wright
from wright import models
from wright.cli import main
from wright.train import ModelCheckpoint, RunLock


@pytest.fixture(autouse=True)
def quick_plots(monkeypatch):
    """history.png as a stub: drawing it takes a second; the module's `trained` run draws a real
    one (module fixtures are made before this one applies)."""

    def stub(history, path, title=None):
        Path(path).write_bytes(b"\x89PNG stub")

    monkeypatch.setattr(wright.cli.viz, "plot_history", stub)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code = main(
        ["train", "mnist", "--limit", "600", "--epochs", "2", "--out", str(out), "--verbose", "2"]
    )
    assert code == 0
    return out


def run(capsys, *argv):
    """main(argv): (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(err: str) -> str:
    """The command's error: one line starting 'wright: error:', besides progress lines and notes
    (no traceback, no warnings)."""
    lines = [line for line in err.splitlines() if not line.startswith(("epoch ", "note: "))]
    assert len(lines) == 1 and lines[0].startswith("wright: error: "), err
    return lines[0]


def test_train_writes_checkpoint_history_and_plot(trained):
    history = json.loads((trained / "history.json").read_text())
    assert len(history["val_accuracy"]) == 2
    assert (trained / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = wright.load(trained / "model.npz")
    assert saved["model_name"] == "mlp-lecture" and saved["dataset"] == "mnist"
    assert saved["epoch"] == 2 and saved["recipe"]["batch_size"] == 10
    assert not (trained / ".wright.lock").exists()


def test_train_reports_validation_then_test_and_names_every_file(tmp_path, capsys):
    code, out, err = run(
        capsys,
        "train",
        "mnist",
        "--limit",
        "300",
        "--epochs",
        "1",
        "--out",
        tmp_path,
        "--model",
        "mlp",
        "--optimizer",
        "sgd",
        "--lr",
        "0.1",
        "--batch-size",
        "50",
    )
    assert code == 0
    assert "(275 train / 25 validation / 300 test images)" in out
    assert f"data: {Path(os.environ['WRIGHT_DATA']) / 'mnist'}" in out
    assert "sgd lr 0.1 (cosine schedule), batch 50" in out
    assert "test accuracy:" in out and "measured once, after training" in out
    assert "epoch 1/1" in err and "val_accuracy" in err
    files = [tmp_path / name for name in ("model.npz", "history.json", "history.png")]
    assert out.splitlines()[-1] == "wrote " + ", ".join(map(str, files))
    assert all(path.is_file() for path in files)


def interrupt_after_epoch(monkeypatch, epoch):
    """Make training stop with Ctrl-C right after `epoch`'s checkpoint is saved."""
    real = ModelCheckpoint.on_epoch_end

    def save_then_interrupt(self, number, logs):
        real(self, number, logs)
        if number == epoch:
            raise KeyboardInterrupt

    monkeypatch.setattr(ModelCheckpoint, "on_epoch_end", save_then_interrupt)


def test_resume_after_an_interrupt_ends_exactly_like_an_uninterrupted_run(
    tmp_path, monkeypatch, capsys
):
    argv = ["train", "mnist", "--model", "mlp", "--limit", "720", "--epochs", "3", "--verbose", "0"]
    assert run(capsys, *argv, "--out", tmp_path / "whole")[0] == 0
    interrupt_after_epoch(monkeypatch, 1)
    code, _, err = run(capsys, *argv, "--out", tmp_path / "cut")
    assert code == 130
    assert one_error_line(err).endswith(
        f"interrupted; {tmp_path / 'cut' / 'model.npz'} holds the last good state, epoch 1 (step 6)"
    )
    monkeypatch.undo()
    code, out, _ = run(capsys, "train", "mnist", "--out", tmp_path / "cut", "--resume")
    assert code == 0 and "resuming" in out and "after epoch 1 of 3" in out
    whole, cut = (wright.load(tmp_path / name / "model.npz") for name in ("whole", "cut"))
    assert cut["epoch"] == 3 and cut["history"]["val_loss"] == whole["history"]["val_loss"]
    for name, value in whole["model"].items():
        np.testing.assert_array_equal(value.array, cut["model"][name].array)
    assert whole["optimizer"]["state"][0]["step"] == cut["optimizer"]["state"][0]["step"]


def test_resume_refuses_another_recipe_and_a_finished_run(trained, tmp_path, capsys):
    out = shutil.copytree(trained, tmp_path / "run")
    before = (out / "model.npz").read_bytes()
    code, _, err = run(capsys, "train", "mnist", "--out", out, "--resume", "--lr", "0.5")
    assert code == 1
    assert "--resume continues the checkpoint's recipe, which has --lr 3.0" in one_error_line(err)
    code, _, err = run(capsys, "train", "mnist", "--out", out, "--resume", "--epochs", "2")
    assert code == 1 and "has finished 2 of 2 epochs; --epochs is the total" in err
    code, _, err = run(capsys, "train", "fashion-mnist", "--out", out, "--resume")
    assert code == 1 and "was trained on mnist, not fashion-mnist" in err
    code, _, err = run(capsys, "train", "mnist", "--out", tmp_path / "empty", "--resume")
    assert code == 1 and "there is no checkpoint" in one_error_line(err)
    assert (out / "model.npz").read_bytes() == before


def test_a_fresh_run_says_it_replaces_an_earlier_checkpoint(trained, tmp_path, capsys):
    out = shutil.copytree(trained, tmp_path / "run")
    argv = ["train", "mnist", "--limit", "120", "--epochs", "1", "--verbose", "0", "--out", out]
    code, _, err = run(capsys, *argv)
    assert code == 0 and "starting afresh" in err and "--resume continues it" in err


def test_a_folder_in_use_is_refused_at_once(tmp_path, capsys):
    with RunLock(tmp_path):
        code, out, err = run(capsys, "train", "mnist", "--out", tmp_path)
    assert code == 1 and out == ""
    assert f"is in use by process {os.getpid()}" in one_error_line(err)


def test_diverging_training_is_one_line_naming_the_kept_checkpoint(tmp_path, capsys):
    argv = ["train", "mnist", "--model", "mlp", "--limit", "240", "--verbose", "0"]
    argv += ["--optimizer", "sgd", "--lr", "1e30", "--epochs", "3", "--out", tmp_path]
    code, _, err = run(capsys, *argv)
    line = one_error_line(err)
    assert code == 1 and "training diverged: the loss became" in line
    assert "try a lower --lr" in line


def test_a_full_disk_is_one_line(tmp_path, monkeypatch, capsys):
    def no_space(obj, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("wright.train.callbacks.save", no_space)
    argv = ["train", "mnist", "--limit", "120", "--epochs", "1", "--verbose", "0"]
    code, _, err = run(capsys, *argv, "--out", tmp_path)
    line = one_error_line(err)
    assert code == 1 and "no space left on device" in line and "model.npz" in line
    assert "no checkpoint was written yet" in line


def test_evaluate_checkpoint(trained, capsys):
    code, out, _ = run(capsys, "evaluate", trained / "model.npz", "--limit", "200")
    assert code == 0 and "mlp-lecture on mnist test (200 images" in out and "accuracy" in out


def test_evaluate_on_another_dataset_only_when_asked(trained, tmp_path, capsys):
    if not (Path(os.environ["WRIGHT_DATA"]) / "fashion-mnist").is_dir():
        pytest.skip("Fashion-MNIST not found under $WRIGHT_DATA")
    argv = ["evaluate", trained / "model.npz", "--limit", "100", "--dataset", "fashion-mnist"]
    code, out, err = run(capsys, *argv)
    assert code == 0 and "on fashion-mnist test" in out
    assert "warning: " in err and "was trained on mnist" in err
    saved = wright.load(trained / "model.npz")
    del saved["dataset"]
    wright.save(saved, tmp_path / "nameless.npz")
    code, _, err = run(capsys, "evaluate", tmp_path / "nameless.npz")
    assert code == 1 and "does not say which dataset" in one_error_line(err)


def test_evaluate_rejects_foreign_tampered_and_missing_files(trained, tmp_path, capsys):
    foreign = tmp_path / "x.npz"
    foreign.write_bytes(b"not a zip file at all")
    assert run(capsys, "evaluate", foreign)[0] == 1
    assert run(capsys, "evaluate", tmp_path / "missing.npz")[0] == 1
    saved = wright.load(trained / "model.npz")
    wright.save({**saved, "model_name": "resnet"}, tmp_path / "renamed.npz")
    code, _, err = run(capsys, "evaluate", tmp_path / "renamed.npz")
    assert code == 1 and "names model 'resnet'" in one_error_line(err)
    wright.save({**saved, "config": {"width": 3}}, tmp_path / "config.npz")
    code, _, err = run(capsys, "evaluate", tmp_path / "config.npz")
    assert code == 1 and "config keys ['width'] do not fit" in one_error_line(err)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "cifar"], "invalid choice: 'cifar'"),
        (["train", "mnist", "--epochs", "0"], "argument --epochs: expected a number >= 1"),
        (["train", "mnist", "--lr", "fast"], "argument --lr: expected a number"),
        (["train", "mnist", "--lr", "nan"], "argument --lr: expected a number > 0"),
        (["train", "mnist", "--batch-size", "-3"], "argument --batch-size: expected a number >= 1"),
        (["train", "mnist", "--seed", "-1"], "argument --seed: expected a number >= 0"),
        (["train", "mnist", "--momentum", "-0.5"], "argument --momentum: expected a number >= 0"),
        (["train", "mnist", "--optimizer", "newton"], "invalid choice: 'newton'"),
        (["train", "mnist", "--steps", "3"], "unrecognized arguments: --steps 3"),
        (["train", "mnist", "--data", "/no/such/folder"], "argument --data: no such file or"),
        (["train", "shakespeare", "--steps", "3", "--epochs", "2"], "not allowed with argument"),
        (["sample", "x.npz", "--seed", "-1"], "argument --seed: expected a number >= 0"),
        (["evaluate", "x.npz", "--limit", "0"], "argument --limit: expected a number >= 1"),
    ],
)
def test_bad_arguments_are_rejected_by_argparse(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_momentum_for_adam_is_an_error(tmp_path, capsys):
    argv = ["train", "mnist", "--model", "mlp", "--momentum", "0.9", "--limit", "120"]
    code, _, err = run(capsys, *argv, "--out", tmp_path, "--verbose", "0")
    assert code == 1 and "momentum applies to sgd and rmsprop, not adam" in one_error_line(err)


def test_a_limit_too_small_for_the_batch(tmp_path, capsys):
    argv = ["train", "mnist", "--limit", "24", "--batch-size", "64", "--out", tmp_path]
    code, _, err = run(capsys, *argv)
    line = one_error_line(err)
    assert code == 1 and "--limit 24 leaves 22 training images, fewer than one batch of 64" in line
    code, _, err = run(capsys, "train", "mnist", "--limit", "5", "--out", tmp_path)
    assert code == 1 and "too few training images" in one_error_line(err)


def test_missing_data_gives_cli_advice(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("WRIGHT_DATA", raising=False)
    monkeypatch.setenv("WRIGHT_CACHE", str(tmp_path / "cache"))
    code, _, err = run(capsys, "train", "fashion-mnist", "--out", tmp_path / "o")
    line = one_error_line(err)
    assert code == 1 and "FashionMNIST not found" in line
    assert "--data DIR" in line and "--download" in line
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "train", "mnist", "--data", tmp_path / "empty", "--out", tmp_path)
    assert code == 1 and f"looked in {tmp_path / 'empty'}" in one_error_line(err)


def test_download_flag_reaches_the_dataset(tmp_path, monkeypatch, capsys):
    asked = []

    class Recorder:
        def __init__(self, split, root, download, limit):
            asked.append(download)
            raise ValueError("stop here")

    monkeypatch.setitem(wright.cli.IMAGE_DATASETS, "fashion-mnist", Recorder)
    code, _, err = run(capsys, "train", "fashion-mnist", "--download", "--out", tmp_path)
    assert code == 1 and asked == [True] and "stop here" in one_error_line(err)


def test_unknown_model_lists_valid_ones(tmp_path, capsys):
    code, _, err = run(capsys, "train", "mnist", "--model", "resnet", "--out", tmp_path)
    assert code == 1 and "unknown model 'resnet'" in err and "mlp-lecture" in err


def test_unwritable_out_fails_before_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "train", "mnist", "--out", blocker / "sub")
    assert code == 1 and "cannot write to output folder" in one_error_line(err)


def test_info(capsys):
    code, out, _ = run(capsys, "info")
    assert code == 0 and "numpy" in out and "blas" in out


def test_demo_list_and_unknown_demo(capsys, tmp_path):
    code, listing, _ = run(capsys, "demo", "--list")
    assert code == 0
    code, _, err = run(capsys, "demo", "no-such-demo", "--out", tmp_path)
    assert code == 1 and "unknown demo 'no-such-demo'" in one_error_line(err)
    for name in wright.demos.available():
        assert name in listing and name in err


def test_console_entry_point_runs_as_module():
    result = subprocess.run(
        [sys.executable, "-m", "wright", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("wright ")


def test_threads_option_limits_blas(capsys):
    code, out, _ = run(capsys, "--threads", "1", "info")
    assert code == 0 and "1 threads" in out


def test_train_fashion_mnist_cnn_from_wright_data(tmp_path, capsys):
    data = os.environ.get("WRIGHT_DATA")
    if not data or not (Path(data) / "fashion-mnist").is_dir():
        pytest.skip("Fashion-MNIST not found under $WRIGHT_DATA")
    argv = ["train", "fashion-mnist", "--model", "cnn", "--limit", "200", "--epochs", "1"]
    code, out, _ = run(capsys, *argv, "--out", tmp_path, "--verbose", "0")
    assert code == 0 and "training cnn on fashion-mnist" in out and "test accuracy:" in out
    assert wright.load(tmp_path / "model.npz")["dataset"] == "fashion-mnist"


def test_image_command_rejects_a_text_model(tmp_path, capsys):
    code, _, err = run(capsys, "train", "mnist", "--model", "char-lstm", "--out", tmp_path)
    assert code == 1 and "not an image model" in one_error_line(err)


def test_sigint_in_a_real_process_names_the_checkpoint(tmp_path):
    """Ctrl-C in a running `wright train` (a signal, not a patched function)."""
    argv = ["-m", "wright", "train", "mnist", "--limit", "3000", "--epochs", "100"]
    process = subprocess.Popen(
        [sys.executable, *argv, "--out", str(tmp_path), "--verbose", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stderr:
            if line.startswith("epoch 2/100"):  # epoch 1's checkpoint is written by now
                break
        process.send_signal(2)  # SIGINT, as Ctrl-C sends
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"wright: error: interrupted; {tmp_path / 'model.npz'} holds")
    assert models.load_checkpoint(tmp_path / "model.npz").saved["epoch"] >= 1


@pytest.mark.parametrize(
    "tamper, message",
    [
        (lambda saved: saved.pop("rng"), "lacks rng, so it cannot be continued"),
        (
            lambda saved: saved["recipe"].update(batch_size="ten"),
            "damaged recipe: batch_size='ten'",
        ),
        (lambda saved: saved["recipe"].update(lr=-1.0), "damaged recipe: lr=-1.0"),
        (lambda saved: saved["model"]["1.weight"].array.fill(np.nan), "NaN or infinite values"),
    ],
)
def test_a_tampered_checkpoint_is_not_resumed(trained, tmp_path, capsys, tamper, message):
    saved = wright.load(trained / "model.npz")
    tamper(saved)
    wright.save(saved, tmp_path / "model.npz")
    code, _, err = run(capsys, "train", "mnist", "--out", tmp_path, "--resume", "--epochs", "3")
    assert code == 1 and message in one_error_line(err)
