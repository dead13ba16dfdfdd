"""Every picture a demo test saves is checked as it is saved: a title, no text over text, a colour
scale or key for every image, legends off the data (`wright.viz.figure_problems`)."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _pictures_tell_the_truth(monkeypatch):
    """Fail the test if any figure it saves has a problem, naming the picture."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from wright.viz import figure_problems

    found: dict[str, list[str]] = {}
    savefig = Figure.savefig

    def checked_savefig(self, fname, *args, **kwargs):
        found[Path(fname).name] = figure_problems(self)
        return savefig(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", checked_savefig)
    yield found
    problems = [f"{name}: {problem}" for name, listed in found.items() for problem in listed]
    assert not problems, "pictures with problems:\n" + "\n".join(problems)
