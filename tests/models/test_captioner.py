"""The captioner: teacher-forced scores and greedy decoding."""

import numpy as np

import wright
from wright.models.captioner import Captioner


def test_teacher_forcing_scores_every_next_word():
    model = Captioner(vocab_size=10, image_size=32, channels=(4, 4, 4), features=8, hidden_size=8)
    images = np.random.default_rng(0).random((3, 3, 32, 32), dtype=np.float32)
    words = np.zeros((5, 3), dtype=np.int64)
    scores = model(images, words)
    assert scores.shape == (5, 3, 10)
    scores.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_greedy_decoding_matches_teacher_forcing_on_its_own_words():
    wright.manual_seed(1)
    model = Captioner(vocab_size=6, image_size=32, channels=(4, 4, 4), features=8, hidden_size=8)
    images = np.random.default_rng(0).random((4, 3, 32, 32), dtype=np.float32)
    written = model.greedy(images, start=1, end=2, length=6)
    assert written.shape == (6, 4)
    # Feeding the written words back with teacher forcing picks the same words.
    inputs = np.concatenate([np.ones((1, 4), np.int64), written[:-1]])
    with wright.no_grad():
        again = model.eval()(images, inputs).array.argmax(axis=2)
    for column in range(4):
        ended = np.flatnonzero(written[:, column] == 2)
        stop = ended[0] + 1 if len(ended) else 6
        np.testing.assert_array_equal(again[:stop, column], written[:stop, column])
