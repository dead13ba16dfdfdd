"""Data parallelism over MPI: DistributedDataParallel keeps the copies of a model on several
processes in step by averaging their gradients during the backward pass, and SyncBatchNorm
normalises over the batches of all processes together."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator

import numpy as np

from wright.autograd import Function, is_grad_enabled
from wright.distributed import group as groups
from wright.distributed.collectives import allgather_array, broadcast_array
from wright.nn import functional as F
from wright.nn.module import Module, Parameter
from wright.nn.normalization import _BatchNorm
from wright.tensor import Tensor, _from_array

DEFAULT_BUCKET_CAP_MB = 25


def _tensors(value) -> Iterator[Tensor]:
    """The tensors in a module's output: a tensor, or tuples, lists and dicts of them."""
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)


def _reached_parameters(outputs, index: dict[int, int], count: int) -> np.ndarray:
    """Which parameters (by position in `index`) the recorded graph of `outputs` leads to: those
    that a backward pass from them gives a gradient (1) or not (0)."""
    reached = np.zeros(count, dtype=np.int32)
    stack, seen = [], set()
    for tensor in _tensors(outputs):
        if not tensor.requires_grad:
            continue
        if tensor._ctx is not None:
            stack.append(tensor._ctx)
        elif id(tensor) in index:
            reached[index[id(tensor)]] = 1
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for edge in node.edges or ():
            if isinstance(edge, Function):
                stack.append(edge)
            elif edge is not None and id(edge) in index:
                reached[index[id(edge)]] = 1
    return reached


def _coalesced_broadcast(tensors: list[Tensor], group) -> None:
    """Copy rank 0's values of `tensors` to every rank: one broadcast per dtype."""
    by_dtype: dict[np.dtype, list[Tensor]] = {}
    for tensor in tensors:
        by_dtype.setdefault(tensor.array.dtype, []).append(tensor)
    for same in by_dtype.values():
        flat = np.concatenate([t.array.ravel() for t in same])
        broadcast_array(flat, 0, group)
        if group.rank() == 0:
            continue
        offset = 0
        for tensor in same:
            size = tensor.array.size
            tensor.array[...] = flat[offset : offset + size].reshape(tensor.array.shape)
            tensor._version_counter[0] += 1
            offset += size


class _Bucket:
    """Gradients of neighbouring parameters (of one dtype) in one flat buffer, all-reduced as one
    message."""

    def __init__(self, indices: list[int], params: list[Parameter]) -> None:
        self.indices = indices
        total = sum(params[i].array.size for i in indices)
        self.buffer = np.empty(total, dtype=params[indices[0]].array.dtype)
        self.views: dict[int, np.ndarray] = {}
        offset = 0
        for i in indices:
            size = params[i].array.size
            self.views[i] = self.buffer[offset : offset + size].reshape(params[i].array.shape)
            offset += size


def _buckets(params: list[Parameter], cap_bytes: int) -> list[_Bucket]:
    # Reverse order of registration: the backward pass produces the last layers' gradients
    # first, so the first bucket fills (and can be sent) while earlier layers are still working.
    buckets, open_buckets = [], {}
    for i in reversed(range(len(params))):
        array = params[i].array
        indices, size = open_buckets.get(array.dtype, ([], 0))
        if indices and size + array.nbytes > cap_bytes:
            buckets.append(indices)
            indices, size = [], 0
        open_buckets[array.dtype] = (indices + [i], size + array.nbytes)
    buckets += [indices for indices, _ in open_buckets.values()]
    # Send in the order the buckets fill: by the position of their first (latest-registered)
    # parameter, latest first.
    buckets.sort(key=lambda indices: -indices[0])
    return [_Bucket(indices, params) for indices in buckets]


