"""Calendering analyses on hand-built beds (pure Python, no LAMMPS): every number is a hand calculation."""

import math

import numpy as np
import pandas as pd
import pytest

from sigdem.analysis import (FLOOR, TOP, ContactForces, FractureRisk, Springback, ccdf, fracture_free_density,
                             size_class_labels)
from sigdem.errors import NotComputedError

STRESS = [f"c_stress[{q}]" for q in range(1, 7)]


def atoms_frame(rows):
    """rows: dicts with id, radius, z and optional x, y, type, floor_fz, top_fz ..."""
    cols = ["id", "type", "radius", "mass", "x", "y", "z", "c_coord"] + STRESS + \
           ["floor_fx", "floor_fy", "floor_fz", "top_fx", "top_fy", "top_fz"]
    out = pd.DataFrame([{c: r.get(c, 1 if c == "type" else 0.0) for c in cols} for r in rows])
    out["id"] = out["id"].astype(int)
    return out


def contacts_frame(rows):
    cols = ["id1", "id2", "dist", "fn", "ft_x", "ft_y", "ft_z", "ft", "branch_x", "branch_y", "branch_z"]
    return pd.DataFrame([{c: r.get(c, 0.0) for c in cols} for r in rows], columns=cols)


# ---- per-particle stress with walls ---------------------------------------------------------------

def test_sphere_squeezed_between_walls_has_the_hand_mean_stress():
    """One sphere (r = 2 µm) touching floor (z = 0) and wall (H = 4 µm), squeezed by F = 1000 nN.

    Branches (0,0,-r) and (0,0,+r): s_zz = -r F - r F = -2 r F; mean stress (tension +) = -2 r F / (3 V),
    so the compressive sigma_c = +2 r F / (3 V).
    """
    r, f = 2.0, 1000.0
    atoms = atoms_frame([{"id": 1, "radius": r, "z": r, "floor_fz": f, "top_fz": -f}])
    cf = ContactForces().compute(atoms, contacts_frame([]), wall_height_um=2 * r)
    p = cf.particles.iloc[0]
    volume = 4.0 / 3.0 * math.pi * r**3  # 33.51 µm³
    assert p["s_zz"] == pytest.approx(-2 * r * f)
    assert p["s_xx"] == 0 and p["s_yy"] == 0
    assert p["sigma_c_mpa"] == pytest.approx(2 * r * f / (3 * volume) / 1000.0)  # kPa -> MPa
    assert p["sigma_c_mpa"] == pytest.approx(0.0397887, rel=1e-5)  # 4000/(3*33.5103)/1000
    assert p["force_nN"] == 2 * f and p["coordination"] == 2 and p["wall_contacts"] == 2
    # a softened run maps back by 1/s: the same record read with modulus_scale 0.5 doubles the stress
    cf2 = ContactForces(modulus_scale=0.5).compute(atoms, contacts_frame([]), wall_height_um=2 * r)
    assert cf2.particles.iloc[0]["sigma_c_mpa"] == pytest.approx(2 * p["sigma_c_mpa"])


def test_wall_branch_ends_on_the_wall_plane_and_overlaps_come_from_geometry():
    """With overlaps (0.1 µm at each wall) the contact point is on the plane: branch = r - δ = 1.9 µm."""
    atoms = atoms_frame([{"id": 1, "radius": 2.0, "z": 1.9, "floor_fz": 500.0, "floor_fx": 40.0, "top_fz": -300.0}])
    cf = ContactForces().compute(atoms, contacts_frame([]), wall_height_um=3.8)
    p = cf.particles.iloc[0]
    assert p["s_zz"] == pytest.approx(-1.9 * 500.0 - 1.9 * 300.0)
    assert p["s_xz"] == pytest.approx(0.5 * -1.9 * 40.0)  # symmetrised b_z F_x / 2
    c = cf.contacts.set_index("j")
    assert c.loc[FLOOR, "overlap_um"] == pytest.approx(0.1) and c.loc[TOP, "overlap_um"] == pytest.approx(0.1)
    assert c.loc[FLOOR, "fn_nN"] == 500.0 and c.loc[TOP, "fn_nN"] == 300.0
    assert c.loc[FLOOR, "ft_sim_nN"] == 40.0 and c.loc[FLOOR, "r_star_um"] == 2.0


