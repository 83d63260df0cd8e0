"""Figures (matplotlib Agg; imported lazily so the library imports without a display)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _scheffe_fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares Scheffé special-cubic mixture model; returns coefficients and R²."""
    a, b, c = x.T
    basis = np.column_stack([a, b, c, a * b, a * c, b * c, a * b * c])
    coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
    pred = basis @ coef
    ss = float(((y - y.mean()) ** 2).sum())
    return coef, (1.0 - float(((y - pred) ** 2).sum()) / ss) if ss > 0 else 1.0


def _scheffe_eval(coef: np.ndarray, a, b, c):
    return coef @ np.array([a, b, c, a * b, a * c, b * c, a * b * c])


def ternary_map(table: pd.DataFrame, names: tuple[str, str, str], value: str = "solid_fraction",
                estimators: tuple[str, ...] = ("farr_groot",)):
    """Ternary contour maps of ``value`` (and of each analytic estimator) over mass fractions.

    With few simulated points, Delaunay contours look faceted; the map is a fitted Scheffé
    special-cubic surface on a fine grid (its R² in the title), with the simulated points marked.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mpltern  # noqa: F401  (registers the "ternary" projection)

    x = table[[f"x_{n}" for n in names]].to_numpy(float)
    columns = (value,) + tuple(estimators)
    fig = plt.figure(figsize=(5.2 * len(columns), 4.6))
    g = np.linspace(0, 1, 61)
    A, B = np.meshgrid(g, g)
    mask = A + B <= 1.0
    a, b = A[mask], B[mask]
    c = 1.0 - a - b
    for k, col in enumerate(columns):
        y = table[col].to_numpy(float)
        coef, r2 = _scheffe_fit(x, y) if len(y) >= 7 else (None, float("nan"))
        ax = fig.add_subplot(1, len(columns), k + 1, projection="ternary")
        if coef is not None:
            z = _scheffe_eval(coef, a, b, c)
            cs = ax.tricontourf(a, b, c, z, levels=12, cmap="viridis")
            fig.colorbar(cs, ax=ax, shrink=0.6, pad=0.12, label=col)
        ax.scatter(x[:, 0], x[:, 1], x[:, 2], c="w", edgecolors="k", s=28, zorder=3)
        best = int(np.argmax(y))
        ax.scatter([x[best, 0]], [x[best, 1]], [x[best, 2]], marker="*", c="r", s=140, zorder=4)
        ax.set_tlabel(f"{names[0]} (mass)")
        ax.set_llabel(f"{names[1]} (mass)")
        ax.set_rlabel(f"{names[2]} (mass)")
        ax.set_title(f"{col}\nScheffé fit R² = {r2:.3f}" if coef is not None else col, fontsize=10)
    fig.tight_layout()
    return fig
