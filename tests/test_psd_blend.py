"""Grades, blends (mass balance, grade identity), ternary grids and grade-name safety."""

import math
from fractions import Fraction

import numpy as np
import pytest

from sigdem.errors import InputError
from sigdem.psd import (GRAPHITE_DENSITY_G_CC, Blend, DiscretePSD, Grade, LogNormalPSD, blend_from_fractions,
                        paper_grades, ternary_blends, ternary_grid)

SI_DENSITY = 2.33


def lognormal_mean_volume(vmd, gsd):
    """pi/6 <d^3> of an untruncated log-normal with volume median vmd (Hatch-Choate)."""
    s = math.log(gsd)
    cmd = vmd * math.exp(-3 * s * s)
    return math.pi / 6 * cmd**3 * math.exp(4.5 * s * s)


@pytest.fixture
def two_densities():
    a = Grade("graphite", LogNormalPSD(18.0, 1.5), GRAPHITE_DENSITY_G_CC)
    b = Grade("silicon", LogNormalPSD(6.0, 1.4), SI_DENSITY)
    return Blend((a, b), (0.7, 0.3))


def test_mass_balance_volume_and_number_fractions(two_densities):
    bl = two_densities
    v = np.array([0.7 / GRAPHITE_DENSITY_G_CC, 0.3 / SI_DENSITY])
    np.testing.assert_allclose(bl.volume_fractions, v / v.sum(), rtol=1e-12)
    n = (v / v.sum()) / np.array([lognormal_mean_volume(18.0, 1.5), lognormal_mean_volume(6.0, 1.4)])
    np.testing.assert_allclose(bl.number_fractions, n / n.sum(), rtol=1e-9)
    assert bl.density_g_cc == pytest.approx(1.0 / (0.7 / GRAPHITE_DENSITY_G_CC + 0.3 / SI_DENSITY))
    # combined PSD: volume CDF is the volume-weighted sum of the grades' CDFs
    d = np.geomspace(2.0, 60.0, 25)
    phi = bl.volume_fractions
    expected = phi[0] * bl.grades[0].psd.cdf(d) + phi[1] * bl.grades[1].psd.cdf(d)
    np.testing.assert_allclose(bl.psd.cdf(d), expected, rtol=1e-12)
    # mass basis weights grades by mass fraction, not by volume
    mass = 0.7 * bl.grades[0].psd.cdf(d) + 0.3 * bl.grades[1].psd.cdf(d)
    np.testing.assert_allclose(bl.cdf(d, "mass"), mass, rtol=1e-12)
    d50_mass = float(bl.quantile(0.5, "mass"))
    assert float(bl.cdf(d50_mass, "mass")) == pytest.approx(0.5, abs=1e-9)


def test_combined_number_moments_are_number_weighted(two_densities):
    bl = two_densities
    nf = bl.number_fractions
    for k in (1, 2, 3, 4):
        expected = sum(w * g.psd.number_moment(k) for w, g in zip(nf, bl.grades))
        assert bl.psd.number_moment(k) == pytest.approx(expected, rel=1e-12)


def test_same_density_mass_equals_volume_basis():
    large, middle, small = paper_grades()
    bl = Blend((large, small), (0.4, 0.6))
    d = np.geomspace(3.0, 50.0, 30)
    np.testing.assert_allclose(bl.cdf(d, "mass"), bl.cdf(d, "volume"), rtol=1e-12)
    assert bl.volume_fractions == pytest.approx((0.4, 0.6))


def test_split_by_grade_and_size_class():
    bl = Blend(paper_grades(), (0.2, 0.3, 0.5))
    table = bl.volume_by_grade_and_class([3.0, 10.0, 20.0, 50.0])
    np.testing.assert_allclose(table.sum(axis=1), bl.volume_fractions, rtol=1e-12)
    assert table.sum() == pytest.approx(1.0)
    sizes = bl.volume_by_grade_and_class([3.0, 20.0])[:, 0]
    np.testing.assert_allclose(sizes, table[:, :2].sum(axis=1), rtol=1e-12)