def test_side_overlap_splits_at_the_flat_where_both_caps_share_their_base_circle():
    """mdr's rigid flat: equal spheres share δ / 2; unequal ones split δ so that both caps have the same base
    radius, a² = h (2 r - h) on each side (checked here by that geometry, not by the formula); wall contacts have
    no such split (LAMMPS caps pairs only); the summary reports the largest side of the pairs."""
    from sigdem.analysis.contacts import side_overlap_ratio

    assert side_overlap_ratio(1.0, 1.0, 0.4) == pytest.approx(0.2)
    ri, rj, d = np.array([1.0, 2.0, 5.0]), np.array([3.0, 2.5, 1.5]), np.array([0.3, 0.8, 1.2])
    got = side_overlap_ratio(ri, rj, d)
    for a, b, delta, ratio in zip(ri, rj, d, got):
        # side h_a of sphere a from the base-circle condition, solved by bisection on [0, δ]
        lo, hi = 0.0, delta
        for _ in range(200):
            h = 0.5 * (lo + hi)
            lo, hi = (h, hi) if h * (2 * a - h) < (delta - h) * (2 * b - (delta - h)) else (lo, h)
        assert ratio == pytest.approx(max(h / a, (delta - h) / b), rel=1e-9)
    # the smaller sphere takes the larger share of δ relative to its radius
    assert got[0] > 0.3 / 2 / 1.0 and got[2] > 1.2 / 2 / 1.5
    atoms = atoms_frame([{"id": 1, "radius": 1.0, "z": 1.0, "x": 5.0, "y": 5.0},
                         {"id": 2, "radius": 3.0, "z": 4.7, "x": 5.0, "y": 5.0, "top_fz": -10.0}])
    cf = ContactForces().compute(atoms, contacts_frame([{"id1": 1, "id2": 2, "dist": 3.7, "fn": 100.0}]),
                                 wall_height_um=7.2)
    c = cf.contacts.set_index("j")
    assert c.loc[2, "side_overlap_ratio"] == pytest.approx(side_overlap_ratio(1.0, 3.0, 0.3))
    assert np.isnan(c.loc[TOP, "side_overlap_ratio"])
    assert cf.summary["max_side_overlap_ratio"] == pytest.approx(side_overlap_ratio(1.0, 3.0, 0.3))
    # a wall contact flattened further than the pair does not enter the summary
    deep = atoms.assign(z=[1.0, 4.7], radius=[1.0, 3.0])
    cf = ContactForces().compute(deep, contacts_frame([{"id1": 1, "id2": 2, "dist": 3.7, "fn": 100.0}]),
                                 wall_height_um=5.7)  # top wall overlaps sphere 2 by 2.0 µm = 0.67 r
    assert cf.summary["max_side_overlap_ratio"] == pytest.approx(side_overlap_ratio(1.0, 3.0, 0.3))


