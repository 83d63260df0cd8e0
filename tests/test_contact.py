import math

import pytest
from scipy.integrate import solve_ivp

from sigdem import units

from sigdem.model import contact
from sigdem.errors import InputError
from sigdem.model.materials import COPPER, GRAPHITE, RIGID


def test_effective_modulus_mixing():
    e = contact.effective_modulus_kpa(GRAPHITE, COPPER)
    expect = 1.0 / ((1 - 0.3**2) / 20e6 + (1 - 0.34**2) / 110e6)
    assert e == pytest.approx(expect)
    # rigid wall: only the particle's compliance
    assert contact.effective_modulus_kpa(GRAPHITE, RIGID) == pytest.approx(20e6 / (1 - 0.09))


def test_lammps_wall_modulus_reproduces_true_e_star():
    # LAMMPS uses E_arg / (2 (1 - nu^2)) for a wall
    for wall in (RIGID, COPPER):
        arg = contact.lammps_wall_modulus_kpa(GRAPHITE, wall)
        assert arg / (2 * (1 - GRAPHITE.poisson_ratio**2)) == pytest.approx(contact.effective_modulus_kpa(GRAPHITE, wall))


def test_hertz_impact_against_direct_integration():
    # independent reference: integrate m x'' = -4/3 E* sqrt(R) x^1.5 numerically
    e_star, r, m, v = 3.0e6, 5.0, 500.0, 2.0
    k = 4.0 / 3.0 * e_star * math.sqrt(r)

    def rhs(t, y):
        return [y[1], -k * max(y[0], 0.0) ** 1.5 / m]

    def leave(t, y):
        return y[0]

    leave.terminal, leave.direction = True, -1
    sol = solve_ivp(rhs, [0, 1.0], [1e-12, v], events=leave, rtol=1e-11, atol=1e-16, max_step=1e-4)
    t_c = sol.t_events[0][0]
    th = contact.hertz_impact(e_star, r, m, v)
    assert th["duration"] == pytest.approx(t_c, rel=1e-4)
    assert th["max_overlap"] == pytest.approx(sol.y[0].max(), rel=1e-4)


def test_rayleigh_time_by_hand():
    # R = 2 um graphite: G = 20 GPa / 2.6 ; T_R = pi R sqrt(rho/G)/(0.1631 nu + 0.8766)
    g_pa = 20e9 / 2.6
    t_s = math.pi * 2e-6 * math.sqrt(2260.0 / g_pa) / (0.1631 * 0.3 + 0.8766)
    assert contact.rayleigh_time(2.0, GRAPHITE) == pytest.approx(units.convert(t_s, "s", "us"))


def test_timestep_fraction_and_softening():
    t_r = contact.rayleigh_time(1.5, GRAPHITE)
    assert contact.stable_timestep(1.5, GRAPHITE) == pytest.approx(contact.DEFAULT_RAYLEIGH_FRACTION * t_r)
    # softer modulus by 100 -> 10x longer Rayleigh time
    assert contact.stable_timestep(1.5, GRAPHITE, modulus_scale=0.01) == pytest.approx(10 * contact.stable_timestep(1.5, GRAPHITE))


def test_timestep_override_above_limit_refused():
    t_r = contact.rayleigh_time(1.5, GRAPHITE)
    assert contact.stable_timestep(1.5, GRAPHITE, override=0.3 * t_r) == pytest.approx(0.3 * t_r)
    with pytest.raises(InputError, match=r"timestep_us.*above the stable limit.*allowed range"):
        contact.stable_timestep(1.5, GRAPHITE, override=0.5 * t_r)
    with pytest.raises(InputError, match="timestep_fraction"):
        contact.stable_timestep(1.5, GRAPHITE, fraction=0.9)


def test_two_rigid_materials_have_no_stiffness():
    with pytest.raises(InputError):
        contact.effective_modulus_kpa(RIGID, RIGID)
