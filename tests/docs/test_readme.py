"""The README's Python snippets run: the interactive ones as doctests, the others as scripts (with
MNIST cut to a few thousand images so the training example stays quick)."""

import doctest
import re
from pathlib import Path

import pytest

from wright import datasets

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


@pytest.fixture
def small_mnist(monkeypatch):
    """MNIST as the README uses it, but 2,000 images per split."""
    original = datasets.MNIST.__init__

    def limited(self, *args, limit=None, **kwargs):
        original(self, *args, limit=min(limit or 2000, 2000), **kwargs)

    monkeypatch.setattr(datasets.MNIST, "__init__", limited)


def test_the_readme_has_snippets():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_snippet_runs(index, small_mnist, capsys):
    code = BLOCKS[index]
    if code.lstrip().startswith(">>>"):
        parser, runner = doctest.DocTestParser(), doctest.DocTestRunner()
        test = parser.get_doctest(code, {}, f"README block {index}", None, 0)
        runner.run(test)
        assert runner.failures == 0, capsys.readouterr().out
    else:
        exec(compile(code, f"README block {index}", "exec"), {"__name__": "readme"})  # noqa: S102
