"""Every docstring example in wright runs as a doctest, with the usual imports at hand (`wright`,
`nn`, `optim`, `np`) and nothing else: examples must build what they use."""

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import wright


def modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(wright.__path__, "wright."):
        if info.name.endswith("__main__"):
            continue  # importing it runs the command line
        module = importlib.import_module(info.name)
        if any(
            t.examples for t in doctest.DocTestFinder().find(module) if t.name.startswith(info.name)
        ):
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", modules_with_examples())
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    namespace = {"wright": wright, "nn": wright.nn, "optim": wright.optim, "np": np}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module, globs={**vars(module), **namespace}):
        if test.name.startswith(name) and test.examples:
            runner.run(test)
    assert runner.failures == 0, f"{runner.failures} failing example(s) in {name} (see output)"
