"""The array-module seam: which array library runs the maths (NumPy, CuPy on a GPU, or a stand-in
the tests register), devices, moving arrays between them, and a random generator per device."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Sequence

import numpy as np

from wright import dtypes

# ----- devices -----


class device:
    """Where a tensor's memory lives: `wright.device("cpu")`, `wright.device("cuda")` or
    `wright.device("cuda", 0)`.

    Compares equal to its string form, so `x.device == "cpu"` works as in PyTorch. As a context
    manager it is the default device of the factories inside the block:
    `with wright.device("cuda"): x = wright.zeros(3)`.
    """

    __slots__ = ("index", "type")

    def __init__(self, type: str | device, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if number:
            if index is not None:
                raise ValueError(f"device: index given twice in {type!r} and index={index}")
            if not number.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r} (e.g. 'cuda:0')")
            index = int(number)
        self.type, self.index = name, index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __enter__(self) -> device:  # noqa: PYI034 (Python 3.10 has no typing.Self)
        _default_devices.append(resolve_device(self))
        return self

    def __exit__(self, *exc) -> None:
        _default_devices.pop()


CPU = device("cpu")
# The default device of factories, last entry first (`set_default_device`, `with device(...)`).
_default_devices: list[device] = [CPU]


def set_default_device(found) -> None:
    """Make factories called without `device=` create tensors on `found` (None: the CPU)."""
    _default_devices[-1] = CPU if found is None else resolve_device(found)


def get_default_device() -> device:
    """The device factories create tensors on when none is named."""
    return _default_devices[-1]


class DeviceType:
    """A kind of device other than the CPU: its array type and array module, and how arrays move
    to and from it.

    CUDA through CuPy is built in (`_Cuda`); the tests register a strict NumPy stand-in the same
    way, so every op is checked for reaching its arrays through `array_module`.
    """

    name: str

    def is_available(self) -> bool:
        """Whether arrays can be made on this kind of device here."""
        raise NotImplementedError

    def device_count(self) -> int:
        """How many devices of this kind there are."""
        return int(self.is_available())

    def load(self) -> None:
        """Import the array library (the first time a device of this kind is asked for) and
        register its array type with `register_array_type`."""

    @property
    def module(self):
        """The array module (NumPy's API) that computes on this kind of device."""
        raise NotImplementedError

    def current_index(self) -> int:
        """The index of the device that new arrays land on when none is named."""
        return 0

    def device_of(self, array) -> device:
        """The device an array of this kind lives on."""
        return device(self.name, 0)

    def from_numpy(self, array: np.ndarray, index: int):
        """A copy of a host array on device `index`."""
        raise NotImplementedError

    def to_numpy(self, array) -> np.ndarray:
        """A host copy of an array of this kind."""
        raise NotImplementedError

    def to_index(self, array, index: int):
        """The array on device `index` (itself when it is there already)."""
        return array

    def new_rng(self, seed: int, index: int):
        """A random generator with the API of CuPy's `Generator` that draws on device `index`."""
        raise NotImplementedError

    def synchronize(self, index: int | None = None) -> None:
        """Wait until the work queued on the device has finished."""


class _Cuda(DeviceType):
    """NVIDIA GPUs through CuPy, imported only when a cuda device is first asked for."""

    name = "cuda"

    def __init__(self) -> None:
        self._cupy = None

    def _import(self):
        if self._cupy is None:
            import cupy

            self._cupy = cupy
            register_array_type(cupy.ndarray, self)
        return self._cupy

    def is_available(self) -> bool:
        try:
            return self._import().cuda.runtime.getDeviceCount() > 0
        except Exception:  # noqa: BLE001 (no CuPy, no driver, or no GPU: all mean "not here")
            return False

    def device_count(self) -> int:
        return self._import().cuda.runtime.getDeviceCount() if self.is_available() else 0

    def load(self) -> None:
        if not self.is_available():
            raise RuntimeError(
                "device 'cuda' is not available: wright computes on NVIDIA GPUs through CuPy; "
                "install it with `pip install wright[cuda]` (wright.cuda.is_available() is False)"
            )

    @property
    def module(self):
        return self._import()

    def current_index(self) -> int:
        return self._import().cuda.Device().id

    def device_of(self, array) -> device:
        return device("cuda", array.device.id)

    def from_numpy(self, array: np.ndarray, index: int):
        cupy = self._import()
        with cupy.cuda.Device(index):
            return cupy.asarray(array)

    def to_numpy(self, array) -> np.ndarray:
        return array.get()

    def to_index(self, array, index: int):
        if array.device.id == index:
            return array
        cupy = self._import()
        with cupy.cuda.Device(index):
            return array.copy()

    def new_rng(self, seed: int, index: int):
        cupy = self._import()
        with cupy.cuda.Device(index):
            return cupy.random.default_rng(seed)

    def synchronize(self, index: int | None = None) -> None:
        cupy = self._import()
        with cupy.cuda.Device(self.current_index() if index is None else index):
            cupy.cuda.get_current_stream().synchronize()


_DEVICE_TYPES: dict[str, DeviceType] = {"cuda": _Cuda()}
_BY_ARRAY_TYPE: dict[type, DeviceType] = {}
# The types that hold tensor data: NumPy's and every loaded device type's (autograd checks saved
# values against it).
ARRAY_TYPES: set[type] = {np.ndarray}


def register_device_type(kind: DeviceType) -> None:
    """Make `kind.name` a device name that tensors can be created on (used by the tests)."""
    _DEVICE_TYPES[kind.name] = kind


def register_array_type(array_type: type, kind: DeviceType) -> None:
    """Record that arrays of `array_type` live on devices of `kind`."""
    _BY_ARRAY_TYPE[array_type] = kind
    ARRAY_TYPES.add(array_type)


def device_type(name: str) -> DeviceType:
    """The registered kind of device called `name` ('cuda', ...)."""
    found = _DEVICE_TYPES.get(name)
    if found is None:
        known = ", ".join(["cpu", *_DEVICE_TYPES])
        raise RuntimeError(f"device: unknown device type {name!r}; expected one of {known}")
    return found


def resolve_device(value) -> device:
    """The device named by `value` (a device, a string, an int for a GPU, or None for the default
    device, normally the CPU); errors for devices that cannot be computed on here."""
    if value is None:
        return _default_devices[-1]
    if value is CPU:
        return CPU
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"cuda:{value}"
    found = device(value)
    if found.type == "cpu":
        return CPU
    if found.type in ("mps", "xpu", "meta"):
        raise RuntimeError(f"device {str(found)!r} is not available: wright has no {found.type}")
    kind = device_type(found.type)
    kind.load()
    if found.index is not None and not 0 <= found.index < kind.device_count():
        raise RuntimeError(
            f"device {str(found)!r}: invalid device ordinal; {kind.device_count()} "
            f"{found.type} device(s) are available"
        )
    return found


def _index(found: device) -> int:
    return device_type(found.type).current_index() if found.index is None else found.index


# ----- arrays and their modules -----


def _kind_of(array) -> DeviceType | None:
    kind = _BY_ARRAY_TYPE.get(type(array))
    if kind is None and type(array).__module__.startswith("cupy"):
        # A CuPy array made before wright was asked for a cuda device.
        _DEVICE_TYPES["cuda"].module  # noqa: B018 (importing registers the type)
        kind = _BY_ARRAY_TYPE.get(type(array))
    return kind


def array_module(*arrays):
    """The array module that computes on these arrays: NumPy for NumPy arrays (and numbers),
    CuPy for CuPy arrays (as `cupy.get_array_module`). Ops call it instead of naming NumPy.

    On NumPy arrays it costs a type check per argument.
    """
    for array in arrays:
        if type(array) is not np.ndarray:
            kind = _kind_of(array)
            if kind is not None:
                return kind.module
    return np


def module_for(found: device):
    """The array module that makes arrays on a device."""
    return np if found.type == "cpu" else device_type(found.type).module


def is_array(value) -> bool:
    """Whether `value` is an array of NumPy or of a device type (not a number or a list)."""
    return type(value) in ARRAY_TYPES or _kind_of(value) is not None


def device_of(array) -> device:
    """The device an array lives on (NumPy arrays and numbers: the CPU)."""
    if type(array) is np.ndarray:
        return CPU
    kind = _kind_of(array)
    return CPU if kind is None else kind.device_of(array)


def to_numpy(array) -> np.ndarray:
    """A NumPy array of the values: the array itself when it is one, else a host copy."""
    if type(array) is np.ndarray:
        return array
    kind = _kind_of(array)
    return np.asarray(array) if kind is None else kind.to_numpy(array)


def to_device(array, target: device):
    """The array on device `target`: itself when it is there already, else a copy."""
    if target.type == "cpu":
        return to_numpy(array)
    kind = device_type(target.type)
    index = _index(target)
    source = _kind_of(array)
    if source is kind:
        return kind.to_index(array, index)
    return kind.from_numpy(to_numpy(array), index)


def place(array, found=None):
    """`array` on the device named by `found`; when none is named, host data goes to the default
    device and device data stays where it is."""
    if found is not None:
        return to_device(array, resolve_device(found))
    if type(array) is not np.ndarray or _default_devices[-1] is CPU:
        return array
    return to_device(array, _default_devices[-1])


def same_device(arrays: Sequence, op: str) -> list:
    """The arrays of one op, checked to live on one device; a 0-d CPU array (a scalar tensor)
    joins the others' device, as PyTorch allows. Raises RuntimeError naming both devices."""
    devices = [device_of(a) for a in arrays]
    target = next((d for d, a in zip(devices, arrays) if d != CPU or a.ndim), devices[0])
    moved = list(arrays)
    for position, (found, array) in enumerate(zip(devices, arrays)):
        if found == target:
            continue
        if found == CPU and array.ndim == 0:
            moved[position] = to_device(array, target)
            continue
        raise RuntimeError(
            f"{op}: expected all tensors to be on the same device, but found at least two "
            f"devices, {target} and {found}"
        )
    return moved


def to_array(data, dtype=None):
    """Turn data into an array as `wright.tensor` does: Python floats get the default float dtype,
    Python ints int64, bools bool; arrays (NumPy's or a device's) and NumPy scalars keep their
    dtype unless `dtype` is given. Device arrays stay on their device."""
    if type(data) is not np.ndarray and _kind_of(data) is not None:
        return data if dtype is None else data.astype(dtypes.to_numpy_dtype(dtype), copy=False)
    if dtype is not None:
        return np.asarray(data, dtype=dtypes.to_numpy_dtype(dtype))
    array = np.asarray(data)
    if isinstance(data, np.ndarray | np.generic):
        return array
    if array.dtype == np.float64:
        return array.astype(dtypes.default_float_numpy())
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind not in "bf":
        raise TypeError(
            f"tensor: expected numbers (or nested lists of numbers), got data of type "
            f"{type(data).__name__} that NumPy reads as {array.dtype}"
        )
    return array


def array_like(data, like, dtype=None):
    """`data` (numbers, lists, or an array) as an array on the device of the array `like`."""
    array = to_array(data, dtype)
    return array if type(like) is np.ndarray else to_device(array, device_of(like))


# The dtypes each scattering ufunc's `at` handles on a GPU (CuPy's atomic operations).
_AT_DTYPES = {
    "add": frozenset(["int32", "int64", "uint32", "uint64", "float16", "float32", "float64"]),
    "maximum": frozenset(["int32", "int64", "uint32", "uint64", "float32", "float64"]),
    "minimum": frozenset(["int32", "int64", "uint32", "uint64", "float32", "float64"]),
}


def ufunc_at(name: str, target, index, values) -> None:
    """`xp.<name>.at(target, index, values)`: combine values into target[index] in place, with
    repeated positions combined one after another (add: summed).

    NumPy does any ufunc; a GPU has atomic adds, maxima and minima for some dtypes. Other cases
    go in rounds: each round handles at most one value per position, so a plain indexed update
    is exact.
    """
    xp = array_module(target)
    if xp is np or str(target.dtype) in _AT_DTYPES.get(name, ()):
        getattr(xp, name).at(target, index, values)
        return
    ufunc = getattr(xp, name)
    positions = xp.arange(target.size).reshape(target.shape)[index]
    values = xp.broadcast_to(xp.asarray(values, dtype=target.dtype), positions.shape).ravel()
    positions = positions.ravel()
    if not positions.size:
        return
    order = xp.argsort(positions, kind="stable")
    positions, values = positions[order], values[order]
    # The rank of each value among those for the same position: its distance from the first.
    rank = xp.arange(positions.size) - xp.searchsorted(positions, positions)
    flat = target.reshape(-1) if target.flags.c_contiguous else None
    for round_ in range(int(rank.max()) + 1):
        chosen = rank == round_
        picked = positions[chosen]
        if flat is not None:
            flat[picked] = ufunc(flat[picked], values[chosen])
        else:
            where = xp.unravel_index(picked, target.shape)
            target[where] = ufunc(target[where], values[chosen])


# ----- random numbers -----


def _fresh_seed() -> int:
    return int(np.random.SeedSequence().entropy % (2**63))


def _new_rng(found: device, seed: int):
    if found.type == "cpu":
        return np.random.default_rng(seed)
    return device_type(found.type).new_rng(seed, _index(found))


def _placed(found: device) -> device:
    # A generator's device with its index filled in: draws land on one device.
    return found if found.type == "cpu" else device(found.type, _index(found))


class Generator:
    """A seeded source of random numbers, as `wright.Generator().manual_seed(42)`; one per device
    (`wright.Generator(device="cuda")` draws on the GPU).

    Factories (`randn`, `randperm`, ...), initialisers, dropout and data loaders take one through
    `generator=`; without it they draw from the default generator of their device, which
    `wright.manual_seed` seeds.
    """

    def __init__(self, device=None) -> None:
        self._device = CPU if device is None else _placed(resolve_device(device))
        self.manual_seed(_fresh_seed())

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from `seed`; returns the generator."""
        self._seed = int(seed)
        self.rng = _new_rng(self._device, self._seed)
        return self

    def seed(self) -> int:
        """Seed from fresh entropy and return the seed."""
        self.manual_seed(_fresh_seed())
        return self._seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> dict:
        """The generator's full state (a dict NumPy's bit generator understands); CPU only."""
        self._check_host("get_state")
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        """Restore a state from `get_state`; CPU only."""
        self._check_host("set_state")
        self.rng.bit_generator.state = state

    def _check_host(self, what: str) -> None:
        if self._device.type != "cpu":
            raise RuntimeError(
                f"Generator.{what}: only CPU generators have a readable state; reseed a "
                f"{self._device} generator with manual_seed instead"
            )

    @property
    def device(self) -> device:
        return self._device


_default_generators: dict[device, Generator] = {CPU: Generator()}
_last_seed: list[int | None] = [None]


def default_generator(found: device | str | None = None) -> Generator:
    """The generator that draws on a device (the CPU unless named) happen from when none is
    given."""
    found = CPU if found is None else _placed(resolve_device(found))
    made = _default_generators.get(found)
    if made is None:
        made = Generator(found)
        if _last_seed[0] is not None:
            made.manual_seed(_last_seed[0])
        _default_generators[found] = made
    return made


def manual_seed(seed: int) -> Generator:
    """Seed the default generators of every device (weight initialisation, dropout, shuffling,
    `randn`); returns the CPU's."""
    _last_seed[0] = int(seed)
    for made in _default_generators.values():
        made.manual_seed(seed)
    return _default_generators[CPU]