class DistributedDataParallel(Module):
    """Train copies of `module` on several processes as one model: each process runs its own
    batch, and the backward pass leaves every process with the gradients averaged over all of them.

    At construction the parameters and buffers of rank 0 are copied to every rank. Gradients are
    gathered into flat buckets of about `bucket_cap_mb` (in reverse order of registration, the
    order the backward pass produces them); each bucket is all-reduced as soon as its last gradient
    is ready, while the backward pass goes on with earlier layers, and `loss.backward()` returns
    with the averages in `.grad`. The optimizer then takes the same step on every rank, so the
    copies stay identical. K processes with batch B/K each compute the gradient of one process with
    batch B.

    Args:
        module: the model to replicate (the same architecture on every rank).
        device_ids, output_device: must be None (wright runs on the CPU).
        dim: accepted for PyTorch scripts (batches are split by the sampler, not here).
        broadcast_buffers: copy rank 0's buffers (e.g. BatchNorm's running statistics) to all
            ranks at the start of each forward pass that will be followed by a synchronised
            backward pass.
        init_sync: copy rank 0's parameters and buffers to every rank at construction.
        process_group: the group to average over (default: the one `init_process_group` made).
        bucket_cap_mb: bucket size in MiB (default 25).
        find_unused_parameters: allow parameters that the forward pass did not use (their
            gradient counts as zero on that rank; a parameter unused on every rank keeps its
            `.grad`). Without it such a parameter is an error, as in PyTorch.
        gradient_as_bucket_view: make each `.grad` a view into its bucket (saves a copy; the
            next backward pass overwrites it).
        check_reduction, static_graph: accepted for PyTorch scripts; no effect.
        overlap: start each bucket's all-reduce (MPI_Iallreduce) during the backward pass; False
            reduces all buckets after it (blocking MPI_Allreduce).

    Example:
        >>> dist.init_process_group("mpi")
        >>> model = DistributedDataParallel(build_model())
        >>> loss_fn(model(inputs), targets).backward()   # .grad: the average over all ranks
        >>> optimizer.step()
    """

    def __init__(
        self,
        module: Module,
        device_ids=None,
        output_device=None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        init_sync: bool = True,
        process_group=None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
        *,
        overlap: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel: module must be a wright nn.Module, got "
                f"{type(module).__name__}"
            )
        if device_ids or output_device is not None:
            raise ValueError(
                "DistributedDataParallel: wright runs on the CPU; device_ids and output_device "
                f"must be None, got {device_ids!r} and {output_device!r}"
            )
        cap = DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        if not cap > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be > 0, got {cap}")
        self.module = module
        self.process_group = groups.default_group(process_group)
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.overlap = overlap
        self.require_backward_grad_sync = True
        self._names = [name for name, p in module.named_parameters() if p.requires_grad]
        self._params = [p for p in module.parameters() if p.requires_grad]
        self._index = {id(p): i for i, p in enumerate(self._params)}
        self._check_same_model()
        if init_sync and self.process_group.size() > 1:
            _coalesced_broadcast(self._params + self._module_buffers(), self.process_group)
        self._bucket_list = _buckets(self._params, int(cap * 1024 * 1024))
        self._bucket_of = {
            i: b for b, bucket in enumerate(self._bucket_list) for i in bucket.indices
        }
        self._views = {i: bucket.views[i] for bucket in self._bucket_list for i in bucket.indices}
        # A separate communicator: the buckets' non-blocking reductions never interleave with
        # collectives the program makes on the default group (SyncBatchNorm's, for one).
        self._comm = self.process_group.comm.Dup() if self.process_group.size() > 1 else None
        self._armed = self._fired = self._finished = False
        for i, param in enumerate(self._params):
            param.register_hook(self._gradient_hook(i))

    # ----- construction -----
    def _module_buffers(self) -> list[Tensor]:
        return [b for _, b in self.module.named_buffers() if isinstance(b, Tensor)]

    def _check_same_model(self) -> None:
        # Mismatched models would silently average unrelated numbers: compare every rank's
        # parameter list with rank 0's before anything is sent.
        mine = [(n, tuple(p.shape), str(p.array.dtype)) for n, p in zip(self._names, self._params)]
        if self.process_group.size() == 1:
            return
        group = self.process_group
        everyone = group.run("parameter check", group.comm.allgather, mine)
        for rank, theirs in enumerate(everyone):
            if theirs != everyone[0]:
                differing = next(
                    (f"{a} vs {b}" for a, b in zip(everyone[0], theirs) if a != b),
                    f"{len(everyone[0])} vs {len(theirs)} parameters",
                )
                raise ValueError(
                    f"DistributedDataParallel: rank {rank} has a different model from rank 0 "
                    f"({differing}); every rank must build the same architecture"
                )

    def _gradient_hook(self, index: int):
        # A weak reference, so the hook left on a parameter does not keep this wrapper alive.
        owner = weakref.ref(self)

        def hook(grad: Tensor):
            ddp = owner()
            return None if ddp is None else ddp._on_gradient(index, grad.array)

        return hook

    # ----- forward -----
    def forward(self, *inputs, **kwargs):
        """Run the wrapped module, and get ready to average the gradients its outputs will give."""
        if self._fired and self._waiting:
            self._armed = self._fired = False
            waiting = [self._names[i] for i in np.flatnonzero(~self._done)]
            raise RuntimeError(
                "DistributedDataParallel: the previous backward pass did not give gradients to "
                f"{', '.join(waiting[:5])}{' ...' if len(waiting) > 5 else ''}, so their averages "
                "were never taken. Every output of forward must contribute to the loss; for "
                "parameters a forward pass does not use, pass find_unused_parameters=True"
            )
        sync = is_grad_enabled() and self.require_backward_grad_sync
        if sync and self.broadcast_buffers and self.process_group.size() > 1:
            buffers = self._module_buffers()
            if buffers:
                _coalesced_broadcast(buffers, self.process_group)
        outputs = self.module(*inputs, **kwargs)
        self._armed = self._finished = False
        if sync:
            self._prepare(outputs)
        return outputs

    def _prepare(self, outputs) -> None:
        used = _reached_parameters(outputs, self._index, len(self._params))
        if not used.any():
            return
        unused = np.flatnonzero(used == 0)
        if len(unused) and not self.find_unused_parameters:
            names = [self._names[i] for i in unused]
            raise RuntimeError(
                f"DistributedDataParallel: parameters {', '.join(names[:5])}"
                f"{' ...' if len(names) > 5 else ''} were not used to compute the outputs, so no "
                "gradient will come for them; pass find_unused_parameters=True to allow it"
            )
        for i in unused:
            # Unused here: its current gradient (or zero) joins the average.
            grad = self._params[i].grad
            self._views[i][...] = 0 if grad is None else grad.array
        self._used = used
        self._used_here = used > 0
        self._done = ~self._used_here
        self._waiting = int(used.sum())
        self._pending = [int(used[bucket.indices].sum()) for bucket in self._bucket_list]
        self._launched = 0
        self._requests = []
        self._armed = True
        self._fired = False

    # ----- backward -----
    def _on_gradient(self, i: int, grad: np.ndarray):
        # The engine calls this once per backward pass, with the parameter's whole gradient.
        if not self._armed:
            if self._finished and not self._used_here[i]:
                # Most likely the same backward pass: a term outside the wrapped module uses a
                # parameter that its forward pass did not.
                self._finished = False
                raise RuntimeError(
                    f"DistributedDataParallel: parameter {self._names[i]} got a gradient after "
                    "the averages of this backward pass were taken: a term outside the wrapped "
                    "module uses it, but the forward pass did not lead to it"
                )
            return None  # no_sync(), or a forward pass that did not go through this wrapper
        if self._done[i]:
            self._armed = False
            raise RuntimeError(
                f"DistributedDataParallel: parameter {self._names[i]} got a gradient that the "
                "forward pass did not lead to (is it used outside the wrapped module only, or "
                "was backward run twice on one forward pass?)"
            )
        self._fired = True
        self._done[i] = True
        # Start from what .grad holds (gradients accumulated under no_sync()), as the engine is
        # about to.
        earlier = self._params[i].grad
        if earlier is None:
            np.copyto(self._views[i], grad, casting="unsafe")
        else:
            np.add(earlier.array, grad, out=self._views[i], casting="unsafe")
        self._waiting -= 1
        bucket = self._bucket_of[i]
        self._pending[bucket] -= 1
        if self.overlap:
            if self._pending[bucket] == 0:
                self._launch_ready()
            if self._requests:
                # MPI moves a non-blocking collective on only while it is called: let it progress.
                self.process_group.MPI.Request.Testall(self._requests)
        if self._waiting:
            return None
        return _from_array(self._finish(i))

    def _launch_ready(self) -> None:
        # Buckets go out strictly in order: MPI needs every rank to start collectives on a
        # communicator in the same order, whatever order their gradients arrive in.
        MPI = self.process_group.MPI
        while self._launched < len(self._bucket_list) and self._pending[self._launched] == 0:
            if self._comm is not None:
                buffer = self._bucket_list[self._launched].buffer
                self._requests.append(self._comm.Iallreduce(MPI.IN_PLACE, buffer, MPI.SUM))
            self._launched += 1

    def _finish(self, last: int) -> np.ndarray:
        """Wait for the reductions, average, and set every parameter's .grad; returns the gradient
        of `last`, whose hook is running (the engine stores it in .grad when the hook returns)."""
        self._armed = False
        self._finished = True
        group = self.process_group
        used = self._used
        if self._comm is not None:
            MPI = group.MPI
            if self.overlap:
                self._launch_ready()
                group.run("gradient all_reduce", MPI.Request.Waitall, self._requests)
            else:
                for bucket in self._bucket_list:
                    group.run(
                        "gradient all_reduce",
                        self._comm.Allreduce,
                        MPI.IN_PLACE,
                        bucket.buffer,
                        MPI.SUM,
                    )
            if self.find_unused_parameters:
                group.run("used-parameter all_reduce", self._comm.Allreduce, MPI.IN_PLACE, used)
        size = group.size()
        result = None
        for bucket in self._bucket_list:
            if self.gradient_as_bucket_view:
                bucket.buffer /= size
            for i in bucket.indices:
                if not used[i]:
                    continue  # no rank used it: leave its .grad as it was
                view = bucket.views[i]
                grad = view if self.gradient_as_bucket_view else view / size
                if i == last:
                    result = grad
                    self._params[i].grad = None
                else:
                    self._params[i].grad = _from_array(grad)
        return result

    @contextlib.contextmanager
    def no_sync(self):
        """Inside this block, backward passes keep their gradients local (adding up in .grad);
        the first synchronised backward pass after it averages the sums.

        Example:
            >>> with model.no_sync():
            ...     loss_fn(model(first_half), y1).backward()
            >>> loss_fn(model(second_half), y2).backward()   # averages both halves' gradients
        """
        before = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = before

    def summary_line(self) -> str:
        return f"DistributedDataParallel of {self.module.summary_line()}"

    def extra_repr(self) -> str:
        return (
            f"world_size={self.process_group.size()}, buckets={len(self._bucket_list)}, "
            f"overlap={self.overlap}"
        )


