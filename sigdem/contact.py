"""Hertz contact theory, the LAMMPS wall modulus, and the time-step rule.

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

from .errors import InputError
from .materials import Material
from . import units

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
    if override is None:
        return fraction * t_r
    limit = MAX_RAYLEIGH_FRACTION * t_r
    if not (isinstance(override, (int, float)) and 0 < override <= limit):
        raise InputError(
            "timestep_us",
            f"{override!r} µs is above the stable limit: allowed range (0, {limit:.4g}] µs "
            f"({MAX_RAYLEIGH_FRACTION} x Rayleigh time {t_r:.4g} µs of the smallest particle, R = {min_radius:g} µm)",
        )
    return float(override)
