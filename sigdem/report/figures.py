"""The report's figures, from a :class:`~sigdem.studies.reproduce_collect.ReproduceResults` (matplotlib Agg).

Each builder returns a Figure or None (nothing to draw); :func:`report_figures` gives name -> Figure, and
:func:`png_bytes` the PNG the report embeds and writes beside itself.
"""

from __future__ import annotations

import io
import logging

import numpy as np
import pandas as pd

from sigdem.plots.calendering import force_ccdf_figure, property_density_figure
from sigdem.plots.pellet import density_vs_pressure_summaries
from sigdem.plots.ternary import ternary_map
from sigdem.stats import mean_ci

log = logging.getLogger(__name__)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def tapped_figure(results):
    """Tapped bed density per blend with its 95 % CI, beside the paper's measured tap densities."""
    t = results.tapped
    if t is None or t.empty:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    names = sorted(t["blend"].unique())
    est = [mean_ci(t[t["blend"] == n]["bed_density_g_cc"]) for n in names]
    x = np.arange(len(names))
    ax.bar(x - 0.18, [e.mean for e in est], 0.36, yerr=[np.nan_to_num(e.ci95) for e in est], capsize=4,
           label="sigdem (tapped spheres)")
    paper = {"SiG": 0.94, "WD-SiG": 1.07}
    ax.bar(x + 0.18, [paper.get(n, np.nan) for n in names], 0.36, label="paper (measured tap density)")
    ax.set_xticks(x, names)
    ax.set_ylabel("density (g/cc)")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def pellet_figure(results):
    """Pellet density against pressure per blend (only with the pellet study): after ejection when the runs
    have it, else in the die; mean and 95 % CI over replicates, drawn by :mod:`sigdem.plots.pellet`."""
    p = results.pellets
    if p is None or p.empty:
        return None
    relaxed = "density_relaxed_g_cc" in p and p["density_relaxed_g_cc"].notna().any()
    state = "relaxed" if relaxed else "loaded"
    col = f"density_{state}_g_cc"
    summaries = {}
    for name, t in p.groupby("blend"):
        est = [(mpa, mean_ci(g[col])) for mpa, g in t.groupby("target_pressure_mpa", sort=True)]
        summaries[name] = pd.DataFrame({"target_pressure_mpa": [m for m, _ in est], col: [e.mean for _, e in est],
                                        f"{col}_ci95": [e.ci95 for _, e in est]})
    return density_vs_pressure_summaries(summaries, state)


def report_figures(results) -> dict:
    """name -> Figure of every figure the results allow."""
    figs = {}
    t = results.ternary
    if t is not None and len(t) >= 3:
        figs["ternary_packing"] = ternary_map(t, tuple(results.grade_names), estimators=("farr_groot", "desmond_weeks"))
    figs["tapped_density"] = tapped_figure(results)
    cal = results.calendering
    if cal:
        summaries = {n: r.summary() for n, r in cal.items()}
        curves = {f"{n} {rho:g} g/cc": r.forces_mn[rho] for rho in (1.3, 1.75) for n, r in cal.items()
                  if rho in r.forces_mn}
        if curves:
            figs["force_ccdf"] = force_ccdf_figure(curves)
        for col, label, log_y in (("median_force_mN", "median contact force (mN)", True),
                                  ("wall_pressure_mpa", "wall pressure (MPa)", True),
                                  ("film_at_risk_fraction", "Si-film at-risk share", False)):
            if all(s[col].notna().any() for s in summaries.values()):
                level = next(iter(cal.values())).study.risk_level if col == "film_at_risk_fraction" else None
                figs[col] = property_density_figure(summaries, col, ylabel=label, log=log_y, level=level)
    figs["pellet_density"] = pellet_figure(results)
    return {k: v for k, v in figs.items() if v is not None}


def png_bytes(fig, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (and the figure closed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    _pyplot().close(fig)
    return buf.getvalue()
