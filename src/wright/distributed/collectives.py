"""Collectives with PyTorch's names over MPI: all_reduce, broadcast, all_gather, barrier, on the
raw arrays of tensors and in place, every wait watched by the group's timeout."""

from __future__ import annotations

import enum

import numpy as np

from wright.distributed import group as _group
from wright.distributed.group import ProcessGroup, default_group
from wright.tensor import Tensor


class ReduceOp(enum.Enum):
    """How `all_reduce` combines the ranks' tensors, element by element."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


def _mpi_op(group: ProcessGroup, op: ReduceOp, dtype: np.dtype):
    MPI = group.MPI
    if dtype == np.bool_:
        # MPI reduces booleans with logical operations only; as in PyTorch, a sum or maximum of
        # booleans is their "or", a product or minimum their "and".
        table = {
            ReduceOp.SUM: MPI.LOR,
            ReduceOp.MAX: MPI.LOR,
            ReduceOp.BOR: MPI.LOR,
            ReduceOp.PRODUCT: MPI.LAND,
            ReduceOp.MIN: MPI.LAND,
            ReduceOp.BAND: MPI.LAND,
            ReduceOp.BXOR: MPI.LXOR,
        }
    else:
        table = {
            ReduceOp.SUM: MPI.SUM,
            ReduceOp.AVG: MPI.SUM,
            ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN,
            ReduceOp.MAX: MPI.MAX,
            ReduceOp.BAND: MPI.BAND,
            ReduceOp.BOR: MPI.BOR,
            ReduceOp.BXOR: MPI.BXOR,
        }
    if op not in table:
        raise RuntimeError(f"all_reduce: ReduceOp.{op.name} is not defined for {dtype} tensors")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and dtype.kind not in "biu":
        raise RuntimeError(
            f"all_reduce: ReduceOp.{op.name} needs an integer or bool tensor, got {dtype}"
        )
    if op is ReduceOp.AVG and dtype.kind not in "fc":
        raise RuntimeError(f"all_reduce: ReduceOp.AVG needs a floating-point tensor, got {dtype}")
    return table[op]


def _wire_dtype(dtype: np.dtype) -> np.dtype:
    # MPI has no half-precision type: float16 travels and is reduced as float32.
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def allreduce_array(array: np.ndarray, op: ReduceOp = ReduceOp.SUM, group=None) -> np.ndarray:
    """Reduce `array` across the ranks, in place when it is contiguous; returns the result (the
    array itself, or a reduced copy for non-contiguous or half-precision input)."""
    group = default_group(group)
    if not isinstance(op, ReduceOp):
        raise TypeError(f"all_reduce: op must be a wright.distributed.ReduceOp, got {op!r}")
    wire = _wire_dtype(array.dtype)
    mpi_op = _mpi_op(group, op, array.dtype)
    buffer = array if array.flags.c_contiguous and wire == array.dtype else array.astype(wire, "C")
    if group.size() > 1 and buffer.size:
        group.run("all_reduce", group.comm.Allreduce, group.MPI.IN_PLACE, buffer, mpi_op)
    if op is ReduceOp.AVG:
        np.divide(buffer, group.size(), out=buffer, casting="unsafe")
    return buffer


def _store(tensor: Tensor, values: np.ndarray) -> None:
    """Write `values` into the tensor's own memory as an in-place change (its version moves)."""
    if values is not tensor.array:
        np.copyto(tensor.array, values, casting="unsafe")
    tensor._version_counter[0] += 1


def _check_tensor(name: str, tensor) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name}: expected a wright Tensor, got {type(tensor).__name__}")


class Work:
    """What a collective called with `async_op=True` returns; MPI runs the collective at once,
    so `wait()` has nothing left to do and `is_completed()` is True."""

    def wait(self, timeout=None) -> bool:
        """Wait for the collective to finish (it already has); returns True."""
        return True

    def is_completed(self) -> bool:
        """Return whether the collective has finished: always True."""
        return True

    def is_success(self) -> bool:
        """Return whether the collective succeeded (a failure stops the job instead)."""
        return True


def _result(async_op: bool) -> Work | None:
    return Work() if async_op else None


def all_reduce(
    tensor: Tensor,
    op: ReduceOp = ReduceOp.SUM,
    group: ProcessGroup | None = None,
    async_op: bool = False,
) -> Work | None:
    """Combine `tensor` across all ranks with `op`; every rank ends with the result, in place.

    Args:
        tensor: the same shape and dtype on every rank.
        op: ReduceOp.SUM (default), AVG, PRODUCT, MIN, MAX, or BAND/BOR/BXOR for integers.
        group: the process group (default: the one `init_process_group` made).
        async_op: return a Work handle (the collective has already finished).

    Example:
        >>> t = wright.tensor([float(dist.get_rank())])
        >>> dist.all_reduce(t)        # on 2 ranks: tensor([1.]) on both
    """
    _check_tensor("all_reduce", tensor)
    _store(tensor, allreduce_array(tensor.array, op, group))
    return _result(async_op)


def broadcast(
    tensor: Tensor, src: int = 0, group: ProcessGroup | None = None, async_op: bool = False
) -> Work | None:
    """Copy `tensor` of rank `src` into `tensor` of every other rank, in place."""
    _check_tensor("broadcast", tensor)
    broadcast_array(tensor.array, src, group)
    tensor._version_counter[0] += 1
    return _result(async_op)


