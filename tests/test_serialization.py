"""save/load: faithful round trips, atomic writes, damaged and foreign files refused unrun."""

from __future__ import annotations

import pickle
import zipfile

import numpy as np
import pytest

import wright
from wright import nn, optim


class _Touch:
    """Unpickling this object creates `path`: if that file appears, a load ran code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2, bias=False))


def test_state_dict_round_trip(tmp_path):
    model = _model()
    path = tmp_path / "model.wright"
    wright.save(model.state_dict(), path)
    loaded = wright.load(path)
    assert list(loaded) == ["0.weight", "0.bias", "2.weight"]
    for name, value in model.state_dict().items():
        assert isinstance(loaded[name], wright.Tensor)
        assert loaded[name].dtype == value.dtype
        np.testing.assert_array_equal(loaded[name].array, value.array)
    fresh = _model()
    fresh.load_state_dict(loaded)
    x = wright.randn(5, 4)
    np.testing.assert_array_equal(fresh(x).array, model(x).array)


def test_nested_structures_round_trip(tmp_path):
    obj = {
        "epoch": 7,
        "lr": 0.125,
        "name": "run-1",
        "flags": [True, False, None],
        "betas": (0.9, 0.999),
        "counts": {0: [1, 2, {"deep": 3}], 5: {}, -1: "negative key"},
        "array": np.arange(6, dtype=np.int32).reshape(2, 3),
        "tensor": wright.tensor([[1.5, -2.0]]),
        "scalar": wright.tensor(np.float64(3.0)),
        "numpy_number": np.float32(0.5),
        "special": [float("inf"), -float("inf")],
        "empty": [],
    }
    path = tmp_path / "nested.wright"
    wright.save(obj, path)
    loaded = wright.load(path)
    assert loaded["epoch"] == 7 and loaded["lr"] == 0.125 and loaded["name"] == "run-1"
    assert loaded["flags"] == [True, False, None]
    assert loaded["betas"] == (0.9, 0.999) and isinstance(loaded["betas"], tuple)
    assert loaded["counts"] == {0: [1, 2, {"deep": 3}], 5: {}, -1: "negative key"}
    assert list(loaded["counts"]) == [0, 5, -1]
    assert isinstance(loaded["array"], np.ndarray) and loaded["array"].dtype == np.int32
    np.testing.assert_array_equal(loaded["array"], obj["array"])
    assert isinstance(loaded["tensor"], wright.Tensor) and loaded["tensor"].dtype == np.float32
    np.testing.assert_array_equal(loaded["tensor"].array, [[1.5, -2.0]])
    assert loaded["scalar"].shape == () and loaded["scalar"].item() == 3.0
    assert loaded["numpy_number"] == 0.5 and loaded["special"] == [float("inf"), -float("inf")]
    assert loaded["empty"] == []


def test_float_values_survive_exactly(tmp_path):
    values = [0.1, 1 / 3, 1e-300, 123456789.123456789]
    wright.save({"values": values}, tmp_path / "f.wright")
    assert wright.load(tmp_path / "f.wright")["values"] == values


def test_optimizer_state_round_trip(tmp_path):
    model = _model()
    optimizer = optim.Adam(model.parameters(), lr=0.01, weight_decay=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        model(wright.randn(8, 4)).sum().backward()
        optimizer.step()
    state = optimizer.state_dict()
    wright.save(state, tmp_path / "opt.wright")
    loaded = wright.load(tmp_path / "opt.wright")
    assert sorted(loaded["state"]) == [0, 1, 2]
    assert loaded["state"][0]["step"] == 3
    np.testing.assert_array_equal(loaded["state"][1]["exp_avg_sq"], state["state"][1]["exp_avg_sq"])
    assert loaded["param_groups"][0]["betas"] == (0.9, 0.999)
    assert loaded["param_groups"][0]["params"] == [0, 1, 2]


def test_save_creates_parent_directories(tmp_path):
    path = tmp_path / "a" / "b" / "c.wright"
    wright.save({"x": 1}, path)
    assert wright.load(path) == {"x": 1}


@pytest.mark.parametrize(
    "bad", [{1.5: "float key"}, {(1, 2): "tuple key"}, {"x": {1, 2}}, {"x": object()}]
)
def test_unsupported_values_are_refused(tmp_path, bad):
    with pytest.raises(TypeError, match="save"):
        wright.save(bad, tmp_path / "bad.wright")
    assert list(tmp_path.iterdir()) == []


def test_failed_save_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.wright"
    wright.save({"version": 1, "w": np.ones(3)}, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        wright.save({"version": 2, "w": np.zeros(3)}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.wright"]
    monkeypatch.undo()
    assert wright.load(path)["version"] == 1


def test_interrupted_save_leaves_no_temp_file(tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupt)
    with pytest.raises(KeyboardInterrupt):
        wright.save({"x": 1}, tmp_path / "new.wright")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("keep", [0, 10, 100, 0.5, 0.9])
def test_truncated_file_raises_value_error(tmp_path, keep):
    path = tmp_path / "model.wright"
    wright.save(_model().state_dict(), path)
    data = path.read_bytes()
    path.write_bytes(data[: keep if isinstance(keep, int) else int(len(data) * keep)])
    with pytest.raises(ValueError, match="load"):
        wright.load(path)


def test_random_bytes_raise_value_error(tmp_path):
    path = tmp_path / "noise.wright"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError):
        wright.load(path)


def test_plain_npz_is_not_a_wright_file(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, weights=np.ones(3))
    with pytest.raises(ValueError, match="not one written by wright.save"):
        wright.load(path)


def test_plain_npy_is_not_a_wright_file(tmp_path):
    path = tmp_path / "plain.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match="load"):
        wright.load(path)


def test_zip_that_is_not_npz_raises_value_error(tmp_path):
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValueError):
        wright.load(path)


def test_pickle_file_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"weights": _Touch(marker)}))
    with pytest.raises(ValueError):
        wright.load(path)
    assert not marker.exists()


def test_pickled_array_inside_a_wright_file_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.wright"
    wright.save({"w": np.ones(2)}, path)
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["a0"] = np.array([_Touch(marker)], dtype=object)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    with pytest.raises(ValueError):
        wright.load(path)
    assert not marker.exists()


def test_user_keys_that_look_like_markers_round_trip(tmp_path):
    obj = {"__array__": "a0", "tensor": True, "__dict__": [], "__list__": {"tuple": 1}}
    wright.save(obj, tmp_path / "keys.wright")
    assert wright.load(tmp_path / "keys.wright") == obj


def _write_description(path, description: bytes, **arrays):
    np.savez(path, __wright__=np.frombuffer(description, dtype=np.uint8), **arrays)


@pytest.mark.parametrize(
    "description",
    [
        b"\xff\xfe not json",
        b"[1, 2, 3]",
        b'{"format": "other", "object": 1}',
        b'{"format": "wright"}',
        b'{"format": "wright", "object": {"__array__": "a7", "tensor": true}}',
        b'{"format": "wright", "object": {"__dict__": 5}}',
        b'{"format": "wright", "object": {"__dict__": [[1]]}}',
    ],
)
def test_damaged_description_raises_value_error(tmp_path, description):
    path = tmp_path / "damaged.npz"
    _write_description(path, description, a0=np.ones(2))
    with pytest.raises(ValueError, match="load"):
        wright.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file"):
        wright.load(tmp_path / "absent.wright")


# ----- PyTorch's save/load signatures, and nothing lost -----


def test_file_objects_map_location_and_weights_only():
    import io

    state = {"w": wright.tensor([1.0, 2.0]), "step": 3, "name": "mlp"}
    buffer = io.BytesIO()
    wright.save(state, buffer)
    buffer.seek(0)
    loaded = wright.load(buffer, map_location="cpu", weights_only=True)
    assert loaded["w"].tolist() == [1.0, 2.0] and loaded["step"] == 3 and loaded["name"] == "mlp"
    buffer.seek(0)
    assert wright.load(buffer, map_location=lambda storage, location: storage)["step"] == 3
    buffer.seek(0)
    with pytest.raises(RuntimeError, match="cuda"):
        wright.load(buffer, map_location="cuda:0")


def test_refused_objects_leave_the_old_file_untouched(tmp_path):
    path = tmp_path / "model.npz"
    wright.save({"w": wright.ones(2)}, path)
    before = path.read_bytes()
    for bad in (np.array(["a", "b"]), np.array([object()], dtype=object), np.array([b"x"])):
        with pytest.raises(TypeError, match="numbers"):
            wright.save({"w": bad}, path)
    with pytest.raises(TypeError):
        wright.tensor(None)
    assert path.read_bytes() == before


def test_load_rejects_string_members(tmp_path):
    import json

    path = tmp_path / "strings.npz"
    meta = {"format": "wright", "version": 1, "object": {"__array__": "a0", "tensor": True}}
    np.savez(
        path,
        a0=np.array(["text"]),
        __wright__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
    )
    with pytest.raises(ValueError, match="only numbers"):
        wright.load(path)


def test_saving_through_a_symlink_replaces_the_target(tmp_path):
    target = tmp_path / "real.npz"
    link = tmp_path / "link.npz"
    wright.save({"v": 1}, target)
    link.symlink_to(target)
    wright.save({"v": 2}, link)
    assert link.is_symlink() and wright.load(target)["v"] == 2


def test_long_names_permissions_and_stale_temporary_files(tmp_path):
    import os
    import stat

    name = "m" * 250 + ".npz"  # near the 255-byte limit of a file name
    wright.save({"v": 1}, tmp_path / name)
    mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
    stale = tmp_path / ".wright-999999999-abc.tmp"
    stale.write_bytes(b"x" * 100)
    wright.save({"v": 2}, tmp_path / "other.npz")
    assert not stale.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_member_that_would_inflate_absurdly_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a0.npy", b"\0" * (64 << 20))
        archive.writestr("__wright__.npy", b"\0" * 10)
    with pytest.raises(ValueError, match="refusing to inflate"):
        wright.load(path)


def test_a_whole_module_cannot_be_pickled_and_the_message_says_what_to_save():
    with pytest.raises(TypeError, match="state_dict"):
        wright.save(wright.nn.Linear(2, 2), "never-written.npz")
