"""Packing estimators: Farr & Groot 1-D algorithm and the Desmond & Weeks formula."""

import math

import numpy as np
import pytest

from sigdem.errors import InputError
from sigdem.psd import (Blend, DiscretePSD, LogNormalPSD, blend_from_fractions, calibrate_free_length,
                        desmond_weeks_rcp, farr_groot_rcp, paper_grades, sample_particles, ternary_packing)
from sigdem.psd.estimates import DW_C1, DW_C2, DW_PHI_MONO, chord_lengths_um


def test_monodisperse_farr_groot_is_random_close_packing():
    phi = farr_groot_rcp(DiscretePSD((10.0,), (1.0,)))
    assert 0.634 <= phi <= 0.645  # published calibration: 0.6435 for equal spheres
    assert farr_groot_rcp(DiscretePSD((0.37,), (1.0,))) == pytest.approx(phi, abs=1e-12)  # scale free


def test_chords_of_equal_spheres_follow_2L_over_D2():
    rods = chord_lengths_um(DiscretePSD((2.0,), (1.0,)), 1000)
    q = (np.arange(1000, 0, -1) - 0.5) / 1000
    np.testing.assert_allclose(rods, 2.0 * np.sqrt(q), rtol=1e-4)  # CDF (L/D)**2


def test_recalibration_hits_target():
    f = calibrate_free_length(0.634)
    assert farr_groot_rcp(DiscretePSD((1.0,), (1.0,)), free_length=f) == pytest.approx(0.634, abs=2e-4)


def test_widening_lognormal_raises_estimate_monotonically():
    gsds = [1.01, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0, 2.5]
    phis = [farr_groot_rcp(LogNormalPSD(10.0, g)) for g in gsds]
    mono = farr_groot_rcp(DiscretePSD((10.0,), (1.0,)))
    assert phis[0] == pytest.approx(mono, abs=2e-3)
    assert np.all(np.diff(phis) > 0.0)


@pytest.mark.parametrize("small_volume_fraction", [0.15, 0.4])
def test_bidisperse_large_size_ratio_limit(small_volume_fraction):
    """Ratio 1000: small spheres fill the large ones' voids (x small) or host them (x large)."""
    p1 = farr_groot_rcp(DiscretePSD((1.0,), (1.0,)))
    x = small_volume_fraction
    x_star = (1 - p1) / (2 - p1)
    exact = p1 / (1 - x) if x < x_star else 1 / ((1 - x) + x / p1)
    phi = farr_groot_rcp(DiscretePSD((1.0, 1000.0), (x, 1 - x)), n_rods=100_000)
    assert phi == pytest.approx(exact, abs=3e-3)


def test_accepts_grades_blends_and_samples():
    large, middle, small = paper_grades()
    blend = Blend((large, small), (0.5, 0.5))
    assert farr_groot_rcp(large) == farr_groot_rcp(large.psd)
    assert farr_groot_rcp(blend) == farr_groot_rcp(blend.psd)
    sample = sample_particles(blend, n=20000, seed=1)
    assert farr_groot_rcp(sample) == pytest.approx(farr_groot_rcp(blend), abs=5e-3)


def test_desmond_weeks_reduces_to_monodisperse_and_follows_formula():
    assert desmond_weeks_rcp(delta=0.0, skewness=3.0) == pytest.approx(0.634, abs=1e-15)
    assert desmond_weeks_rcp(DiscretePSD((4.0,), (1.0,))) == pytest.approx(0.634, abs=1e-15)
    s = math.log(1.3)
    e = math.exp(s * s)
    delta, skew = math.sqrt(e - 1), (e + 2) * math.sqrt(e - 1)  # log-normal closed forms
    expected = 0.634 + 0.0658 * delta + 0.0857 * skew * delta**2
    assert desmond_weeks_rcp(LogNormalPSD(12.0, 1.3)) == pytest.approx(expected, rel=1e-7)
    assert (DW_PHI_MONO, DW_C1, DW_C2) == (0.634, 0.0658, 0.0857)


def test_desmond_weeks_argument_errors():
    with pytest.raises(InputError):
        desmond_weeks_rcp()
    with pytest.raises(InputError):
        desmond_weeks_rcp(LogNormalPSD(12.0, 1.3), delta=0.1, skewness=0.0)
    with pytest.raises(InputError) as err:
        desmond_weeks_rcp(delta=-0.1, skewness=0.0)
    assert err.value.field == "delta"
    with pytest.raises(InputError) as err:
        farr_groot_rcp(LogNormalPSD(12.0, 1.3), n_rods=3)
    assert err.value.field == "n_rods"


def test_ternary_packing_grid_consistent_with_single_grades():
    grades = paper_grades()
    table = ternary_packing(grades, 0.25)
    assert len(table) == 15
    for row in table:
        assert sum(row.mass_fractions) == 1
        assert 0.6 < row.farr_groot < 0.8 and 0.6 < row.desmond_weeks < 0.8
    corners = {row.mass_fractions: row for row in table if max(row.mass_fractions) == 1}
    for i, grade in enumerate(grades):
        key = tuple(1 if j == i else 0 for j in range(3))
        assert corners[key].farr_groot == pytest.approx(farr_groot_rcp(grade), abs=1e-12)
    # mixing two different sizes packs better than the finer grade alone
    mid = next(r for r in table if r.mass_fractions == (0.5, 0, 0.5))
    assert mid.farr_groot > corners[(0, 0, 1)].farr_groot
    assert blend_from_fractions(grades, mid.mass_fractions).statistics().d50_um == pytest.approx(mid.d50_um)