class _SyncStandardize(Function):
    """(x - mean) / sqrt(var + eps) per channel (axis 1), with the mean and (biased) variance
    taken over the batches of every rank of `group`.

    Given a list as `stats`, forward appends the global mean and variance (float64, one per
    channel) and the global count of values per channel.
    """

    def forward(self, x, group, eps, stats):
        axes = (0,) + tuple(range(2, x.ndim))
        channels = x.shape[1]
        count = x.size // channels if channels else 0
        # Each rank's count, mean and sum of squared deviations, combined exactly (Chan et al.'s
        # parallel variance): one all-gather, and no loss of precision to E[x^2] - E[x]^2.
        local = np.zeros((2 * channels + 1,), dtype=np.float64)
        local[0] = count
        if count:
            mean = x.mean(axis=axes, dtype=np.float64)
            local[1 : channels + 1] = mean
            shape = (1, channels) + (1,) * (x.ndim - 2)
            local[channels + 1 :] = np.square(x - mean.reshape(shape).astype(x.dtype)).sum(
                axis=axes, dtype=np.float64
            )
        everyone = allgather_array(local, group)
        counts = everyone[:, :1]
        total = counts.sum()
        if total < 2:
            raise ValueError(
                f"SyncBatchNorm needs more than one value per channel to train, got {int(total)} "
                "across all ranks"
            )
        means = everyone[:, 1 : channels + 1]
        global_mean = (counts * means).sum(axis=0) / total
        squares = everyone[:, channels + 1 :].sum(axis=0)
        squares += (counts * np.square(means - global_mean)).sum(axis=0)
        var = squares / total
        shape = (1, channels) + (1,) * (x.ndim - 2)
        self.mean = global_mean.astype(x.dtype).reshape(shape)
        self.inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype).reshape(shape)
        self.x, self.axes, self.group, self.total = x, axes, group, total
        stats += [global_mean, var, int(total)]
        return (x - self.mean) * self.inv_std

    def backward(self, grad):
        # d x_hat / dx with statistics over all ranks: inv_std * (g - mean(g) - x_hat *
        # mean(g * x_hat)), the two means taken over every rank's values (one all-reduce).
        standardized = (self.x - self.mean) * self.inv_std
        channels = self.x.shape[1]
        sums = np.empty(2 * channels, dtype=np.float64)
        sums[:channels] = grad.sum(axis=self.axes, dtype=np.float64)
        sums[channels:] = (grad * standardized).sum(axis=self.axes, dtype=np.float64)
        self.group.run(
            "SyncBatchNorm all_reduce",
            self.group.comm.Allreduce,
            self.group.MPI.IN_PLACE,
            sums,
            self.group.MPI.SUM,
        )
        shape = self.mean.shape
        mean_grad = (sums[:channels] / self.total).astype(grad.dtype).reshape(shape)
        mean_product = (sums[channels:] / self.total).astype(grad.dtype).reshape(shape)
        out = grad - mean_grad
        out -= standardized * mean_product
        out *= self.inv_std
        return out


