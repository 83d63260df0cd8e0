"""Figures (matplotlib Agg; imported lazily so the library imports without a display)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Scheffé mixture models by number of terms: linear (3), quadratic (6), special cubic (7).
SCHEFFE_MODELS = {3: "linear", 6: "quadratic", 7: "special cubic"}


def _scheffe_basis(a, b, c, terms: int = 7):
    return np.array([a, b, c, a * b, a * c, b * c, a * b * c][:terms])


def _scheffe_fit(x: np.ndarray, y: np.ndarray, terms: int = 7) -> tuple[np.ndarray, float]:
    """Least-squares Scheffé mixture model (``terms`` of :data:`SCHEFFE_MODELS`); coefficients and R²."""
    basis = _scheffe_basis(*x.T, terms=terms).T
    coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
    pred = basis @ coef
    ss = float(((y - y.mean()) ** 2).sum())
    return coef, (1.0 - float(((y - pred) ** 2).sum()) / ss) if ss > 0 else 1.0


def _scheffe_eval(coef: np.ndarray, a, b, c):
    return coef @ _scheffe_basis(a, b, c, terms=len(coef))


def scheffe_terms(n_points: int) -> int:
    """The richest Scheffé model the points determine: 7 terms from 7 points, 6 from 6, 3 from 3, else 0."""
    return max((k for k in SCHEFFE_MODELS if k <= n_points), default=0)


def ternary_map(table: pd.DataFrame, names: tuple[str, str, str], value: str = "solid_fraction",
                estimators: tuple[str, ...] = ("farr_groot",)):
    """Ternary contour maps of ``value`` (and of each analytic estimator) over mass fractions.

    With few simulated points, Delaunay contours look faceted; the map is a fitted Scheffé
    mixture surface on a fine grid: special cubic from 7 or more distinct blends, quadratic from 6
    (it passes through them: R² = 1 says nothing then), linear from 3 to 5; the title names the
    model. The simulated points are drawn in the same colours, the highest marked with a star.
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
    terms = scheffe_terms(len({tuple(row) for row in np.round(x, 9)}))
    for k, col in enumerate(columns):
        y = table[col].to_numpy(float)
        ax = fig.add_subplot(1, len(columns), k + 1, projection="ternary")
        lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
        if terms and hi > lo:
            coef, r2 = _scheffe_fit(x, y, terms)
            z = _scheffe_eval(coef, a, b, c)
            lo, hi = min(lo, float(z.min())), max(hi, float(z.max()))
            cs = ax.tricontourf(a, b, c, z, levels=np.linspace(lo, hi, 13), cmap="viridis")
            fig.colorbar(cs, ax=ax, shrink=0.6, pad=0.12, label=col)
            title = f"{col}\nScheffé {SCHEFFE_MODELS[terms]} fit, R² = {r2:.3f}"
        else:
            title = f"{col}\n(" + ("too few blends for a surface" if not terms else "the same at every blend") + ")"
        pts = ax.scatter(x[:, 0], x[:, 1], x[:, 2], c=y, cmap="viridis", vmin=lo, vmax=hi, edgecolors="k", s=40,
                         zorder=3)
        if not (terms and hi > lo):
            fig.colorbar(pts, ax=ax, shrink=0.6, pad=0.12, label=col)
        best = int(np.nanargmax(y))
        ax.scatter([x[best, 0]], [x[best, 1]], [x[best, 2]], marker="*", c="r", s=140, zorder=4)
        ax.set_tlabel(f"{names[0]} (mass)")
        ax.set_llabel(f"{names[1]} (mass)")
        ax.set_rlabel(f"{names[2]} (mass)")
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
