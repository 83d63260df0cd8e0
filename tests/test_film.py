"""Si-film strain criterion: hand calculations (no LAMMPS)."""

import math

import numpy as np
import pandas as pd
import pytest

from sigdem.errors import NotComputedError
from sigdem.analysis.film import (FilmStrainRisk, SiFilm, equal_sphere_coefficient, fracture_free,
                                  plastic_fraction)
from sigdem.errors import InputError

E_GPA, NU = 20.0, 0.3


def particles(radii, classes=None, **extra):
    p = pd.DataFrame({"id": np.arange(1, len(radii) + 1), "radius_um": np.asarray(radii, float)})
    if classes is not None:
        p["size_class"] = classes
    return p.assign(**extra)


def contact(i, j, fn, overlap, r_star, area=np.nan):
    return {"i": i, "j": j, "kind": "pair" if j > 0 else "floor", "fn_nN": fn, "overlap_um": overlap,
            "r_star_um": r_star, "area_um2": area}


def risk(**kw):
    return FilmStrainRisk(kw.pop("film", SiFilm()), particle_modulus_gpa=E_GPA, particle_poisson=NU, **kw)


def test_equal_spheres_elastic_branch_by_hand():
    r, f = 5.0, 1000.0  # µm, nN
    e_star_kpa = E_GPA * 1e6 / (2 * (1 - NU**2))
    r_star = r / 2
    a = (3 * f * r_star / (4 * e_star_kpa)) ** (1 / 3)  # Hertz contact radius, µm
    delta = a**2 / r_star
    p0_kpa = 3 * f / (2 * math.pi * a**2)  # from the force; equals 2 E* a / (pi R*) for Hertz
    assert p0_kpa == pytest.approx(2 * e_star_kpa * a / (math.pi * r_star), rel=1e-12)
    eps = (1 + NU) * (1 - 2 * NU) * p0_kpa / (3 * E_GPA * 1e6)
    res = risk(yield_stress_gpa=1.0).compute(pd.DataFrame([contact(1, 2, f, delta, r_star)]), particles([r, r]))
    row = res.contacts.iloc[0]
    assert row["branch"] == "elastic" and row["a_um"] == pytest.approx(a, rel=1e-12)
    assert row["eps_i"] == pytest.approx(eps, rel=1e-12) and row["eps_j"] == pytest.approx(eps, rel=1e-12)
    assert eps / (a / r) == pytest.approx(0.8 / (3 * math.pi * 0.7), rel=1e-12) == equal_sphere_coefficient(NU)
    assert equal_sphere_coefficient(NU) == pytest.approx(0.1213, abs=1e-4)
    # the strain depends on geometry only: the same overlap in a run 100x softer (force / 100) gives the same eps
    soft = risk().compute(pd.DataFrame([contact(1, 2, f / 100, delta, r_star)]), particles([r, r]))
    assert soft.contacts["eps_i"].iloc[0] == pytest.approx(eps, rel=1e-12)


def test_yielded_branch_uses_mdr_area_and_tabor():
    y, area, r = 0.1, 1.0, 5.0  # GPa, µm², µm
    f = 3.0 * y * 1e6 * area  # p_m = 3 Y > 2.8 Y: fully plastic (nN = kPa x µm²)
    res = risk(yield_stress_gpa=y).compute(pd.DataFrame([contact(1, 2, f, 0.3, r / 2, area)]), particles([r, r]))
    row = res.contacts.iloc[0]
    a = math.sqrt(area / math.pi)
    assert row["branch"] == "plastic" and row["p_mean_gpa"] == pytest.approx(3 * y, rel=1e-12)
    assert row["eps_i"] == pytest.approx(0.2 * a / r, rel=1e-12)


