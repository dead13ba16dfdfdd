"""PyTorch's original weight normalization hook (`torch.nn.utils.weight_norm`): the weight is
replaced by parameters `weight_g` (the norms) and `weight_v` (the direction), and recomputed
from them before every forward."""

from __future__ import annotations

from wright.nn.module import Module, Parameter
from wright.nn.utils.parametrizations import norm_except_dim


class WeightNorm:
    """The forward-pre-hook that recomputes `module.<name>` from `<name>_g` and `<name>_v`."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module):
        """g * v / ||v|| from the module's current parameters."""
        g = getattr(module, f"{self.name}_g")
        v = getattr(module, f"{self.name}_v")
        return v * (g / norm_except_dim(v, 2, self.dim))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Split `module.<name>` into `<name>_g` and `<name>_v` (w = g v / ||v||, the norm over every
    dim but `dim`; all dims for None)."""
    hooks = module.__dict__.setdefault("_weight_norm_hooks", {})
    if name in hooks:
        raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
    dim = -1 if dim is None else dim
    weight = getattr(module, name)
    norm = WeightNorm(name, dim)
    del module._parameters[name]
    module.register_parameter(f"{name}_g", Parameter(norm_except_dim(weight, 2, dim).detach()))
    module.register_parameter(f"{name}_v", Parameter(weight.detach()))
    setattr(module, name, norm.compute_weight(module))
    hooks[name] = (norm, module.register_forward_pre_hook(norm))
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo weight_norm: `<name>` becomes one parameter again, holding g v / ||v||."""
    hooks = module.__dict__.get("_weight_norm_hooks", {})
    if name not in hooks:
        raise ValueError(f"weight_norm of '{name}' not found in {module}")
    norm, handle = hooks.pop(name)
    weight = norm.compute_weight(module)
    handle.remove()
    delattr(module, name)
    del module._parameters[f"{name}_g"]
    del module._parameters[f"{name}_v"]
    module.register_parameter(name, Parameter(weight.detach()))
    return module


__all__ = ["remove_weight_norm", "weight_norm"]
