"""The layer functions at the top level (`wright.conv2d`, `wright.batch_norm`, ...), with torch's
top-level signatures, and pdist / channel_shuffle, against PyTorch."""

import numpy as np
import pytest

import wright
from opinfo import (
    Const,
    OpInfo,
    Sample,
    cases,
    check_against_torch,
    check_gradcheck,
    check_same_error,
    floats,
)


def _samples(*shapes, low=-2.0, high=2.0, extra=()):
    def samples(rng):
        yield Sample(tuple(floats(rng, *s, low=low, high=high) for s in shapes) + tuple(extra))

    return samples


def _targets(rng):
    # input1, input2, a +-1 target
    yield Sample((floats(rng, 4, 5), floats(rng, 4, 5), Const(np.array([1.0, -1.0, 1.0, -1.0]))))


def _probabilities(rng):
    logits = floats(rng, 3, 4)
    target = np.asarray(rng.uniform(0.05, 0.95, (3, 4)), np.float32)
    yield Sample((logits, Const(target)))


OPS = [
    OpInfo(
        "conv1d",
        lambda lib, x, w, b: lib.conv1d(x, w, b, 1, 1),
        _samples((2, 3, 7), (4, 3, 3), (4,)),
    ),
    OpInfo(
        "conv2d",
        lambda lib, x, w: lib.conv2d(x, w, None, 2, 1, 1, 1),
        _samples((2, 2, 6, 5), (3, 2, 3, 3)),
    ),
    OpInfo(
        "conv_transpose1d",
        lambda lib, x, w: lib.conv_transpose1d(x, w, None, 2, 1),
        _samples((2, 3, 5), (3, 2, 3)),
    ),
    OpInfo(
        "conv_transpose2d",
        lambda lib, x, w: lib.conv_transpose2d(x, w, None, 1, 0, 0, 1, 1),
        _samples((1, 2, 4, 4), (2, 3, 2, 2)),
    ),
    OpInfo(
        "batch_norm-train",
        lambda lib, x, w, b: lib.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
        _samples((4, 3, 5), (3,), (3,)),
    ),
    OpInfo(
        "batch_norm-eval",
        lambda lib, x, m, v: lib.batch_norm(x, None, None, m, v, False, 0.1, 1e-5, False),
        lambda rng: [
            Sample(
                (
                    floats(rng, 4, 3),
                    Const(floats(rng, 3)),
                    Const(floats(rng, 3, low=0.5)),
                )
            )
        ],
    ),
    OpInfo(
        "instance_norm",
        lambda lib, x, w, b: lib.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
        _samples((2, 3, 6), (3,), (3,)),
    ),
    OpInfo(
        "group_norm",
        lambda lib, x, w, b: lib.group_norm(x, 2, w, b, 1e-5),
        _samples((2, 4, 3), (4,), (4,)),
    ),
    OpInfo(
        "layer_norm",
        lambda lib, x, w, b: lib.layer_norm(x, (4,), w, b),
        _samples((3, 4), (4,), (4,)),
    ),
    OpInfo("rms_norm", lambda lib, x, w: lib.rms_norm(x, (4,), w), _samples((3, 4), (4,))),
    OpInfo(
        "max_pool1d",
        lambda lib, x: lib.max_pool1d(x, 2),
        _samples((2, 3, 8)),
        gradcheck=False,
    ),
    OpInfo(
        "max_pool1d_with_indices",
        lambda lib, x: lib.max_pool1d_with_indices(x, 3, 2, 1),
        _samples((2, 3, 8)),
        gradcheck=False,
    ),
    OpInfo(
        "max_pool2d", lambda lib, x: lib.max_pool2d(x, 2), _samples((1, 2, 4, 6)), gradcheck=False
    ),
    OpInfo("avg_pool1d", lambda lib, x: lib.avg_pool1d(x, 3, 2, 1), _samples((2, 3, 8))),
    OpInfo(
        "adaptive_avg_pool1d", lambda lib, x: lib.adaptive_avg_pool1d(x, 3), _samples((2, 3, 8))
    ),
    OpInfo(
        "adaptive_max_pool1d",
        lambda lib, x: lib.adaptive_max_pool1d(x, 3),
        _samples((2, 3, 8)),
        gradcheck=False,
    ),
    OpInfo("pixel_shuffle", lambda lib, x: lib.pixel_shuffle(x, 2), _samples((1, 8, 2, 3))),
    OpInfo("pixel_unshuffle", lambda lib, x: lib.pixel_unshuffle(x, 2), _samples((1, 2, 4, 6))),
    OpInfo("channel_shuffle", lambda lib, x: lib.channel_shuffle(x, 3), _samples((2, 6, 2))),
    OpInfo(
        "F.channel_shuffle",
        lambda lib, x: lib.nn.functional.channel_shuffle(x, 2),
        _samples((2, 4, 3, 1)),
    ),
    OpInfo(
        "embedding",
        lambda lib, w, i: lib.embedding(w, i),
        lambda rng: [Sample((floats(rng, 5, 3), Const(np.array([[0, 4], [2, 2]]))))],
    ),
    OpInfo(
        "embedding-padding",
        lambda lib, w, i: lib.embedding(w, i, 2),
        lambda rng: [Sample((floats(rng, 5, 3), Const(np.array([0, 2, 2, 1]))))],
        # The padding row gets no gradient, on purpose.
        gradcheck=False,
    ),
    OpInfo(
        "bilinear",
        lambda lib, a, b, w, c: lib.bilinear(a, b, w, c),
        _samples((3, 2), (3, 4), (5, 2, 4), (5,)),
    ),
    OpInfo("prelu", lambda lib, x, w: lib.prelu(x, w), _samples((2, 3, 4), (3,)), gradcheck=False),
    OpInfo("prelu-method", lambda lib, x, w: x.prelu(w), _samples((2, 3), (1,)), gradcheck=False),
    OpInfo("celu", lambda lib, x: lib.celu(x, 0.7), _samples((3, 4)), gradcheck=False),
    OpInfo("celu_", lambda lib, x: lib.celu_(x.clone(), 0.7), _samples((3, 4)), gradcheck=False),
    OpInfo("selu", lambda lib, x: lib.selu(x), _samples((3, 4)), gradcheck=False),
    OpInfo("selu_", lambda lib, x: lib.selu_(x.clone()), _samples((3, 4)), gradcheck=False),
    OpInfo("rrelu-eval", lambda lib, x: lib.rrelu(x), _samples((3, 4)), gradcheck=False),
    OpInfo(
        "threshold", lambda lib, x: lib.threshold(x, 0.5, -3.0), _samples((3, 4)), gradcheck=False
    ),
    OpInfo(
        "threshold_",
        lambda lib, x: lib.threshold_(x.clone(), 0.5, -3.0),
        _samples((3, 4)),
        gradcheck=False,
    ),
    OpInfo("hardshrink", lambda lib, x: lib.hardshrink(x, 0.6), _samples((3, 4)), gradcheck=False),
    OpInfo("hardshrink-method", lambda lib, x: x.hardshrink(), _samples((3, 4)), gradcheck=False),
    OpInfo(
        "cosine_similarity", lambda lib, a, b: lib.cosine_similarity(a, b), _samples((3, 4), (3, 4))
    ),
    OpInfo(
        "pairwise_distance", lambda lib, a, b: lib.pairwise_distance(a, b), _samples((3, 4), (3, 4))
    ),
    OpInfo("pdist", lambda lib, x: lib.pdist(x), _samples((5, 3))),
    OpInfo("pdist-p1", lambda lib, x: lib.pdist(x, 1), _samples((4, 3)), gradcheck=False),
    OpInfo(
        "pdist-inf", lambda lib, x: lib.pdist(x, float("inf")), _samples((4, 3)), gradcheck=False
    ),
    OpInfo("F.pdist", lambda lib, x: lib.nn.functional.pdist(x, 3), _samples((4, 2))),
    OpInfo("pdist-one-row", lambda lib, x: lib.pdist(x), _samples((1, 3))),
    OpInfo(
        "kl_div",
        lambda lib, x, y: lib.kl_div(x, y, 1),
        _samples((3, 4), (3, 4), low=0.1, high=1.0),
    ),
    OpInfo(
        "kl_div-log-target",
        lambda lib, x, y: lib.kl_div(x, y, 2, log_target=True),
        _samples((3, 4), (3, 4)),
    ),
    OpInfo(
        "cosine_embedding_loss",
        lambda lib, a, b, t: lib.cosine_embedding_loss(a, b, t, 0.1, 0),
        _targets,
    ),
    OpInfo(
        "hinge_embedding_loss",
        lambda lib, a, b, t: lib.hinge_embedding_loss(a[:, 0], t, 1.0, 2),
        _targets,
    ),
    OpInfo(
        "margin_ranking_loss",
        lambda lib, a, b, t: lib.margin_ranking_loss(a[:, 0], b[:, 0], t, 0.2, 1),
        _targets,
    ),
    OpInfo(
        "poisson_nll_loss",
        lambda lib, x, y: lib.poisson_nll_loss(x, y, True, True, 1e-8, 1),
        _samples((3, 4), (3, 4), low=0.5, high=3.0),
    ),
    OpInfo(
        "triplet_margin_loss",
        lambda lib, a, p, n: lib.triplet_margin_loss(a, p, n, 1.0, 2, 1e-6, True, 0),
        _samples((3, 4), (3, 4), (3, 4)),
    ),
    OpInfo(
        "binary_cross_entropy_with_logits",
        lambda lib, x, t, w, p: lib.binary_cross_entropy_with_logits(x, t, w, p, 2),
        lambda rng: [
            Sample(
                (
                    floats(rng, 3, 4),
                    Const(np.asarray(rng.uniform(0, 1, (3, 4)), np.float32)),
                    Const(floats(rng, 4, low=0.5)),
                    Const(floats(rng, 4, low=0.5)),
                )
            )
        ],
    ),
    OpInfo(
        "constant_pad_nd",
        lambda lib, x: lib.constant_pad_nd(x, (1, 2, 0, 1), 1.5),
        _samples((2, 3)),
    ),
    OpInfo("dropout-eval", lambda lib, x: lib.dropout(x, 0.5, False), _samples((3, 4))),
    OpInfo("alpha_dropout-eval", lambda lib, x: lib.alpha_dropout(x, 0.5, False), _samples((3, 4))),
    OpInfo(
        "feature_dropout-p0", lambda lib, x: lib.feature_dropout(x, 0.0, True), _samples((2, 3, 4))
    ),
    OpInfo(
        "feature_alpha_dropout-eval",
        lambda lib, x: lib.feature_alpha_dropout(x, 0.5, False),
        _samples((2, 3, 4)),
    ),
]


