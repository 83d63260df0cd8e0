"""PSDs given as explicit size classes.

* :class:`DiscretePSD` - point sizes (each class is one diameter), e.g. a
  monodisperse powder or a hand-made bimodal mix.
* :class:`TabulatedPSD` - size classes with edges, as laser-diffraction
  instruments report them. Inside a class the fraction on the stated basis is
  spread uniformly in ln(d) (the usual log-linear interpolation of a cumulative
  curve); every other basis follows exactly from that assumption.

Fractions are 0..1 and must sum to 1 (within 1e-6) on the stated ``basis``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sigdem.errors import InputError
from sigdem.psd._validate import (
    basis_power,
    check_basis,
    check_range,
    fractions_array,
    positive_array,
)
from sigdem.psd.base import PSD, TruncationResult

CLASS_SUM_TOLERANCE = 1e-6


def _log_power_integral(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """Integral of d**k d(ln d) from a to b (elementwise, a, b > 0)."""
    if abs(k) < 1e-12:
        return np.log(b / a)
    return (b**k - a**k) / k


def _inverse_log_power_integral(a: np.ndarray, r: np.ndarray, k: float) -> np.ndarray:
    """d such that the integral of x**k d(ln x) from a to d equals r."""
    if abs(k) < 1e-12:
        return a * np.exp(r)
    return np.maximum(a**k + k * r, 0.0) ** (1.0 / k)


@dataclass(frozen=True, slots=True)
class DiscretePSD(PSD):
    """Point size classes: ``diameters_um`` (µm) with ``fractions`` on ``basis``."""

    diameters_um: tuple[float, ...]
    fractions: tuple[float, ...]
    basis: str = "volume"

    def __post_init__(self) -> None:
        check_basis(self.basis)
        d = positive_array(self.diameters_um, "diameters_um")
        f = fractions_array(self.fractions, "fractions", CLASS_SUM_TOLERANCE)
        if d.size != f.size:
            raise InputError("fractions", f"{f.size} fractions for {d.size} diameters; allowed: one per diameter")
        order = np.argsort(d, kind="stable")
        object.__setattr__(self, "diameters_um", tuple(float(x) for x in d[order]))
        object.__setattr__(self, "fractions", tuple(float(x) for x in f[order]))

    @property
    def is_discrete(self) -> bool:
        return True

    def _number_weights(self) -> tuple[np.ndarray, np.ndarray]:
        d = np.asarray(self.diameters_um)
        n = np.asarray(self.fractions) / d ** basis_power(self.basis)
        return d, n / n.sum()

    def class_fractions(self, basis: str = "volume") -> np.ndarray:
        """Fraction of each class on ``basis`` (sums to 1)."""
        d, n = self._number_weights()
        w = n * d ** basis_power(basis)
        return w / w.sum()

    def to_basis(self, basis: str) -> "DiscretePSD":
        """The same distribution stated on another basis."""
        return DiscretePSD(self.diameters_um, tuple(self.class_fractions(basis)), basis)

    def number_moment(self, k: float) -> float:
        d, n = self._number_weights()
        return float(np.dot(n, d**k))

    def weighted_cdf(self, d_um: np.ndarray, power: float) -> np.ndarray:
        d, n = self._number_weights()
        w = n * d**power
        cum = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
        idx = np.searchsorted(d, np.asarray(d_um, dtype=np.float64), side="right")
        return np.minimum(cum[idx], 1.0)

    def weighted_quantile(self, q: np.ndarray, power: float) -> np.ndarray:
        d, n = self._number_weights()
        w = n * d**power
        cum = np.cumsum(w) / w.sum()
        idx = np.searchsorted(cum, np.asarray(q, dtype=np.float64) - 1e-12, side="left")
        return d[np.minimum(idx, d.size - 1)]

    def support_um(self) -> tuple[float, float]:
        return self.diameters_um[0], self.diameters_um[-1]

    def truncate(self, d_min_um: float, d_max_um: float) -> TruncationResult:
        lo, hi = check_range(d_min_um, d_max_um)
        d = np.asarray(self.diameters_um)
        keep = (d >= lo) & (d <= hi)
        if not keep.any():
            raise InputError("d_min_um", f"no class inside [{lo:g}, {hi:g}] µm; allowed: a range holding a class")
        vol = self.class_fractions("volume")
        f = np.asarray(self.fractions)[keep]
        cut = DiscretePSD(tuple(d[keep]), tuple(f / f.sum()), self.basis)
        return TruncationResult(cut, float(max(1.0 - vol[keep].sum(), 0.0)), lo, hi)


@dataclass(frozen=True, slots=True)
class TabulatedPSD(PSD):
    """Contiguous size classes: ``edges_um`` (n+1, increasing, µm), ``fractions`` (n) on ``basis``."""

    edges_um: tuple[float, ...]
    fractions: tuple[float, ...]
    basis: str = "volume"

    def __post_init__(self) -> None:
        check_basis(self.basis)
        e = positive_array(self.edges_um, "edges_um")
        f = fractions_array(self.fractions, "fractions", CLASS_SUM_TOLERANCE)
        if e.size != f.size + 1:
            raise InputError("edges_um", f"{e.size} edges for {f.size} classes; allowed: one more edge than classes")
        if np.any(np.diff(e) <= 0.0):
            raise InputError("edges_um", "edges not strictly increasing; allowed: strictly increasing sizes > 0 µm")
        object.__setattr__(self, "edges_um", tuple(float(x) for x in e))
        object.__setattr__(self, "fractions", tuple(float(x) for x in f))

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        e = np.asarray(self.edges_um)
        a, b = e[:-1], e[1:]
        dens = np.asarray(self.fractions) / np.log(b / a)  # stated-basis density per ln(d)
        return a, b, dens

    def _class_weights(self, power: float) -> np.ndarray:
        """Unnormalised sum(d**power) per class of the number distribution."""
        a, b, dens = self._arrays()
        return dens * _log_power_integral(a, b, power - basis_power(self.basis))

    def class_fractions(self, basis: str = "volume") -> np.ndarray:
        """Fraction of each class on ``basis`` (sums to 1)."""
        w = self._class_weights(basis_power(basis))
        return w / w.sum()

    @property
    def midpoints_um(self) -> np.ndarray:
        """Geometric mid-point of each class (µm)."""
        a, b, _ = self._arrays()
        return np.sqrt(a * b)

    def number_moment(self, k: float) -> float:
        return float(self._class_weights(k).sum() / self._class_weights(0.0).sum())

    def weighted_cdf(self, d_um: np.ndarray, power: float) -> np.ndarray:
        a, b, dens = self._arrays()
        w = self._class_weights(power)
        total = w.sum()
        cum = np.concatenate([[0.0], np.cumsum(w)])
        d = np.asarray(d_um, dtype=np.float64)
        i = np.clip(np.searchsorted(b, d, side="left"), 0, a.size - 1)
        inside = _log_power_integral(a[i], np.clip(d, a[i], b[i]), power - basis_power(self.basis))
        out = (cum[i] + dens[i] * inside) / total
        return np.clip(np.where(d >= b[-1], 1.0, out), 0.0, 1.0)

    def weighted_quantile(self, q: np.ndarray, power: float) -> np.ndarray:
        a, b, dens = self._arrays()
        w = self._class_weights(power)
        cum = np.cumsum(w)
        target = np.asarray(q, dtype=np.float64) * cum[-1]
        i = np.minimum(np.searchsorted(cum, target, side="left"), a.size - 1)
        before = cum[i] - w[i]
        r = (target - before) / np.where(dens[i] > 0.0, dens[i], 1.0)
        d = _inverse_log_power_integral(a[i], r, power - basis_power(self.basis))
        return np.clip(d, a[i], b[i])

    def support_um(self) -> tuple[float, float]:
        f = np.asarray(self.fractions)
        nz = np.flatnonzero(f > 0.0)
        return self.edges_um[nz[0]], self.edges_um[nz[-1] + 1]

    def truncate(self, d_min_um: float, d_max_um: float) -> TruncationResult:
        lo, hi = check_range(d_min_um, d_max_um)
        a, b, _ = self._arrays()
        oa, ob = np.maximum(a, lo), np.minimum(b, hi)
        keep = ob > oa
        kept_f = np.asarray(self.fractions)[keep] * np.log(ob[keep] / oa[keep]) / np.log(b[keep] / a[keep])
        if not keep.any() or kept_f.sum() <= 0.0:
            raise InputError("d_min_um", f"[{lo:g}, {hi:g}] µm holds none of the PSD; allowed: an overlapping range")
        edges = np.concatenate([oa[keep], ob[keep][-1:]])
        kept_vol = self.weighted_cdf(np.array([lo, hi]), 3)
        cut = TabulatedPSD(tuple(edges), tuple(kept_f / kept_f.sum()), self.basis)
        return TruncationResult(cut, float(max(1.0 - (kept_vol[1] - kept_vol[0]), 0.0)), lo, hi)


def monodisperse(d_um: float) -> DiscretePSD:
    """A single size ``d_um`` (µm)."""
    if not (isinstance(d_um, (int, float)) and math.isfinite(d_um) and d_um > 0):
        raise InputError("d_um", f"got {d_um!r}; allowed: finite d_um > 0 µm")
    return DiscretePSD((float(d_um),), (1.0,))
