"""Hertz contact theory, the LAMMPS wall modulus, the time-step rules, and the elastic-plastic mdr contact law.

All functions take and return LAMMPS ``units micro`` values (µm, pg, µs, nN, kPa) unless
a name says otherwise; :mod:`sigdem.units` converts user units.

References
----------
- Hertz normal force: F = 4/3 E* sqrt(R*) δ^(3/2), with
  1/E* = (1-ν1²)/E1 + (1-ν2²)/E2 and 1/R* = 1/R1 + 1/R2 (Johnson, *Contact Mechanics*, 1985).
- Elastic impact (Johnson 1985, §11.4): δ_max = (15 m* v² / (16 E* sqrt(R*)))^(2/5),
  contact duration t_c = 2 δ_max/v · ∫₀¹ dx/sqrt(1 - x^(5/2)) = 2.94328 δ_max / v.
- Rayleigh time T_R = π R sqrt(ρ/G) / (0.1631 ν + 0.8766) (e.g. Li, Xu, Thornton,
  Powder Technol. 160 (2005) 219; Thornton, *Granular Dynamics, Contact Mechanics and
  Particle System Simulations*, 2015).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sigdem import units
from sigdem.errors import InputError
from sigdem.inputs import check_range
from sigdem.model.materials import Material

#: ∫₀¹ dx / sqrt(1 - x^(5/2)); the Hertz impact duration is 2 δ_max / v times this.
HERTZ_DURATION_INTEGRAL = 1.4716376880

#: Default time step as a fraction of the Rayleigh time of the smallest particle.
#: 0.15 sits below the 0.2-0.4 commonly recommended for dilute flows, because the
#: compressed beds sigdem builds have many simultaneous, stiffening Hertz contacts.
DEFAULT_RAYLEIGH_FRACTION = 0.15

#: Largest accepted fraction of the Rayleigh time: past ~0.4 T_R explicit DEM with Hertz
#: contacts is no longer stable for dense packings (coordination > 4).
MAX_RAYLEIGH_FRACTION = 0.4


def effective_modulus_kpa(a: Material, b: Material) -> float:
    """Hertz E* of a contact between materials a and b, in kPa (micro pressure units)."""
    compliance = a.plane_strain_compliance_per_gpa + b.plane_strain_compliance_per_gpa
    if compliance == 0.0:
        raise InputError("material", "a contact between two rigid materials has no finite stiffness")
    return units.to_micro(1.0 / compliance, "GPa")


def effective_radius(r1: float, r2: float = math.inf) -> float:
    """R* = R1 R2 / (R1 + R2); pass r2 = inf for a flat wall (R* = R1)."""
    if math.isinf(r2):
        return r1
    return r1 * r2 / (r1 + r2)


def hertz_force(e_star: float, r_star: float, overlap: float) -> float:
    """Hertz normal force 4/3 E* sqrt(R*) δ^1.5 (nN for kPa, µm)."""
    return 4.0 / 3.0 * e_star * math.sqrt(r_star) * max(overlap, 0.0) ** 1.5


def hertz_contact_radius(r_star: float, overlap: float) -> float:
    """Hertz contact radius a = sqrt(R* δ) (µm)."""
    return math.sqrt(r_star * max(overlap, 0.0))


def hertz_impact(e_star: float, r_star: float, m_star: float, speed: float) -> dict[str, float]:
    """Maximum overlap, maximum force and duration of an elastic Hertz impact.

    ``m_star`` is the reduced mass (m for a sphere on a wall), ``speed`` the approach speed.
    Returns ``{"max_overlap", "max_force", "duration"}`` in µm, nN, µs.
    """
    dmax = (15.0 * m_star * speed**2 / (16.0 * e_star * math.sqrt(r_star))) ** 0.4
    return {
        "max_overlap": dmax,
        "max_force": hertz_force(e_star, r_star, dmax),
        "duration": 2.0 * HERTZ_DURATION_INTEGRAL * dmax / speed,
    }


def lammps_wall_modulus_kpa(particle: Material, wall: Material) -> float:
    """The Young's modulus to give ``fix wall/gran ... hertz/material`` for a wall.

    LAMMPS mixes the wall's coefficients with themselves, as if the wall were made of the
    particle's material: it uses E*_LAMMPS = E_arg / (2 (1 - ν_arg²)) (checked against a
    sphere at fixed overlap). sigdem passes ν_arg = ν_particle and returns the E_arg for which
    E*_LAMMPS equals the true particle–wall E*; a rigid wall gets E_arg = 2 E_particle.
    """
    e_star = effective_modulus_kpa(particle, wall)
    return 2.0 * (1.0 - particle.poisson_ratio**2) * e_star


def rayleigh_time(radius: float, material: Material, modulus_scale: float = 1.0) -> float:
    """Rayleigh wave time of a sphere (µs): π R sqrt(ρ/G) / (0.1631 ν + 0.8766).

    ``modulus_scale`` multiplies the material's Young's modulus (a softened model).
    """
    if radius <= 0:
        raise InputError("radius", f"{radius!r} must be > 0 µm")
    g_kpa = units.to_micro(material.shear_modulus_gpa, "GPa") * modulus_scale
    nu = material.poisson_ratio
    return math.pi * radius * math.sqrt(material.density_g_cc / g_kpa) / (0.1631 * nu + 0.8766)


def stable_timestep(
    min_radius: float,
    material: Material,
    *,
    fraction: float = DEFAULT_RAYLEIGH_FRACTION,
    modulus_scale: float = 1.0,
    override: float | None = None,
) -> float:
    """Time step (µs) for a bed whose smallest particle has radius ``min_radius`` (µm).

    ``fraction`` of the Rayleigh time of the smallest particle, by default
    :data:`DEFAULT_RAYLEIGH_FRACTION`. An ``override`` is accepted only if it does not exceed
    :data:`MAX_RAYLEIGH_FRACTION` of the Rayleigh time; otherwise InputError says the limit.
    """
    if not 0 < fraction <= MAX_RAYLEIGH_FRACTION:
        raise InputError(
            "timestep_fraction", f"{fraction!r} outside the allowed range (0, {MAX_RAYLEIGH_FRACTION}] of the Rayleigh time"
        )
    t_r = rayleigh_time(min_radius, material, modulus_scale)
    return _step(fraction, t_r, override, MAX_RAYLEIGH_FRACTION, "the stable limit", "Rayleigh time", min_radius)


def _step(fraction: float, t_scale: float, override, max_fraction: float, limit_name: str, scale_name: str,
          min_radius: float) -> float:
    """``fraction`` x ``t_scale``, or an ``override`` (µs) if it is at most ``max_fraction`` x ``t_scale``."""
    if override is None:
        return fraction * t_scale
    limit = max_fraction * t_scale
    if not (isinstance(override, (int, float)) and 0 < override <= limit):
        raise InputError(
            "timestep_us",
            f"{override!r} µs is above {limit_name}: allowed range (0, {limit:.4g}] µs "
            f"({max_fraction} x {scale_name} {t_scale:.4g} µs of the smallest particle, R = {min_radius:g} µm)",
        )
    return float(override)


# ---- elastic-plastic contacts: LAMMPS "mdr" (Zunker & Kamrin) ------------------------------------

#: Yield stress of the graphite particles for mdr, GPa. ASSUMPTION: 0.1 GPa, the order of the compressive
#: strength of polycrystalline graphites (~0.07-0.15 GPa; e.g. 78 MPa for isotropic IG-110) and of the yield
#: stress found at the onset of plasticity under spherical indentation of polycrystalline graphite (Hakiri &
#: Sakai, J. Mater. Res. 19 (2004) 228, size dependent); the paper gives none. With E = 20 GPa, Y / E = 0.005:
#: a Hertz contact yields (mean pressure 2.75 Y) past an overlap of ~9e-4 x the particle radius, so nearly every
#: loaded contact of a calendered bed is plastic. Change it with MdrContact(yield_stress_gpa=...).
GRAPHITE_YIELD_STRESS_GPA = 0.1

#: mdr time step as a fraction of sqrt(m / (kappa R)) of the smallest particle: the LAMMPS manual's
#: conservative start (pair_style granular, mdr: the bulk elastic response sets the critical step).
MDR_TIMESTEP_FRACTION = 0.08
#: Largest accepted fraction: twice the manual's start; larger steps are untested here and refused.
MAX_MDR_TIMESTEP_FRACTION = 0.16
#: How an unloading mdr contact is split between its two particles (:attr:`MdrContact.unload_split`):
#: ``"lammps"`` as LAMMPS does it; ``"bounded"`` (sigdem's mdr plugin only) with each particle's share of the
#: unloading held within [0, 1]. mdr places a rigid flat in each contact and moves each particle's overlap on a line
#: through its share at the largest overlap and its plastic share: the particle takes (dps - geo) / (delta_p -
#: delta_max) of the pair's unloading, and the two shares add up to 1. For an almost fully plastic contact (delta_p
#: near delta_max) one share can be far above 1 and the other far below 0: as the pair opens, one particle's overlap
#: grows past its radius, mdr takes that for new loading and the force is NaN ("F_MDR is NaN"; measured: a side at
#: 3.2 R while the pair's overlap had fallen to 0.4 of its largest, benchmarks/results/mdr_bounded_split_2026-12-05/).
#: Bounded, a share outside [0, 1] is held at its end (0.5 if undefined): no particle's overlap grows while its
#: contact opens, and the two overlaps still add up to the pair's. Where both shares lie in [0, 1] every value is
#: LAMMPS's to the bit.
MDR_UNLOAD_SPLITS = ("lammps", "bounded")
#: Where an mdr contact's exp and acos come from (:attr:`MdrContact.math`): ``"libm"``, glibc's scalar functions, as
#: LAMMPS (every value LAMMPS's to the bit); ``"vector"`` (sigdem's mdr plugin built with glibc's libmvec only),
#: glibc's AVX2 vector functions, 4 values a call, within 3 (exp) and 2 (acos) ulp of libm's: the same physics to
#: round-off, which a bed's chaotic contact network then carries into different particle paths with the same
#: statistics (benchmarks/results/mdr_vector_kernel_2026-12-05/), ~8 % faster. Part of the job id when "vector".
MDR_MATHS = ("libm", "vector")


@dataclass(frozen=True, slots=True)
class MdrContact:
    """LAMMPS's elastic-plastic ``mdr`` normal contact model (Zunker & Kamrin, J. Mech. Phys. Solids 183
    (2024) 105492 and 105493), as an alternative to elastic Hertz contacts for the calender stage.

    The particle's Young's modulus and Poisson ratio come from the deck's material; this adds
    ``yield_stress_gpa`` (Y, GPa; the mean contact pressure of a yielded contact stays within Y to
    2.75 Y), ``psi_b`` (critical confinement: the bulk elastic response starts when a particle's free
    surface falls below this fraction of its total surface; 0.5 as in the LAMMPS examples),
    ``surface_energy_j_m2`` (effective surface energy, J/m²; 0 = no adhesion, as the Hertz model),
    ``damping`` (mdr normal damping coefficient; ``None`` = :func:`mdr_damping` of the material's
    restitution), ``timestep_fraction`` (of sqrt(m / (kappa R)), see :func:`mdr_timestep`) and
    ``unload_split`` (:data:`MDR_UNLOAD_SPLITS`: ``"bounded"`` needs sigdem's mdr plugin, non-adhesive contacts
    and a stage that runs on it, the mdr calender or the pellet cell) and ``math`` (:data:`MDR_MATHS`: ``"vector"``
    has the same needs, and a plugin built with glibc's libmvec).

    LAMMPS allows one mdr model for all particles (one species: one set of E, nu, Y) and rigid region
    walls with the same E, nu, Y, psi_b and damping; walls keep their own friction.
    """

    yield_stress_gpa: float = GRAPHITE_YIELD_STRESS_GPA
    psi_b: float = 0.5
    surface_energy_j_m2: float = 0.0
    damping: float | None = None
    timestep_fraction: float = MDR_TIMESTEP_FRACTION
    unload_split: str = "lammps"
    math: str = "libm"

    model = "mdr"

    def __post_init__(self):
        check_range("contact.yield_stress_gpa", self.yield_stress_gpa, 0.0, 1e3, lo_open=True)
        check_range("contact.psi_b", self.psi_b, 0.0, 1.0)
        check_range("contact.surface_energy_j_m2", self.surface_energy_j_m2, 0.0, 1e3)
        if self.damping is not None:
            check_range("contact.damping", self.damping, 0.0, 100.0)
        check_range("contact.timestep_fraction", self.timestep_fraction, 0.0, MAX_MDR_TIMESTEP_FRACTION, lo_open=True)
        if self.unload_split not in MDR_UNLOAD_SPLITS:
            raise InputError("contact.unload_split", f"{self.unload_split!r} is not allowed; allowed: "
                             f"{', '.join(MDR_UNLOAD_SPLITS)}")
        if self.unload_split == "bounded" and self.surface_energy_j_m2 > 0.0:
            raise InputError("contact.unload_split", "'bounded' runs on sigdem's mdr plugin, which has no adhesion; "
                             f"allowed with surface_energy_j_m2 = 0 (here {self.surface_energy_j_m2:g}), or 'lammps'")
        if self.math not in MDR_MATHS:
            raise InputError("contact.math", f"{self.math!r} is not allowed; allowed: {', '.join(MDR_MATHS)}")
        if self.math == "vector" and self.surface_energy_j_m2 > 0.0:
            raise InputError("contact.math", "'vector' runs on sigdem's mdr plugin, which has no adhesion; allowed "
                             f"with surface_energy_j_m2 = 0 (here {self.surface_energy_j_m2:g}), or 'libm'")

    def plugin_only(self) -> tuple[str, str, str] | None:
        """The first choice that only sigdem's mdr plugin runs, as (field, value, LAMMPS's value): ``("unload_split",
        "bounded", "lammps")`` or ``("math", "vector", "libm")``; None when LAMMPS's mdr runs this contact."""
        if self.unload_split != "lammps":
            return "unload_split", self.unload_split, "lammps"
        if self.math != "libm":
            return "math", self.math, "libm"
        return None


