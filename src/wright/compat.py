"""Run PyTorch programs on wright: `import torch` (and its submodules) served by wright's modules,
and `run_script`, the engine of `wright torch SCRIPT.py`, which names what a script lacks."""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import linecache
import re
import runpy
import sys
import sysconfig
import traceback
import types
from collections.abc import Iterator, Sequence
from inspect import Parameter
from pathlib import Path

import wright

__all__ = [
    "TorchFeatureMissing",
    "as_torch",
    "install",
    "is_installed",
    "missing_feature",
    "run_script",
    "torch_name",
    "uninstall",
]

_TORCH_PACKAGES = ("torch", "torchvision", "torchaudio", "torchtext", "torchdata", "functorch")

# torch module paths that live under another name in wright (wright.data is also wright.utils.data).
_RENAMED = {
    "torch.utils.data": "wright.data",
    "torch.utils.data.dataloader": "wright.data.loader",
    "torch.utils.data.dataset": "wright.data.dataset",
    "torch.nn.parameter": "wright.nn.module",
}
_WRIGHT_TO_TORCH = {w: t for t, w in _RENAMED.items() if t != "torch.nn.parameter"}

# What wright will not have, by torch name (a prefix covers everything below it), and what to do
# instead.
_NEVER = {
    "torchvision": "read images with NumPy, or use wright.datasets (MNIST, FashionMNIST)",
    "torchaudio": "read audio with NumPy or SciPy",
    "torchtext": "tokenise with Python; wright.datasets.text has character vocabularies",
    "torchdata": "use torch.utils.data (wright.utils.data)",
    "functorch": "wright has no function transforms (vmap, grad); use backward()",
    "torch.cuda.amp": "wright computes in float32 on the CPU; remove autocast and GradScaler",
    "torch.amp": "wright computes in float32 on the CPU; remove autocast and GradScaler",
    "torch.autocast": "wright computes in float32 on the CPU; remove autocast",
    "torch.compile": "wright runs eagerly; call the model itself",
    "torch.jit": "wright runs eagerly; call the model itself",
    "torch.onnx": "save weights with torch.save and rebuild the model",
    "torch.mps": "wright computes on the CPU",
    "torch._C": "use the public torch API",
    "torch._dynamo": "wright runs eagerly; call the model itself",
}


class TorchFeatureMissing(ModuleNotFoundError):
    """Raised when a program imports a torch module that wright does not have.

    Attributes:
        feature: the torch name that was imported (e.g. 'torch.cuda.amp').
        advice: what to use instead, or None.
    """

    def __init__(self, feature: str, advice: str | None) -> None:
        if advice is None:
            message = f"wright does not have {feature} yet"
        else:
            message = f"wright will not have {feature}: {advice}"
        super().__init__(message, name=feature)
        self.feature = feature
        self.advice = advice


def _never_advice(feature: str) -> tuple[bool, str | None]:
    """(True, advice) when `feature` is in or under a name wright will not have."""
    for name, advice in _NEVER.items():
        if feature == name or feature.startswith(name + "."):
            return True, advice
    return False, None


def _wright_name(torch_module: str) -> str:
    """'torch.nn.functional' -> 'wright.nn.functional', following the renamed paths."""
    for torch_prefix in sorted(_RENAMED, key=len, reverse=True):
        if torch_module == torch_prefix or torch_module.startswith(torch_prefix + "."):
            return _RENAMED[torch_prefix] + torch_module[len(torch_prefix) :]
    return "wright" + torch_module[len("torch") :]


def torch_name(wright_module: str) -> str:
    """The torch spelling of a wright module path: 'wright.nn' -> 'torch.nn', 'wright.data' ->
    'torch.utils.data'."""
    for wright_prefix in sorted(_WRIGHT_TO_TORCH, key=len, reverse=True):
        if wright_module == wright_prefix or wright_module.startswith(wright_prefix + "."):
            return _WRIGHT_TO_TORCH[wright_prefix] + wright_module[len(wright_prefix) :]
    return "torch" + wright_module[len("wright") :]


def _resolve(torch_module: str):
    """The wright object that serves `torch_module`: a wright module, or a module-like namespace
    such as `wright.backends.cudnn`; raises TorchFeatureMissing when there is none."""
    never, advice = _never_advice(torch_module)
    if never or torch_module.split(".")[0] != "torch":
        raise TorchFeatureMissing(torch_module, advice)
    target = _wright_name(torch_module)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as error:
        # Only a missing module of our own is a missing feature; other failures are wright's bugs.
        if error.name is None or not target.startswith(error.name):
            raise
    parent, _, child = target.rpartition(".")
    found = getattr(sys.modules.get(parent), child, None)
    if isinstance(found, types.ModuleType | types.SimpleNamespace):
        return found
    raise TorchFeatureMissing(torch_module, None) from None


