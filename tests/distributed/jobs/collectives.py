"""MPI job: every collective of wright.distributed on every rank, reported for
tests/distributed/test_collectives.py to check."""

from __future__ import annotations

import numpy as np
from common import raised, report

import wright
import wright.distributed as dist
from wright.distributed import ReduceOp

dist.init_process_group("mpi")
rank, size = dist.get_rank(), dist.get_world_size()
out: dict = {
    "world_size": size,
    "backend": dist.get_backend(),
    "initialized": dist.is_initialized(),
    "twice": raised(dist.init_process_group),
}


def reduced(values, op=ReduceOp.SUM, dtype=None):
    tensor = wright.tensor(values, dtype=dtype)
    version = tensor._version
    work = dist.all_reduce(tensor, op)
    assert work is None
    return tensor.tolist(), str(tensor.dtype), tensor._version - version


# Rank r contributes r + 1 (and 10 * (r + 1)), so every result is known in closed form.
for name, op in ReduceOp.__members__.items():
    if name in ("BAND", "BOR", "BXOR"):
        out[f"int_{name}"] = reduced([rank + 1, 6], op, wright.int64)
    else:
        out[f"float_{name}"] = reduced([rank + 1.0, 10.0 * (rank + 1)], op)
out["float64_SUM"] = reduced([rank + 0.5], dtype=wright.float64)
out["int_SUM"] = reduced([rank + 1, 2], dtype=wright.int64)
out["bool_SUM"] = reduced([rank == 0, False, True])
out["bool_MIN"] = reduced([rank == 0, True], ReduceOp.MIN)
out["half_SUM"] = reduced([rank + 1.0], dtype=wright.float16)
out["scalar_SUM"] = reduced(rank + 1.0)
out["empty_SUM"] = reduced([])
out["int_AVG"] = raised(dist.all_reduce, wright.tensor([1, 2]), ReduceOp.AVG)
out["bad_op"] = raised(dist.all_reduce, wright.ones(2), "sum")
out["not_tensor"] = raised(dist.all_reduce, np.ones(2))

# Non-contiguous: a transposed view is reduced and written back through the view.
base = wright.arange(6.0).reshape(2, 3) * (rank + 1)
view = base.t()
dist.all_reduce(view)
out["transposed"] = base.tolist()

# async_op: the collective has run by the time the handle comes back.
work = dist.all_reduce(wright.ones(2), async_op=True)
out["async"] = [work.is_completed(), work.wait(), work.is_success()]

tensor = wright.tensor([10.0 * rank, rank])
dist.broadcast(tensor, src=size - 1)
out["broadcast"] = tensor.tolist()
out["broadcast_bad_src"] = raised(dist.broadcast, wright.ones(1), size)

gathered = [wright.zeros(2, dtype=wright.int64) for _ in range(size)]
dist.all_gather(gathered, wright.tensor([rank, 10 * rank]))
out["all_gather"] = [t.tolist() for t in gathered]
out["all_gather_short"] = raised(dist.all_gather, gathered[:-1] + [], wright.tensor([rank, 0]))
out["all_gather_shape"] = raised(
    dist.all_gather, [wright.zeros(3) for _ in range(size)], wright.zeros(2)
)

objects = [{"rank": rank}, f"from {rank}"]
dist.broadcast_object_list(objects, src=0)
out["broadcast_object_list"] = objects
everyone = [None] * size
dist.all_gather_object(everyone, {"rank": rank})
out["all_gather_object"] = everyone

out["sum_over_ranks"] = dist.sum_over_ranks(np.array([rank, 1])).tolist()
out["any_rank"] = [dist.any_rank(rank == size - 1), dist.any_rank(False)]
out["main_process"] = dist.is_main_process()
out["barrier"] = dist.barrier() is None
report(rank, **out)
dist.destroy_process_group()
report(rank, destroyed=not dist.is_initialized(), after=raised(dist.get_rank))
