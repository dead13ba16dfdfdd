"""Devices: moving tensors and modules, factories, per-device random numbers, checkpoints, and the
layer battery and short training runs on a second device compared with the CPU.

The second device is the strict stand-in for a GPU (tests/strict.py) unless WRIGHT_TEST_DEVICE
names another: `WRIGHT_TEST_DEVICE=cuda` runs the same comparisons on a GPU.
"""

from __future__ import annotations

import copy
import io
import subprocess
import sys

import numpy as np
import pytest

import wright
from opinfo import EXTRA_DEVICE
from wright import backend, cli, nn

DEVICE = "strict" if EXTRA_DEVICE == "none" else EXTRA_DEVICE
needs_device = pytest.mark.skipif(
    EXTRA_DEVICE == "none", reason="WRIGHT_TEST_DEVICE=none: the CPU alone"
)


def _host(t):
    return None if t is None else t.numpy(force=True)


# ----- devices and moving tensors -----


def test_device_names_and_equality():
    assert wright.device("cuda:1") == wright.device("cuda", 1) == "cuda:1"
    assert str(wright.device("cpu")) == "cpu" and repr(wright.device("cuda", 0)).startswith("dev")
    with pytest.raises(ValueError):
        wright.device("cuda:0", 1)
    with pytest.raises(RuntimeError, match="invalid device string 'cuda:x'"):
        wright.device("cuda:x")


def test_cuda_is_optional_and_imported_lazily():
    code = "import sys, wright; wright.zeros(2); print('cupy' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert found.stdout.strip() == "False", found.stderr
    if not wright.cuda.is_available():
        assert wright.cuda.device_count() == 0
        with pytest.raises(RuntimeError, match="CuPy"):
            wright.zeros(2, device="cuda")


def test_to_and_back_keeps_values_dtype_and_gradient():
    x = wright.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    y = x.to(DEVICE)
    assert y.device.type == DEVICE and x.device == "cpu" and y.dtype == x.dtype
    assert y.to(DEVICE) is y and x.cpu() is x and x.get_device() == -1 and y.get_device() == 0
    (y * y).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), 2 * x.detach().numpy())
    z = x.to(DEVICE, wright.float64)
    assert z.dtype == wright.float64 and z.device.type == DEVICE
    assert wright.tensor([1, 2]).to(z).dtype == wright.float64


def test_device_tensors_do_not_turn_into_numpy_silently():
    x = wright.arange(3.0, device=DEVICE)
    with pytest.raises(TypeError, match="cpu"):
        x.numpy()
    with pytest.raises(TypeError):
        np.asarray(x)
    np.testing.assert_array_equal(x.numpy(force=True), [0.0, 1.0, 2.0])
    assert f"device='{x.device}'" in repr(x)
    assert x.tolist() == [0.0, 1.0, 2.0] and x[1].item() == 1.0 and float(x.sum()) == 3.0


def test_mixing_devices_names_both():
    with pytest.raises(RuntimeError, match=f"{DEVICE}:0 and cpu|cpu and {DEVICE}:0"):
        wright.ones(3, device=DEVICE) + wright.ones(3)
    with pytest.raises(RuntimeError, match="same device"):
        wright.ones(2, 2, device=DEVICE) @ wright.ones(2, 2)
    # A CPU scalar tensor joins the other device, as in PyTorch.
    out = wright.ones(3, device=DEVICE) * wright.tensor(2.0)
    assert out.device.type == DEVICE and out.tolist() == [2.0, 2.0, 2.0]


def test_factories_follow_device_and_like():
    for made in (
        wright.zeros(2, device=DEVICE),
        wright.full((2,), 3, device=DEVICE),
        wright.arange(4, device=DEVICE),
        wright.linspace(0, 1, 5, device=DEVICE),
        wright.eye(3, device=DEVICE),
        wright.randn(3, device=DEVICE),
        wright.randint(0, 5, (3,), device=DEVICE),
        wright.randperm(5, device=DEVICE),
        wright.tensor([1.0, 2.0], device=DEVICE),
        wright.as_tensor(np.ones(2), device=DEVICE),
    ):
        assert made.device.type == DEVICE
    x = wright.ones(2, 3, device=DEVICE)
    for made in (wright.zeros_like(x), wright.rand_like(x), x.new_zeros(4), x.new_tensor([1.0])):
        assert made.device.type == DEVICE
    assert sorted(wright.randperm(6, device=DEVICE).tolist()) == list(range(6))
    assert wright.zeros_like(x, device="cpu").device == "cpu"


