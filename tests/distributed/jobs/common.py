"""What the MPI job scripts share: reporting results to the test that started them, and
checking that a call raises."""

from __future__ import annotations

import json


def report(rank: int, **values) -> None:
    """Print one rank's results as a `RESULT <json>` line for the test to collect."""
    print("RESULT " + json.dumps({"rank": rank, **values}), flush=True)


def raised(call, *args, **kwargs) -> str:
    """The name of the exception `call` raises and its message, or 'nothing'."""
    try:
        call(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - the test compares the type by name
        return f"{type(error).__name__}: {error}"
    return "nothing"
