"""Calibrate the mdr yield stress of a pellet study against a measured density-pressure curve.

Each evaluation is a pellet run of the study (its beds are reused: the settle stage does not depend on Y) at the
measured pressures with mdr's yield stress set to the trial value; :func:`sigdem.analysis.compaction.
fit_scalar_parameter` searches log Y in ``bounds_gpa`` for the least squared density residual. The density
compared is the replicate mean in-die (``state="loaded"``) or after relaxation (``"relaxed"``), g/cc.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sigdem.analysis.compaction import ScalarFit, fit_scalar_parameter
from sigdem.errors import InputError
from sigdem.run.runners import Runner
from sigdem.studies.pellet import PelletStudy, run_pellet

log = logging.getLogger(__name__)

STATES = ("loaded", "relaxed")


@dataclass(frozen=True, slots=True)
class YieldStressCalibration:
    """Best mdr yield stress (GPa) with its 1-sigma uncertainty, the rmse of the density residuals (g/cc), and
    the search (:class:`~sigdem.analysis.compaction.ScalarFit`: evaluations, at_bound, converged)."""

    yield_stress_gpa: float
    uncertainty_gpa: float
    rmse_g_cc: float
    state: str
    fit: ScalarFit


def read_measured(source) -> tuple[np.ndarray, np.ndarray]:
    """(pressures MPa, densities g/cc) from a CSV with columns ``pressure_mpa`` and ``density_g_cc``, or a pair of
    arrays."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise InputError("measured", f"{path} is not a file")
        table = pd.read_csv(path)
        missing = {"pressure_mpa", "density_g_cc"} - set(table.columns)
        if missing:
            raise InputError("measured", f"{path} lacks the column(s) {sorted(missing)}; needs pressure_mpa, density_g_cc")
        p, d = table["pressure_mpa"].to_numpy(float), table["density_g_cc"].to_numpy(float)
    else:
        try:
            p, d = (np.asarray(a, dtype=float) for a in source)
        except (TypeError, ValueError):
            raise InputError("measured", "needs a CSV path or (pressures_mpa, densities_g_cc)") from None
    if p.shape != d.shape or p.ndim != 1 or p.size < 3:
        raise InputError("measured", f"needs >= 3 (pressure, density) pairs; got shapes {p.shape}, {d.shape}")
    order = np.argsort(p)
    return p[order], d[order]


def simulated_densities(study: PelletStudy, yield_stress_gpa: float, pressures_mpa, root: Path | str,
                        runner: Runner | None = None, state: str = "loaded", workers: int = 1) -> np.ndarray:
    """Replicate-mean density (g/cc) at the pressures of a run of ``study`` with mdr yield stress ``yield_stress_gpa``."""
    if state not in STATES:
        raise InputError("state", f"{state!r}; allowed: {', '.join(STATES)}")
    trial = replace(study, contact=replace(study.contact, yield_stress_gpa=float(yield_stress_gpa)),
                    target_pressures_mpa=tuple(float(p) for p in pressures_mpa))
    summary = run_pellet(trial, root, runner, workers=workers).summary()
    return summary[f"density_{state}_g_cc"].to_numpy(float)


def calibrate_yield_stress(study: PelletStudy, measured, root: Path | str, runner: Runner | None = None, *,
                           bounds_gpa: tuple[float, float] = (0.01, 1.0), state: str = "loaded",
                           max_evaluations: int = 10, workers: int = 1) -> YieldStressCalibration:
    """The mdr yield stress whose pellet densities best fit ``measured`` (CSV path or (pressures MPa, g/cc))."""
    if study.contact is None:
        raise InputError("contact", "calibrating a yield stress needs the mdr contact model (contact=MdrContact())")
    p, d = read_measured(measured)
    fit = fit_scalar_parameter(lambda y: simulated_densities(study, y, p, root, runner, state, workers), p, d,
                               bounds=bounds_gpa, log_scale=True, max_evaluations=max_evaluations)
    log.info("calibrated Y = %.4g ± %.2g GPa (rmse %.3g g/cc, %d runs)", fit.value, fit.uncertainty, fit.rmse,
             len(fit.evaluations))
    return YieldStressCalibration(fit.value, fit.uncertainty, fit.rmse, state, fit)
