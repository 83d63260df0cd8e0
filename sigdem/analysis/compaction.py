"""Compaction laws of powder beds and pellets, and a one-parameter calibration against measurements.

Heckel: ln(1 / (1 - D)) = K P + A, D the relative density (solid fraction), P the pressure (MPa);
the mean yield pressure is P_y = 1 / K (Heckel, Trans. Metall. Soc. AIME 221 (1961) 671).
Kawakita: P / C = 1 / (a b) + P / a, C = (V0 - V) / V0 the engineering volume reduction from the
initial volume V0; a is close to the initial porosity, 1 / b is a pressure (Kawakita & Lüdde,
Powder Technol. 4 (1971) 61). Both are fitted by ordinary least squares on their linearised forms;
95 % CIs are Student-t (n - 2 degrees of freedom) from the regression covariance, and the delta
method for derived quantities (1 / K, a = 1 / slope, 1 / b = intercept / slope). The linearised
fit weighs points as the linear form does (Heckel's ln(1 / (1 - D)) stretches errors at high D).
Pressures in the paper's ton/cm²: ``units.convert(p, "ton/cm2", "MPa")`` (1 tf/cm² = 98.0665 MPa).

Calibration: :func:`fit_scalar_parameter` finds the one material parameter (e.g. the yield stress
of an mdr run) whose simulated density-pressure curve best fits a measured one, in few calls.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy import stats as st

from sigdem.errors import InputError
from sigdem.inputs import check_number

log = logging.getLogger(__name__)


def _arrays(pressure_mpa, values, name: str, window_mpa) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(pressure_mpa, dtype=float)
    v = np.asarray(values, dtype=float)
    if p.ndim != 1 or p.shape != v.shape:
        raise InputError(name, f"needs one value per pressure; got shapes {p.shape} and {v.shape}")
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(v))):
        raise InputError(name, "pressures and values must be finite numbers")
    if np.any(p <= 0):
        raise InputError("pressure_mpa", f"{p[p <= 0].tolist()} not allowed: pressures must be > 0 MPa")
    if window_mpa is not None:
        lo, hi = window_mpa
        if not lo < hi:
            raise InputError("window_mpa", f"{window_mpa!r} must be (low, high) with low < high, MPa")
        keep = (p >= lo) & (p <= hi)
        p, v = p[keep], v[keep]
    if p.size < 3:
        raise InputError(name, f"{p.size} points (in the window); a fit with a CI needs at least 3")
    return p, v


@dataclass(frozen=True, slots=True)
class _Line:
    slope: float
    intercept: float
    cov: np.ndarray  # 2x2 covariance of (slope, intercept)
    r2: float
    rmse: float
    n: int
    t95: float


def _linfit(x: np.ndarray, y: np.ndarray) -> _Line:
    """Ordinary least squares y = slope x + intercept with its covariance (s² (XᵀX)⁻¹)."""
    X = np.column_stack([x, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    res = y - X @ coef
    n = x.size
    s2 = float(res @ res) / (n - 2) if n > 2 else math.nan
    cov = s2 * np.linalg.inv(X.T @ X)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(res @ res) / ss_tot if ss_tot > 0 else math.nan
    return _Line(float(coef[0]), float(coef[1]), cov, r2, math.sqrt(float(res @ res) / n), n,
                 float(st.t.ppf(0.975, n - 2)))


def _delta_ci(line: _Line, grad) -> float:
    g = np.asarray(grad, dtype=float)
    return line.t95 * math.sqrt(max(float(g @ line.cov @ g), 0.0))


@dataclass(frozen=True, slots=True)
class HeckelFit:
    """Heckel fit ln(1/(1 - D)) = K P + A. K per MPa, P_y = 1/K in MPa; ``*_ci95`` are 95 % CI
    half-widths; ``rmse`` in ln(1/(1 - D)) units; ``window_mpa`` the pressures used (None: all)."""

    k_per_mpa: float
    k_ci95: float
    a: float
    a_ci95: float
    yield_pressure_mpa: float
    yield_pressure_ci95: float
    r2: float
    rmse: float
    n: int
    window_mpa: tuple[float, float] | None = None

    def predict(self, pressure_mpa):
        """Relative density D at the pressures (MPa): 1 - exp(-(K P + A))."""
        return 1.0 - np.exp(-(self.k_per_mpa * np.asarray(pressure_mpa, dtype=float) + self.a))


def heckel_fit(pressure_mpa, relative_density, window_mpa: tuple[float, float] | None = None) -> HeckelFit:
    """Fit Heckel's law on its linear form; ``window_mpa`` = (low, high) keeps Heckel's linear region."""
    p, d = _arrays(pressure_mpa, relative_density, "relative_density", window_mpa)
    if np.any((d <= 0) | (d >= 1)):
        raise InputError("relative_density", f"{d[(d <= 0) | (d >= 1)].tolist()} outside (0, 1)")
    line = _linfit(p, -np.log1p(-d))
    k = line.slope
    ci = line.t95 * math.sqrt(line.cov[0, 0])
    return HeckelFit(k, ci, line.intercept, line.t95 * math.sqrt(line.cov[1, 1]), 1.0 / k,
                     _delta_ci(line, (-1.0 / k**2, 0.0)), line.r2, line.rmse, line.n,
                     None if window_mpa is None else (float(window_mpa[0]), float(window_mpa[1])))


@dataclass(frozen=True, slots=True)
class KawakitaFit:
    """Kawakita fit P/C = 1/(a b) + P/a: ``a`` (dimensionless, ~ initial porosity), ``b_per_mpa``
    and ``inverse_b_mpa`` = 1/b, with 95 % CI half-widths; ``rmse`` in P/C units (MPa)."""

    a: float
    a_ci95: float
    b_per_mpa: float
    b_ci95: float
    inverse_b_mpa: float
    inverse_b_ci95: float
    r2: float
    rmse: float
    n: int
    window_mpa: tuple[float, float] | None = None

    def predict(self, pressure_mpa):
        """Volume reduction C at the pressures (MPa): a b P / (1 + b P)."""
        p = np.asarray(pressure_mpa, dtype=float)
        return self.a * self.b_per_mpa * p / (1.0 + self.b_per_mpa * p)


def kawakita_fit(pressure_mpa, volume, initial_volume: float,
                 window_mpa: tuple[float, float] | None = None) -> KawakitaFit:
    """Fit Kawakita's law on its linear form P/C vs P, with C = (V0 - V)/V0 (any one volume unit;
    from densities, V = 1/D works with V0 = 1/D0)."""
    v0 = check_number("initial_volume", initial_volume, 0.0, math.inf, lo_open=True)
    p, v = _arrays(pressure_mpa, volume, "volume", window_mpa)
    c = (v0 - v) / v0
    if np.any((c <= 0) | (c >= 1)):
        raise InputError("volume", f"{v[(c <= 0) | (c >= 1)].tolist()} gives C outside (0, 1): needs 0 < V < V0 = {v0:g}")
    line = _linfit(p, p / c)
    s, q = line.slope, line.intercept  # s = 1/a, q = 1/(a b)
    if s <= 0 or q <= 0:
        raise InputError("volume", f"the data give slope {s:.4g} and intercept {q:.4g}: Kawakita needs both > 0")
    return KawakitaFit(1.0 / s, _delta_ci(line, (-1.0 / s**2, 0.0)), s / q, _delta_ci(line, (1.0 / q, -s / q**2)),
                       q / s, _delta_ci(line, (-q / s**2, 1.0 / s)), line.r2, line.rmse, line.n,
                       None if window_mpa is None else (float(window_mpa[0]), float(window_mpa[1])))


class _BudgetSpent(Exception):
    """The search used all the simulate calls it was given."""


@dataclass(frozen=True, slots=True)
class ScalarFit:
    """Result of :func:`fit_scalar_parameter`: best ``value`` and its 1-sigma ``uncertainty`` (same
    unit), ``rmse`` of the density residuals, ``sse``, ``n`` points, ``evaluations`` made as
    (value, sse) pairs in call order, ``at_bound`` if the best value of the search is its lowest or
    highest value, i.e. the minimum lies at or beyond a bound (widen the bounds), ``converged`` whether the search met its tolerance within its calls."""

    value: float
    uncertainty: float
    rmse: float
    sse: float
    n: int
    evaluations: tuple[tuple[float, float], ...]
    at_bound: bool
    converged: bool


def fit_scalar_parameter(simulate, measured_pressure_mpa, measured_density, bounds: tuple[float, float],
                         log_scale: bool = True, max_evaluations: int = 12, rel_step: float = 0.03) -> ScalarFit:
    """Parameter value minimising the sum of squared density residuals of ``simulate`` against data.

    ``simulate(value)`` returns a callable density(pressures) or the densities at
    ``measured_pressure_mpa``. Each call may be a DEM run, so calls are cached and at most
    ``max_evaluations`` are made: bounded Brent search (``scipy.optimize.minimize_scalar``) on log
    value (``log_scale``, tolerance 0.3 % of the value) or value (0.3 % of the range), then two calls at
    value (1 ± ``rel_step``) for the curvature.
    Uncertainty: sigma² = 2 s² / SSE'' with s² = SSE / (n - 1), SSE'' by central differences in the
    parameter itself (the Gauss-Newton estimate of one parameter's variance); inf where SSE'' <= 0."""
    p, d = _arrays(measured_pressure_mpa, measured_density, "measured_density", None)
    lo = check_number("bounds[0]", bounds[0], 0.0 if log_scale else -math.inf, math.inf, lo_open=log_scale)
    hi = check_number("bounds[1]", bounds[1], lo, math.inf, lo_open=True)
    if int(max_evaluations) < 5:
        raise InputError("max_evaluations", f"{max_evaluations!r}: needs at least 5 (search + curvature)")
    check_number("rel_step", rel_step, 0.0, 0.5, lo_open=True)
    cache: dict[float, float] = {}
    calls: list[tuple[float, float]] = []
    budget = [int(max_evaluations) - 2]  # calls left to the search; 2 more for the curvature

    def sse(value: float) -> float:
        if value not in cache:
            if len(calls) >= budget[0]:
                raise _BudgetSpent
            out = simulate(value)
            dens = np.asarray(out(p) if callable(out) else out, dtype=float)
            if dens.shape != p.shape:
                raise InputError("simulate", f"returned {dens.shape} densities for {p.size} pressures")
            cache[value] = float(np.sum((dens - d) ** 2)) if np.all(np.isfinite(dens)) else math.inf
            calls.append((value, cache[value]))
            log.info("calibration call %d: value %.6g, SSE %.4g", len(calls), value, cache[value])
        return cache[value]

    fwd, inv = (math.log, math.exp) if log_scale else ((lambda x: x), (lambda x: x))
    xatol = 3e-3 if log_scale else 3e-3 * (hi - lo)
    try:  # Brent's own limit flags a search that converged on its last call: stop it one call later
        converged = bool(optimize.minimize_scalar(lambda x: sse(inv(x)), bounds=(fwd(lo), fwd(hi)), method="bounded",
                                                  options={"xatol": xatol, "maxiter": budget[0] + 1}).success)
    except _BudgetSpent:
        converged = False
    budget[0] += 2
    best = min(cache, key=cache.get)
    searched = [v for v, _ in calls]  # an interior minimum is bracketed by calls on both sides
    at_bound = bool(best in (min(searched), max(searched)))
    h = rel_step * abs(best) if best != 0 else rel_step
    # second difference inside the bounds: central, or one-sided next to a bound
    shift = h if best - h < lo else (-h if best + h > hi else 0.0)
    x0, x1, x2 = best + shift - h, best + shift, best + shift + h
    curvature = (sse(x0) - 2.0 * sse(x1) + sse(x2)) / h**2
    best = min(cache, key=cache.get)  # the curvature points may be better still
    s2 = cache[best] / (p.size - 1)
    sigma = math.sqrt(2.0 * s2 / curvature) if curvature > 0 else math.inf
    if at_bound or not converged:
        log.warning("calibration: best value %.6g (bounds %s, at bound %s, converged %s)", best, bounds, at_bound,
                    converged)
    return ScalarFit(best, sigma, math.sqrt(cache[best] / p.size), cache[best], int(p.size), tuple(calls), at_bound,
                     converged)