class _TorchAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers every import of torch (and of the torch-only packages) before the normal finders:
    the module becomes an alias of wright's (no copy), or the import fails with one clear line."""

    def find_spec(self, fullname: str, path=None, target=None):
        """A spec for torch names (never None: the path finders would load wright a second time
        under the torch name); None for every other module."""
        if fullname.split(".")[0] not in _TORCH_PACKAGES:
            return None
        _resolve(fullname)  # raises here, so the error names the import statement's module
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        """Python's default empty module (None); `exec_module` swaps in wright's."""

    def exec_module(self, module) -> None:
        """Put wright's module in sys.modules under the torch name: the import statement returns
        whatever sys.modules holds once the loader is done."""
        found = _resolve(module.__name__)
        if isinstance(found, types.ModuleType) and not hasattr(found, "__path__"):
            # Python looks for `torch.cuda.amp` only if `torch.cuda` has a __path__; without one
            # it fails before asking this finder, with a message that names no feature.
            found.__path__ = []
            _given_path.append(found)
        sys.modules[module.__name__] = found


_finder = _TorchAliasFinder()
_saved: dict[str, types.ModuleType] = {}
_given_path: list[types.ModuleType] = []


def _is_torch_key(name: str) -> bool:
    return name.split(".")[0] in _TORCH_PACKAGES


def is_installed() -> bool:
    """Whether `import torch` is currently served by wright."""
    return _finder in sys.meta_path


def install() -> None:
    """Serve `import torch`, `import torch.nn as nn`, `from torch.utils.data import DataLoader`, ...
    from wright's modules until `uninstall()`.

    Torch modules already imported (a real PyTorch) are set aside and come back on `uninstall()`;
    modules that already hold a reference to them keep it. Installing twice does nothing.
    """
    if is_installed():
        return
    for name in [name for name in sys.modules if _is_torch_key(name)]:
        _saved[name] = sys.modules.pop(name)
    sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Undo `install()`: forget the torch aliases and put back any real torch modules."""
    if not is_installed():
        return
    sys.meta_path.remove(_finder)
    for name in [name for name in sys.modules if _is_torch_key(name)]:
        del sys.modules[name]
    sys.modules.update(_saved)
    _saved.clear()
    for module in _given_path:
        del module.__path__
    _given_path.clear()


@contextlib.contextmanager
def as_torch() -> Iterator[types.ModuleType]:
    """Within the block, `import torch` gives wright; the block receives the `torch` module.

    Example:
        >>> with wright.compat.as_torch() as torch:
        ...     import torch.nn as nn
        ...     model = nn.Linear(2, 1)   # a wright.nn.Linear
    """
    was_installed = is_installed()
    install()
    try:
        yield importlib.import_module("torch")
    finally:
        if not was_installed:
            uninstall()


# ----- `wright torch SCRIPT.py`: run a script, and name the first PyTorch feature it lacks -----

_WRIGHT_DIR = str(Path(wright.__file__).resolve().parent)
_LIBRARY_DIRS = tuple(
    str(Path(sysconfig.get_paths()[key]).resolve()) for key in ("stdlib", "purelib", "platlib")
)


def _file(frame: types.FrameType) -> str:
    name = frame.f_code.co_filename
    return name if name.startswith("<") else str(Path(name).resolve())


def _in_wright(frame: types.FrameType) -> bool:
    """Whether `frame` runs wright's code (or the import machinery on its behalf)."""
    return _file(frame).startswith((_WRIGHT_DIR, "<frozen"))


def _walk(tb) -> Iterator[tuple[types.FrameType, int]]:
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next


def _script_frame(frames: list[tuple[types.FrameType, int]]) -> tuple[str, int] | None:
    """(file name, line) of the innermost frame in the user's own code (not wright, not Python's
    library, not an installed package)."""
    for frame, line in reversed(frames):
        if not _in_wright(frame) and not _file(frame).startswith(_LIBRARY_DIRS):
            return Path(frame.f_code.co_filename).name, line
    return None


def _public_class_name(cls: type) -> str:
    """The torch spelling of a wright class: wright.nn.linear.Linear -> 'torch.nn.Linear'."""
    parts = cls.__module__.split(".")
    for end in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:end]))
        if getattr(module, cls.__name__, None) is cls:
            return f"{torch_name(module.__name__)}.{cls.__name__}"
    return f"{torch_name(cls.__module__)}.{cls.__name__}"


_NO_TORCH = object()


def _real_torch(feature: str):
    """PyTorch's own object named `feature` (dotted, from 'torch'); None when PyTorch lacks it and
    _NO_TORCH when no PyTorch is installed to ask.

    Called only after the shim is uninstalled, to tell a missing feature from a script's typo.
    """
    if is_installed() or importlib.util.find_spec("torch") is None:
        return _NO_TORCH
    try:
        found = importlib.import_module("torch")
    except (ImportError, OSError, RuntimeError):  # a broken PyTorch cannot answer
        return _NO_TORCH
    parts = feature.split(".")
    for index, part in enumerate(parts[1:], start=2):
        try:
            found = getattr(found, part)
        except AttributeError:
            try:
                found = importlib.import_module(".".join(parts[:index]))
            except ImportError:
                return None
    return found


