"""Function forms of Tensor methods (`wright.exp(x)` beside `x.exp()`), for code written in NumPy's
style."""

from __future__ import annotations

from wright.tensor import Tensor


def _method(name: str):
    def function(x, *args, **kwargs):
        x = x if isinstance(x, Tensor) else Tensor(x)
        return getattr(x, name)(*args, **kwargs)

    function.__name__ = name
    function.__doc__ = (
        f"Function form of `Tensor.{name}`: " + (getattr(Tensor, name).__doc__ or "").split("\n")[0]
    )
    return function


exp = _method("exp")
log = _method("log")
sqrt = _method("sqrt")
abs = _method("abs")
tanh = _method("tanh")
sigmoid = _method("sigmoid")
relu = _method("relu")
clip = _method("clip")
maximum = _method("maximum")
minimum = _method("minimum")
sum = _method("sum")
mean = _method("mean")
argmax = _method("argmax")
logsumexp = _method("logsumexp")
softmax = _method("softmax")
log_softmax = _method("log_softmax")
matmul = _method("__matmul__")
