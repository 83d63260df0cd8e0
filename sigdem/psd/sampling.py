"""Drawing the particle list LAMMPS needs from a PSD or a blend.

Counts per grade come from number fractions (volume fraction / mean particle
volume of the grade, rounded by largest remainder), or from the target solid
volume. Inside a grade the sizes come from systematic stratified sampling of
the number distribution: n_g cut points u_k = (k + U)/n_g with one random U
split the number-basis quantile axis into n_g strata of equal probability 1/n_g
(the stratum above the last cut wraps round to the one below the first). Each
particle gets the volume-mean diameter of its stratum, d_k**3 = n_g <d**3> times
the share of volume in the stratum (from the PSD's Lorenz curve). So every
1/n_g slice of the number distribution gets exactly one particle and the grade's
total volume is exactly n_g times its mean particle volume: grade volume
fractions are off only by the rounding of counts, and the volume-basis
D10/D50/D90 follow the PSD closely even though the volume sits in the few
largest particles, where independent (or even plain stratified) draws scatter.
A PSD of point sizes (DiscretePSD) keeps its exact sizes instead (the stratum
mid-point quantile), so only the listed diameters occur.
``seed`` drives U and the shuffle (numpy Generator), so draws are reproducible.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from sigdem.errors import InputError
from sigdem.psd._validate import check_grade_name, positive, positive_array
from sigdem.psd.base import PSD, check_quantiles
from sigdem.psd.blend import Blend, as_blend
from sigdem.psd.presets import GRAPHITE_DENSITY_G_CC

log = logging.getLogger(__name__)

MAX_PARTICLES = 20_000_000


@dataclass(frozen=True, slots=True, eq=False)
class ParticleSample:
    """A particle list: what the engine layer writes to a LAMMPS data file.

    ``diameters_um`` (float64, µm) and ``grade_index`` (int64, 0-based into
    ``grade_names``) have one entry per particle; ``densities_g_cc`` (g/cc ==
    pg/µm**3) one per grade, as do ``grade_names`` (plain identifiers). Arrays
    are read-only copies.
    """

    diameters_um: np.ndarray
    grade_index: np.ndarray
    grade_names: tuple[str, ...]
    densities_g_cc: tuple[float, ...]

    def __post_init__(self) -> None:
        names = tuple(check_grade_name(nm, "grade_names") for nm in self.grade_names)
        dens = tuple(positive(r, "densities_g_cc", "g/cc", 30.0) for r in self.densities_g_cc)
        if len(dens) != len(names) or len(set(names)) != len(names):
            raise InputError("grade_names", "allowed: unique names, one density per name")
        d = np.array(self.diameters_um, dtype=np.float64).ravel()
        if d.size:
            d = positive_array(d, "diameters_um")
        idx = np.array(self.grade_index, dtype=np.int64).ravel()
        if idx.shape != d.shape or (idx.size and (idx.min() < 0 or idx.max() >= len(names))):
            raise InputError("grade_index", f"allowed: one index per particle in 0..{len(names) - 1}")
        d.setflags(write=False)
        idx.setflags(write=False)
        object.__setattr__(self, "diameters_um", d)
        object.__setattr__(self, "grade_index", idx)
        object.__setattr__(self, "grade_names", names)
        object.__setattr__(self, "densities_g_cc", dens)

    @property
    def n(self) -> int:
        """Number of particles."""
        return int(self.diameters_um.size)

    @property
    def volumes_um3(self) -> np.ndarray:
        """Volume of each particle, pi/6 d**3 (µm**3)."""
        return math.pi / 6.0 * self.diameters_um**3

    @property
    def solid_volume_um3(self) -> float:
        """Total solid volume (µm**3)."""
        return float(self.volumes_um3.sum())

    @property
    def masses_pg(self) -> np.ndarray:
        """Mass of each particle (pg); g/cc == pg/µm**3."""
        return self.volumes_um3 * np.asarray(self.densities_g_cc)[self.grade_index]

    @property
    def mass_pg(self) -> float:
        """Total solid mass (pg)."""
        return float(self.masses_pg.sum())

    def counts_by_grade(self) -> np.ndarray:
        """Number of particles per grade."""
        return np.bincount(self.grade_index, minlength=len(self.grade_names))

    def volume_fractions_by_grade(self) -> np.ndarray:
        """Share of the solid volume per grade (sums to 1)."""
        v = np.bincount(self.grade_index, weights=self.volumes_um3, minlength=len(self.grade_names))
        return v / v.sum()

    def mass_fractions_by_grade(self) -> np.ndarray:
        """Share of the solid mass per grade (sums to 1)."""
        m = np.bincount(self.grade_index, weights=self.masses_pg, minlength=len(self.grade_names))
        return m / m.sum()

    def d_quantiles_volume(self, q: object) -> np.ndarray:
        """Volume-basis quantiles (µm) of the sample, e.g. q=(0.1, 0.5, 0.9) for D10/D50/D90.

        Each particle's volume is centred on its diameter on the cumulative
        curve (mid-point rule), interpolated linearly in between.
        """
        qs = check_quantiles(q)
        d = np.sort(self.diameters_um)
        v = d**3
        cum = (np.cumsum(v) - 0.5 * v) / v.sum()
        return np.interp(qs, cum, d)

    def volume_by_grade_and_class(self, edges_um: object) -> np.ndarray:
        """Sample volume fraction per (grade, size class [e_i, e_i+1)), shape (grades, classes)."""
        e = positive_array(edges_um, "edges_um")
        if e.size < 2 or np.any(np.diff(e) <= 0):
            raise InputError("edges_um", "allowed: at least 2 strictly increasing sizes > 0 µm")
        k = np.searchsorted(e, self.diameters_um, side="right") - 1
        ok = (k >= 0) & (k < e.size - 1)
        out = np.zeros((len(self.grade_names), e.size - 1))
        np.add.at(out, (self.grade_index[ok], k[ok]), self.volumes_um3[ok])
        return out / self.solid_volume_um3


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers >= 0 summing to ``total``, proportional to ``weights``."""
    raw = total * weights / weights.sum()
    counts = np.floor(raw).astype(np.int64)
    short = total - int(counts.sum())
    if short > 0:
        counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    return counts


