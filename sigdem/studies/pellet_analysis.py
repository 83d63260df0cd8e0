"""Per-pressure analysis of pellet runs, and the pellet study's result tables and compaction fits.

One row per (replicate, pressure) from a pellet folder's records: the pressure the servo held (real MPa) and its
error against the target; density and solid fraction under load (wall height), after release and after
relaxation (bed surface, :func:`sigdem.analysis.springback.surface_height_um`); springback of height and
density; elastic recovery; contact statistics (:class:`sigdem.analysis.contacts.ContactForces`). Heckel and
Kawakita fits (:mod:`sigdem.analysis.compaction`) in-die (under load) and after ejection (relaxed).

Definitions (h: heights, rho: densities of particle mass over area x height; the area is the periodic box's
lx x ly or a cylindrical die's pi R²):
  springback_height  = (h_relaxed - h_loaded) / h_loaded, both bed surfaces (:class:`Springback`)
  springback_density = (rho_loaded - rho_relaxed) / rho_loaded, rho_loaded from the punch height
  elastic_recovery   = (h_relaxed - h_min) / h_min, h_min the punch height at the held pressure
  force_transmission = F_floor / F_top under load (both from targets.txt): 1 + weight / F_top without side-wall
                       friction (a periodic box or a frictionless die); below 1 where a die wall carries part of the
                       punch force by friction (Janssen); ``weight_fraction`` = weight / F_top says how far from 1
A Kawakita volume reduction starts from the poured bed (rho_0 = mass / (area x its surface height)).
A release whose kinetic energy jumped (``release_ke_jump`` > :data:`RELEASE_KE_JUMP_LIMIT`) is flagged
``release_disturbed`` and its released and relaxed values are NaN: they are left out of the summary and the fits.
``pellet_press.lmp`` acts on it while it releases (its kinetic-energy guard, checked every 100 steps against the
mean of the previous ~1,000): such a release is stopped there (``release_guarded``, column ``guard`` of
released.txt; also ``release_disturbed``), is not relaxed, and the next target is pressed.
A press whose targets are released from their restarts (``release="restarts"``, :mod:`sigdem.run.branches`) adds
each branch's released and relaxed rows; a branch that LAMMPS stopped (mdr's NaN) gives its target
``release_stop`` (the stop's tag), ``release_disturbed`` and no release values, and the other targets stand.
Targets recorded at the cell's lowest height after another one was are that target's pellet again
(:func:`sigdem.run.branches.floor_repeats`): not released again, no release values, ``same_pellet_as_mpa`` names the
target whose release it is.
``double_image_pairs``: pairs of particles touching through two periodic images at the target
(:class:`sigdem.analysis.periodic_images.DoubleImageContacts`; a thin cell at high pressure): LAMMPS gives both their
contacts one history whenever it rebuilds its neighbour lists or reads a restart, so where it is not 0 the analysis
warns, and a release branch may start off the held pressure (a warning instead of the error it is otherwise).
"""

from __future__ import annotations

from pathlib import Path

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sigdem import units
from sigdem.analysis.compaction import heckel_fit, kawakita_fit
from sigdem.analysis.contacts import MDR_SIDE_OVERLAP_LIMIT, ContactForces
from sigdem.analysis.periodic_images import DoubleImageContacts
from sigdem.analysis.springback import Springback, surface_height_um
from sigdem.deck import RunRecord
from sigdem.deck.stages import PELLET_CELL_MDR, RELEASE_KE_JUMP_LIMIT
from sigdem.errors import EngineError, InputError
from sigdem.io.dumps import read_last_frame
from sigdem.io.folder import RunFolder
from sigdem.io.logs import log_tail, read_table
from sigdem.run.branches import (chain_stop, floor_repeats, require_branches, require_resumes, resumed_from,
                                 uses_branches)
from sigdem.run.stops import press_stop
from sigdem.stats import mean_ci

if TYPE_CHECKING:
    from sigdem.studies.pellet import PelletStudy

log = logging.getLogger(__name__)