def test_pair_contacts_add_lammps_pair_stress_and_count_once_per_particle():
    atoms = atoms_frame([{"id": 1, "radius": 5.0, "z": 10.0, "c_stress[3]": -70.0},
                         {"id": 2, "radius": 3.0, "x": 7.5, "z": 10.0, "c_stress[3]": -30.0},
                         {"id": 3, "radius": 3.0, "x": 30.0, "z": 10.0}])
    contacts = contacts_frame([{"id1": 1, "id2": 2, "dist": 7.5, "fn": 1000.0},
                               {"id1": 2, "id2": 1, "dist": 7.5, "fn": 1000.0},  # listed by two MPI ranks
                               {"id1": 2, "id2": 3, "dist": 6.2, "fn": 0.0}])  # listed, not touching
    cf = ContactForces(modulus_scale=0.01).compute(atoms, contacts, wall_height_um=None)
    assert len(cf.contacts) == 1
    row = cf.contacts.iloc[0]
    assert row["overlap_um"] == pytest.approx(0.5) and row["r_star_um"] == pytest.approx(15 / 8)
    assert row["fn_nN"] == pytest.approx(1e5) and row["overlap_ratio"] == pytest.approx(0.5 / 3.0)
    p = cf.particles.set_index("id")
    assert list(p["coordination"]) == [1, 1, 0] and list(p["force_nN"]) == [1e5, 1e5, 0.0]
    assert p.loc[1, "s_zz"] == pytest.approx(-7000.0)  # pair stress x volume mapped by 1/s
    s = cf.summary
    assert s["max_force_mN"] == pytest.approx(0.1) and s["n_wall_contacts"] == 0
    assert s["elastic_range_exceeded"] and s["max_overlap_ratio"] == pytest.approx(1 / 6)


def test_results_before_compute_raise():
    for obj, name in ((ContactForces(), "particles"), (FractureRisk(), "at_risk_fraction"), (Springback(), "springback")):
        with pytest.raises(NotComputedError):
            getattr(obj, name)


def test_grouping_by_grade_and_size_class():
    assert list(size_class_labels(np.array([5.0, 8.0, 11.9, 40.0]))) == ["0-8", "8-12", "8-12", "30-inf"]
    atoms = atoms_frame([{"id": 1, "type": 1, "radius": 3.0, "z": 3.0, "floor_fz": 10.0},
                         {"id": 2, "type": 2, "radius": 10.0, "z": 10.0, "floor_fz": 30.0},
                         {"id": 3, "type": 2, "radius": 10.0, "x": 40.0, "z": 10.0, "floor_fz": 50.0}])
    cf = ContactForces().compute(atoms, contacts_frame([]), wall_height_um=None)
    g = cf.by_group("type").set_index("type")
    assert g.loc[2, "n"] == 2 and g.loc[2, "mean_force_mN"] == pytest.approx(40e-6)
    assert set(cf.by_group("size_class")["size_class"]) == {"0-8", "16-22"}
    risky = cf.by_group("type", at_risk=[False, True, False]).set_index("type")
    assert list(risky["at_risk_fraction"]) == [0.0, 0.5]


def test_past_elastic_range_is_flagged_and_logged(caplog):
    atoms = atoms_frame([{"id": 1, "radius": 4.0, "z": 3.9, "floor_fz": 10.0},   # δ/r = 0.025
                         {"id": 2, "radius": 4.0, "x": 20.0, "z": 3.0, "floor_fz": 10.0}])  # δ/r = 0.25
    with caplog.at_level("WARNING"):
        s = ContactForces().compute(atoms, contacts_frame([]), wall_height_um=None).summary
    assert s["elastic_range_exceeded"] and s["max_overlap_ratio"] == pytest.approx(0.25)
    assert s["fraction_past_elastic"] == 0.5 and "elastic range" in caplog.text
    caplog.clear()
    s = ContactForces().compute(atoms.head(1), contacts_frame([]), wall_height_um=None).summary
    assert not s["elastic_range_exceeded"] and not caplog.text


