"""Truncated-BPTT training, checkpoints and resuming, sampling and scoring of character models."""

import math

import numpy as np
import pytest

import wright
import wright.models
from wright.datasets.text import CharVocab
from wright.models.char_lstm import CharLSTM
from wright.train import language_model as lm

TEXT = "the cat sat on the mat. " * 60


@pytest.fixture
def data():
    vocab = CharVocab.from_text(TEXT)
    tokens = vocab.encode(TEXT)
    return vocab, tokens[:1200], tokens[1200:]


def small_model(vocab):
    return CharLSTM(len(vocab), embedding_dim=8, hidden_size=24)


def recipe(**changes):
    return lm.LanguageModelRecipe(
        **{"steps": 40, "seq_len": 16, "batch_size": 8, "lr": 0.01, "eval_every": 20, **changes}
    )


def test_batchify_makes_side_by_side_streams():
    streams = lm.batchify(np.arange(10), 3)
    assert streams.shape == (3, 3) and streams.flags["C_CONTIGUOUS"]
    assert streams[:, 1].tolist() == [3, 4, 5]
    with pytest.raises(ValueError, match="too few"):
        lm.batchify(np.arange(3), 3)


def test_untrained_model_scores_about_log_vocab(data):
    vocab, train, _ = data
    nats = lm.evaluate_nats(small_model(vocab), train, seq_len=32, batch_size=4)
    assert abs(nats - math.log(len(vocab))) < 0.3


def test_training_lowers_validation_loss_and_checkpoints(data, tmp_path):
    vocab, train, val = data
    model = small_model(vocab)
    before = lm.evaluate_nats(model, val)
    lines = []
    history = lm.train_language_model(
        model, train, val, recipe(), tmp_path / "ckpt.npz", vocab, log=lines.append
    )
    assert history["step"] == [20, 40] and len(lines) == 2 and "nats/char" in lines[0]
    assert history["val_loss"][-1] < before - 1.0
    saved = lm.load_checkpoint(tmp_path / "ckpt.npz")
    assert saved["step"] == 40 and saved["vocabulary"].chars == vocab.chars
    assert lm.evaluate_nats(saved["net"], val) == pytest.approx(history["val_loss"][-1], rel=1e-5)


def test_interrupted_run_keeps_its_last_checkpoint_and_resumes(data, tmp_path):
    vocab, train, val = data
    path = tmp_path / "ckpt.npz"
    model = small_model(vocab)

    reports = []

    def interrupt_on_second_report(line):
        reports.append(line)
        if len(reports) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        lm.train_language_model(
            model, train, val, recipe(), path, vocab, log=interrupt_on_second_report
        )
    saved = lm.load_checkpoint(path)
    assert saved["step"] == 20 and len(saved["history"]["step"]) == 1
    assert not list(tmp_path.glob(".*tmp"))
    history = lm.train_language_model(
        saved["net"], train, val, recipe(), path, vocab, resume=saved, log=lambda line: None
    )
    assert history["step"] == [20, 40]
    resumed = lm.load_checkpoint(path)
    assert resumed["step"] == 40
    assert resumed["optimizer"]["state"][0]["step"] == 40


def test_time_limit_stops_with_a_final_measurement(data):
    vocab, train, val = data
    history = lm.train_language_model(
        small_model(vocab), train, val, recipe(steps=1000, time_limit=0.0), log=lambda line: None
    )
    assert history["step"] == [1]


def test_sampling_continues_the_prompt_reproducibly(data):
    vocab, _, _ = data
    model = small_model(vocab)
    first = lm.sample(model, vocab, "the ", 30, temperature=0.8, rng=np.random.default_rng(3))
    second = lm.sample(model, vocab, "the ", 30, temperature=0.8, rng=np.random.default_rng(3))
    assert first == second and first.startswith("the ") and len(first) == 34
    assert set(first) <= set(vocab.chars)


def test_bad_prompts_and_temperatures_are_reported(data):
    vocab, _, _ = data
    model = small_model(vocab)
    with pytest.raises(ValueError, match=r"'R', 'O', 'M', 'E', ':'"):
        lm.sample(model, vocab, "ROMEO:", 5)
    with pytest.raises(ValueError, match="temperature"):
        lm.sample(model, vocab, "the", 5, temperature=0)
    with pytest.raises(ValueError, match=r"'Z'"):
        lm.log_probability(model, vocab, "Zat")


def test_log_probability_sums_each_characters_log_softmax(data):
    vocab = data[0]
    model = small_model(vocab)
    text, context = "cat", "the "
    tokens = vocab.encode(context + text)
    with wright.no_grad():
        logits, _ = model(tokens[:-1, None])
    log_probs = logits.log_softmax(-1).array[:, 0]
    expected = sum(
        log_probs[len(context) - 1 + k, tokens[len(context) + k]] for k in range(len(text))
    )
    assert lm.log_probability(model, vocab, text, context) == pytest.approx(
        float(expected), rel=1e-5
    )


def test_trained_model_prefers_real_text(data):
    vocab, train, val = data
    model = small_model(vocab)
    lm.train_language_model(model, train, val, recipe(steps=60), log=lambda line: None)
    real = lm.log_probability(model, vocab, "the cat sat", context=". ")
    assert real > lm.log_probability(model, vocab, "tca eht tas", context=". ") + 5


def test_cosine_learning_rate_follows_steps_or_time_whichever_is_further():
    plan = lm.LanguageModelRecipe(steps=100, lr=1.0, final_lr_fraction=0.1)
    assert lm.learning_rate(plan, 0, 0.0) == pytest.approx(1.0)
    assert lm.learning_rate(plan, 50, 0.0) == pytest.approx(0.55)
    assert lm.learning_rate(plan, 100, 0.0) == pytest.approx(0.1)
    timed = lm.LanguageModelRecipe(steps=100, lr=1.0, final_lr_fraction=0.1, time_limit=10.0)
    assert lm.learning_rate(timed, 10, 5.0) == pytest.approx(0.55)
    assert lm.learning_rate(timed, 10, 20.0) == pytest.approx(0.1)


def test_registered_recipe_matches_the_trainer_defaults():
    spec = wright.models.get("char-lstm")
    defaults = lm.LanguageModelRecipe()
    assert spec.tasks == ("text",) and (spec.lr, spec.batch_size) == (
        defaults.lr,
        defaults.batch_size,
    )
