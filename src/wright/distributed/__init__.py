"""Data-parallel training across processes and machines over MPI (mpi4py), with PyTorch's
`torch.distributed` names: process groups and collectives on tensors.

Run a script under an MPI launcher, `mpiexec -n 4 python train.py`, and call
`init_process_group("mpi")` in it; `wright.nn.parallel.DistributedDataParallel` then keeps the
copies of a model in step and `wright.utils.data.DistributedSampler` gives each process its share
of the data. See docs/distributed.md.
"""

from wright.distributed.collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_object,
    all_reduce,
    any_rank,
    barrier,
    broadcast,
    broadcast_object_list,
    max_over_ranks,
    sum_over_ranks,
)
from wright.distributed.group import (
    ProcessGroup,
    abort,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_from_launcher,
    init_process_group,
    is_available,
    is_initialized,
    is_main_process,
    launched_world_size,
)

__all__ = [
    "ProcessGroup",
    "ReduceOp",
    "Work",
    "abort",
    "all_gather",
    "all_gather_object",
    "all_reduce",
    "any_rank",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_from_launcher",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_main_process",
    "is_mpi_available",
    "launched_world_size",
    "max_over_ranks",
    "sum_over_ranks",
]


def is_mpi_available() -> bool:
    """Return whether the MPI backend can be used (mpi4py imports)."""
    return is_available()
