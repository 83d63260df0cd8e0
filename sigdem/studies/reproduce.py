"""The paper's DEM work in one job (``sigdem reproduce``): what runs, at which scale, on one worker pool.

Three parts, each a study sigdem already has: (1) the ternary packing map of the three grades beside the
analytic estimates, and a tapped-density ranking of SiG vs WD-SiG; (2) SiG vs WD-SiG calendering through
the paper's densities; (3) pellets, only when :mod:`sigdem.studies.pellet` exists in this build (else the
results say so; nothing is made up). Every LAMMPS run of all parts goes on one pool of ``workers``
processes (longest first), with progress per part and overall; finished run folders are reused, so an
interrupted job resumes. Tables come back in :class:`~sigdem.studies.reproduce_collect.ReproduceResults`;
the report (claims, figures, provenance) is :mod:`sigdem.report`, a room above this one. The ternary points of
SiG and WD-SiG are the tapped study's first beds before their taps (:func:`~sigdem.studies.packing.pour_once`: the
same bytes an untapped job of those beds ends with), so those beds are poured once, not twice.

Scales (:data:`SCALES`), stated in every result:

- ``small`` (default, meant to fit ~15 min on 2 cores; measured in benchmarks/results/): the 0.5-step grid (6 blends)
  with 2 beds of 3,000 particles; tapped density from 3 beds of 3,000 particles, 3 taps; calendering with the
  study's elastic-plastic mdr contacts and converged numerics, 3 replicates per blend in a box of 4 largest
  diameters (half the representative side: flagged not representative; benchmarks/finite_size.py compares it
  with the representative 8);
- ``paper``: the 0.25-step grid with 3 beds of 3,000, 5 tapped beds of 3,000, and the calendering and
  pellet studies' own defaults (representative box of 8 largest diameters, mdr contacts): hours on
  2 cores;
- ``tiny`` (hidden; tests): one bed of 3,000 particles per blend, a light and fast calendering bed, ~10 min.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path

from sigdem.errors import EngineError, InputError, SigdemError
from sigdem.psd import blend_from_fractions, blend_from_text, paper_grades
from sigdem.run.child import PoolOutcome, run_pool
from sigdem.studies.calendering import CalenderingStudy, largest_diameter_um
from sigdem.studies.calendering_run import run_replicate_job
from sigdem.run.runners import folder_of
from sigdem.studies.packing import PACKING_SETTLE, PackingStudy, pour_once
from sigdem.studies.ternary import run_deck_job, ternary_decks, ternary_studies

log = logging.getLogger(__name__)

#: The paper's two calendered powders: SiG (small grade only) and WD-SiG (50 % large + 50 % small by mass).
BLENDS = {"SiG": "small=1.0", "WD-SiG": "large=0.5,small=0.5"}
#: The pellet study's module; optional in this build.
PELLET_MODULE = "sigdem.studies.pellet"
#: Parts of the job, in report order.
STAGES = ("ternary", "tapped", "calendering", "pellets")


@dataclass(frozen=True, slots=True)
class ReproduceScale:
    """How large every part runs. ``None`` keeps the study's own default; ``representative`` says whether the
    calendering box is the studies' representative one."""

    name: str
    description: str
    ternary_step: float
    packing_particles: int
    packing_replicates: int
    tap_particles: int
    tap_replicates: int
    taps: int
    calender_replicates: int | None
    calender_side_um: float | None
    calender_contact: str
    calender_targets_g_cc: tuple[float, ...] | None
    calender_loading_mg_cm2: float | None = None
    #: Calendering box side in largest diameters (volume D99) of each blend; overrides ``calender_side_um``.
    calender_side_dmax: float | None = None
    calender_options: tuple[tuple[str, object], ...] = ()
    packing_options: tuple[tuple[str, object], ...] = ()
    tap_options: tuple[tuple[str, object], ...] = ()
    pellet_options: tuple[tuple[str, object], ...] = ()
    representative: bool = False


#: With mdr contacts the paper's WD-SiG failure range (1.8-1.9 g/cc) is added.
PAPER_TARGETS_G_CC = (1.0, 1.3, 1.45, 1.6, 1.75, 1.8, 1.9)

