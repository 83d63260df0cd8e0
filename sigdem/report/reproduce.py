"""``sigdem reproduce``: run the paper's DEM work (:mod:`sigdem.studies.reproduce`) and write its report.

:func:`reproduce` runs (or reuses) every LAMMPS job on one pool, reads the results, computes the claims
(:mod:`sigdem.report.claims`) and writes ``report.md``, ``report.html`` (self-contained), ``provenance.json``,
``claims.csv``, ``tables/*.csv`` and ``figures/*.png`` into ``out``. With ``collect_only`` it runs nothing: it
gathers the folders finished elsewhere (``sigdem reproduce --submit`` on a Slurm cluster) into the same report,
and refuses, naming them, while any job is not finished.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sigdem.report.claims import SIG, WDSIG, ClaimRow
from sigdem.report.figures import png_bytes, report_figures
from sigdem.report.provenance import provenance
from sigdem.report.render import ReportData, write_report
from sigdem.report.table import claims_table
from sigdem.studies.calendering_analysis import compare_blends
from sigdem.run.runners import CollectOnly
from sigdem.studies.reproduce import STAGES, ReproducePlan, RunTiming, plan_reproduction, recorded_seconds, run_jobs
from sigdem.studies.reproduce_collect import ReproduceResults, check_finished, collect, job_folders, statepoints

log = logging.getLogger(__name__)

TITLE = "sigdem reproduction of Sung et al., Batteries & Supercaps (2022), doi 10.1002/batt.202200136: the DEM claims"


@dataclass(frozen=True, slots=True)
class ReproduceReport:
    """What :func:`reproduce` wrote (``files``: name -> path) and computed."""

    files: dict
    claims: tuple[ClaimRow, ...]
    results: ReproduceResults
    timing: dict


def limitations(results: ReproduceResults) -> tuple[str, ...]:
    """What the model leaves out, with this run's numbers where it has them."""
    out = ["Particle shape: spheres. Graphite grades are flakes or potato-shaped; a rolling resistance (0.1 while "
           "pressing) is the only stand-in for shape.",
           "Binder and cohesion: none while pressing or packing. The as-coated calendering bed is settled with a "
           "binder stand-in (friction 1.0, rolling resistance 0.3) that is released before the wall comes; packing "
           "beds are cohesionless, so absolute packing and tap densities sit above real powders' (a ranking only).",
           "The Si layer exists only as a contact property: a 15 nm film's strain a/R at each contact against an assumed "
           "failure strain (film E 110 GPa, strength 1.5 GPa, 3 J/m²). No Si stiffness, no detachment, no internal "
           "pores, no lithiation."]
    for name, res in results.calendering.items():
        st = res.study
        s = res.summary()
        top = s.dropna(subset=["p99_overlap_ratio"]).tail(1)
        over = (f"; p99 overlap / radius {top['p99_overlap_ratio'].iloc[0]:.2g} at {top['target_density_g_cc'].iloc[0]:g} "
                "g/cc") if len(top) else ""
        law = ("elastic Hertz contacts (no yield: the assumed yield stress does not enter; high densities are reached "
               "through overlaps far past Hertz's range)" if st.contact is None else
               f"mdr elastic-plastic contacts with an ASSUMED yield stress of {st.contact.yield_stress_gpa:g} GPa "
               "(unmeasured; forces scale roughly with it)")
        out.append(f"{name}: box {st.side_um:.4g} um = {st.side_um / st.largest_diameter_um:.2g} largest diameters "
                   f"({'representative' if st.representative else 'below the representative 8: not representative'}), "
                   f"{st.replicates} replicates, {law}{over}; contacts softened x{st.modulus_scale:g} and forces mapped "
                   "back as F_sim / modulus_scale.")
    out.append("Pellets: " + (results.pellet_note if results.pellets is None else
                              "periodic die without wall friction, no binder or carbon, no 6 h creep (the paper's "
                              "springback holds binder creep)."))
    return tuple(out)


def report_tables(results: ReproduceResults, timing: dict) -> dict[str, pd.DataFrame]:
    tables = {"ternary_packing": results.ternary, "tapped_beds": results.tapped.drop(
        columns=[c for c in results.tapped.columns if c.startswith("solid_fraction_")], errors="ignore")}
    cal = results.calendering
    if cal:
        tables["calendering_summary"] = pd.concat([r.summary().assign(blend=n) for n, r in cal.items()], ignore_index=True)
        tables["calendering_replicates"] = pd.concat([r.replicates.assign(blend=n) for n, r in cal.items()],
                                                     ignore_index=True)
        sizes = [r.size_classes.assign(blend=n) for n, r in cal.items() if not r.size_classes.empty]
        if sizes:
            tables["calendering_size_classes"] = pd.concat(sizes, ignore_index=True)
        ff = []
        for n, r in cal.items():
            for index in ("film", "hertz"):
                f = r.fracture_free(index)
                ff.append({"blend": n, "index": index, "state": f.state, "density_g_cc": f.density, "share": f.share,
                           "ci95": f.ci95, "critical_density_g_cc": f.critical_density, "clear": f.clear,
                           "level": f.threshold})
        tables["fracture_free"] = pd.DataFrame(ff)
        if SIG in cal and WDSIG in cal:
            tables["calendering_comparison"] = compare_blends(cal[SIG], cal[WDSIG], (SIG, WDSIG))
    if results.pellets is not None:
        tables["pellets"] = results.pellets
    tables["wall_time"] = pd.DataFrame([{"stage": k, **v} if isinstance(v, dict) else {"stage": k, "wall_s": v}
                                        for k, v in timing.items()])
    return tables


