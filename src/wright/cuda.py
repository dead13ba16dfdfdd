"""`wright.cuda`: PyTorch's GPU probe and controls. wright computes on NVIDIA GPUs through CuPy,
which is imported only when a GPU is first asked for (`pip install wright[cuda]`)."""

from __future__ import annotations

from wright import backend


def _cuda() -> backend.DeviceType:
    return backend.device_type("cuda")


def is_available() -> bool:
    """True when CuPy imports and sees at least one GPU."""
    return _cuda().is_available()


def device_count() -> int:
    """The number of GPUs CuPy sees (0 without CuPy)."""
    return _cuda().device_count()


def current_device() -> int:
    """The index of the GPU that `device='cuda'` means."""
    backend.resolve_device("cuda")
    return _cuda().current_index()


def set_device(device) -> None:
    """Make a GPU (an index, 'cuda:N' or a wright.device) the one `device='cuda'` means."""
    found = backend.resolve_device(device)
    index = found.index if found.index is not None else current_device()
    _cuda().module.cuda.Device(index).use()


def get_device_name(device=None) -> str:
    """The GPU's name, as the driver reports it."""
    found = backend.resolve_device("cuda" if device is None else device)
    index = found.index if found.index is not None else current_device()
    name = _cuda().module.cuda.runtime.getDeviceProperties(index)["name"]
    return name.decode() if isinstance(name, bytes) else name


def manual_seed(seed: int) -> None:
    """Seed the default generator of the current GPU (when there is one)."""
    if is_available():
        backend.default_generator("cuda").manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    """Seed the default generators of every GPU (when there are any)."""
    for index in range(device_count()):
        backend.default_generator(f"cuda:{index}").manual_seed(seed)


def synchronize(device=None) -> None:
    """Wait until the GPU has finished the work queued on it (nothing to wait for without one)."""
    if is_available():
        found = backend.resolve_device("cuda" if device is None else device)
        _cuda().synchronize(found.index)