SCALES = {
    "small": ReproduceScale(
        "small", "6 blends x 2 beds of 3,000 particles; 3 tapped beds of 3,000 per blend (3 taps); calendering 3 "
        "replicates per blend with mdr contacts at the study's converged numerics in a box of 4 largest diameters "
        "(half the representative side: not representative); pellets 2 replicates in a 100 um die with "
        "Hertz contacts at 10-300 MPa",
        # a bulk slab needs a bed deeper than 4 D90: WD-SiG's box is widened to 4 largest diameters, so its tapped
        # beds of 1,000 (even 3x deeper than wide) and 2,000 particles had none (measured); 3,000 as the ternary beds.
        # Calendering: the calendering study's defaults but the box (SiG 1,046 / WD-SiG ~1,440 particles; the same
        # beds as benchmarks/calender_numerics.py and finite_size.py --other-side-dmax 4)
        0.5, 3000, 2, 3000, 3, 3, 3, None, "mdr", None, calender_side_dmax=4.0,
        # Hertz pellets up to 300 MPa (the kN/cm² reading of the paper's series; the literal one is 0.37-4.7 GPa)
        pellet_options=(("replicates", 2), ("side_um", 100.0), ("contact", None),
                        ("target_pressures_mpa", (10.0, 30.0, 100.0, 300.0)))),
    "paper": ReproduceScale(
        "paper", "15 blends x 3 beds of 3,000 particles; 5 tapped beds of 3,000 per blend (5 taps); calendering "
        "and pellets at the studies' own defaults (representative box of 8 largest diameters, mdr contacts)",
        0.25, 3000, 3, 3000, 5, 5, None, None, "mdr", PAPER_TARGETS_G_CC, representative=True),
    "tiny": ReproduceScale(
        "tiny", "smoke scale for tests, no physics: one packing bed of 3,000 particles per blend and one tapped bed of "
        "3,000 (1 tap; fewer leave no bulk slab deeper than 4 D90 in WD-SiG's widened box); calendering at 4 mg/cm2 in "
        "a 100 um Hertz box with a 3x faster wall, 2 free-fall times of re-settling and short holds",
        0.5, 3000, 1, 3000, 1, 1, 2, 100.0, "hertz", (1.3, 1.6, 1.75), calender_loading_mg_cm2=4.0,
        calender_options=(("resettle_time_factor", 2.0), ("speed_m_s", 0.3), ("target_hold_steps", 500),
                          ("hold_steps", 1000), ("relax_steps", 4000)),
        pellet_options=(("replicates", 1), ("side_um", 100.0), ("contact", None),
                        ("target_pressures_mpa", (10.0, 30.0, 100.0)), ("window_steps", 500), ("relax_steps", 4000))),
}
#: Scales shown in the command line's help (``tiny`` is for tests).
PUBLIC_SCALES = ("small", "paper")


def get_scale(scale: str | ReproduceScale) -> ReproduceScale:
    if isinstance(scale, ReproduceScale):
        return scale
    if scale not in SCALES:
        raise InputError("scale", f"{scale!r}; allowed: {', '.join(PUBLIC_SCALES)}")
    return SCALES[scale]


def pellet_available() -> bool:
    """Whether this build has the pellet study (checked at run time, not at import)."""
    return importlib.util.find_spec(PELLET_MODULE) is not None


@dataclass(frozen=True, slots=True)
class Job:
    """One LAMMPS job of the pool: its part, a label, the pool function and its argument."""

    stage: str
    label: str
    fn: Callable
    args: tuple
    cost: float


