"""Analytic estimates of the random close packing fraction of a PSD or blend.

Farr & Groot (2009), "Close packing density of polydisperse hard spheres",
J. Chem. Phys. 131, 244104 (arXiv:0912.0852). A random line through a packing
cuts a sphere of diameter D, hit with probability proportional to D**2, into a
rod (chord) of length L with density 2L/D**2 on (0, D); the fraction of the line
covered by rods equals the volume fraction. The rods are packed on a line by
the paper's greedy rule: longest first, each into the currently largest gap,
taking a length (1 + f) L of it and leaving free length f L beside it (a gap
never shrinks below f L; a rod that does not fit pushes the line apart). The
free-length ratio f is the model's one calibration constant, fixed on
monodisperse spheres: f = 0.7654 gives phi = 0.6435 for equal spheres. That
pairing is the calibration quoted by public implementations of the algorithm;
the paper's own text could not be consulted while this was written, so check
its Sec. II before quoting the monodisperse value, or recalibrate with
:func:`calibrate_free_length` (e.g. to 0.634). Independently of f, this
implementation reproduces the exact large-size-ratio limits of a bidisperse
mix (small spheres filling the voids of the large, or hosting them) that the
paper lists as a property of the method (see tests/test_psd_packing.py).

Desmond & Weeks (2014), "Influence of particle size distribution on random
close packing of spheres", Phys. Rev. E 90, 022204: the empirical fit
phi_rcp = phi_mono + c1 delta + c2 S delta**2 with phi_mono = 0.634,
c1 = 0.0658, c2 = 0.0857; delta and S are the polydispersity (std/mean) and
skewness of the number-weighted radii. The constants were given with the
task and agree with a public implementation citing the paper; the paper itself
(only its abstract was reachable here) fits simulations up to delta ~ 0.4.
"""

from __future__ import annotations

import heapq
import logging
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from sigdem.errors import InputError
from sigdem.psd.base import PSD
from sigdem.psd.blend import Blend, Grade
from sigdem.psd.discrete import DiscretePSD
from sigdem.psd.sampling import ParticleSample
from sigdem.psd.ternary import ternary_blends

log = logging.getLogger(__name__)

FARR_GROOT_FREE_LENGTH = 0.7654
FARR_GROOT_RODS = 3000
DW_PHI_MONO = 0.634
DW_C1 = 0.0658
DW_C2 = 0.0857
DW_DELTA_FITTED_MAX = 0.4
_CHORD_GRID = 1500


def _as_psd(source: object) -> PSD:
    if isinstance(source, PSD):
        return source
    if isinstance(source, Grade):
        return source.psd
    if isinstance(source, Blend):
        return source.psd
    if isinstance(source, ParticleSample):
        d = source.diameters_um
        return DiscretePSD(tuple(d), tuple(np.full(d.size, 1.0 / d.size)), "number")
    raise InputError("source", f"got {type(source).__name__}; allowed: PSD, Grade, Blend or ParticleSample")


def chord_lengths_um(psd: PSD, n_rods: int = FARR_GROOT_RODS) -> np.ndarray:
    """Rod (chord) lengths (µm) at the mid-point quantiles (k + 1/2)/n, longest first.

    The chord-length distribution of a line through the packing has CDF
    F(L) = F_2(L) + L**2 (1 - F_0(L)) / <D**2>, with F_0/F_2 the number/area
    cumulative distributions of the sphere diameters D.
    """
    lo, hi = psd.support_um()
    grid = np.geomspace(lo * 1e-4, hi, _CHORD_GRID)
    surv = 1.0 - psd.weighted_cdf(grid, 0)
    cdf = psd.weighted_cdf(grid, 2) + grid**2 * surv / psd.number_moment(2)
    cdf = np.maximum.accumulate(np.clip(cdf, 0.0, 1.0))
    q = (np.arange(n_rods, 0, -1) - 0.5) / n_rods
    return np.exp(np.interp(q, cdf, np.log(grid)))


def _pack_rods(lengths_desc: np.ndarray, f: float) -> float:
    """Greedy 1-D packing fraction of rods given longest first (Farr & Groot rule)."""
    rods = lengths_desc.tolist()
    gaps = [-f * rods[0]]  # max-heap of free gaps (negated)
    gap_total = f * rods[0]
    push, replace = heapq.heappush, heapq.heapreplace
    one_f = 1.0 + f
    for length in rods[1:]:
        largest = -gaps[0]
        own = f * length
        rest = largest - one_f * length
        if rest < own:
            rest = own
        replace(gaps, -own)
        push(gaps, -rest)
        gap_total += own + rest - largest
    used = math.fsum(rods)
    return used / (used + gap_total)


