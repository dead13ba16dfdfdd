"""What the MPI job scripts share: reporting results to the test that started them, and
checking that a call raises."""

from __future__ import annotations

import json
import os
from pathlib import Path


def report(rank: int, **values) -> None:
    """Add one rank's results, as a JSON line, to its file in the folder the test named (a file
    per rank: lines that two processes print at once can interleave)."""
    folder = Path(os.environ["WRIGHT_JOB_RESULTS"])
    with open(folder / f"rank-{rank}.jsonl", "a") as results:
        results.write(json.dumps(values) + "\n")


def raised(call, *args, **kwargs) -> str:
    """The name of the exception `call` raises and its message, or 'nothing'."""
    try:
        call(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - the test compares the type by name
        return f"{type(error).__name__}: {error}"
    return "nothing"
