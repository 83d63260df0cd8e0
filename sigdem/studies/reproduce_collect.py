"""The tables of a finished ``reproduce`` job (:mod:`sigdem.studies.reproduce`), read from its run folders.

:class:`ReproduceResults` is what the claims of the report are computed from: plain tables and the
calendering results, so a test can build one from synthetic data. :func:`collect` reads a finished plan
(every folder is done by then: the studies only read and summarise; :func:`check_finished` says which jobs
are not, e.g. before collecting a cluster run) and :func:`statepoints` lists every parameter, seed and job id
for the provenance.
"""

from __future__ import annotations

import importlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sigdem.errors import IncompleteRunError, InputError
from sigdem.io.folder import RunFolder, derive_seed
from sigdem.psd import desmond_weeks_rcp, farr_groot_rcp
from sigdem.run.runners import Runner, folder_of
from sigdem.studies.calendering import reachable_calender_deck
from sigdem.studies.calendering_run import run_calendering, unload_failed
from sigdem.studies.packing import run_packing
from sigdem.studies.pellet_analysis import pellet_stop
from sigdem.studies.reproduce import PELLET_MODULE, Job, ReproducePlan

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReproduceResults:
    """Results of the three parts.

    ``ternary``: one row per blend (``x_<grade>`` mass fractions, ``solid_fraction`` mean and ``_ci95``, ``n``,
    ``farr_groot``, ``desmond_weeks``, ...; :func:`sigdem.studies.ternary.ternary_packing_sweep`).
    ``tapped``: one row per (blend, replicate) of the tapped beds (``blend``, ``replicate``, ``bed_density_g_cc``,
    ``solid_fraction``, ``taps``, ``job``). ``calendering``: blend name -> CalenderingResult. ``pellets``: one
    row per (blend, replicate, pressure) of the pellet study (``blend``, ``target_pressure_mpa``,
    ``density_loaded_g_cc``, ``density_relaxed_g_cc``, ``springback_height``, ...) or None when the study is not
    available; ``pellet_note`` says which. ``scale``: the scale's name and description.
    """

    ternary: pd.DataFrame
    tapped: pd.DataFrame
    calendering: dict
    pellets: pd.DataFrame | None
    pellet_note: str
    scale: dict = field(default_factory=dict)
    grade_names: tuple[str, str, str] = ("large", "middle", "small")

    def swapped(self, a: str = "SiG", b: str = "WD-SiG") -> "ReproduceResults":
        """The same results with blends ``a`` and ``b`` exchanged (a check that verdicts follow the data)."""
        names = {a: b, b: a}

        def relabel(df):
            return None if df is None else df.assign(blend=df["blend"].map(lambda n: names.get(n, n)))

        cal = {names.get(n, n): r for n, r in self.calendering.items()}
        return ReproduceResults(self.ternary, relabel(self.tapped), cal, relabel(self.pellets), self.pellet_note,
                                self.scale, self.grade_names)


def collect(plan: ReproducePlan, root: Path | str, runner: Runner | None = None) -> ReproduceResults:
    """Read and summarise every finished part of ``plan`` under ``root``. ``runner``: what the studies run a
    folder that is not done with (None: run it here; :class:`~sigdem.run.runners.CollectOnly`: run nothing)."""
    sc = plan.scale
    grades = tuple(plan.ternary_template.blend.grades)
    ternary = pd.DataFrame([_ternary_row(st, root, runner) for st in plan.ternary])
    tapped = []
    for name, st in plan.tapped.items():
        try:
            tapped.append(run_packing(st, root, runner).table.assign(blend=name))
        except InputError as exc:  # e.g. a bed too shallow for a bulk slab: stated, not dropped silently
            log.error("tapped %s: not analysed (%s)", name, exc)
            tapped.append(pd.DataFrame([{"blend": name, "bed_density_g_cc": float("nan"),
                                         "solid_fraction": float("nan"), "error": str(exc)}]))
    calendering = {name: run_calendering(st, root, runner) for name, st in plan.calendering.items()}
    pellets = None
    if plan.pellets:
        mod = importlib.import_module(PELLET_MODULE)
        pellets = pd.concat([mod.run_pellet(st, root, runner).pellets.assign(blend=name) for name, st in plan.pellets.items()],
                            ignore_index=True)
    return ReproduceResults(ternary, pd.concat(tapped, ignore_index=True), calendering, pellets, plan.pellet_note,
                            {"name": sc.name, "description": sc.description, "representative": sc.representative},
                            tuple(g.name for g in grades))


#: Run-folder states, as :func:`check_finished` names them.
STATE_WORDS = {"absent": "not rendered", "rendered": "rendered, not run", "running": "running", "failed": "failed"}


def job_folders(job: Job, root: Path | str) -> tuple[str, tuple[RunFolder, ...]]:
    """(state, folders) of ``job`` (a job of :meth:`ReproducePlan.jobs`) under ``root``: ``done`` with every run
    folder it ran, else which folder is not finished and its state (``settle failed``, ``calender rendered, not
    run``, ...) with the folders so far. Reads the folders only. A calender stage with no reachable target, or an
    mdr calender folder that stopped on mdr's NaN as the wall lifted
    (:func:`~sigdem.studies.calendering_run.unload_failed`), counts as done, as for the study."""
    def word(stage: str, folder: RunFolder) -> str:
        return f"{stage} {STATE_WORDS.get(folder.state, folder.state)}"

    if job.stage in ("ternary", "tapped"):
        folder = folder_of(job.args[0], root)
        return ("done" if folder.state == "done" else word("settle", folder)), (folder,)
    study, k = job.args[0], job.args[1]
    settle = folder_of(study.settle_deck(k), root)
    if settle.state != "done":
        return word("settle", settle), (settle,)
    if job.stage == "calendering":
        deck = reachable_calender_deck(study, settle)
        if deck is None:
            return "done", (settle,)
        folder = folder_of(deck, root)
        done = folder.state == "done" or unload_failed(folder)
        return ("done" if done else word("calender", folder)), (settle, folder)
    folder = folder_of(study.pellet_deck(settle), root)
    done = folder.state == "done" or pellet_stop(folder) is not None  # kept by the study, as a calender stop
    return ("done" if done else word("pellet", folder)), (settle, folder)