@pytest.mark.parametrize("info, sample", cases(OPS))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.parametrize("info, sample", cases([o for o in OPS if o.gradcheck]))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


ERRORS = {
    "pdist-3d": lambda lib: lib.pdist(lib.ones(2, 2, 2)),
    "pdist-negative-p": lambda lib: lib.pdist(lib.ones(2, 2), -1),
    "channel_shuffle-indivisible": lambda lib: lib.channel_shuffle(lib.ones(1, 5, 2), 2),
    "channel_shuffle-2d": lambda lib: lib.channel_shuffle(lib.ones(4, 4), 2),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)


@pytest.mark.parametrize(
    "name", ["dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout"]
)
def test_training_dropout_statistics(name):
    wright.manual_seed(0)
    x = wright.ones(200, 50, 2)
    out = getattr(wright, name)(x, 0.3, True)
    assert tuple(out.shape) == (200, 50, 2)
    assert abs(out.mean().item() - (1.0 if "alpha" not in name else out.mean().item())) < 0.05
    in_place = getattr(wright, f"{name}_")(x.clone(), 0.3, True)
    assert tuple(in_place.shape) == (200, 50, 2)
    if name.startswith("feature"):
        # One draw per (sample, channel): both positions of the last dim agree.
        kept = out.numpy() != 0 if "alpha" not in name else out.numpy() != out.numpy().min()
        assert (kept[..., 0] == kept[..., 1]).all()


