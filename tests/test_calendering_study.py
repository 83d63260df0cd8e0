"""Calendering study parameters and comparisons that need no LAMMPS run: the representative box, refusals
before anything runs, the mdr default, fracture-free states, blend comparisons with verdicts from the data."""

import logging
import math

import numpy as np
import pandas as pd
import pytest

from sigdem.analysis.fracture_free import fracture_free
from sigdem.errors import InputError
from sigdem.model.contact import MdrContact
from sigdem.psd import blend_from_text, paper_grades
from sigdem.studies.calendering import (LONG_SCHEDULE, MDR_SCHEDULE, MIN_SIDE_IN_DMAX,
                                        REPRESENTATIVE_SIDE_IN_DMAX, CalenderingStudy,
                                        largest_diameter_um)
from sigdem.studies.calendering_analysis import CalenderingResult, compare_blends

SIG = blend_from_text("small=1.0", paper_grades())
WDSIG = blend_from_text("large=0.5,small=0.5", paper_grades())


def test_default_box_is_representative_and_from_the_psd(caplog):
    for blend in (SIG, WDSIG):
        with caplog.at_level(logging.WARNING):
            study = CalenderingStudy(blend)
        assert "representative" not in caplog.text  # WD-SiG's 318 µm is 7.99 D99 after rounding: no warning
        d_max = largest_diameter_um(blend)
        assert d_max == pytest.approx(float(blend.quantile(0.99)))
        assert study.side_um == pytest.approx(REPRESENTATIVE_SIDE_IN_DMAX * d_max, abs=0.5)
        assert study.representative
    # the wide blend's largest particles are larger: its box is wider
    assert CalenderingStudy(WDSIG).side_um > 1.3 * CalenderingStudy(SIG).side_um


def test_mdr_is_the_default_contact_and_hertz_an_option():
    # mdr at the time step the calender convergence check allows (2x the LAMMPS manual's 0.08)
    assert CalenderingStudy(SIG).contact == MdrContact(timestep_fraction=0.16) != MdrContact()
    assert CalenderingStudy(SIG, contact=None).contact is None


def test_the_fixed_phases_default_per_contact_model_and_explicit_values_win():
    # mdr: the schedule benchmarks/calender_shortcuts.py checked; Hertz: the earlier one, unchanged
    mdr, hertz = CalenderingStudy(SIG), CalenderingStudy(SIG, contact=None)
    for study, schedule in ((mdr, MDR_SCHEDULE), (hertz, LONG_SCHEDULE)):
        assert {k: getattr(study, k) for k in schedule} == schedule
    assert MDR_SCHEDULE["relax_steps"] < LONG_SCHEDULE["relax_steps"]
    explicit = CalenderingStudy(SIG, relax_steps=12345, hold_steps=0, resettle_time_factor=7.0)
    assert (explicit.relax_steps, explicit.hold_steps, explicit.resettle_time_factor) == (12345, 0, 7.0)
    for field, bad in (("relax_steps", -1), ("hold_steps", 2.5), ("relax_steps", "5000"),
                       ("lift_release_weight_fraction", -0.1), ("lift_release_weight_fraction", 2.0)):
        with pytest.raises(InputError, match=field):
            CalenderingStudy(SIG, **{field: bad})
    # the lift's end on a share of the bed's weight: mdr's default, off (held force only) with Hertz or when 0
    assert mdr.lift_release_weight_fraction == 0.1 and hertz.lift_release_weight_fraction == 0.0
    assert CalenderingStudy(SIG, lift_release_weight_fraction=0.0).lift_release_weight_fraction == 0.0


def test_small_box_is_refused_or_warned_before_anything_runs(caplog):
    d_max = largest_diameter_um(SIG)
    with pytest.raises(InputError) as err:
        CalenderingStudy(SIG, side_um=0.9 * MIN_SIDE_IN_DMAX * d_max)
    assert err.value.field == "side_um" and "allowed range" in str(err.value)
    with caplog.at_level(logging.WARNING):
        study = CalenderingStudy(SIG, side_um=3.0 * d_max)
    assert not study.representative and "representative" in caplog.text


def test_targets_at_or_above_the_solid_density_are_refused_at_construction():
    with pytest.raises(InputError) as err:
        CalenderingStudy(SIG, target_densities_g_cc=(1.3, 2.3))
    assert err.value.field == "target_densities_g_cc" and "2.3" in str(err.value)
    # with binder counted in, the electrode's solid density is higher: 2.3 g/cc becomes possible... not for 2.26 / 0.95
    with pytest.raises(InputError):
        CalenderingStudy(SIG, target_densities_g_cc=(2.4,), binder_mass_fraction=0.05)
    CalenderingStudy(SIG, target_densities_g_cc=(2.3,), binder_mass_fraction=0.05)  # 2.26 / 0.95 = 2.38