def mdr_damping(restitution: float) -> float:
    """mdr damping coefficient (``damping mdr 1``) that damps a particle pair like LAMMPS's
    ``coeff_restitution`` damping of a Hertz contact of the same material, below yield.

    LAMMPS damps a Hertz pair with η = β sqrt(m* · 4/3 E* a), β = sqrt(5) (-ln e) / sqrt(π² + ln² e), and an
    mdr pair with η = c sqrt(2 m* E_eff a_damp), where E_eff = E / (1 - ν²) = 2 E* and a_damp = 2 a (both
    sides of the rigid flat between two equal spheres, each of Hertz contact radius a). Equal η gives
    c = β / sqrt(6). A wall contact, one side against a rigid flat, gets η = c sqrt(m E_eff a / 2): a quarter
    of LAMMPS's Hertz damping of the same particle on a rigid wall (walls bounce more under mdr).
    """
    e = check_range("restitution", restitution, 0.0, 1.0, lo_open=True)
    if e == 1.0:
        return 0.0
    beta = math.sqrt(5.0) * -math.log(e) / math.sqrt(math.pi**2 + math.log(e) ** 2)
    return beta / math.sqrt(6.0)


def bulk_modulus_kpa(material: Material, modulus_scale: float = 1.0) -> float:
    """kappa = E / (3 (1 - 2 nu)) of a material (softened by ``modulus_scale``), kPa."""
    return units.to_micro(material.youngs_modulus_gpa, "GPa") * modulus_scale / (3.0 * (1.0 - 2.0 * material.poisson_ratio))