def test_default_device_context_and_setter():
    with wright.device(DEVICE):
        assert wright.zeros(2).device.type == DEVICE
        assert nn.Linear(2, 3).weight.device.type == DEVICE
        assert wright.get_default_device().type == DEVICE
    assert wright.zeros(2).device == "cpu"
    wright.set_default_device(DEVICE)
    try:
        assert wright.tensor([1.0]).device.type == DEVICE
    finally:
        wright.set_default_device(None)
    assert wright.get_default_device() == "cpu"


def test_generators_are_per_device_and_seeded_together():
    wright.manual_seed(3)
    first = wright.rand(4, device=DEVICE).tolist()
    wright.manual_seed(3)
    assert wright.rand(4, device=DEVICE).tolist() == first
    generator = wright.Generator(device=DEVICE).manual_seed(5)
    draws = wright.randn(3, device=DEVICE, generator=generator)
    assert draws.device.type == DEVICE and generator.device.type == DEVICE
    with pytest.raises(RuntimeError, match="generator"):
        wright.randn(3, generator=generator)
    with pytest.raises(RuntimeError, match="state"):
        generator.get_state()
    x = wright.zeros(1000, device=DEVICE)
    for fill in (
        lambda: x.normal_(),
        lambda: x.uniform_(),
        lambda: x.bernoulli_(0.3),
        lambda: x.exponential_(),
        lambda: x.cauchy_(),
        lambda: x.log_normal_(),
        lambda: x.geometric_(0.5),
        lambda: x.random_(0, 7),
    ):
        assert fill().device.type == DEVICE
    assert 0 <= float(x.min()) and float(x.max()) < 7
    rows = wright.multinomial(wright.tensor([[0.0, 1.0, 3.0]], device=DEVICE), 2)
    assert rows.device.type == DEVICE and 0 not in rows.tolist()[0]


def test_save_and_load_keep_or_move_the_device():
    state = {"w": wright.ones(2, device=DEVICE), "b": wright.zeros(1), "step": 3}
    buffer = io.BytesIO()
    wright.save(state, buffer)
    loaded = wright.load(io.BytesIO(buffer.getvalue()))
    assert loaded["w"].device.type == DEVICE and loaded["b"].device == "cpu"
    on_cpu = wright.load(io.BytesIO(buffer.getvalue()), map_location="cpu")
    assert on_cpu["w"].device == "cpu" and on_cpu["w"].tolist() == [1.0, 1.0]
    renamed = wright.load(io.BytesIO(buffer.getvalue()), map_location={f"{DEVICE}:0": "cpu"})
    assert renamed["w"].device == "cpu"
    moved = wright.load(io.BytesIO(buffer.getvalue()), map_location=DEVICE)
    assert moved["b"].device.type == DEVICE
    seen = []
    wright.load(io.BytesIO(buffer.getvalue()), map_location=lambda t, where: seen.append(where))
    assert sorted(seen) == ["cpu", f"{DEVICE}:0"]


def test_module_to_keeps_parameters_and_optimizer():
    wright.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    weight = model[0].weight
    optimizer = wright.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    assert model.to(DEVICE) is model and model[0].weight is weight
    assert all(t.device.type == DEVICE for t in [*model.parameters(), *model.buffers()])
    for _ in range(2):
        optimizer.zero_grad()
        model(wright.randn(5, 3, device=DEVICE)).sum().backward()
        optimizer.step()
    assert weight.device.type == DEVICE and weight.grad.device.type == DEVICE
    state = optimizer.state_dict()["state"][0]
    assert state["momentum_buffer"].device.type == DEVICE
    assert model.cpu()[0].weight.device == "cpu" and model[1].running_mean.device == "cpu"