#: Scalars summarised per pressure (mean and 95 % CI over replicates).
SUMMARY_COLUMNS = ("pressure_reached_mpa", "pressure_error", "density_loaded_g_cc", "solid_fraction_loaded",
                   "density_released_g_cc", "density_relaxed_g_cc", "solid_fraction_relaxed", "springback_height",
                   "springback_density", "elastic_recovery", "coordination", "max_force_mN", "median_force_mN",
                   "p99_force_mN", "force_transmission")

#: The per-release values a disturbed release leaves NaN.
RELEASE_VALUES = ("density_released_g_cc", "h_released_um", "density_relaxed_g_cc", "h_relaxed_um", "springback_height",
                  "elastic_recovery", "relaxed_wall_pressure_mpa", "springback_density", "solid_fraction_relaxed")


def release_ke_jump(thermo: pd.DataFrame, start_step: float, end_step: float) -> float:
    """Largest ratio of kinetic energy between consecutive ``thermo`` rows (columns ``step``, ``ke``) with
    ``start_step < step <= end_step``: how suddenly the pellet gained kinetic energy while it was released.
    1.0 when fewer than two rows fall in the window (or the energy never rose)."""
    m = (thermo["step"] > start_step) & (thermo["step"] <= end_step)
    ke = thermo.loc[m, "ke"].to_numpy(float)
    if ke.size < 2:
        return 1.0
    ratio = ke[1:] / np.maximum(ke[:-1], np.finfo(float).tiny)
    return float(max(1.0, ratio.max()))


def _density(mass_pg: float, area_um2: float, height_um: float) -> float:
    return mass_pg / (area_um2 * height_um)