def broadcast_array(array: np.ndarray, src: int = 0, group=None) -> None:
    """Copy rank `src`'s `array` into `array` on every other rank."""
    group = default_group(group)
    _check_rank("broadcast", src, group)
    if group.size() == 1 or array.size == 0:
        return
    if array.flags.c_contiguous:
        group.run("broadcast", group.comm.Bcast, array, src)
        return
    buffer = np.ascontiguousarray(array)
    group.run("broadcast", group.comm.Bcast, buffer, src)
    array[...] = buffer


def _check_rank(name: str, src: int, group: ProcessGroup) -> None:
    if isinstance(src, bool) or not isinstance(src, int | np.integer):
        raise TypeError(f"{name}: src must be an int rank, got {src!r}")
    if not 0 <= src < group.size():
        raise ValueError(f"{name}: src rank {src} is not in the group of {group.size()} ranks")


def all_gather(
    tensor_list: list[Tensor],
    tensor: Tensor,
    group: ProcessGroup | None = None,
    async_op: bool = False,
) -> Work | None:
    """Fill `tensor_list[r]` with `tensor` of rank r, for every rank r (in place).

    Args:
        tensor_list: world-size tensors of `tensor`'s shape and dtype, overwritten.
        tensor: this rank's contribution.
    """
    _check_tensor("all_gather", tensor)
    group = default_group(group)
    if not isinstance(tensor_list, list | tuple) or len(tensor_list) != group.size():
        count = len(tensor_list) if hasattr(tensor_list, "__len__") else "?"
        raise ValueError(
            f"all_gather: tensor_list must hold one tensor per rank ({group.size()}), got {count}"
        )
    for index, target in enumerate(tensor_list):
        _check_tensor("all_gather", target)
        if target.shape != tensor.shape or target.array.dtype != tensor.array.dtype:
            raise RuntimeError(
                f"all_gather: tensor_list[{index}] has shape {tuple(target.shape)} and dtype "
                f"{target.dtype}; expected {tuple(tensor.shape)} and {tensor.dtype} like the "
                "input tensor"
            )
    gathered = allgather_array(tensor.array, group)
    for target, values in zip(tensor_list, gathered):
        _store(target, values)
    return _result(async_op)


def allgather_array(array: np.ndarray, group=None) -> np.ndarray:
    """Every rank's `array` stacked along a new first axis, in rank order: (world size, *shape)."""
    group = default_group(group)
    wire = _wire_dtype(array.dtype)
    send = np.ascontiguousarray(array, dtype=wire)
    received = np.empty((group.size(), *array.shape), dtype=wire)
    if group.size() == 1:
        received[0] = send
    elif send.size:
        group.run("all_gather", group.comm.Allgather, send, received)
    return received.astype(array.dtype, copy=False)


def barrier(
    group: ProcessGroup | None = None, async_op: bool = False, device_ids=None, timeout=None
) -> Work | None:
    """Wait until every rank of the group has called barrier."""
    group = default_group(group)
    if group.size() > 1:
        group.run("barrier", group.comm.Barrier)
    return _result(async_op)


def broadcast_object_list(
    object_list: list, src: int = 0, group: ProcessGroup | None = None, device=None
) -> None:
    """Replace the items of `object_list` on every rank by those of rank `src` (any picklable
    objects; every rank passes a list of the same length)."""
    group = default_group(group)
    _check_rank("broadcast_object_list", src, group)
    if group.size() == 1:
        return
    # mpi4py's lower-case calls pickle the objects themselves.
    sent = list(object_list) if group.rank() == src else None
    object_list[:] = group.run("broadcast_object_list", group.comm.bcast, sent, src)


def all_gather_object(object_list: list, obj, group: ProcessGroup | None = None) -> None:
    """Fill `object_list` (one slot per rank) with every rank's picklable `obj`, in rank order."""
    group = default_group(group)
    if len(object_list) != group.size():
        raise ValueError(
            f"all_gather_object: object_list must have one slot per rank ({group.size()}), got "
            f"{len(object_list)}"
        )
    if group.size() == 1:
        object_list[0] = obj
        return
    object_list[:] = group.run("all_gather_object", group.comm.allgather, obj)


def sum_over_ranks(values: np.ndarray) -> np.ndarray:
    """`values` summed over every rank of the default group (a float64 copy); the values
    themselves when no group is running. For metrics: counts and sums, never means."""
    total = np.array(values, dtype=np.float64)
    if _group.is_initialized() and _group.get_world_size() > 1:
        allreduce_array(total)
    return total


def any_rank(flag: bool) -> bool:
    """Whether `flag` is true on any rank (the flag itself without a process group): for
    decisions every rank must take together, such as skipping a step."""
    return bool(sum_over_ranks(np.array([float(flag)]))[0])


def max_over_ranks(value: float) -> float:
    """The largest `value` of any rank (the value itself without a process group): for a number
    every rank must agree on, such as the time a time budget goes by."""
    largest = np.array([value], dtype=np.float64)
    if _group.is_initialized() and _group.get_world_size() > 1:
        allreduce_array(largest, ReduceOp.MAX)
    return float(largest[0])
