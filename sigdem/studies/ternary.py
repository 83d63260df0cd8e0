"""Ternary sweep of packing over three grades (the paper's Fig. 2a), parallel and resumable.

Every composition of :func:`sigdem.psd.ternary_grid` is a :class:`PackingStudy`; points run
in parallel worker processes (one LAMMPS each, since ``pair_style granular`` has no OpenMP
variant) and finished run folders are reused, so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ..psd import Grade, ternary_blends
from .packing import PackingStudy, run_packing

log = logging.getLogger(__name__)


def _run_point(args) -> dict:
    study, root = args
    res = run_packing(study, root)
    row = {f"x_{g.name}": frac for g, frac in zip(study.blend.grades, study.blend.mass_fractions)}
    row.update(res.summary())
    return row


def ternary_packing_sweep(grades: tuple[Grade, Grade, Grade], template: PackingStudy, root: Path | str, *,
                          step: float = 0.25, workers: int | None = None) -> pd.DataFrame:
    """Packing of every blend of three grades at mass-fraction ``step``: one tidy table.

    Columns: ``x_<grade>`` mass fractions, ``solid_fraction`` (mean), ``solid_fraction_ci95``,
    ``n`` (replicates), ``bed_density_g_cc``, ``coordination``, ``farr_groot``,
    ``desmond_weeks``, and the acceleration factors used.
    """
    studies = [replace(template, blend=b) for b in ternary_blends(grades, step)]
    workers = workers or max(1, len(os.sched_getaffinity(0)))
    log.info("ternary sweep: %d blends x %d replicates on %d workers", len(studies), template.replicates, workers)
    jobs = [(s, str(root)) for s in studies]
    if workers == 1:
        rows = [_run_point(j) for j in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            rows = list(pool.map(_run_point, jobs))
    return pd.DataFrame(rows)
