"""Physics checks of the engine against contact theory (Hertz; Chung & Ooi 2011 tests 1-3).

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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sigdem import units
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


@dataclass(frozen=True, slots=True)
class Comparison:
    """A quantity measured in LAMMPS beside its theoretical value."""

    name: str
    measured: float
    theory: float
    unit: str

    @property
    def rel_error(self) -> float:
        return abs(self.measured - self.theory) / abs(self.theory)


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
                for c in oblique_sliding(angle_deg=angle, wall=wall, workdir=base).values():
                    rows.append((f"C&O 4 {label} {angle:g}deg slide", c))
            for angle in small_angles:
                for c in oblique_sticking(angle_deg=angle, wall=wall, workdir=base).values():
                    rows.append((f"C&O 4 {label} {angle:g}deg ODE", c))
        for c in sliding_to_rolling(workdir=base).values():
            rows.append(("slide to roll", c))
        for c in rolling_resistance(workdir=base).values():
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


# ---- friction: oblique impacts, sliding and rolling resistance ----------------------------------
#
# Chung & Ooi (2011) test 4 (oblique impact of a sphere on a rigid flat at 3.9 m/s, angles 5-85°)
# uses an alumina sphere; the inputs below are those of their table as recalled here (R = 2.55 mm,
# E = 380 GPa, ν = 0.23, ρ = 4000 kg/m³, μ = 0.092, e = 0.98). The theory used does not depend on
# them being the published ones: it is computed for the same inputs.
#
# LAMMPS's contact law (pair_style granular / fix wall/gran, manual pages pair_granular and
# fix_wall_gran; source GranSubModTangentialMindlin, GranSubModDampingCoeffRestitution,
# GranularModel::calculate_forces, version 22 Jul 2025):
#   normal   F_n = 4/3 E* sqrt(R*) δ^1.5 - η v_nn,  η = sqrt(5) (-ln e)/sqrt(π² + ln² e) sqrt(m* F_ne / δ)
#   tangent  ξ += v_t dt;  F_t = -8 G* a ξ - x_γ,t η v_t;  |F_t| ≤ μ |F_n|  (on the cap ξ is reset to
#            -(F_t + x_γ,t η v_t) / (8 G* a)),  a = sqrt(R* δ), G* from E_arg, ν of the command
#            (a wall mixes with itself: G* = E_arg / (4 (2-ν)(1+ν))), v_t the relative velocity
#            of the contact point with R ω (full radius); torque lever R (wall), R - δ/2 (pair)
#   rolling  sds: F_r = -k_roll ξ_r - γ_roll v_r, |F_r| ≤ μ_roll |F_n|, torque R* (n × F_r)
# Gross sliding (Maw, Barber & Fawcett, Wear 38 (1976) 101): J_t = μ J_n = μ (1+e) m* v_n, so a
# solid sphere (I = 2/5 m R²) leaves with Δv_t = μ (1+e) v_n and ω = 5 μ (1+e) v_n / (2 R).

ALUMINA = Material("alumina", 4.0, 380.0, 0.23, 1.0, 0.0)
CO4_RADIUS_UM = 2550.0
CO4_SPEED_M_S = 3.9
CO4_FRICTION = 0.092
CO4_RESTITUTION = 0.98

FRICTION_STEPS_PER_CONTACT = 1000  # time resolution of the oblique impacts
G_UM_US2 = 9.81e-6  # standard gravity in µm/µs²


def _oblique_run(workdir: Path, variables: dict):
    with LammpsSession(workdir, variables={"dir": workdir, **variables}, log_name="log.oblique.lammps") as lmp:
        lmp.file(template_path("verify_oblique"))
    return read_table(workdir / "oblique.txt")


def _sphere(material: Material, radius_um: float) -> tuple[float, float]:
    """Mass (pg) and moment of inertia (pg µm²) of a solid sphere."""
    mass = material.density_g_cc * 4.0 / 3.0 * math.pi * radius_um**3
    return mass, 0.4 * mass * radius_um**2


def _contact_inputs(material: Material, radius_um: float, wall: Material | None) -> dict[str, float]:
    """E*, G*, R*, m* as LAMMPS uses them, and the E argument of the wall fix."""
    mass, _ = _sphere(material, radius_um)
    e_arg = units.to_micro(material.youngs_modulus_gpa, "GPa")
    nu = material.poisson_ratio
    if wall is None:
        e_star = contact.effective_modulus_kpa(material, material)
        g_star = 1.0 / (2 * 2 * (2 - nu) * (1 + nu) / e_arg)
        return {"e_star": e_star, "g_star": g_star, "r_star": radius_um / 2, "m_star": mass / 2, "Ewall": e_arg}
    e_wall = contact.lammps_wall_modulus_kpa(material, wall)
    return {"e_star": contact.effective_modulus_kpa(material, wall), "g_star": e_wall / (4 * (2 - nu) * (1 + nu)),
            "r_star": radius_um, "m_star": mass, "Ewall": e_wall}


def _impact_numerics(c: dict, vn: float, steps: int) -> tuple[float, float, int]:
    """Time step, initial gap and number of steps of an impact at normal speed ``vn`` (relative)."""
    theory = contact.hertz_impact(c["e_star"], c["r_star"], c["m_star"], vn)
    dt = theory["duration"] / steps
    gap = 0.05 * theory["max_overlap"]
    return dt, gap, int(1.3 * steps + 2 * gap / (vn * dt))


def oblique_impact(material: Material, radius_um: float, speed_m_s: float, angle_deg: float, *,
                   wall: Material | None = RIGID, friction: float = CO4_FRICTION,
                   restitution: float = CO4_RESTITUTION, steps_per_contact: int = FRICTION_STEPS_PER_CONTACT,
                   workdir: Path) -> dict[str, float]:
    """One oblique impact in LAMMPS; the rebound state of sphere 1.

    ``angle_deg`` is the incidence angle from the normal. On a wall the sphere moves with
    speed (sin, -cos) x ``speed_m_s``; for ``wall=None`` two identical spheres approach with
    ± that velocity (normal along x, tangential along z; sphere 1's tangential velocity is
    negative, so its returned ``vt`` and ``omega`` are made positive for the same formulas).
    Returns ``{"vn_in", "vt_in", "vn_out", "vt_out", "omega", "dt"}`` (m/s, rad/µs, µs).
    """
    vn = speed_m_s * math.cos(math.radians(angle_deg))
    vt = speed_m_s * math.sin(math.radians(angle_deg))
    c = _contact_inputs(material, radius_um, wall)
    dt, gap, nsteps = _impact_numerics(c, vn if wall is not None else 2 * vn, steps_per_contact)
    # two spheres: start offset so that the centres are level at mid-contact (the normal then
    # turns symmetrically about x while they touch, and x/z are the mean normal/tangent)
    t_mid = gap / (2 * vn) + 0.5 * steps_per_contact * dt
    offset = 0.0 if wall is not None else 2 * vt * t_mid
    table = _oblique_run(workdir, {
        "wall": 0 if wall is None else 1, "radius": radius_um, "density": material.density_g_cc,
        "E": units.to_micro(material.youngs_modulus_gpa, "GPa"), "nu": material.poisson_ratio, "Ewall": c["Ewall"],
        "e": restitution, "mu": friction, "vn": vn, "vt": vt, "dt": dt, "nsteps": nsteps, "gap": gap, "every": nsteps,
        "offset": offset,
    })
    last = table.iloc[-1]
    if wall is None:  # sphere 1: normal +x, tangential -z, spin sign by the same right-hand rule
        return {"vn_in": vn, "vt_in": vt, "vn_out": -float(last["vx"]), "vt_out": -float(last["vz"]),
                "omega": -float(last["wy"]), "dt": dt}
    return {"vn_in": vn, "vt_in": vt, "vn_out": float(last["vz"]), "vt_out": float(last["vx"]),
            "omega": float(last["wy"]), "dt": dt}


def oblique_sliding(material: Material = ALUMINA, radius_um: float = CO4_RADIUS_UM, speed_m_s: float = CO4_SPEED_M_S,
                    angle_deg: float = 70.0, *, wall: Material | None = RIGID, friction: float = CO4_FRICTION,
                    restitution: float = CO4_RESTITUTION, workdir: Path) -> dict[str, Comparison]:
    """Oblique impact at a large angle (gross sliding throughout) vs Maw, Barber & Fawcett.

    Theory: tangential impulse μ x normal impulse, so the centre's tangential velocity drops by
    μ (1+e) v_n and the sphere leaves with spin 5 μ (1+e) v_n / (2 R) (solid sphere; per sphere
    for two identical spheres with equal and opposite velocities, v_n that of each sphere).
    Valid while the contact point slides throughout: tan(angle) > 7/2 μ (1+e) (rigid-body bound;
    Mindlin compliance moves it a little higher), so use angles well above it.
    """
    r = oblique_impact(material, radius_um, speed_m_s, angle_deg, wall=wall, friction=friction,
                       restitution=restitution, workdir=workdir)
    drop = friction * (1 + restitution) * r["vn_in"]
    return {
        "dv_t": Comparison("dv_t", r["vt_in"] - r["vt_out"], drop, "m/s"),
        "omega": Comparison("omega", r["omega"], 2.5 * drop / radius_um, "rad/us"),
    }


def mindlin_impact_reference(material: Material, radius_um: float, speed_m_s: float, angle_deg: float, *,
                             wall: Material | None = RIGID, friction: float = CO4_FRICTION,
                             restitution: float = CO4_RESTITUTION, xt: float = 1.0,
                             dt: float) -> dict[str, float]:
    """Rebound of a sphere after an oblique impact, integrated outside LAMMPS with LAMMPS's law.

    The 3-DOF contact ODE (overlap δ, tangential velocity u of the centre, spin ω) of a sphere on
    a wall (or of one of two identical spheres, in the frame of their centre of mass) with the
    contact law written at the top of this section: Hertz + coeff_restitution normal force,
    incremental Mindlin spring 8 G* a ξ with damping x_γ,t η v_t and the Coulomb cap μ |F_n|.
    Integrated by classical RK4 with the cap applied as a projection after every step, at
    ``dt`` (use a fraction of the LAMMPS step; the result converges as dt → 0).
    Returns ``{"vn_out", "vt_out", "omega"}`` as :func:`oblique_impact`.
    """
    c = _contact_inputs(material, radius_um, wall)
    mass, inertia = _sphere(material, radius_um)
    m_star, r_star, e_star, g_star = c["m_star"], c["r_star"], c["e_star"], c["g_star"]
    scale = 1.0 if wall is not None else 0.5  # for a pair: one sphere's share of the relative motion
    log_e = math.log(restitution)
    beta = math.sqrt(5.0) * -log_e / math.sqrt(math.pi**2 + log_e**2)
    vn0 = speed_m_s * math.cos(math.radians(angle_deg))
    vt0 = speed_m_s * math.sin(math.radians(angle_deg))
    lever = radius_um

    def forces(delta, vrel_n, vslip, xi):
        """Normal force, tangential force, and ξ after the cap (vrel_n > 0: approaching)."""
        if delta <= 0:
            return 0.0, 0.0, xi
        a = math.sqrt(r_star * delta)
        f_e = 4.0 / 3.0 * e_star * math.sqrt(r_star) * delta**1.5
        eta = beta * math.sqrt(m_star * f_e / delta)
        f_n = f_e + eta * vrel_n
        k = 8.0 * g_star * a
        f_t = -k * xi - xt * eta * vslip
        cap = friction * abs(f_n)
        if abs(f_t) > cap:
            f_t = math.copysign(cap, f_t)
            xi = -(f_t + xt * eta * vslip) / k
        return f_n, f_t, xi

    def rates(y):
        delta, vn, u, w, xi = y
        # relative normal and slip velocities of the contact (pair: both spheres move, symmetric)
        vrel_n, vslip = vn / scale, (u - lever * w) / scale
        f_n, f_t, _ = forces(delta, vrel_n, vslip, xi)
        arm = lever if wall is not None else lever - 0.5 * max(delta, 0.0)  # LAMMPS's torque arm of a pair
        return np.array([vrel_n, -f_n / mass, f_t / mass, -arm * f_t / inertia, vslip if delta > 0 else 0.0])

    gap = 1e-9 * radius_um
    y = np.array([-gap, vn0, vt0, 0.0, 0.0])
    touched = False
    for _ in range(10_000_000):
        k1 = rates(y)
        k2 = rates(y + 0.5 * dt * k1)
        k3 = rates(y + 0.5 * dt * k2)
        k4 = rates(y + dt * k3)
        y = y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        if y[0] > 0:
            touched = True
            _, _, y[4] = forces(y[0], y[1] / scale, (y[2] - lever * y[3]) / scale, y[4])
        elif touched:
            break
    return {"vn_out": -float(y[1]), "vt_out": float(y[2]), "omega": float(y[3])}


def oblique_sticking(material: Material = ALUMINA, radius_um: float = CO4_RADIUS_UM, speed_m_s: float = CO4_SPEED_M_S,
                     angle_deg: float = 15.0, *, wall: Material | None = RIGID, friction: float = CO4_FRICTION,
                     restitution: float = CO4_RESTITUTION, workdir: Path) -> dict[str, Comparison]:
    """Oblique impact at a small angle (stick, micro-slip, tangential force reversal) vs
    :func:`mindlin_impact_reference` of the same Mindlin law, integrated at a quarter of LAMMPS's step.
    Compares the rebound tangential velocity of the centre and the rebound spin.
    """
    r = oblique_impact(material, radius_um, speed_m_s, angle_deg, wall=wall, friction=friction,
                       restitution=restitution, workdir=workdir)
    ref = mindlin_impact_reference(material, radius_um, speed_m_s, angle_deg, wall=wall, friction=friction,
                                   restitution=restitution, dt=r["dt"] / 4)
    return {
        "vt_out": Comparison("vt_out", r["vt_out"], ref["vt_out"], "m/s"),
        "omega": Comparison("omega", r["omega"], ref["omega"], "rad/us"),
    }


def _static_overlap(material: Material, radius_um: float, gravity: float) -> float:
    """Hertz overlap (µm) of a sphere resting on a rigid floor under ``gravity`` (µm/µs²)."""
    mass, _ = _sphere(material, radius_um)
    e_star = contact.effective_modulus_kpa(material, RIGID)
    return (3.0 * mass * gravity / (4.0 * e_star * math.sqrt(radius_um))) ** (2.0 / 3.0)


def _floor_run(material: Material, radius_um: float, *, workdir: Path, duration_us: float, **variables):
    """A sphere resting at its static overlap on a rigid floor under gravity (e = 0.5 damps bounces)."""
    dt = 0.15 * contact.rayleigh_time(radius_um, material)
    nsteps = int(duration_us / dt)
    return _oblique_run(workdir, {
        "wall": 1, "radius": radius_um, "density": material.density_g_cc,
        "E": units.to_micro(material.youngs_modulus_gpa, "GPa"), "nu": material.poisson_ratio,
        "Ewall": contact.lammps_wall_modulus_kpa(material, RIGID), "e": 0.5, "vn": 0.0, "g": G_UM_US2,
        "gap": -_static_overlap(material, radius_um, G_UM_US2), "dt": dt, "nsteps": nsteps,
        "every": max(1, nsteps // 2000), **variables,
    })


def sliding_to_rolling(material: Material = ALUMINA, radius_um: float = CO4_RADIUS_UM, *, speed_m_s: float = 0.05,
                       friction: float = 0.3, workdir: Path) -> dict[str, Comparison]:
    """A sphere launched sliding (no spin) on a rigid floor under gravity, no rolling resistance.

    Hand calculation: Coulomb friction μ m g decelerates the centre at μ g and spins the sphere up
    at 5 μ g / (2 R) until the contact point stops, at t = 2 v0 / (7 μ g); it then rolls on at
    5/7 v0 (solid sphere). Measured: the slope of v(t) over 10-80 % of the sliding time (least
    squares) and the mean velocity once rolling (from 1.2 to 1.5 x the sliding time).
    """
    t_roll = 2.0 * speed_m_s / (7.0 * friction * G_UM_US2)
    table = _floor_run(material, radius_um, workdir=workdir, duration_us=1.5 * t_roll, vt=speed_m_s, mu=friction)
    t, v = table["time"].to_numpy(), table["vx"].to_numpy()
    sliding = (t > 0.1 * t_roll) & (t < 0.8 * t_roll)
    slope = np.polyfit(t[sliding], v[sliding], 1)[0]
    rolling = t > 1.2 * t_roll
    return {
        "decel": Comparison("decel", -float(slope), friction * G_UM_US2, "um/us2"),
        "v_roll": Comparison("v_roll", float(v[rolling].mean()), 5.0 / 7.0 * speed_m_s, "m/s"),
    }


def rolling_resistance(material: Material = ALUMINA, radius_um: float = CO4_RADIUS_UM, *, spin_rad_us: float = 4e-6,
                       rolling_friction: float = 0.1, workdir: Path) -> dict[str, Comparison]:
    """A spinning sphere (no translation, no sliding friction) on a rigid floor, SDS rolling resistance.

    LAMMPS's rolling torque is R* (n × F_r) with |F_r| ≤ μ_roll |F_n| (pair_granular, rolling sds);
    for a wall R* = R, and at rest |F_n| = m g, so the torque caps at μ_roll m g R and the spin
    decays linearly at dω/dt = μ_roll m g R / I = 5 μ_roll g / (2 R). Measured: the slope of ω(t)
    while ω falls from 90 % to 20 % of its start (least squares). k_roll is stiff enough for the
    spring to reach the cap within ~1 % of that time.
    """
    rate = 5.0 * rolling_friction * G_UM_US2 / (2.0 * radius_um)
    duration = spin_rad_us / rate
    mass, _ = _sphere(material, radius_um)
    k_roll = 1e9 * (mass / 2.78e11)  # nN/µm: cap reached within ~0.01 of the decay time (alumina R = 2.55 mm)
    table = _floor_run(material, radius_um, workdir=workdir, duration_us=duration, mu=0.0, omega=spin_rad_us,
                       kroll=k_roll, gamroll=0.0, muroll=rolling_friction)
    t, w = table["time"].to_numpy(), table["wy"].to_numpy()
    window = (w < 0.9 * spin_rad_us) & (w > 0.2 * spin_rad_us) & (t < duration)
    slope = np.polyfit(t[window], w[window], 1)[0]
    return {"spin_decay": Comparison("spin_decay", -float(slope), rate, "rad/us2")}
