"""Character vocabularies and the tiny Shakespeare file."""

import numpy as np
import pytest

from wright.datasets.download import DatasetNotFoundError
from wright.datasets.text import (
    CharVocab,
    find_tiny_shakespeare,
    load_tiny_shakespeare,
    read_text,
    split_tokens,
)


def test_vocab_round_trip_in_sorted_order():
    vocab = CharVocab.from_text("hello world")
    assert vocab.chars == " dehlorw" and len(vocab) == 8
    tokens = vocab.encode("hello")
    assert tokens.dtype == np.int64 and vocab.decode(tokens) == "hello"
    assert "h" in vocab and "z" not in vocab


def test_unknown_characters_are_listed_once_each():
    vocab = CharVocab("abc")
    with pytest.raises(ValueError, match=r"'z', 'é', '~'"):
        vocab.encode("abzcéz~")
    assert vocab.unknown("aazq") == ["z", "q"]
    with pytest.raises(ValueError, match="distinct"):
        CharVocab("aa")


def test_split_keeps_order():
    train, val = split_tokens(np.arange(100), 0.1)
    assert train.tolist() == list(range(90)) and val.tolist() == list(range(90, 100))
    with pytest.raises(ValueError, match="val_fraction"):
        split_tokens(np.arange(10), 1.0)


def test_tiny_shakespeare_from_the_shared_data(shared_data):
    if not (shared_data / "tinyshakespeare" / "input.txt").is_file():
        pytest.skip("tiny Shakespeare is not in the shared data folder")
    text = load_tiny_shakespeare(shared_data)
    vocab = CharVocab.from_text(text)
    assert len(text) == 1_115_394 and len(vocab) == 65 and text.startswith("First Citizen:")
    train, val = split_tokens(vocab.encode(text))
    assert (len(train), len(val)) == (1_003_854, 111_540)


def test_missing_file_says_where_it_looked(clean_env, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"(?s)looked in:.*WRIGHT_DATA is not set.*--data"):
        load_tiny_shakespeare()
    # A folder given on purpose is the only place looked in.
    with pytest.raises(DatasetNotFoundError, match="nowhere") as info:
        load_tiny_shakespeare(tmp_path / "nowhere")
    assert all("nowhere" in str(path) for path, _ in info.value.places)


def test_text_that_is_not_utf8_names_the_file_and_offset(tmp_path):
    path = tmp_path / "input.txt"
    path.write_bytes(b"To be, or not\n\xff\xfe to be")
    with pytest.raises(ValueError, match=r"input.txt is not UTF-8 text: byte 0xff at offset 14"):
        read_text(path)
    assert find_tiny_shakespeare(tmp_path) == path


def test_root_may_be_the_file_or_a_folder(clean_env, tmp_path):
    (tmp_path / "tinyshakespeare").mkdir()
    (tmp_path / "tinyshakespeare" / "input.txt").write_text("To be.\n")
    assert load_tiny_shakespeare(tmp_path) == "To be.\n"
    assert load_tiny_shakespeare(tmp_path / "tinyshakespeare" / "input.txt") == "To be.\n"