def _finite(pellet: RunFolder, name: str, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (read from ``name`` in ``pellet``) if all its numbers are finite; else an EngineError: a NaN or inf
    in a record means LAMMPS lost the run (e.g. a contact force turned NaN), not a pellet to report."""
    values = table.select_dtypes("number").to_numpy(float)
    if not np.all(np.isfinite(values)):
        from sigdem.run.session import tail_text

        bad = table.columns[~np.all(np.isfinite(table.select_dtypes("number")), axis=0)].tolist()
        raise EngineError(f"{name} holds NaN or infinite values (columns {', '.join(map(str, bad))}): the run is not "
                          "a valid pellet", pellet.path, tail_text(pellet.fn("log.lammps")))
    return table


def pellet_stop(folder: RunFolder) -> tuple[str, int] | None:
    """(tag, targets recorded) when a failed pellet folder stopped on one of
    :data:`~sigdem.run.stops.PRESS_STOPS` (mdr's NaN or neighbour-list check, lost atoms) after recording at
    least one target; else None.
    Its recorded targets do not depend on what came after them and a rerun would stop the same way (the run is
    deterministic), so the study keeps it, with its later targets not pressed
    (:func:`sigdem.studies.pellet.run_replicate`). A stop left by a deck without the release's kinetic-energy
    guard (its released.txt has no "guard" column: written before the guard existed, under the same job id) is not
    kept: the deck now stops such a release before mdr's NaN, so the run is pressed again."""
    stop = press_stop(folder, "targets.txt")
    released = folder.fn("released.txt")
    if stop is not None and released.exists() and "guard" not in read_table(released).columns:
        return None
    return stop


def press_end(folder: RunFolder) -> tuple[str, int] | None:
    """(tag, targets recorded) of the stop that ended a kept pellet press, its resumptions included
    (:func:`sigdem.run.branches.chain_stop`), or None when it ended normally or was resumed to its end."""
    return None if pellet_stop(folder) is None else chain_stop(folder)


def _press_thermo(pellet: RunFolder, targets: pd.DataFrame) -> pd.DataFrame:
    """thermo.txt, continued by each resumed press's resume_<k>_thermo.txt from the step it held target k (the
    stopped run's rows after that step are dropped)."""
    thermo = read_table(pellet.fn("thermo.txt"))
    for k in resumed_from(pellet):
        cut = float(targets.loc[k, "step"])
        resumed = read_table(pellet.fn(f"resume_{k}_thermo.txt"))
        thermo = pd.concat([thermo[thermo["step"] <= cut], resumed[resumed["step"] > cut]], ignore_index=True)
    return thermo


def _with_branches(pellet: RunFolder, targets: pd.DataFrame, released: pd.DataFrame, relaxed: pd.DataFrame,
                   shared: dict[int, int]):
    """(released, relaxed, thermo per branch target, {target: stop tag} of lost releases): the press's own rows plus
    those of its release branches (:mod:`sigdem.run.branches`; IncompleteRunError when one has not run). A branch
    must start where the press held its target (branch_<k>_start.txt), else the restart did not carry the state;
    unless ``shared[k]`` pairs of particles touch through two periodic images there: LAMMPS then gives both their
    contacts one history when it rebuilds the lists, as it does reading the restart (a warning, the branch kept)."""
    if not uses_branches(pellet):
        return released, relaxed, {}, {}
    thermo_of, lost, out, rel = {}, {}, [released], [relaxed]
    for k, state in require_branches(pellet).items():
        if state["state"] != "done":
            lost[k] = state.get("tag", state["state"])
            continue
        start = read_table(pellet.fn(f"branch_{k}_start.txt")).set_index("k")
        held = float(targets.loc[k, "pressure_top"])
        began = float(start.loc[k, "pressure_top"])
        if not math.isclose(began, held, rel_tol=1e-6):
            if not shared.get(k, 0):
                raise EngineError(f"the release of target {k} started at pressure {began:.9g}, not the held "
                                  f"{held:.9g}: held_{k}.restart did not carry the pellet's state",
                                  pellet.path, log_tail(pellet.fn(f"log_release_{k}.lammps"), 20))
            log.warning("%s: the release of target %d started at pressure %.9g, not the held %.9g (%.1e apart): %d "
                        "pair(s) of particles there touch through two periodic images, whose contacts share one "
                        "history once LAMMPS rebuilds its lists (DoubleImageContacts); a taller cell avoids it",
                        pellet.path.name, k, began, held, abs(began / held - 1.0), shared[k])
        out.append(_finite(pellet, f"branch_{k}_released.txt", read_table(pellet.fn(f"branch_{k}_released.txt"))).set_index("k"))
        rel.append(_finite(pellet, f"branch_{k}_relaxed.txt", read_table(pellet.fn(f"branch_{k}_relaxed.txt"))).set_index("k"))
        thermo_of[k] = read_table(pellet.fn(f"branch_{k}_thermo.txt"))
    return pd.concat(out).sort_index(), pd.concat(rel).sort_index(), thermo_of, lost


def analyse_replicate(settle: RunFolder, pellet: RunFolder, contact_is_mdr: bool) -> list[dict]:
    """Rows of one pressed replicate, one per target pressure. A NaN or infinite value in any record of
    ``pellet`` raises :class:`~sigdem.errors.EngineError` (with the folder and log tail) instead of a row."""
    rec = RunRecord.read(pellet)
    stage, s, (lx, ly, _) = rec.stage, rec.modulus_scale, rec.box_um
    area = rec.area_um2  # the die's pi R² in a cylinder
    # a periodic cell (pellet_cell_mdr.lmp) has no gravity, and its heights are the cell's (records' ztop), not
    # particle tops: its positions wrap through the cell's top and bottom
    cell = stage is PELLET_CELL_MDR
    g = 0.0 if cell else float(rec.variables["g"])
    poured = read_last_frame(settle.fn("settled.dump")).data
    n, mass = len(poured), float(poured["mass"].sum())
    v_solid = float((4.0 / 3.0 * np.pi * poured["radius"] ** 3).sum())
    solid = mass / v_solid
    rho0 = _density(mass, area, surface_height_um(poured, lx, ly))
    zmin = v_solid / (area * float(rec.variables["phi_max"]))  # the punch's lowest height (pellet_press.lmp)
    targets = _finite(pellet, "targets.txt", read_table(pellet.fn("targets.txt"))).set_index("k")
    relaxed = _finite(pellet, "relaxed.txt", read_table(pellet.fn("relaxed.txt"))).set_index("k")
    released = _finite(pellet, "released.txt", read_table(pellet.fn("released.txt"))).set_index("k")
    require_resumes(pellet)
    thermo = _press_thermo(pellet, targets)
    # each target's particles, and the pairs among them touching through two periodic images
    frames = {int(k): read_last_frame(pellet.fn(stage.record_file("atoms", int(k)))) for k in targets.index}
    shared = {k: DoubleImageContacts().compute(f.data, f.box).n_pairs for k, f in frames.items()}
    released, relaxed, thermo_of, lost = _with_branches(pellet, targets, released, relaxed, shared)
    repeats = floor_repeats(pellet) if uses_branches(pellet) else {}
    rows = []
    for k, t in targets.iterrows():
        k = int(k)
        atoms = _finite(pellet, stage.record_file("atoms", k), frames[k].data)
        name = stage.record_file("contacts", k)
        contacts = _finite(pellet, name, read_last_frame(pellet.fn(name)).data)
        target = units.from_micro(t["target"] / s, "MPa")
        reached = units.from_micro(t["pressure_avg"] / s, "MPa")
        row = {"record": k, "target_pressure_mpa": target, "pressure_reached_mpa": reached,
               "pressure_now_mpa": units.from_micro(t["pressure_top"] / s, "MPa"),
               "pressure_error": reached / target - 1.0, "held": bool(t["held"] > 0.5),
               "density_loaded_g_cc": float(t["density"]), "h_min_um": float(t["ztop"]),
               "poured_density_g_cc": rho0, "solid_density_g_cc": solid, "n_particles": n, "lost_particles": 0,
               "release_stop": None, "same_pellet_as_mpa": None,
               "pressure_floor_mpa": units.from_micro(t["pressure_floor"] / s, "MPa"),
               "force_transmission": float(t["pressure_floor"] / t["pressure_top"]),
               "weight_fraction": mass * g / (float(t["pressure_top"]) * area), "double_image_pairs": shared[k]}
        row["solid_fraction_loaded"] = row["density_loaded_g_cc"] / solid
        # the punch rests at its lowest allowed height (solid fraction phi_max of the initial radii): a target not held
        # there cannot be reached (pellet_press.lmp then records it at once)
        row["at_max_solid_fraction"] = bool(t["ztop"] <= zmin * (1.0 + 1e-9))
        thermo_k = thermo_of.get(k, thermo)
        guarded = "guard" in released and k in released.index and released.loc[k, "guard"] > 0.5
        if k in repeats:  # the floor's pellet again (sigdem.run.branches.floor_repeats): released once, as target j
            j = repeats[k]
            row.update(dict.fromkeys(RELEASE_VALUES, math.nan), release_ke_jump=math.nan, release_disturbed=False,
                       release_guarded=False, lost_particles=n - len(atoms),
                       same_pellet_as_mpa=units.from_micro(targets.loc[j, "target"] / s, "MPa"))
        elif k in lost:  # its release branch stopped LAMMPS (mdr's NaN): no springback, the other targets stand
            log.warning("%s: the release from %.4g MPa stopped LAMMPS (%s); no springback is reported for it",
                        pellet.path.name, target, lost[k])
            row.update(dict.fromkeys(RELEASE_VALUES, math.nan), release_ke_jump=math.nan, release_disturbed=True,
                       release_guarded=False, release_stop=lost[k], lost_particles=n - len(atoms))
        elif guarded:  # stopped by the deck's kinetic-energy guard: no relaxed record, no springback
            jump = release_ke_jump(thermo_k, float(t["step"]), float(released.loc[k, "step"]))
            log.warning("%s: releasing from %.4g MPa the deck's kinetic-energy guard stopped the release (over %g x its "
                        "mean of the previous ~1,000 steps) there; no springback is reported for it", pellet.path.name,
                        target, RELEASE_KE_JUMP_LIMIT)
            row.update(dict.fromkeys(RELEASE_VALUES, math.nan), release_ke_jump=jump, release_disturbed=True,
                       release_guarded=True, lost_particles=n - len(atoms))
        elif k in relaxed.index:
            name = stage.record_file("relaxed", k)
            rel = _finite(pellet, name, read_last_frame(pellet.fn(name)).data)
            name = stage.record_file("released", k)
            out = _finite(pellet, name, read_last_frame(pellet.fn(name)).data)
            if cell:
                h_out, h_rel = float(released.loc[k, "ztop"]), float(relaxed.loc[k, "ztop"])
                springback = (h_rel - t["ztop"]) / t["ztop"]
            else:
                sb = Springback().compute(atoms, rel, lx, ly)
                h_out, h_rel, springback = surface_height_um(out, lx, ly), sb.relaxed_um, sb.springback
            rho_rel = _density(mass, area, h_rel)
            values = {"density_released_g_cc": _density(mass, area, h_out), "h_released_um": h_out,
                      "density_relaxed_g_cc": rho_rel, "h_relaxed_um": h_rel, "springback_height": springback,
                      "elastic_recovery": (h_rel - t["ztop"]) / t["ztop"],
                      "relaxed_wall_pressure_mpa": units.from_micro(relaxed.loc[k, "pressure_top"] / s, "MPa"),
                      "springback_density": (row["density_loaded_g_cc"] - rho_rel) / row["density_loaded_g_cc"],
                      "solid_fraction_relaxed": rho_rel / solid}
            jump = release_ke_jump(thermo_k, float(t["step"]), float(released.loc[k, "step"]))
            disturbed = jump > RELEASE_KE_JUMP_LIMIT
            if disturbed:
                log.warning("%s: releasing from %.4g MPa the kinetic energy jumped %.0fx between two thermo rows "
                            "(limit %g): the released and relaxed heights are not a springback and are not reported",
                            pellet.path.name, target, jump, RELEASE_KE_JUMP_LIMIT)
                values = dict.fromkeys(values, math.nan)
            row.update(values, release_ke_jump=jump, release_disturbed=disturbed, release_guarded=False,
                       lost_particles=n - min(len(rel), len(out), len(atoms)))
        else:
            row["lost_particles"] = n - len(atoms)
        limit = {"overlap_limit": None} if contact_is_mdr else {}
        cf = ContactForces(modulus_scale=s, **limit).compute(atoms, contacts, float(t["ztop"]))
        row.update({q: cf.summary[q] for q in ("n_contacts", "max_force_mN", "median_force_mN", "p90_force_mN",
                                               "p99_force_mN", "max_overlap_ratio", "elastic_range_exceeded",
                                               "max_side_overlap_ratio", "p99_side_overlap_ratio")})
        if contact_is_mdr and row["max_side_overlap_ratio"] > MDR_SIDE_OVERLAP_LIMIT:
            log.warning("%s: at %.4g MPa a contact is flattened to %.2f of its particle's radius on one side, past the "
                        "%g at which LAMMPS clips an mdr pair contact's side (MDR_OVERLAP_LIMIT)", pellet.path.name,
                        target, row["max_side_overlap_ratio"], MDR_SIDE_OVERLAP_LIMIT)
        row["coordination"] = float(cf.particles["coordination"].mean())
        if shared[k]:
            box = frames[k].box
            period = min(n for n, b in zip(box.lengths, box.boundary) if b == "pp")
            log.warning("%s: at %.4g MPa %d pair(s) of particles touch through two periodic images (the shortest "
                        "period is %.4g µm): LAMMPS carries a contact's history over a neighbour-list rebuild by the "
                        "partner's ID, so each such pair's two contacts get one history; a taller cell "
                        "(--fill-height-um) avoids it", pellet.path.name, target, shared[k], period)
        if not row["held"]:
            why = (f" (the punch rests at its lowest height, solid fraction {float(rec.variables['phi_max']):g}: the "
                   "target is beyond what this bed can carry there)") if row["at_max_solid_fraction"] else ""
            log.warning("%s: target %.4g MPa not held within tolerance (reached %.4g MPa)%s", pellet.path.name, target,
                        reached, why)
        rows.append(row)
    return rows


def analyse_pellet(study: PelletStudy, folders) -> "PelletResult":
    """The result of a study from its (settle, pellet) folders, one pair per replicate."""
    rows, reps = [], []
    for k, (settle, pellet) in enumerate(folders):
        rows += [{"replicate": k, **r} for r in analyse_replicate(settle, pellet, study.contact is not None)]
        stop = press_end(pellet)
        reps.append({"replicate": k, "settle_job": settle.job, "pellet_job": pellet.job, "pellet_folder": pellet.path.name,
                     "die": study.die, "die_friction": study.die_wall_friction, "stop": "ok" if stop is None else stop[0],
                     "resumed_from": ",".join(map(str, resumed_from(pellet))),
                     "targets_recorded": sum(r["replicate"] == k for r in rows),
                     "targets": len(study.target_pressures_mpa)})
    return PelletResult(study, pd.DataFrame(rows), pd.DataFrame(reps))


def _fit_rows(p: np.ndarray, d: np.ndarray, d0: float, state: str) -> list[dict]:
    """Heckel and Kawakita fits of relative densities ``d`` at pressures ``p`` (MPa), ``d0`` the poured one."""
    out = []
    try:
        h = heckel_fit(p, d)
        out.append({"law": "heckel", "state": state, "n": h.n, "r2": h.r2, "k_per_mpa": h.k_per_mpa, "k_ci95": h.k_ci95,
                    "a": h.a, "a_ci95": h.a_ci95, "yield_pressure_mpa": h.yield_pressure_mpa,
                    "yield_pressure_ci95": h.yield_pressure_ci95})
    except InputError as exc:
        log.warning("heckel fit (%s) not possible: %s", state, exc)
    try:
        kw = kawakita_fit(p, 1.0 / d, 1.0 / d0)
        out.append({"law": "kawakita", "state": state, "n": kw.n, "r2": kw.r2, "a": kw.a, "a_ci95": kw.a_ci95,
                    "b_per_mpa": kw.b_per_mpa, "b_ci95": kw.b_ci95, "inverse_b_mpa": kw.inverse_b_mpa,
                    "inverse_b_ci95": kw.inverse_b_ci95})
    except InputError as exc:
        log.warning("kawakita fit (%s) not possible: %s", state, exc)
    return out


def relaxed_below(pressures_mpa, densities_g_cc) -> list[float]:
    """Per pressure (ascending), the lower pressure whose relaxed pellet is denser than this one's, else NaN (a pressure
    without a relaxed density, NaN, names nothing and is named by nothing): see :meth:`PelletResult.summary`."""
    out, densest = [], (math.nan, -math.inf)    # (pressure, relaxed density) of the densest relaxed pellet so far
    for mpa, rho in zip(pressures_mpa, densities_g_cc):
        out.append(densest[0] if rho < densest[1] else math.nan)
        if rho > densest[1]:
            densest = (mpa, rho)
    return out


@dataclass(frozen=True, slots=True)
class PelletResult:
    """Tables of a pellet study: ``pellets`` one row per (replicate, pressure), ``replicates`` the run folders."""

    study: PelletStudy
    pellets: pd.DataFrame
    replicates: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Per target pressure: mean and 95 % CI half-width (``<name>_ci95``) over replicates, ``all_held``, and
        ``releases_disturbed``: how many replicates' release values are missing from the means for that reason;
        ``same_pellet``: how many replicates' pellets at this pressure are an earlier target's (the cell at its lowest
        height), with ``same_pellet_as_mpa`` that target's pressure; ``double_image_pairs``: the most pairs touching
        through two periodic images in one replicate (see the module's notes); ``relaxed_below_mpa``: the lower pressure whose
        relaxed pellet is denser than this one's (mean over replicates), NaN if none. A powder pressed harder keeps
        at least the density it kept from a lower pressure; a pellet that springs back below it says the contact
        law's unloading, not the powder, set its springback (mdr's unloading stiffens without bound near full
        flattening, README Pellets), so that springback is not a measurement."""
        rows = []
        for p, t in self.pellets.groupby("target_pressure_mpa", sort=True):
            disturbed = int(t["release_disturbed"].eq(True).sum()) if "release_disturbed" in t else 0
            repeats = t["same_pellet_as_mpa"].dropna() if "same_pellet_as_mpa" in t else pd.Series(dtype=float)
            row = {"target_pressure_mpa": p, "target_pressure_ton_cm2": units.convert(p, "MPa", "ton/cm2"),
                   "n": len(t), "all_held": bool(t["held"].all()), "releases_disturbed": disturbed,
                   "same_pellet": len(repeats), "same_pellet_as_mpa": float(repeats.min()) if len(repeats) else math.nan,
                   "double_image_pairs": int(t["double_image_pairs"].max()) if "double_image_pairs" in t else 0}
            for name in SUMMARY_COLUMNS:
                est = mean_ci(t[name] if name in t else [])
                row[name], row[f"{name}_ci95"] = est.mean, est.ci95
            rows.append(row)
        below = relaxed_below([r["target_pressure_mpa"] for r in rows], [r["density_relaxed_g_cc"] for r in rows])
        for row, mpa in zip(rows, below):
            row["relaxed_below_mpa"] = mpa
        return pd.DataFrame(rows)

    def fits(self) -> pd.DataFrame:
        """Heckel and Kawakita fits in-die (``loaded``) and after ejection (``relaxed``), pooled over replicates,
        with 95 % CIs; only held pressures count."""
        t = self.pellets[self.pellets["held"]]
        d0 = float((t["poured_density_g_cc"] / t["solid_density_g_cc"]).mean()) if len(t) else math.nan
        rows = []
        for state in ("loaded", "relaxed"):
            col = f"solid_fraction_{state}"
            if col in t:
                ok = t.dropna(subset=[col])
                rows += _fit_rows(ok["pressure_reached_mpa"].to_numpy(float), ok[col].to_numpy(float), d0, state)
        return pd.DataFrame(rows)

    def write_csv(self, folder: Path | str) -> dict[str, Path]:
        """``pellets.csv``, ``pellet_summary.csv``, ``pellet_fits.csv`` in ``folder``; returns their paths."""
        from pathlib import Path as _P

        out = _P(folder)
        out.mkdir(parents=True, exist_ok=True)
        files = {"pellets": out / "pellets.csv", "summary": out / "pellet_summary.csv", "fits": out / "pellet_fits.csv"}
        self.pellets.to_csv(files["pellets"], index=False)
        self.summary().to_csv(files["summary"], index=False)
        self.fits().to_csv(files["fits"], index=False)
        return files

    def factors(self) -> dict:
        """Acceleration factors and assumptions, for the report."""
        st = self.study
        out = {"modulus_scale": st.modulus_scale, "settle": "plain pour of dry graphite (friction "
               f"{st.material.friction}), not the as-coated calendering bed", "die_side_um": st.die_side_um,
               "fill_height_um": st.fill_height_um, "pressure_map": "P_real = P_sim / modulus_scale",
               "pellets": ("one bed per replicate pressed monotonically, each target released from its restart"
                           if st.release == "restarts" else "one bed per replicate pressed in cycles of increasing "
                           "pressure"), "tolerance": st.tolerance,
               "ton_cm2": "literal tonne-force/cm2 = 98.0665 MPa", "wall_speed_m_s": st.speed_m_s,
               "contact_model": "elastic Hertz (comparison)" if st.contact is None else
               f"mdr elastic-plastic, Y = {st.contact.yield_stress_gpa} GPa" + (
                   "" if st.die == "cell" else ", rigid punch and floor")}
        if st.die == "cell":
            out["die"] = ("periodic cell in x, y and z (no floor, punch or side wall), height shrunk by the servo, "
                          "pressure -sigma_zz, area side²; released cell held at its released height")
        elif st.cylinder is None:
            out["die"] = "periodic in x and y (no side wall), area side²"
        else:
            out["die"] = (f"cylinder of diameter {st.die_side_um:.4g} µm, wall friction {st.die_wall_friction:g}, "
                          "area pi R²")
        return out
