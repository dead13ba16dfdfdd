"""Special functions on arrays, vectorised and computed in float64 to round-off (no SciPy): the
log-gamma function, digamma and polygamma, the Hurwitz zeta function, modified Bessel functions of
order 0 and 1, and the normal distribution's functions (ndtr, ndtri, log_ndtr, erfcx); with the
Functions that differentiate them."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from wright.autograd import Function
from wright.ops import elementwise as E

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_PI = 1 / math.sqrt(math.pi)


def _bernoulli_even(count: int) -> list[Fraction]:
    """B_2, B_4, ..., B_2count, from the recurrence sum_j C(m + 1, j) B_j = 0."""
    numbers = [Fraction(1)]
    for m in range(1, 2 * count + 1):
        numbers.append(-sum(math.comb(m + 1, j) * numbers[j] for j in range(m)) / (m + 1))
    return numbers[2::2]


_B2K = _bernoulli_even(12)


def _work(a: np.ndarray) -> np.ndarray:
    """A float64 copy of the values (the maths runs in float64 whatever the dtype)."""
    return np.array(a, dtype=np.float64)


def _done(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    return values.astype(like.dtype, copy=False).reshape(like.shape)


def _sin_pi(x: np.ndarray) -> np.ndarray:
    """sin(pi x) with the argument first reduced exactly to [-1/2, 1/2], where sine keeps full
    relative accuracy (exact zeros at the integers)."""
    nearest = np.round(x)
    sign = 1 - 2 * np.remainder(nearest, 2)
    return sign * np.sin(np.pi * (x - nearest))


def _tan_pi(x: np.ndarray) -> np.ndarray:
    """tan(pi x), the argument reduced exactly by the period 1."""
    return np.tan(np.pi * (x - np.round(x)))


# ----- log-gamma -----

# Lanczos' approximation with g = 7 and nine terms (P. Godfrey's coefficients): Gamma(x + 1)
# = sqrt(2 pi) t^(x + 1/2) e^-t A(x), t = x + g + 1/2, to about 1e-15 relative.
_LANCZOS_G = 7.0
_LANCZOS = (
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
)
# Beyond this Stirling's series is exact to round-off with the terms below.
_STIRLING_FROM = 10.0


def _stirling_lgamma(x: np.ndarray) -> np.ndarray:
    # (x - 1/2) log x - x + log sqrt(2 pi) + sum B_2k / (2k (2k - 1) x^(2k - 1))
    inverse = 1 / x
    square = inverse * inverse
    series = np.zeros_like(x)
    for k in range(8, 0, -1):
        series = series * square + float(_B2K[k - 1] / (2 * k * (2 * k - 1)))
    return (x - 0.5) * np.log(x) - x + _LOG_SQRT_2PI + series * inverse


def _lanczos_lgamma(x: np.ndarray) -> np.ndarray:
    # log Gamma(x) for x >= 1/2.
    shifted = x - 1
    total = np.full_like(x, _LANCZOS[0])
    for k, coefficient in enumerate(_LANCZOS[1:], start=1):
        total += coefficient / (shifted + k)
    t = shifted + _LANCZOS_G + 0.5
    return _LOG_SQRT_2PI + (shifted + 0.5) * np.log(t) - t + np.log(total)


def lgamma_array(a: np.ndarray) -> np.ndarray:
    """log |Gamma(a)|: +inf at the poles (0, -1, -2, ...) and at -inf, as in PyTorch."""
    x = _work(a).reshape(-1)
    out = np.full_like(x, np.inf)
    with np.errstate(all="ignore"):
        large = (x >= _STIRLING_FROM) & (x < np.inf)
        out[large] = _stirling_lgamma(x[large])
        middle = (x >= 0.5) & (x < np.inf) & ~large
        out[middle] = _lanczos_lgamma(x[middle])
        # Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        small = (x < 0.5) & np.isfinite(x)
        xs = x[small]
        reflected = 1 - xs
        upper = reflected >= _STIRLING_FROM
        other = np.empty_like(xs)
        other[upper] = _stirling_lgamma(reflected[upper])
        other[~upper] = _lanczos_lgamma(reflected[~upper])
        out[small] = np.log(np.pi / np.abs(_sin_pi(xs))) - other
        out[np.isnan(x)] = np.nan
    return _done(out, a)


# ----- digamma, trigamma and the polygamma functions -----

_RECURRENCE_TO = 10.0


def _shift_up(x: np.ndarray, term) -> tuple[np.ndarray, np.ndarray]:
    # Move every x to at least _RECURRENCE_TO with f(x) = f(x + 1) + term(x); returns the moved x
    # and the sum of the terms. x >= some positive value here, so the loop count is bounded.
    total = np.zeros_like(x)
    steps = int(np.ceil(_RECURRENCE_TO - x.min())) if x.size else 0
    for _ in range(max(steps, 0)):
        low = x < _RECURRENCE_TO
        if not low.any():
            break
        total[low] += term(x[low])
        x = np.where(low, x + 1, x)
    return x, total


def digamma_array(a: np.ndarray) -> np.ndarray:
    """psi(a) = d/da log Gamma(a): NaN at the negative integers and -inf, -inf at 0 (+inf at
    -0), as in PyTorch."""
    x = _work(a).reshape(-1)
    out = np.full_like(x, np.nan)
    with np.errstate(all="ignore"):
        zero = x == 0
        out[zero] = np.copysign(np.inf, -x[zero])
        out[x == np.inf] = np.inf
        fine = np.isfinite(x) & ~zero & ~((x < 0) & (x == np.floor(x)))
        xs = x[fine]
        # psi(x) = psi(1 - x) - pi / tan(pi x) below zero.
        negative = xs < 0
        reflection = np.where(negative, -np.pi / _tan_pi(xs), 0.0)
        xs = np.where(negative, 1 - xs, xs)
        xs, below = _shift_up(xs, lambda v: -1 / v)
        # psi(x) ~ log x - 1/(2x) - sum B_2k / (2k x^2k)
        square = 1 / (xs * xs)
        series = np.zeros_like(xs)
        for k in range(8, 0, -1):
            series = (series + float(_B2K[k - 1] / (2 * k))) * square
        out[fine] = reflection + below + (np.log(xs) - 0.5 / xs - series)
    return _done(out, a)


def trigamma_array(a: np.ndarray) -> np.ndarray:
    """psi'(a) = sum over k >= 0 of 1 / (a + k)^2: +inf at the poles 0, -1, -2, ..."""
    x = _work(a).reshape(-1)
    out = np.full_like(x, np.nan)
    with np.errstate(all="ignore"):
        pole = (x <= 0) & (x == np.floor(x)) & np.isfinite(x)
        out[pole] = np.inf
        out[x == np.inf] = 0.0
        fine = np.isfinite(x) & ~pole
        xs = x[fine]
        # psi'(x) + psi'(1 - x) = pi^2 / sin^2(pi x) below one half.
        low = xs < 0.5
        reflection = np.where(low, (np.pi / _sin_pi(xs)) ** 2, 0.0)
        xs = np.where(low, 1 - xs, xs)
        xs, below = _shift_up(xs, lambda v: 1 / (v * v))
        # psi'(x) ~ 1/x + 1/(2x^2) + sum B_2k / x^(2k + 1)
        inverse = 1 / xs
        square = inverse * inverse
        series = np.zeros_like(xs)
        for k in range(8, 0, -1):
            series = (series + float(_B2K[k - 1])) * square
        value = below + inverse * (1 + 0.5 * inverse + series)
        out[fine] = np.where(low, reflection - value, value)
    return _done(out, a)


