"""Cracking of a thin Si coating by the strain its graphite particle imposes at contacts.

A 15 nm film is far thinner than a contact radius (0.5-2 µm): it follows the surface strain of
the particle, so the film's strain, not the contact pressure, decides cracking (contact pressure
saturates once graphite yields). Per contact and per coated side i: eps = c a / R_i.

Elastic branch (Johnson, *Contact Mechanics*, 1985, §3.9 and §4.2). At the edge of a Hertz
contact the surface stresses are sigma_r = (1 - 2 nu) p0 / 3, sigma_theta = -sigma_r, sigma_z = 0,
so the radial surface strain is eps_r = (1 + nu_i)(1 - 2 nu_i) p0 / (3 E_i), with
p0 = 2 E* a / (pi R*) (E*, R* of the pair; a wall contact has R* = R_i and the particle-wall E*).
Hence c = 2 (1 + nu_i)(1 - 2 nu_i) / (3 pi) * (E*/E_i) * (R_i/R*); two equal spheres of one
material (or a sphere on a rigid flat) give c = 2 (1 - 2 nu) / (3 pi (1 - nu)) = 0.1213 at nu = 0.3.
p0 and E are the REAL values, but eps depends only on a/R, nu and E*/E_i. In a run whose moduli
are all s times softer, a = sqrt(R* delta) is the geometry the run produced and E*/E_i is unchanged,
so eps maps back exactly (only forces and pressures need the 1/s of :mod:`.contacts`).

Yielded branch: Tabor's representative strain 0.2 a/R (Tabor, *The Hardness of Metals*, 1951;
Johnson 1985, §6.2). The branch follows the mean pressure p_m = F / (pi a²) (real F): elastic
below first yield p_m = 1.1 Y (p0 = 1.6 Y, nu = 0.3), fully plastic from p_m = 2.8 Y (Tabor's
H ≈ 2.8 Y), and between them eps = eps_el + t * max(eps_pl - eps_el, 0) with t linear in p_m / Y.
So eps never drops as a contact yields; where the elastic estimate already exceeds 0.2 a/R_i (the
larger partner of a very unequal pair, whose strain follows a/R* rather than a/R_i) it is kept,
which is conservative.

Contact radius: a = sqrt(A / pi) where the contact law reports an area A (mdr, column
``area_um2``), else Hertz's a = sqrt(R* delta). In a Hertz run with a yield stress given, the
branch flags the contacts the real material would have yielded, with Hertz's a: indicative only.

Film failure strain: eps_c = min(sigma_f / E_f, sqrt(Gamma / (Z h E_f))): the film's strength and
the channel cracking of a thin film bonded to a substrate (Beuth, Int. J. Solids Struct. 29 (1992)
1657; Hutchinson & Suo, Adv. Appl. Mech. 29 (1992) 63). Z = 1.98 holds with no elastic mismatch;
graphite is more compliant than Si, which raises Z and lowers the channel-cracking strain.
Weakest-link option per particle: P_f = 1 - exp(-sum_contacts (pi a² / A0) (E_f eps / sigma_0)^m).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sigdem.errors import InputError
from sigdem.analysis.base import Compute
from sigdem.inputs import check_number, require_columns
from sigdem.analysis.fracture_free import FractureFree, fracture_free  # noqa: F401  (re-exported: the series step of this criterion)

log = logging.getLogger(__name__)

#: Tabor's representative strain of a fully plastic contact, eps = 0.2 a / R.
TABOR_COEFFICIENT = 0.2
#: Mean pressure / Y at first yield of a Hertz contact (p0 = 1.6 Y at nu = 0.3; Johnson 1985, §6.2).
YIELD_ONSET = 1.1
#: Mean pressure / Y of a fully plastic contact (Tabor's hardness H ≈ 2.8 Y).
FULLY_PLASTIC = 2.8


def equal_sphere_coefficient(nu: float) -> float:
    """c of eps = c a/R for two equal elastic spheres of one material: 2(1 - 2 nu) / (3 pi (1 - nu))."""
    return 2.0 * (1.0 - 2.0 * nu) / (3.0 * math.pi * (1.0 - nu))


def effective_modulus_gpa(e1_gpa, nu1, e2_gpa, nu2):
    """Hertz E* = 1 / ((1 - nu1²)/E1 + (1 - nu2²)/E2), GPa; ``e2_gpa = inf`` is a rigid partner."""
    return 1.0 / ((1.0 - nu1**2) / e1_gpa + (1.0 - nu2**2) / e2_gpa)


def hertz_peak_pressure_gpa(a_um, r_star_um, e_star_gpa):
    """Hertz p0 = 2 E* a / (pi R*), GPa (Johnson 1985, eq. 4.23)."""
    return 2.0 * np.asarray(e_star_gpa, float) * np.asarray(a_um, float) / (math.pi * np.asarray(r_star_um, float))


def hertz_edge_strain(p0_gpa, e_gpa, nu):
    """Radial surface strain at a Hertz contact's edge, (1 + nu)(1 - 2 nu) p0 / (3 E) (dimensionless).

    From sigma_r = (1 - 2 nu) p0 / 3, sigma_theta = -sigma_r, sigma_z = 0 (Johnson 1985, eq. 3.64)."""
    return (1.0 + nu) * (1.0 - 2.0 * nu) * np.asarray(p0_gpa, float) / (3.0 * e_gpa)


def plastic_fraction(p_mean_over_y):
    """0 below :data:`YIELD_ONSET`, 1 above :data:`FULLY_PLASTIC`, linear in p_m / Y between."""
    return np.clip((np.asarray(p_mean_over_y, float) - YIELD_ONSET) / (FULLY_PLASTIC - YIELD_ONSET), 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class SiFilm:
    """A thin Si coating and its failure strain.

    thickness_nm: film thickness h. youngs_modulus_gpa: E_f, Si films 100-130 GPa. strength_gpa:
    sigma_f, ASSUMPTION 1.5 GPa, low end of polysilicon films' 1-4 GPa (LaVan et al., ASTM STP 1413,
    2001); also the Weibull sigma_0. fracture_energy_j_m2: Gamma, ASSUMPTION 3 J/m², of order
    K_IC²/E of silicon (K_IC 0.7-1 MPa m^0.5, E 130-170 GPa: 3-8 J/m²), not measured on this coating.
    weibull_m: None (deterministic) or the Weibull modulus (~10 for polysilicon films).
    weibull_reference_area_um2: A0 of the weakest-link sum. cracking_z: Z of channel cracking,
    1.98 with no film/substrate elastic mismatch (Beuth 1992).
    """

    thickness_nm: float = 15.0
    youngs_modulus_gpa: float = 110.0
    strength_gpa: float = 1.5
    fracture_energy_j_m2: float = 3.0
    weibull_m: float | None = None
    weibull_reference_area_um2: float = 1.0
    cracking_z: float = 1.98

    def __post_init__(self):
        check_number("thickness_nm", self.thickness_nm, 0.0, 1e4, lo_open=True)
        check_number("youngs_modulus_gpa", self.youngs_modulus_gpa, 0.0, 1e4, lo_open=True)
        check_number("strength_gpa", self.strength_gpa, 0.0, 1e3, lo_open=True)
        check_number("fracture_energy_j_m2", self.fracture_energy_j_m2, 0.0, 1e6, lo_open=True)
        check_number("weibull_reference_area_um2", self.weibull_reference_area_um2, 0.0, 1e12, lo_open=True)
        check_number("cracking_z", self.cracking_z, 0.0, 100.0, lo_open=True)
        if self.weibull_m is not None:
            check_number("weibull_m", self.weibull_m, 0.0, 200.0, lo_open=True)

    @property
    def strength_limit_strain(self) -> float:
        """sigma_f / E_f."""
        return self.strength_gpa / self.youngs_modulus_gpa

    @property
    def channel_cracking_strain(self) -> float:
        """sqrt(Gamma / (Z h E_f)); J/m² over nm x GPa (= J/m²) is dimensionless."""
        return math.sqrt(self.fracture_energy_j_m2 / (self.cracking_z * self.thickness_nm * self.youngs_modulus_gpa))

    @property
    def failure_strain(self) -> float:
        """eps_c, the smaller of the two limits."""
        return min(self.strength_limit_strain, self.channel_cracking_strain)

    @property
    def governing_limit(self) -> str:
        """``"strength"`` or ``"channel_cracking"``: which limit sets eps_c."""
        return "strength" if self.strength_limit_strain <= self.channel_cracking_strain else "channel_cracking"


@dataclass(frozen=True, slots=True)
class FilmRiskSummary:
    """Bed-level result of :class:`FilmStrainRisk` (fractions over coated particles)."""

    n_particles: int
    n_coated: int
    n_contacts: int
    failure_strain: float
    governing_limit: str
    at_risk_fraction: float
    max_strain: float
    p99_strain: float
    plastic_contact_fraction: float
    transition_contact_fraction: float
    expected_failed_fraction: float  # mean P_f; NaN without Weibull


class FilmStrainRisk(Compute):
    """Film strain at every contact, largest strain per particle, at-risk fractions.

    Parameters: ``film`` (:class:`SiFilm`); ``particle_modulus_gpa``, ``particle_poisson`` (real
    values of the particle material); ``yield_stress_gpa`` (Y; None: every contact elastic);
    ``wall_modulus_gpa`` (None: rigid walls) and ``wall_poisson``.

    ``compute(contacts, particles, coated=None)``: ``contacts`` as :class:`.contacts.ContactForces`
    gives them (i, j, fn_nN real, overlap_um, r_star_um; j < 0 a wall; optional ``area_um2``);
    ``particles`` with id, radius_um and optional size_class and ``coated`` (bool; else every
    particle is coated, or pass ``coated`` as one flag per particle row). Results: ``contacts``
    (+ a_um, p_mean_gpa, plastic_fraction, branch, a_over_r_i/j, eps_i/j), ``particles`` (+ eps_max,
    at_risk, failure_probability), ``at_risk_fraction``, ``by_size_class``, ``summary``.
    """

    def __init__(self, film: SiFilm, *, particle_modulus_gpa: float, particle_poisson: float,
                 yield_stress_gpa: float | None = None, wall_modulus_gpa: float | None = None,
                 wall_poisson: float = 0.3):
        if not isinstance(film, SiFilm):
            raise InputError("film", f"{film!r} is not a SiFilm")
        self.film = film
        self.particle_modulus_gpa = check_number("particle_modulus_gpa", particle_modulus_gpa, 0.0, 1e4, lo_open=True)
        self.particle_poisson = check_number("particle_poisson", particle_poisson, -1.0, 0.5, lo_open=True, hi_open=True)
        opt = {name: None if v is None else check_number(name, v, 0.0, 1e4, lo_open=True)
               for name, v in (("yield_stress_gpa", yield_stress_gpa), ("wall_modulus_gpa", wall_modulus_gpa))}
        self.yield_stress_gpa, self.wall_modulus_gpa = opt["yield_stress_gpa"], opt["wall_modulus_gpa"]
        self.wall_poisson = check_number("wall_poisson", wall_poisson, -1.0, 0.5, lo_open=True, hi_open=True)

    def compute(self, contacts: pd.DataFrame, particles: pd.DataFrame, coated=None) -> "FilmStrainRisk":
        require_columns("contacts", contacts, ("i", "j", "fn_nN", "overlap_um", "r_star_um"))
        require_columns("particles", particles, ("id", "radius_um"))
        e, nu = self.particle_modulus_gpa, self.particle_poisson
        e_wall = math.inf if self.wall_modulus_gpa is None else self.wall_modulus_gpa
        ids = particles["id"].to_numpy(np.int64)
        radius = particles["radius_um"].to_numpy(float)
        pos = pd.Series(np.arange(ids.size), index=ids)
        t = contacts.copy()
        i, j = t["i"].to_numpy(np.int64), t["j"].to_numpy(np.int64)
        wall = j < 0
        unknown = ~np.isin(i, ids) | (~wall & ~np.isin(j, ids))
        if unknown.any():
            raise InputError("contacts", f"{int(unknown.sum())} contacts name particle ids absent from particles")
        ki = pos.loc[i].to_numpy()
        kj = np.where(wall, -1, pos.reindex(j).fillna(-1).to_numpy(np.int64))
        r_star, overlap = t["r_star_um"].to_numpy(float), t["overlap_um"].to_numpy(float)
        area = t["area_um2"].to_numpy(float) if "area_um2" in t else np.full(len(t), np.nan)
        a = np.sqrt(np.where(np.isfinite(area) & (area > 0), area / math.pi, r_star * np.clip(overlap, 0.0, None)))
        fn = t["fn_nN"].to_numpy(float)
        loaded = (fn > 0) & (a > 0)
        e_star = np.where(wall, effective_modulus_gpa(e, nu, e_wall, self.wall_poisson),
                          effective_modulus_gpa(e, nu, e, nu))
        # nN / µm² = kPa; 1e-6 to GPa
        p_mean = np.where(loaded, fn / (math.pi * np.where(loaded, a, 1.0) ** 2) * 1e-6, 0.0)
        frac = np.zeros(len(t)) if self.yield_stress_gpa is None else plastic_fraction(p_mean / self.yield_stress_gpa)
        edge = hertz_edge_strain(hertz_peak_pressure_gpa(a, r_star, e_star), e, nu)  # same on both sides: one material
        eps = {}
        for side, k in (("i", ki), ("j", kj)):
            has = k >= 0
            r_side = np.where(has, radius[np.where(has, k, 0)], np.nan)
            a_over_r = a / r_side
            plastic = TABOR_COEFFICIENT * a_over_r
            e_side = np.where(loaded & has, edge + frac * np.clip(plastic - edge, 0.0, None), 0.0)
            t[f"a_over_r_{side}"] = a_over_r
            t[f"eps_{side}"] = np.where(has, e_side, np.nan)
            eps[side] = (k, has, e_side)
        t["a_um"], t["p_mean_gpa"], t["plastic_fraction"] = a, p_mean, frac
        t["branch"] = np.select([~loaded, frac <= 0, frac >= 1], ["unloaded", "elastic", "plastic"], "transition")
        self._finish(t, particles, ids, eps, a, coated)
        return self

    def _finish(self, t, particles, ids, eps, a, coated) -> None:
        film = self.film
        if coated is None:
            coated = particles["coated"].to_numpy(bool) if "coated" in particles else np.ones(ids.size, bool)
        coated = np.asarray(coated, dtype=bool)
        if coated.shape != ids.shape:
            raise InputError("coated", f"needs one flag per particle ({ids.size}), got shape {coated.shape}")
        eps_max = np.zeros(ids.size)
        hazard = np.zeros(ids.size)
        weibull = film.weibull_m is not None
        for k, has, e_side in eps.values():
            np.maximum.at(eps_max, k[has], e_side[has])
            if weibull:
                h = (math.pi * a**2 / film.weibull_reference_area_um2) * \
                    (film.youngs_modulus_gpa * e_side / film.strength_gpa) ** film.weibull_m
                np.add.at(hazard, k[has], h[has])
        p = particles.assign(coated=coated, eps_max=eps_max, at_risk=coated & (eps_max > film.failure_strain),
                             failure_probability=np.where(coated, -np.expm1(-hazard), 0.0) if weibull else np.nan)
        pc = p[coated]
        if "size_class" in p:
            g = pc.groupby("size_class")
            by = pd.DataFrame({"n": g.size(), "at_risk_fraction": g["at_risk"].mean(),
                               "max_eps": g["eps_max"].max(), "mean_failure_probability":
                               g["failure_probability"].mean()}).reset_index()
        else:
            by = pd.DataFrame(columns=["size_class", "n", "at_risk_fraction", "max_eps", "mean_failure_probability"])
        n_loaded = max(int((t["branch"] != "unloaded").sum()), 1)
        all_eps = np.concatenate([e[h] for _, h, e in eps.values()]) if len(t) else np.zeros(0)
        at_risk = float(pc["at_risk"].mean()) if len(pc) else 0.0
        summary = FilmRiskSummary(
            n_particles=int(ids.size), n_coated=int(coated.sum()), n_contacts=int(len(t)),
            failure_strain=film.failure_strain, governing_limit=film.governing_limit, at_risk_fraction=at_risk,
            max_strain=float(all_eps.max()) if all_eps.size else 0.0,
            p99_strain=float(np.percentile(all_eps, 99)) if all_eps.size else 0.0,
            plastic_contact_fraction=float((t["branch"] == "plastic").sum() / n_loaded),
            transition_contact_fraction=float((t["branch"] == "transition").sum() / n_loaded),
            expected_failed_fraction=float(pc["failure_probability"].mean()) if weibull and len(pc) else math.nan)
        log.info("film strain: eps_c %.4g (%s), at risk %.3g of %d coated particles, max eps %.4g",
                 summary.failure_strain, summary.governing_limit, at_risk, summary.n_coated, summary.max_strain)
        self._store(contacts=t, particles=p, at_risk_fraction=at_risk, by_size_class=by, summary=summary)

    contacts = property(lambda self: self._get("contacts"), doc="Contact table with a, p_m, branch, eps per side.")
    particles = property(lambda self: self._get("particles"), doc="Particles with eps_max, at_risk, P_f.")
    at_risk_fraction = property(lambda self: self._get("at_risk_fraction"), doc="At-risk share of coated particles.")
    by_size_class = property(lambda self: self._get("by_size_class"), doc="At-risk fraction per size class.")
    summary = property(lambda self: self._get("summary"), doc=":class:`FilmRiskSummary`.")