def test_scatter_rounds_and_scans_match_numpy():
    # The GPU forms of ufunc.at (rounds of unique positions) and ufunc.accumulate (a doubling
    # scan) against NumPy's own.
    rng = np.random.default_rng(0)
    values = rng.standard_normal(50)
    index = rng.integers(0, 7, 50)
    for name in ("multiply", "maximum", "add"):
        expected = np.ones(7)
        getattr(np, name).at(expected, index, values)
        found = backend.to_device(np.ones(7), wright.device(DEVICE))
        backend.ufunc_at(name, found, backend.to_device(index, wright.device(DEVICE)), values[0])
        reference = np.ones(7)
        getattr(np, name).at(reference, index, values[0])
        np.testing.assert_allclose(backend.to_numpy(found), reference)
    counts = backend.to_device(np.zeros(5, np.int8), wright.device(DEVICE))
    backend.ufunc_at("add", counts, backend.to_device(index % 5, wright.device(DEVICE)), 1)
    np.testing.assert_array_equal(backend.to_numpy(counts), np.bincount(index % 5, minlength=5))
    from wright.ops.scan import running

    lines = rng.standard_normal((3, 9))
    for name in ("maximum", "logaddexp"):
        found = running(name, backend.to_device(lines, wright.device(DEVICE)), 1)
        expected = getattr(np, name).accumulate(lines, axis=1)
        np.testing.assert_allclose(backend.to_numpy(found), expected, rtol=1e-12)


# ----- the layer battery: each layer on the CPU and on the device, compared -----


def _arrays(rng, *shapes, dtype=np.float32):
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def _labels(rng, high, *shape):
    return rng.integers(0, high, shape)


