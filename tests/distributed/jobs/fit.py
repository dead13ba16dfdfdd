"""MPI job: `wright.train.fit` on a DistributedDataParallel model, for tests/distributed/test_fit.py:
global metrics, a NaN loss on one rank only, a time limit whose clocks differ between ranks,
and the checkpoint written by rank 0 alone."""

from __future__ import annotations

import sys
import time

import numpy as np
from common import report

import wright
import wright.distributed as dist
from wright import nn, optim
from wright.data import DataLoader, DistributedSampler, TensorDataset
from wright.nn.parallel import DistributedDataParallel as DDP
from wright.train import Callback, ModelCheckpoint, evaluate, fit
from wright.train.classifier import rank_share

folder = sys.argv[1]
dist.init_process_group("mpi")
rank, size = dist.get_rank(), dist.get_world_size()
generator = np.random.default_rng(0)
inputs = generator.normal(size=(48, 4)).astype(np.float32)
labels = (inputs[:, 0] > 0).astype(np.int64)
data = TensorDataset(wright.as_tensor(inputs), wright.as_tensor(labels))


def run(**options):
    wright.manual_seed(0)
    model = DDP(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    loader = DataLoader(data, batch_size=8 // size, sampler=DistributedSampler(data, seed=1))
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.1),
        loader,
        val_loader=DataLoader(rank_share(data), batch_size=16),
        verbose=0,
        **options,
    )
    return model, history


class NaNOnRankOne(nn.CrossEntropyLoss):
    """The loss is NaN on rank 1 at its third batch."""

    calls = 0

    def forward(self, outputs, targets):
        loss = super().forward(outputs, targets)
        self.calls += 1
        return loss * float("nan") if rank == 1 and self.calls == 3 else loss


# Two epochs with a checkpoint, written by rank 0 only.
model, history = run(epochs=2, callbacks=[ModelCheckpoint(f"{folder}/model.npz", verbose=0)])
report(
    rank,
    history=history.history,
    weights=float(sum(p.array.astype(np.float64).sum() for p in model.parameters())),
    whole=evaluate(model, nn.CrossEntropyLoss(), DataLoader(data, batch_size=16)),
)

# A NaN on one rank: every rank skips that step.
wright.manual_seed(0)
model = DDP(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
state = {}


class Steps(Callback):
    def on_train_end(self, logs):
        state.update(step=self.state.step, skipped=self.state.skipped_steps)


fit(
    model,
    NaNOnRankOne(),
    optim.SGD(model.parameters(), lr=0.1),
    DataLoader(data, batch_size=8 // size, sampler=DistributedSampler(data, seed=1)),
    epochs=1,
    verbose=0,
    on_nonfinite="skip",
    callbacks=[Steps()],
)
report(rank, skip=state, skip_weights=float(sum(p.array.sum() for p in model.parameters())))


# A time limit with rank 1's steps slower: both stop after the same step and epoch.
class Slow(Callback):
    def on_batch_end(self, step, logs):
        if rank == 1:
            time.sleep(0.02)
        state.update(step=self.state.step, epoch=self.state.epoch)


model, history = run(epochs=None, time_limit=0.3, callbacks=[Slow()])
report(rank, timed=dict(state), timed_epochs=len(history["loss"]))