@dataclass(frozen=True, slots=True)
class ReproducePlan:
    """Every study of the job at one scale."""

    scale: ReproduceScale
    ternary_template: PackingStudy
    ternary: tuple[PackingStudy, ...]
    tapped: dict
    calendering: dict
    pellets: dict | None
    pellet_note: str

    def jobs(self, root: Path | str) -> list[Job]:
        """Every LAMMPS job, longest first (calendering chains, pellet chains, then beds by size)."""
        root = str(root)
        out = [Job("calendering", f"{n} replicate {k}", run_replicate_job, (st, k, root, None), 1e9)
               for n, st in self.calendering.items() for k in range(st.replicates)]
        out += [Job("pellets", f"{n} replicate {k}", _pellet_job, (st, k, root), 1e9)
                for n, st in (self.pellets or {}).items() for k in range(st.replicates)]
        named = [("tapped", n, st) for n, st in self.tapped.items()]
        named += [("ternary", blend_label(st.blend), st) for st in self.ternary]
        seen = set()  # a ternary bed poured by a tapped job (PackingStudy.poured_taps) runs once, as that job
        for stage, name, st in named:
            for d in ternary_decks([st]):  # settle time ~ n x sqrt(column height): the longest first
                if (job := folder_of(d, root).job) in seen:
                    continue
                seen.add(job)
                out.append(Job(stage, f"{name} bed {d.replicate} ({d.bed.n} particles)", run_deck_job, (d, root, None),
                               d.bed.n * d.bed.height_um**0.5))
        return sorted(out, key=lambda j: -j.cost)


def blend_label(blend) -> str:
    """``large 50 % + small 50 %``: the blend's grades by mass fraction."""
    return " + ".join(f"{g.name} {100 * x:.0f} %" for g, x in zip(blend.grades, blend.mass_fractions) if x > 0)


def _pellet_job(args) -> tuple[str, str]:
    study, k, root = args
    settle, pellet = importlib.import_module(PELLET_MODULE).run_replicate(study, k, root, None)
    return str(settle.path), str(pellet.path)


def _pellet_studies(scale: ReproduceScale) -> tuple[dict | None, str]:
    if not pellet_available():
        return None, ("the pellet study (sigdem.studies.pellet) is not available in this build: no pellet numbers "
                      "are reported")
    mod = importlib.import_module(PELLET_MODULE)
    known = {f.name for f in fields(mod.PelletStudy)}
    opts = {k: v for k, v in scale.pellet_options if k in known}
    studies = {n: mod.PelletStudy(blend_from_text(t, paper_grades()), **opts) for n, t in BLENDS.items()}
    return studies, f"pellet study {PELLET_MODULE} with {opts or 'its defaults'}"


def plan_reproduction(scale: str | ReproduceScale = "small") -> ReproducePlan:
    """The studies of every part at ``scale``."""
    sc = get_scale(scale)
    grades = paper_grades()
    extra = dict(sc.packing_options)
    template = PackingStudy(blend_from_fractions(grades, large=1.0), n_particles=sc.packing_particles,
                            replicates=sc.packing_replicates, **extra)
    tapped = {n: PackingStudy(blend_from_text(t, grades), n_particles=sc.tap_particles, replicates=sc.tap_replicates,
                              settle=replace(PACKING_SETTLE, taps=sc.taps), **{**extra, **dict(sc.tap_options)})
              for n, t in BLENDS.items()}
    kw: dict = {"contact": None} if sc.calender_contact == "hertz" else {}  # mdr: the study's own default
    for key, value in (("replicates", sc.calender_replicates), ("side_um", sc.calender_side_um),
                       ("target_densities_g_cc", sc.calender_targets_g_cc),
                       ("loading_mg_cm2", sc.calender_loading_mg_cm2)):
        if value is not None:
            kw[key] = value
    kw.update(dict(sc.calender_options))
    calendering = {}
    for n, t in BLENDS.items():
        blend = blend_from_text(t, grades)
        side = ({} if sc.calender_side_dmax is None
                else {"side_um": float(round(sc.calender_side_dmax * largest_diameter_um(blend)))})
        calendering[n] = CalenderingStudy(blend, **{**kw, **side})
    pellets, note = _pellet_studies(sc)
    # the ternary points of the two blends read their beds from the tapped jobs' poured records (pour_once)
    ternary = tuple(pour_once(st, tapped.values()) for st in ternary_studies(grades, template, sc.ternary_step))
    return ReproducePlan(sc, template, ternary, tapped, calendering, pellets, note)


@dataclass(frozen=True, slots=True)
class JobTime:
    stage: str
    label: str
    seconds: float
    start_s: float
    end_s: float
    #: LAMMPS time its run folders recorded (status.json: running -> done/failed), also when they were reused.
    recorded_s: float = math.nan