LAYERS = {
    "Linear": (lambda: nn.Linear(5, 3), lambda r: _arrays(r, (4, 5))),
    "Bilinear": (lambda: nn.Bilinear(3, 4, 2), lambda r: _arrays(r, (5, 3), (5, 4))),
    "Conv1d": (lambda: nn.Conv1d(3, 4, 3, padding=1), lambda r: _arrays(r, (2, 3, 9))),
    "Conv2d": (lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1), lambda r: _arrays(r, (2, 3, 8, 8))),
    "Conv2d-groups": (lambda: nn.Conv2d(4, 4, 3, groups=2), lambda r: _arrays(r, (2, 4, 6, 6))),
    "ConvTranspose2d": (
        lambda: nn.ConvTranspose2d(3, 2, 3, stride=2),
        lambda r: _arrays(r, (2, 3, 4, 4)),
    ),
    "MaxPool2d": (lambda: nn.MaxPool2d(2), lambda r: _arrays(r, (2, 3, 8, 8))),
    "MaxPool2d-indices": (
        lambda: nn.MaxPool2d(3, 2, padding=1, return_indices=True),
        lambda r: _arrays(r, (2, 2, 7, 7)),
    ),
    "AvgPool2d": (lambda: nn.AvgPool2d(3, 2, padding=1), lambda r: _arrays(r, (2, 3, 8, 8))),
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d(3), lambda r: _arrays(r, (2, 3, 7, 8))),
    "AdaptiveMaxPool1d": (lambda: nn.AdaptiveMaxPool1d(4), lambda r: _arrays(r, (2, 3, 10))),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(4), lambda r: _arrays(r, (6, 4))),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3), lambda r: _arrays(r, (2, 3, 4, 4))),
    "LayerNorm": (lambda: nn.LayerNorm(6), lambda r: _arrays(r, (3, 6))),
    "RMSNorm": (lambda: nn.RMSNorm(6), lambda r: _arrays(r, (3, 6))),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), lambda r: _arrays(r, (2, 4, 3, 3))),
    "InstanceNorm2d": (
        lambda: nn.InstanceNorm2d(3, affine=True),
        lambda r: _arrays(r, (2, 3, 4, 4)),
    ),
    "Embedding": (lambda: nn.Embedding(10, 4, padding_idx=0), lambda r: [_labels(r, 10, 3, 5)]),
    "RNN": (lambda: nn.RNN(4, 5, num_layers=2), lambda r: _arrays(r, (6, 2, 4))),
    "GRU": (lambda: nn.GRU(4, 5, batch_first=True), lambda r: _arrays(r, (2, 6, 4))),
    "LSTM": (lambda: nn.LSTM(4, 5, bidirectional=True), lambda r: _arrays(r, (6, 2, 4))),
    "LSTMCell": (lambda: nn.LSTMCell(4, 5), lambda r: _arrays(r, (3, 4))),
    "MultiheadAttention": (
        lambda: nn.MultiheadAttention(8, 2, batch_first=True),
        lambda r: _arrays(r, (2, 5, 8), (2, 4, 8), (2, 4, 8)),
    ),
    "TransformerEncoderLayer": (
        lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True),
        lambda r: _arrays(r, (2, 5, 8)),
    ),
    "CausalSelfAttention": (  # the fused causal attention op
        lambda: wright.models.char_transformer.CausalSelfAttention(8, 2),
        lambda r: _arrays(r, (2, 5, 8)),
    ),
    "PReLU": (lambda: nn.PReLU(3), lambda r: _arrays(r, (2, 3, 4))),
    "GELU-tanh": (lambda: nn.GELU("tanh"), lambda r: _arrays(r, (3, 4))),
    "Softmax": (lambda: nn.Softmax(-1), lambda r: _arrays(r, (3, 4))),
    "LogSoftmax": (lambda: nn.LogSoftmax(1), lambda r: _arrays(r, (3, 4))),
    "Mish": (lambda: nn.Mish(), lambda r: _arrays(r, (3, 4))),
    "Hardswish": (lambda: nn.Hardswish(), lambda r: _arrays(r, (3, 4))),
    "Upsample-bilinear": (
        lambda: nn.Upsample(scale_factor=2, mode="bilinear"),
        lambda r: _arrays(r, (1, 2, 3, 3)),
    ),
    "Upsample-nearest": (lambda: nn.Upsample(size=(5, 7)), lambda r: _arrays(r, (1, 2, 3, 3))),
    "PixelShuffle": (lambda: nn.PixelShuffle(2), lambda r: _arrays(r, (1, 8, 2, 3))),
    "ReflectionPad2d": (lambda: nn.ReflectionPad2d(1), lambda r: _arrays(r, (1, 2, 3, 3))),
    "ConvTranspose1d": (
        lambda: nn.ConvTranspose1d(2, 3, 4, stride=2, padding=1),
        lambda r: _arrays(r, (2, 2, 5)),
    ),
    "PixelUnshuffle": (lambda: nn.PixelUnshuffle(2), lambda r: _arrays(r, (1, 2, 4, 6))),
    "ZeroPad2d": (lambda: nn.ZeroPad2d((1, 0, 2, 1)), lambda r: _arrays(r, (1, 2, 3, 3))),
    "TripletMarginLoss": (
        lambda: nn.TripletMarginLoss(),
        lambda r: _arrays(r, (3, 4), (3, 4), (3, 4)),
    ),
    "Flatten": (lambda: nn.Flatten(), lambda r: _arrays(r, (2, 3, 4))),
    "CrossEntropyLoss": (
        lambda: nn.CrossEntropyLoss(label_smoothing=0.1),
        lambda r: [*_arrays(r, (4, 5)), _labels(r, 5, 4)],
    ),
    "NLLLoss": (
        lambda: nn.NLLLoss(weight=wright.rand(5), ignore_index=2),
        lambda r: [*_arrays(r, (4, 5)), _labels(r, 5, 4)],
    ),
    "MSELoss": (lambda: nn.MSELoss(), lambda r: _arrays(r, (3, 4), (3, 4))),
    "SmoothL1Loss": (lambda: nn.SmoothL1Loss(), lambda r: _arrays(r, (3, 4), (3, 4))),
    "BCEWithLogitsLoss": (
        lambda: nn.BCEWithLogitsLoss(pos_weight=wright.rand(4)),
        lambda r: [*_arrays(r, (3, 4)), r.random((3, 4)).astype(np.float32)],
    ),
    "KLDivLoss": (
        lambda: nn.KLDivLoss(reduction="batchmean", log_target=True),
        lambda r: _arrays(r, (3, 4), (3, 4)),
    ),
    "MultiMarginLoss": (
        lambda: nn.MultiMarginLoss(),
        lambda r: [*_arrays(r, (3, 4)), _labels(r, 4, 3)],
    ),
    "CosineEmbeddingLoss": (
        lambda: nn.CosineEmbeddingLoss(0.1),
        lambda r: [*_arrays(r, (3, 4), (3, 4)), np.array([1, -1, 1])],
    ),
}