def _timing(run: RunTiming, collect_s: float, report_s: float) -> dict:
    stages = run.by_stage()
    return {**{k: {"jobs": v["jobs"], "job_seconds": round(v["job_seconds"], 1), "span_on_pool_s": round(v["span_s"], 1),
                   "recorded_lammps_s": round(v["recorded_lammps_s"], 1)}
               for k, v in stages.items()},
            "simulations_total": {"wall_s": round(run.total_s, 1), "workers": run.workers},
            "collect_and_analyse": {"wall_s": round(collect_s, 1)}, "report": {"wall_s": round(report_s, 1)}}


#: Wall times a collected run cannot know: its jobs ran elsewhere (a cluster), not on this process's pool.
UNKNOWN = "unknown (collected)"
#: The provenance's ``run`` record of a collected run.
COLLECTED_RUN = {"mode": "collected", "how": "nothing ran here: the run folders were finished elsewhere (a Slurm "
                 "cluster run, sigdem reproduce --submit) and collected with sigdem reproduce --collect; the pool's "
                 "wall times are unknown to this report, recorded_lammps_s sums each run folder's own stamps "
                 "(status.json, running_at -> done_at) as the cluster's tasks wrote them"}


def _collected_timing(plan: ReproducePlan, root: Path | str, collect_s: float, report_s: float) -> dict:
    out: dict = {}
    for job in plan.jobs(root):
        _, folders = job_folders(job, root)
        stage = out.setdefault(job.stage, {"jobs": 0, "job_seconds": UNKNOWN, "span_on_pool_s": UNKNOWN,
                                           "recorded_lammps_s": 0.0})
        stage["jobs"] += 1
        stage["recorded_lammps_s"] += recorded_seconds(tuple(str(f.path) for f in folders), root)
    stages = {s: {**out[s], "recorded_lammps_s": round(out[s]["recorded_lammps_s"], 1)} for s in STAGES if s in out}
    return {**stages, "simulations_total": {"wall_s": UNKNOWN, "workers": UNKNOWN},
            "collect_and_analyse": {"wall_s": round(collect_s, 1)}, "report": {"wall_s": round(report_s, 1)}}


def build_report(results: ReproduceResults, plan: ReproducePlan | None, root: Path | str, timing: dict,
                 argv: list[str] | None = None, run: dict | None = None) -> ReportData:
    """The report of ``results`` (``plan`` for the statepoints; None in tests). ``run``: the provenance's record
    of how the simulations ran (default: locally)."""
    claims = tuple(claims_table(results))
    figures = {n: png_bytes(f) for n, f in report_figures(results).items()}
    sp = statepoints(plan, root) if plan is not None else {}
    cal_runs = [{"blend": n, **r} for n, res in results.calendering.items()
                for r in res.replicates.to_dict("records")] if results.calendering else []
    factors = {"calendering": {n: r.factors() for n, r in results.calendering.items()}}
    prov = provenance(scale=results.scale, root=root, timing=timing, statepoints={**sp, "calendering_runs": cal_runs},
                      factors=factors, pellet_note=results.pellet_note, argv=argv, run=run)
    return ReportData(TITLE, results.scale, claims, report_tables(results, timing), figures, limitations(results), prov)


def reproduce(out: Path | str, root: Path | str, scale: str = "small", workers: int | None = None, *,
              argv: list[str] | None = None, collect_only: bool = False) -> ReproduceReport:
    """Run (or reuse) the whole job at ``scale`` under ``root`` and write its report into ``out``.

    ``collect_only``: run nothing; gather the run folders finished elsewhere (a cluster) into the same report,
    its provenance saying so: the pool's wall times unknown, the LAMMPS time the folders recorded stated. Any unfinished job is an
    :class:`~sigdem.studies.reproduce_collect.UnfinishedJobsError` (how many, which, ``sigdem hpc status``)
    before anything is read or written."""
    plan = plan_reproduction(scale)
    if collect_only:
        check_finished(plan, root)
        run = None
    else:
        run = run_jobs(plan, root, workers)
    t0 = time.time()
    results = collect(plan, root, CollectOnly() if collect_only else None)
    t1 = time.time()
    timing = _collected_timing(plan, root, t1 - t0, math.nan) if run is None else _timing(run, t1 - t0, math.nan)
    data = build_report(results, plan, root, timing, argv, COLLECTED_RUN if collect_only else None)
    timing["report"]["wall_s"] = round(time.time() - t1, 1)  # the dict is the provenance's: filled in before writing
    files = write_report(data, out)
    log.info("reproduce: report in %s (%s)", out, ", ".join(f"{c.key}: {c.verdict}" for c in data.claims))
    return ReproduceReport(files, data.claims, results, timing)
