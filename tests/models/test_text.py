"""Sampling and scoring with character models, and reading their checkpoints back."""

import numpy as np
import pytest

import wright
from wright import models
from wright.datasets.text import CharVocab
from wright.models import text
from wright.models.char_lstm import CharLSTM

TEXT = "the cat sat on the mat. "


@pytest.fixture
def vocab():
    return CharVocab.from_text(TEXT)


def small_model(vocab):
    return CharLSTM(len(vocab), embedding_dim=8, hidden_size=24)


def save(path, model, chars):
    config = {"vocab_size": 11, "embedding_dim": 8, "hidden_size": 24}
    models.save_checkpoint(path, model, "char-lstm", config, vocab=chars)


def test_sampling_continues_the_prompt_reproducibly(vocab):
    model = small_model(vocab)
    first = text.sample(model, vocab, "the ", 30, temperature=0.8, rng=np.random.default_rng(3))
    second = text.sample(model, vocab, "the ", 30, temperature=0.8, rng=np.random.default_rng(3))
    assert first == second and first.startswith("the ") and len(first) == 34
    assert set(first) <= set(vocab.chars)


def test_bad_prompts_and_temperatures_are_reported(vocab):
    model = small_model(vocab)
    with pytest.raises(ValueError, match=r"'R', 'O', 'M', 'E', ':'"):
        text.sample(model, vocab, "ROMEO:", 5)
    with pytest.raises(ValueError, match="temperature"):
        text.sample(model, vocab, "the", 5, temperature=0)
    with pytest.raises(ValueError, match=r"'Z'"):
        text.log_probability(model, vocab, "Zat")


def test_log_probability_sums_each_characters_log_softmax(vocab):
    model = small_model(vocab)
    words, context = "cat", "the "
    tokens = vocab.encode(context + words)
    with wright.no_grad():
        logits, _ = model(tokens[:-1, None])
    log_probs = logits.log_softmax(-1).array[:, 0]
    expected = sum(
        log_probs[len(context) - 1 + k, tokens[len(context) + k]] for k in range(len(words))
    )
    assert text.log_probability(model, vocab, words, context) == pytest.approx(
        float(expected), rel=1e-5
    )
    assert text.bits(np.log(2)) == pytest.approx(1.0)


def test_text_checkpoints_round_trip(vocab, tmp_path):
    model = small_model(vocab)
    save(tmp_path / "m.npz", model, vocab.chars)
    checkpoint, loaded = text.load_text_model(tmp_path / "m.npz")
    assert loaded.chars == vocab.chars and not checkpoint.model.training
    np.testing.assert_array_equal(checkpoint.model.head.weight.array, model.head.weight.array)


def test_vocabulary_mismatch_and_missing_vocabulary_are_refused(vocab, tmp_path):
    model = small_model(vocab)
    save(tmp_path / "short.npz", model, vocab.chars[:-1])
    with pytest.raises(models.CheckpointError, match="vocabulary mismatch: 10 characters"):
        text.load_text_model(tmp_path / "short.npz")
    save(tmp_path / "none.npz", model, None)
    with pytest.raises(models.CheckpointError, match="no vocabulary"):
        text.load_text_model(tmp_path / "none.npz")


def test_an_image_checkpoint_is_not_a_text_model(tmp_path):
    models.save_checkpoint(tmp_path / "mlp.npz", models.build("mlp-30"), "mlp-30")
    with pytest.raises(models.CheckpointError, match="not a model for text data"):
        text.load_text_model(tmp_path / "mlp.npz")
