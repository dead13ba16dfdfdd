"""Containers: modules that hold other modules (Sequential, ModuleList, ModuleDict) or parameters
(ParameterList, ParameterDict) and register everything they hold."""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping

from wright.nn.module import Module, Parameter, _addindent
from wright.tensor import Tensor

__all__ = ["ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Sequential"]


def _position(index, length: int) -> int:
    """A list position for an int index (negative counts from the end); IndexError outside."""
    index = operator.index(index)
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range")
    return index % length


def _described(value, type_name: str) -> str:
    """One line about a held value, for ParameterList's and ParameterDict's repr."""
    if isinstance(value, Tensor):
        kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
        size = "x".join(str(n) for n in value.shape)
        return f"{kind} containing: [{type_name} of size {size}]"
    return f"Object of type: {type(value).__name__}"


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: modules kept under the names '0', '1', ..."""

    def _renumber(self, modules: Iterable[Module]) -> None:
        self._modules = {}
        for i, module in enumerate(modules):
            self._adopt(str(i), module)
            if module is not None and module._parent is not None and module._parent() is self:
                module.__dict__["_name"] = str(i)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, list(self._modules)[_position(index, len(self))], module)

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[_position(index, len(modules))]
        self._renumber(modules)

    def append(self, module: Module):
        """Add a module at the end."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]):
        """Add modules at the end, in order."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"{type(self).__name__}.extend should be called with an iterable, but got "
                f"{type(modules).__name__}"
            )
        for module in list(modules):
            self.append(module)
        return self

    def insert(self, index: int, module: Module):
        """Put a module before position `index` (as list.insert)."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.insert: expected a Module, got {module!r}")
        modules = list(self._modules.values())
        modules.insert(operator.index(index), module)
        self._renumber(modules)
        return self

    def pop(self, index: int | slice = -1):
        """Remove the module at `index` and return it."""
        found = self[index]
        del self[index]
        return found

    def __dir__(self) -> list[str]:
        return [name for name in super().__dir__() if not name.isdigit()]


class Sequential(_ModuleSequence):
    """Modules applied one after another, each output feeding the next.

    Made from modules (named '0', '1', ...) or from an ordered dict of named modules. Indexing
    gives a module, a slice gives a Sequential of the same modules under their old names.

    Example:
        >>> model = nn.Sequential(nn.Linear(784, 16), nn.Sigmoid(), nn.Linear(16, 10))
        >>> model(wright.zeros(32, 784)).shape
        wright.Size([32, 10])
        >>> model[:2]
        Sequential(
          (0): Linear(in_features=784, out_features=16, bias=True)
          (1): Sigmoid()
        )
    """

    def __init__(self, *modules) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self:
            input = module(input)
        return input

    def __getitem__(self, index: int | slice):
        if isinstance(index, slice):
            return type(self)(OrderedDict(list(self._modules.items())[index]))
        return list(self._modules.values())[_position(index, len(self))]

    @staticmethod
    def _check_sequential(other) -> None:
        if not isinstance(other, Sequential):
            raise ValueError(  # noqa: TRY004 (PyTorch's exception type)
                "add operator supports only objects of Sequential class, but "
                f"{type(other)} is given."
            )

    def __add__(self, other: Sequential) -> Sequential:
        self._check_sequential(other)
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential):
        self._check_sequential(other)
        return self.extend(list(other))

    def _check_times(self, times) -> None:
        if not isinstance(times, int) or isinstance(times, bool):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(times)}")
        if times <= 0:
            raise ValueError(f"Non-positive multiplication factor {times} for {type(self)}")

    def __mul__(self, times: int) -> Sequential:
        self._check_times(times)
        return Sequential(*(list(self) * times))

    __rmul__ = __mul__

    def __imul__(self, times: int):
        self._check_times(times)
        return self.extend(list(self) * (times - 1))


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (unlike a plain Python list).

    Supports indexing, slicing (a new ModuleList), assignment, deletion, `append`, `extend`,
    `insert`, `pop`, `+` and `+=`. It has no forward: iterate over it in yours.

    Example:
        >>> blocks = nn.ModuleList(nn.Linear(8, 8) for _ in range(3))
        >>> len(list(blocks.parameters()))
        6
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index: int | slice):
        if isinstance(index, slice):
            return type(self)(list(self._modules.values())[index])
        return list(self._modules.values())[_position(index, len(self))]

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def __iadd__(self, modules: Iterable[Module]):
        return self.extend(modules)

    def __repr__(self) -> str:
        # Runs of identical modules are shown once, as '(0-5): 6 x Layer(...)'.
        if not self._modules:
            return self._get_name() + "()"
        reprs = [repr(module) for module in self]
        lines, start = [], 0
        for i in range(1, len(reprs) + 1):
            if i < len(reprs) and reprs[i] == reprs[start]:
                continue
            count = i - start
            label = f"({start})" if count == 1 else f"({start}-{i - 1}): {count} x"
            sep = ": " if count == 1 else " "
            lines.append(_addindent(label + sep + reprs[start], 2))
            start = i
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules whose parameters are registered, in insertion order.

    Supports `d[key]`, assignment, `del`, `in`, `len`, iteration over keys, `keys()`, `values()`,
    `items()`, `update()`, `pop()` and `clear()`.

    Example:
        >>> heads = nn.ModuleDict({"digit": nn.Linear(16, 10), "parity": nn.Linear(16, 2)})
        >>> heads["parity"].out_features
        2
    """

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove the module under `key` and return it."""
        found = self[key]
        del self[key]
        return found

    def keys(self):
        """The names, in order."""
        return self._modules.keys()

    def items(self):
        """(name, module) pairs, in order."""
        return self._modules.items()

    def values(self):
        """The modules, in order."""
        return self._modules.values()

    def update(self, modules) -> None:
        """Add (or replace) modules from a mapping or an iterable of (name, module) pairs."""
        for key, module in _pairs("ModuleDict", modules, sort=False):
            self[key] = module


