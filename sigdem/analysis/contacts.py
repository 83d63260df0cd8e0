"""Contact forces and particle stress of a compressed bed, wall contacts included.

Input: one record of ``calender.lmp`` (``target_<k>.dump`` particles, ``target_<k>_contacts.dump``
pairs, and the wall height of ``targets.txt``), in LAMMPS ``units micro`` (µm, nN, kPa).

Mapping back to the real material. A run with contacts ``modulus_scale`` (s) times softer than
the material has, at the same geometry (same overlaps), Hertz forces s times the real ones
(F = 4/3 E* sqrt(R*) δ^1.5 is linear in E*). sigdem therefore reads every force and stress of a
softened run as F_real = F_sim / s at the geometry the run produced. This holds while the bed is
quasi-static and its own (scaled) weight is small against the wall force; the calendering study
reports both (inertial number, weight share) and tests the mapping at two moduli.

Wall contacts. ``compute contact/atom`` and ``compute stress/atom`` see pair contacts only; the
floor (plane z = 0) and the top wall (plane z = H) act through the per-atom wall forces
``floor_f*`` / ``top_f*``. A wall contact contributes the dyad b ⊗ F to the particle's
stress x volume, with b the branch vector from the centre to the contact point, which LAMMPS puts
on the wall plane: b = (0, 0, -z) for the floor and (0, 0, H - z) for the top wall (= (0, 0, ∓r)
at zero overlap). Its overlap is δ = r - z (floor) or z + r - H (top), and R* = r.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from sigdem import units
from sigdem.analysis.base import Compute
from sigdem.errors import InputError

log = logging.getLogger(__name__)

#: Partner id of a floor contact (``j`` column of the contact table).
FLOOR = -1
#: Partner id of a top-wall contact.
TOP = -2
#: Overlap / radius past which Hertz's small-strain elastic contact no longer holds (a few %).
ELASTIC_OVERLAP_LIMIT = 0.05
#: LAMMPS's cap on an mdr pair contact's overlap on one side of its rigid flat, in radii (``MDR_OVERLAP_LIMIT`` in
#: GRANULAR/gran_sub_mod_normal.cpp): past it the model sees less overlap than the particles have. 0.95 in the pinned
#: build (the only candidate among the constants ``GranSubModNormalMDR::calculate_forces`` loads in the wheel's
#: liblammps.so; 0.75 is not among them) and in develop; it was 0.75 when mdr was first merged (PR #4409), the value
#: sigdem assumed until 4 Dec 2026 (benchmarks/results/mdr_overlap_cap_2026-12-04.txt). Wall contacts are not
#: capped; their force is multiplied by exp(10.7 delta_o / R_o - 10) + 1 (1.6 at 0.88 R, 3 at 1.0 R).
MDR_SIDE_OVERLAP_LIMIT = 0.95
#: Default diameter edges (µm) of the size classes: comparable across blends of the paper's grades.
DEFAULT_SIZE_EDGES_UM = (0.0, 8.0, 12.0, 16.0, 22.0, 30.0, np.inf)

_WALL_COLUMNS = ("floor_fx", "floor_fy", "floor_fz", "top_fx", "top_fy", "top_fz")


def unique_pairs(contacts: pd.DataFrame) -> pd.DataFrame:
    """Each pair contact once: with ``newton off`` on several MPI ranks, ``compute pair/local`` lists a pair
    that straddles two ranks once on each; rows with the same two ids and the same distance are kept once."""
    lo = np.minimum(contacts["id1"], contacts["id2"])
    hi = np.maximum(contacts["id1"], contacts["id2"])
    return contacts[~pd.DataFrame({"lo": lo, "hi": hi, "d": contacts["dist"]}).duplicated()]


def side_overlap_ratio(ri, rj, overlap) -> np.ndarray:
    """The larger of the two sides' overlap / radius of pair contacts split by mdr's rigid flat.

    mdr (Zunker & Kamrin 2024) puts a rigid flat between two overlapping spheres where both spherical caps
    have the same base circle: h_i (2 r_i - h_i) = h_j (2 r_j - h_j) with h_i + h_j = δ, so
    h_i = δ (δ - 2 r_j) / (2 (δ - r_i - r_j)). Equal spheres share δ / 2; a small sphere pressed by a large one
    takes most of δ on its own side. Returns max(h_i / r_i, h_j / r_j) per contact.
    """
    ri, rj, d = (np.asarray(v, dtype=float) for v in (ri, rj, overlap))
    den = 2.0 * (d - ri - rj)
    return np.maximum(d * (d - 2.0 * rj) / den / ri, d * (d - 2.0 * ri) / den / rj)


def pair_contacts(atoms: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """Pair contacts with overlap > 0: ``i j kind fn ft overlap r_star r_min`` (sim units: nN, µm), each once
    (:func:`unique_pairs`)."""
    contacts = unique_pairs(contacts)
    r = pd.Series(atoms["radius"].to_numpy(float), index=atoms["id"].to_numpy())
    i, j = contacts["id1"].to_numpy(np.int64), contacts["id2"].to_numpy(np.int64)
    ri, rj = r.loc[i].to_numpy(), r.loc[j].to_numpy()
    overlap = ri + rj - contacts["dist"].to_numpy(float)
    out = pd.DataFrame({"i": i, "j": j, "kind": "pair", "fn": contacts["fn"].to_numpy(float),
                        "ft": contacts["ft"].to_numpy(float), "overlap": overlap,
                        "r_star": ri * rj / (ri + rj), "r_min": np.minimum(ri, rj),
                        "side_overlap_ratio": side_overlap_ratio(ri, rj, overlap)})
    if "area" in contacts:  # mdr's contact area (pair/local p13), µm²: geometric, the same in a softened run
        out["area_um2"] = contacts["area"].to_numpy(float)
    return out[out["overlap"] > 0].reset_index(drop=True)


def wall_contacts(atoms: pd.DataFrame, wall_height_um: float | None) -> pd.DataFrame:
    """Floor and top-wall contacts (non-zero wall force) in the layout of :func:`pair_contacts`,
    plus ``branch_z``: the z component of the centre-to-contact-point vector (µm)."""
    missing = [c for c in _WALL_COLUMNS if c not in atoms]
    if missing:
        raise InputError("atoms", f"needs the wall-force columns {', '.join(missing)} of a calender.lmp dump")
    z, r, ids = atoms["z"].to_numpy(float), atoms["radius"].to_numpy(float), atoms["id"].to_numpy(np.int64)
    parts = []
    for wall, partner in (("floor", FLOOR), ("top", TOP)):
        f = atoms[[f"{wall}_fx", f"{wall}_fy", f"{wall}_fz"]].to_numpy(float)
        hit = np.any(f != 0.0, axis=1)
        if not hit.any():
            continue
        if wall == "floor":
            branch, overlap, fn = -z, r - z, f[:, 2]
        else:
            if wall_height_um is None:
                raise InputError("wall_height_um", "top-wall contacts present: give the wall height (targets.txt ztop)")
            branch, overlap, fn = wall_height_um - z, z + r - wall_height_um, -f[:, 2]
        parts.append(pd.DataFrame({"i": ids[hit], "j": partner, "kind": wall, "fn": fn[hit],
                                   "ft": np.hypot(f[hit, 0], f[hit, 1]), "overlap": overlap[hit],
                                   "r_star": r[hit], "r_min": r[hit], "branch_z": branch[hit],
                                   "side_overlap_ratio": np.nan}))
    cols = ["i", "j", "kind", "fn", "ft", "overlap", "r_star", "r_min", "branch_z", "side_overlap_ratio"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def wall_stress_dyads(atoms: pd.DataFrame, wall_height_um: float | None) -> np.ndarray:
    """Per-particle sum of wall dyads b ⊗ F as LAMMPS's 6 components (xx yy zz xy xz yz), nN·µm.

    b = (0, 0, b_z) on the wall plane, so only zz, xz and yz are non-zero; the off-diagonal
    parts are symmetrised (½(b_x F_z + b_z F_x) = ½ b_z F_x), the trace is exact.
    """
    z = atoms["z"].to_numpy(float)
    out = np.zeros((len(atoms), 6))
    for wall in ("floor", "top"):
        f = atoms[[f"{wall}_fx", f"{wall}_fy", f"{wall}_fz"]].to_numpy(float)
        if wall == "floor":
            bz = -z
        else:
            bz = (wall_height_um - z) if wall_height_um is not None else np.zeros_like(z)
            if wall_height_um is None and np.any(f != 0.0):
                raise InputError("wall_height_um", "top-wall forces present: give the wall height")
        out[:, 2] += bz * f[:, 2]
        out[:, 4] += 0.5 * bz * f[:, 0]
        out[:, 5] += 0.5 * bz * f[:, 1]
    return out


def size_class_labels(diameters_um: np.ndarray, edges_um=DEFAULT_SIZE_EDGES_UM) -> np.ndarray:
    """Label ``"8-12"`` etc. of each diameter's class [lo, hi) (µm)."""
    edges = np.asarray(edges_um, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise InputError("size_edges_um", f"{edges_um!r} must be at least two strictly increasing diameters (µm)")
    names = [f"{lo:g}-{hi:g}" for lo, hi in zip(edges[:-1], edges[1:])]
    idx = np.clip(np.searchsorted(edges, diameters_um, side="right") - 1, 0, len(names) - 1)
    return np.asarray(names, dtype=object)[idx]


def ccdf(values) -> tuple[np.ndarray, np.ndarray]:
    """Complementary cumulative distribution: sorted values x and the fraction of values >= x."""
    x = np.sort(np.asarray(values, dtype=float))
    return x, 1.0 - np.searchsorted(x, x, side="left") / max(x.size, 1)


@dataclass
class ContactForces(Compute):
    """Contact-force statistics, per-particle force and stress, and coordination, walls included.

    ``modulus_scale``: the run's contact modulus / the real one (forces map back as F / s, see
    the module docstring). ``size_edges_um``: diameter classes.

    ``compute(atoms, contacts, wall_height_um)`` fills:

    - ``contacts``: one row per contact (pairs, floor, top) with ``fn_nN`` (real normal force),
      ``fn_sim_nN``, ``overlap_um``, ``r_star_um``, ``overlap_ratio`` (δ / smaller radius),
      ``side_overlap_ratio`` (pairs: mdr's rigid-flat split, :func:`side_overlap_ratio`; NaN at a wall);
    - ``particles``: per particle id, type, radius_um, x, y, z, ``force_nN`` (sum of its normal contact forces), stress x volume
      ``s_xx … s_yz`` (real, nN·µm, tension positive, walls included), ``sigma_c_mpa`` (mean
      compressive stress -(s_xx+s_yy+s_zz)/(3V), real MPa), ``coordination`` (pairs + walls),
      ``type``, ``size_class``, ``wall_contacts``;
    - ``summary``: max / median / p90 / p99 normal force (mN), overlap ratio max / p99, side overlap ratio max / p99
      of the pair contacts, flags.
    """

    modulus_scale: float = 1.0
    size_edges_um: tuple = DEFAULT_SIZE_EDGES_UM
    overlap_limit: float | None = ELASTIC_OVERLAP_LIMIT  # None: a plastic contact law, no elastic range to leave
    RESULTS: ClassVar[tuple[str, ...]] = ("contacts", "particles", "summary")
    _res: dict = field(default_factory=dict, repr=False)

    def compute(self, atoms: pd.DataFrame, contacts: pd.DataFrame, wall_height_um: float | None) -> "ContactForces":
        if not 0 < self.modulus_scale <= 1:
            raise InputError("modulus_scale", f"{self.modulus_scale!r} outside (0, 1]")
        s = self.modulus_scale
        table = pd.concat([pair_contacts(atoms, contacts), wall_contacts(atoms, wall_height_um)], ignore_index=True)
        table = table.rename(columns={"fn": "fn_sim_nN", "ft": "ft_sim_nN", "overlap": "overlap_um",
                                      "r_star": "r_star_um", "r_min": "r_min_um", "branch_z": "branch_z_um"})
        table["fn_nN"] = table["fn_sim_nN"] / s
        table["overlap_ratio"] = table["overlap_um"] / table["r_min_um"]

        ids = atoms["id"].to_numpy(np.int64)
        pos = pd.Series(np.arange(len(ids)), index=ids)
        n = len(ids)
        force = np.zeros(n)
        coord = np.zeros(n, dtype=np.int64)
        fn_pos = np.clip(table["fn_sim_nN"].to_numpy(float), 0.0, None) / s
        for col in ("i", "j"):
            who = table[col].to_numpy(np.int64)
            mine = who > 0
            k = pos.loc[who[mine]].to_numpy()
            np.add.at(force, k, fn_pos[mine])
            np.add.at(coord, k, 1)
        walls = table["j"].to_numpy() < 0
        n_wall = np.zeros(n, dtype=np.int64)
        np.add.at(n_wall, pos.loc[table["i"].to_numpy(np.int64)[walls]].to_numpy(), 1)

        stress_cols = [f"c_stress[{q}]" for q in range(1, 7)]
        sv = (atoms[stress_cols].to_numpy(float) + wall_stress_dyads(atoms, wall_height_um)) / s
        r = atoms["radius"].to_numpy(float)
        volume = 4.0 / 3.0 * np.pi * r**3
        particles = pd.DataFrame({"id": ids, "type": atoms["type"].to_numpy(), "radius_um": r,
                                  "x": atoms["x"].to_numpy(float), "y": atoms["y"].to_numpy(float),
                                  "z": atoms["z"].to_numpy(float),
                                  "size_class": size_class_labels(2.0 * r, self.size_edges_um),
                                  "force_nN": force, "coordination": coord, "wall_contacts": n_wall})
        for q, name in enumerate(("s_xx", "s_yy", "s_zz", "s_xy", "s_xz", "s_yz")):
            particles[name] = sv[:, q]
        particles["sigma_c_mpa"] = units.from_micro(-(sv[:, 0] + sv[:, 1] + sv[:, 2]) / (3.0 * volume), "MPa")
        self._res = {"contacts": table, "particles": particles, "summary": self._summary(table)}
        return self

    def _summary(self, table: pd.DataFrame) -> dict:
        fn = units.from_micro(table["fn_nN"].to_numpy(float), "mN")
        ratio = table["overlap_ratio"].to_numpy(float)
        out = {"n_contacts": int(len(table)), "n_wall_contacts": int((table["j"] < 0).sum())}
        for name, fun in (("max", np.max), ("median", np.median), ("p90", lambda v: np.percentile(v, 90)),
                          ("p99", lambda v: np.percentile(v, 99))):
            out[f"{name}_force_mN"] = float(fun(fn)) if fn.size else np.nan
        out["max_overlap_ratio"] = float(ratio.max()) if ratio.size else 0.0
        out["p99_overlap_ratio"] = float(np.percentile(ratio, 99)) if ratio.size else 0.0
        side = table["side_overlap_ratio"].dropna().to_numpy(float)
        out["max_side_overlap_ratio"] = float(side.max()) if side.size else 0.0
        out["p99_side_overlap_ratio"] = float(np.percentile(side, 99)) if side.size else 0.0
        limit = self.overlap_limit if self.overlap_limit is not None else math.inf
        out["fraction_past_elastic"] = float((ratio > limit).mean()) if ratio.size else 0.0
        out["elastic_range_exceeded"] = bool(out["max_overlap_ratio"] > limit)
        if out["elastic_range_exceeded"]:
            log.warning("Hertz pushed past its elastic range: overlap/radius up to %.3g (p99 %.3g; %.1f %% of contacts "
                        "above %.3g)", out["max_overlap_ratio"], out["p99_overlap_ratio"],
                        100 * out["fraction_past_elastic"], self.overlap_limit)
        return out

    def force_ccdf(self, unit: str = "mN") -> tuple[np.ndarray, np.ndarray]:
        """CCDF of the real normal contact forces (the paper's "accumulated compressive force")."""
        return ccdf(units.from_micro(self.contacts["fn_nN"].to_numpy(float), unit))

    def by_group(self, by: str = "type", at_risk=None) -> pd.DataFrame:
        """Per-particle statistics split by ``"type"`` (grade) or ``"size_class"``; with ``at_risk``
        (a flag per particle, in the order of ``particles``) also the at-risk fraction of each group."""
        if by not in ("type", "size_class"):
            raise InputError("by", f"{by!r}; allowed: 'type', 'size_class'")
        p = self.particles.assign(force_mN=lambda d: units.from_micro(d["force_nN"], "mN"))
        if at_risk is not None:
            p["at_risk"] = np.asarray(at_risk, dtype=float)
        g = p.groupby(by)
        out = pd.DataFrame({"n": g.size(), "mean_force_mN": g["force_mN"].mean(), "max_force_mN": g["force_mN"].max(),
                            "mean_sigma_c_mpa": g["sigma_c_mpa"].mean(), "max_sigma_c_mpa": g["sigma_c_mpa"].max(),
                            "coordination": g["coordination"].mean()})
        if at_risk is not None:
            out["at_risk_fraction"] = g["at_risk"].mean()
        return out.reset_index()
