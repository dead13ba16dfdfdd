"""MNIST and Fashion-MNIST: shapes, dtypes, known label counts, batches, lookup order and errors."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from wright.data import DataLoader, random_split
from wright.datasets import MNIST, FashionMNIST
from wright.datasets.download import DatasetNotFoundError
from wright.tensor import Tensor

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def train() -> MNIST:
    return MNIST("train")


@pytest.fixture(scope="module")
def test() -> MNIST:
    return MNIST("test")


def test_train_storage(train):
    assert len(train) == 60_000
    assert train.images.shape == (60_000, 28, 28) and train.images.dtype == np.uint8
    assert train.targets.shape == (60_000,) and train.targets.dtype == np.int64
    assert train.targets[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(train.targets).tolist() == TRAIN_COUNTS
    assert train.images.mean() / 255 == pytest.approx(0.1307, abs=1e-4)
    assert train.images.nbytes + train.targets.nbytes < 50_000_000


def test_test_storage(test):
    assert len(test) == 10_000
    assert test.targets[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(test.targets).tolist() == TEST_COUNTS
    assert test.classes == [str(d) for d in range(10)]


def test_whole_training_set_stays_small_in_memory():
    tracemalloc.start()
    try:
        dataset = MNIST("train")
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(dataset) == 60_000
    assert current < 55_000_000, f"MNIST train holds {current / 1e6:.1f} MB after loading"
    assert peak < 100_000_000, f"loading MNIST train peaked at {peak / 1e6:.1f} MB"


def test_item_is_float_image_and_int_label(train):
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() == 1.0
    np.testing.assert_allclose(image[0], train.images[0] / 255, rtol=1e-6)
    assert isinstance(label, np.int64) and label == 5
    assert train[-1][1] == train.targets[-1]


def test_getitems_matches_getitem(test):
    indices = np.array([3, 0, 9_999, 42, 3])
    images, labels = test.__getitems__(indices)
    assert images.shape == (5, 1, 28, 28) and images.dtype == np.float32
    assert labels.dtype == np.int64
    for row, index in enumerate(indices):
        image, label = test[int(index)]
        np.testing.assert_array_equal(images[row], image)
        assert labels[row] == label


def test_arrays_whole_set(test):
    images, labels = test.arrays()
    assert images.shape == (10_000, 1, 28, 28) and images.dtype == np.float32
    np.testing.assert_array_equal(labels, test.targets)
    assert images.mean() == pytest.approx(33.791 / 255, abs=1e-4)


def test_transform_applies_to_batches():
    dataset = MNIST("test", limit=50, transform=lambda x: (x - 0.1307) / 0.3081)
    plain = MNIST("test", limit=50)
    images, _ = dataset.__getitems__(np.arange(8))
    expected, _ = plain.__getitems__(np.arange(8))
    np.testing.assert_allclose(images, (expected - 0.1307) / 0.3081, rtol=1e-6)
    np.testing.assert_allclose(dataset[2][0], images[2], rtol=1e-6)
    np.testing.assert_allclose(dataset.arrays()[0][:8], images, rtol=1e-6)


def test_limit_keeps_first_samples_in_own_memory(test):
    small = MNIST("test", limit=100)
    assert len(small) == 100
    np.testing.assert_array_equal(small.images, test.images[:100])
    np.testing.assert_array_equal(small.targets, test.targets[:100])
    assert small.images.flags.owndata  # not a view that keeps the whole file alive
    assert len(MNIST("test", limit=123_456)) == 10_000


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"split": "validation"}, "split must be 'train' or 'test', got 'validation'"),
        ({"limit": -1}, "limit must be a non-negative int"),
        ({"limit": 2.5}, "limit must be a non-negative int"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MNIST(**kwargs)


def test_loader_batches(test):
    loader = DataLoader(test, batch_size=256, shuffle=True, seed=0)
    assert len(loader) == 40
    counts = np.zeros(10, np.int64)
    for images, labels in loader:
        assert isinstance(images, Tensor) and isinstance(labels, Tensor)
        assert images.dtype == np.float32 and labels.dtype == np.int64
        assert images.shape[1:] == (1, 28, 28) and images.shape[0] == labels.shape[0]
        counts += np.bincount(labels.array, minlength=10)
    assert counts.tolist() == TEST_COUNTS


def test_random_split_subsets_use_batched_fetch(test):
    _, second = random_split(test, [9_000, 1_000], seed=0)
    images, labels = next(iter(DataLoader(second, batch_size=32)))
    expected_images, expected_labels = test.__getitems__(second.indices[:32])
    np.testing.assert_array_equal(images.array, expected_images)
    np.testing.assert_array_equal(labels.array, expected_labels)


# ----- where the files are found -----


def test_lookup_order(clean_env, tmp_path, monkeypatch, write_fake_split):
    root = tmp_path / "root"
    write_fake_split(root, 3)
    write_fake_split(root / "mnist", 4)
    write_fake_split(tmp_path / "data" / "mnist", 5)
    write_fake_split(clean_env / "mnist", 6)
    monkeypatch.setenv("WRIGHT_DATA", str(tmp_path / "data"))
    assert len(MNIST("test", root=root)) == 3
    (root / "t10k-labels-idx1-ubyte.gz").unlink()  # a folder counts only with both files of a split
    assert len(MNIST("test", root=root)) == 4
    # A folder given on purpose is never silently replaced by another copy.
    with pytest.raises(DatasetNotFoundError, match="elsewhere"):
        MNIST("test", root=tmp_path / "elsewhere")
    assert len(MNIST("test")) == 5
    monkeypatch.delenv("WRIGHT_DATA")
    shipped = MNIST("test")
    assert len(shipped) == 10_000 and shipped.images_path.parent == MNIST.shipped
    monkeypatch.setattr(MNIST, "shipped", None)
    assert len(MNIST("test")) == 6


def test_fashion_uses_its_own_subfolder(clean_env, tmp_path, write_fake_split):
    write_fake_split(tmp_path / "mnist", 3)
    write_fake_split(tmp_path / "fashion-mnist", 7, split="train")
    dataset = FashionMNIST("train", root=tmp_path)
    assert len(dataset) == 7 and dataset.images_path.parent == tmp_path / "fashion-mnist"
    assert len(MNIST("test", root=tmp_path)) == 3


def test_missing_files_explain_where_and_how(clean_env, tmp_path):
    with pytest.raises(DatasetNotFoundError) as info:
        FashionMNIST("test", root=tmp_path)
    message = str(info.value)
    assert "FashionMNIST" in message and "t10k-images-idx3-ubyte.gz" in message
    assert str(tmp_path) in message and str(tmp_path / "fashion-mnist") in message
    assert info.value.dataset == "FashionMNIST" and len(info.value.places) == 2
    with pytest.raises(FileNotFoundError) as info:
        FashionMNIST("test")
    message = str(info.value)
    assert str(clean_env / "fashion-mnist") in message
    assert "$WRIGHT_DATA is not set" in message
    assert "WRIGHT_DATA" in message and "download=True" in message
    assert "fashion-mnist.s3-website" in message


def test_count_mismatch_names_both_files(clean_env, tmp_path, write_fake_split):
    folder = write_fake_split(tmp_path, 3, labels=[1, 2, 3, 4])
    with pytest.raises(ValueError, match="3 images but") as info:
        MNIST("test", root=folder)
    assert "t10k-images-idx3-ubyte.gz" in str(info.value) and "4 labels" in str(info.value)


def test_wrong_image_size(clean_env, tmp_path, write_fake_split):
    folder = write_fake_split(tmp_path, 3, side=5)
    with pytest.raises(ValueError, match=r"shape \(3, 5, 5\), expected \(N, 28, 28\)"):
        MNIST("test", root=folder)


def test_label_out_of_range(clean_env, tmp_path, write_fake_split):
    folder = write_fake_split(tmp_path, 2, labels=[1, 12])
    with pytest.raises(ValueError, match=r"label 12, expected 0\.\.9"):
        MNIST("test", root=folder)


# ----- Fashion-MNIST from the shared data folder -----


def test_fashion_mnist_from_wright_data(shared_data, monkeypatch):
    if not (shared_data / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"Fashion-MNIST not found under {shared_data}")
    monkeypatch.setenv("WRIGHT_DATA", str(shared_data))
    dataset = FashionMNIST("test")
    assert len(dataset) == 10_000
    assert dataset.images_path.parent == shared_data / "fashion-mnist"
    assert np.bincount(dataset.targets).tolist() == [1000] * 10
    assert dataset.classes[0] == "T-shirt/top" and dataset.classes[9] == "Ankle boot"
    assert dataset.images.mean() == pytest.approx(73.147, abs=1e-3)
    image, label = dataset[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label.dtype == np.int64
