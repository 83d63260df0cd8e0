"""The claims table: each DEM claim of the paper beside sigdem's number, its CI and a verdict computed from the data.

A claim is a small pure function ``(results) -> ClaimRow`` on a
:class:`~sigdem.studies.reproduce_collect.ReproduceResults`. Verdicts come from the numbers and their 95 %
CIs only: ``agrees`` (the difference or ratio the paper states lies outside the CI on the paper's side),
``disagrees`` (outside on the other side), ``not resolved at this scale`` (the CI straddles it, or a single
replicate leaves no CI), ``not available in this build`` (the study that would test it is not there).
Swapping the two blends' results flips the comparative verdicts (``tests/test_report.py``). The claims live in
:mod:`.claims_packing`, :mod:`.claims_calendering`, :mod:`.claims_pellets`; :mod:`.table` evaluates them all.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from sigdem.stats import Estimate, mean_ci

AGREES = "agrees"
DISAGREES = "disagrees"
UNRESOLVED = "not resolved at this scale"
UNAVAILABLE = "not available in this build"
VERDICTS = (AGREES, DISAGREES, UNRESOLVED, UNAVAILABLE)
#: The two blends, as the studies name them.
SIG, WDSIG = "SiG", "WD-SiG"


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One claim: the paper's statement and value, sigdem's ``sigdem_value`` (a number in ``unit``) with its 95 %
    CI half-width, the computed ``verdict`` and a one-line physical ``reason``; ``detail`` says what the number is,
    ``evidence`` shows the numbers behind a verdict that cannot be a plain yes (absolute forces, pressure units),
    ``sensitivity`` how the verdict moves with assumed parameters where that was measured."""

    key: str
    claim: str
    paper_value: str
    sigdem_value: float
    ci95: float
    verdict: str
    reason: str
    unit: str = ""
    detail: str = ""
    evidence: str = ""
    sensitivity: str = "not measured"

    def as_dict(self) -> dict:
        return asdict(self)


def fmt(est: Estimate | tuple, unit: str = "", digits: int = 3) -> str:
    """``mean ± ci unit`` (no ± when the CI is missing)."""
    m, c = (est.mean, est.ci95) if isinstance(est, Estimate) else est
    if not math.isfinite(m):
        return "n/a"
    text = f"{m:.{digits}g}" + (f" ± {c:.2g}" if math.isfinite(c) else " (no CI: 1 replicate)")
    return f"{text} {unit}".rstrip()


def compare(diff: float, ci: float) -> str:
    """Verdict on a difference the paper says is positive: its CI above 0, below 0, or straddling it."""
    if not (math.isfinite(diff) and math.isfinite(ci)):
        return UNRESOLVED
    return AGREES if diff > ci else DISAGREES if diff < -ci else UNRESOLVED


def ratio_ci(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """a / b with its CI half-width by first-order error propagation of the two replicate CIs."""
    (ma, ca), (mb, cb) = a, b
    if not (mb and math.isfinite(ma) and math.isfinite(mb)):
        return math.nan, math.nan
    r = ma / mb
    return r, abs(r) * math.hypot(ca / ma if ma else math.nan, cb / mb)


def log_ratio_ci(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """ln(a / b) with its CI half-width (relative CIs added in quadrature)."""
    (ma, ca), (mb, cb) = a, b
    if not (ma > 0 and mb > 0):
        return math.nan, math.nan
    return math.log(ma / mb), math.hypot(ca / ma, cb / mb)


def at(res, rho: float, quantity: str) -> tuple[float, float]:
    """(mean, ci95) of ``quantity`` of a CalenderingResult at target ``rho`` (NaN when not loaded there)."""
    s = res.summary()
    row = s[np.isclose(s["target_density_g_cc"], rho)]
    if row.empty or quantity not in row or int(row["n_ok"].iloc[0]) == 0:
        return math.nan, math.nan
    return float(row[quantity].iloc[0]), float(row[f"{quantity}_ci95"].iloc[0])


def mapping_note(res, rho: float) -> str:
    """Whether the forces of a result map back at ``rho`` (quasi-static and not weight-carried)."""
    s = res.summary()
    row = s[np.isclose(s["target_density_g_cc"], rho)]
    if row.empty:
        return f"{rho:g} g/cc not simulated"
    valid = bool(row["mapping_valid"].iloc[0])
    return (f"mapping valid at {rho:g} g/cc" if valid else
            f"mapping_valid false at {rho:g} g/cc (inertial number {row['inertial_number'].iloc[0]:.2g}, weight share "
            f"{row['weight_share'].iloc[0]:.2g}: forces there are not quasi-static or carry the bed's weight)")


def by_blend(table: pd.DataFrame, column: str, group: str = "blend") -> dict[str, Estimate]:
    """Replicate mean and CI of ``column`` per blend."""
    return {name: mean_ci(t[column]) for name, t in table.groupby(group)}


def claims_frame(rows: list[ClaimRow]) -> pd.DataFrame:
    return pd.DataFrame([r.as_dict() for r in rows])