def _systematic_diameters(psd: PSD, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` volume-mean diameters (µm) of systematic number-basis strata (module docstring)."""
    if count == 0:
        return np.empty(0)
    cuts = (np.arange(count) + rng.random()) / count
    if psd.is_discrete:  # point sizes: keep the exact sizes, counts follow the number fractions
        return psd.weighted_quantile(np.append(0.5 * (cuts[:-1] + cuts[1:]), 0.5 * (cuts[-1] + 1.0)), 0)
    share = psd.lorenz_curve(cuts, 3)
    volume_share = np.append(np.diff(share), 1.0 - share[-1] + share[0])
    d = np.cbrt(count * psd.number_moment(3) * volume_share)
    bad = ~(d > 0.0) | ~np.isfinite(d)
    if bad.any():  # volume share lost to round-off far in the lower tail: use the stratum's mid quantile
        mid = np.append(0.5 * (cuts[:-1] + cuts[1:]), 0.5 * (cuts[-1] + 1.0))
        d[bad] = psd.weighted_quantile(mid[bad], 0)
    return d


def _grade_counts(blend: Blend, n: int | None, solid_volume_um3: float | None) -> np.ndarray:
    phi = np.asarray(blend.volume_fractions)
    vbar = np.array([g.psd.mean_particle_volume_um3() for g in blend.grades])
    if n is not None:
        return _largest_remainder(n, phi / vbar)
    expected = solid_volume_um3 * phi / vbar
    if expected.sum() > MAX_PARTICLES:
        raise InputError("solid_volume_um3", f"needs ~{expected.sum():.3g} particles; allowed: at most "
                         f"{MAX_PARTICLES} particles (<= {MAX_PARTICLES * float(np.dot(phi, vbar)):.3g} µm³)")
    counts = np.rint(expected).astype(np.int64)
    if counts.sum() == 0:
        raise InputError("solid_volume_um3", f"{solid_volume_um3:g} µm³ is less than one particle; allowed: "
                         f">= {float(np.dot(phi, vbar)):.3g} µm³")
    return counts


def sample_particles(blend_or_psd: Blend | PSD, *, n: int | None = None, solid_volume_um3: float | None = None,
                     seed: int, largest_first: bool = False,
                     density_g_cc: float = GRAPHITE_DENSITY_G_CC) -> ParticleSample:
    """Draw particles from a Blend, a Grade or a bare PSD.

    Give exactly one of ``n`` (particle count, 1..20,000,000) or
    ``solid_volume_um3`` (target solid volume, µm**3; matched to within the
    rounding of each grade's count to whole particles). ``seed`` (int >= 0)
    makes the draw reproducible. Particles come shuffled (grades interleaved) or,
    with ``largest_first``, sorted by decreasing diameter. ``density_g_cc`` is
    used only for a bare PSD (default: graphite, 2.26 g/cc).
    """
    blend = as_blend(blend_or_psd, density_g_cc)
    if (n is None) == (solid_volume_um3 is None):
        raise InputError("n", "give exactly one of n or solid_volume_um3; allowed: one of them")
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_PARTICLES):
        raise InputError("n", f"got {n!r}; allowed: integer 1 <= n <= {MAX_PARTICLES}")
    if solid_volume_um3 is not None:
        solid_volume_um3 = positive(solid_volume_um3, "solid_volume_um3", "µm³")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError("seed", f"got {seed!r}; allowed: an integer >= 0")
    counts = _grade_counts(blend, None if n is None else int(n), solid_volume_um3)
    rng = np.random.default_rng(int(seed))
    diam = [_systematic_diameters(g.psd, int(c), rng) for g, c in zip(blend.grades, counts)]
    d = np.concatenate(diam)
    idx = np.repeat(np.arange(len(blend.grades), dtype=np.int64), counts)
    order = np.argsort(-d, kind="stable") if largest_first else rng.permutation(d.size)
    sample = ParticleSample(d[order], idx[order], blend.grade_names, blend.densities_g_cc)
    log.info("sampled %d particles (%s), solid volume %.4g µm³, grade volume fractions %s",
             sample.n, ", ".join(f"{nm}: {c}" for nm, c in zip(blend.grade_names, counts)),
             sample.solid_volume_um3, np.round(sample.volume_fractions_by_grade(), 4).tolist())
    return sample
