"""Physics checks of the engine against contact theory (Hertz; Chung & Ooi 2011 tests 1-3), and
:func:`run_all`, the table of ``sigdem verify`` (with the friction checks of :mod:`sigdem.checks.friction`).

Each check runs a tiny LAMMPS script from ``lammps_inputs/`` and returns what LAMMPS did
next to what theory says. The tests (and ``sigdem verify``) judge the agreement.

Chung & Ooi (2011), "Benchmark tests for verifying discrete element modelling codes at
particle impact level", Granular Matter 13:643-656. Inputs used here follow their tables:

- test 1, two identical spheres (R = 0.010 m), head-on at 10 m/s each: glass
  (E = 48 GPa, ν = 0.20, ρ = 2800 kg/m³) and limestone (E = 20 GPa, ν = 0.25, ρ = 2500 kg/m³);
- test 2, a sphere (R = 0.10 m) on a rigid flat wall at 0.2 m/s: Al alloy (E = 70 GPa,
  ν = 0.33, ρ = 2699 kg/m³) and Mg alloy (E = 45 GPa, ν = 0.35, ρ = 1800 kg/m³);
- test 3, a sphere on a rigid wall with input restitution 0.2 ... 1.0 (here: the Al sphere
  of test 2 at 3.9 m/s).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np

from sigdem import units
from sigdem.checks import friction
from sigdem.checks.comparison import Comparison
from sigdem.deck.templates import template_path
from sigdem.io.dumps import read_dump
from sigdem.io.logs import read_table
from sigdem.model import contact
from sigdem.model.materials import RIGID, Material
from sigdem.run.session import LammpsSession

GLASS = Material("glass", 2.8, 48.0, 0.20, 1.0, 0.0)
LIMESTONE = Material("limestone", 2.5, 20.0, 0.25, 1.0, 0.0)
AL_ALLOY = Material("al_alloy", 2.699, 70.0, 0.33, 1.0, 0.0)
MG_ALLOY = Material("mg_alloy", 1.8, 45.0, 0.35, 1.0, 0.0)

STEPS_PER_CONTACT = 4000  # time resolution of the impact checks


def pair_overlap_force(a: Material, b: Material, r1_um: float, r2_um: float, overlap_um: float, workdir: Path) -> Comparison:
    """Normal force of two spheres held at a fixed overlap vs Hertz (E*, R* mixing)."""
    theory = contact.hertz_force(contact.effective_modulus_kpa(a, b), contact.effective_radius(r1_um, r2_um), overlap_um)
    variables = {
        "dir": workdir, "r1": r1_um, "r2": r2_um, "overlap": overlap_um,
        "E1": units.to_micro(a.youngs_modulus_gpa, "GPa"), "nu1": a.poisson_ratio,
        "E2": units.to_micro(b.youngs_modulus_gpa, "GPa"), "nu2": b.poisson_ratio,
    }
    with LammpsSession(workdir, variables=variables, log_name="log.pair.lammps") as lmp:
        lmp.file(template_path("verify_pair_overlap"))
        force = lmp.variable("force")
    return Comparison("force", force, theory, "nN")


def _impact_run(workdir: Path, variables: dict) -> np.ndarray:
    with LammpsSession(workdir, variables={"dir": workdir, **variables}, log_name="log.impact.lammps") as lmp:
        lmp.file(template_path("verify_impact"))
    return read_table(workdir / "impact.txt")


def _contact_measures(table, dt: float) -> dict[str, float]:
    overlap = table["overlap"].to_numpy()
    force = table["force"].to_numpy()
    vel = table["vel"].to_numpy()
    inside = np.flatnonzero(overlap > 0)
    if inside.size == 0:
        return {"max_overlap": 0.0, "max_force": 0.0, "duration": 0.0, "speed_ratio": 1.0}
    first, last = inside[0], inside[-1]
    # linear interpolation of the overlap zero crossings at entry and exit
    t_in = (first - 1) + (0 - overlap[first - 1]) / (overlap[first] - overlap[first - 1])
    t_out = last + (0 - overlap[last]) / (overlap[last + 1] - overlap[last]) if last + 1 < len(overlap) else last
    return {
        "max_overlap": float(overlap.max()),
        "max_force": float(force.max()),
        "duration": float((t_out - t_in) * dt),
        "speed_ratio": float(-vel[-1] / vel[0]),
    }


def impact(material: Material, radius_um: float, speed_m_s: float, *, wall: Material | None = None,
           restitution: float = 1.0, workdir: Path) -> dict[str, Comparison]:
    """Normal impact of two identical spheres (``wall=None``) or of one sphere on a wall.

    Returns comparisons of maximum overlap, maximum force, contact duration and the
    rebound/impact speed ratio against Hertz theory (and the input restitution).
    """
    if wall is None:
        e_star = contact.effective_modulus_kpa(material, material)
        r_star = contact.effective_radius(radius_um, radius_um)
        mass = material.density_g_cc * 4.0 / 3.0 * math.pi * radius_um**3
        m_star, rel_speed = mass / 2.0, 2.0 * speed_m_s
        e_arg = units.to_micro(material.youngs_modulus_gpa, "GPa")
    else:
        e_star = contact.effective_modulus_kpa(material, wall)
        r_star = radius_um
        m_star = material.density_g_cc * 4.0 / 3.0 * math.pi * radius_um**3
        rel_speed = speed_m_s
        e_arg = contact.lammps_wall_modulus_kpa(material, wall)
    theory = contact.hertz_impact(e_star, r_star, m_star, rel_speed)
    dt = theory["duration"] / STEPS_PER_CONTACT
    gap = 0.05 * theory["max_overlap"]
    nsteps = int(1.6 * STEPS_PER_CONTACT + 2 * gap / (speed_m_s * dt))
    table = _impact_run(workdir, {
        "wall": 0 if wall is None else 1, "radius": radius_um, "density": material.density_g_cc,
        "E": units.to_micro(material.youngs_modulus_gpa, "GPa"), "nu": material.poisson_ratio,
        "Ewall": e_arg, "e": restitution, "speed": speed_m_s, "dt": dt, "nsteps": nsteps, "gap": gap,
    })
    got = _contact_measures(table, dt)
    out = {k: Comparison(k, got[k], theory[k], u) for k, u in
           (("max_overlap", "um"), ("max_force", "nN"), ("duration", "us"))}
    out["speed_ratio"] = Comparison("speed_ratio", got["speed_ratio"], restitution, "-")
    return out


def run_all(workdir: Path | None = None) -> list[tuple[str, Comparison]]:
    """Every check at its published inputs; used by ``sigdem verify``."""
    rows: list[tuple[str, Comparison]] = []
    with tempfile.TemporaryDirectory(prefix="sigdem-verify-") as tmp:
        base = Path(workdir) if workdir else Path(tmp)
        from sigdem.model.materials import COPPER, GRAPHITE

        for label, a, b, r1, r2 in (
            ("hertz equal radii", GRAPHITE, GRAPHITE, 5.0, 5.0),
            ("hertz unequal radii", GRAPHITE, GRAPHITE, 9.5, 2.5),
            ("hertz graphite-copper", GRAPHITE, COPPER, 5.5, 7.0),
        ):
            rows.append((label, pair_overlap_force(a, b, r1, r2, 0.01 * min(r1, r2), base)))
        for label, mat in (("C&O test 1 glass", GLASS), ("C&O test 1 limestone", LIMESTONE)):
            for c in impact(mat, 10_000.0, 10.0, workdir=base).values():
                if c.name != "speed_ratio":
                    rows.append((label, c))
        for label, mat in (("C&O test 2 Al alloy", AL_ALLOY), ("C&O test 2 Mg alloy", MG_ALLOY)):
            for c in impact(mat, 100_000.0, 0.2, wall=RIGID, workdir=base).values():
                if c.name != "speed_ratio":
                    rows.append((label, c))
        for e in (0.2, 0.4, 0.6, 0.8, 1.0):
            res = impact(AL_ALLOY, 100_000.0, 3.9, wall=RIGID, restitution=e, workdir=base)
            rows.append((f"C&O test 3 e={e}", res["speed_ratio"]))
        # pair at 5°: LAMMPS's spin is 1.5 % off the fixed-normal ODE (the spin there is the small
        # residue of a tangential force reversal, ~2.5 % of the sliding value, and the ODE leaves out
        # the turning of the pair's normal); tests/test_friction.py checks it at 2 %, verify's 1 % skips it
        for label, wall, small_angles in (("wall", RIGID, (5.0, 15.0, 30.0)), ("pair", None, (15.0, 30.0))):
            for angle in (60.0, 80.0):
                for c in friction.oblique_sliding(angle_deg=angle, wall=wall, workdir=base).values():
                    rows.append((f"C&O 4 {label} {angle:g}deg slide", c))
            for angle in small_angles:
                for c in friction.oblique_sticking(angle_deg=angle, wall=wall, workdir=base).values():
                    rows.append((f"C&O 4 {label} {angle:g}deg ODE", c))
        for c in friction.sliding_to_rolling(workdir=base).values():
            rows.append(("slide to roll", c))
        for c in friction.rolling_resistance(workdir=base).values():
            rows.append(("rolling sds", c))
    return rows


def hertz_energy(e_star: float, r_star, overlap):
    """Elastic energy stored in Hertz contacts, 8/15 E* sqrt(R*) δ^(5/2) (fJ for kPa, µm)."""
    d = np.clip(overlap, 0.0, None)
    return 8.0 / 15.0 * e_star * np.sqrt(r_star) * d**2.5


def bed_energy(atoms, *, e_star: float, e_star_wall: float, gravity: float, side: float, height: float) -> dict[str, float]:
    """Energy terms (fJ) of a frame of the verify_energy bed (columns as its dump)."""
    from scipy.spatial import cKDTree

    m = atoms["mass"].to_numpy()
    r = atoms["radius"].to_numpy()
    pos = atoms[["x", "y", "z"]].to_numpy().copy()
    vel = atoms[["vx", "vy", "vz"]].to_numpy()
    omega = atoms[["omegax", "omegay", "omegaz"]].to_numpy()
    pos[:, :2] %= side
    z = pos[:, 2]
    tree = cKDTree(np.column_stack([pos[:, :2], np.clip(z, 0.0, height * 0.999999)]), boxsize=[side, side, height * 10])
    pairs = tree.query_pairs(2.0 * r.max(), output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    d = pos[i] - pos[j]
    d[:, :2] -= side * np.round(d[:, :2] / side)
    overlap = r[i] + r[j] - np.linalg.norm(d, axis=1)
    elastic_pairs = hertz_energy(e_star, r[i] * r[j] / (r[i] + r[j]), overlap).sum()
    elastic_walls = hertz_energy(e_star_wall, r, r - z).sum() + hertz_energy(e_star_wall, r, z + r - height).sum()
    return {
        "kinetic": 0.5 * float((m[:, None] * vel**2).sum()),
        "rotational": 0.5 * float((0.4 * m * r**2 * (omega**2).sum(axis=1)).sum()),
        "gravity": float((m * gravity * z).sum()),
        "elastic": float(elastic_pairs + elastic_walls),
    }


def energy_conservation(workdir: Path, *, E_gpa: float = 2.0, nu: float = 0.3, gravity: float = 0.5,
                        side: float = 60.0, height: float = 200.0, **variables) -> list[dict[str, float]]:
    """Run the elastic poured bed and return the energy terms at every dumped step."""
    e_kpa = units.to_micro(E_gpa, "GPa")
    mat = Material("bed", 2.26, E_gpa, nu, 1.0, 0.0)
    e_star = contact.effective_modulus_kpa(mat, mat)
    e_star_wall = contact.effective_modulus_kpa(mat, RIGID)
    wall_arg = contact.lammps_wall_modulus_kpa(mat, RIGID)
    with LammpsSession(workdir, variables={"dir": workdir, "E": e_kpa, "Ewall": wall_arg, "nu": nu, "g": gravity,
                                           "side": side, "height": height, **variables},
                       log_name="log.energy.lammps") as lmp:
        lmp.file(template_path("verify_energy"))
    rows = []
    for frame in read_dump(workdir / "energy.dump"):
        terms = bed_energy(frame.data, e_star=e_star, e_star_wall=e_star_wall, gravity=gravity, side=side, height=height)
        terms["step"] = frame.timestep
        terms["total"] = terms["kinetic"] + terms["rotational"] + terms["gravity"] + terms["elastic"]
        rows.append(terms)
    return rows