def _run_layer(module, arrays, device):
    inputs = [wright.tensor(a, device=device, requires_grad=a.dtype.kind == "f") for a in arrays]
    with wright.device(device):  # tensors a layer makes itself land there too
        result = module(*inputs)
    outputs = [t for t in (result if isinstance(result, tuple) else (result,))]
    outputs = [o for item in outputs for o in (item if isinstance(item, tuple) else (item,))]
    assert all(o.device.type == device for o in outputs if o is not None)
    rng = np.random.default_rng(1)
    trained = [o for o in outputs if o is not None and o.requires_grad]
    if trained:
        sum(
            (o * wright.tensor(rng.standard_normal(o.shape), dtype=o.dtype, device=device)).sum()
            for o in trained
        ).backward()
    return (
        [_host(o) for o in outputs],
        [_host(t.grad) for t in inputs],
        {name: _host(p.grad) for name, p in module.named_parameters()},
        {name: _host(b) for name, b in module.named_buffers()},
    )


def _assert_same(ours, theirs, what=""):
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), what
        for key in theirs:
            _assert_same(ours[key], theirs[key], f"{what} {key}")
    elif isinstance(theirs, list | tuple):
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            _assert_same(a, b, f"{what} {i}")
    elif theirs is None:
        assert ours is None, what
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6, err_msg=what)


@needs_device
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_the_cpu(name):
    build, make_inputs = LAYERS[name]
    wright.manual_seed(0)
    on_cpu = build()
    on_device = copy.deepcopy(on_cpu).to(DEVICE)
    arrays = make_inputs(np.random.default_rng(0))
    for training in (True, False):
        on_cpu.train(training), on_device.train(training)
        expected = _run_layer(on_cpu, arrays, "cpu")
        on_cpu.zero_grad()
        _assert_same(_run_layer(on_device, arrays, DEVICE), expected, name)
        on_device.zero_grad()


# ----- short training runs: the same steps on the CPU and on the device -----


def _mnist(count: int):
    data = wright.datasets.MNIST("test", limit=count)
    images = data.images.reshape(count, 1, 28, 28).astype(np.float32) / 255
    return images, data.targets


def _train(model, optimizer, batches, device, loss=nn.functional.cross_entropy):
    losses = []
    for inputs, target in batches:
        optimizer.zero_grad()
        out = model(wright.tensor(inputs, device=device))
        value = loss(out, wright.tensor(target, device=device))
        value.backward()
        optimizer.step()
        losses.append(value.item())
    return losses, {name: _host(p) for name, p in model.state_dict().items()}


def _compare_training(build, make_optimizer, batches, loss=nn.functional.cross_entropy):
    wright.manual_seed(0)
    model = build()
    twin = copy.deepcopy(model).to(DEVICE)  # moved before its optimizer is made, as in PyTorch
    expected = _train(model, make_optimizer(model), batches, "cpu", loss)
    found = _train(twin, make_optimizer(twin), batches, DEVICE, loss)
    np.testing.assert_allclose(found[0], expected[0], rtol=1e-4)
    for key in expected[1]:
        np.testing.assert_allclose(found[1][key], expected[1][key], rtol=1e-3, atol=1e-5)
    assert expected[0][-1] < expected[0][0]


@needs_device
def test_mnist_mlp_trains_the_same():
    images, labels = _mnist(192)
    batches = [(images[i : i + 64], labels[i : i + 64]) for i in range(0, 192, 64)] * 2
    _compare_training(
        lambda: wright.models.build("mlp"),
        lambda m: wright.optim.Adam(m.parameters(), lr=1e-3),
        batches,
    )


@needs_device
def test_small_cnn_trains_the_same():
    images, labels = _mnist(96)
    batches = [(images[i : i + 32], labels[i : i + 32]) for i in range(0, 96, 32)] * 2
    _compare_training(
        lambda: wright.models.build("cnn"),
        lambda m: wright.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4),
        batches,
    )


@needs_device
def test_char_lstm_trains_the_same():
    rng = np.random.default_rng(0)
    text = rng.integers(0, 20, (13, 8))  # (T + 1, N) character codes

    def loss(out, target):
        logits, _ = out
        return nn.functional.cross_entropy(logits.reshape(-1, 20), target.reshape(-1))

    batches = [(text[:-1], text[1:])] * 4
    _compare_training(
        lambda: wright.models.build("char-lstm", vocab_size=20, embedding_dim=8, hidden_size=16),
        lambda m: wright.optim.RMSprop(m.parameters(), lr=3e-3),
        batches,
        loss,
    )


