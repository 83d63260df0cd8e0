"""Packing: analysis against geometry, and the packing study against known packing fractions."""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sigdem.errors import InputError, NotComputedError
from sigdem.analysis.solid_fraction import PackingFraction, bed_surface_height, sphere_slab_volume
from sigdem.model.materials import GRAPHITE
from sigdem.psd import lognormal_from_d50_gsd, monodisperse
from sigdem.psd.blend import as_blend
import sigdem.run.runners as runners
from sigdem.studies.packing import PACKING_NUMERICS, PACKING_SETTLE, PackingStudy, pour_once, run_packing


# ---- geometry (no LAMMPS) --------------------------------------------------------------------

def test_sphere_slab_volume_whole_half_and_cap():
    r = 2.0
    full = 4 / 3 * math.pi * r**3
    assert sphere_slab_volume(np.array([0.0]), np.array([r]), -10, 10)[0] == pytest.approx(full)
    assert sphere_slab_volume(np.array([0.0]), np.array([r]), 0, 10)[0] == pytest.approx(full / 2)
    h = 0.5  # cap of height h: pi h^2 (3r - h) / 3
    assert sphere_slab_volume(np.array([0.0]), np.array([r]), r - h, 10)[0] == pytest.approx(math.pi * h**2 * (3 * r - h) / 3)
    assert sphere_slab_volume(np.array([5.0]), np.array([r]), -1, 1)[0] == 0.0


def test_packing_fraction_of_a_simple_cubic_lattice():
    # simple cubic lattice of spheres touching: phi = pi/6 in any slab of whole cells
    a, n = 2.0, 8
    g = (np.arange(n) + 0.5) * a
    x, y, z = (v.ravel() for v in np.meshgrid(g, g, g, indexing="ij"))
    atoms = pd.DataFrame({"id": np.arange(x.size) + 1, "type": 1, "radius": a / 2, "x": x, "y": y, "z": z,
                          "mass": 1.0, "c_coord": 6})
    pf = PackingFraction(floor_gap_d=1.0, top_gap_d=1.0).compute(atoms, n * a, n * a)
    assert pf.surface_um == pytest.approx(n * a)
    assert pf.solid_fraction == pytest.approx(math.pi / 6, rel=1e-9)
    assert pf.coordination == 6


def test_result_before_compute_raises():
    with pytest.raises(NotComputedError):
        PackingFraction().solid_fraction


def test_surface_ignores_one_loose_particle():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 100, 2000), rng.uniform(0, 100, 2000)
    z = rng.uniform(0, 50, 2000)
    r = np.full(2000, 1.0)
    z[0] = 500.0  # one particle far above
    assert bed_surface_height(x, y, z, r, 100, 100, 10.0) < 60


# ---- the study on real LAMMPS beds (small) ---------------------------------------------------

MONO = as_blend(monodisperse(10.0), density_g_cc=2.26, name="mono")


def packing(blend=MONO, *, friction=0.0, n=500, replicates=1, numerics=PACKING_NUMERICS, seed=None, tmp):
    mat = replace(GRAPHITE, friction=friction, rolling_friction=0.0)
    study = PackingStudy(blend, n_particles=n, replicates=replicates, material=mat,
                         floor=replace(mat, name="floor", youngs_modulus_gpa=110.0), numerics=numerics, seed=seed)
    return run_packing(study, tmp)


@pytest.fixture(scope="module")
def frictionless_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return packing(tmp=root), root


@pytest.fixture(scope="module")
def frictionless(frictionless_root):
    return frictionless_root[0]


