"""MPI job: DistributedDataParallel and SyncBatchNorm against one process training on the whole
batch, reported for tests/nn/test_parallel.py to check.

The equivalence set-up: a dataset of 64 samples, a global batch of B = 16, two epochs (8 steps)
with DistributedSampler's order. Each of K ranks takes B / K samples per step; rank 0 then trains
a fresh copy on one process with batch B over the same order (the union of the ranks' batches) and
reports the largest difference of any parameter.
"""

from __future__ import annotations

import numpy as np
from common import raised, report
from wright.utils.data import DataLoader, DistributedSampler, TensorDataset

import wright
import wright.distributed as dist
from wright import nn, optim
from wright.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, size = dist.get_rank(), dist.get_world_size()
BATCH, SAMPLES, EPOCHS, SEED = 16, 64, 2, 5
out: dict = {}


def net(batch_norm: bool = False, seed: int = 0) -> nn.Module:
    wright.manual_seed(seed)
    layers = [nn.Conv2d(1, 4, 3), nn.ReLU()]
    if batch_norm:
        layers.append(nn.BatchNorm2d(4))
    return nn.Sequential(*layers, nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 5))


def dataset(dtype) -> TensorDataset:
    rng = np.random.default_rng(1)
    images = rng.standard_normal((SAMPLES, 1, 8, 8)).astype(dtype)
    labels = rng.integers(0, 5, SAMPLES)
    return TensorDataset(wright.as_tensor(images), wright.as_tensor(labels))


def make_optimizer(kind: str, model: nn.Module) -> optim.Optimizer:
    if kind == "sgd":
        return optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return optim.Adam(model.parameters(), lr=0.01)


def train(model, loaders, optimizer, accumulate: bool = False) -> None:
    loss_fn = nn.CrossEntropyLoss()
    for loader in loaders:
        for images, labels in loader:
            optimizer.zero_grad()
            if accumulate:
                # Two half batches, the first without synchronising: the same gradient.
                half = len(images) // 2
                with model.no_sync():
                    (loss_fn(model(images[:half]), labels[:half]) / 2).backward()
                (loss_fn(model(images[half:]), labels[half:]) / 2).backward()
            else:
                loss_fn(model(images), labels).backward()
            optimizer.step()


