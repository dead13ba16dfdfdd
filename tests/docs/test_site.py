"""The documentation site builds in strict mode (a broken link, include or reference fails), with a
page for every lecture demo."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import wright.demos

ROOT = Path(__file__).resolve().parents[2]


def test_every_demo_has_a_page_and_a_gallery_picture():
    config = (ROOT / "mkdocs.yml").read_text()
    for name in wright.demos.available():
        assert (ROOT / "docs" / "demos" / f"{name}.md").is_file(), name
        assert f"demos/{name}.md" in config, name
        assert (ROOT / "docs" / "gallery" / f"{name}.png").is_file(), name


def test_the_site_builds_in_strict_mode(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    site = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    assert (site / "demos" / "tea" / "index.html").is_file()
    reference = (site / "api" / "nn" / "index.html").read_text()
    assert "Linear" in reference and "CrossEntropyLoss" in reference
    # `Example:` sections render as highlighted code and `Shape:` bodies verbatim
    # (docs/griffe_sections.py), not as Markdown that turns `>>>` into quotes and `*` into italics.
    assert '<span class="gp">&gt;&gt;&gt; </span>' in reference
    assert "<blockquote>" not in reference
    assert "input (*, in_features) -&gt; output (*, out_features)" in reference
    assert "MNIST" in (site / "accuracy" / "index.html").read_text()
    shutil.rmtree(site)
