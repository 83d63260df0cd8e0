"""Size-resolved forces and the statics check on synthetic tables with known answers."""

import math

import numpy as np
import pandas as pd
import pytest

from sigdem import units
from sigdem.analysis.size_stats import ALL, bed_mean_stress_mpa, forces_by_size_class, statics_check
from sigdem.errors import InputError


def cubic_lattice(n, d_um, p_mpa, first_id=1, label="x", scale=1.0):
    """Periodic simple cubic lattice of equal spheres under isotropic stress p: every contact
    carries p d², Z = 6, phi = pi/6 and each particle's stress is p / phi."""
    ids = first_id + np.arange(n**3).reshape(n, n, n)
    f = units.to_micro(p_mpa, "MPa") * d_um**2  # kPa x µm² = nN
    pairs = [(ids[x, y, z], ids[(x + dx) % n, (y + dy) % n, (z + dz) % n])
             for x in range(n) for y in range(n) for z in range(n) for dx, dy, dz in ((1, 0, 0), (0, 1, 0), (0, 0, 1))]
    i, j = np.array(pairs).T
    contacts = pd.DataFrame({"i": i, "j": j, "kind": "pair", "fn_nN": f, "fn_sim_nN": f * scale,
                             "overlap_um": 0.0, "r_star_um": d_um / 4, "r_min_um": d_um / 2})
    particles = pd.DataFrame({"id": ids.ravel(), "radius_um": d_um / 2, "size_class": label, "force_nN": 6 * f,
                              "sigma_c_mpa": 6 * p_mpa / math.pi, "coordination": 6})
    return contacts, particles


def test_cubic_lattice_statics_ratio_is_one():
    p = 20.0
    c, parts = cubic_lattice(4, 10.0, p)
    assert bed_mean_stress_mpa(parts, math.pi / 6) == pytest.approx(p, rel=1e-12)
    out = statics_check(parts, c, wall_pressure_mpa=p, solid_fraction=math.pi / 6).set_index("size_class")
    for col in ("ratio_wall", "ratio_mean_stress", "ratio_own_stress"):
        assert out.loc[ALL, col] == pytest.approx(1.0, rel=1e-12)
    # <F> = p d² = 20 MPa x 100 µm² = 2 mN
    assert out.loc[ALL, "mean_force_mN"] == pytest.approx(2.0, rel=1e-12)
    assert out.loc[ALL, "coordination"] == 6 and out.loc[ALL, "d_um"] == pytest.approx(10.0)
    higher_wall = statics_check(parts, c, wall_pressure_mpa=1.5 * p, solid_fraction=math.pi / 6)
    assert higher_wall["ratio_wall"].iloc[-1] == pytest.approx(1 / 1.5, rel=1e-12)
    assert higher_wall["ratio_mean_stress"].iloc[-1] == pytest.approx(1.0, rel=1e-12)


def test_two_lattices_per_class_ratios_and_given_mean_stress():
    p = 10.0
    c1, p1 = cubic_lattice(3, 8.0, p, 1, "small")
    c2, p2 = cubic_lattice(3, 20.0, p, 1000, "large")
    c, parts = pd.concat([c1, c2], ignore_index=True), pd.concat([p1, p2], ignore_index=True)
    out = statics_check(parts, c, wall_pressure_mpa=p, solid_fraction=math.pi / 6)
    assert out["size_class"].tolist() == ["small", "large", ALL]  # ordered by size
    assert out["ratio_mean_stress"].iloc[:2].to_numpy() == pytest.approx([1.0, 1.0], rel=1e-12)
    assert out["mean_stress_mpa"].iloc[0] == pytest.approx(p, rel=1e-12)
    given = statics_check(parts, c, wall_pressure_mpa=p, solid_fraction=math.pi / 6, mean_stress_mpa=2 * p)
    assert given["ratio_mean_stress"].iloc[:2].to_numpy() == pytest.approx([0.5, 0.5], rel=1e-12)