def test_strain_never_drops_across_the_interpolation():
    y, area, r = 0.1, 1.0, 5.0
    ratios = np.linspace(0.2, 4.0, 60)  # p_m / Y
    rows = [contact(1, 2, q * y * 1e6 * area, 0.3, r / 2, area) for q in ratios]
    res = risk(yield_stress_gpa=y).compute(pd.DataFrame(rows), particles([r, r]))
    eps = res.contacts["eps_i"].to_numpy()
    assert np.all(np.diff(eps) >= 0)
    a = math.sqrt(area / math.pi)
    assert eps[0] == pytest.approx(equal_sphere_coefficient(NU) * a / r, rel=1e-12)
    assert eps[-1] == pytest.approx(0.2 * a / r, rel=1e-12)
    assert set(res.contacts["branch"]) == {"elastic", "transition", "plastic"}
    mid = risk(yield_stress_gpa=y).compute(pd.DataFrame([contact(1, 2, 1.95 * y * 1e6 * area, 0.3, r / 2, area)]),
                                           particles([r, r]))
    assert plastic_fraction(1.95) == pytest.approx(0.5)
    assert mid.contacts["eps_i"].iloc[0] == pytest.approx(0.5 * (eps[0] + eps[-1]), rel=1e-12)


@pytest.mark.parametrize("wall_gpa", [None, E_GPA])
def test_wall_contact(wall_gpa):
    r, delta = 4.0, 0.01
    a = math.sqrt(r * delta)
    e_star = 1 / ((1 - NU**2) / E_GPA + ((1 - NU**2) / wall_gpa if wall_gpa else 0.0))
    eps = (1 + NU) * (1 - 2 * NU) / (3 * E_GPA) * 2 * e_star * a / (math.pi * r)
    res = risk(wall_modulus_gpa=wall_gpa, wall_poisson=NU).compute(pd.DataFrame([contact(1, -1, 500.0, delta, r)]),
                                                                  particles([r]))
    row = res.contacts.iloc[0]
    assert row["eps_i"] == pytest.approx(eps, rel=1e-12) and math.isnan(row["eps_j"])
    if wall_gpa is None:  # a rigid flat: the equal-sphere coefficient again
        assert row["eps_i"] == pytest.approx(equal_sphere_coefficient(NU) * a / r, rel=1e-12)
    assert res.particles["eps_max"].iloc[0] == pytest.approx(eps, rel=1e-12)


def test_failure_strain_both_limits_by_hand():
    film = SiFilm(thickness_nm=15, youngs_modulus_gpa=110, strength_gpa=1.5, fracture_energy_j_m2=3.0)
    channel = math.sqrt(3.0 / (1.98 * 15e-9 * 110e9))  # SI: J/m² / (m * Pa)
    assert film.strength_limit_strain == pytest.approx(1.5 / 110, rel=1e-12)
    assert film.channel_cracking_strain == pytest.approx(channel, rel=1e-12)
    assert film.failure_strain == pytest.approx(1.5 / 110) and film.governing_limit == "strength"
    brittle = SiFilm(fracture_energy_j_m2=0.5)
    assert brittle.failure_strain == pytest.approx(math.sqrt(0.5 / (1.98 * 15 * 110)), rel=1e-12)
    assert brittle.governing_limit == "channel_cracking"


def test_weibull_against_a_hand_sum_and_at_risk_by_size_class():
    film = SiFilm(weibull_m=10.0, weibull_reference_area_um2=1.0)
    r = [3.0, 3.0, 9.0]
    rows = [contact(1, 2, 800.0, 0.04, 1.5), contact(1, -1, 900.0, 0.05, 3.0), contact(3, -1, 50.0, 0.002, 9.0)]
    res = risk(film=film).compute(pd.DataFrame(rows), particles(r, ["small", "small", "large"]))
    c = res.contacts
    hazard = [0.0, 0.0, 0.0]
    for _, row in c.iterrows():
        for side, pid in (("i", row["i"]), ("j", row["j"])):
            if pid > 0:
                a2 = row["r_star_um"] * row["overlap_um"]
                hazard[pid - 1] += math.pi * a2 / 1.0 * (110.0 * row[f"eps_{side}"] / 1.5) ** 10
    expect = [1 - math.exp(-h) for h in hazard]
    assert res.particles["failure_probability"].to_numpy() == pytest.approx(expect, rel=1e-12)
    eps_max = res.particles["eps_max"].to_numpy()
    assert eps_max[0] == pytest.approx(max(c["eps_i"]), rel=1e-12)
    at_risk = eps_max > film.failure_strain
    assert res.at_risk_fraction == pytest.approx(at_risk.mean())
    by = res.by_size_class.set_index("size_class")
    assert by.loc["small", "at_risk_fraction"] == pytest.approx(at_risk[:2].mean())
    assert by.loc["large", "n"] == 1 and res.summary.n_contacts == 3
    assert res.summary.expected_failed_fraction == pytest.approx(np.mean(expect))