# Euler-Maclaurin coefficients B_2k / (2k)! for the Hurwitz zeta tail.
_ZETA_TAIL = [float(b / math.factorial(2 * k)) for k, b in enumerate(_B2K, start=1)]


def zeta_array(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The Hurwitz zeta function sum over k >= 0 of (q + k)^-s, for s > 1: +inf at s = 1 and at
    the poles q = 0, -1, ...; NaN for s < 1, for q < 0 with s not an integer and for infinite q
    or s."""
    s, q = np.broadcast_arrays(_work(s), _work(q))
    shape = s.shape
    s, q = s.reshape(-1), q.reshape(-1)
    out = np.full(s.shape, np.nan)
    with np.errstate(all="ignore"):
        out[s == 1] = np.inf
        out[(q <= 0) & (q == np.floor(q)) & np.isfinite(q) & (s > 1)] = np.inf
        fine = (s > 1) & np.isfinite(q) & np.isfinite(s) & ~np.isinf(out)
        fine &= (q > 0) | (s == np.floor(s))
        ss, qs = s[fine], q[fine]
        # Sum the first terms directly until q + n is large against s, then Euler-Maclaurin.
        start = np.maximum(10.0, ss)
        count = int(np.ceil(np.max(start - qs))) if qs.size else 0
        total = np.zeros_like(qs)
        for n in range(max(count, 0)):
            a = qs + n
            total += np.where(a < start, np.power(a, -ss), 0.0)
        a = np.where(qs < start, qs + np.ceil(start - qs), qs)
        power = np.power(a, -ss)
        total += a * power / (ss - 1) + 0.5 * power
        # + sum B_2k/(2k)! s (s + 1) ... (s + 2k - 2) a^(-s - 2k + 1)
        rising = ss.copy()
        term_power = power / a
        for k, coefficient in enumerate(_ZETA_TAIL):
            total += coefficient * rising * term_power
            rising = rising * (ss + 2 * k + 1) * (ss + 2 * k + 2)
            term_power = term_power / (a * a)
        # At q = +inf the sum is 0, but PyTorch gives NaN: kept for agreement.
        out[fine] = total
    return out.reshape(shape)


def polygamma_array(n: int, a: np.ndarray) -> np.ndarray:
    """The n-th derivative of digamma at a."""
    if n == 0:
        return digamma_array(a)
    if n == 1:
        return trigamma_array(a)
    # psi^(n)(x) = (-1)^(n + 1) n! zeta(n + 1, x)
    sign = -1.0 if n % 2 == 0 else 1.0
    with np.errstate(all="ignore"):
        out = zeta_array(np.float64(n + 1), a)
        out *= sign * math.factorial(n)
    # PyTorch's value at -inf (the limit does not exist).
    out[np.asarray(a) == -np.inf] = sign * np.inf
    return _done(out, a)


class Lgamma(Function):
    def forward(self, a):
        self.a = a
        return lgamma_array(a)

    def backward(self, grad):
        # d/dx log Gamma(x) = psi(x)
        return grad * digamma_array(self.a)


class Polygamma(Function):
    def forward(self, a, n):
        self.a, self.n = a, n
        return polygamma_array(n, a)

    def backward(self, grad):
        return grad * polygamma_array(self.n + 1, self.a)


class Zeta(Function):
    """The Hurwitz zeta function of (s, q); the gradient flows to q only, as in PyTorch."""

    def forward(self, s, q):
        self.s, self.q = s, q
        return zeta_array(s, q).astype(np.result_type(s, q), copy=False)

    def backward(self, grad):
        if self.needs_input_grad[0]:
            raise NotImplementedError(
                "zeta: the derivative with respect to the first argument (s) is not implemented"
            )
        # d/dq zeta(s, q) = -s zeta(s + 1, q)
        return None, grad * (-self.s * zeta_array(self.s + 1, self.q))


# ----- modified Bessel functions of the first kind, orders 0 and 1 -----

# Below this the power series, above it the asymptotic series, each to round-off.
_BESSEL_SERIES_TO = 20.0


def _bessel_series(order: int, x: np.ndarray) -> np.ndarray:
    # I_v(x) = sum (x/2)^(2k + v) / (k! (k + v)!)
    quarter = x * x / 4
    term = np.ones_like(x) if order == 0 else x / 2
    total = term.copy()
    for k in range(1, 60):
        term = term * quarter / (k * (k + order))
        total += term
    return total


def _bessel_asymptotic_scaled(order: int, x: np.ndarray) -> np.ndarray:
    # e^-x I_v(x) ~ 1 / sqrt(2 pi x) * sum (-1)^k prod_{j <= k} (4v^2 - (2j - 1)^2) / (k! (8x)^k)
    mu = 4.0 * order * order
    term = np.ones_like(x)
    total = term.copy()
    for k in range(1, 40):
        term = term * -(mu - (2 * k - 1) ** 2) / (k * 8 * x)
        total += term
    return total / np.sqrt(2 * np.pi * x)


def bessel_i_array(order: int, a: np.ndarray, scaled: bool) -> np.ndarray:
    """I_0 or I_1 at a (times e^-|a| when `scaled`); NaN at +-inf unscaled, as in PyTorch."""
    x = _work(a).reshape(-1)
    size = np.abs(x)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        near = size <= _BESSEL_SERIES_TO
        series = _bessel_series(order, size[near])
        out[near] = series * np.exp(-size[near]) if scaled else series
        far = ~near
        value = _bessel_asymptotic_scaled(order, size[far])
        out[far] = value if scaled else value * np.exp(size[far])
        if scaled:
            out[np.isinf(x)] = 0.0
        else:
            out[np.isinf(x)] = np.nan
        out[np.isnan(x)] = np.nan
        if order == 1:
            out = np.copysign(out, x)
    return _done(out, a)


class BesselI(Function):
    def forward(self, a, order, scaled):
        self.a, self.order, self.scaled = a, order, scaled
        self.out = bessel_i_array(order, a, scaled)
        return self.out

    def backward(self, grad):
        a, out = self.a, self.out
        if self.order == 0:
            # I0' = I1; with the scale e^-|x|: i0e' = i1e - sign(x) i0e
            found = bessel_i_array(1, a, self.scaled)
            if self.scaled:
                found = found - np.sign(a) * out
            return grad * found
        # I1' = I0 - I1 / x (1/2 at 0); with the scale: i1e' = i0e - i1e (sign(x) + 1/x)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(a == 0, 0.0, out / np.where(a == 0, 1, a))
            found = bessel_i_array(0, a, self.scaled) - ratio
            if self.scaled:
                found = found - np.sign(a) * out
        found = np.where(a == 0, 0.5, found)
        return grad * found.astype(a.dtype, copy=False)


# ----- the normal distribution -----


def erfcx_array(a: np.ndarray) -> np.ndarray:
    """e^(x^2) erfc(x): finite (~1/(x sqrt(pi))) for large x where erfc underflows."""
    x = _work(a).reshape(-1)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        size = np.abs(x)
        near = size < E._NEAR_ZERO
        xs = x[near]
        out[near] = np.exp(xs * xs) * (1 - E._erf_near_zero(xs))
        far = ~near
        y = size[far]
        # erfc(y) e^(y^2) from the rational approximations behind erfc (no exponential needed).
        scaled = E._rational(np.minimum(y, E._TAIL_START), E._ERFC_P, E._ERFC_Q)
        tail = y > E._TAIL_START
        t = 1 / (y[tail] * y[tail])
        scaled[tail] = (_INV_SQRT_PI - t * E._rational(t, E._TAIL_P, E._TAIL_Q)) / y[tail]
        # erfcx(-y) = 2 e^(y^2) - erfcx(y)
        negative = x[far] < 0
        square = y[negative] * y[negative]
        scaled[negative] = 2 * np.exp(square) - scaled[negative]
        out[far] = scaled
        out[x == np.inf] = 0.0
    return _done(out, a)


def ndtr_array(a: np.ndarray) -> np.ndarray:
    """The standard normal distribution function P(Z <= a), accurate in both tails."""
    x = _work(a)
    return _done(0.5 * E.erfc_array(-x / _SQRT_2), a)


def log_ndtr_array(a: np.ndarray) -> np.ndarray:
    """log P(Z <= a), finite far into the lower tail."""
    x = _work(a).reshape(-1)
    with np.errstate(all="ignore"):
        # Upper side: log(1 - P(Z > x)); lower side: log(erfcx(-x / sqrt 2) / 2) - x^2 / 2.
        upper = np.log1p(-0.5 * E.erfc_array(x / _SQRT_2))
        lower = np.log(0.5 * erfcx_array(-x / _SQRT_2)) - x * x / 2
        out = np.where(x > -1, upper, lower)
        out[x == -np.inf] = -np.inf
    return _done(out, a)


def _erfc_inverse(v: np.ndarray) -> np.ndarray:
    # z with erfc(z) = v for v in (0, 1]: a closed-form start (Winitzki), then Halley's method
    # on erfc, whose values keep full relative accuracy down to the smallest v.
    log_term = np.log(v * (2 - v))
    first = 2 / (math.pi * 0.147) + log_term / 2
    z = np.sqrt(np.sqrt(first * first - log_term / 0.147) - first)
    for _ in range(4):
        step = (E.erfc_array(z) - v) / (-2 * _INV_SQRT_PI * np.exp(-z * z))
        z = z - step / (1 + z * step)
    return z


def ndtri_array(a: np.ndarray) -> np.ndarray:
    """The inverse of ndtr: z with P(Z <= z) = a; -inf at 0, +inf at 1, NaN outside [0, 1]."""
    p = _work(a).reshape(-1)
    out = np.full_like(p, np.nan)
    with np.errstate(all="ignore"):
        # Around the middle 2p - 1 is exact and erfinv keeps the relative accuracy near 0; in
        # the tails 2p or 2(1 - p) is exact and erfc keeps it: ndtri(p) = -sqrt2 erfcinv(2p).
        middle = (p > 0.25) & (p < 0.75)
        out[middle] = E.erfinv_array(2 * p[middle] - 1) * _SQRT_2
        tails = ((p > 0) & (p <= 0.25)) | ((p >= 0.75) & (p < 1))
        ps = p[tails]
        lower = ps < 0.5
        z = _erfc_inverse(np.where(lower, 2 * ps, 2 * (1 - ps)))
        out[tails] = np.where(lower, -z, z) * _SQRT_2
        out[p == 0] = -np.inf
        out[p == 1] = np.inf
    return _done(out, a)


class Erfcx(Function):
    def forward(self, a):
        self.a = a
        self.out = erfcx_array(a)
        return self.out

    def backward(self, grad):
        # d/dx erfcx(x) = 2 x erfcx(x) - 2 / sqrt(pi)
        return grad * (2 * self.a * self.out - 2 * _INV_SQRT_PI)


def _normal_density(x: np.ndarray) -> np.ndarray:
    return np.exp(-x * x / 2) / math.sqrt(2 * math.pi)


class Ndtr(Function):
    def forward(self, a):
        self.a = a
        return ndtr_array(a)

    def backward(self, grad):
        return grad * _normal_density(self.a)


class LogNdtr(Function):
    def forward(self, a):
        self.a = a
        self.out = log_ndtr_array(a)
        return self.out

    def backward(self, grad):
        # d/dx log ndtr(x) = density(x) / ndtr(x), as exp(log density - log ndtr) to stay finite.
        a = self.a
        with np.errstate(over="ignore"):
            return grad * np.exp(-a * a / 2 - _LOG_SQRT_2PI - self.out)


class Ndtri(Function):
    def forward(self, a):
        self.out = ndtri_array(a)
        return self.out

    def backward(self, grad):
        # 1 / density(ndtri(p))
        out = self.out
        with np.errstate(over="ignore"):
            return grad * np.exp(out * out / 2 + _LOG_SQRT_2PI)


# ----- entropy and x log(1 + y) -----


class Entr(Function):
    """-x log x, 0 at 0 and -inf below it."""

    def forward(self, a):
        self.a = a
        with np.errstate(all="ignore"):
            out = np.where(a > 0, -a * np.log(a), np.where(a == 0, 0, -np.inf))
        return np.where(np.isnan(a), np.nan, out).astype(a.dtype, copy=False)

    def backward(self, grad):
        # d/dx (-x log x) = -(log x + 1): +inf at 0, NaN below, as PyTorch computes it.
        with np.errstate(all="ignore"):
            return grad * -(np.log(self.a) + 1)


def xlog1py_array(x, y):
    """x log(1 + y), 0 where x is 0 unless y is NaN."""
    with np.errstate(all="ignore"):
        out = x * np.log1p(y)
    return np.where((x == 0) & ~np.isnan(y), 0, out).astype(out.dtype, copy=False)


class Xlog1py(Function):
    def forward(self, x, y):
        self.x, self.y = x, y
        return xlog1py_array(x, y)

    def backward(self, grad):
        # d/dx = log(1 + y) where x != 0 (0 where the value is fixed at 0); d/dy = x / (1 + y)
        need_x, need_y = self.needs_input_grad
        x, y = self.x, self.y
        grad_x = grad * xlog1py_array((x != 0).astype(x.dtype), y) if need_x else None
        grad_y = None
        if need_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_y = grad * x / (1 + y)
        return grad_x, grad_y


# ----- the regularised incomplete gamma functions -----

_GAMMA_ITERATIONS = 600


def _incomplete_gamma_lower_series(a: np.ndarray, x: np.ndarray, log_front: np.ndarray):
    # P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n)), for x < a + 1.
    term = np.ones_like(a)
    total = np.ones_like(a)
    for n in range(1, _GAMMA_ITERATIONS):
        term = term * x / (a + n)
        total = total + term
        if np.all(np.abs(term) <= 1e-17 * np.abs(total)):
            break
    return np.exp(log_front - np.log(a)) * total


def _incomplete_gamma_upper_fraction(a: np.ndarray, x: np.ndarray, log_front: np.ndarray):
    # Q(a, x) = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...)), for
    # x >= a + 1, by the modified Lentz method.
    tiny = 1e-300
    b = x + 1 - a
    c = np.full_like(a, 1 / tiny)
    d = 1 / b
    h = d.copy()
    for n in range(1, _GAMMA_ITERATIONS):
        an = -n * (n - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1 / d
        step = d * c
        h = h * step
        if np.all(np.abs(step - 1) <= 1e-16):
            break
    return np.exp(log_front) * h


def incomplete_gamma_array(a: np.ndarray, x: np.ndarray, upper: bool) -> np.ndarray:
    """The regularised incomplete gamma function P(a, x) (Q = 1 - P when upper), for a, x >= 0,
    with PyTorch's values at the edges (NaN for negative arguments and for a = x = 0)."""
    a, x = np.broadcast_arrays(_work(a), _work(x))
    shape = a.shape
    a, x = a.reshape(-1), x.reshape(-1)
    lower = np.full(a.shape, np.nan)
    with np.errstate(all="ignore"):
        valid = (a >= 0) & (x >= 0) & ~((a == 0) & (x == 0))
        lower[valid & (a == 0)] = 1.0
        lower[valid & (x == 0) & (a > 0)] = 0.0
        lower[valid & (x == np.inf) & (a < np.inf)] = 1.0
        lower[valid & (a == np.inf) & (x < np.inf)] = 0.0
        fine = valid & (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
        af, xf = a[fine], x[fine]
        log_front = af * np.log(xf) - xf - lgamma_array(af)
        series = xf < af + 1
        found = np.empty_like(af)
        found[series] = _incomplete_gamma_lower_series(af[series], xf[series], log_front[series])
        found[~series] = 1 - _incomplete_gamma_upper_fraction(
            af[~series], xf[~series], log_front[~series]
        )
        if upper:
            # The complement from whichever side was computed directly, to keep the small one
            # accurate.
            found[series] = 1 - found[series]
            found[~series] = _incomplete_gamma_upper_fraction(
                af[~series], xf[~series], log_front[~series]
            )
            lower = np.where(np.isnan(lower), lower, 1 - lower)
        lower[fine] = found
    return lower.reshape(shape)


class IncompleteGamma(Function):
    def forward(self, a, x, upper=False):
        self.a, self.x, self.upper = a, x, upper
        return incomplete_gamma_array(a, x, upper).astype(np.result_type(a, x), copy=False)

    def backward(self, grad):
        if self.needs_input_grad[0]:
            raise NotImplementedError(
                f"the derivative of {'igammac' if self.upper else 'igamma'} with respect to its "
                "first argument is not implemented"
            )
        a, x = _work(self.a), _work(self.x)
        with np.errstate(all="ignore"):
            density = np.exp((a - 1) * np.log(x) - x - lgamma_array(a))
        density = -density if self.upper else density
        return None, (grad * density).astype(self.x.dtype, copy=False)
