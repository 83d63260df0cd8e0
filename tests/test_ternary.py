"""Ternary packing sweep and its map."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sigdem.model.materials import GRAPHITE
from sigdem.plots.ternary import _scheffe_eval, _scheffe_fit, scheffe_terms, ternary_map
from sigdem.psd import Grade, lognormal_from_d50_gsd, ternary_grid
from sigdem.studies.packing import PackingStudy
from sigdem.studies.ternary import ternary_packing_sweep


def test_scheffe_fit_recovers_a_special_cubic_surface():
    coef = np.array([0.60, 0.62, 0.64, 0.08, 0.05, 0.03, -0.2])
    x = np.array([[float(a) for a in p] for p in ternary_grid(0.25)])
    y = np.array([_scheffe_eval(coef, *row) for row in x])
    fit, r2 = _scheffe_fit(x, y)
    assert np.allclose(fit, coef) and r2 == pytest.approx(1.0)


def test_six_blends_determine_the_quadratic_surface_exactly():
    coef = np.array([0.60, 0.62, 0.64, 0.08, 0.05, 0.03])
    x = np.array([[float(a) for a in p] for p in ternary_grid(0.5)])
    y = np.array([_scheffe_eval(coef, *row) for row in x])
    assert scheffe_terms(len(x)) == 6 and scheffe_terms(7) == 7 and scheffe_terms(4) == 3 and scheffe_terms(2) == 0
    fit, r2 = _scheffe_fit(x, y, 6)
    assert np.allclose(fit, coef) and r2 == pytest.approx(1.0)


@pytest.mark.parametrize("step", [0.25, 0.5, 1.0])
def test_ternary_map_draws_a_surface_from_any_grid(tmp_path, step):
    """The 0.5 grid (6 blends, the default paper workflow) must get a surface too: a special-cubic
    fit needs 7 blends and used to leave that map empty."""
    x = np.array([[float(a) for a in p] for p in ternary_grid(step)])
    table = pd.DataFrame({"x_a": x[:, 0], "x_b": x[:, 1], "x_c": x[:, 2], "solid_fraction": 0.6 + 0.01 * x[:, 1] + 0.05 * x[:, 0] * x[:, 2]})
    fig = ternary_map(table, ("a", "b", "c"), estimators=())
    contours = [coll for coll in fig.axes[0].collections if coll.__class__.__name__ != "PathCollection"]
    assert bool(contours) == (len(x) >= 3)
    assert len(fig.axes) == 2  # the map and its colour bar


def test_ternary_map_draws_a_figure(tmp_path):
    x = np.array([[float(a) for a in p] for p in ternary_grid(0.25)])
    table = pd.DataFrame({"x_a": x[:, 0], "x_b": x[:, 1], "x_c": x[:, 2],
                          "solid_fraction": 0.6 + 0.05 * x[:, 0] * x[:, 2], "farr_groot": 0.64 + 0.1 * x[:, 0] * x[:, 2]})
    fig = ternary_map(table, ("a", "b", "c"))
    fig.savefig(tmp_path / "map.png")
    assert len(fig.axes) >= 2 and (tmp_path / "map.png").stat().st_size > 10_000


@pytest.mark.lammps
def test_sweep_covers_the_grid_in_parallel_and_resumes(tmp_path):
    grades = tuple(Grade(n, lognormal_from_d50_gsd(d, 1.2).truncate(0.6 * d, 1.6 * d).psd, 2.26)
                   for n, d in (("big", 12.0), ("mid", 10.0), ("fine", 8.0)))
    mat = replace(GRAPHITE, friction=0.3)
    template = PackingStudy(_blend(grades),
                            n_particles=500, replicates=1, material=mat)
    table = ternary_packing_sweep(grades, template, tmp_path, step=0.5, workers=2)
    assert len(table) == 6
    fractions = table[["x_big", "x_mid", "x_fine"]].to_numpy()
    assert np.allclose(fractions.sum(axis=1), 1.0)
    assert {tuple(r) for r in fractions.round(6)} == {tuple(float(a) for a in p) for p in ternary_grid(0.5)}
    assert table["all_converged"].all() and table["solid_fraction"].between(0.5, 0.7).all()
    folders = sorted(p.name for p in tmp_path.glob("settle-*"))
    assert len(folders) == 6
    stamps = {p: (tmp_path / p / "status.json").stat().st_mtime_ns for p in folders}
    again = ternary_packing_sweep(grades, template, tmp_path, step=0.5, workers=1)
    assert {p: (tmp_path / p / "status.json").stat().st_mtime_ns for p in folders} == stamps  # nothing rerun
    assert np.allclose(again.sort_values(["x_big", "x_mid"])["solid_fraction"],
                       table.sort_values(["x_big", "x_mid"])["solid_fraction"])


def _blend(grades):
    from sigdem.psd import blend_from_fractions

    return blend_from_fractions(grades, (1.0, 0.0, 0.0))
