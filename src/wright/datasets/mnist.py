"""MNIST and Fashion-MNIST: 28x28 grey images of digits or clothes, labels 0-9, read from IDX files.

Images stay in memory as uint8 (the 60,000 training images take 47 MB); a batch is converted to
float32 in [0, 1] only when it is fetched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

from wright.data.dataset import Dataset
from wright.datasets import idx
from wright.datasets.download import (
    GIVEN_FOLDER,
    DatasetNotFoundError,
    cache_dir,
    fetch,
    resolve_mirrors,
)

_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_SIDE = 28


class MNIST(Dataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28, labels 0-9.

    A sample is `(image, label)`: image float32 (1, 28, 28) scaled to [0, 1], label int64. Batches
    fetched through `__getitems__` (what `DataLoader` uses) are converted in one vectorised step.

    With `root`, the files must be in that folder (the four .gz files, or its `mnist/` subfolder):
    a folder named on purpose is never silently replaced by another copy. Without it they are
    looked up, in order, in: `$WRIGHT_DATA/mnist/`; the copy shipped inside wright (MNIST only);
    the download cache (`$WRIGHT_CACHE/mnist/` or `~/.cache/wright/mnist/`). Last, with
    `download=True`, they are fetched from the public mirrors, SHA-256 verified, into `root/mnist/`
    or the cache. The folder used is `images_path.parent`.

    Args:
        split: "train" or "test".
        root: the folder holding the files (or a `mnist/` subfolder with them).
        download: fetch missing files (`mirrors` or `$WRIGHT_MIRROR` replace the public mirrors).
        transform: applied to each batch of float32 images (B, 1, 28, 28), e.g. a normalisation;
            it must keep the first dimension.
        limit: keep only the first `limit` samples (quick experiments, tests).
        mirrors: base URLs to download from instead of the public mirrors.

    Attributes:
        images: uint8 array (N, 28, 28), 0 = background, 255 = full ink.
        targets: int64 array (N,) of class indices.
        classes: the class names, indexed by label.

    Example:
        >>> train = MNIST("train")
        >>> loader = wright.data.DataLoader(train, batch_size=64, shuffle=True)
        >>> images, labels = next(iter(loader))
        >>> images.shape, images.dtype, labels.dtype
        (wright.Size([64, 1, 28, 28]), wright.float32, wright.int64)
    """

    folder: ClassVar[str] = "mnist"
    classes: ClassVar[list[str]] = [str(digit) for digit in range(10)]
    default_mirrors: ClassVar[tuple[str, ...]] = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    )
    # file name -> (sha256 of the .gz file, its size in bytes)
    checksums: ClassVar[dict[str, tuple[str, int]]] = {
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            9_912_422,
        ),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            28_881,
        ),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            1_648_877,
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            4_542,
        ),
    }
    shipped: ClassVar[Path | None] = Path(__file__).parent / "files"

    def __init__(
        self,
        split: str = "train",
        root: str | os.PathLike | None = None,
        download: bool = False,
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
        limit: int | None = None,
        *,
        mirrors: Sequence[str] | None = None,
    ) -> None:
        name = type(self).__name__
        if split not in _SPLIT_FILES:
            raise ValueError(f"{name}: split must be 'train' or 'test', got {split!r}")
        if limit is not None and (not isinstance(limit, int | np.integer) or limit < 0):
            raise ValueError(f"{name}: limit must be a non-negative int or None, got {limit!r}")
        self.split = split
        self.transform = transform
        folder = self._locate(root, download, mirrors)
        images_name, labels_name = _SPLIT_FILES[split]
        self.images_path, self.labels_path = folder / images_name, folder / labels_name
        images = idx.read_images(self.images_path)
        labels = idx.read_labels(self.labels_path)
        self._check(images, labels)
        if limit is not None and limit < len(labels):
            # Copy the kept part so the rest of the decompressed file can be freed.
            images, labels = images[:limit].copy(), labels[:limit]
        self.images = images
        self.targets = labels.astype(np.int64)

    def _places(self, root) -> list[tuple[Path, str]]:
        if root is not None:
            root = Path(root).expanduser()
            return [(root, GIVEN_FOLDER), (root / self.folder, GIVEN_FOLDER)]
        places = []
        if os.environ.get("WRIGHT_DATA"):
            data = Path(os.environ["WRIGHT_DATA"]).expanduser()
            places.append((data / self.folder, "$WRIGHT_DATA"))
        if self.shipped is not None:
            places.append((self.shipped, "shipped with wright"))
        places.append((cache_dir() / self.folder, "download cache"))
        return places

    def _locate(self, root, download: bool, mirrors: Sequence[str] | None) -> Path:
        names = _SPLIT_FILES[self.split]
        places = self._places(root)
        for folder, _ in places:
            if all((folder / name).is_file() for name in names):
                return folder
        urls = resolve_mirrors(self.folder, self.default_mirrors, mirrors)
        if download:
            base = cache_dir() if root is None else Path(root).expanduser()
            target = base / self.folder
            for name in names:
                sha256, size = self.checksums[name]
                fetch(name, urls, sha256, target, size=size)
            return target
        raise DatasetNotFoundError(
            type(self).__name__,
            " and ".join(names),
            places,
            f"pass root=FOLDER (holding the files, or a {self.folder}/ subfolder), set "
            f"WRIGHT_DATA to a folder with a {self.folder}/ subfolder, or pass download=True to "
            f"fetch them from {', '.join(urls)}",
        )

    def _check(self, images: np.ndarray, labels: np.ndarray) -> None:
        name = type(self).__name__
        if images.ndim != 3 or images.shape[1:] != (_SIDE, _SIDE):
            raise ValueError(
                f"{name}: {self.images_path} holds images of shape {images.shape}, "
                f"expected (N, {_SIDE}, {_SIDE})"
            )
        if len(images) != len(labels):
            raise ValueError(
                f"{name}: {self.images_path} has {len(images)} images but {self.labels_path} has "
                f"{len(labels)} labels; expected the same count"
            )
        if len(labels) and labels.max() >= len(self.classes):
            raise ValueError(
                f"{name}: {self.labels_path} has label {labels.max()}, "
                f"expected 0..{len(self.classes) - 1}"
            )

    def _batch(self, index) -> tuple[np.ndarray, np.ndarray]:
        # uint8 -> float32 in [0, 1] and the channel axis, in one pass over just this batch.
        images = np.divide(self.images[index], np.float32(255), dtype=np.float32)[:, None]
        if self.transform is not None:
            images = self.transform(images)
        return images, self.targets[index]

    def __getitems__(self, indices) -> tuple[np.ndarray, np.ndarray]:
        """A batch: images float32 (B, 1, 28, 28) in [0, 1], then `transform`; labels int64 (B,)."""
        # The loader passes a list; NumPy gathers rows faster with an index array.
        return self._batch(np.asarray(indices))

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.int64]:
        images, labels = self._batch(np.array([index]))
        return images[0], labels[0]

    def __len__(self) -> int:
        return len(self.targets)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The whole set at once: images float32 (N, 1, 28, 28) in [0, 1], then `transform`; labels
        int64 (N,). The images take 3.1 KB each as float32 (188 MB for the 60,000 training ones)."""
        return self._batch(slice(None))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(split={self.split!r}, samples={len(self)}, "
            f"folder={str(self.images_path.parent)!r})"
        )


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): 28x28 grey images of 10 kinds of clothing, a drop-in for MNIST.

    Same interface, sizes and lookup order as `MNIST`, with folder name `fashion-mnist`. No copy
    ships inside wright: it comes from `root`, `$WRIGHT_DATA/fashion-mnist/`, the cache, or a
    download.
    """

    folder = "fashion-mnist"
    classes: ClassVar[list[str]] = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
    default_mirrors: ClassVar[tuple[str, ...]] = (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    )
    checksums: ClassVar[dict[str, tuple[str, int]]] = {
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            26_421_880,
        ),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            29_515,
        ),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            4_422_102,
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            5_148,
        ),
    }
    shipped = None
