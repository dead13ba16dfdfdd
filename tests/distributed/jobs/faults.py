"""MPI job: data-parallel training in which one rank fails at step 3, for
tests/distributed/test_faults.py to time how fast the others stop and to check the checkpoint.

Usage: faults.py MODE RANK CHECKPOINT, MODE one of raise (an exception), kill (SIGKILL), hang (sleeps
instead of training) or exit (leaves the loop early and ends normally). Rank 0 saves a checkpoint
after every step, atomically, as `fit` does.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from common import report

import wright
import wright.distributed as dist
from wright import nn, optim
from wright.nn.parallel import DistributedDataParallel as DDP

mode, failing, checkpoint = sys.argv[1], int(sys.argv[2]), sys.argv[3]
dist.init_process_group("mpi")
rank = dist.get_rank()
report(rank, pid=os.getpid())
wright.manual_seed(0)
model = DDP(nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2)))
optimizer = optim.SGD(model.parameters(), lr=0.1)
for step in range(1, 1000):
    if step == 3 and rank == failing:
        report(rank, fault_at=time.time())
        if mode == "raise":
            raise ValueError("injected fault")
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "hang":
            time.sleep(600)
        if mode == "exit":
            sys.exit(0)
    x = wright.randn(4, 8)
    optimizer.zero_grad()
    model(x).square().mean().backward()
    optimizer.step()
    if rank == 0:
        wright.save({"model": model.module.state_dict(), "step": step}, checkpoint)
    time.sleep(0.05)