def job_state(job: Job, root: Path | str) -> str:
    """``done`` when every run folder of ``job`` is finished under ``root``, else why not (:func:`job_folders`)."""
    return job_folders(job, root)[0]


class UnfinishedJobsError(IncompleteRunError):
    """Jobs of a reproduce plan are not finished under its root: ``unfinished`` lists (stage, label, state)."""

    def __init__(self, root: Path | str, unfinished: list[tuple[str, str, str]], total: int, message: str):
        self.run_dir, self.state, self.unfinished, self.total = Path(root), "unfinished", unfinished, total
        super(IncompleteRunError, self).__init__(message)


def check_finished(plan: ReproducePlan, root: Path | str) -> None:
    """Refuse to collect ``plan`` while any of its jobs is unfinished under ``root``: an
    :class:`UnfinishedJobsError` that says how many, which (and their folders' states), and how to look at the
    Slurm arrays that run them (``sigdem hpc status``)."""
    root = Path(root).resolve()
    jobs = plan.jobs(root)
    bad = [(j.stage, j.label, s) for j in jobs if (s := job_state(j, root)) != "done"]
    if not bad:
        return
    counts = Counter(s for _, _, s in bad)
    sweeps = sorted((p for p in (root / "_slurm").glob("*/submission.json")), key=lambda p: p.stat().st_mtime)
    look = ("\n".join(f"  sigdem hpc status {p.parent}" for p in sweeps[-6:]) if sweeps else
            f"  sigdem hpc status {root / '_slurm'}/<sweep> (no sweep was submitted under this root)")
    shown = "\n".join(f"  {stage} {label}: {s}" for stage, label, s in bad[:12])
    more = f"\n  ... and {len(bad) - 12} more" if len(bad) > 12 else ""
    msg = (f"{len(bad)} of {len(jobs)} reproduce jobs ({plan.scale.name} scale) are not finished under {root} "
           f"({', '.join(f'{n} {s}' for s, n in counts.items())}); nothing collected:\n{shown}{more}\n"
           f"check the submitted Slurm arrays with\n{look}\n"
           "and collect again once they are done. `sigdem reproduce --submit` with the same --scale and --root submits "
           "what has not run (finished folders are skipped; failed or killed ones only with --resubmit-failed), "
           "or `sigdem reproduce` without --collect runs it here")
    raise UnfinishedJobsError(root, bad, len(jobs), msg)


def _ternary_row(study, root: Path | str, runner: Runner | None = None) -> dict:
    """One row of the ternary table (as :func:`sigdem.studies.ternary.ternary_packing_sweep` gives), or the blend
    with NaN and the error when its beds cannot be analysed."""
    row = {f"x_{g.name}": x for g, x in zip(study.blend.grades, study.blend.mass_fractions)}
    try:
        row.update(run_packing(study, root, runner).summary())
    except InputError as exc:
        log.error("ternary blend %s: not analysed (%s)", row, exc)
        row.update(solid_fraction=float("nan"), solid_fraction_ci95=float("nan"), n=0, farr_groot=farr_groot_rcp(
            study.blend), desmond_weeks=desmond_weeks_rcp(study.blend), error=str(exc))
    return row


def _packing_rows(part: str, name: str, study, root: Path | str) -> list[dict]:
    key = study.bed_key
    return [{"part": part, "blend": name, "replicate": k, "job": folder_of(study.deck(k), root).path.name,
             "record": study.record,
             "study_job": study.job, "bed_key": key, "sample_seed": derive_seed(key, f"sample{k}"),
             "place_seed": derive_seed(key, f"place{k}")} for k in range(study.replicates)]


def statepoints(plan: ReproducePlan, root: Path | str) -> dict:
    """Every study's statepoint and every run folder with its seeds, JSON-ready."""
    def blend_name(study) -> str:
        return "/".join(f"{g.name}={x:g}" for g, x in zip(study.blend.grades, study.blend.mass_fractions) if x > 0)

    runs = []
    for st in plan.ternary:
        runs += _packing_rows("ternary", blend_name(st), st, root)
    for name, st in plan.tapped.items():
        runs += _packing_rows("tapped", name, st, root)
    for name, st in plan.calendering.items():
        for k in range(st.replicates):
            runs.append({"part": "calendering", "blend": name, "replicate": k,
                         "job": folder_of(st.settle_deck(k), root).path.name, "study_job": st.bed_job,
                         "bed_key": st.bed_job, "sample_seed": derive_seed(st.bed_job, f"sample{k}"),
                         "place_seed": derive_seed(st.bed_job, f"place{k}")})
    studies = {"ternary_template": plan.ternary_template.statepoint(),
               "tapped": {n: s.statepoint() for n, s in plan.tapped.items()},
               "calendering": {n: {**s.bed_statepoint(), "factors_source": "CalenderingResult.factors()",
                                   "targets_g_cc": list(s.target_densities_g_cc), "replicates": s.replicates,
                                   "contact": repr(s.contact), "speed_m_s": s.speed_m_s,
                                   "modulus_scale": s.modulus_scale}
                               for n, s in plan.calendering.items()},
               "pellets": {n: repr(s) for n, s in (plan.pellets or {}).items()} or plan.pellet_note}
    return {"studies": studies, "runs": runs}
