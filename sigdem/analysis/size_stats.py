"""Size-resolved contact forces and particle stress, and the statics check of a compressed bed.

Inputs are the tables of :class:`.contacts.ContactForces`: ``contacts`` (i, j, fn_nN real,
fn_sim_nN, overlap_um, r_star_um; j < 0 a wall; optional ``area_um2`` of mdr) and ``particles``
(id, radius_um, size_class, force_nN, sigma_c_mpa, coordination).

Statics (SCIENCE.md, "Forces and pressure: statics first"). The Love-Weber stress of a packing of
spheres, sigma = (1/V) sum_c f_c ⊗ l_c, gives for spheres of diameter d at solid fraction phi and
coordination Z under the mean stress p a mean normal contact force <F> = pi d² p / (phi Z),
whatever the contact law. The same sum over one particle's contacts gives its own stress sigma_p
with <F>_p = pi d² sigma_p / Z_p, and the bed's mean stress is p = phi <sigma_p>_V (the solid
carries the load), which is where phi enters.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from sigdem import units
from sigdem.errors import InputError
from sigdem.inputs import check_number, require_columns

log = logging.getLogger(__name__)

#: Label of the whole-bed row.
ALL = "all"

_CONTACT_COLS = ("i", "j", "fn_nN", "fn_sim_nN")
_PARTICLE_COLS = ("id", "radius_um", "size_class", "force_nN", "sigma_c_mpa", "coordination")


def _ends(contacts: pd.DataFrame, particles: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per (contact, particle it is counted for): particle position ``k``, forces, a/R.

    ``by="particle"``: a pair contact is counted once for each of its two particles (twice within
    one class), a wall contact once. ``by="smaller"``: each contact once, for its smaller particle
    (a wall contact for its particle; ties go to ``i``)."""
    require_columns("contacts", contacts, _CONTACT_COLS)
    require_columns("particles", particles, _PARTICLE_COLS)
    if by not in ("particle", "smaller"):
        raise InputError("by", f"{by!r}; allowed: 'particle', 'smaller'")
    ids = particles["id"].to_numpy(np.int64)
    pos = pd.Series(np.arange(ids.size), index=ids)
    i, j = contacts["i"].to_numpy(np.int64), contacts["j"].to_numpy(np.int64)
    wall = j < 0
    if (~np.isin(i, ids) | (~wall & ~np.isin(j, ids))).any():
        raise InputError("contacts", "names particle ids absent from particles")
    radius = particles["radius_um"].to_numpy(float)
    ki = pos.loc[i].to_numpy()
    kj = np.where(wall, -1, pos.reindex(j).fillna(-1).to_numpy(np.int64))
    a = np.full(len(contacts), np.nan)
    if "area_um2" in contacts:
        a = np.sqrt(contacts["area_um2"].to_numpy(float) / np.pi)
    if {"overlap_um", "r_star_um"} <= set(contacts.columns):
        hertz = np.sqrt(contacts["r_star_um"].to_numpy(float) * np.clip(contacts["overlap_um"].to_numpy(float), 0, None))
        a = np.where(np.isfinite(a) & (a > 0), a, hertz)
    base = {"fn_nN": contacts["fn_nN"].to_numpy(float), "fn_sim_nN": contacts["fn_sim_nN"].to_numpy(float), "a_um": a}
    if by == "particle":
        parts = [pd.DataFrame({"k": ki, **base})]
        parts.append(pd.DataFrame({"k": kj, **base})[~wall])
        ends = pd.concat(parts, ignore_index=True)
    else:
        k = np.where(wall | (radius[ki] <= radius[np.where(wall, ki, kj)]), ki, kj)
        ends = pd.DataFrame({"k": k, **base})
    ends["a_over_r"] = ends["a_um"] / radius[ends["k"].to_numpy()]
    ends["size_class"] = particles["size_class"].to_numpy()[ends["k"].to_numpy()]
    return ends


_QUANTILES = {"median": np.median, "p99": lambda x: np.percentile(x, 99), "max": np.max}


