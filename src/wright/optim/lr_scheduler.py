"""Learning-rate schedules: change each group's lr as training goes on; call `step()` once per epoch
(or batch)."""

from __future__ import annotations

import math

from wright.optim.optimizer import Optimizer


class LRScheduler:
    """Base class: sets every group's lr to `lr_at(step)` each time `step()` is called."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.base_lrs = [
            group.setdefault("initial_lr", group["lr"]) for group in optimizer.param_groups
        ]
        self.last_epoch = 0
        self._apply()

    def lr_at(self, base_lr: float, step: int) -> float:
        """The learning rate after `step` scheduler steps for a group that started at base_lr."""
        raise NotImplementedError

    def _apply(self) -> None:
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base, self.last_epoch)

    def step(self) -> None:
        """Advance the schedule by one step."""
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the latest step, one per group."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """The schedule's position, for checkpoints."""
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs)}

    def load_state_dict(self, state: dict) -> None:
        """Resume the schedule from `state_dict()`."""
        self.last_epoch = int(state["last_epoch"])
        self.base_lrs = list(state["base_lrs"])
        self._apply()


class StepLR(LRScheduler):
    """Multiply the lr by gamma every step_size steps."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def lr_at(self, base_lr, step):
        return base_lr * self.gamma ** (step // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the lr by gamma every step."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = gamma
        super().__init__(optimizer)

    def lr_at(self, base_lr, step):
        return base_lr * self.gamma**step


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from the base lr down to eta_min over T_max steps."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def lr_at(self, base_lr, step):
        return (
            self.eta_min
            + (base_lr - self.eta_min) * (1 + math.cos(math.pi * step / self.T_max)) / 2
        )


class OneCycleLR(LRScheduler):
    """Warm up from max_lr/div_factor to max_lr over pct_start of the run, then anneal (cosine) to
    max_lr/(div_factor*final_div_factor). Step it once per batch. (Momentum is not cycled.)"""

    # wright.train.fit steps a schedule with this attribute after every batch.
    per_batch = True

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float,
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        anneal_strategy: str = "cos",
    ) -> None:
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("OneCycleLR: give total_steps, or epochs and steps_per_epoch")
            total_steps = epochs * steps_per_epoch
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        self.total_steps, self.max_lr = total_steps, max_lr
        self.initial = max_lr / div_factor
        self.final = self.initial / final_div_factor
        self.warmup_end = float(pct_start * total_steps) - 1
        self.anneal_strategy = anneal_strategy
        super().__init__(optimizer)

    def _anneal(self, start, end, fraction):
        if self.anneal_strategy == "linear":
            return start + (end - start) * fraction
        return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2

    def lr_at(self, base_lr, step):
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: stepped {step} times, more than total_steps={self.total_steps}"
            )
        if step <= self.warmup_end:
            return self._anneal(self.initial, self.max_lr, step / self.warmup_end)
        fraction = (step - self.warmup_end) / (self.total_steps - 1 - self.warmup_end)
        return self._anneal(self.max_lr, self.final, min(fraction, 1.0))
