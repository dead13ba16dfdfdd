"""Character-level text: a vocabulary of indexed characters, and the tiny Shakespeare corpus."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from wright.datasets.download import GIVEN_FOLDER, DatasetNotFoundError, cache_dir, fetch

SHAKESPEARE_FOLDER = "tinyshakespeare"
SHAKESPEARE_FILE = "input.txt"
SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
SHAKESPEARE_SIZE = 1_115_394
SHAKESPEARE_MIRRORS = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/",
)


class CharVocab:
    """The characters of a text, each given an index (in sorted order), for one-hot or embeddings.

    Example:
        >>> vocab = CharVocab.from_text("hello")
        >>> vocab.chars, vocab.encode("hole").tolist(), vocab.decode([2, 0])
        ('ehlo', [1, 3, 2, 0], 'le')
    """

    def __init__(self, chars: str) -> None:
        if len(set(chars)) != len(chars):
            raise ValueError(f"CharVocab: characters must be distinct, got {chars!r}")
        self.chars = chars
        self._index = {c: i for i, c in enumerate(chars)}
        # A lookup table from code point to index (-1 for characters outside the vocabulary).
        self._table = np.full(max(map(ord, chars), default=0) + 1, -1, dtype=np.int64)
        self._table[[ord(c) for c in chars]] = np.arange(len(chars))

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """The vocabulary of every distinct character in `text`, sorted."""
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, char: str) -> bool:
        return char in self._index

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of `text` outside the vocabulary, in order of appearance."""
        return [c for c in dict.fromkeys(text) if c not in self._index]

    def encode(self, text: str) -> np.ndarray:
        """Indices (int64) of `text`'s characters; unknown ones raise a ValueError naming them."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        inside = codes < len(self._table)
        indices = np.full(len(codes), -1, dtype=np.int64)
        indices[inside] = self._table[codes[inside]]
        if (indices < 0).any():
            missing = ", ".join(repr(c) for c in self.unknown(text))
            raise ValueError(
                f"text has characters outside the model's {len(self)}-character vocabulary: "
                f"{missing}"
            )
        return indices

    def decode(self, indices) -> str:
        """The text spelled by a sequence of indices."""
        return "".join(self.chars[i] for i in np.asarray(indices).ravel())

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters: {self.chars!r})"


def _shakespeare_places(root) -> list[tuple[Path, str]]:
    if root is not None:
        root = Path(root).expanduser()
        return [
            (root, GIVEN_FOLDER),
            (root / SHAKESPEARE_FILE, GIVEN_FOLDER),
            (root / SHAKESPEARE_FOLDER / SHAKESPEARE_FILE, GIVEN_FOLDER),
        ]
    places = []
    if os.environ.get("WRIGHT_DATA"):
        data = Path(os.environ["WRIGHT_DATA"]).expanduser()
        places.append((data / SHAKESPEARE_FOLDER / SHAKESPEARE_FILE, "$WRIGHT_DATA"))
    places.append((cache_dir() / SHAKESPEARE_FOLDER / SHAKESPEARE_FILE, "download cache"))
    return places


def find_tiny_shakespeare(root: str | os.PathLike | None = None, download: bool = False) -> Path:
    """The path of tiny Shakespeare's input.txt.

    With `root` (the file itself, or a folder holding input.txt or tinyshakespeare/input.txt) the
    file must be there; without it, it is looked up in `$WRIGHT_DATA/tinyshakespeare/input.txt`,
    then the download cache. With `download=True` a missing file is fetched from karpathy/char-rnn
    into `root/tinyshakespeare/` or the cache and checked against its SHA-256.

    Raises:
        DatasetNotFoundError: not found (and not downloaded); the message says where it looked.
    """
    places = _shakespeare_places(root)
    for path, _ in places:
        if path.is_file():
            return path
    if download:
        base = cache_dir() if root is None else Path(root).expanduser()
        return fetch(
            SHAKESPEARE_FILE,
            SHAKESPEARE_MIRRORS,
            SHAKESPEARE_SHA256,
            base / SHAKESPEARE_FOLDER,
            size=SHAKESPEARE_SIZE,
        )
    raise DatasetNotFoundError(
        "tiny Shakespeare",
        SHAKESPEARE_FILE,
        places,
        "pass --data FOLDER (holding input.txt or tinyshakespeare/input.txt), set WRIGHT_DATA to a "
        "folder with tinyshakespeare/input.txt, or download it (download=True, or --download) from "
        f"{SHAKESPEARE_MIRRORS[0]}{SHAKESPEARE_FILE}",
    )


def read_text(path: str | os.PathLike) -> str:
    """A UTF-8 text file's contents; other bytes raise ValueError naming the file and the offset
    of the first byte that is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} is not UTF-8 text: byte 0x{data[error.start]:02x} at offset {error.start} "
            f"({error.reason}); convert it to UTF-8 first"
        ) from None


def load_tiny_shakespeare(root: str | os.PathLike | None = None, download: bool = False) -> str:
    """The tiny Shakespeare corpus (1,115,394 characters, 65 distinct) as one string, from where
    `find_tiny_shakespeare` finds (or downloads) it."""
    return read_text(find_tiny_shakespeare(root, download))


def split_tokens(tokens: np.ndarray, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The first (1 - val_fraction) of a token stream for training, the rest for validation."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"split_tokens: val_fraction must be in (0, 1), got {val_fraction}")
    cut = int(len(tokens) * (1.0 - val_fraction))
    return tokens[:cut], tokens[cut:]