def generator() -> np.random.Generator:
    """The NumPy generator behind the default CPU generator."""
    return _default_generators[CPU].rng


def rng(source=None, found: device = CPU):
    """The array library's generator to draw from on device `found`: the device's default one, a
    wright Generator's (which must be for that kind of device), or a NumPy one for the CPU.

    Device generators have CuPy's `Generator` API (random, standard_normal, integers, uniform,
    exponential, ...), a subset of NumPy's; `permutation` is the helper below.
    """
    if source is None:
        return default_generator(found).rng if found.type != "cpu" else generator()
    if isinstance(source, Generator):
        if source.device.type != found.type:
            raise RuntimeError(
                f"expected a '{found.type}' device type for the generator, but found "
                f"'{source.device.type}'"
            )
        return source.rng
    if isinstance(source, np.random.Generator) and found.type == "cpu":
        return source
    raise TypeError(f"generator: expected a wright.Generator, got {type(source).__name__}")


def numpy_rng(source=None) -> np.random.Generator:
    """The NumPy generator to draw from: the default one, a wright Generator's, or a NumPy one."""
    return rng(source, CPU)


def permutation(generator, n: int):
    """A random ordering of 0 .. n-1 drawn from an array library's generator (NumPy's own
    `permutation`; on other devices, the order that sorts uniform draws)."""
    if isinstance(generator, np.random.Generator):
        return generator.permutation(n)
    return generator.random(n).argsort()