def _stats(values, prefix: str, suffix: str = "", unit: str | None = None, quantiles=("median", "p99", "max")) -> dict:
    """``{prefix}_{q}{suffix}`` for each quantile q of the finite values (NaN if none), in ``unit``."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    conv = (lambda x: x) if unit is None else (lambda x: units.from_micro(x, unit))
    return {f"{prefix}_{q}{suffix}": float(conv(_QUANTILES[q](v))) if v.size else np.nan for q in quantiles}


def _class_order(particles: pd.DataFrame) -> list:
    return list(particles.groupby("size_class")["radius_um"].mean().sort_values().index)


def forces_by_size_class(contacts: pd.DataFrame, particles: pd.DataFrame, by: str = "particle") -> pd.DataFrame:
    """Contact forces, summed particle force and particle stress per size class, plus a whole-bed row.

    ``by``: ``"particle"`` counts a pair contact for both its particles' classes (``n_contacts``
    counts contact ends: twice for a pair, once for a wall contact; sums to 2 x pairs + walls), or
    ``"smaller"`` for the class of its smaller particle only (sums to the number of contacts).
    The whole-bed row (``size_class = "all"``) pools the same contact ends, so per-class counts
    sum back to it. Columns: n_particles, n_contacts, fn_{median,p99,max}_mN (real force),
    fn_sim_{median,p99,max}_mN (the run's softened force), force_sum_{median,p99,max}_mN (per
    particle summed normal force), sigma_c_{median,p99,max}_mpa, a_over_r_{median,p99} (contact
    radius / that particle's radius; NaN without overlap or area columns).
    """
    ends = _ends(contacts, particles, by)
    rows = []
    for name in _class_order(particles) + [ALL]:
        e = ends if name == ALL else ends[ends["size_class"] == name]
        p = particles if name == ALL else particles[particles["size_class"] == name]
        rows.append({"size_class": name, "n_particles": int(len(p)), "n_contacts": int(len(e)),
                     **_stats(e["fn_nN"], "fn", "_mN", "mN"), **_stats(e["fn_sim_nN"], "fn_sim", "_mN", "mN"),
                     **_stats(p["force_nN"], "force_sum", "_mN", "mN"), **_stats(p["sigma_c_mpa"], "sigma_c", "_mpa"),
                     **_stats(e["a_over_r"], "a_over_r", quantiles=("median", "p99"))})
    return pd.DataFrame(rows)


def bed_mean_stress_mpa(particles: pd.DataFrame, solid_fraction: float) -> float:
    """Love-Weber mean stress of the bed, p = phi sum(sigma_c,p V_p) / sum(V_p), MPa (real).

    ``sigma_c_mpa`` of :class:`.contacts.ContactForces` already holds the wall dyads, so this is
    the volume average of the whole sum of f ⊗ l over the bed's volume (solids / phi)."""
    require_columns("particles", particles, ("radius_um", "sigma_c_mpa"))
    phi = check_number("solid_fraction", solid_fraction, 0.0, 1.0, lo_open=True)
    v = particles["radius_um"].to_numpy(float) ** 3
    return float(phi * np.sum(particles["sigma_c_mpa"].to_numpy(float) * v) / np.sum(v))


def statics_check(particles: pd.DataFrame, contacts: pd.DataFrame, wall_pressure_mpa: float,
                  solid_fraction: float, mean_stress_mpa: float | None = None) -> pd.DataFrame:
    """Mean contact force per size class (and whole bed) against pi d² p / (phi Z).

    d² is the class's <d³>/<d> (= d² for equal spheres; the Love-Weber weighting of branch length
    d and particle volume d³), Z its mean coordination (pairs + walls, from ``particles``), <F> the
    mean real normal force over its contact ends (a pair counts for both particles). Two pressures:
    ``wall_pressure_mpa`` (the top wall's force / area: the vertical stress of a uniaxially
    compressed bed, larger than its mean stress) and the bed's Love-Weber mean stress
    (``mean_stress_mpa`` or :func:`bed_mean_stress_mpa`), the right p for a uniaxial bed. A third
    column uses the class's own volume-mean particle stress: pi d² <sigma_c> / Z (no phi).
    Columns: size_class, n_particles, d_um, coordination, mean_force_mN, predicted_wall_mN,
    predicted_mean_stress_mN, predicted_own_stress_mN and the three ratios measured / predicted.
    """
    p_wall = check_number("wall_pressure_mpa", wall_pressure_mpa, 0.0, 1e6, lo_open=True)
    phi = check_number("solid_fraction", solid_fraction, 0.0, 1.0, lo_open=True)
    p_mean = bed_mean_stress_mpa(particles, phi) if mean_stress_mpa is None else \
        check_number("mean_stress_mpa", mean_stress_mpa, 0.0, 1e6, lo_open=True)
    ends = _ends(contacts, particles, "particle")
    rows = []
    for name in _class_order(particles) + [ALL]:
        e = ends if name == ALL else ends[ends["size_class"] == name]
        p = particles if name == ALL else particles[particles["size_class"] == name]
        d = 2.0 * p["radius_um"].to_numpy(float)
        d2 = float(np.mean(d**3) / np.mean(d))
        z = float(p["coordination"].mean())
        v = d**3
        own = float(np.sum(p["sigma_c_mpa"].to_numpy(float) * v) / np.sum(v))
        force = float(e["fn_nN"].mean()) if len(e) else np.nan

        def predict(p_mpa, phi_):  # kPa x µm² = nN
            return np.pi * d2 * units.to_micro(p_mpa, "MPa") / (phi_ * z) if z > 0 else np.nan

        pred = {"wall": predict(p_wall, phi), "mean_stress": predict(p_mean, phi), "own_stress": predict(own, 1.0)}
        rows.append({"size_class": name, "n_particles": int(len(p)), "d_um": float(np.sqrt(d2)), "coordination": z,
                     "mean_force_mN": units.from_micro(force, "mN"),
                     **{f"predicted_{k}_mN": units.from_micro(v_, "mN") for k, v_ in pred.items()},
                     **{f"ratio_{k}": force / v_ for k, v_ in pred.items()}})
    out = pd.DataFrame(rows)
    whole = out.iloc[-1]
    log.info("statics: mean stress %.4g MPa (wall %.4g MPa); bed <F>/prediction %.3g (mean stress), %.3g (wall)",
             p_mean, p_wall, whole["ratio_mean_stress"], whole["ratio_wall"])
    return out.assign(wall_pressure_mpa=p_wall, mean_stress_mpa=p_mean, solid_fraction=phi)
