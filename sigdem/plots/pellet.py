"""Pellet figures: density vs pressure of several blends (paper Fig. 4a), springback bars (Fig. 4b), Heckel and
Kawakita plots with their fitted lines. Each takes :class:`~sigdem.studies.pellet_analysis.PelletResult` objects
by label (:func:`density_vs_pressure_summaries`: their summary tables) and returns a matplotlib Figure (Agg)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sigdem import units  # noqa: E402
from sigdem.analysis.compaction import heckel_fit, kawakita_fit  # noqa: E402
from sigdem.errors import InputError  # noqa: E402


def density_vs_pressure(results: dict, state: str = "relaxed", ton_axis: bool = True):
    """Pellet density (g/cc, mean ± 95 % CI) vs pressure for each blend on one log axis (Fig. 4a), from
    :class:`~sigdem.studies.pellet_analysis.PelletResult` objects by label."""
    return density_vs_pressure_summaries({label: res.summary() for label, res in results.items()}, state, ton_axis)


def density_vs_pressure_summaries(summaries: dict, state: str = "relaxed", ton_axis: bool = True):
    """:func:`density_vs_pressure` from summary tables by label (``target_pressure_mpa``,
    ``density_<state>_g_cc`` and its ``_ci95``, as ``PelletResult.summary()``); a NaN CI draws no bar."""
    col = f"density_{state}_g_cc"
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for label, s in summaries.items():
        ax.errorbar(s["target_pressure_mpa"], s[col], yerr=np.nan_to_num(np.asarray(s[f"{col}_ci95"], float)),
                    marker="o", capsize=3, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("pressure (MPa)")
    ax.set_ylabel(f"pellet density, {state} (g/cc)")
    if ton_axis:
        top = ax.secondary_xaxis("top", functions=(lambda p: units.convert(1.0, "MPa", "ton/cm2") * p,
                                                   lambda t: units.convert(1.0, "ton/cm2", "MPa") * t))
        top.set_xlabel("pressure (ton/cm², 1 ton/cm² = 98.07 MPa)")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


def springback_bars(results: dict, pressure_mpa: float, quantity: str = "springback_height"):
    """Springback (%, mean ± 95 % CI) of each blend at the target pressure nearest ``pressure_mpa`` (Fig. 4b)."""
    labels, means, cis, chosen = [], [], [], []
    for label, res in results.items():
        s = res.summary()
        if not len(s):
            raise InputError("results", f"{label}: no pellets")
        row = s.iloc[int(np.argmin(np.abs(np.log(s["target_pressure_mpa"] / pressure_mpa))))]
        labels.append(label)
        means.append(100 * row[quantity])
        cis.append(100 * row[f"{quantity}_ci95"] if np.isfinite(row[f"{quantity}_ci95"]) else 0.0)
        chosen.append(row["target_pressure_mpa"])
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.bar(labels, means, yerr=cis, capsize=4, color="tab:gray")
    ax.set_ylabel(f"{quantity.replace('_', ' ')} (%)")
    ax.set_title(f"at {', '.join(f'{p:.4g}' for p in sorted(set(chosen)))} MPa")
    fig.tight_layout()
    return fig


def compaction_plots(results: dict, state: str = "loaded"):
    """Heckel (ln 1/(1-D) vs P) and Kawakita (P/C vs P) points of each blend with the fitted lines."""
    fig, (ax_h, ax_k) = plt.subplots(1, 2, figsize=(10, 4))
    for i, (label, res) in enumerate(results.items()):
        t = res.pellets[res.pellets["held"]].dropna(subset=[f"solid_fraction_{state}"])
        p = t["pressure_reached_mpa"].to_numpy(float)
        d = t[f"solid_fraction_{state}"].to_numpy(float)
        d0 = float((t["poured_density_g_cc"] / t["solid_density_g_cc"]).mean())
        color = f"C{i}"
        ax_h.plot(p, -np.log1p(-d), "o", color=color, label=label)
        c = 1.0 - d0 / d
        ax_k.plot(p, p / c, "o", color=color, label=label)
        grid = np.linspace(p.min(), p.max(), 50) if p.size else p
        if p.size >= 3:
            h = heckel_fit(p, d)
            ax_h.plot(grid, h.k_per_mpa * grid + h.a, "-", color=color,
                      label=f"Heckel P_y = {h.yield_pressure_mpa:.3g} ± {h.yield_pressure_ci95:.2g} MPa")
            try:
                kw = kawakita_fit(p, 1.0 / d, 1.0 / d0)
                ax_k.plot(grid, grid / kw.a + 1.0 / (kw.a * kw.b_per_mpa), "-", color=color,
                          label=f"Kawakita a = {kw.a:.3g} ± {kw.a_ci95:.2g}")
            except InputError:
                pass
    ax_h.set_xlabel("pressure (MPa)")
    ax_h.set_ylabel("ln(1 / (1 - D))")
    ax_k.set_xlabel("pressure (MPa)")
    ax_k.set_ylabel("P / C (MPa)")
    for ax in (ax_h, ax_k):
        ax.legend(fontsize=7)
    fig.suptitle(f"compaction laws ({'in-die' if state == 'loaded' else 'after ejection'})")
    fig.tight_layout()
    return fig
