"""Friction checks of the engine: oblique impacts (Chung & Ooi 2011 test 4), sliding to rolling, rolling
resistance. Each runs a tiny LAMMPS script from ``lammps_inputs/`` and returns what LAMMPS did next to what
theory says (:class:`~sigdem.checks.comparison.Comparison`); ``sigdem verify``
(:func:`sigdem.checks.physics.run_all`) and tests/test_friction.py judge the agreement.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sigdem import units
from sigdem.checks.comparison import Comparison
from sigdem.deck.templates import template_path
from sigdem.io.logs import read_table
from sigdem.model import contact
from sigdem.model.materials import RIGID, Material
from sigdem.run.session import LammpsSession

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
