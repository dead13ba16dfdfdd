"""Parametrizations (PyTorch's `torch.nn.utils.parametrize`): a module's parameter replaced by a
function of other parameters, recomputed on every access. `register_parametrization(module,
"weight", P)` stores the original as `module.parametrizations.weight.original` (or
`original0`, `original1`, ... when P.right_inverse returns several) and makes `module.weight`
read `P(original)`."""

from __future__ import annotations

import contextlib

from wright.autograd import no_grad
from wright.nn.container import ModuleDict, ModuleList
from wright.nn.module import Module, Parameter
from wright.tensor import Tensor


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, and its original parameter(s)."""

    def __init__(self, modules, original: Tensor, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            initial = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    initial = module.right_inverse(initial)
        self.is_tensor = isinstance(initial, Tensor)
        requires_grad = original.requires_grad
        if self.is_tensor:
            self.original = Parameter(initial.detach().clone(), requires_grad=requires_grad)
            self.ntensors = 1
        else:
            for index, value in enumerate(initial):
                setattr(
                    self,
                    f"original{index}",
                    Parameter(value.detach().clone(), requires_grad=requires_grad),
                )
            self.ntensors = len(initial)

    def right_inverse(self, value: Tensor) -> None:
        """Set the originals so that the parametrized tensor becomes `value`."""
        with no_grad():
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    value = module.right_inverse(value)
            if self.is_tensor:
                self.original.copy_(value)
            else:
                for index, part in enumerate(value):
                    getattr(self, f"original{index}").copy_(part)

    def forward(self) -> Tensor:
        modules = list(self)
        if self.is_tensor:
            value = modules[0](self.original)
        else:
            value = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            value = module(value)
        return value


def _parametrized_class(module: Module) -> type:
    # Each parametrized module gets a class of its own, so that properties added for one module
    # do not appear on others of the same class.
    cls = type(module)
    if getattr(cls, "_is_parametrized_class", False):
        return cls
    made = type(f"Parametrized{cls.__name__}", (cls,), {"_is_parametrized_class": True})
    module.__class__ = made
    return made


def _property(name: str) -> property:
    def get(self) -> Tensor:
        return self.parametrizations[name]()

    def set(self, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    return property(get, set)


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Make `module.<tensor_name>` read `parametrization(original)`; a second registration on the
    same name chains after the first. Returns the module."""
    if is_parametrized(module, tensor_name):
        module.parametrizations[tensor_name].append(parametrization)
        return module
    original = getattr(module, tensor_name)
    if not isinstance(original, Tensor):
        # ValueError, as in PyTorch.
        message = f"Module '{module}' has no parameter or buffer with name '{tensor_name}'"
        raise ValueError(message)  # noqa: TRY004
    parametrizations = ParametrizationList([parametrization], original, unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = parametrizations
    setattr(_parametrized_class(module), tensor_name, _property(tensor_name))
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether the module (or its tensor `tensor_name`) has a parametrization."""
    found = module._modules.get("parametrizations")
    if not isinstance(found, ModuleDict):
        return False
    return len(found) > 0 if tensor_name is None else tensor_name in found


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Undo register_parametrization: the tensor becomes a plain parameter again, holding the
    parametrized value (or the original with leave_parametrized=False)."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if leave_parametrized:
        with no_grad():
            value = getattr(module, tensor_name)
        requires_grad = (
            parametrizations.original if parametrizations.is_tensor else parametrizations.original0
        ).requires_grad
        parameter = Parameter(value.detach().clone(), requires_grad=requires_grad)
    elif parametrizations.is_tensor:
        parameter = parametrizations.original
    else:
        raise ValueError(
            "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
            "parametrized in terms of a sequence of tensors."
        )
    cls = type(module)
    delattr(cls, tensor_name)
    del module.parametrizations[tensor_name]
    module.register_parameter(tensor_name, parameter)
    if not is_parametrized(module):
        del module.parametrizations
        module.__class__ = cls.__bases__[0]
    return module


@contextlib.contextmanager
def cached():
    """Accepted for PyTorch's API: wright recomputes parametrized tensors on each access."""
    yield


__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
]
