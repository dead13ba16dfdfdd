"""Module: the building block of networks; it owns parameters and submodules and defines
`forward`."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from wright import backend, dtypes
from wright.creation import as_tensor
from wright.tensor import Tensor


class Parameter(Tensor):
    """A tensor that a Module learns: it requires grad and is listed by `Module.parameters()`.

    It shares memory with the data it is made from and keeps its dtype.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        array = np.zeros(0, dtype=dtypes.default_float_numpy()) if data is None else data
        array = array.array if isinstance(array, Tensor) else backend.to_array(array)
        super().__init__(array, dtype=array.dtype, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer and model.

    Assigning a Parameter or a Module as an attribute registers it, so `parameters()`,
    `state_dict()`, `train()`/`eval()` and `zero_grad()` reach it. Subclasses define `forward`;
    calling the module runs it.

    Example:
        >>> class TwoLayer(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(784, 16)
        ...         self.out = nn.Linear(16, 10)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).sigmoid())
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_parent", None)
        object.__setattr__(self, "_name", "")
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
            # The first owner keeps the name while it lives, so a slice such as model.layers[1:]
            # does not rename the layers in the model's error messages.
            if value._parent is None or value._parent() is None:
                object.__setattr__(value, "_parent", weakref.ref(self))
                object.__setattr__(value, "_name", name)
        elif name in self.__dict__.get("_buffer_names", ()):
            self._buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, value: Tensor | None) -> None:
        """Register state that is saved in `state_dict` but not learned (e.g. running
        statistics)."""
        self.__dict__.setdefault("_buffer_names", set()).add(name)
        setattr(self, name, value)

    def register_parameter(self, name: str, value: Parameter | None) -> None:
        """Register a parameter under `name`; None records that the module has no such parameter."""
        if value is None:
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, value)

    def forward(self, *args, **kwargs):
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----- names and errors -----
    def path(self) -> str:
        """Dotted name of this module inside the first model it was attached to ('' for the
        root)."""
        parts, module = [], self
        while module._parent is not None and module._parent() is not None:
            parts.append(module._name)
            module = module._parent()
        return ".".join(reversed(parts))

    def describe(self) -> str:
        """The module's path and one-line summary, for error messages:
        'layers.2 (Linear 16->10)'."""
        summary = self.summary_line()
        path = self.path()
        return f"{path} ({summary})" if path else summary

    def summary_line(self) -> str:
        """A short description of this module for messages; layers override it."""
        return type(self).__name__

    def check_input(self, x: Tensor, feature_axis: int, expected: int, layout: str) -> None:
        """Raise a ValueError naming this module when `x` lacks `expected` features on
        `feature_axis`."""
        if (
            x.ndim < (-feature_axis if feature_axis < 0 else feature_axis + 1)
            or x.shape[feature_axis] != expected
        ):
            raise ValueError(
                f"{self.describe()} got input of shape {tuple(x.shape)}; expected {layout} with "
                f"{expected} at dimension {feature_axis}"
            )

    # ----- traversal -----
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all below it, with dotted names."""
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and all below it."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their attribute names."""
        return iter((n, m) for n, m in self._modules.items() if m is not None)

    def children(self) -> Iterator[Module]:
        """Direct submodules."""
        return iter(m for _, m in self.named_children())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name ('layers.0.weight'), each listed once."""
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, param in module._parameters.items():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self) -> Iterator[Parameter]:
        """Every learnable parameter, for an optimizer."""
        return iter(p for _, p in self.named_parameters())

    def named_buffers(self) -> Iterator[tuple[str, Tensor]]:
        """Every registered buffer with its dotted name."""
        for module_name, module in self.named_modules():
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    def num_parameters(self) -> int:
        """Count of learnable numbers (weights and biases)."""
        return sum(p.array.size for p in self.parameters())

    # ----- modes -----
    def train(self, mode: bool = True) -> Module:
        """Put this module and all below it in training mode (dropout active, batch statistics)."""
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Put this module and all below it in evaluation mode."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget the gradients of all parameters."""
        for param in self.parameters():
            param.grad = None

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter."""
        for param in self.parameters():
            param.requires_grad = requires_grad
        return self

    def apply(self, fn) -> Module:
        """Call fn on every submodule and then on self (for custom initialisation)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ----- state -----
    def state_dict(self) -> OrderedDict[str, Tensor]:
        """Parameters and buffers by dotted name; the tensors share memory with the module."""
        state: OrderedDict[str, Tensor] = OrderedDict()
        for name, param in self.named_parameters():
            state[name] = as_tensor(param.array)
        for name, buffer in self.named_buffers():
            state[name] = buffer if isinstance(buffer, Tensor) else as_tensor(np.asarray(buffer))
        return state

    def load_state_dict(self, state_dict, strict: bool = True) -> tuple[list[str], list[str]]:
        """Copy values from a state dict into this module's parameters and buffers.

        Shapes must match exactly. With `strict`, missing and unexpected keys are errors too;
        otherwise they are returned as (missing, unexpected).
        """
        own = dict(self.named_parameters())
        own.update(self.named_buffers())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(
                f"load_state_dict: {type(self).__name__} missing keys {missing}, "
                f"unexpected keys {unexpected}"
            )
        for name, target in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            value = np.asarray(value.array if isinstance(value, Tensor) else value)
            if value.shape != target.array.shape:
                raise ValueError(
                    f"load_state_dict: {name} has shape {tuple(target.array.shape)} in "
                    f"{type(self).__name__} but {tuple(value.shape)} in the state dict"
                )
            target.array[...] = value
        return missing, unexpected

    # ----- printing -----
    def extra_repr(self) -> str:
        """The part of the repr inside the parentheses; layers describe their sizes here."""
        return ""

    def __repr__(self) -> str:
        lines = [
            f"({name}): " + repr(child).replace("\n", "\n  ")
            for name, child in self._modules.items()
        ]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


class Sequential(Module):
    """Modules applied one after another, each output feeding the next; index with [i]."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            modules_by_name = modules[0].items()
        else:
            modules_by_name = ((str(i), m) for i, m in enumerate(modules))
        for name, module in modules_by_name:
            setattr(self, name, module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index: int | slice):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add a module at the end."""
        setattr(self, str(len(self._modules)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (unlike a plain Python list)."""

    def __init__(self, modules=()) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end."""
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())