def _pairs(owner: str, values, sort: bool) -> list[tuple]:
    """(key, value) pairs from a mapping or an iterable of pairs; plain dicts sorted when `sort`
    (ParameterDict's rule in PyTorch)."""
    if not isinstance(values, Iterable):
        raise TypeError(
            f"{owner}.update should be called with an iterable of key/value pairs, but got "
            f"{type(values).__name__}"
        )
    if isinstance(values, OrderedDict | ModuleDict | ParameterDict):
        return list(values.items())
    if isinstance(values, Mapping):
        return sorted(values.items()) if sort else list(values.items())
    pairs = []
    for j, pair in enumerate(values):
        if not isinstance(pair, Iterable):
            raise TypeError(
                f"{owner} update sequence element #{j} should be Iterable; is {type(pair).__name__}"
            )
        pair = tuple(pair)
        if len(pair) != 2:
            raise ValueError(
                f"{owner} update sequence element #{j} has length {len(pair)}; 2 is required"
            )
        pairs.append(pair)
    return pairs


def _as_parameter(value):
    # As PyTorch does, a plain tensor placed in a parameter container becomes a Parameter.
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


class ParameterList(Module):
    """A list of parameters that a module registers; plain tensors become Parameters.

    Example:
        >>> scales = nn.ParameterList([wright.ones(3), wright.ones(3)])
        >>> [name for name, _ in scales.named_parameters()]
        ['0', '1']
    """

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def __getitem__(self, index: int | slice):
        if isinstance(index, slice):
            return type(self)([self[i] for i in range(len(self))[index]])
        return getattr(self, str(_position(index, len(self))))

    def __setitem__(self, index: int, value) -> None:
        setattr(self, str(_position(index, len(self))), _as_parameter(value))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator:
        return iter(self[i] for i in range(len(self)))

    def __iadd__(self, values: Iterable):
        return self.extend(values)

    def __dir__(self) -> list[str]:
        return [name for name in super().__dir__() if not name.isdigit()]

    def append(self, value) -> ParameterList:
        """Add a parameter (or other value) at the end."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable) -> ParameterList:
        """Add values at the end, in order."""
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError(
                "ParameterList.extend should be called with an iterable, but got "
                f"{type(values).__name__}"
            )
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(
            f"  ({i}): {_described(value, getattr(value, 'dtype', ''))}"
            for i, value in enumerate(self)
        )

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """A dict of parameters that a module registers, in insertion order; plain tensors become
    Parameters.

    As in PyTorch, `update` with a plain dict adds its keys in sorted order (an OrderedDict, a
    ParameterDict or a list of pairs keeps its order).

    Example:
        >>> table = nn.ParameterDict({"scale": wright.ones(3)})
        >>> isinstance(table["scale"], nn.Parameter)
        True
    """

    def __init__(self, parameters=None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _checked(key) -> str:
        if not isinstance(key, str):
            raise TypeError(
                "Index given to ParameterDict cannot be used as a key as it is not a string "
                f"(type is '{type(key).__name__}')."
            )
        return key

    def __getitem__(self, key: str):
        return getattr(self, self._checked(key))

    def __setitem__(self, key: str, value) -> None:
        self._keys[self._checked(key)] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[self._checked(key)]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys)

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same parameters."""
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key: str, default=None):
        """The value under `key`, set to `default` first when missing."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry."""
        for key in list(self._keys):
            del self[key]

    def pop(self, key: str):
        """Remove the entry under `key` and return its value."""
        found = self[key]
        del self[key]
        return found

    def popitem(self) -> tuple:
        """Remove the last entry and return (key, value)."""
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def get(self, key: str, default=None):
        """The value under `key`, or `default`."""
        return getattr(self, key) if key in self._keys else default

    def fromkeys(self, keys: Iterable[str], default=None) -> ParameterDict:
        """A new ParameterDict with every key set to `default`."""
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        """The keys, in order."""
        return self._keys.keys()

    def items(self):
        """(key, value) pairs, in order."""
        return ((k, self[k]) for k in self._keys)

    def values(self):
        """The values, in order."""
        return (self[k] for k in self._keys)

    def update(self, parameters) -> None:
        """Add (or replace) entries from a mapping or an iterable of (key, value) pairs."""
        for key, value in _pairs("ParameterDict", parameters, sort=True):
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(
            f"  ({key}): {_described(value, value.type() if isinstance(value, Tensor) else '')}"
            for key, value in self.items()
        )

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterDict should not be called.")

    def __or__(self, other: ParameterDict) -> ParameterDict:
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other: ParameterDict):
        self.update(other)
        return self
