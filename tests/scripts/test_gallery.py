"""scripts/make_gallery.py: runs demos through the CLI and keeps one picture per demo (quick mode
here)."""

import importlib.util
import re
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_gallery.py"


@pytest.fixture(scope="module")
def gallery():
    spec = importlib.util.spec_from_file_location("make_gallery", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_main_picture_is_the_one_named_after_the_demo(gallery, tmp_path):
    for name in ("b_extra.png", "deep-vs-wide.png", "a_first.png"):
        (tmp_path / name).write_bytes(b"png")
    assert gallery.main_picture(tmp_path, "deep-vs-wide").name == "deep-vs-wide.png"
    assert gallery.main_picture(tmp_path, "other").name == "a_first.png"
    assert gallery.main_picture(tmp_path / "missing", "other") is None


def test_quick_gallery_of_one_demo(gallery, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out, log = tmp_path / "out", tmp_path / "log"
    arguments = ["--quick", "--demos", "autoencoder", "--threads", "1", "--log", str(log)]
    assert gallery.main([*arguments, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["autoencoder.png"]
    printed = capsys.readouterr().out
    assert re.search(r"autoencoder +[\d.]+ s wall, +[\d.]+ s CPU", printed)
    assert f"![autoencoder]({out / 'autoencoder.png'})" in printed
    assert "autoencoder" in (log / "autoencoder.txt").read_text()


def test_markdown_paths_are_relative_to_the_readme(gallery):
    root = gallery.DEFAULT_OUT.parent.parent
    lines = gallery.markdown({"tea": gallery.DEFAULT_OUT / "tea.png"}, root)
    assert lines == "![tea](docs/gallery/tea.png)"