def mdr_timestep(
    min_radius: float,
    material: Material,
    *,
    fraction: float = MDR_TIMESTEP_FRACTION,
    modulus_scale: float = 1.0,
    override: float | None = None,
) -> float:
    """Time step (µs) of an mdr run whose smallest particle has radius ``min_radius`` (µm).

    ``fraction`` x sqrt(m / (kappa R)): m the smallest particle's mass, kappa R the stiffness of its bulk
    elastic response (the stiffest branch of mdr; LAMMPS manual, pair_style granular). For one material
    this is a fixed share of the Rayleigh time: sqrt(m / (kappa R)) = R sqrt(ρ/G) sqrt(4π/3 · G/kappa), so
    0.08 of it is 0.033 T_R at ν = 0.3, 4.6x below the Hertz default of 0.15 T_R. An ``override`` above
    :data:`MAX_MDR_TIMESTEP_FRACTION` of it is refused.
    """
    if material.rigid:
        raise InputError("material", "an mdr particle needs a finite Young's modulus")
    if not 0 < fraction <= MAX_MDR_TIMESTEP_FRACTION:
        raise InputError("contact.timestep_fraction",
                         f"{fraction!r} outside the allowed range (0, {MAX_MDR_TIMESTEP_FRACTION}] of sqrt(m / (kappa R))")
    if min_radius <= 0:
        raise InputError("radius", f"{min_radius!r} must be > 0 µm")
    mass = material.density_g_cc * 4.0 / 3.0 * math.pi * min_radius**3
    t_bulk = math.sqrt(mass / (bulk_modulus_kpa(material, modulus_scale) * min_radius))
    return _step(fraction, t_bulk, override, MAX_MDR_TIMESTEP_FRACTION, "the mdr limit", "sqrt(m / (kappa R))",
                 min_radius)


#: Contact models a pressing stage can use: elastic Hertz, or LAMMPS's elastic-plastic mdr.
CONTACT_MODELS = ("hertz", "mdr")


def contact_from_name(name: str, yield_stress_gpa: float = GRAPHITE_YIELD_STRESS_GPA,
                      timestep_fraction: float = MDR_TIMESTEP_FRACTION, psi_b: float | None = None,
                      unload_split: str | None = None, math: str | None = None) -> MdrContact | None:
    """``"hertz"`` → None (elastic Hertz), ``"mdr"`` → :class:`MdrContact` with that yield stress and time step
    (a study passes the fraction its convergence check allows, e.g. the calendering study's 0.16), ``psi_b`` and
    ``unload_split`` and ``math`` (None: the model's defaults)."""
    if name not in CONTACT_MODELS:
        raise InputError("contact", f"{name!r} is not allowed; allowed: {', '.join(CONTACT_MODELS)}")
    if name != "mdr":
        return None
    return MdrContact(yield_stress_gpa=yield_stress_gpa, timestep_fraction=timestep_fraction,
                      **({} if psi_b is None else {"psi_b": psi_b}),
                      **({} if unload_split is None else {"unload_split": unload_split}),
                      **({} if math is None else {"math": math}))
