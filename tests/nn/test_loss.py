"""Every loss against torch: values, dtypes, gradients to input and target (where torch gives
one), float64 gradcheck, the modules' arguments (legacy flags included), and the edge cases
(ignored labels, weights summing to zero, extreme scores, bad arguments)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wright
from opinfo import Const, OpInfo, Sample, cases, check_against_torch, check_gradcheck
from wright import nn
from wright.autograd import gradcheck
from wright.nn import functional as F

REDUCTIONS = ("mean", "sum", "none")


def _loss(name, **fixed):
    """An op calling lib.nn.functional.<name>(*args, **kwargs) with some fixed keywords."""
    return lambda lib, *args, **kwargs: getattr(lib.nn.functional, name)(*args, **fixed, **kwargs)


def _normal(rng, *shape, scale=1.0):
    return np.asarray(rng.standard_normal(shape) * scale)


def _labels(rng, classes, *shape):
    return Const(rng.integers(0, classes, size=shape))


def _pairs(*extra, int_target: bool = True):
    """Samples (input, target) of a few shapes, each under every reduction, plus `extra`."""

    def samples(rng):
        for reduction in REDUCTIONS:
            yield Sample((_normal(rng, 3, 4), _normal(rng, 3, 4)), {"reduction": reduction})
        yield Sample((_normal(rng, 5).astype(np.float32), _normal(rng, 5).astype(np.float32)))
        yield Sample((_normal(rng), _normal(rng)), label="0d")
        yield Sample((_normal(rng, 0, 3), _normal(rng, 0, 3)), {"reduction": "sum"}, "empty")
        if int_target:  # (torch's huber_loss fails on one in backward)
            yield Sample((_normal(rng, 2, 3), np.arange(6).reshape(2, 3)), label="int_target")
        for sample in extra:
            yield from sample(rng)

    return samples


def _weighted(rng):
    for reduction in REDUCTIONS:
        weight = Const(rng.uniform(0.1, 2.0, (3, 4)))
        yield Sample(
            (_normal(rng, 3, 4), _normal(rng, 3, 4)),
            {"reduction": reduction, "weight": weight},
            f"weight_{reduction}",
        )


def _kl_samples(rng):
    def log_probs(*shape):
        return np.log(rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]))

    for reduction in (*REDUCTIONS, "batchmean"):
        target = rng.dirichlet(np.ones(4), size=3)
        yield Sample((log_probs(3, 4), target), {"reduction": reduction}, reduction)
        yield Sample(
            (log_probs(3, 4), log_probs(3, 4)),
            {"reduction": reduction, "log_target": True},
            f"log_target_{reduction}",
        )
    yield Sample(
        (log_probs(2, 3, 5), rng.dirichlet(np.ones(5), size=(2, 3))),
        {"reduction": "batchmean"},
        "3d",
    )


def _nll_samples(rng):
    log_probs = np.log(rng.dirichlet(np.ones(4), size=6))
    weight = Const(rng.uniform(0.2, 2.0, 4))
    labels = np.array([0, 3, 1, 1, 2, 0])
    for reduction in REDUCTIONS:
        yield Sample((log_probs, Const(labels)), {"reduction": reduction}, reduction)
        yield Sample(
            (log_probs, Const(labels)),
            {"weight": weight, "reduction": reduction},
            f"weight_{reduction}",
        )
        ignored = np.array([0, -100, 1, 3, -100, 2])
        yield Sample(
            (log_probs, Const(ignored)),
            {"weight": weight, "reduction": reduction},
            f"ignore_{reduction}",
        )
    spatial = np.log(rng.dirichlet(np.ones(3), size=(2, 4, 5))).transpose(0, 3, 1, 2)
    yield Sample(
        (spatial, _labels(rng, 3, 2, 4, 5)), {"weight": Const(np.array([1.0, 0.5, 2.0]))}, "NCd1d2"
    )
    yield Sample(
        (np.log(rng.dirichlet(np.ones(5))), Const(np.array(3))), {"reduction": "none"}, "unbatched"
    )
    yield Sample(
        (log_probs.astype(np.float32), Const(labels.astype(np.uint8))),
        {"ignore_index": 1},
        "f32_uint8",
    )


CROSS_ENTROPY_SETTINGS = [
    {},
    {"reduction": "sum"},
    {"reduction": "none"},
    {"label_smoothing": 0.1},
    {"label_smoothing": 0.3, "reduction": "sum"},
    {"label_smoothing": 0.2, "reduction": "none"},
    {"ignore_index": 2},
    {"ignore_index": 2, "reduction": "none"},
    {"ignore_index": 2, "label_smoothing": 0.15},
    {"weight": True},
    {"weight": True, "reduction": "sum"},
    {"weight": True, "reduction": "none"},
    {"weight": True, "ignore_index": 2},
    {"weight": True, "label_smoothing": 0.2},
    {"weight": True, "label_smoothing": 0.2, "ignore_index": 1},
    {"weight": True, "label_smoothing": 0.25, "reduction": "sum", "ignore_index": 1},
    {"weight": True, "label_smoothing": 0.25, "reduction": "none", "ignore_index": 1},
]


def _cross_entropy_samples(rng):
    for shape in [(6, 5), (4, 5, 3), (2, 5, 3, 2)]:
        for setting in CROSS_ENTROPY_SETTINGS:
            kwargs = dict(setting)
            if kwargs.pop("weight", False):
                kwargs["weight"] = Const(rng.uniform(0.2, 2.0, shape[1]))
            labels = rng.integers(0, shape[1], size=(shape[0],) + shape[2:])
            labels.flat[0] = 2
            label = "-".join(f"{k}={v}" for k, v in setting.items()) or "plain"
            yield Sample((_normal(rng, *shape, scale=3), Const(labels)), kwargs, f"{shape}-{label}")
    yield Sample((_normal(rng, 5), Const(np.array(1))), {}, "unbatched")
    yield Sample(
        (_normal(rng, 5), Const(np.array(1))),
        {"reduction": "none", "weight": Const(np.arange(1.0, 6.0))},
        "unbatched_weight",
    )
    yield Sample(
        (_normal(rng, 3, 4).astype(np.float32), Const(np.array([0, 3, 1]))),
        {"label_smoothing": 0.1},
        "float32",
    )


def _probability_samples(rng):
    for shape in [(4, 3), (2, 3, 5), (3,)]:
        class_dim = 1 if len(shape) > 1 else 0
        target = np.moveaxis(
            rng.dirichlet(np.ones(3), size=shape[:class_dim] + shape[class_dim + 1 :]),
            -1,
            class_dim,
        )
        weight = Const(rng.uniform(0.5, 2.0, 3))
        for kwargs in [
            {},
            {"reduction": "sum", "label_smoothing": 0.2},
            {"reduction": "none", "weight": weight},
            {"weight": weight, "label_smoothing": 0.1},
        ]:
            yield Sample((_normal(rng, *shape), target), kwargs, f"{shape}-{sorted(kwargs)}")


def _bce_samples(rng):
    probs, targets = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    for reduction in REDUCTIONS:
        yield Sample((probs, targets), {"reduction": reduction}, reduction)
        yield Sample(
            (probs, targets),
            {"reduction": reduction, "weight": Const(rng.uniform(0.5, 2, 3))},
            f"weight_{reduction}",
        )
    yield Sample(
        (probs.astype(np.float32), targets.astype(np.float32)),
        {"weight": Const(rng.uniform(0.5, 2, (4, 1)).astype(np.float32))},
        "float32",
    )


def _bce_logits_samples(rng):
    logits, targets = _normal(rng, 4, 3, scale=3), rng.uniform(0, 1, (4, 3))
    for reduction in REDUCTIONS:
        yield Sample((logits, targets), {"reduction": reduction}, reduction)
        yield Sample(
            (logits, targets),
            {
                "reduction": reduction,
                "weight": Const(rng.uniform(0.5, 2, (4, 1))),
                "pos_weight": Const(rng.uniform(0.2, 3, 3)),
            },
            f"weights_{reduction}",
        )
    extreme = np.array([-1e4, -800.0, -100.0, -40.0, 0.0, 40.0, 100.0, 800.0, 1e4])
    yield Sample((extreme, rng.uniform(0, 1, 9)), {"pos_weight": Const(np.array([2.0]))}, "extreme")


def _poisson_samples(rng):
    rates, counts = rng.uniform(0.2, 3.0, (3, 4)), rng.integers(1, 6, (3, 4)).astype(np.float64)
    for reduction in REDUCTIONS:
        for log_input in (True, False):
            for full in (False, True):
                yield Sample(
                    (np.log(rates) if log_input else rates, counts + 0.5),
                    {"log_input": log_input, "full": full, "reduction": reduction},
                    f"{reduction}-log{log_input}-full{full}",
                )


def _poisson_zero_counts(rng):
    yield Sample(
        (rng.uniform(0.2, 3.0, 4), np.array([0.0, 1.0, 2.0, 5.0])),
        {"log_input": False, "full": True, "reduction": "none"},
        "zero_count",
    )


def _gaussian_samples(rng):
    mean, target = _normal(rng, 3, 4), _normal(rng, 3, 4)
    for reduction in REDUCTIONS:
        yield Sample(
            (mean, target, rng.uniform(0.1, 2, (3, 4))), {"reduction": reduction}, reduction
        )
    yield Sample((mean, target, rng.uniform(0.1, 2, 3)), {"full": True}, "one_variance_per_row")
    yield Sample((mean, target, rng.uniform(0.1, 2, (3, 1))), {}, "shared_along_last")
    yield Sample((mean, target, rng.uniform(0.1, 2, (1, 4))), {}, "shared_along_first")
    yield Sample((mean, target, 0.7), {}, "number")


def _gaussian_small_variances(rng):
    small = rng.uniform(0.1, 2, (3, 4))
    small[0, :2] = [1e-8, 2e-7]  # below eps: clamped, gradient passes as if unclamped
    yield Sample((_normal(rng, 3, 4), _normal(rng, 3, 4), small), {"eps": 1e-6}, "below_eps")


def _cosine_embedding_samples(rng):
    for reduction in REDUCTIONS:
        for margin in (0.0, 0.3):
            yield Sample(
                (_normal(rng, 5, 3), _normal(rng, 5, 3), Const(np.array([1, -1, 1, -1, -1]))),
                {"margin": margin, "reduction": reduction},
                f"{reduction}-{margin}",
            )
    yield Sample(
        (_normal(rng, 4), _normal(rng, 4), Const(np.array(-1.0))), {"margin": -0.5}, "unbatched"
    )


def _ranking_samples(rng):
    for reduction in REDUCTIONS:
        yield Sample(
            (_normal(rng, 6), _normal(rng, 6), np.array([1.0, -1, 1, -1, 1, 1])),
            {"margin": 0.2, "reduction": reduction},
            reduction,
        )


def _hinge_samples(rng):
    for reduction in REDUCTIONS:
        yield Sample(
            (rng.uniform(0, 2, (3, 4)), Const(np.sign(rng.uniform(-1, 1, (3, 4))))),
            {"margin": 1.5, "reduction": reduction},
            reduction,
        )
    yield Sample((_normal(rng, 5), Const(np.array([1.0, -1, 0, 1, -1]))), {}, "other_labels")


def _soft_margin_samples(rng):
    for reduction in REDUCTIONS:
        yield Sample(
            (_normal(rng, 3, 4, scale=3), Const(np.sign(rng.uniform(-1, 1, (3, 4))))),
            {"reduction": reduction},
            reduction,
        )


def _multilabel_soft_samples(rng):
    for reduction in REDUCTIONS:
        targets = (rng.uniform(0, 1, (4, 3)) > 0.5).astype(np.float64)
        yield Sample(
            (_normal(rng, 4, 3), targets),
            {"reduction": reduction, "weight": Const(rng.uniform(0.5, 2, 3))},
            reduction,
        )
    yield Sample((_normal(rng, 3), np.array([0.0, 1.0, 1.0])), {}, "unbatched")


def _multi_margin_samples(rng):
    for reduction in REDUCTIONS:
        for p in (1, 2):
            yield Sample(
                (_normal(rng, 5, 4), _labels(rng, 4, 5)),
                {"p": p, "margin": 0.7, "reduction": reduction},
                f"{reduction}-p{p}",
            )
    yield Sample(
        (_normal(rng, 5, 4), _labels(rng, 4, 5)),
        {"weight": Const(rng.uniform(0.5, 2, 4))},
        "weight",
    )
    yield Sample((_normal(rng, 4), Const(np.array(2))), {"reduction": "none"}, "unbatched")


def _multilabel_margin_samples(rng):
    targets = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [1, 1, -1, -1], [-1, 2, 2, 2]])
    for reduction in REDUCTIONS:
        yield Sample((_normal(rng, 4, 4), Const(targets)), {"reduction": reduction}, reduction)
    yield Sample(
        (_normal(rng, 4), Const(np.array([2, 0, -1, 3]))), {"reduction": "none"}, "unbatched"
    )


def _triplet_samples(rng):
    for reduction in REDUCTIONS:
        triplet = (_normal(rng, 5, 3), _normal(rng, 5, 3), _normal(rng, 5, 3))
        yield Sample(triplet, {"reduction": reduction}, reduction)
    triplet = (_normal(rng, 6, 3), _normal(rng, 6, 3), _normal(rng, 6, 3))
    yield Sample(triplet, {"swap": True, "margin": 3.0}, "swap")


def _triplet_norm_samples(rng):
    yield from _triplet_samples(rng)
    for p in (1.0, 3.0):
        triplet = (_normal(rng, 5, 3), _normal(rng, 5, 3), _normal(rng, 5, 3))
        yield Sample(triplet, {"p": p, "margin": 2.0}, f"p{p}")
    yield Sample((_normal(rng, 4), _normal(rng, 4), _normal(rng, 4)), {}, "unbatched")


def _with_cosine_distance(lib, anchor, positive, negative, **kwargs):
    def distance(x, y):
        return 1 - lib.nn.functional.cosine_similarity(x, y)

    return lib.nn.functional.triplet_margin_with_distance_loss(
        anchor, positive, negative, distance_function=distance, **kwargs
    )


LOSSES = [
    OpInfo("l1_loss", _loss("l1_loss"), _pairs(_weighted)),
    OpInfo("mse_loss", _loss("mse_loss"), _pairs(_weighted)),
    OpInfo("smooth_l1_loss", _loss("smooth_l1_loss", beta=0.7), _pairs()),
    OpInfo("smooth_l1_loss_beta0", _loss("smooth_l1_loss", beta=0.0), _pairs()),
    OpInfo("huber_loss", _loss("huber_loss", delta=0.6), _pairs(_weighted, int_target=False)),
    OpInfo("kl_div", _loss("kl_div"), _kl_samples),
    OpInfo("nll_loss", _loss("nll_loss"), _nll_samples),
    OpInfo("cross_entropy", _loss("cross_entropy"), _cross_entropy_samples),
    OpInfo("cross_entropy_probabilities", _loss("cross_entropy"), _probability_samples),
    OpInfo("binary_cross_entropy", _loss("binary_cross_entropy"), _bce_samples),
    OpInfo("bce_with_logits", _loss("binary_cross_entropy_with_logits"), _bce_logits_samples),
    OpInfo("poisson_nll_loss", _loss("poisson_nll_loss"), _poisson_samples),
    OpInfo("poisson_zero_counts", _loss("poisson_nll_loss"), _poisson_zero_counts, gradcheck=False),
    OpInfo("gaussian_nll_loss", _loss("gaussian_nll_loss"), _gaussian_samples),
    OpInfo(
        "gaussian_small_var", _loss("gaussian_nll_loss"), _gaussian_small_variances, gradcheck=False
    ),
    OpInfo("cosine_embedding_loss", _loss("cosine_embedding_loss"), _cosine_embedding_samples),
    OpInfo("margin_ranking_loss", _loss("margin_ranking_loss"), _ranking_samples),
    OpInfo("hinge_embedding_loss", _loss("hinge_embedding_loss"), _hinge_samples),
    OpInfo("soft_margin_loss", _loss("soft_margin_loss"), _soft_margin_samples),
    OpInfo(
        "multilabel_soft_margin", _loss("multilabel_soft_margin_loss"), _multilabel_soft_samples
    ),
    OpInfo("multi_margin_loss", _loss("multi_margin_loss"), _multi_margin_samples),
    OpInfo("multilabel_margin_loss", _loss("multilabel_margin_loss"), _multilabel_margin_samples),
    OpInfo("triplet_margin_loss", _loss("triplet_margin_loss"), _triplet_norm_samples),
    OpInfo("triplet_with_distance", _loss("triplet_margin_with_distance_loss"), _triplet_samples),
    OpInfo("triplet_with_cosine", _with_cosine_distance, _triplet_samples),
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("info, sample", cases(LOSSES))
def test_matches_torch(info, sample):
    check_against_torch(info, sample)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("info, sample", cases(LOSSES))
def test_gradcheck(info, sample):
    check_gradcheck(info, sample)


# ----- modules: PyTorch's positional arguments, legacy flags, buffers -----

MODULES = [
    ("L1Loss", (), {}),
    ("MSELoss", (None, None, "sum"), {}),
    ("MSELoss", (False,), {}),
    ("MSELoss", (None, False), {}),
    ("SmoothL1Loss", (), {"beta": 0.5}),
    ("HuberLoss", ("sum", 0.5), {}),
    ("KLDivLoss", (None, None, "batchmean", True), {}),
    ("NLLLoss", ([1.0, 2.0, 0.5, 1.0], None, 2), {}),
    ("CrossEntropyLoss", ([1.0, 2.0, 0.5, 1.0], None, 1, None, "sum", 0.1), {}),
    ("CrossEntropyLoss", (None, True, -100, False), {}),
    ("BCELoss", ([0.5, 1.0, 2.0, 1.0],), {}),
    ("BCEWithLogitsLoss", (None, None, None, "mean", [1.0, 2.0, 3.0, 0.5]), {}),
    ("PoissonNLLLoss", (False, True, None, 1e-6), {}),
    ("GaussianNLLLoss", (), {"full": True, "eps": 1e-4, "reduction": "sum"}),
    ("CosineEmbeddingLoss", (0.2,), {}),
    ("MarginRankingLoss", (0.3, None, None, "none"), {}),
    ("HingeEmbeddingLoss", (0.5,), {}),
    ("SoftMarginLoss", (), {"reduction": "sum"}),
    ("MultiLabelSoftMarginLoss", ([1.0, 2.0, 0.5, 1.0],), {}),
    ("MultiMarginLoss", (2, 0.5, [1.0, 2.0, 0.5, 1.0]), {}),
    ("MultiLabelMarginLoss", (), {}),
    ("TripletMarginLoss", (0.5, 1.0, 1e-6, True), {}),
    ("TripletMarginWithDistanceLoss", (), {"margin": 0.5, "swap": True}),
]


def _module_inputs(name, rng):
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    labels = rng.integers(0, 4, 3)
    if name in ("NLLLoss",):
        return (np.log(rng.dirichlet(np.ones(4), 3)), Const(labels))
    if name in ("CrossEntropyLoss", "MultiMarginLoss"):
        return (x, Const(labels))
    if name in ("BCELoss",):
        return (rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(0, 1, (3, 4)))
    if name in ("KLDivLoss",):
        return (np.log(rng.dirichlet(np.ones(4), 3)), np.log(rng.dirichlet(np.ones(4), 3)))
    if name in ("PoissonNLLLoss",):
        return (rng.uniform(0.5, 2, (3, 4)), rng.uniform(1.5, 4, (3, 4)))
    if name == "GaussianNLLLoss":
        return (x, y, rng.uniform(0.5, 2, (3, 4)))
    if name == "CosineEmbeddingLoss":
        return (x, y, Const(np.array([1, -1, 1])))
    if name == "MarginRankingLoss":
        return (x[0], y[0], np.array([1.0, -1.0, 1.0, -1.0]))
    if name in ("HingeEmbeddingLoss", "SoftMarginLoss"):
        return (x, Const(np.sign(y)))
    if name == "MultiLabelSoftMarginLoss":
        return (x, (y > 0).astype(np.float64))
    if name == "MultiLabelMarginLoss":
        return (x, Const(np.array([[1, 2, -1, 0], [3, -1, 0, 0], [0, 1, 2, 3]])))
    if name.startswith("Triplet"):
        return (x, y, rng.standard_normal((3, 4)))
    return (x, y)


def _tensorise(lib, value):
    return lib.tensor(value) if isinstance(value, list) else value


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name, args, kwargs", MODULES, ids=[f"{m[0]}{m[1]}" for m in MODULES])
def test_modules_match_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, name)(*[_tensorise(wright, a) for a in args], **kwargs)
    theirs = getattr(torch.nn, name)(*[_tensorise(torch, a) for a in args], **kwargs).double()
    assert ours.reduction == theirs.reduction
    assert list(ours.state_dict()) == list(theirs.state_dict())
    inputs = _module_inputs(name, np.random.default_rng(0))
    # Our module moves to the device of the inputs it is given (the CPU, then the second device).
    info = OpInfo(
        name, lambda lib, *xs: (ours.to(xs[0].device) if lib is wright else theirs)(*xs), None
    )
    check_against_torch(info, Sample(inputs))


def test_legacy_flags_warn_and_must_be_bools():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.L1Loss(size_average=False).reduction == "sum"
    x = wright.randn(3, 4)
    with pytest.warns(UserWarning, match="reduction='none'"):
        loss = F.mse_loss(x, x, reduce=False)
    assert loss.shape == (3, 4)
    with pytest.raises(TypeError, match="size_average must be True, False or None.*'sum'"):
        nn.MSELoss("sum")


@pytest.mark.parametrize(
    "loss",
    [
        lambda r: F.mse_loss(wright.randn(4, 3), np.zeros((4, 3)), reduction=r),
        lambda r: F.cross_entropy(wright.randn(4, 3), np.zeros(4, dtype=np.int64), reduction=r),
        lambda r: F.nll_loss(wright.randn(4, 3), np.zeros(4, dtype=np.int64), reduction=r),
        lambda r: F.binary_cross_entropy(wright.full((2,), 0.5), np.zeros(2), reduction=r),
        lambda r: F.kl_div(wright.randn(2), np.ones(2), reduction=r),
        lambda r: F.poisson_nll_loss(wright.randn(2), np.ones(2), reduction=r),
        lambda r: F.gaussian_nll_loss(wright.randn(2), np.ones(2), np.ones(2), reduction=r),
        lambda r: F.huber_loss(wright.randn(2), np.ones(2), reduction=r),
    ],
)
def test_unknown_reduction_is_refused(loss):
    with pytest.raises(ValueError, match="reduction must be one of.*'avg'"):
        loss("avg")
    assert loss("none").shape != ()


# ----- cross-entropy and NLL edge cases -----


@pytest.mark.parametrize(
    "settings",
    [{}, {"label_smoothing": 0.1}, {"weight": True}, {"weight": True, "label_smoothing": 0.2}],
)
def test_every_label_ignored_gives_nan_and_zero_gradient(settings):
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(0).standard_normal((2, 3))
    kwargs = dict(settings)
    weight = kwargs.pop("weight", None)
    ours = wright.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    our_loss = F.cross_entropy(
        ours, np.array([-100, -100]), weight=wright.ones(3) if weight else None, **kwargs
    )
    their_loss = torch.nn.functional.cross_entropy(
        theirs,
        torch.tensor([-100, -100]),
        weight=torch.ones(3, dtype=torch.float64) if weight else None,
        **kwargs,
    )
    assert np.isnan(our_loss.item()) and np.isnan(their_loss.item())
    our_loss.backward()
    their_loss.backward()
    np.testing.assert_array_equal(ours.grad.array, theirs.grad.numpy())


def test_weights_summing_to_zero_give_nan_as_torch():
    torch = pytest.importorskip("torch")
    info = OpInfo("nll_zero_weight", _loss("nll_loss"), None)
    sample = Sample(
        (np.log(np.full((3, 4), 0.25)), Const(np.array([0, 1, 2]))),
        {"weight": Const(np.array([0.0, 0.0, 0.0, 1.0]))},
    )
    check_against_torch(info, sample)
    assert torch is not None


@settings(max_examples=30, deadline=None)
@given(
    batch=st.integers(1, 4),
    classes=st.integers(1, 5),
    spatial=st.lists(st.integers(1, 3), max_size=2),
    weighted=st.booleans(),
    ignore=st.booleans(),
    smoothing=st.sampled_from([0.0, 0.1, 1.0]),
    reduction=st.sampled_from(REDUCTIONS),
    seed=st.integers(0, 999),
)
def test_cross_entropy_settings_match_torch(
    batch, classes, spatial, weighted, ignore, smoothing, reduction, seed
):
    rng = np.random.default_rng(seed)
    shape = (batch, classes, *spatial)
    labels = rng.integers(0, classes, (batch, *spatial))
    kwargs = {"label_smoothing": smoothing, "reduction": reduction}
    if ignore:
        labels[rng.random(labels.shape) < 0.3] = 0
        kwargs["ignore_index"] = 0
    if weighted:
        kwargs["weight"] = Const(rng.uniform(0.1, 2.0, classes))
    info = OpInfo("cross_entropy", _loss("cross_entropy"), None)
    check_against_torch(info, Sample((rng.standard_normal(shape), Const(labels)), kwargs))


def test_cross_entropy_extreme_logits():
    torch = pytest.importorskip("torch")
    info = OpInfo("extreme", _loss("cross_entropy"), None)
    logits = np.array([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]])
    check_against_torch(info, Sample((logits, Const(np.array([1, 2])))))
    check_against_torch(
        info,
        Sample(
            (logits, Const(np.array([1, 2]))),
            {"weight": Const(np.array([1.0, 2.0, 3.0])), "label_smoothing": 0.1},
        ),
    )
    assert np.isfinite(F.cross_entropy(wright.tensor(logits), np.array([1, 2])).item())
    assert torch is not None


def test_cross_entropy_gradcheck_with_everything():
    rng = np.random.default_rng(0)
    logits = wright.tensor(rng.standard_normal((3, 4, 2)), requires_grad=True)
    labels = wright.tensor(np.array([[0, 3], [-100, 1], [2, 2]]))
    weight = wright.tensor(rng.uniform(0.5, 2, 4))
    assert gradcheck(lambda x: F.cross_entropy(x, labels, weight, label_smoothing=0.1), [logits])


def test_label_errors():
    with pytest.raises(RuntimeError, match="integer class indices.*float"):
        F.cross_entropy(wright.randn(3, 4), wright.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(IndexError, match="target 7 is out of bounds for 4 classes"):
        nn.CrossEntropyLoss()(wright.randn(3, 4), np.array([0, 7, 1]))
    with pytest.raises(IndexError, match="target -3 is out of bounds"):
        F.nll_loss(wright.randn(3, 4), np.array([0, -3, 1]))
    with pytest.raises(ValueError, match=r"target of shape \(3,\), got \(2,\)"):
        F.cross_entropy(wright.randn(3, 4), np.array([0, 1]))
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(wright.randn(3, 4), np.array([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="ignore_index is not supported for probability"):
        F.cross_entropy(wright.randn(3, 4), wright.rand(3, 4), ignore_index=1)
    with pytest.raises(RuntimeError, match=r"one value per class \(4\)"):
        F.nll_loss(wright.randn(3, 4), np.array([0, 1, 2]), weight=wright.ones(3))


@pytest.mark.parametrize(
    "call",
    [
        lambda w: F.cross_entropy(wright.randn(3, 4), np.array([0, 1, 2]), weight=w(4)),
        lambda w: F.nll_loss(wright.randn(3, 4), np.array([0, 1, 2]), weight=w(4)),
        lambda w: F.binary_cross_entropy(wright.rand(3, 4), wright.rand(3, 4), weight=w(4)),
        lambda w: F.binary_cross_entropy_with_logits(wright.rand(2, 4), wright.rand(2, 4), w(4)),
        lambda w: F.multi_margin_loss(wright.randn(3, 4), np.array([0, 1, 2]), weight=w(4)),
    ],
)
def test_weights_that_require_grad_are_refused_as_in_torch(call):
    with pytest.raises(RuntimeError, match="not differentiable with respect to"):
        call(lambda n: wright.rand(n, requires_grad=True))
    with wright.no_grad():
        call(lambda n: wright.rand(n, requires_grad=True))


def test_soft_margin_target_must_not_require_grad():
    with pytest.raises(RuntimeError, match="target"):
        F.soft_margin_loss(wright.randn(3), wright.ones(3, requires_grad=True))


def test_plain_cross_entropy_keeps_the_fused_op():
    logits = wright.randn(4, 3, requires_grad=True)
    assert F.cross_entropy(logits, np.array([0, 1, 2, 0])).grad_fn.name() == "CrossEntropyBackward0"


# ----- binary cross-entropy and the rest -----


def test_bce_at_exact_zero_and_one():
    torch = pytest.importorskip("torch")
    info = OpInfo("bce_edges", _loss("binary_cross_entropy", reduction="sum"), None, rtol=1e-9)
    sample = Sample(
        (np.array([0.0, 1.0, 0.0, 1.0, 0.5, 1e-30]), np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.4]))
    )
    check_against_torch(info, sample)
    value = F.binary_cross_entropy(wright.tensor([0.0, 1.0]), np.array([1.0, 0.0]), reduction="sum")
    assert value.item() == 200
    assert torch is not None


def test_bce_rejects_values_outside_zero_one():
    with pytest.raises(RuntimeError, match="probabilities in \\[0, 1\\].*with_logits"):
        nn.BCELoss()(wright.tensor([0.5, 1.5]), wright.tensor([1.0, 0.0]))


def test_shape_rules():
    for loss in (nn.BCELoss(), nn.BCEWithLogitsLoss()):
        with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
            loss(wright.rand(4, 1), wright.rand(4))
    for loss in (nn.MSELoss(), nn.L1Loss(), nn.SmoothL1Loss(), nn.HuberLoss()):
        with pytest.warns(UserWarning, match="broadcast"):
            assert loss(wright.rand(4, 1), wright.rand(4)).shape == ()
    with pytest.raises(ValueError, match="weight"):
        F.mse_loss(wright.rand(3), wright.rand(3), weight=wright.ones(2))


def test_integer_pairs_are_refused():
    with pytest.raises(NotImplementedError, match="mse_loss.*int64"):
        F.mse_loss(wright.tensor([1, 2]), wright.tensor([1, 3]))
    assert F.mse_loss(wright.tensor([1, 2]), wright.tensor([1.0, 3.0])).dtype == np.float32


def test_kl_div_mean_warns_like_torch():
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(wright.randn(2, 3), wright.rand(2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(wright.randn(2, 3), wright.rand(2, 3), reduction="batchmean")


def test_kl_div_target_gradient_at_zero_is_nan_as_in_torch():
    torch = pytest.importorskip("torch")
    info = OpInfo("kl_zero", _loss("kl_div", reduction="sum"), None)
    check_against_torch(info, Sample((np.array([-1.0, -0.5, -2.0]), np.array([0.0, 0.3, 0.7]))))
    assert torch is not None


def test_gaussian_nll_errors():
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(wright.randn(3), wright.randn(3), -wright.rand(3))
    with pytest.raises(ValueError, match="does not fit"):
        F.gaussian_nll_loss(wright.randn(3, 4), wright.randn(3, 4), wright.rand(4))


def test_margin_and_dimension_errors():
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.margin_ranking_loss(wright.randn(3), wright.randn(3), wright.ones(3, 1))
    with pytest.raises(RuntimeError, match="1-D target needs 2-D inputs"):
        F.cosine_embedding_loss(wright.randn(3), wright.randn(3), wright.ones(3))
    with pytest.raises(ValueError, match="p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_with_distance_loss(
            wright.randn(2), wright.randn(2), wright.randn(2), margin=0
        )
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_loss(wright.randn(2, 3), wright.randn(3), wright.randn(2, 3))


def test_loss_reprs():
    assert repr(nn.MSELoss()) == "MSELoss(reduction='mean')"
    assert repr(nn.QuadraticCost(10)) == "QuadraticCost(num_classes=10)"


# ----- the lectures' quadratic cost -----


def test_quadratic_cost_value_and_gradient():
    rng = np.random.default_rng(0)
    outputs_values = rng.uniform(0, 1, size=(6, 4))
    labels = np.array([0, 3, 1, 1, 2, 0])
    one_hot = np.eye(4)[labels]
    outputs = wright.tensor(outputs_values, requires_grad=True)
    cost = nn.QuadraticCost(num_classes=4)(outputs, labels)
    np.testing.assert_allclose(
        cost.item(), 0.5 * np.sum((outputs_values - one_hot) ** 2) / 6, rtol=1e-12
    )
    cost.backward()
    np.testing.assert_allclose(outputs.grad.array, (outputs_values - one_hot) / 6, rtol=1e-12)


@pytest.mark.parametrize("batch", [1, 7])
def test_quadratic_cost_matches_torchs_summed_mse_in_float32_and_gradchecks(batch):
    # 1/2 sum (a - y)^2 / N is torch's mse_loss(reduction="sum") * 0.5 / N against one-hot targets;
    # a batch of one, and labels repeated and at both ends of the classes.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(batch)
    values = rng.uniform(0, 1, size=(batch, 5)).astype(np.float32)
    labels = np.array([0, 4, 4, 2, 0, 1, 3][:batch])
    ours = wright.tensor(values, requires_grad=True)
    cost = nn.QuadraticCost(num_classes=5)(ours, labels)
    cost.backward()
    theirs = torch.tensor(values, requires_grad=True)
    wanted = torch.nn.functional.one_hot(torch.tensor(labels), 5).float()
    expected = torch.nn.functional.mse_loss(theirs, wanted, reduction="sum") * (0.5 / batch)
    expected.backward()
    assert cost.dtype == wright.float32
    np.testing.assert_allclose(cost.item(), expected.item(), rtol=1e-6)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-7)
    cost64 = nn.QuadraticCost(num_classes=5)
    wright.autograd.gradcheck(
        lambda a: cost64(a, labels), [wright.tensor(values.astype(np.float64), requires_grad=True)]
    )


def test_quadratic_cost_of_an_empty_batch_is_nan_like_mse():
    outputs = wright.zeros(0, 10, requires_grad=True)
    cost = nn.QuadraticCost()(outputs, wright.zeros(0, dtype=wright.int64))
    assert math.isnan(cost.item()) and cost.dtype == wright.float32
    cost.backward()
    assert outputs.grad.shape == (0, 10)


def test_quadratic_cost_accepts_tensor_labels_and_checks_classes():
    cost = nn.QuadraticCost()
    assert cost(wright.full((2, 10), 0.5), wright.tensor([1, 9])).dtype == np.float32
    with pytest.raises(ValueError, match=r"QuadraticCost got input of shape \(2, 5\)"):
        cost(wright.rand(2, 5), np.array([1, 2]))
    with pytest.raises(IndexError, match="target 10 is out of bounds"):
        cost(wright.rand(2, 10), np.array([1, 10]))