def test_slab_circles_cut_spheres_and_wrap_periodic_images():
    from sigdem.plots.calendering import slab_circles
    parts = pd.DataFrame({"x": [10.0, 1.0, 50.0], "y": [13.0, 39.0, 10.0], "z": [5.0, 5.0, 5.0], "radius": [5.0, 4.0, 3.0]})
    c = slab_circles(parts, 40.0, 40.0, y0_um=10.0)
    # sphere 0: d = 3 -> radius 4; sphere 1: y = 39 is 11 from the plane (through the periodic
    # boundary too): not cut; sphere 2: d = 0 -> radius 3
    by_row = c.groupby("row")["radius"].first()
    assert by_row.loc[0] == pytest.approx(4.0) and 1 not in by_row.index and by_row.loc[2] == 3.0
    parts.loc[1, "y"] = 8.0  # d = 2 -> radius sqrt(12); x = 1 - r < 0: an image at x = 41
    c = slab_circles(parts, 40.0, 40.0, y0_um=10.0)
    rows1 = c[c["row"] == 1].sort_values("x")
    assert list(rows1["x"]) == [1.0, 41.0] and rows1["radius"].iloc[0] == pytest.approx(math.sqrt(12.0))
    parts.loc[0, "y"] = 39.0  # 11 from the plane y = 10: not cut
    assert 0 not in set(slab_circles(parts, 40.0, 40.0, y0_um=10.0)["row"])
    assert 0 in set(slab_circles(parts, 40.0, 40.0, y0_um=37.0)["row"])  # distance 2
    assert 0 in set(slab_circles(parts, 40.0, 40.0, y0_um=1.0)["row"])  # 2 across the periodic boundary


def test_ccdf_is_the_fraction_at_or_above():
    x, frac = ccdf([3.0, 1.0, 2.0, 2.0])
    assert list(x) == [1.0, 2.0, 2.0, 3.0] and list(frac) == [1.0, 0.75, 0.75, 0.25]


# ---- fracture risk ---------------------------------------------------------------------------------

def hand_case():
    """Two particles in contact and one of them pressed by the floor; s = 0.01."""
    atoms = atoms_frame([{"id": 1, "radius": 5.0, "z": 10.0},
                         {"id": 2, "radius": 4.0, "x": 8.0, "z": 3.8, "floor_fz": 2.0e4}])
    # pair: r 5 and 4 at distance 8.5 -> δ = 0.5, R* = 20/9; F_sim 1e4 -> F_real 1e6 nN (1 mN)
    contacts = contacts_frame([{"id1": 1, "id2": 2, "dist": 8.5, "fn": 1.0e4}])
    return ContactForces(modulus_scale=0.01).compute(atoms, contacts, wall_height_um=None)


def test_fracture_index_equals_the_hand_calculation():
    cf = hand_case()
    risk = FractureRisk(threshold_gpa=1.0).compute(cf.contacts, cf.particles["id"])
    # pair: p0 = 3 F / (2 π R* δ) = 3e6 / (2 π 20/9 0.5) kPa = 429,718 kPa = 0.42972 GPa
    # floor: δ = 4 - 3.8 = 0.2, R* = 4, F_real = 2e6 nN: p0 = 6e6 / (2 π 0.8) = 1,193,662 kPa = 1.19366 GPa
    p0 = risk.contacts.set_index("j")["p0_gpa"]
    assert p0.loc[2] == pytest.approx(0.429718, rel=1e-5)
    assert p0.loc[FLOOR] == pytest.approx(1.193662, rel=1e-5)
    parts = risk.particles.set_index("id")
    assert parts.loc[1, "max_p0_gpa"] == pytest.approx(0.429718, rel=1e-5)
    assert parts.loc[2, "max_p0_gpa"] == pytest.approx(1.193662, rel=1e-5)
    assert list(parts["at_risk"]) == [False, True] and risk.at_risk_fraction == 0.5
    assert FractureRisk(threshold_gpa=1.2).compute(cf.contacts, cf.particles["id"]).at_risk_fraction == 0.0
    assert math.isnan(risk.expected_failed_fraction)


def test_weibull_failure_probability_is_weakest_link_over_contacts():
    cf = hand_case()
    risk = FractureRisk(weibull_sigma0_gpa=1.0, weibull_m=2.0).compute(cf.contacts, cf.particles["id"])
    parts = risk.particles.set_index("id")
    assert parts.loc[1, "failure_probability"] == pytest.approx(1 - math.exp(-(0.429718**2)), rel=1e-5)
    assert parts.loc[2, "failure_probability"] == pytest.approx(1 - math.exp(-(0.429718**2 + 1.193662**2)), rel=1e-5)
    with pytest.raises(ValueError):
        FractureRisk(weibull_m=10.0)