class SyncBatchNorm(_BatchNorm):
    """Batch normalization whose statistics are taken over the batches of all processes of the
    group, as if they were one batch; otherwise the same as BatchNorm1d/2d/3d.

    In training with a process group of more than one rank, each channel's mean and variance come
    from every rank's values (one all-gather in the forward pass, one all-reduce in the backward
    pass), and all ranks' running statistics move the same way. In `eval()`, or without a
    distributed group, it is plain batch normalization. Convert a model's BatchNorm layers with
    `SyncBatchNorm.convert_sync_batchnorm(model)`.

    Args:
        num_features: C, the number of channels.
        eps, momentum, affine, track_running_stats, device, dtype, bias: as in BatchNorm1d.
        process_group: the group to share statistics with (default: the default group).

    Shape:
        input (N, C, *) -> output, the same shape.

    Example:
        >>> model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        >>> model = nn.parallel.DistributedDataParallel(model)
    """

    layouts = ("(N, C)", "(N, C, L)", "(N, C, H, W)", "(N, C, D, H, W)")

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group=None,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )
        self.process_group = process_group

    def _group(self):
        if not groups.is_initialized() and self.process_group is None:
            return None
        group = groups.default_group(self.process_group)
        return group if group.size() > 1 else None

    def forward(self, input: Tensor) -> Tensor:
        group = self._group() if self.training else None
        if group is None:
            return super().forward(input)
        F._check_image(self.describe(), input, self.layouts, self.num_features)
        updating = self.track_running_stats
        momentum = self.momentum
        if updating and momentum is None:
            momentum = 1.0 / (float(self.num_batches_tracked.array) + 1.0)
        stats: list = []
        out = _SyncStandardize.apply(input, group=group, eps=self.eps, stats=stats)
        if updating:
            mean, var, count = stats
            F._update_running_stats(
                self.describe(), self.running_mean, self.running_var, mean, var, count, momentum
            )
            self.num_batches_tracked.add_(1)
        return F._scale_and_shift(out, self.weight, self.bias)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """Replace every BatchNorm1d/2d/3d in `module` by a SyncBatchNorm that keeps its
        parameters, buffers and mode; returns the module (a new one if `module` itself is a
        BatchNorm)."""
        if isinstance(module, _BatchNorm) and not isinstance(module, cls):
            converted = cls(
                module.num_features,
                module.eps,
                module.momentum,
                module.affine,
                module.track_running_stats,
                process_group,
                bias=module.bias is not None,
            )
            for name in ("weight", "bias"):
                converted.register_parameter(name, getattr(module, name))
            if module.track_running_stats:
                for name in ("running_mean", "running_var", "num_batches_tracked"):
                    converted.register_buffer(name, getattr(module, name))
            converted.train(module.training)
            return converted
        for name, child in list(module.named_children()):
            replaced = cls.convert_sync_batchnorm(child, process_group)
            if replaced is not child:
                setattr(module, name, replaced)  # keeps its place among the children
        return module


class DataParallel(Module):
    """PyTorch's single-process, many-GPU wrapper, for scripts that use it: wright runs the wrapped
    module as it is on its one device (state-dict keys gain the usual `module.` prefix); for
    several processes use DistributedDataParallel.

    Example:
        >>> model = nn.DataParallel(nn.Linear(3, 2))
        >>> model(wright.ones(4, 3)).shape
        wright.Size([4, 2])
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


__all__ = ["DataParallel", "DistributedDataParallel", "SyncBatchNorm"]
