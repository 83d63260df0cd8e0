"""Real LAMMPS runs checked against contact theory (issue: foundation, physics 1-5)."""

import math

import numpy as np
import pytest

from sigdem import units

from sigdem.checks import physics as verify
from sigdem.model.materials import COPPER, GRAPHITE, RIGID, SI_GRAPHITE, Material

pytestmark = pytest.mark.lammps


def hertz_by_hand(E1, nu1, E2, nu2, r1, r2, overlap):
    """F = 4/3 E* sqrt(R*) delta^1.5 written out independently of sigdem.model.contact (kPa, um -> nN)."""
    e_star = 1.0 / ((1 - nu1**2) / E1 + (1 - nu2**2) / E2)
    r_star = r1 * r2 / (r1 + r2)
    return 4.0 / 3.0 * e_star * math.sqrt(r_star) * overlap**1.5


SOFT = Material("soft", 2.0, 3.0, 0.2, 1.0, 0.0)


@pytest.mark.parametrize(
    "a,b,r1,r2",
    [(GRAPHITE, GRAPHITE, 5.0, 5.0), (GRAPHITE, GRAPHITE, 9.5, 2.5), (GRAPHITE, COPPER, 5.5, 7.0), (SI_GRAPHITE, SOFT, 3.0, 11.0)],
)
def test_fixed_overlap_force_is_hertz(a, b, r1, r2, workdir):
    overlap = 0.02 * min(r1, r2)
    c = verify.pair_overlap_force(a, b, r1, r2, overlap, workdir)
    expect = hertz_by_hand(a.youngs_modulus_gpa * 1e6, a.poisson_ratio, b.youngs_modulus_gpa * 1e6, b.poisson_ratio, r1, r2, overlap)
    assert c.theory == pytest.approx(expect, rel=1e-12)
    assert c.measured == pytest.approx(expect, rel=0.001)  # the README's "within 0.1 %"


@pytest.mark.parametrize("mat", [verify.GLASS, verify.LIMESTONE], ids=["glass", "limestone"])
def test_chung_ooi_1_two_sphere_impact(mat, workdir):
    res = verify.impact(mat, 10_000.0, 10.0, workdir=workdir)
    for name in ("max_force", "max_overlap", "duration"):
        assert res[name].rel_error < 0.01, res[name]
    assert res["speed_ratio"].measured == pytest.approx(1.0, abs=1e-3)  # elastic


@pytest.mark.parametrize("mat", [verify.AL_ALLOY, verify.MG_ALLOY], ids=["al", "mg"])
def test_chung_ooi_2_sphere_on_rigid_wall(mat, workdir):
    res = verify.impact(mat, 100_000.0, 0.2, wall=RIGID, workdir=workdir)
    for name in ("max_force", "max_overlap", "duration"):
        assert res[name].rel_error < 0.01, res[name]
    # published order of magnitude (Chung & Ooi 2011, test 2): forces of ~10 kN for a 0.1 m sphere at 0.2 m/s
    assert 5e3 < units.from_micro(res["max_force"].measured, "N") < 2e4


def test_naive_wall_modulus_is_wrong(workdir, monkeypatch):
    """Giving LAMMPS the particle's own E for the wall is off by ~25 % in force (so the mapping matters)."""
    mat = verify.AL_ALLOY
    monkeypatch.setattr(verify.contact, "lammps_wall_modulus_kpa", lambda p, w: units.to_micro(p.youngs_modulus_gpa, "GPa"))
    res = verify.impact(mat, 100_000.0, 0.2, wall=RIGID, workdir=workdir)
    assert res["max_force"].rel_error > 0.15


@pytest.mark.parametrize("e", [0.2, 0.4, 0.6, 0.8, 1.0])
def test_chung_ooi_3_restitution(e, workdir):
    res = verify.impact(verify.AL_ALLOY, 100_000.0, 3.9, wall=RIGID, restitution=e, workdir=workdir)
    assert res["speed_ratio"].measured == pytest.approx(e, rel=0.02)


def test_elastic_bed_conserves_energy(workdir):
    """No damping, no friction: kinetic + rotational + gravity + Hertz elastic energy stays constant.

    Tolerance: 0.5 % of the initial (gravitational) energy over 20,000 steps, while the
    kinetic energy itself swings through most of it.
    """
    rows = verify.energy_conservation(workdir)
    total = np.array([r["total"] for r in rows])
    kinetic = np.array([r["kinetic"] for r in rows])
    elastic = np.array([r["elastic"] for r in rows])
    assert len(rows) == 21
    assert kinetic.max() > 0.3 * total[0]  # the bed really fell
    assert elastic.max() > 0  # and the contacts really were loaded
    assert np.abs(total - total[0]).max() < 0.005 * total[0]
