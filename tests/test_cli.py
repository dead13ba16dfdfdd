"""The `wright` command line: training, evaluation, info, demos and the errors users see."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import wright
from wright.cli import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code = main(
        ["train", "mnist", "--limit", "600", "--epochs", "2", "--out", str(out), "--verbose", "2"]
    )
    assert code == 0
    return out


def test_train_writes_checkpoint_history_and_plot(trained, capsys):
    history = json.loads((trained / "history.json").read_text())
    assert len(history["val_accuracy"]) == 2
    assert (trained / "model.npz").is_file()
    if wright.viz.matplotlib_available():
        assert (trained / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = wright.load(trained / "model.npz")
    assert saved["model_name"] == "mlp-lecture" and saved["dataset"] == "mnist"


def test_train_prints_progress_and_final_accuracy(tmp_path, capsys):
    assert (
        main(
            [
                "train",
                "mnist",
                "--limit",
                "300",
                "--epochs",
                "1",
                "--out",
                str(tmp_path),
                "--model",
                "mlp",
                "--optimizer",
                "sgd",
                "--lr",
                "0.1",
                "--batch-size",
                "50",
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    assert "test accuracy:" in out.out
    assert "epoch 1/1" in out.err
    assert "sgd lr 0.1 (cosine schedule), batch 50" in out.out


def test_evaluate_checkpoint(trained, capsys):
    assert main(["evaluate", str(trained / "model.npz"), "--limit", "200"]) == 0
    assert "accuracy" in capsys.readouterr().out


def test_evaluate_rejects_foreign_and_missing_files(tmp_path, capsys):
    foreign = tmp_path / "x.npz"
    foreign.write_bytes(b"not a zip file at all")
    assert main(["evaluate", str(foreign)]) == 1
    assert main(["evaluate", str(tmp_path / "missing.npz")]) == 1
    err = capsys.readouterr().err
    assert "not a wright file" in err and "no file" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "cifar"], "invalid choice: 'cifar'"),
        (["train", "mnist", "--epochs", "0"], "expected a number >= 1"),
        (["train", "mnist", "--lr", "fast"], "expected a number"),
        (["train", "mnist", "--batch-size", "-3"], "expected a number >= 1"),
        (["train", "mnist", "--optimizer", "newton"], "invalid choice: 'newton'"),
    ],
)
def test_bad_arguments_are_rejected_by_argparse(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_unknown_model_lists_valid_ones(tmp_path, capsys):
    assert main(["train", "mnist", "--model", "resnet", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "unknown model 'resnet'" in err and "mlp-lecture" in err


def test_unwritable_out_fails_before_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["train", "mnist", "--out", str(blocker / "sub")]) == 1
    assert "cannot write to output folder" in capsys.readouterr().err


def test_info(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "numpy" in out and "blas" in out


def test_demo_list_and_unknown_demo(capsys, tmp_path):
    assert main(["demo", "--list"]) == 0
    listing = capsys.readouterr().out
    assert main(["demo", "no-such-demo", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "unknown demo 'no-such-demo'" in err
    for name in wright.demos.available():
        assert name in listing and name in err


def test_console_entry_point_runs_as_module():
    result = subprocess.run(
        [sys.executable, "-m", "wright", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("wright ")


def test_threads_option_limits_blas(capsys):
    assert main(["--threads", "1", "info"]) == 0
    assert "1 threads" in capsys.readouterr().out


def test_train_fashion_mnist_cnn_from_wright_data(tmp_path, capsys):
    data = os.environ.get("WRIGHT_DATA")
    if not data or not (Path(data) / "fashion-mnist").is_dir():
        pytest.skip("Fashion-MNIST not found under $WRIGHT_DATA")
    argv = ["train", "fashion-mnist", "--model", "cnn", "--limit", "200", "--epochs", "1"]
    assert main([*argv, "--out", str(tmp_path), "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "training cnn on fashion-mnist" in out and "test accuracy:" in out
    assert wright.load(tmp_path / "model.npz")["dataset"] == "fashion-mnist"


def test_image_command_rejects_a_text_model(tmp_path, capsys):
    assert main(["train", "mnist", "--model", "char-lstm", "--out", str(tmp_path)]) == 1
    assert "not an image model" in capsys.readouterr().err