def farr_groot_rcp(source: PSD | Grade | Blend | ParticleSample, *, n_rods: int = FARR_GROOT_RODS,
                   free_length: float = FARR_GROOT_FREE_LENGTH) -> float:
    """Random close packing fraction (0..1) by the Farr & Groot 1-D algorithm.

    ``n_rods`` chords at deterministic quantiles (3000 keeps the discretisation
    error near 1e-3 and a 66-point ternary grid well under a second);
    ``free_length`` is the calibration constant f (see module docstring).
    """
    if isinstance(n_rods, bool) or not isinstance(n_rods, int) or not 10 <= n_rods <= 10_000_000:
        raise InputError("n_rods", f"got {n_rods!r}; allowed: integer 10 <= n_rods <= 10,000,000")
    if not (isinstance(free_length, (int, float)) and 0.0 < free_length <= 10.0):
        raise InputError("free_length", f"got {free_length!r}; allowed: 0 < free_length <= 10")
    return _pack_rods(chord_lengths_um(_as_psd(source), n_rods), float(free_length))


def calibrate_free_length(target_phi: float, n_rods: int = FARR_GROOT_RODS) -> float:
    """Free-length ratio f that makes monodisperse spheres pack at ``target_phi`` (0.5..0.74)."""
    if not (isinstance(target_phi, (int, float)) and 0.5 <= target_phi <= 0.74):
        raise InputError("target_phi", f"got {target_phi!r}; allowed: 0.5 <= target_phi <= 0.74")
    rods = chord_lengths_um(DiscretePSD((1.0,), (1.0,)), n_rods)
    lo, hi = 0.05, 5.0  # packing fraction falls as f grows
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _pack_rods(rods, mid) > target_phi else (lo, mid)
    return 0.5 * (lo + hi)


def desmond_weeks_rcp(source: PSD | Grade | Blend | ParticleSample | None = None, *,
                      delta: float | None = None, skewness: float | None = None) -> float:
    """Desmond & Weeks (2014) phi_rcp = 0.634 + 0.0658 delta + 0.0857 S delta**2.

    Give a PSD-like ``source`` or both ``delta`` (>= 0) and ``skewness`` S of the
    number-weighted radii. Logs a warning beyond delta = 0.4 (outside the fit).
    """
    if source is not None:
        if delta is not None or skewness is not None:
            raise InputError("delta", "give either a source or delta and skewness; allowed: one of them")
        stats = _as_psd(source).statistics()
        delta, skewness = stats.polydispersity_delta, stats.skewness_s
    if delta is None or skewness is None:
        raise InputError("delta", "delta and skewness are both needed without a source; allowed: delta >= 0")
    if not (math.isfinite(delta) and delta >= 0.0 and math.isfinite(skewness)):
        raise InputError("delta", f"delta={delta!r}, skewness={skewness!r}; allowed: finite, delta >= 0")
    if delta > DW_DELTA_FITTED_MAX:
        log.warning("Desmond-Weeks used at delta=%.3f, beyond its fitted range (delta <= %.1f)",
                    delta, DW_DELTA_FITTED_MAX)
    return DW_PHI_MONO + DW_C1 * delta + DW_C2 * skewness * delta * delta


@dataclass(frozen=True, slots=True)
class TernaryPackingPoint:
    """One composition (mass fractions of the three grades) and its packing estimates."""

    mass_fractions: tuple[Fraction, Fraction, Fraction]
    farr_groot: float
    desmond_weeks: float
    polydispersity_delta: float
    skewness_s: float
    d50_um: float


def ternary_packing(grades: tuple[Grade, Grade, Grade], step: float | Fraction | str = 0.1, *,
                    n_rods: int = FARR_GROOT_RODS) -> tuple[TernaryPackingPoint, ...]:
    """Both packing estimators on every point of a ternary grid of three grades."""
    from sigdem.psd.ternary import ternary_grid

    out = []
    for point, blend in zip(ternary_grid(step), ternary_blends(grades, step)):
        psd = blend.psd
        st = psd.statistics()
        out.append(TernaryPackingPoint(
            point, farr_groot_rcp(psd, n_rods=n_rods),
            desmond_weeks_rcp(delta=st.polydispersity_delta, skewness=st.skewness_s),
            st.polydispersity_delta, st.skewness_s, st.d50_um))
    return tuple(out)
