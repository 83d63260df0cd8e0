"""Fracture risk of the Si coating: Hertz peak contact pressure per particle, against a strength.

Per contact, the Hertz peak pressure is p0 = 3 F / (2 π a²) with contact radius a = sqrt(R* δ)
(Johnson, *Contact Mechanics*, 1985, §4.2); δ and R* come from the geometry (δ = r_i + r_j - dist
for pairs; δ = r - z or z + r - H and R* = r for the floor and top wall), F is the real force
(F_sim / modulus_scale at that geometry, see :mod:`sigdem.analysis.contacts`). For an elastic
Hertz contact this equals (2/π) E*_real sqrt(δ/R*): the index depends on the overlap ratio and
the real modulus only, so it maps back exactly from a softened run.

A particle is *at risk* when the largest p0 over its contacts exceeds ``threshold_gpa``.

Threshold: ASSUMPTION 1.5 GPa. The Si layer is ~15 nm thick and its strength is not measured;
measured tensile strengths of polysilicon thin films span roughly 1 to 4 GPa (LaVan, Tsuchiya,
Coles, Knauss, Chasiotis, Read, ASTM STP 1413 (2001) 16, a five-laboratory comparison;
Tsuchiya et al., J. Microelectromech. Syst. 7 (1998) 106: 2.0-2.8 GPa), with Weibull moduli of
about 5-15. 1.5 GPa sits at the low end, as befits a film that lithiates and cycles. p0 is a
compressive peak; the largest tensile stress of a Hertz contact is (1 - 2ν) p0 / 3 at the
contact edge, so comparing p0 with a tensile strength is a conservative *ranking* index, not a
failure prediction. Any value, or a Weibull strength (sigma0, m) giving a failure probability per
particle 1 - exp(-Σ_contacts (p0 / sigma0)^m) (weakest link over its contacts), can be used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from sigdem import units
from sigdem.analysis.base import Compute
from sigdem.errors import InputError
from sigdem.inputs import check_range

#: Default strength of the Si coating compared with the Hertz peak pressure, GPa (ASSUMPTION, see above).
SI_COATING_STRENGTH_GPA = 1.5
#: Default at-risk fraction that ends the "fracture-free" density range.
DEFAULT_RISK_LEVEL = 0.01


def hertz_peak_pressure_kpa(force_nn, r_star_um, overlap_um):
    """Hertz peak pressure p0 = 3 F / (2 π R* δ), kPa (micro units) for nN, µm; 0 where δ <= 0."""
    f = np.asarray(force_nn, dtype=float)
    area = np.asarray(r_star_um, dtype=float) * np.asarray(overlap_um, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = np.where(area > 0, 3.0 * np.clip(f, 0.0, None) / (2.0 * math.pi * area), 0.0)
    return p0


@dataclass
class FractureRisk(Compute):
    """Per-particle largest Hertz peak pressure and the at-risk fraction of a compressed bed.

    ``threshold_gpa``: strength compared with p0 (default :data:`SI_COATING_STRENGTH_GPA`).
    ``weibull_sigma0_gpa``, ``weibull_m``: optional Weibull strength; with them, each particle
    also gets a failure probability.

    ``compute(contacts, particle_ids)`` takes the ``contacts`` table of
    :class:`~sigdem.analysis.contacts.ContactForces` (columns i, j, fn_nN, r_star_um, overlap_um;
    j < 0 marks a wall) and the ids of all particles; fills ``contacts`` (with ``p0_gpa``),
    ``particles`` (id, ``max_p0_gpa``, ``at_risk``, ``failure_probability``), ``at_risk_fraction``,
    ``expected_failed_fraction`` (mean failure probability; NaN without Weibull).
    """

    threshold_gpa: float = SI_COATING_STRENGTH_GPA
    weibull_sigma0_gpa: float | None = None
    weibull_m: float | None = None
    RESULTS: ClassVar[tuple[str, ...]] = ("contacts", "particles", "at_risk_fraction", "expected_failed_fraction")
    _res: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        check_range("threshold_gpa", self.threshold_gpa, 0.0, 1e3, lo_open=True)
        if (self.weibull_sigma0_gpa is None) != (self.weibull_m is None):
            raise InputError("weibull", "give both weibull_sigma0_gpa and weibull_m, or neither")
        if self.weibull_sigma0_gpa is not None:
            check_range("weibull_sigma0_gpa", self.weibull_sigma0_gpa, 0.0, 1e3, lo_open=True)
            check_range("weibull_m", self.weibull_m, 0.0, 200.0, lo_open=True)

    def compute(self, contacts: pd.DataFrame, particle_ids) -> "FractureRisk":
        table = contacts.copy()
        p0 = units.from_micro(hertz_peak_pressure_kpa(table["fn_nN"], table["r_star_um"], table["overlap_um"]), "GPa")
        table["p0_gpa"] = p0
        ids = np.asarray(particle_ids, dtype=np.int64)
        pos = pd.Series(np.arange(ids.size), index=ids)
        max_p0 = np.zeros(ids.size)
        hazard = np.zeros(ids.size)
        weibull = self.weibull_sigma0_gpa is not None
        h = (p0 / self.weibull_sigma0_gpa) ** self.weibull_m if weibull else None
        for col in ("i", "j"):
            who = table[col].to_numpy(np.int64)
            mine = who > 0  # wall partners (j < 0) carry no particle
            k = pos.loc[who[mine]].to_numpy()
            np.maximum.at(max_p0, k, p0[mine])
            if weibull:
                np.add.at(hazard, k, h[mine])
        particles = pd.DataFrame({"id": ids, "max_p0_gpa": max_p0, "at_risk": max_p0 > self.threshold_gpa,
                                  "failure_probability": -np.expm1(-hazard) if weibull else np.nan})
        self._res = {
            "contacts": table,
            "particles": particles,
            "at_risk_fraction": float(particles["at_risk"].mean()) if ids.size else 0.0,
            "expected_failed_fraction": float(particles["failure_probability"].mean()) if weibull else math.nan,
        }
        return self



def fracture_free_density(densities_g_cc, at_risk_fractions, level: float = DEFAULT_RISK_LEVEL) -> tuple[float, str]:
    """Density (g/cc) where the at-risk fraction first passes ``level``, linearly interpolated.

    Returns ``(density, status)``: status ``"interpolated"`` (between two targets),
    ``"at_or_below_first"`` (already past the level at the first target: the density returned is
    that target's, an upper bound) or ``"not_reached"`` (never past it: returns the last target
    density, a lower bound). Densities must increase.
    """
    rho = np.asarray(densities_g_cc, dtype=float)
    frac = np.asarray(at_risk_fractions, dtype=float)
    if rho.size == 0 or rho.shape != frac.shape or np.any(np.diff(rho) <= 0):
        raise InputError("densities_g_cc", "needs one at-risk fraction per density, densities strictly increasing")
    check_range("level", level, 0.0, 1.0, lo_open=True, hi_open=True)
    above = np.nonzero(frac > level)[0]
    if above.size == 0:
        return float(rho[-1]), "not_reached"
    k = int(above[0])
    if k == 0:
        return float(rho[0]), "at_or_below_first"
    r0, r1, f0, f1 = rho[k - 1], rho[k], frac[k - 1], frac[k]
    return float(r0 + (level - f0) * (r1 - r0) / (f1 - f0)), "interpolated"
