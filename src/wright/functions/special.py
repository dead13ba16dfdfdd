"""Special functions as tensor functions: the gamma family (`lgamma`, `digamma`, `polygamma`,
`mvlgamma`), the modified Bessel function `i0`, and the rest of `torch.special` that is not
already elementwise maths elsewhere (Bessel functions scaled and of order 1, the normal
distribution's functions, entropy, Hurwitz zeta). Integer inputs compute in the default float
dtype, as in PyTorch."""

from __future__ import annotations

import math

import numpy as np

from wright.functions.pointwise import floating, inplace
from wright.ops import special as S
from wright.tensor import Tensor, _promoted, tensor_method

# ----- the gamma function family -----


@tensor_method
def lgamma(input: Tensor) -> Tensor:
    """log |Gamma(x)| for each element (+inf at 0, -1, -2, ...)."""
    return S.Lgamma.apply(floating(input))


@tensor_method
def digamma(input: Tensor) -> Tensor:
    """psi(x), the derivative of log Gamma (-inf at 0, NaN at the negative integers)."""
    return S.Polygamma.apply(floating(input), n=0)


def _check_order(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return int(n)


def polygamma(n: int, input: Tensor) -> Tensor:
    """The n-th derivative of digamma (n = 0 is digamma itself)."""
    return S.Polygamma.apply(floating(input), n=_check_order(n))


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    """`wright.polygamma(n, self)`."""
    return polygamma(n, self)


def _polygamma_(self: Tensor, n: int) -> Tensor:
    """In-place form of `polygamma`."""
    return self._inplace("polygamma_", _polygamma_method, n)


Tensor.polygamma = _polygamma_method
Tensor.polygamma_ = _polygamma_


@tensor_method
def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The log of the multivariate gamma function of dimension p: sum over i < p of
    lgamma(x - i/2), plus p (p - 1) / 4 log(pi)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = floating(input)
    total = lgamma(x)
    for i in range(1, p):
        total = total + lgamma(x - i / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


@tensor_method
def i0(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 0."""
    return S.BesselI.apply(floating(input), order=0, scaled=False)


inplace(lgamma)
inplace(digamma)
inplace(mvlgamma)
inplace(i0)


# ----- the rest of torch.special -----


def i0e(input: Tensor) -> Tensor:
    """e^-|x| I0(x): the order-0 Bessel function scaled to stay finite for large |x|."""
    return S.BesselI.apply(floating(input), order=0, scaled=True)


def i1(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 1."""
    return S.BesselI.apply(floating(input), order=1, scaled=False)


def i1e(input: Tensor) -> Tensor:
    """e^-|x| I1(x): the order-1 Bessel function scaled to stay finite for large |x|."""
    return S.BesselI.apply(floating(input), order=1, scaled=True)


def erfcx(input: Tensor) -> Tensor:
    """The scaled complementary error function e^(x^2) erfc(x), finite where erfc underflows."""
    return S.Erfcx.apply(floating(input))


def ndtr(input: Tensor) -> Tensor:
    """The standard normal distribution function P(Z <= x)."""
    return S.Ndtr.apply(floating(input))


def log_ndtr(input: Tensor) -> Tensor:
    """log P(Z <= x), accurate far into the lower tail."""
    return S.LogNdtr.apply(floating(input))


def ndtri(input: Tensor) -> Tensor:
    """The inverse of ndtr: the z with P(Z <= z) = p (NaN outside [0, 1])."""
    return S.Ndtri.apply(floating(input))


def entr(input: Tensor) -> Tensor:
    """-x log x, the entropy term: 0 at 0, -inf for negative x."""
    return S.Entr.apply(floating(input))


def _float_pair(input, other) -> tuple[Tensor, Tensor]:
    # Two operands, either of them possibly a number, promoted to a common float dtype.
    if not isinstance(input, Tensor):
        other, input = _promoted(other, input, floating=True)
        return input, other
    return _promoted(input, other, floating=True)


def xlog1py(input, other) -> Tensor:
    """input * log(1 + other), taken as 0 where input is 0 (unless other is NaN); either may be a
    number."""
    return S.Xlog1py.apply(*_float_pair(input, other))


def zeta(input, other) -> Tensor:
    """The Hurwitz zeta function: the sum over k >= 0 of (other + k)^-input; either may be a
    number. The gradient flows to `other` only, as in PyTorch."""
    return S.Zeta.apply(*_float_pair(input, other))


def _incomplete_gamma(op: str, input, other, upper: bool) -> Tensor:
    a, x = _promoted(input, other)
    if a.array.dtype.kind != "f":
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{str(a.dtype)[7:].title()}'")
    return S.IncompleteGamma.apply(a, x, upper=upper)


@tensor_method
def igamma(input: Tensor, other: Tensor) -> Tensor:
    """The regularised lower incomplete gamma function P(input, other); differentiable in other
    only, as in PyTorch."""
    return _incomplete_gamma("igamma", input, other, upper=False)


@tensor_method
def igammac(input: Tensor, other: Tensor) -> Tensor:
    """The regularised upper incomplete gamma function Q(input, other) = 1 - P."""
    return _incomplete_gamma("igammac", input, other, upper=True)


inplace(igamma)
inplace(igammac)


def spherical_bessel_j0(input: Tensor) -> Tensor:
    """sin(x) / x, the spherical Bessel function of the first kind of order 0 (1 at 0)."""
    x = floating(input)
    # sin(x) / x tends to 0 at the infinities, where sinc's sin(inf) is NaN.
    return (x / math.pi).sinc().masked_fill(x.isinf(), 0.0)


__all__ = ["digamma", "i0", "igamma", "igammac", "lgamma", "mvlgamma", "polygamma"]
