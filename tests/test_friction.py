"""Tangential contact law of LAMMPS checked against theory (issue: Hardening, physics).

Oblique impacts after Chung & Ooi (2011) test 4 (alumina sphere, 3.9 m/s, μ = 0.092, e = 0.98):
in gross sliding against Maw, Barber & Fawcett's impulse ratio μ, at small angles against an
independent RK4 integration of the same Mindlin law; a sliding sphere that starts rolling at
5/7 v0; the SDS rolling-resistance torque cap. Every comparison within 2 %.
"""

import math

import pytest

from sigdem.checks import friction
from sigdem.model.materials import RIGID

pytestmark = pytest.mark.lammps

TOL = 0.02
WALLS = [RIGID, None]
WALL_IDS = ["wall", "pair"]


@pytest.mark.parametrize("wall", WALLS, ids=WALL_IDS)
@pytest.mark.parametrize("angle", [60.0, 80.0])
def test_oblique_gross_sliding_is_mu_times_normal_impulse(angle, wall, workdir):
    res = friction.oblique_sliding(angle_deg=angle, wall=wall, workdir=workdir)
    vn = friction.CO4_SPEED_M_S * math.cos(math.radians(angle))
    by_hand = friction.CO4_FRICTION * (1 + friction.CO4_RESTITUTION) * vn  # Δv_t = μ (1+e) v_n
    assert res["dv_t"].theory == pytest.approx(by_hand, rel=1e-12)
    assert res["omega"].theory == pytest.approx(5 * by_hand / (2 * friction.CO4_RADIUS_UM), rel=1e-12)
    for c in res.values():
        assert c.rel_error < TOL, c


@pytest.mark.parametrize("wall", WALLS, ids=WALL_IDS)
@pytest.mark.parametrize("angle", [5.0, 15.0, 30.0])
def test_oblique_small_angles_follow_the_mindlin_ode(angle, wall, workdir):
    res = friction.oblique_sticking(angle_deg=angle, wall=wall, workdir=workdir)
    for c in res.values():
        assert c.rel_error < TOL, c


def test_small_angle_is_not_the_sliding_limit(workdir):
    """At 5° the contact sticks: the spin is far below the gross-sliding value (so the ODE check means something)."""
    res = friction.oblique_sticking(angle_deg=5.0, workdir=workdir)
    vn = friction.CO4_SPEED_M_S * math.cos(math.radians(5.0))
    sliding_spin = 5 * friction.CO4_FRICTION * (1 + friction.CO4_RESTITUTION) * vn / (2 * friction.CO4_RADIUS_UM)
    assert res["omega"].theory < 0.2 * sliding_spin


def test_mindlin_reference_converges():
    """The reference ODE result does not depend on its own step (halving it changes < 0.1 %)."""
    kw = dict(angle_deg=15.0, wall=RIGID)
    args = (friction.ALUMINA, friction.CO4_RADIUS_UM, friction.CO4_SPEED_M_S)
    dt = 0.02  # µs, ~1/1000 of the contact time
    a = friction.mindlin_impact_reference(*args, dt=dt, **kw)
    b = friction.mindlin_impact_reference(*args, dt=dt / 2, **kw)
    for k in ("vt_out", "omega"):
        assert a[k] == pytest.approx(b[k], rel=1e-3)


def test_sliding_sphere_decelerates_at_mu_g_and_rolls_at_five_sevenths(workdir):
    res = friction.sliding_to_rolling(workdir=workdir)
    assert res["decel"].theory == pytest.approx(0.3 * 9.81e-6)
    assert res["v_roll"].theory == pytest.approx(5 / 7 * 0.05)
    for c in res.values():
        assert c.rel_error < TOL, c


def test_rolling_resistance_spin_decays_linearly(workdir):
    res = friction.rolling_resistance(workdir=workdir)
    c = res["spin_decay"]
    assert c.theory == pytest.approx(5 * 0.1 * 9.81e-6 / (2 * friction.CO4_RADIUS_UM))
    assert c.rel_error < TOL, c
