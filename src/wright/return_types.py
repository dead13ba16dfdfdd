"""The named tuples that ops returning several tensors give back, as PyTorch's
`torch.return_types`: `wright.sort(x)` is a `wright.return_types.sort(values, indices)`."""

from collections import namedtuple


def _structure(name: str, fields: tuple[str, ...] = ("values", "indices")) -> type:
    kind = namedtuple(name, fields)
    kind.__module__ = __name__
    kind.__doc__ = f"What `wright.{name}` returns: a named tuple ({', '.join(fields)})."
    return kind


aminmax = _structure("aminmax", ("min", "max"))
cummax = _structure("cummax")
cummin = _structure("cummin")
kthvalue = _structure("kthvalue")
max = _structure("max")
median = _structure("median")
min = _structure("min")
mode = _structure("mode")
nanmedian = _structure("nanmedian")
sort = _structure("sort")
topk = _structure("topk")

__all__ = [
    "aminmax",
    "cummax",
    "cummin",
    "kthvalue",
    "max",
    "median",
    "min",
    "mode",
    "nanmedian",
    "sort",
    "topk",
]