def _torch_signature(feature: str) -> inspect.Signature | None:
    """The signature of PyTorch's `feature`, when PyTorch is installed and it can be read."""
    found = _real_torch(feature)
    if found is None or found is _NO_TORCH:
        return None
    try:
        return inspect.signature(found)
    except (TypeError, ValueError):  # a builtin without a Python signature
        return None


def _attribute_feature(error: AttributeError, frames) -> str | None:
    """The torch name of a missing attribute looked up by the script, or None when the lookup is
    the script's own bug (or wright's)."""
    obj, name = getattr(error, "obj", None), getattr(error, "name", None)
    if obj is None or name is None:
        match = re.match(r"module '(wright[\w.]*)' has no attribute '(\w+)'", str(error))
        if match is None:
            return None
        obj, name = sys.modules.get(match[1]), match[2]
    # Where the lookup ran: a lookup inside wright (not a __getattr__ hook) is wright's own bug.
    lookups = [f for f, _ in frames if f.f_code.co_name not in ("__getattr__", "__getattribute__")]
    if lookups and _in_wright(lookups[-1]):
        return None
    if isinstance(obj, types.ModuleType):
        if not obj.__name__.startswith("wright"):
            return None
        return _confirmed(f"{torch_name(obj.__name__)}.{name}", owned=True)
    cls = obj if isinstance(obj, type) else type(obj)
    bases = [c for c in cls.__mro__ if c.__module__.startswith("wright.")]
    if not bases:
        return None
    # Name the most general class that has it in PyTorch: torch.nn.Module.to, not Sequential.to.
    candidates = [f"{_public_class_name(base)}.{name}" for base in reversed(bases)]
    owned = cls is bases[0]
    for feature in candidates:
        found = _real_torch(feature)
        if _never_advice(feature)[0] or (found is not None and found is not _NO_TORCH):
            return feature
    return _confirmed(candidates[0], owned)


def _confirmed(feature: str, owned: bool) -> str | None:
    """`feature` unless PyTorch lacks it too (a typo); without PyTorch to ask, only a name looked
    up on wright's own objects counts (one on the script's subclass may be the script's own)."""
    if _never_advice(feature)[0]:
        return feature
    in_torch = _real_torch(feature)
    if in_torch is _NO_TORCH:
        return feature if owned else None
    return feature if in_torch is not None else None


_PUBLIC_MODULES = (
    "wright",
    "wright.nn",
    "wright.nn.functional",
    "wright.nn.init",
    "wright.nn.utils",
    "wright.optim",
    "wright.optim.lr_scheduler",
    "wright.data",
    "wright.autograd",
)


_UNEXPECTED_KEYWORD = re.compile(r"([\w.]+)\(\) got an unexpected keyword argument '(\w+)'")
_TOO_MANY_POSITIONAL = re.compile(
    r"([\w.]+)\(\) takes (?:from \d+ to )?(\d+) positional arguments? but (\d+) (?:were|was) given"
)


def _callee(error: BaseException):
    """What the script's innermost frame was calling when `error` was raised, when the call's
    target is a plain name or attribute chain (`nn.ReLU`, `x.sum`); None otherwise."""
    tb = error.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    where = traceback.extract_tb(tb)[-1]
    if where.colno is None or where.end_lineno is None:
        return None
    # The call's source: the positions are byte offsets into the first and the last line.
    lines = [line.encode() for line in linecache.getlines(where.filename)]
    lines = lines[where.lineno - 1 : where.end_lineno]
    if not lines:
        return None
    lines[-1] = lines[-1][: where.end_colno]
    lines[0] = lines[0][where.colno :]
    source = b"".join(lines).decode(errors="replace")
    try:
        call = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(call, ast.Call):
        return None
    names, target = [], call.func
    while isinstance(target, ast.Attribute):
        names.append(target.attr)
        target = target.value
    if not isinstance(target, ast.Name):
        return None
    scopes = (tb.tb_frame.f_locals, tb.tb_frame.f_globals, vars(builtins))
    found = next((scope[target.id] for scope in scopes if target.id in scope), None)
    for name in reversed(names):
        found = getattr(found, name, None)
    return found


