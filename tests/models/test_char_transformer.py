"""The character transformer: causal reading, context carried in eval mode, and the
`wright train shakespeare --model char-transformer` / `sample` / `score` path."""

import numpy as np

import wright
from wright.models.char_transformer import CharTransformer

PLAY = "ROMEO:\nBut soft, what light through yonder window breaks?\n\n" * 60


def small(**options):
    return CharTransformer(
        **{"vocab_size": 20, "block_size": 8, "d_model": 16, "layers": 2, "heads": 2, **options}
    )


def test_a_position_never_sees_later_tokens():
    model = small().eval()
    tokens = np.random.default_rng(0).integers(0, 20, (8, 2))
    changed = tokens.copy()
    changed[5:] = (changed[5:] + 1) % 20
    a, _ = model(tokens)
    b, _ = model(changed)
    np.testing.assert_allclose(a.array[:5], b.array[:5], atol=1e-6)
    assert not np.allclose(a.array[5:], b.array[5:])


def test_one_token_at_a_time_with_the_carried_context_equals_a_sliding_window():
    model = small().eval()
    tokens = np.random.default_rng(1).integers(0, 20, (20, 3))
    state, steps = None, []
    for i in range(20):
        logits, state = model(tokens[i : i + 1], state)
        steps.append(logits.array[0])
    reference = [
        model.window_logits(tokens[max(0, i - 7) : i + 1].T).array[:, -1] for i in range(20)
    ]
    np.testing.assert_allclose(np.stack(steps), np.stack(reference), atol=1e-5)
    # Reading all 20 at once uses at least half a block of context per position.
    whole, context = model(tokens)
    assert whole.shape == (20, 3, 20) and context[0].shape == (7, 3)
    np.testing.assert_allclose(whole.array[:8], np.stack(steps)[:8], atol=1e-5)


def test_training_mode_carries_no_context_and_gradients_reach_every_weight():
    model = small().train()
    tokens = np.random.default_rng(2).integers(0, 20, (8, 4))
    logits, (context,) = model(tokens)
    assert context.shape == (0, 4)
    logits.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_train_sample_and_score_through_the_command_line(tmp_path, capsys):
    from wright.cli import main
    from wright.models.text import load_text_model

    (tmp_path / "data" / "tinyshakespeare").mkdir(parents=True)
    (tmp_path / "data" / "tinyshakespeare" / "input.txt").write_text(PLAY)
    out = tmp_path / "run"
    args = ["train", "shakespeare", "--model", "char-transformer", "--data", str(tmp_path / "data")]
    assert (
        main([*args, "--out", str(out), "--steps", "2", "--batch-size", "2", "--eval-every", "2"])
        == 0
    )
    checkpoint, vocab = load_text_model(out / "char-transformer.npz")
    assert checkpoint.saved["model_name"] == "char-transformer"
    saved_recipe = checkpoint.saved["recipe"]
    assert saved_recipe["seq_len"] == checkpoint.model.block_size
    assert len(vocab) == checkpoint.model.config["vocab_size"]
    assert (saved_recipe["windows"], saved_recipe["optimizer"]) == ("random", "adamw")
    assert isinstance(checkpoint.model, CharTransformer)
    capsys.readouterr()
    assert main(["sample", str(out / "char-transformer.npz"), "--length", "30", "--seed", "1"]) == 0
    assert len(capsys.readouterr().out) > 30
    assert main(["score", str(out / "char-transformer.npz"), "ROMEO"]) == 0
    assert "nats per character" in capsys.readouterr().out


def test_the_registered_recipe():
    spec = wright.models.get("char-transformer")
    assert spec.tasks == ("text",) and "char-transformer" in wright.models.available("text")
    assert spec.training["windows"] == "random" and spec.training["warmup"] > 0
    assert wright.train.language_model.LanguageModelRecipe(**spec.training).weight_decay > 0
