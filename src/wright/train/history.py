"""History: what `fit` measured each epoch, as plain lists that serialise to JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

from wright.files import atomic_write


class History:
    """Per-epoch records: `history["loss"][i]` is the mean training loss of epoch i + 1.

    Keys are the metric names (`loss`, `accuracy`, ...), their `val_` twins when validation data is
    given, `lr` and `time` (seconds per epoch).
    """

    def __init__(self, records: dict[str, list] | None = None) -> None:
        self.history: dict[str, list] = {k: list(v) for k, v in (records or {}).items()}

    def append(self, logs: dict[str, float]) -> None:
        """Record one epoch's numbers."""
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list:
        return self.history[key]

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return max((len(v) for v in self.history.values()), default=0)

    def last(self) -> dict[str, float]:
        """The latest epoch's numbers."""
        return {k: v[-1] for k, v in self.history.items() if v}

    def to_json(self) -> str:
        """The records as a JSON document."""
        return json.dumps(self.history, indent=2)

    def save(self, path: str | os.PathLike) -> None:
        """Write the records as JSON (temp file, then rename)."""
        with atomic_write(path) as handle:
            handle.write(self.to_json().encode())

    @classmethod
    def load(cls, path: str | os.PathLike) -> History:
        """Read records written by `save`."""
        return cls(json.loads(Path(path).read_text()))

    def __repr__(self) -> str:
        return f"History(epochs={len(self)}, keys={list(self.history)})"
