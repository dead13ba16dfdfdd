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
frexp = _structure("frexp", ("mantissa", "exponent"))
histogram = _structure("histogram", ("hist", "bin_edges"))
histogramdd = _structure("histogramdd", ("hist", "bin_edges"))
slogdet = _structure("slogdet", ("sign", "logabsdet"))
qr = _structure("qr", ("Q", "R"))
svd = _structure("svd", ("U", "S", "V"))
linalg_slogdet = _structure("linalg_slogdet", ("sign", "logabsdet"))
linalg_qr = _structure("linalg_qr", ("Q", "R"))
linalg_svd = _structure("linalg_svd", ("U", "S", "Vh"))
linalg_eigh = _structure("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_lu = _structure("linalg_lu", ("P", "L", "U"))
linalg_lu_factor = _structure("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _structure("linalg_lu_factor_ex", ("LU", "pivots", "info"))
lu_unpack = _structure("lu_unpack", ("P", "L", "U"))
linalg_lstsq = _structure("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))

__all__ = [
    "aminmax",
    "cummax",
    "cummin",
    "frexp",
    "histogram",
    "histogramdd",
    "kthvalue",
    "linalg_eigh",
    "linalg_lstsq",
    "linalg_lu",
    "linalg_lu_factor",
    "linalg_lu_factor_ex",
    "linalg_qr",
    "linalg_slogdet",
    "linalg_svd",
    "lu_unpack",
    "max",
    "median",
    "min",
    "mode",
    "nanmedian",
    "qr",
    "slogdet",
    "sort",
    "svd",
    "topk",
]