def random_bed(seed=3, n=60, n_pairs=150, n_walls=20):
    rng = np.random.default_rng(seed)
    r = rng.uniform(2, 15, n)
    ids = np.arange(1, n + 1)
    i = rng.integers(1, n + 1, n_pairs + n_walls)
    j = np.concatenate([rng.integers(1, n + 1, n_pairs), rng.choice([-1, -2], n_walls)])
    j[:n_pairs] = np.where(j[:n_pairs] == i[:n_pairs], j[:n_pairs] % n + 1, j[:n_pairs])
    fn = rng.exponential(1e5, i.size)
    rs = np.where(j > 0, r[i - 1] * r[np.abs(j) - 1] / (r[i - 1] + r[np.abs(j) - 1]), r[i - 1])
    contacts = pd.DataFrame({"i": i, "j": j, "fn_nN": fn, "fn_sim_nN": fn / 50, "overlap_um": 0.01 * rs,
                             "r_star_um": rs})
    from sigdem.analysis.contacts import size_class_labels
    particles = pd.DataFrame({"id": ids, "radius_um": r, "size_class": size_class_labels(2 * r),
                              "force_nN": rng.uniform(0, 1e6, n), "sigma_c_mpa": rng.uniform(0, 50, n),
                              "coordination": rng.integers(0, 9, n)})
    return contacts, particles


def test_counts_sum_back_to_the_whole_bed():
    c, parts = random_bed()
    n_pairs, n_walls = int((c["j"] > 0).sum()), int((c["j"] < 0).sum())
    out = forces_by_size_class(c, parts).set_index("size_class")
    classes = out.drop(index=ALL)
    assert classes["n_contacts"].sum() == out.loc[ALL, "n_contacts"] == 2 * n_pairs + n_walls
    assert classes["n_particles"].sum() == out.loc[ALL, "n_particles"] == len(parts)
    smaller = forces_by_size_class(c, parts, by="smaller").set_index("size_class")
    assert smaller.drop(index=ALL)["n_contacts"].sum() == smaller.loc[ALL, "n_contacts"] == len(c)
    # the whole-bed maximum is the largest class maximum, and the real/simulated ratio is the scale
    assert out.loc[ALL, "fn_max_mN"] == pytest.approx(classes["fn_max_mN"].max())
    assert out.loc[ALL, "fn_max_mN"] == pytest.approx(units.from_micro(c["fn_nN"].max(), "mN"))
    assert out["fn_median_mN"].to_numpy() == pytest.approx(50 * out["fn_sim_median_mN"].to_numpy())


def test_class_values_by_hand():
    c, parts = random_bed()
    out = forces_by_size_class(c, parts).set_index("size_class")
    name = parts["size_class"].iloc[0]
    mine = set(parts.loc[parts["size_class"] == name, "id"])
    fn = np.concatenate([c.loc[c["i"].isin(mine), "fn_nN"], c.loc[c["j"].isin(mine), "fn_nN"]])
    assert out.loc[name, "n_contacts"] == fn.size
    assert out.loc[name, "fn_p99_mN"] == pytest.approx(np.percentile(fn, 99) * 1e-6)
    sig = parts.loc[parts["size_class"] == name, "sigma_c_mpa"]
    assert out.loc[name, "sigma_c_median_mpa"] == pytest.approx(np.median(sig))
    # a/R with a = sqrt(R* delta) = 0.1 R*: for the pair's particle k, a/R_k = 0.1 R* / R_k
    a_over_r = out.loc[ALL, "a_over_r_median"]
    assert 0 < a_over_r < 0.1


def test_bad_inputs_refused():
    c, parts = cubic_lattice(2, 10.0, 1.0)
    with pytest.raises(InputError, match="solid_fraction"):
        statics_check(parts, c, 1.0, 1.2)
    with pytest.raises(InputError, match="wall_pressure_mpa"):
        statics_check(parts, c, -1.0, 0.6)
    with pytest.raises(InputError, match="particles"):
        forces_by_size_class(c, parts.drop(columns="sigma_c_mpa"))
    with pytest.raises(InputError, match="by"):
        forces_by_size_class(c, parts, by="larger")