def recorded_seconds(value, root: Path | str) -> float:
    """Seconds the run folders of a job's return value (folder paths or names under ``root``, nested in tuples)
    recorded between their ``running_at`` and ``done_at`` / ``failed_at`` stamps: the simulation time a reused
    folder once cost. NaN when a folder has no such stamps."""
    if value is None:
        return 0.0
    if isinstance(value, (tuple, list)):
        return sum(recorded_seconds(v, root) for v in value)
    status = Path(str(value)) / "status.json"  # a path (absolute, or relative with its root) or a name under root
    if not status.exists():
        status = Path(root) / str(value) / "status.json"
    try:
        st = json.loads(status.read_text())
        end = st.get("done_at") or st.get("failed_at")
        return (datetime.fromisoformat(end) - datetime.fromisoformat(st["running_at"])).total_seconds()
    except (OSError, KeyError, TypeError, ValueError):
        return math.nan


@dataclass(frozen=True, slots=True)
class RunTiming:
    """Wall time of the simulations: per job, and per part (its jobs' summed seconds and its span on the pool)."""

    jobs: tuple[JobTime, ...]
    total_s: float
    workers: int
    stage_s: dict = field(default_factory=dict)

    def by_stage(self) -> dict:
        out = {}
        for stage in STAGES:
            js = [j for j in self.jobs if j.stage == stage]
            if js:
                out[stage] = {"jobs": len(js), "job_seconds": sum(j.seconds for j in js),
                              "span_s": max(j.end_s for j in js) - min(j.start_s for j in js),
                              "recorded_lammps_s": sum(j.recorded_s for j in js)}
        return out


def _run_job(job: tuple[Callable, tuple]):
    """Pool job of :func:`run_jobs`: the jobs of every part share one pool, each with its own function."""
    fn, args = job
    return fn(args)


def run_jobs(plan: ReproducePlan, root: Path | str, workers: int | None = None) -> RunTiming:
    """Run (or reuse) every job of ``plan`` on one pool; logs jobs done / total per part and overall. A job
    failing with a :class:`~sigdem.errors.SigdemError` (its folder is marked failed) does not stop the others:
    the failures are raised together at the end; any other error stops the pool at once."""
    jobs = plan.jobs(root)
    workers = workers or max(1, len(os.sched_getaffinity(0)))
    totals = {s: sum(j.stage == s for j in jobs) for s in STAGES}
    done = dict.fromkeys(STAGES, 0)
    log.info("reproduce (%s scale): %d LAMMPS jobs on %d workers (%s)", plan.scale.name, len(jobs), workers,
             ", ".join(f"{s} {n}" for s, n in totals.items() if n))
    t_start, times = time.time(), []
    failed: list[str] = []

    def settle(out: PoolOutcome) -> None:
        job = jobs[out.index]
        if out.error is not None:
            if not isinstance(out.error, SigdemError):  # a bug, not a failed run: stop
                log.error("reproduce: %s %s raised:\n%s", job.stage, job.label, out.traceback)
                raise out.error
            failed.append(f"{job.stage} {job.label}: {str(out.error).splitlines()[0]}")
            log.error("reproduce: %s %s FAILED (%s); the other jobs go on", job.stage, job.label, failed[-1])
            return
        done[job.stage] += 1
        times.append(JobTime(job.stage, job.label, out.seconds, out.started - t_start, out.ended - t_start,
                             recorded_seconds(out.value, root)))
        log.info("reproduce: %s %d/%d done (%s, %.0f s)", job.stage, done[job.stage], totals[job.stage], job.label,
                 out.seconds)

    run_pool(_run_job, [(j.fn, j.args) for j in jobs], workers, label="reproduce jobs", keep_going=True,
             on_done=settle)
    if failed:
        raise EngineError(f"{len(failed)} of {len(jobs)} reproduce jobs failed (finished folders are kept; rerun "
                          "to retry the failed ones):\n  " + "\n  ".join(failed))
    return RunTiming(tuple(times), time.time() - t_start, workers)
