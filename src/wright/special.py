"""Special functions in PyTorch's `torch.special` spelling: `wright.special.gammaln(x)`,
`wright.special.expit(x)`, `wright.special.i1e(x)`, ... Most are the same functions as
`wright.lgamma`, `wright.sigmoid` and so on under SciPy's names."""

from __future__ import annotations

from wright.functions.pointwise import (
    erf,
    erfc,
    erfinv,
    exp2,
    expm1,
    log1p,
    logit,
    round,
    sinc,
    xlogy,
)
from wright.functions.pointwise import sigmoid as expit
from wright.functions.reduction import log_softmax, logsumexp, softmax
from wright.functions.special import (
    digamma,
    entr,
    erfcx,
    i0,
    i0e,
    i1,
    i1e,
    igamma,
    igammac,
    log_ndtr,
    ndtr,
    ndtri,
    polygamma,
    spherical_bessel_j0,
    xlog1py,
    zeta,
)
from wright.functions.special import lgamma as gammaln
from wright.functions.special import mvlgamma as multigammaln

psi = digamma
gammainc = igamma
gammaincc = igammac
modified_bessel_i0 = i0
modified_bessel_i1 = i1

__all__ = [
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "sinc",
    "softmax",
    "spherical_bessel_j0",
    "xlog1py",
    "xlogy",
    "zeta",
]
