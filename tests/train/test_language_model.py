"""Truncated-BPTT training of character models through fit: streams, budgets, checkpoints, resuming
and the budget-fitted cosine schedule."""

import math

import numpy as np
import pytest

import wright
import wright.models
from wright import nn, optim
from wright.datasets.text import CharVocab
from wright.models.char_lstm import CharLSTM
from wright.models.text import log_probability
from wright.train import Callback
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


def info(vocab):
    config = {"vocab_size": len(vocab), "embedding_dim": 8, "hidden_size": 24}
    return {**wright.models.checkpoint_info("char-lstm", **config), "vocab": vocab.chars}


def test_batchify_makes_side_by_side_streams():
    streams = lm.batchify(np.arange(10), 3)
    assert streams.shape == (3, 3) and streams.flags["C_CONTIGUOUS"]
    assert streams[:, 1].tolist() == [3, 4, 5]
    with pytest.raises(ValueError, match="too few"):
        lm.batchify(np.arange(3), 3)


def test_text_streams_yield_windows_and_reset_the_reader_each_pass(data):
    vocab = data[0]
    reader = lm.TruncatedBPTT(small_model(vocab))
    streams = lm.TextStreams(np.arange(41), 2, 4, reader, start=3)
    reader.carried[True] = "stale"
    windows = list(streams)
    assert "stale" not in reader.carried.values() and len(streams) == 4
    assert len(windows) == 1  # the first pass starts at window 3
    inputs, targets = windows[0]
    assert inputs.shape == (4, 2) and inputs.array[:, 0].tolist() == [12, 13, 14, 15]
    assert targets.array.tolist() == [13, 33, 14, 34, 15, 35, 16, 36]
    assert len(list(streams)) == 4  # later passes start at window 0
    with pytest.raises(ValueError, match="too short"):
        lm.TextStreams(np.arange(10), 2, 8)


def test_random_windows_are_seeded_pieces_of_the_text_each_read_from_zero_state(data):
    reader = lm.TruncatedBPTT(small_model(data[0]))
    windows = lm.RandomWindows(np.arange(100), 3, 5, reader)
    assert len(windows) == 6
    reader.carried[True] = "stale"
    wright.manual_seed(4)
    drawn = list(windows)
    assert "stale" not in reader.carried.values() and len(drawn) == 6
    inputs, targets = drawn[0]
    assert inputs.shape == (5, 3) and targets.shape == (15,)
    starts = inputs.array[0]
    np.testing.assert_array_equal(inputs.array, starts + np.arange(5)[:, None])
    np.testing.assert_array_equal(targets.array, (inputs.array + 1).reshape(-1))
    wright.manual_seed(4)
    assert np.array_equal(next(iter(windows))[0].array, inputs.array)
    assert max(w[1].array.max() for w in drawn) <= 99
    with pytest.raises(ValueError, match="too few"):
        lm.RandomWindows(np.arange(5), 2, 5)


def test_decay_groups_leave_biases_and_gains_alone():
    from wright.models.char_transformer import CharTransformer

    model = CharTransformer(10, 4, 8, 1, 2)
    decayed, kept = lm.decay_groups(model, 0.1)
    assert decayed["weight_decay"] == 0.1 and kept["weight_decay"] == 0.0
    assert all(p.ndim == 2 for p in decayed["params"]) and all(p.ndim == 1 for p in kept["params"])
    assert len(decayed["params"]) + len(kept["params"]) == len(list(model.parameters()))
    assert len(lm.decay_groups(nn.Linear(2, 3, bias=False), 0.1)) == 1  # no empty group


def test_truncated_bptt_carries_state_per_mode_and_saves_the_models_weights(data):
    vocab, train, _ = data
    model = small_model(vocab)
    reader = lm.TruncatedBPTT(model)
    tokens = train[:32].reshape(8, 4)
    scores = reader(tokens)
    assert scores.shape == (32, len(vocab)) and scores.requires_grad
    assert all(s._ctx is None for s in reader.carried[True])  # cut off from the graph
    reader.eval()
    reader(tokens)
    assert set(reader.carried) == {True, False}
    reader.reset()
    assert set(reader.carried) == {True}
    assert list(reader.state_dict()) == list(model.state_dict())
    whole, _ = model(tokens)
    reader.reset()
    with wright.no_grad():
        first, second = reader(tokens[:2]), reader(tokens[2:])
    np.testing.assert_allclose(
        np.concatenate([first.array, second.array]),
        whole.array.reshape(-1, len(vocab)),
        rtol=1e-5,
        atol=1e-6,
    )


def test_untrained_model_scores_about_log_vocab(data):
    vocab, train, _ = data
    nats = lm.evaluate_nats(small_model(vocab), train)
    assert abs(nats - math.log(len(vocab))) < 0.3


def test_training_lowers_validation_loss_and_checkpoints(data, tmp_path):
    vocab, train, val = data
    model = small_model(vocab)
    before = lm.evaluate_nats(model, val)
    history = lm.train_language_model(
        model, train, val, recipe(), tmp_path / "ckpt.npz", info(vocab)
    )
    assert len(history) == 2 and history["val_loss"][-1] < before - 1.0
    checkpoint, loaded_vocab = wright.models.text.load_text_model(tmp_path / "ckpt.npz")
    assert checkpoint.saved["step"] == 40 and loaded_vocab.chars == vocab.chars
    assert checkpoint.saved["recipe"]["steps"] == 40
    assert lm.evaluate_nats(checkpoint.model, val) == pytest.approx(
        history["val_loss"][-1], rel=1e-5
    )