def test_uncoated_particles_are_never_at_risk():
    rows = [contact(1, 2, 1e5, 0.3, 1.0)]
    res = risk().compute(pd.DataFrame(rows), particles([2.0, 2.0], coated=[True, False]))
    assert res.particles["at_risk"].tolist() == [True, False]
    assert res.at_risk_fraction == 1.0 and res.summary.n_coated == 1


def test_fracture_free_states():
    rho = [1.4, 1.5, 1.6, 1.7]
    below = fracture_free(rho, [0.05, 0.1, 0.2, 0.3], [0.01] * 4, threshold=0.01)
    assert below.state == "below_first" and below.density is None and below.critical_density == 1.4
    reached = fracture_free(rho, [0.0, 0.004, 0.03, 0.002], [0.001, 0.002, 0.01, 0.001], threshold=0.01)
    assert reached.state == "reached" and reached.density == 1.5 and reached.share == 0.004
    assert reached.ci95 == 0.002 and reached.critical_density == 1.6 and reached.clear
    never = fracture_free(rho, [0.0, 0.0, 0.001, 0.005], None, threshold=0.01)
    assert never.state == "not_reached" and never.density == 1.7 and never.critical_density is None
    assert never.ci95 is None
    assert not fracture_free(rho, [0.0, 0.008, 0.03, 0.1], [0.0, 0.005, 0.0, 0.0], threshold=0.01).clear


@pytest.mark.parametrize("kw", [{"thickness_nm": -15}, {"youngs_modulus_gpa": 0}, {"strength_gpa": math.nan},
                                {"fracture_energy_j_m2": -1}, {"weibull_m": 0}, {"cracking_z": "x"}])
def test_bad_film_refused(kw):
    field = next(iter(kw))
    with pytest.raises(InputError, match=field):
        SiFilm(**kw)


@pytest.mark.parametrize("kw", [{"particle_poisson": 0.5}, {"particle_poisson": 0.7}, {"particle_modulus_gpa": -1},
                                {"yield_stress_gpa": 0.0}, {"wall_modulus_gpa": -5}])
def test_bad_risk_parameters_refused(kw):
    args = {"particle_modulus_gpa": E_GPA, "particle_poisson": NU, **kw}
    with pytest.raises(InputError, match=next(iter(kw))):
        FilmStrainRisk(SiFilm(), **args)


def test_bad_series_and_tables_refused():
    with pytest.raises(InputError, match="densities"):
        fracture_free([1.5, 1.4], [0.0, 0.1])
    with pytest.raises(InputError, match="at_risk_shares"):
        fracture_free([1.4, 1.5], [0.0, 1.1])
    with pytest.raises(InputError, match="threshold"):
        fracture_free([1.4, 1.5], [0.0, 0.1], threshold=0)
    with pytest.raises(InputError, match="contacts"):
        risk().compute(pd.DataFrame({"i": [1]}), particles([1.0]))
    with pytest.raises(InputError, match="contacts"):
        risk().compute(pd.DataFrame([contact(1, 7, 1.0, 0.01, 0.5)]), particles([1.0]))


def test_results_before_compute_raise():
    with pytest.raises(NotComputedError, match="compute"):
        risk().summary
