"""Log-normal PSDs and the three ways engineers usually state them.

A log-normal with geometric standard deviation ``gsd`` (s = ln gsd) weighted by
d**p is again log-normal with the same s and log-median shifted by p*s**2
(Hatch-Choate). So a volume median VMD corresponds to the number median
CMD = VMD * exp(-3 s**2), and every basis, moment and quantile has a closed form,
also after truncation to [d_min_um, d_max_um].
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

from sigdem.errors import InputError
from sigdem.psd._validate import basis_power, check_basis, check_range, plausible_size, positive
from sigdem.psd.base import PSD, TruncationResult

log = logging.getLogger(__name__)

#: Standard-normal quantile of 0.9: D90 = D50 * exp(Z90 * s) on the basis stated.
Z90 = float(ndtri(0.9))
_GSD_MAX = 20.0
_TAIL_SIGMAS = 8.5


@dataclass(frozen=True, slots=True)
class LogNormalPSD(PSD):
    """Log-normal PSD, optionally truncated.

    Fields: ``median_um`` (µm) is the median of the *untruncated* distribution on
    ``basis``; ``gsd`` (> 1, dimensionless) the geometric standard deviation;
    ``d_min_um``/``d_max_um`` (µm) the truncation range (0 and inf: none);
    ``fit_rms_residual_ln`` the RMS residual in ln(d) of the fit that produced it
    (0 for an exact construction).
    """

    median_um: float
    gsd: float
    basis: str = "volume"
    d_min_um: float = 0.0
    d_max_um: float = math.inf
    fit_rms_residual_ln: float = 0.0
    _s: float = field(init=False, repr=False, compare=False, default=0.0)
    _mu_n: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "median_um", plausible_size(self.median_um, "median_um"))
        gsd = positive(self.gsd, "gsd", upper=_GSD_MAX)
        if gsd <= 1.0:
            raise InputError("gsd", f"got {self.gsd!r}; allowed: 1 < gsd <= {_GSD_MAX:g}")
        object.__setattr__(self, "gsd", gsd)
        check_basis(self.basis)
        lo, hi = check_range(self.d_min_um, self.d_max_um)
        object.__setattr__(self, "d_min_um", lo)
        object.__setattr__(self, "d_max_um", hi)
        s = math.log(gsd)
        object.__setattr__(self, "_s", s)
        object.__setattr__(self, "_mu_n", math.log(self.median_um) - basis_power(self.basis) * s * s)

    # ------------------------------------------------------------ parameters
    @property
    def sigma_ln(self) -> float:
        """s = ln(gsd), the standard deviation of ln(d)."""
        return self._s

    @property
    def number_median_um(self) -> float:
        """Median of the untruncated number distribution (µm), Hatch-Choate."""
        return math.exp(self._mu_n)

    def median_on(self, basis: str) -> float:
        """Median of the untruncated distribution on ``basis`` (µm)."""
        s = self.sigma_ln
        return self.number_median_um * math.exp(basis_power(basis) * s * s)

    def to_basis(self, basis: str) -> "LogNormalPSD":
        """The same distribution stated on another basis (exact conversion)."""
        return LogNormalPSD(self.median_on(basis), self.gsd, basis, self.d_min_um, self.d_max_um,
                            self.fit_rms_residual_ln)

    def _window(self, power: float) -> tuple[float, float, float]:
        """(log-centre c, Phi at d_min, Phi at d_max) of the d**power-weighted distribution."""
        s = self._s
        c = self._mu_n + power * s * s
        fa = 0.0 if self.d_min_um <= 0.0 else float(ndtr((math.log(self.d_min_um) - c) / s))
        fb = 1.0 if math.isinf(self.d_max_um) else float(ndtr((math.log(self.d_max_um) - c) / s))
        if fb - fa <= 0.0:
            raise InputError("d_min_um", f"range [{self.d_min_um:g}, {self.d_max_um:g}] µm holds no "
                             "particles of this log-normal; allowed: a range overlapping the PSD")
        return c, fa, fb

    # ------------------------------------------------------------ PSD interface
    def number_moment(self, k: float) -> float:
        s, mu = self._s, self._mu_n
        _, fa0, fb0 = self._window(0.0)
        _, fak, fbk = self._window(k)
        return math.exp(k * mu + 0.5 * (k * s) ** 2) * (fbk - fak) / (fb0 - fa0)

    def weighted_cdf(self, d_um: np.ndarray, power: float) -> np.ndarray:
        c, fa, fb = self._window(power)
        d = np.asarray(d_um, dtype=np.float64)
        with np.errstate(divide="ignore"):
            z = (np.log(np.maximum(d, 0.0)) - c) / self.sigma_ln
        return np.clip((ndtr(z) - fa) / (fb - fa), 0.0, 1.0)

    def weighted_quantile(self, q: np.ndarray, power: float) -> np.ndarray:
        c, fa, fb = self._window(power)
        z = ndtri(fa + np.asarray(q, dtype=np.float64) * (fb - fa))
        d = np.exp(c + self.sigma_ln * z)
        return np.clip(d, self.d_min_um, self.d_max_um)

    def support_um(self) -> tuple[float, float]:
        s, mu = self._s, self._mu_n
        lo = math.exp(mu - _TAIL_SIGMAS * s)
        hi = math.exp(mu + 4.0 * s * s + _TAIL_SIGMAS * s)
        return max(lo, self.d_min_um), min(hi, self.d_max_um)

    def truncate(self, d_min_um: float, d_max_um: float) -> TruncationResult:
        lo, hi = check_range(d_min_um, d_max_um)
        lo, hi = max(lo, self.d_min_um), min(hi, self.d_max_um)
        if hi <= lo:
            raise InputError("d_max_um", f"range does not overlap [{self.d_min_um:g}, {self.d_max_um:g}] µm;"
                             " allowed: d_min_um < d_max_um overlapping the PSD")
        kept = self.weighted_cdf(np.array([lo, hi]), 3)
        err = float(1.0 - (kept[1] - kept[0]))
        cut = LogNormalPSD(self.median_um, self.gsd, self.basis, lo, hi, self.fit_rms_residual_ln)
        return TruncationResult(cut, max(err, 0.0), lo, hi)


# ------------------------------------------------------------------ constructors
def lognormal_from_d50_gsd(d50_um: float, gsd: float, basis: str = "volume") -> LogNormalPSD:
    """Log-normal with median ``d50_um`` (µm) and geometric standard deviation ``gsd`` (>1)."""
    return LogNormalPSD(d50_um, gsd, basis)


def lognormal_from_d50_span(d50_um: float, span: float, basis: str = "volume") -> LogNormalPSD:
    """Log-normal with median ``d50_um`` (µm) and span (D90-D10)/D50 on ``basis``.

    For a log-normal span = 2 sinh(Z90 s), so s = asinh(span/2) / Z90.
    """
    span = positive(span, "span", upper=50.0)
    return LogNormalPSD(d50_um, math.exp(math.asinh(span / 2.0) / Z90), basis)


def lognormal_from_d10_d50_d90(d10_um: float, d50_um: float, d90_um: float,
                               basis: str = "volume") -> LogNormalPSD:
    """Least-squares log-normal through D10, D50, D90 (µm) in ln(d) space.

    ln D_q = ln(median) + z_q s with z = (-Z90, 0, Z90); the unweighted least
    squares gives s = ln(D90/D10) / (2 Z90) and ln(median) = mean of the three
    logs. The RMS residual in ln(d) is kept in ``fit_rms_residual_ln`` (0 when
    the three values are exactly log-normal, e.g. D50**2 == D10*D90).
    """
    d10 = plausible_size(d10_um, "d10_um")
    d50 = plausible_size(d50_um, "d50_um")
    d90 = plausible_size(d90_um, "d90_um")
    if not d10 < d50:
        raise InputError("d10_um", f"D10={d10:g} µm >= D50={d50:g} µm; allowed: D10 < D50 < D90")
    if not d50 < d90:
        raise InputError("d90_um", f"D90={d90:g} µm <= D50={d50:g} µm; allowed: D10 < D50 < D90")
    y = np.log([d10, d50, d90])
    z = np.array([-Z90, 0.0, Z90])
    s = (y[2] - y[0]) / (2.0 * Z90)
    mu = float(y.mean())
    resid = y - (mu + z * s)
    rms = float(math.sqrt(np.mean(resid**2)))
    if rms > 0.05:
        log.warning("D10/D50/D90 = %g/%g/%g µm are far from log-normal (RMS ln residual %.3f)",
                    d10, d50, d90, rms)
    return LogNormalPSD(math.exp(mu), math.exp(s), basis, fit_rms_residual_ln=rms)