def test_interrupted_run_resumes_where_it_stopped(data, tmp_path):
    vocab, train, val = data
    path = tmp_path / "ckpt.npz"

    class InterruptAfterFirstValidation(Callback):
        def on_epoch_end(self, epoch, logs):
            raise KeyboardInterrupt

    wright.manual_seed(0)
    with pytest.raises(KeyboardInterrupt):
        lm.train_language_model(
            small_model(vocab),
            train,
            val,
            recipe(),
            path,
            info(vocab),
            callbacks=[InterruptAfterFirstValidation()],
        )
    saved = wright.load(path)
    assert saved["step"] == 20 and len(saved["history"]["loss"]) == 1
    assert not list(tmp_path.glob(".wright-*"))
    history = lm.train_language_model(
        small_model(vocab), train, val, recipe(), path, info(vocab), resume=saved
    )
    assert len(history) == 2
    resumed = wright.load(path)
    assert resumed["step"] == 40 and resumed["optimizer"]["state"][0]["step"] == 40


def test_a_blown_up_validation_loss_never_replaces_the_checkpoint(data, tmp_path, capsys):
    vocab, train, val = data
    path = tmp_path / "ckpt.npz"
    lm.train_language_model(small_model(vocab), train, val, recipe(steps=20), path, info(vocab))
    good = path.read_bytes()
    saved = wright.load(path)
    history = lm.train_language_model(
        small_model(vocab), train, val, recipe(steps=40, lr=1000.0), path, info(vocab), resume=saved
    )
    assert history["val_loss"][-1] > 10 * history["val_loss"][0]
    assert path.read_bytes() == good
    assert "not saving epoch 2" in capsys.readouterr().err


def test_time_limit_stops_with_a_final_measurement(data):
    vocab, train, val = data
    history = lm.train_language_model(
        small_model(vocab), train, val, recipe(steps=1000, time_limit=1e-9)
    )
    assert len(history) == 1

    class Steps(Callback):
        pass

    steps = Steps()
    lm.train_language_model(
        small_model(vocab), train, val, recipe(steps=1000, time_limit=1e-9), callbacks=[steps]
    )
    assert steps.state.step == 1


def test_trained_model_prefers_real_text(data):
    vocab, train, val = data
    model = small_model(vocab)
    lm.train_language_model(model, train, val, recipe(steps=60))
    real = log_probability(model, vocab, "the cat sat", context=". ")
    assert real > log_probability(model, vocab, "tca eht tas", context=". ") + 5


def test_cosine_learning_rate_follows_steps_or_time_whichever_is_further():
    model = CharLSTM(5, 2, 3)
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    plan = lm.CosineBudgetLR(optimizer, lr=1.0, steps=100, final_fraction=0.1)
    assert plan.per_batch and optimizer.param_groups[0]["lr"] == pytest.approx(1.0)
    assert plan.lr_at(50, 0.0) == pytest.approx(0.55)
    assert plan.lr_at(100, 0.0) == pytest.approx(0.1)
    for _ in range(50):
        plan.step()
    assert plan.get_last_lr() == [pytest.approx(0.55)]
    timed = lm.CosineBudgetLR(optimizer, 1.0, 100, time_limit=10.0, final_fraction=0.1)
    assert timed.lr_at(10, 5.0) == pytest.approx(0.55)
    assert timed.lr_at(10, 20.0) == pytest.approx(0.1)
    timed.load_state_dict({"last_step": 100, "elapsed": 3.0})
    assert timed.state_dict()["last_step"] == 100 and timed.state_dict()["elapsed"] >= 3.0


def test_warm_up_rises_linearly_before_the_cosine():
    optimizer = optim.SGD(CharLSTM(5, 2, 3).parameters(), lr=1.0)
    plan = lm.CosineBudgetLR(optimizer, lr=1.0, steps=110, final_fraction=0.1, warmup=10)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1)
    assert [plan.lr_at(step, 0.0) for step in (4, 9, 10)] == pytest.approx([0.5, 1.0, 1.0])
    assert plan.lr_at(60, 0.0) == pytest.approx(0.55)
    assert plan.lr_at(110, 0.0) == pytest.approx(0.1)


def test_random_windows_with_weight_decay_train_a_transformer_and_resume(data, tmp_path):
    from wright.models.char_transformer import CharTransformer

    vocab, train, val = data
    settings = {"seq_len": 16, "optimizer": "adamw", "weight_decay": 0.1, "warmup": 5}
    settings["windows"] = "random"
    path = tmp_path / "ckpt.npz"
    config = {"vocab_size": len(vocab), "block_size": 16, "d_model": 16, "layers": 1, "heads": 2}
    extra = {**wright.models.checkpoint_info("char-transformer", **config), "vocab": vocab.chars}
    wright.manual_seed(0)
    model = CharTransformer(**config)
    before = lm.evaluate_nats(model, val)
    history = lm.train_language_model(
        model, train, val, recipe(steps=20, lr=3e-3, **settings), path, extra
    )
    assert history["val_loss"][-1] < before - 0.5
    assert len(wright.load(path)["optimizer"]["param_groups"]) == 2
    resumed = lm.train_language_model(
        CharTransformer(**config),
        train,
        val,
        recipe(lr=3e-3, **settings),
        path,
        extra,
        resume=wright.load(path),
    )
    assert len(resumed) == 2 and wright.load(path)["step"] == 40
    with pytest.raises(ValueError, match="windows must be one of"):
        lm.train_language_model(model, train, val, recipe(windows="shuffled"))


def test_registered_recipe_matches_the_trainer_defaults():
    spec = wright.models.get("char-lstm")
    defaults = lm.LanguageModelRecipe()
    assert spec.tasks == ("text",)
    assert (spec.lr, spec.batch_size, spec.optimizer) == (
        defaults.lr,
        defaults.batch_size,
        defaults.optimizer,
    )
