"""Ternary sweep of packing over three grades (the paper's Fig. 2a), parallel and resumable.

Every composition of :func:`sigdem.psd.ternary_grid` is a :class:`PackingStudy`; points run
in parallel worker processes (one LAMMPS each, since ``pair_style granular`` has no OpenMP
variant) and finished run folders are reused, so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

import pandas as pd

from sigdem.psd import Grade, ternary_blends
from sigdem.run.child import run_pool
from sigdem.run.progress import JobProgress
from sigdem.run.runners import Runner, run
from sigdem.studies.packing import PackingStudy, run_packing

log = logging.getLogger(__name__)


def _row(study: PackingStudy, root: Path | str) -> dict:
    res = run_packing(study, root)  # every bed is done by now: this only reads and summarises
    row = {f"x_{g.name}": frac for g, frac in zip(study.blend.grades, study.blend.mass_fractions)}
    row.update(res.summary())
    return row


def ternary_studies(grades: tuple[Grade, Grade, Grade], template: PackingStudy, step: float) -> list[PackingStudy]:
    """One packing study per blend of the grid (``template`` with its blend replaced)."""
    return [replace(template, blend=b) for b in ternary_blends(grades, step)]


def ternary_decks(studies: list[PackingStudy]) -> list:
    """Every settle deck (blend x replicate), longest first: settle time ~ n x sqrt(column height)."""
    decks = [s.deck(k) for s in studies for k in range(s.replicates)]
    decks.sort(key=lambda d: -d.bed.n * d.bed.height_um**0.5)
    return decks


def run_deck_job(args) -> str:
    """Pool job: run (or reuse) one deck under ``root`` with ``runner``; returns the folder name."""
    deck, root, runner = args
    return run(deck, root, runner).path.name


def ternary_packing_sweep(grades: tuple[Grade, Grade, Grade], template: PackingStudy, root: Path | str, *,
                          step: float = 0.25, workers: int | None = None, runner: Runner | None = None,
                          progress: bool = False) -> pd.DataFrame:
    """Packing of every blend of three grades at mass-fraction ``step``: one tidy table.

    Every bed (blend x replicate) is one job; jobs run on ``workers`` processes, the tallest
    initial columns (the longest settles) first, so the cores stay busy to the end.

    Columns: ``x_<grade>`` mass fractions, ``solid_fraction`` (mean), ``solid_fraction_ci95``,
    ``n`` (replicates), ``bed_density_g_cc``, ``coordination``, ``farr_groot``,
    ``desmond_weeks``, and the acceleration factors used.
    """
    studies = ternary_studies(grades, template, step)
    workers = workers or max(1, len(os.sched_getaffinity(0)))
    decks = ternary_decks(studies)
    log.info("ternary sweep: %d blends x %d replicates = %d beds on %d workers", len(studies), template.replicates,
             len(decks), workers)
    jobs = [(d, str(root), runner) for d in decks]
    if workers == 1:
        done = JobProgress(len(jobs), "ternary beds", bar=progress)
        for j in jobs:
            done.step(run_deck_job(j))
        done.close()
    else:  # workers die with this process and stop on Ctrl-C
        run_pool(run_deck_job, jobs, workers, label="ternary beds", bar=progress)
    return pd.DataFrame([_row(s, root) for s in studies])