def distributed_loaders(data):
    sampler = DistributedSampler(data, shuffle=True, seed=SEED)
    loader = DataLoader(data, batch_size=BATCH // size, sampler=sampler)
    for epoch in range(EPOCHS):
        sampler.set_epoch(epoch)
        yield loader


def single_loaders(data):
    for epoch in range(EPOCHS):
        order = np.random.default_rng(SEED + epoch).permutation(SAMPLES).tolist()
        yield DataLoader(data, batch_size=BATCH, sampler=order)


def state(model) -> dict[str, np.ndarray]:
    return {name: tensor.array for name, tensor in model.state_dict().items()}


def largest_difference(a: dict, b: dict) -> float:
    return max(float(np.abs(a[name].astype(np.float64) - b[name]).max()) for name in a)


def same_on_every_rank(model) -> bool:
    flat = np.concatenate([p.array.ravel().astype(np.float64) for p in model.parameters()])
    everyone = [None] * size
    dist.all_gather_object(everyone, flat.tobytes())
    return all(other == everyone[0] for other in everyone)


def equivalence(name: str, dtype: str, kind: str, batch_norm=False, accumulate=False, **options):
    wright.set_default_dtype(getattr(wright, dtype))
    data = dataset(dtype)
    model = net(batch_norm)
    if batch_norm:
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    wrapped = DDP(model, **options)
    train(wrapped, distributed_loaders(data), make_optimizer(kind, wrapped), accumulate)
    result = {"identical": same_on_every_rank(model), "buckets": len(wrapped._bucket_list)}
    if rank == 0:
        reference = net(batch_norm)
        train(reference, single_loaders(data), make_optimizer(kind, reference))
        result["difference"] = largest_difference(state(model), state(reference))
    out[name] = result
    wright.set_default_dtype(wright.float32)


equivalence("float64 sgd", "float64", "sgd", bucket_cap_mb=0.0005)
equivalence("float64 adam", "float64", "adam")
equivalence("float64 sgd blocking", "float64", "sgd", bucket_cap_mb=0.0005, overlap=False)
equivalence("float64 sgd bucket views", "float64", "sgd", gradient_as_bucket_view=True)
equivalence("float64 syncbn", "float64", "sgd", batch_norm=True, bucket_cap_mb=0.0005)
equivalence("float64 no_sync", "float64", "sgd", accumulate=True)
equivalence("float32 sgd", "float32", "sgd", bucket_cap_mb=0.0005)
equivalence("float32 syncbn", "float32", "adam", batch_norm=True)

# Construction copies rank 0's parameters and buffers to every rank.
model = net(batch_norm=True, seed=rank)
model[2].running_mean.fill_(float(rank))
DDP(model)
gathered = [None] * size
dist.all_gather_object(
    gathered, (state(model)["0.weight"].tolist(), model[2].running_mean.tolist())
)
out["init_sync"] = all(g == gathered[0] for g in gathered) and gathered[0][1] == [0.0] * 4
out["init_sync_seed0"] = gathered[0][0] == net(seed=0)[0].weight.tolist()

# Buffers: every synchronised forward pass starts from rank 0's running statistics (momentum 0
# keeps them as they were, so what a rank ends with is what it was sent).
model = net(batch_norm=True)
model[2].momentum = 0.0
wrapped = DDP(model)
model[2].running_mean.fill_(float(rank))
x = wright.randn(4, 1, 8, 8)
with wright.no_grad():
    wrapped(x)
out["buffers_no_grad"] = model[2].running_mean.tolist()
wrapped(x)
out["buffers_synced"] = model[2].running_mean.tolist()


# A weight used twice in one forward pass: its two gradients are added before averaging.
class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(3, 3)

    def forward(self, x):
        return self.layer(self.layer(x).tanh())


wright.manual_seed(0)
tied = Tied()
wrapped = DDP(tied, bucket_cap_mb=0.00001)
xs = wright.randn(2 * size, 3, generator=wright.Generator().manual_seed(3))
wrapped(xs[rank::size]).square().mean().backward()
reference = Tied()
reference.load_state_dict(tied.state_dict())
reference(xs).square().mean().backward()
out["tied"] = max(
    float(np.abs(p.grad.array - q.grad.array).max())
    for p, q in zip(tied.parameters(), reference.parameters())
)


# Unused parameters: an error by default, zeros in the average with find_unused_parameters.
class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        self.used, self.sometimes, self.never = nn.Linear(2, 1), nn.Linear(2, 1), nn.Linear(2, 1)

    def forward(self, x, use_sometimes):
        y = self.used(x)
        return y + self.sometimes(x) if use_sometimes else y


wright.manual_seed(0)
branches = Branches()
out["unused_error"] = raised(DDP(branches), wright.ones(1, 2), False)
wrapped = DDP(branches, find_unused_parameters=True)
wrapped(wright.ones(1, 2) * (rank + 1), rank == 0).sum().backward()
out["unused"] = {
    name: (None if p.grad is None else p.grad.tolist()) for name, p in branches.named_parameters()
}

# A model that differs between ranks is refused before anything is averaged.
out["mismatch"] = raised(DDP, nn.Linear(2, 2 + (rank == size - 1 and size > 1)))
out["device_ids"] = raised(DDP, nn.Linear(2, 2), device_ids=[0])

# A penalty on the weights outside the wrapped module joins their gradients before averaging
# (each leaf's hook sees its whole gradient), as with weight decay written into the loss.
wright.manual_seed(0)
layer = nn.Linear(3, 2)
wrapped = DDP(layer)
xs = wright.randn(2 * size, 3, generator=wright.Generator().manual_seed(4))
(wrapped(xs[rank::size]).square().mean() + 0.1 * layer.weight.square().sum()).backward()
reference = nn.Linear(3, 2)
reference.load_state_dict(layer.state_dict())
(reference(xs).square().mean() + 0.1 * reference.weight.square().sum()).backward()
out["penalty"] = max(
    float(np.abs(p.grad.array - q.grad.array).max())
    for p, q in zip(layer.parameters(), reference.parameters())
)


# An output that the loss leaves out: its parameters never get their gradients, and the next
# forward pass says so instead of training with half-averaged gradients.
class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.left, self.right = nn.Linear(2, 1), nn.Linear(2, 1)

    def forward(self, x):
        return self.left(x), self.right(x)


wrapped = DDP(TwoHeads())
wrapped(wright.ones(1, 2))[0].sum().backward()
out["incomplete"] = raised(wrapped, wright.ones(1, 2))

# A parameter that only a term outside the module uses cannot be averaged in step: an error.
wrapped = DDP(branches, find_unused_parameters=True)
loss = wrapped(wright.ones(1, 2), True).sum() + branches.never.weight.sum()
out["outside_only"] = raised(loss.backward)
report(rank, **out)