@pytest.mark.lammps
def test_monodisperse_frictionless_packs_random_close(frictionless):
    res = frictionless
    assert res.summary()["all_converged"]
    assert 0.62 <= res.solid_fraction.mean <= 0.65
    assert (res.table["lost_particles"] == 0).all()
    assert (res.table["n_particles"] == 500).all()
    # grade and size-class shares partition the slab's solid volume
    row = res.table.iloc[0]
    assert row["solid_fraction_mono"] == pytest.approx(row["solid_fraction"], rel=1e-12)
    classes = [c for c in res.table.columns if c.endswith("um") and c.startswith("solid_fraction_")]
    assert len(classes) == 2  # a monodisperse powder has one quartile edge: below / above 10 µm
    assert sum(row[c] for c in classes) == pytest.approx(row["solid_fraction"], rel=1e-12)


@pytest.mark.lammps
def test_friction_lowers_packing_monotonically(frictionless, tmp_path):
    phi = [frictionless.solid_fraction.mean]
    for mu in (0.1, 0.5):
        phi.append(packing(friction=mu, tmp=tmp_path).solid_fraction.mean)
    assert phi[0] > phi[1] > phi[2]
    assert 0.55 <= phi[2] <= 0.61  # random loose packing range for mu = 0.5


@pytest.mark.lammps
def test_polydisperse_packs_denser_than_monodisperse(frictionless, tmp_path):
    wide = as_blend(lognormal_from_d50_gsd(10.0, 1.5).truncate(4.0, 25.0).psd, density_g_cc=2.26, name="wide")
    res = packing(wide, n=1500, tmp=tmp_path)
    assert res.solid_fraction.mean > frictionless.solid_fraction.mean + 0.005


@pytest.fixture(scope="module")
def graphite_beds(tmp_path_factory):
    """Three replicate beds of 500 equal spheres with graphite friction (0.3), default factors."""
    root = tmp_path_factory.mktemp("accel")
    return packing(friction=0.3, replicates=3, tmp=root), root


@pytest.mark.lammps
@pytest.mark.parametrize("field,factor", [("gravity_g", 0.5), ("gravity_g", 2.0),
                                          ("modulus_scale", 0.5), ("modulus_scale", 2.0)])
def test_acceleration_factors_do_not_change_packing(graphite_beds, field, factor):
    """Halving or doubling either acceleration factor moves the mean packing by < 0.005.

    Same three initial beds each time (seeds do not depend on the factors), so the difference
    is the factor's effect plus the chaotic spread of the dynamics (~0.003 per bed).
    """
    base, root = graphite_beds
    num = replace(PACKING_NUMERICS, **{field: getattr(PACKING_NUMERICS, field) * factor})
    other = packing(friction=0.3, replicates=3, numerics=num, tmp=root)
    assert abs(other.solid_fraction.mean - base.solid_fraction.mean) < 0.005


@pytest.mark.lammps
def test_looser_stop_rule_does_not_change_packing(graphite_beds):
    """The default stop rule (KE/(M g D43) < 1e-5) against a 10x stricter one on the same three
    beds: mean packing within 0.002 (the settled structure is fixed long before), every bed
    converged, and the default stops earlier."""
    base, root = graphite_beds
    strict = run_packing(replace(base.study, settle=replace(base.study.settle, ke_tol=1e-6)), root)
    assert strict.summary()["all_converged"] and base.summary()["all_converged"]
    assert abs(strict.solid_fraction.mean - base.solid_fraction.mean) < 0.002
    assert base.table["settle_time_us"].sum() < strict.table["settle_time_us"].sum()


@pytest.mark.lammps
def test_acceleration_factors_keep_the_initial_bed(frictionless):
    num = replace(PACKING_NUMERICS, gravity_g=2 * PACKING_NUMERICS.gravity_g)
    other = replace(frictionless.study, numerics=num)
    assert other.job != frictionless.study.job
    assert other.deck(0).bed.fingerprint() == frictionless.study.deck(0).bed.fingerprint()


