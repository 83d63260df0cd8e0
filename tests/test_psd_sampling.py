"""Sampling particle lists: grade volume fractions, volume-basis quantiles, reproducibility."""

import math

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

from sigdem.errors import InputError
from sigdem.psd import (Blend, DiscretePSD, LogNormalPSD, ParticleSample, blend_from_fractions, paper_grades,
                        sample_particles)

SEEDS = range(6)
MIXES = [(1 / 3, 1 / 3, 1 / 3), (0.5, 0.0, 0.5), (0.1, 0.2, 0.7), (0.8, 0.15, 0.05)]


def test_lorenz_curve_of_lognormal_matches_closed_form():
    s = math.log(1.6)
    psd = LogNormalPSD(12.0, 1.6)
    u = np.linspace(0.01, 0.99, 25)
    np.testing.assert_allclose(psd.lorenz_curve(u, 3), ndtr(ndtri(u) - 3 * s), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("mix", MIXES)
def test_grade_fractions_and_quantiles_within_sampling_error(mix):
    blend = blend_from_fractions(paper_grades(), mix)
    ref = blend.psd.quantile([0.1, 0.5, 0.9])
    for seed in SEEDS:
        sample = sample_particles(blend, n=2000, seed=seed)
        assert sample.n == 2000
        np.testing.assert_allclose(sample.volume_fractions_by_grade(), blend.volume_fractions, atol=0.01)
        got = sample.d_quantiles_volume([0.1, 0.5, 0.9])
        assert got[1] == pytest.approx(ref[1], rel=0.03)
        np.testing.assert_allclose(got, ref, rtol=0.06)


def test_counts_follow_number_fractions():
    blend = blend_from_fractions(paper_grades(), MIXES[2])
    sample = sample_particles(blend, n=5000, seed=1)
    np.testing.assert_allclose(sample.counts_by_grade() / 5000, blend.number_fractions, atol=1e-3)


def test_wide_untruncated_lognormal_number_and_volume_statistics():
    vmd, gsd = 15.0, 2.0
    s = math.log(gsd)
    number_mean = vmd * math.exp(-3 * s * s) * math.exp(0.5 * s * s)
    for seed in SEEDS:
        sample = sample_particles(LogNormalPSD(vmd, gsd), n=3000, seed=seed)
        assert sample.diameters_um.mean() == pytest.approx(number_mean, rel=0.01)
        assert sample.d_quantiles_volume(0.5) == pytest.approx(vmd, rel=0.03)
        assert sample.grade_names == ("powder",) and sample.densities_g_cc == (2.26,)


def test_solid_volume_target():
    blend = blend_from_fractions(paper_grades(), MIXES[0])
    mean_volume = math.pi / 6 * blend.psd.number_moment(3)
    target = 5000 * mean_volume
    for seed in SEEDS:
        sample = sample_particles(blend, solid_volume_um3=target, seed=seed)
        assert sample.solid_volume_um3 == pytest.approx(target, rel=0.01)
        np.testing.assert_allclose(sample.volume_fractions_by_grade(), blend.volume_fractions, atol=0.01)


def test_reproducible_from_seed_and_seed_matters():
    blend = Blend(paper_grades(), (0.2, 0.3, 0.5))
    a = sample_particles(blend, n=2500, seed=7)
    b = sample_particles(blend, n=2500, seed=7)
    c = sample_particles(blend, n=2500, seed=8)
    np.testing.assert_array_equal(a.diameters_um, b.diameters_um)
    np.testing.assert_array_equal(a.grade_index, b.grade_index)
    assert not np.array_equal(np.sort(a.diameters_um), np.sort(c.diameters_um))


def test_largest_first_and_default_shuffled():
    blend = Blend(paper_grades(), (0.2, 0.3, 0.5))
    ordered = sample_particles(blend, n=3000, seed=3, largest_first=True)
    assert np.all(np.diff(ordered.diameters_um) <= 0.0)
    shuffled = sample_particles(blend, n=3000, seed=3)
    assert not np.all(np.diff(shuffled.diameters_um) <= 0.0)
    assert not np.all(np.diff(shuffled.grade_index) >= 0)  # grades interleaved
    np.testing.assert_allclose(np.sort(ordered.diameters_um), np.sort(shuffled.diameters_um))


def test_discrete_psd_keeps_exact_sizes():
    psd = DiscretePSD((5.0, 10.0, 20.0), (0.2, 0.3, 0.5))
    sample = sample_particles(psd, n=3000, seed=2, density_g_cc=2.33)
    sizes, counts = np.unique(sample.diameters_um, return_counts=True)
    np.testing.assert_array_equal(sizes, [5.0, 10.0, 20.0])
    assert np.all(np.abs(counts - 3000 * psd.class_fractions("number")) <= 1.0)
    assert sample.densities_g_cc == (2.33,)


def test_sample_fields_for_the_engine_layer():
    sample = sample_particles(Blend(paper_grades(), (0.2, 0.3, 0.5)), n=2000, seed=0)
    assert sample.diameters_um.dtype == np.float64 and sample.grade_index.dtype == np.int64
    assert sample.grade_names == ("large", "middle", "small")
    assert sample.densities_g_cc == (2.26, 2.26, 2.26)
    with pytest.raises(ValueError):
        sample.diameters_um[0] = 1.0  # read-only
    volumes = math.pi / 6 * sample.diameters_um**3
    assert sample.solid_volume_um3 == pytest.approx(volumes.sum())
    assert sample.mass_pg == pytest.approx(2.26 * volumes.sum())
    np.testing.assert_allclose(sample.masses_pg, 2.26 * volumes)
    table = sample.volume_by_grade_and_class([1.0, 10.0, 20.0, 100.0])
    assert table.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(table.sum(axis=1), sample.volume_fractions_by_grade())


def test_sample_split_by_class_matches_blend():
    blend = Blend(paper_grades(), (0.3, 0.3, 0.4))
    edges = [3.0, 8.0, 12.0, 18.0, 25.0, 50.0]
    sample = sample_particles(blend, n=20000, seed=5)
    np.testing.assert_allclose(sample.volume_by_grade_and_class(edges), blend.volume_by_grade_and_class(edges),
                               atol=0.01)


def test_d_quantiles_volume_of_hand_made_sample():
    mono = ParticleSample(np.full(10, 7.0), np.zeros(10, int), ("a",), (2.0,))
    np.testing.assert_allclose(mono.d_quantiles_volume([0.1, 0.5, 0.9]), 7.0)
    two = ParticleSample(np.array([1.0, 2.0]), np.array([0, 1]), ("a", "b"), (2.0, 4.0))
    np.testing.assert_allclose(two.volume_fractions_by_grade(), [1 / 9, 8 / 9])
    np.testing.assert_allclose(two.mass_fractions_by_grade(), [2 / 34, 32 / 34])


@pytest.mark.parametrize("kwargs, field", [
    (dict(n=100, solid_volume_um3=1e6, seed=1), "n"),
    (dict(seed=1), "n"),
    (dict(n=0, seed=1), "n"),
    (dict(n=2.5, seed=1), "n"),
    (dict(n=10**9, seed=1), "n"),
    (dict(solid_volume_um3=-1.0, seed=1), "solid_volume_um3"),
    (dict(solid_volume_um3=1.0, seed=1), "solid_volume_um3"),
    (dict(solid_volume_um3=1e15, seed=1), "solid_volume_um3"),
    (dict(n=10, seed=-1), "seed"),
    (dict(n=10, seed=True), "seed"),
    (dict(n=10, seed=1.5), "seed"),
])
def test_bad_sampling_arguments(kwargs, field):
    with pytest.raises(InputError) as err:
        sample_particles(Blend(paper_grades(), (0.2, 0.3, 0.5)), **kwargs)
    assert err.value.field == field
    assert "allowed" in str(err.value)


@pytest.mark.parametrize("kwargs, field", [
    (dict(diameters_um=[1.0, -1.0], grade_index=[0, 0], grade_names=("a",), densities_g_cc=(2.0,)), "diameters_um"),
    (dict(diameters_um=[1.0, 1.0], grade_index=[0, 1], grade_names=("a",), densities_g_cc=(2.0,)), "grade_index"),
    (dict(diameters_um=[1.0], grade_index=[0], grade_names=("a;b",), densities_g_cc=(2.0,)), "grade_names"),
    (dict(diameters_um=[1.0], grade_index=[0], grade_names=("a",), densities_g_cc=(0.0,)), "densities_g_cc"),
])
def test_particle_sample_validation(kwargs, field):
    with pytest.raises(InputError) as err:
        ParticleSample(**kwargs)
    assert err.value.field == field