def normal(generator, mean, std, size, dtype=np.float64):
    """Draws from N(mean, std^2) of `size` (NumPy's `normal`; elsewhere scaled standard normal
    draws)."""
    if isinstance(generator, np.random.Generator):
        return generator.normal(mean, std, size)
    return generator.standard_normal(size, dtype=dtype) * std + mean


def standard_cauchy(generator, size):
    """Draws from the standard Cauchy distribution (NumPy's own; elsewhere tan(pi (u - 1/2)) of
    uniform draws u)."""
    if isinstance(generator, np.random.Generator):
        return generator.standard_cauchy(size)
    u = generator.random(size)
    return array_module(u).tan(np.pi * (u - 0.5))


def lognormal(generator, mean: float, std: float, size):
    """Draws of e^N, N from N(mean, std^2)."""
    if isinstance(generator, np.random.Generator):
        return generator.lognormal(mean, std, size)
    draws = normal(generator, mean, std, size)
    return array_module(draws).exp(draws)


# ----- threads and process-wide tuning -----

_thread_limit = None


def set_num_threads(count: int) -> None:
    """Use `count` threads for the matrix products (the BLAS pool), as `torch.set_num_threads`."""
    global _thread_limit
    if int(count) < 1:
        raise ValueError(f"set_num_threads: expected a positive number of threads, got {count}")
    from threadpoolctl import threadpool_limits

    # threadpoolctl applies the limit until the returned object is restored; keep it alive.
    _thread_limit = threadpool_limits(limits=int(count))


def get_num_threads() -> int:
    """The number of threads the matrix products use."""
    from threadpoolctl import threadpool_info

    pools = threadpool_info()
    return max((pool["num_threads"] for pool in pools), default=1)


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed arrays' memory for reuse instead of returning it to the OS.

    A training step allocates and frees the same large temporaries every time. By default glibc
    hands them back to the kernel and page-faults fresh zeroed pages in on the next step, which
    measured a third of a LeNet step's CPU time (2,900 page faults per step). Arrays over 32 MiB
    are still mapped and unmapped on their own. This changes the whole process, so importing wright
    does not do it: the `wright` command and the benchmarks call it, and a program may too. Set
    WRIGHT_KEEP_FREED_MEMORY=0 to leave malloc alone. Returns whether the settings were applied
    (only on glibc).
    """
    if os.environ.get("WRIGHT_KEEP_FREED_MEMORY", "1") == "0":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's mallopt parameter numbers
    kept = libc.mallopt(m_trim_threshold, 256 << 20)
    return bool(kept and libc.mallopt(m_mmap_threshold, 32 << 20))