@pytest.mark.lammps
def test_scale_invariance_of_packing(tmp_path):
    """No cohesion: a bed with every size doubled packs the same (same seed, so the same scaled bed)."""
    small = packing(MONO, seed=7, replicates=2, tmp=tmp_path)
    big = packing(as_blend(monodisperse(20.0), density_g_cc=2.26, name="mono"), seed=7, replicates=2, tmp=tmp_path)
    for k in range(2):
        assert np.allclose(big.study.deck(k).bed.positions_um, 2 * small.study.deck(k).bed.positions_um)
    # paired, bed by bed (the same scaled bed): a 2-replicate CI would accept ~18 standard deviations
    diff = np.abs(big.table["solid_fraction"].to_numpy() - small.table["solid_fraction"].to_numpy())
    assert diff.max() < 0.005, diff


def must_not_run(self, folder, variables):
    raise AssertionError(f"{folder.path} was run again")


@pytest.mark.lammps
def test_finished_study_is_reused_not_rerun(frictionless_root, monkeypatch):
    first, root = frictionless_root
    monkeypatch.setattr(runners.InProcess, "execute", must_not_run)
    monkeypatch.setattr(runners.Executable, "execute", must_not_run)
    again = run_packing(first.study, root)
    assert again.solid_fraction.mean == first.solid_fraction.mean


@pytest.mark.lammps
def test_taps_densify_a_frictional_bed_and_its_poured_record_is_the_untapped_bed(tmp_path, monkeypatch):
    """Tapped density exceeds poured density (mu = 0.5 packs loose; taps let it rearrange). The tapped job's
    poured record (before its first tap) is byte for byte what the untapped job of the same bed ends with, so a
    study of the poured beds can read it there (pour_once) and need not pour them again."""
    mat = replace(GRAPHITE, friction=0.5)
    floor = replace(mat, name="floor", youngs_modulus_gpa=110.0)
    poured = run_packing(PackingStudy(MONO, n_particles=500, replicates=1, material=mat, floor=floor), tmp_path)
    tapped = run_packing(PackingStudy(MONO, n_particles=500, replicates=1, material=mat, floor=floor,
                                      settle=replace(PACKING_SETTLE, taps=5)), tmp_path)
    assert tapped.table["taps"].iloc[0] == 5 and bool(tapped.table["converged"].iloc[0])
    assert tapped.study.deck(0).bed.fingerprint() == poured.study.deck(0).bed.fingerprint()
    assert tapped.solid_fraction.mean > poured.solid_fraction.mean + 0.01
    assert (tapped.table["lost_particles"] == 0).all()

    untapped_folder = tmp_path / f"settle-{poured.table['job'].iloc[0]}"
    tapped_folder = tmp_path / f"settle-{tapped.table['job'].iloc[0]}"
    assert (tapped_folder / "poured.dump").read_bytes() == (untapped_folder / "settled.dump").read_bytes()
    assert (tapped_folder / "poured_result.txt").read_bytes() == (untapped_folder / "settle_result.txt").read_bytes()

    twin = pour_once(poured.study, [tapped.study])
    assert twin.poured_taps == 5 and twin.record == "poured"
    monkeypatch.setattr(runners.InProcess, "execute", must_not_run)
    monkeypatch.setattr(runners.Executable, "execute", must_not_run)
    again = run_packing(twin, tmp_path)  # read from the tapped folder, nothing runs
    assert list(again.table["job"]) == list(tapped.table["job"])
    cols = ["solid_fraction", "bed_density_g_cc", "coordination", "surface_um", "settle_time_us", "n_particles"]
    pd.testing.assert_frame_equal(again.table[cols], poured.table[cols])
    assert again.table["taps"].iloc[0] == 0

    # not the same beds, or no more replicates than the tapped study has: each pours its own
    other = replace(poured.study, material=replace(mat, friction=0.4))
    assert pour_once(other, [tapped.study]).poured_taps == 0
    assert pour_once(replace(poured.study, replicates=2), [tapped.study]).poured_taps == 0
    with pytest.raises(InputError, match="poured_taps"):
        replace(tapped.study, poured_taps=2)