def _callable_feature(found) -> str | None:
    """The torch name of a wright class, function or method: 'torch.nn.ReLU', 'torch.Tensor.sum'."""
    owner = getattr(found, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        cls = owner if isinstance(owner, type) else type(owner)
        base = next((c for c in cls.__mro__ if c.__module__.startswith("wright.")), None)
        return f"{_public_class_name(base)}.{found.__name__}" if base else None
    if not getattr(found, "__module__", "").startswith("wright"):
        return None
    if isinstance(found, type):
        return _public_class_name(found)
    for module_name in _PUBLIC_MODULES:
        if getattr(sys.modules.get(module_name), found.__name__, None) is found:
            return f"{torch_name(module_name)}.{found.__name__}"
    return None


def _call_feature(error: TypeError, frames) -> str | None:
    """'torch.utils.data.DataLoader(pin_memory=...)' when the script calls a wright version of a
    torch callable with an argument (by keyword or by position) that only PyTorch's takes."""
    if not frames or _in_wright(frames[-1][0]):
        return None
    keyword = _UNEXPECTED_KEYWORD.match(str(error))
    positional = _TOO_MANY_POSITIONAL.match(str(error))
    if not (keyword or positional):
        return None
    callee = _callee(error)
    feature = _callable_feature(callee) if callee is not None else None
    if feature is None or _real_torch(feature) is None:
        return None
    signature = _torch_signature(feature)
    parameters = list(signature.parameters.values()) if signature else []
    kinds = {p.kind for p in parameters}
    if keyword:
        name = keyword[2]
        if signature and name not in signature.parameters and Parameter.VAR_KEYWORD not in kinds:
            return None  # PyTorch does not take it either: the script's bug
        return f"{feature}({name}=...)"
    # Python counts `self` in a method's message; a signature from PyTorch leaves it out.
    self_counted = isinstance(callee, type) or inspect.ismethod(callee)
    taken, given = int(positional[2]) - self_counted, int(positional[3]) - self_counted
    if signature is None:
        return f"{feature} with {given} positional arguments"
    by_position = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if given <= len(by_position):
        return f"{feature}({by_position[taken].name}=...)"
    return feature if Parameter.VAR_POSITIONAL in kinds else None


def _is_unoverridden_hook(frame: types.FrameType) -> bool:
    """Whether `frame` runs a wright base-class method that the script's own subclass was meant to
    define (Module.forward, Dataset.__getitem__, ...): the script's bug, not a missing feature."""
    owner = frame.f_locals.get("self")
    if owner is None or type(owner).__module__.startswith("wright"):
        return False
    method = getattr(type(owner), frame.f_code.co_name, None)
    return getattr(method, "__code__", None) is frame.f_code


def missing_feature(error: BaseException) -> str | None:
    """One line naming the PyTorch feature wright lacked when `error` ended a script, or None when
    the error is the script's own (or wright's) bug."""
    frames = list(_walk(error.__traceback__))
    feature: str | None = None
    detail = None
    if isinstance(error, TorchFeatureMissing):
        feature = error.feature
    elif isinstance(error, ModuleNotFoundError) and _is_torch_key(error.name or ""):
        feature = error.name
    elif isinstance(error, ImportError):
        match = re.match(r"cannot import name '(\w+)' from '(wright[\w.]*)'", str(error))
        if match is not None:
            feature = f"{torch_name(match[2])}.{match[1]}"
    elif isinstance(error, AttributeError):
        feature = _attribute_feature(error, frames)
    elif isinstance(error, TypeError):
        feature = _call_feature(error, frames)
    elif isinstance(error, NotImplementedError) and frames:
        innermost = frames[-1][0]
        if _in_wright(innermost) and not _is_unoverridden_hook(innermost):
            detail = str(error) or type(error).__name__
    if feature is None and detail is None:
        return None
    where = _script_frame(frames)
    at = f" (line {where[1]} of {where[0]})" if where else ""
    if detail is not None:
        return f"wright torch: the script needs something wright does not have yet{at}: {detail}"
    never, advice = _never_advice(feature)
    if never:
        return f"wright torch: the script uses {feature}{at}, which wright will not have: {advice}"
    return f"wright torch: the script uses {feature}{at}, which wright does not have yet"


def run_script(path: str, argv: Sequence[str] = ()) -> int:
    """Run a PyTorch script as `__main__` with `torch` served by wright; the exit status.

    When the script stops because wright lacks a PyTorch feature, print one line naming it (and
    the script's line that used it) to stderr and return 1. Other exceptions are the script's own
    and propagate with their traceback; `sys.exit` in the script propagates too.
    """
    script = Path(path)
    if not script.is_file():
        raise FileNotFoundError(f"no such script: {path}")
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [str(script), *argv]
    sys.path.insert(0, str(script.resolve().parent))
    install()
    try:
        runpy.run_path(str(script), run_name="__main__")
    except (ImportError, AttributeError, NotImplementedError, TypeError) as error:
        uninstall()
        line = missing_feature(error)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 1
    finally:
        uninstall()
        sys.argv, sys.path[:] = saved_argv, saved_path
    return 0
