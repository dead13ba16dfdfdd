"""Process-wide settings against PyTorch: the random state, print options, default device,
determinism and precision flags, anomaly detection, compile, frombuffer and empty_strided."""

import array

import numpy as np
import pytest

import wright
from opinfo import check_same_error

torch = pytest.importorskip("torch")


@pytest.fixture
def restore_printing():
    yield
    wright.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def test_rng_state_round_trip():
    wright.manual_seed(5)
    assert wright.initial_seed() == 5
    state = wright.get_rng_state()
    assert state.dtype == wright.uint8 and state.ndim == 1
    first = wright.randn(4)
    wright.randn(10)
    wright.set_rng_state(state)
    np.testing.assert_array_equal(wright.randn(4).numpy(), first.numpy())
    assert wright.initial_seed() == 5
    seeded = wright.seed()
    assert wright.initial_seed() == seeded
    with pytest.raises(TypeError):
        wright.set_rng_state(wright.zeros(3))
    with pytest.raises(RuntimeError):
        wright.set_rng_state(wright.zeros(3, dtype=wright.uint8))


TENSORS = {
    "floats": lambda lib: lib.arange(30.0) * 1.5,
    "ints": lambda lib: lib.arange(25),
    "scientific": lambda lib: lib.tensor([1e-5, 1.0, 3.0]),
    "whole": lambda lib: lib.tensor([[1.0, 2.0], [300.0, -4.0]]),
    "matrix": lambda lib: lib.arange(12.0).reshape(3, 4) / 7,
    "long": lambda lib: lib.arange(2000.0) / 3,
    "long-ints": lambda lib: lib.arange(1500).reshape(30, 50),
    "3d-summarised": lambda lib: lib.arange(3000.0).reshape(10, 10, 30),
    "non-finite": lambda lib: lib.tensor([1.0, float("nan"), 1e10, float("-inf")]),
    "zeros": lambda lib: lib.zeros(2, 3),
    "bool": lambda lib: lib.tensor([True, False]),
    "uint8": lambda lib: lib.tensor([1, 200], dtype=lib.uint8),
    "0d": lambda lib: lib.tensor(3.25),
    "0d-grad": lambda lib: lib.tensor(2.0, requires_grad=True),
    "empty": lambda lib: lib.zeros(0),
    "empty-2d-float64": lambda lib: lib.zeros(2, 0, dtype=lib.float64),
    "empty-int": lambda lib: lib.zeros(0, 3, dtype=lib.int64),
    "negative-small": lambda lib: lib.tensor([-0.0001, 2.0]),
    "float64": lambda lib: lib.arange(6, dtype=lib.float64).reshape(2, 3) / 3,
}
OPTIONS = {
    "default": {},
    "precision": {"precision": 2},
    "sci": {"sci_mode": True},
    "no-sci": {"sci_mode": False},
    "threshold": {"threshold": 10, "edgeitems": 2},
    "linewidth": {"linewidth": 40},
    "short": {"profile": "short"},
    "full": {"profile": "full"},
}


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize("make", TENSORS.values(), ids=TENSORS.keys())
def test_print_options_match_torch(make, options, restore_printing):
    wright.set_printoptions(**options)
    torch.set_printoptions(**options)
    assert repr(make(wright)).replace("wright", "torch") == repr(make(torch))


def test_settings_flags_match_torch():
    for lib in (wright, torch):
        assert lib.get_default_device() == lib.device("cpu")
        lib.set_default_device("cpu")
        lib.set_default_device(None)
        assert not lib.are_deterministic_algorithms_enabled()
        lib.use_deterministic_algorithms(True, warn_only=True)
        assert lib.are_deterministic_algorithms_enabled()
        assert lib.is_deterministic_algorithms_warn_only_enabled()
        assert lib.get_deterministic_debug_mode() == 1
        lib.set_deterministic_debug_mode("error")
        assert lib.get_deterministic_debug_mode() == 2
        lib.use_deterministic_algorithms(False)
        assert lib.get_deterministic_debug_mode() == 0
        assert lib.get_float32_matmul_precision() == "highest"
        lib.set_float32_matmul_precision("high")
        assert lib.get_float32_matmul_precision() == "high"
        lib.set_float32_matmul_precision("highest")
        assert not lib.is_inference_mode_enabled()
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled()
            with lib.inference_mode(False):
                assert not lib.is_inference_mode_enabled()
        assert not lib.is_anomaly_enabled()
        lib.set_anomaly_enabled(True)
        assert lib.is_anomaly_enabled()
        lib.set_anomaly_enabled(False)
        assert not lib.is_warn_always_enabled()
        assert not lib.is_storage(lib.ones(1))
    assert wright.get_num_interop_threads() >= 1


ERRORS = {
    "debug-mode": lambda lib: lib.set_deterministic_debug_mode("loud"),
    "frombuffer-offset": lambda lib: lib.frombuffer(bytearray(8), dtype=lib.float32, offset=9),
    "frombuffer-count": lambda lib: lib.frombuffer(bytearray(8), dtype=lib.float32, count=3),
    "frombuffer-size": lambda lib: lib.frombuffer(bytearray(7), dtype=lib.float32),
    "empty_strided-lengths": lambda lib: lib.empty_strided((2, 3), (1,)),
}


@pytest.mark.parametrize("call", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(call):
    check_same_error(call)


def test_unknown_matmul_precision_warns_and_changes_nothing():
    with pytest.warns(UserWarning):
        wright.set_float32_matmul_precision("fast")
    assert wright.get_float32_matmul_precision() == "highest"


def test_compile_returns_its_argument():
    model = wright.nn.Linear(2, 3)
    assert wright.compile(model) is model
    assert wright.compile(model, mode="max-autotune", fullgraph=True) is model

    @wright.compile(dynamic=True)
    def double(x):
        return x * 2

    assert double(wright.tensor(2.0)).item() == 4.0


def test_frombuffer_shares_memory_like_torch():
    for lib in (wright, torch):
        memory = array.array("f", [1.0, 2.0, 3.0, 4.0])
        made = lib.frombuffer(memory, dtype=lib.float32, count=2, offset=4)
        assert made.tolist() == [2.0, 3.0] and made.dtype == lib.float32
        memory[1] = 7.0
        assert made[0].item() == 7.0
        assert lib.frombuffer(bytearray(b"\x01\x02"), dtype=lib.uint8).tolist() == [1, 2]


def test_empty_strided_matches_torch():
    for lib in (wright, torch):
        made = lib.empty_strided((2, 3), (1, 2), dtype=lib.float64)
        assert made.stride() == (1, 2) and made.dtype == lib.float64
        assert tuple(made.shape) == (2, 3)
        made.fill_(1.0)
        assert made.sum().item() == 6.0
        assert lib.empty_strided((2, 0), (1, 1)).numel() == 0
        assert lib.empty_strided((3,), (2,), requires_grad=True).requires_grad