OPTIMIZERS = {
    "Adagrad": lambda p: wright.optim.Adagrad(p, lr=0.1),
    "Adadelta": lambda p: wright.optim.Adadelta(p),
    "Adamax": lambda p: wright.optim.Adamax(p, lr=0.01),
    "AdamW-amsgrad": lambda p: wright.optim.AdamW(p, lr=0.01, amsgrad=True),
    "NAdam": lambda p: wright.optim.NAdam(p, lr=0.01),
    "RAdam": lambda p: wright.optim.RAdam(p, lr=0.01),
    "RMSprop-centered": lambda p: wright.optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5),
    "SGD-nesterov": lambda p: wright.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
}


@needs_device
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizers_and_schedulers_step_the_same(name):
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((8, 4)).astype(np.float32), rng.integers(0, 3, 8))] * 3

    def make(model):
        optimizer = OPTIMIZERS[name](model.parameters())
        wright.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        return optimizer

    _compare_training(
        lambda: nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)), make, batches
    )


@needs_device
def test_lbfgs_and_gradient_clipping_on_the_device():
    wright.manual_seed(0)
    x = wright.randn(16, 3, device=DEVICE)
    y = x @ wright.tensor([[1.0], [-2.0], [0.5]], device=DEVICE)
    model = nn.Linear(3, 1).to(DEVICE)
    optimizer = wright.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        return loss

    for _ in range(3):
        optimizer.step(closure)
    assert closure().item() < 1e-3


# ----- the command line: `wright train ... --device` -----


def _train_cli(tmp_path, capsys, *flags):
    argv = ["train", "mnist", "--limit", "300", "--epochs", "1", "--model", "mlp"]
    argv += ["--batch-size", "50", "--verbose", "0", "--out", str(tmp_path), *flags]
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, wright.load(tmp_path / "model.npz")


@needs_device
def test_train_command_on_the_device_matches_the_cpu(tmp_path, capsys):
    out, saved = _train_cli(tmp_path / "device", capsys, "--device", DEVICE)
    expected_out, expected = _train_cli(tmp_path / "cpu", capsys)
    accuracy = [line for line in out.splitlines() if line.startswith("test accuracy")]
    assert accuracy == [line for line in expected_out.splitlines() if "test accuracy" in line]
    # The weights match the CPU run's (to float32 rounding: the CPU splits its products over
    # threads, the device does not); a checkpoint read by the commands lands on the host.
    assert {t.device.type for t in saved["model"].values()} == {DEVICE}
    model = wright.models.load_checkpoint(tmp_path / "device" / "model.npz").model
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    for key, value in expected["model"].items():
        np.testing.assert_allclose(_host(saved["model"][key]), value.numpy(), rtol=1e-3, atol=2e-5)
    # and the run goes on from it on the CPU
    resumed = cli.main(
        ["train", "mnist", "--resume", "--epochs", "2", "--verbose", "0"]
        + ["--out", str(tmp_path / "device")]
    )
    assert resumed == 0 and wright.load(tmp_path / "device" / "model.npz")["epoch"] == 2


def test_train_command_names_a_device_it_cannot_use(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["train", "mnist", "--device", "tpu"])
    assert stop.value.code == 2
    assert "argument --device: device: unknown device type 'tpu'" in capsys.readouterr().err


@needs_device
def test_train_shakespeare_on_the_device_matches_the_cpu(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(wright.models.get("char-lstm").options, "hidden_size", 16)
    (tmp_path / "tinyshakespeare").mkdir()
    (tmp_path / "tinyshakespeare" / "input.txt").write_text(
        "To be, or not to be: that is it.\n" * 40
    )
    losses = {}
    for where in ("cpu", DEVICE):
        argv = ["train", "shakespeare", "--data", str(tmp_path), "--out", str(tmp_path / where)]
        argv += ["--batch-size", "4", "--eval-every", "2", "--steps", "4", "--verbose", "0"]
        assert cli.main([*argv, "--device", where]) == 0
        out = capsys.readouterr().out
        losses[where] = [line for line in out.splitlines() if line.startswith("validation loss")]
    assert losses[DEVICE] == losses["cpu"] and len(losses["cpu"]) == 1