def test_rrelu_training_uses_the_generator():
    x = -wright.ones(1000)
    first = wright.rrelu(x, 0.1, 0.3, True, wright.Generator().manual_seed(3))
    second = wright.rrelu(x, 0.1, 0.3, True, wright.Generator().manual_seed(3))
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    assert -0.3 <= first.min().item() and first.max().item() <= -0.1


def test_channel_shuffle_module_matches_torch():
    torch = pytest.importorskip("torch")
    values = np.arange(24.0, dtype=np.float32).reshape(1, 6, 2, 2)
    ours = wright.nn.ChannelShuffle(3)(wright.tensor(values))
    theirs = torch.nn.ChannelShuffle(3)(torch.tensor(values))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert repr(wright.nn.ChannelShuffle(3)) == "ChannelShuffle(groups=3)"


def test_embedding_renorm_matches_torch():
    torch = pytest.importorskip("torch")
    weight = np.arange(15.0, dtype=np.float32).reshape(5, 3)
    ours, theirs = wright.tensor(weight), torch.tensor(weight)
    wright.embedding_renorm_(ours, wright.tensor([1, 3]), 2.0, 2.0)
    with torch.no_grad():
        torch.embedding_renorm_(theirs, torch.tensor([1, 3]), 2.0, 2.0)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
