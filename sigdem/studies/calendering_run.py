"""Calendering study, run: settle and calender each replicate (or reuse its folders), in a pool, and analyse them.

The study's parameters and decks are :mod:`sigdem.studies.calendering`; the per-target analysis and the result
tables :mod:`sigdem.studies.calendering_analysis`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from sigdem import units
from sigdem.analysis.fracture import fracture_free_density
from sigdem.analysis.springback import Springback, surface_height_um
from sigdem.deck import RunRecord
from sigdem.io.dumps import read_last_frame
from sigdem.io.folder import RunFolder
from sigdem.io.logs import read_table
from sigdem.run import stops
from sigdem.run.child import run_pool
from sigdem.run.runners import Runner, require_plugin_kernel, run
from sigdem.studies.calendering import CalenderingStudy, reachable_calender_deck, target_status
from sigdem.studies.calendering_analysis import CalenderingResult, analyse_target, snapshot

log = logging.getLogger(__name__)


#: What LAMMPS says when mdr's unloading branch leaves its range (:data:`sigdem.run.stops.MDR_UNLOAD_NAN`).
MDR_UNLOAD_NAN = stops.MDR_UNLOAD_NAN
#: LAMMPS errors that end a calender run while the wall lifts from the held state (:data:`sigdem.run.stops.PRESS_STOPS`).
UNLOAD_FAILURES = stops.PRESS_STOPS


def unload_failure(folder: RunFolder) -> str | None:
    """The tag of :data:`UNLOAD_FAILURES` when a failed calender folder recorded every loaded state (its
    ``held.txt``) and then stopped on one of those errors while the wall lifted; else None. Its loaded records are
    complete and do not depend on the lift (the lift comes after them; tests/test_mdr.py checks they are the same
    bytes at another lift speed); its springback is not available. Rerunning it would fail the same way (the run
    is deterministic), so the study uses it as it is."""
    stop = stops.press_stop(folder, "held.txt")
    return stop[0] if stop is not None and stop[1] == 1 else None


def unload_failed(folder: RunFolder) -> bool:
    """Whether the folder stopped while lifting after its loaded records (:func:`unload_failure`)."""
    return unload_failure(folder) is not None


def run_replicate(study: CalenderingStudy, replicate: int, root: Path | str, runner: Runner | None = None,
                  progress: bool = False) -> tuple[RunFolder, RunFolder | None]:
    """Settle (or reuse) replicate ``replicate`` and calender it through its reachable targets (an mdr folder
    that stopped while lifting on one of :data:`~sigdem.run.stops.PRESS_STOPS` is kept with its loaded records:
    :func:`unload_failure`)."""
    require_plugin_kernel(study.contact, runner)
    settle = run(study.settle_deck(replicate), root, runner, progress=progress)
    deck = reachable_calender_deck(study, settle)
    if deck is None:
        return settle, None
    folder, kept = stops.run_or_keep(deck, root, runner, unload_failed, progress=progress)
    if not kept:
        return settle, folder
    log.warning("%s: the run stopped as the wall lifted (%s); its loaded records are complete, its springback is not "
                "available", folder.path.name, unload_failure(folder))
    return settle, folder


def run_replicate_job(args) -> tuple[str, str | None]:
    """Pool job: ``(study, replicate, root, runner)`` -> the settle and calender folder paths."""
    study, k, root, runner = args
    settle, cal = run_replicate(study, k, root, runner)
    return str(settle.path), (str(cal.path) if cal else None)


def run_calendering(study: CalenderingStudy, root: Path | str, runner: Runner | None = None, *,
                    workers: int = 1, progress: bool = False) -> CalenderingResult:
    """Run (or reuse) every replicate of the study, ``workers`` at a time, and analyse them."""
    jobs = [(study, k, str(root), runner) for k in range(study.replicates)]
    if workers > 1 and len(jobs) > 1:
        # workers die with this process; jobs done / total with an ETA
        paths = run_pool(run_replicate_job, jobs, min(workers, len(jobs)), label="calendering replicates", bar=progress)
    else:
        paths = [(str(s.path), str(c.path) if c else None) for s, c in
                 (run_replicate(study, k, root, runner, progress) for k in range(study.replicates))]
    rows, groups, reps, forces, size_classes = [], [], [], {}, []
    w = study.binder_mass_fraction
    for k, (settle_path, cal_path) in enumerate(paths):
        settle = RunFolder(Path(settle_path))
        status, settled, solid = target_status(study, settle)
        atoms0, box = read_last_frame(settle.fn("settled.dump")).data, RunRecord.read(settle).box_um
        surface = float(atoms0["mass"].sum()) / (box[0] * box[1] * surface_height_um(atoms0, box[0], box[1]))
        rep = {"replicate": k, "settle_job": settle.job, "calender_job": None, "calender_folder": None,
               "settled_density_g_cc": settled / (1 - w),
               "settled_surface_density_g_cc": surface / (1 - w), "solid_density_g_cc": solid,
               "first_contact_density_g_cc": math.nan, "springback": math.nan, "fracture_free_g_cc": math.nan,
               "fracture_free_status": "no_targets"}
        ok_targets = [rho for rho, s in zip(study.target_densities_g_cc, status) if s == "ok"]
        for rho, s in zip(study.target_densities_g_cc, status):
            if s != "ok":
                rows.append({"replicate": k, "target_density_g_cc": rho, "status": s})
        if cal_path is not None:
            cal = RunFolder(Path(cal_path))
            rep["calender_job"], rep["calender_folder"] = cal.job, cal.path.name
            thermo = read_table(cal.fn("thermo.txt"))
            touching = thermo[thermo["f_top"] > 0]
            rep["first_contact_density_g_cc"] = float(touching["density"].iloc[0]) / (1 - w) if len(touching) else math.nan
            loaded, frac = [], []
            for rec, rho in enumerate(ok_targets, start=1):
                ta = analyse_target(study, cal, rec)
                out, grp, cf = ta.scalars, ta.groups, ta.forces
                # the wall did not touch: the re-settled bed is denser than this target
                status_k = "ok" if out["wall_pressure_mpa"] > 0 else "below_settled"
                rows.append({"replicate": k, "target_density_g_cc": rho, "status": status_k, **out})
                if status_k == "ok":
                    groups.append(grp.assign(replicate=k, target_density_g_cc=rho))
                    size_classes.append(ta.size_classes.assign(replicate=k, target_density_g_cc=rho))
                    forces.setdefault(rho, []).append(units.from_micro(cf.contacts["fn_nN"].to_numpy(float), "mN"))
                    loaded.append(rho)
                    frac.append(out["at_risk_fraction"])
            if loaded:
                rep["fracture_free_g_cc"], rep["fracture_free_status"] = fracture_free_density(loaded, frac, study.risk_level)
            rep["unload"] = unload_failure(cal) or "ok"  # else: loaded records complete, no springback
            if rep["unload"] == "ok":
                last, _, _ = snapshot(cal, len(ok_targets))
                sb = Springback().compute(last, read_last_frame(cal.fn("unloaded.dump")).data, box[0], box[1])
                rep.update(springback=sb.springback, compressed_um=sb.compressed_um, relaxed_um=sb.relaxed_um)
        reps.append(rep)
        log.info("calendering replicate %d: settled %.4g g/cc, %d of %d targets reached, springback %.3g", k,
                 rep["settled_density_g_cc"], len(ok_targets), len(status), rep["springback"])
    targets = pd.DataFrame(rows).sort_values(["target_density_g_cc", "replicate"], ignore_index=True)
    return CalenderingResult(study, targets, pd.concat(groups, ignore_index=True) if groups else pd.DataFrame(),
                             pd.concat(size_classes, ignore_index=True) if size_classes else pd.DataFrame(),
                             pd.DataFrame(reps), {rho: np.concatenate(v) for rho, v in forces.items()})


def mapping_check(study: CalenderingStudy, root: Path | str, runner: Runner | None = None, *,
                  speed_factor: float = 0.5, modulus_factor: float = 2.0, workers: int = 1) -> pd.DataFrame:
    """Rerun the study with a slower wall and a stiffer modulus on the same settled beds; compare.

    The stiffer run scales gravity with the modulus (same g / E: same static overlaps). Per target and
    variant: wall pressure / E and max force / E (mean, CI), the difference to the base run and
    ``agrees`` = |difference| <= sqrt(ci_base² + ci²) (NaN with one replicate).
    """
    g = study.calender_gravity_g * modulus_factor if study.calender_gravity_g else None
    variants = {"base": study, f"speed x{speed_factor:g}": replace(study, speed_m_s=study.speed_m_s * speed_factor),
                f"modulus x{modulus_factor:g}": replace(study, modulus_scale=study.modulus_scale * modulus_factor,
                                                         calender_gravity_g=g)}
    summaries = {name: run_calendering(v, root, runner, workers=workers).summary() for name, v in variants.items()}
    base = summaries["base"].set_index("target_density_g_cc")
    rows = []
    for name, s in summaries.items():
        for rho, r in s.set_index("target_density_g_cc").iterrows():
            for q in ("wall_pressure_over_e", "max_force_over_e_um2"):
                diff = r[q] - base.loc[rho, q]
                ci = math.hypot(base.loc[rho, f"{q}_ci95"], r[f"{q}_ci95"])
                rows.append({"variant": name, "target_density_g_cc": rho, "quantity": q, "value": r[q],
                             "ci95": r[f"{q}_ci95"], "difference": diff, "relative_difference": diff / base.loc[rho, q],
                             "agrees": bool(abs(diff) <= ci) if math.isfinite(ci) else math.nan,
                             "inertial_number": r["inertial_number"]})
    return pd.DataFrame(rows)