def test_a_blend_must_be_a_blend():
    with pytest.raises(InputError) as err:
        CalenderingStudy({"small": 1.0})
    assert err.value.field == "blend"


# ---- comparisons computed from the data ------------------------------------------------------------

NUMERIC = ("wall_pressure_mpa", "max_force_mN", "median_force_mN", "p90_force_mN", "p99_force_mN", "coordination",
           "mean_sigma_c_mpa", "max_sigma_c_mpa", "at_risk_fraction", "max_p0_gpa", "max_overlap_ratio",
           "p99_overlap_ratio", "inertial_number", "weight_share", "wall_pressure_over_e", "max_force_over_e_um2",
           "film_at_risk_fraction", "max_film_strain", "p99_film_strain", "max_force_sim_mN", "median_force_sim_mN",
           "p99_force_sim_mN", "side_over_dmax", "thickness_over_dmax")


def synthetic_result(study, means: dict, spread: float, seed: int, n: int = 4) -> CalenderingResult:
    """A result whose targets table holds n replicates around ``means`` (per density: {quantity: value})."""
    rng = np.random.default_rng(seed)
    rows = []
    for rho, q in means.items():
        for k in range(n):
            row = {"replicate": k, "target_density_g_cc": rho, "status": "ok", "elastic_range_exceeded": False,
                   "mapping_valid": True}
            row.update({name: 1.0 + spread * rng.standard_normal() for name in NUMERIC})
            row.update({name: v * (1.0 + spread * rng.standard_normal()) for name, v in q.items()})
            rows.append(row)
    return CalenderingResult(study, pd.DataFrame(rows), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())


def test_comparison_verdicts_follow_the_data_and_flip_when_blends_swap():
    study = CalenderingStudy(SIG)
    sig = synthetic_result(study, {1.3: {"median_force_mN": 3.0}, 1.75: {"median_force_mN": 1.05}}, 0.02, 1)
    wd = synthetic_result(study, {1.3: {"median_force_mN": 1.0}, 1.75: {"median_force_mN": 1.0}}, 0.02, 2)
    table = compare_blends(sig, wd, ("SiG", "WD-SiG"), quantities=("median_force_mN",)).set_index("target_density_g_cc")
    assert table.loc[1.3, "verdict"] == "resolved" and table.loc[1.3, "ratio"] == pytest.approx(3.0, rel=0.05)
    assert table.loc[1.3, "difference"] > 0
    swapped = compare_blends(wd, sig, ("WD-SiG", "SiG"), quantities=("median_force_mN",)).set_index("target_density_g_cc")
    assert swapped.loc[1.3, "difference"] == pytest.approx(-table.loc[1.3, "difference"])
    # a 5 % gap with 2 % noise per replicate and 4 replicates is not resolved... unless it is: compute, do not assume
    ci = table.loc[1.75, "difference_ci95"]
    assert table.loc[1.75, "verdict"] == ("resolved" if abs(table.loc[1.75, "difference"]) > ci else "not resolved")
    noisy = synthetic_result(study, {1.75: {"median_force_mN": 1.05}}, 0.3, 3)
    assert compare_blends(noisy, wd, quantities=("median_force_mN",))["verdict"].iloc[0] == "not resolved"
    one = synthetic_result(study, {1.75: {"median_force_mN": 1.05}}, 0.02, 4, n=1)
    assert compare_blends(one, wd, quantities=("median_force_mN",))["verdict"].iloc[0] == "no replicates"


def test_fracture_free_of_a_result_is_a_typed_state_with_its_ci():
    study = CalenderingStudy(SIG)
    shares = {1.3: 0.001, 1.5: 0.004, 1.6: 0.2, 1.75: 0.5}
    res = synthetic_result(study, {rho: {"film_at_risk_fraction": s} for rho, s in shares.items()}, 0.01, 5)
    # the synthetic noise is 1 % of each share: the states are those of the means
    ff = res.fracture_free("film")
    assert ff.state == "reached" and ff.density == 1.5 and ff.critical_density == 1.6
    assert math.isfinite(ff.ci95) and "up to 1.5 g/cc" in ff.describe("film strain")
    assert fracture_free([1.3, 1.5], [0.2, 0.3], threshold=0.01).state == "below_first"
    assert "not even at the first" in fracture_free([1.3, 1.5], [0.2, 0.3], threshold=0.01).describe("x")
    assert fracture_free([1.3, 1.5], [0.0, 0.0], threshold=0.01).state == "not_reached"
    with pytest.raises(InputError):
        res.fracture_free("pressure")