def test_peak_pressure_is_hertz_for_a_hertz_force():
    """p0 = 3F/(2πa²) of a Hertz force equals (2/π) E* sqrt(δ/R*) (Johnson 1985)."""
    from sigdem.analysis.fracture import hertz_peak_pressure_kpa
    e_star, r_star, delta = 1.1e7, 2.5, 0.04
    force = 4.0 / 3.0 * e_star * math.sqrt(r_star) * delta**1.5
    assert hertz_peak_pressure_kpa(force, r_star, delta) == pytest.approx(2 / math.pi * e_star * math.sqrt(delta / r_star))


def test_fracture_free_density_interpolates_between_targets():
    rho = [1.3, 1.5, 1.6, 1.75]
    # passes 1 % between 1.5 (0.5 %) and 1.6 (2 %): 1.5 + 0.1 x 0.005/0.015
    assert fracture_free_density(rho, [0.0, 0.005, 0.02, 0.1]) == (pytest.approx(1.5 + 0.1 / 3), "interpolated")
    assert fracture_free_density(rho, [0.02, 0.03, 0.04, 0.1]) == (1.3, "at_or_below_first")
    assert fracture_free_density(rho, [0.0, 0.0, 0.0, 0.01]) == (1.75, "not_reached")
    assert fracture_free_density(rho, [0.0, 0.0, 0.0, 0.5], level=0.25)[0] == pytest.approx(1.6 + 0.15 / 2)
    with pytest.raises(ValueError):
        fracture_free_density([1.5, 1.3], [0.0, 0.1])


# ---- springback ------------------------------------------------------------------------------------

def layer(z, n=4, side=40.0, r=5.0):
    g = (np.arange(n) + 0.5) * side / n
    x, y = np.meshgrid(g, g)
    return pd.DataFrame({"x": x.ravel(), "y": y.ravel(), "z": np.full(n * n, z), "radius": r})


def test_springback_of_a_lifted_bed_and_of_an_unchanged_one():
    compressed = pd.concat([layer(5.0), layer(15.0)], ignore_index=True)  # surface 20 µm
    relaxed = pd.concat([layer(5.0), layer(16.0)], ignore_index=True)  # surface 21 µm
    sb = Springback().compute(compressed, relaxed, 40.0, 40.0)
    assert (sb.compressed_um, sb.relaxed_um) == (20.0, 21.0) and sb.springback == pytest.approx(0.05)
    assert Springback().compute(compressed, compressed, 40.0, 40.0).springback == 0.0
    # one loose particle on top does not move the surface
    loose = pd.concat([relaxed, pd.DataFrame({"x": [3.0], "y": [3.0], "z": [60.0], "radius": [5.0]})], ignore_index=True)
    assert Springback().compute(pd.concat([compressed, loose.tail(1)]), loose, 40.0, 40.0).relaxed_um == 21.0
    with pytest.raises(ValueError, match="lost"):
        Springback().compute(compressed, relaxed.head(5), 40.0, 40.0)


def test_density_figures_render_and_keep_error_bars_above_zero(tmp_path):
    from sigdem.plots.calendering import force_ccdf_figure, property_density_figure
    s = pd.DataFrame({"target_density_g_cc": [1.3, 1.5], "at_risk_fraction": [0.05, 0.5],
                      "at_risk_fraction_ci95": [0.2, 0.1]})
    fig = property_density_figure({"SiG": s}, "at_risk_fraction", ylabel="at risk", level=0.01)
    lower = fig.axes[0].containers[0].lines[2][0].get_segments()[0][0][1]  # bottom of the first error bar
    assert lower == pytest.approx(0.0)
    fig = force_ccdf_figure({"SiG 1.3 g/cc": [0.1, 1.0, 2.0], "empty": []})
    fig.savefig(tmp_path / "ccdf.png")
    assert len(fig.axes[0].lines) == 1 and (tmp_path / "ccdf.png").stat().st_size > 5000
