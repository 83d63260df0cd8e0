"""The :class:`PSD` interface and the statistics every PSD shares.

A PSD is stored on the basis its data came in (``basis``: 'volume' for laser
diffraction, 'mass' for sieving, 'number' for image analysis) but can answer on
any basis. Internally a basis is the power ``p`` of the diameter that weights the
number distribution: number p=0, surface p=2, volume and mass p=3 (mass equals
volume for a single grade of one true density).

Diameters are in µm throughout; moments ``number_moment(k)`` in µm**k.
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass

import numpy as np

from sigdem.errors import InputError
from sigdem.psd._validate import basis_power

_TABLE_POINTS = 512
_BISECTION_STEPS = 32


@dataclass(frozen=True, slots=True)
class PSDStatistics:
    """Summary statistics of a PSD.

    ``d10_um``/``d50_um``/``d90_um`` and ``span`` = (D90 - D10)/D50 are on the
    volume basis (µm, dimensionless). ``number_mean_um`` is D[1,0], ``d32_um``
    the Sauter mean D[3,2], ``d43_um`` the De Brouckere mean D[4,3] (µm).
    ``polydispersity_delta`` (std/mean) and ``skewness_s`` are moments of the
    number-weighted radii (identical for diameters: both are scale free);
    ``skewness_s`` is 0 for a monodisperse PSD.
    """

    d10_um: float
    d50_um: float
    d90_um: float
    span: float
    number_mean_um: float
    d32_um: float
    d43_um: float
    polydispersity_delta: float
    skewness_s: float


@dataclass(frozen=True, slots=True)
class TruncationResult:
    """A PSD cut to [d_min_um, d_max_um] and the volume fraction the cut removed.

    ``volume_error`` is the fraction (0..1) of the original solid volume lying
    outside the range; the returned ``psd`` is renormalised to 1 inside it.
    """

    psd: "PSD"
    volume_error: float
    d_min_um: float
    d_max_um: float


def check_quantiles(q: object, field: str = "q") -> np.ndarray:
    """Return ``q`` as a float array if all values lie in (0, 1); else raise."""
    arr = np.asarray(q, dtype=np.float64)
    if arr.size == 0 or not np.all((arr > 0.0) & (arr < 1.0)):
        raise InputError(field, f"got {q!r}; allowed: 0 < q < 1 (e.g. 0.5 for D50)")
    return arr


class PSD(abc.ABC):
    """A particle-size distribution (diameters in µm).

    Subclasses implement the number moments, the weighted cumulative
    distribution, a finite support and truncation; quantiles and statistics
    follow from those.
    """

    __slots__ = ()

    @property
    @abc.abstractmethod
    def basis(self) -> str:
        """Basis the PSD was stated on: 'volume', 'mass' or 'number'."""

    @property
    def is_discrete(self) -> bool:
        """True when the PSD holds only point sizes (sampling then reuses those exact sizes)."""
        return False

    @abc.abstractmethod
    def number_moment(self, k: float) -> float:
        """Mean of d**k over the number distribution (µm**k)."""

    @abc.abstractmethod
    def weighted_cdf(self, d_um: np.ndarray, power: float) -> np.ndarray:
        """Fraction of sum(d**power) carried by particles of diameter <= d_um (0..1)."""

    @abc.abstractmethod
    def support_um(self) -> tuple[float, float]:
        """Finite (lo, hi) in µm holding all of the PSD but at most ~1e-12 of any basis."""

    @abc.abstractmethod
    def truncate(self, d_min_um: float, d_max_um: float) -> TruncationResult:
        """Cut to [d_min_um, d_max_um] (µm); see :class:`TruncationResult`."""

    def weighted_quantile(self, q: np.ndarray, power: float) -> np.ndarray:
        """Smallest diameter (µm) whose ``power``-weighted cumulative fraction reaches q.

        Generic: brackets q on a log-spaced table of the CDF over
        :meth:`support_um`, then bisects in ln(d) (relative error < 1e-10);
        subclasses with closed forms override it. ``q`` is not validated here.
        """
        q = np.asarray(q, dtype=np.float64)
        lo_um, hi_um = self.support_um()
        grid = np.geomspace(lo_um, hi_um, _TABLE_POINTS)
        table = self.weighted_cdf(grid, power)
        i = np.clip(np.searchsorted(table, q, side="left"), 1, _TABLE_POINTS - 1)
        lo, hi = np.log(grid[i - 1]), np.log(grid[i])
        for _ in range(_BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            below = self.weighted_cdf(np.exp(mid), power) < q
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        return np.exp(hi)

    def lorenz_curve(self, u: np.ndarray, power: float) -> np.ndarray:
        """Share (0..1) of sum(d**power) held by the smallest fraction ``u`` of the particles.

        G(u) = F_p(d-) + (u - F_0(d-)) d**p / M_p with d = Q_0(u): the weighted CDF
        below d plus the part of an atom at d (point sizes) that u reaches into.
        """
        u = np.asarray(u, dtype=np.float64)
        d = self.weighted_quantile(u, 0)
        below = d * (1.0 - 1e-12)
        atom = (u - self.weighted_cdf(below, 0)) * d**power / self.number_moment(power)
        return np.clip(self.weighted_cdf(below, power) + np.maximum(atom, 0.0), 0.0, 1.0)

    # ----------------------------------------------------------------- public API
    def cdf(self, d_um: object, basis: str = "volume") -> np.ndarray:
        """Cumulative fraction passing (0..1) at diameters ``d_um`` (µm) on ``basis``."""
        power = basis_power(basis)
        return self.weighted_cdf(np.asarray(d_um, dtype=np.float64), power)

    def quantile(self, q: object, basis: str = "volume") -> np.ndarray:
        """Diameter (µm) below which fraction ``q`` (0<q<1) lies on ``basis`` (D50: q=0.5)."""
        power = basis_power(basis)
        return self.weighted_quantile(check_quantiles(q), power)

    def mean_diameter_um(self, p: int, q: int) -> float:
        """Moment-ratio mean D[p,q] = (M_p / M_q)**(1/(p-q)) (µm), number moments M."""
        if p == q:
            raise InputError("p", f"p={p} equals q={q}; allowed: p != q")
        return (self.number_moment(p) / self.number_moment(q)) ** (1.0 / (p - q))

    def mean_particle_volume_um3(self) -> float:
        """Number-mean particle volume pi/6 <d**3> (µm**3)."""
        return math.pi / 6.0 * self.number_moment(3)

    def statistics(self) -> PSDStatistics:
        """D10/D50/D90 and span (volume basis), D[1,0], D[3,2], D[4,3], delta and S."""
        d10, d50, d90 = (float(x) for x in self.weighted_quantile(np.array([0.1, 0.5, 0.9]), 3))
        m1, m2, m3, m4 = (self.number_moment(k) for k in (1, 2, 3, 4))
        delta, skew = delta_and_skewness(m1, m2, m3)
        return PSDStatistics(
            d10_um=d10,
            d50_um=d50,
            d90_um=d90,
            span=(d90 - d10) / d50,
            number_mean_um=m1,
            d32_um=m3 / m2,
            d43_um=m4 / m3,
            polydispersity_delta=delta,
            skewness_s=skew,
        )


def delta_and_skewness(m1: float, m2: float, m3: float) -> tuple[float, float]:
    """Polydispersity std/mean and skewness from raw number moments of the size.

    Uses moments scaled by the mean (r_k = M_k / M_1**k) to limit cancellation;
    a relative variance below 1e-12 counts as monodisperse (delta = S = 0).
    """
    r2 = m2 / m1**2
    r3 = m3 / m1**3
    var = r2 - 1.0
    if var <= 1e-12:
        return 0.0, 0.0
    third = r3 - 3.0 * r2 + 2.0
    return math.sqrt(var), third / var**1.5