def test_blend_truncation_error_is_volume_weighted():
    a = Grade("a", LogNormalPSD(20.0, 1.6), 2.26)
    b = Grade("b", LogNormalPSD(8.0, 1.6), 4.0)
    bl = Blend((a, b), (0.5, 0.5))
    t = bl.truncate(5.0, 40.0)
    errs = [g.psd.truncate(5.0, 40.0).volume_error for g in bl.grades]
    assert t.volume_error_by_grade == pytest.approx(tuple(errs))
    assert t.volume_error == pytest.approx(sum(p * e for p, e in zip(bl.volume_fractions, errs)))
    assert t.blend.mass_fractions == bl.mass_fractions


def test_named_points_and_missing_grades_are_zero():
    bl = blend_from_fractions(paper_grades(), large=0.5, small=0.5)
    assert bl.grade_names == ("large", "middle", "small")
    assert bl.mass_fractions == (0.5, 0.0, 0.5)
    assert bl.number_fractions[1] == 0.0
    same = blend_from_fractions(paper_grades(), {"large": Fraction(1, 2), "small": Fraction(1, 2)})
    assert same.mass_fractions == bl.mass_fractions
    with pytest.raises(InputError) as err:
        blend_from_fractions(paper_grades(), huge=1.0)
    assert err.value.field == "fractions"


@pytest.mark.parametrize("fractions", [(0.5, 0.6, -0.1), (0.5, 0.5, 0.1), (0.3, 0.3, 0.3), (1.0 + 2e-3, 0, 0)])
def test_bad_mass_fractions(fractions):
    with pytest.raises(InputError) as err:
        Blend(paper_grades(), fractions)
    assert err.value.field == "mass_fractions"
    assert "allowed" in str(err.value)


def test_fraction_tolerance_and_duplicates():
    Blend(paper_grades(), (0.5, 0.5 - 5e-10, 0.0))  # within 1e-9: accepted
    g = paper_grades()[0]
    with pytest.raises(InputError) as err:
        Blend((g, g), (0.5, 0.5))
    assert err.value.field == "grades"
    with pytest.raises(InputError):
        Blend((), ())
    with pytest.raises(InputError) as err:
        Blend(paper_grades(), (0.5, 0.5))
    assert err.value.field == "mass_fractions"


@pytest.mark.parametrize("name", ["shell rm", "a;b", "${x}", "$(x)", "a\nb", "a\n", "#c", "&", "", "-abc",
                                  "a" * 41, "grade 1", "a b", "ä", "x'y", "`x`", None, 5])
def test_grade_name_must_be_a_safe_display_name(name):
    with pytest.raises(InputError) as err:
        Grade(name, LogNormalPSD(10.0, 1.5), 2.26)
    assert err.value.field == "name"
    assert "allowed" in str(err.value)


@pytest.mark.parametrize("name", ["large", "_x", "G2", "a" * 32, "SiG-1", "1abc", "WD-SiG.2"])
def test_plain_identifiers_accepted(name):
    assert Grade(name, DiscretePSD((5.0,), (1.0,)), 2.26).name == name


@pytest.mark.parametrize("density", [0.0, -2.26, float("nan"), float("inf"), 100.0])
def test_bad_density(density):
    with pytest.raises(InputError) as err:
        Grade("g", LogNormalPSD(10.0, 1.5), density)
    assert err.value.field == "density_g_cc"


@pytest.mark.parametrize("step, count", [(0.25, 15), (0.1, 66), ("1/3", 10), (Fraction(1, 5), 21), (1.0, 3)])
def test_ternary_grid_counts_and_exact_sums(step, count):
    grid = ternary_grid(step)
    assert len(grid) == count == len(set(grid))
    for point in grid:
        assert all(isinstance(x, Fraction) and 0 <= x <= 1 for x in point)
        assert sum(point) == 1  # exact, not approximately
    n = round(1 / float(Fraction(step)))
    assert len(grid) == (n + 1) * (n + 2) // 2


@pytest.mark.parametrize("step", [0.3, 0.0, -0.1, "abc", 2.0])
def test_bad_ternary_step(step):
    with pytest.raises(InputError) as err:
        ternary_grid(step)
    assert err.value.field == "step"


def test_ternary_blends_keep_all_three_grades():
    blends = ternary_blends(paper_grades(), 0.25)
    assert len(blends) == 15
    assert all(b.grade_names == ("large", "middle", "small") for b in blends)
    assert all(math.fsum(b.mass_fractions) == 1.0 for b in blends)
    with pytest.raises(InputError):
        ternary_blends(paper_grades()[:2], 0.25)
