"""Module: the building block of networks; it owns parameters, buffers and submodules, defines
`forward`, and runs hooks around it. Parameter: a tensor that a module learns."""

from __future__ import annotations

import itertools
import warnings
import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping

import numpy as np

from wright import backend, dtypes
from wright.autograd import no_grad
from wright.nn import hooks as H
from wright.nn.hooks import (
    register_module_forward_hook,
    register_module_forward_pre_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
)
from wright.tensor import Tensor, _from_array, _RemovableHook, parse_to

__all__ = [
    "Module",
    "Parameter",
    "register_module_forward_hook",
    "register_module_forward_pre_hook",
    "register_module_full_backward_hook",
    "register_module_full_backward_pre_hook",
]


class Parameter(Tensor):
    """A tensor that a Module learns: it requires grad and is listed by `Module.parameters()`.

    Made from a Tensor, it shares that tensor's memory (a view cut off from any graph) and keeps
    its dtype; NumPy arrays are wrapped without copying.

    Args:
        data: the initial values (an empty float tensor when None).
        requires_grad: whether the parameter is trained (only floating dtypes can be).

    Example:
        >>> weight = nn.Parameter(wright.randn(3, 2))
        >>> weight.requires_grad
        True
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.zeros(0, dtype=dtypes.default_float_numpy())
        array = data.array if isinstance(data, Tensor) else backend.to_array(data)
        super().__init__(array, dtype=array.dtype, requires_grad=requires_grad)
        if isinstance(data, Tensor):
            # The same memory, so changes through either are counted together.
            self._version_counter = data._version_counter

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo) -> Parameter:
        # As in PyTorch, a copied parameter starts without a gradient.
        if id(self) in memo:
            return memo[id(self)]
        copied = type(self)(self.array.copy(), self.requires_grad)
        memo[id(self)] = copied
        return copied


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict` returns: the keys it missed and the keys it did not know."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (for nesting a child's repr inside its parent's)."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


def _check_name(kind: str, name, owner: Module, registry: dict) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if hasattr(owner, name) and name not in registry:
        raise KeyError(f"attribute '{name}' already exists")


class Module:
    """Base class of every layer and model.

    Assigning a Parameter, a Module or (for a registered buffer) a Tensor as an attribute
    registers it, so `parameters()`, `state_dict()`, `to()`, `train()`/`eval()` and `zero_grad()`
    reach it. Subclasses define `forward`; calling the module runs the forward pre-hooks, `forward`
    and the forward hooks, and sets up full backward hooks.

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
        self.__dict__.update(
            training=True,
            _parameters={},
            _buffers={},
            _non_persistent_buffers_set=set(),
            _modules={},
            _forward_pre_hooks=[],
            _forward_hooks=[],
            _backward_pre_hooks=[],
            _backward_hooks=[],
            _parent=None,
            _name="",
        )

    def forward(self, *args, **kwargs):
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    # ----- attributes: parameters, buffers and submodules are registered on assignment -----
    def __getattr__(self, name: str):
        found = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in found and name in found[registry]:
                return found[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        found = self.__dict__
        params = found.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            self.register_parameter(name, None)
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            self._adopt(name, value)
        elif params is not None and name in found["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as child module '{name}' "
                    "(nn.Module or None expected)"
                )
            found["_modules"][name] = None
        elif params is not None and name in found["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as buffer '{name}' "
                    "(Tensor or None expected)"
                )
            found["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        # An attribute lives in one place only: drop the name from every other registry.
        found = self.__dict__
        found.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:
                found[registry].pop(name, None)
        found["_non_persistent_buffers_set"].discard(name)

    def _adopt(self, name: str, module: Module | None) -> None:
        self._modules[name] = module
        # The first owner names the module while it lives, so a slice such as model.layers[1:]
        # does not rename the layers in the model's error messages.
        if module is not None and (module._parent is None or module._parent() is None):
            module.__dict__.update(_parent=weakref.ref(self), _name=name)

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        names = itertools.chain(
            dir(type(self)), self.__dict__, self._parameters, self._modules, self._buffers
        )
        return sorted({name for name in names if not name[0].isdigit()})

    def __getstate__(self) -> dict:
        # The weak link to the parent cannot be copied; __setstate__ of the parent restores it.
        state = self.__dict__.copy()
        state["_parent"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for name, child in self._modules.items():
            if child is not None and child._parent is None:
                child.__dict__.update(_parent=weakref.ref(self), _name=name)

    # ----- registration -----
    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register state that is not learned (e.g. running statistics) under `name`.

        Persistent buffers are saved in `state_dict`; all buffers follow `to()`/`float()`/....

        Raises:
            KeyError: for an invalid name or one that is already another attribute.
            TypeError: when `tensor` is neither a Tensor nor None.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name, self, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_type_name(tensor)}' object to buffer '{name}' "
                "(Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register a parameter under `name`; None records that the module has no such parameter
        (it is then left out of `parameters()` and `state_dict()`)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name, self, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                f"created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method."
            )
        self._parameters[name] = param

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a submodule under `name` (None leaves the slot empty)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        _check_name("module", name, self, self._modules)
        self._adopt(name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path such as 'encoder.layers.0' ('' is the module itself)."""
        module = self
        for item in target.split(".") if target else ():
            if not hasattr(module, item):
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")  # noqa: TRY004
        return module

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Replace (or, unless `strict`, add) the submodule at a dotted path."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")  # noqa: TRY004
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and not hasattr(parent, name):
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path such as 'encoder.linear1.weight'."""
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")  # noqa: TRY004
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at a dotted path such as 'norm.running_mean'."""
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return getattr(module, name)

    # ----- calling: hooks around forward -----
    def __call__(self, *args, **kwargs):
        if not (
            self._forward_pre_hooks
            or self._forward_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
            or H.any_global_hooks()
        ):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict):
        result = None
        called: set[int] = set()
        forward_hooks = [*H.global_forward_hooks, *self._forward_hooks]
        try:
            for hook in [*H.global_forward_pre_hooks, *self._forward_pre_hooks]:
                if hook.with_kwargs:
                    answer = hook.fn(self, args, kwargs)
                    if answer is not None:
                        if not (isinstance(answer, tuple) and len(answer) == 2):
                            raise RuntimeError(
                                "forward pre-hook must return None or a tuple of (new_args, "
                                f"new_kwargs), but got {answer}."
                            )
                        args, kwargs = answer
                else:
                    answer = hook.fn(self, args)
                    if answer is not None:
                        args = answer if isinstance(answer, tuple) else (answer,)
            backward_hooks = [h.fn for h in (*H.global_backward_hooks, *self._backward_hooks)]
            backward_pre_hooks = [
                h.fn for h in (*H.global_backward_pre_hooks, *self._backward_pre_hooks)
            ]
            gradients = None
            if backward_hooks or backward_pre_hooks:
                gradients = H.BackwardHook(self, backward_hooks, backward_pre_hooks)
                args = gradients.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hook in forward_hooks:
                called.add(id(hook))
                answer = self._run_forward_hook(hook, args, kwargs, result)
                if answer is not None:
                    result = answer
            if gradients is not None:
                result = gradients.setup_output_hook(result)
            return result
        except Exception:
            # Hooks registered with always_call=True run even when forward (or a hook) failed;
            # their own errors are only warned about, the first error is the one raised.
            for hook in forward_hooks:
                if hook.always_call and id(hook) not in called:
                    try:
                        self._run_forward_hook(hook, args, kwargs, result)
                    except Exception as error:  # noqa: BLE001
                        warnings.warn(
                            "module forward hook with ``always_call=True`` raised an exception "
                            f"that was silenced as another error was raised in forward: {error}",
                            stacklevel=2,
                        )
            raise

    def _run_forward_hook(self, hook: H.Hook, args: tuple, kwargs: dict, result):
        if hook.with_kwargs:
            return hook.fn(self, args, kwargs, result)
        return hook.fn(self, args, result)

    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> _RemovableHook:
        """Call `hook(module, args)` before every forward; a returned value replaces the
        positional arguments (a non-tuple becomes a 1-tuple).

        With `with_kwargs`, it is called as `hook(module, args, kwargs)` and may return a new
        `(args, kwargs)` pair. `prepend` runs it before the hooks already registered.

        Returns:
            a handle whose `remove()` unregisters the hook.
        """
        return H.add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs=with_kwargs)

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> _RemovableHook:
        """Call `hook(module, args, output)` after every forward; a returned value replaces the
        output.

        With `with_kwargs`, it is called as `hook(module, args, kwargs, output)`. With
        `always_call`, it also runs when forward raises. `prepend` runs it first.

        Example:
            >>> layer, seen = nn.Linear(2, 3), {}
            >>> handle = layer.register_forward_hook(lambda m, args, out: seen.update(out=out))
            >>> _ = layer(wright.zeros(4, 2))
            >>> seen["out"].shape
            wright.Size([4, 3])
            >>> handle.remove()
        """
        return H.add_hook(
            self._forward_hooks, hook, prepend, with_kwargs=with_kwargs, always_call=always_call
        )

    def register_full_backward_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> _RemovableHook:
        """Call `hook(module, grad_output)` when the gradients of the module's outputs are known;
        a returned tuple replaces them (and is what flows back into the module).

        `grad_output` has one entry per output (a Tensor output counts as a 1-tuple), None where
        an output got no gradient.
        """
        return H.add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> _RemovableHook:
        """Call `hook(module, grad_input, grad_output)` when the gradients of the module's
        positional inputs are known; a returned tuple replaces `grad_input`.

        `grad_input` has one entry per positional argument: the gradient for tensors (zeros when
        none flowed), None for other arguments; when no input requires grad the hook runs with
        all None as soon as `grad_output` is known. Inputs and outputs should be Tensors (or
        tuples of them); the module sees its tensor inputs as new tensors with the same memory.
        """
        return H.add_hook(self._backward_hooks, hook, prepend)

    # ----- traversal -----
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every module below it, with dotted names ('' for this one), each
        listed once unless `remove_duplicate` is False."""
        memo = set() if memo is None else memo
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(
                    memo, f"{prefix}.{name}" if prefix else name, remove_duplicate
                )

    def modules(self, remove_duplicate: bool = True) -> Iterator[Module]:
        """This module and every module below it."""
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their attribute names, each listed once."""
        seen = set()
        for name, child in self._modules.items():
            if child is not None and child not in seen:
                seen.add(child)
                yield name, child

    def children(self) -> Iterator[Module]:
        """Direct submodules."""
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen: set[int] = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name ('layers.0.weight'); a shared one is listed once
        unless `remove_duplicate` is False; only this module's own with `recurse=False`."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every learnable parameter, for an optimizer."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Every buffer (persistent or not) with its dotted name."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def num_parameters(self) -> int:
        """Count of learnable numbers (weights and biases)."""
        return sum(p.array.size for p in self.parameters())

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call fn on every submodule and then on self (for custom initialisation)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ----- modes and gradients -----
    def train(self, mode: bool = True) -> Module:
        """Put this module and all below it in training mode (dropout active, batch statistics),
        or evaluation mode with `mode=False`."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")  # noqa: TRY004
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Put this module and all below it in evaluation mode."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters (set them to None, or zero them in place with
        `set_to_none=False`)."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.detach_()
                param.grad.zero_()

    def share_memory(self) -> Module:
        """Returns self: wright's tensors are ordinary process memory."""
        return self

    # ----- dtype and device -----
    def _apply(self, fn: Callable[[Tensor], Tensor], recurse: bool = True) -> Module:
        """Replace the values of every parameter (keeping the Parameter objects, which optimizers
        refer to), its gradient, and every buffer by `fn` of them."""
        if recurse:
            for child in self.children():
                child._apply(fn)
        with no_grad():
            for param in self._parameters.values():
                if param is None:
                    continue
                param.data = fn(param)
                if param.grad is not None:
                    param.grad.data = fn(param.grad)
            for name, buffer in self._buffers.items():
                if buffer is not None:
                    self._buffers[name] = fn(buffer)
        return self

    def to(self, *args, **kwargs) -> Module:
        """Convert floating parameters and buffers to a dtype, `to(dtype)`, `to(device, dtype)`
        or `to(tensor)`; integer buffers keep their dtype, and the device must be the CPU.

        Raises:
            TypeError: for a dtype that is not floating.
        """
        _, dtype, _ = parse_to(args, kwargs)
        if dtype is None:
            return self
        if not dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtype}"
            )
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def cpu(self) -> Module:
        """Returns self: wright computes on the CPU."""
        return self

    def cuda(self, device=None) -> Module:
        """Raises: wright computes on the CPU."""
        backend.resolve_device("cuda" if device is None else device)
        return self

    def type(self, dst_type) -> Module:
        """Convert every parameter and buffer (integer ones too) to `dst_type`."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self) -> Module:
        """Convert floating parameters and buffers to float32."""
        return self.to(dtypes.float32)

    def double(self) -> Module:
        """Convert floating parameters and buffers to float64."""
        return self.to(dtypes.float64)

    def half(self) -> Module:
        """Convert floating parameters and buffers to float16."""
        return self.to(dtypes.float16)

    # ----- state dicts -----
    def state_dict(
        self, *args, destination=None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by dotted name, each module's own before its
        children's.

        Args:
            destination: a dict to fill (a new OrderedDict by default).
            prefix: put before every key.
            keep_vars: give the parameters themselves; otherwise detached tensors that share
                their memory.
        """
        if args:  # PyTorch's old positional order
            destination = args[0] if destination is None else destination
            prefix = args[1] if len(args) > 1 and prefix == "" else prefix
            keep_vars = args[2] if len(args) > 2 and not keep_vars else keep_vars
        destination = OrderedDict() if destination is None else destination
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(
                    destination=destination, prefix=f"{prefix}{name}.", keep_vars=keep_vars
                )
        return destination

    def load_state_dict(
        self, state_dict: Mapping, strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copy values from a state dict into this module's parameters and persistent buffers.

        Values are copied in place (converted to each parameter's dtype); with `assign`, the
        module takes the given tensors instead (keeping each parameter's requires_grad). NumPy
        arrays are accepted as values too.

        Returns:
            a named tuple (missing_keys, unexpected_keys).

        Raises:
            RuntimeError: naming every size mismatch and, with `strict`, every missing or
                unexpected key.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        self._load(dict(state_dict), "", assign, missing, unexpected, errors)
        if strict and unexpected:
            keys = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
        if strict and missing:
            keys = ", ".join(f'"{k}"' for k in missing)
            errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        return _IncompatibleKeys(missing, unexpected)

    def _load(self, state: dict, prefix: str, assign: bool, missing, unexpected, errors) -> None:
        own = {
            name: value
            for name, value in itertools.chain(
                self._parameters.items(),
                (
                    (k, v)
                    for k, v in self._buffers.items()
                    if k not in self._non_persistent_buffers_set
                ),
            )
            if value is not None
        }
        for name, target in own.items():
            key = prefix + name
            if key not in state:
                missing.append(key)
                continue
            self._load_one(name, key, target, state[key], assign, errors)
        for key in state:
            if key.startswith(prefix):
                head, dot, _ = key[len(prefix) :].partition(".")
                if (dot and head not in self._modules) or (not dot and head not in own):
                    unexpected.append(key)
        for name, child in self._modules.items():
            if child is not None:
                child_prefix = f"{prefix}{name}."
                child_state = {k: v for k, v in state.items() if k.startswith(child_prefix)}
                child._load(child_state, child_prefix, assign, missing, unexpected, errors)

    def _load_one(self, name: str, key: str, target: Tensor, value, assign: bool, errors) -> None:
        if isinstance(value, np.ndarray):
            value = _from_array(value)
        if not isinstance(value, Tensor):
            errors.append(
                f'While copying the parameter named "{key}", expected Tensor or Tensor-like '
                f"object from checkpoint but received {type(value)}"
            )
            return
        if target.ndim == 0 and value.shape == (1,):
            value = value[0]
        if value.shape != target.shape:
            errors.append(
                f"size mismatch for {key}: copying a param with shape {value.shape} from "
                f"checkpoint, the shape in current model is {target.shape}."
            )
            return
        try:
            with no_grad():
                if not assign:
                    target.copy_(value)
                elif isinstance(target, Parameter):
                    setattr(self, name, Parameter(value, requires_grad=target.requires_grad))
                else:
                    setattr(self, name, value)
        except Exception as error:  # noqa: BLE001 (reported with the other errors)
            errors.append(
                f'While copying the parameter named "{key}", whose dimensions in the model are '
                f"{target.shape} and whose dimensions in the checkpoint are {value.shape}, an "
                f"exception occurred : {error.args}."
            )

    # ----- names, printing and errors -----
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The part of the repr inside the parentheses; layers describe their sizes here."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _addindent(repr(child), 2) for name, child in self._modules.items()
        ]
        head = self._get_name() + "("
        if len(extra_lines) == 1 and not child_lines:
            return head + extra_lines[0] + ")"
        if not extra_lines and not child_lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(extra_lines + child_lines) + "\n)"

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


def _type_name(value) -> str:
    if isinstance(value, Tensor):
        return value.type()
    kind = type(value)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
