"""Calendering figures (matplotlib Agg, imported lazily) and snapshot files for OVITO / ParaView.

- :func:`slab_figure`: a cross-section of the bed at a plane y = y0: every sphere the plane cuts is
  a circle of radius sqrt(r² - d²) (d its centre's distance to the plane, periodic images
  included), coloured by its mean compressive stress (paper Fig. 3a,b);
- :func:`force_ccdf_figure`: complementary cumulative distributions of the contact forces of
  several blends and densities on one axis (the paper's "accumulated compressive force", Fig. 3c,d);
- :func:`property_density_figure`: a study summary column (wall pressure, at-risk fraction...)
  against electrode density, with 95 % CIs;
- :func:`write_extxyz`: particles as extended XYZ (ase), with per-particle scalars named so that
  OVITO and ase do not take them for tensors (``sigma_c``, not ``stress``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sigdem.errors import InputError


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def slab_circles(particles: pd.DataFrame, side_x_um: float, side_y_um: float, y0_um: float) -> pd.DataFrame:
    """Circles (x, z, radius, row index) where spheres cross the plane y = y0, periodic in x and y."""
    x, y, z = (particles[c].to_numpy(float) for c in ("x", "y", "z"))
    r = particles["radius"].to_numpy(float) if "radius" in particles else particles["radius_um"].to_numpy(float)
    d = np.mod(y - y0_um + side_y_um / 2.0, side_y_um) - side_y_um / 2.0  # minimum image distance
    cut = np.abs(d) < r
    rc = np.sqrt(r[cut] ** 2 - d[cut] ** 2)
    xs, zs, idx = x[cut], z[cut], np.nonzero(cut)[0]
    parts = [(xs, zs, rc, idx)]
    for shift, near in ((side_x_um, xs - rc < 0.0), (-side_x_um, xs + rc > side_x_um)):
        parts.append((xs[near] + shift, zs[near], rc[near], idx[near]))
    return pd.DataFrame({"x": np.concatenate([p[0] for p in parts]), "z": np.concatenate([p[1] for p in parts]),
                         "radius": np.concatenate([p[2] for p in parts]), "row": np.concatenate([p[3] for p in parts])})


def slab_figure(particles: pd.DataFrame, side_x_um: float, side_y_um: float, *, value: str = "sigma_c_mpa",
                y0_um: float | None = None, wall_height_um: float | None = None, title: str = "", ax=None,
                vmax: float | None = None):
    """Cross-section of a bed at y = y0 (default mid-box), circles coloured by ``value`` (MPa)."""
    plt = _pyplot()
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Circle

    y0 = side_y_um / 2.0 if y0_um is None else y0_um
    circles = slab_circles(particles, side_x_um, side_y_um, y0)
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 3.6))
    vals = particles[value].to_numpy(float)[circles["row"].to_numpy()]
    coll = PatchCollection([Circle((cx, cz), cr) for cx, cz, cr in circles[["x", "z", "radius"]].to_numpy()],
                           cmap="inferno", edgecolor="0.3", linewidth=0.3)
    coll.set_array(vals)
    coll.set_clim(0.0, vmax if vmax is not None else (float(np.nanmax(vals)) if vals.size else 1.0))
    ax.add_collection(coll)
    top = wall_height_um if wall_height_um is not None else float((circles["z"] + circles["radius"]).max(initial=1.0))
    ax.axhline(0.0, color="0.2", lw=2)
    if wall_height_um is not None:
        ax.axhline(wall_height_um, color="0.2", lw=2)
    ax.set_xlim(0.0, side_x_um)
    ax.set_ylim(-0.03 * top, 1.05 * top)
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("z (µm)")
    ax.set_title(title or f"section y = {y0:.3g} µm")
    (fig or ax.figure).colorbar(coll, ax=ax, label="mean compressive stress (MPa)", shrink=0.8)
    return fig or ax.figure


def force_ccdf_figure(curves: dict, *, unit: str = "mN", ax=None):
    """CCDFs of contact forces: ``curves`` maps a label (e.g. "SiG 1.75 g/cc") to forces in ``unit``."""
    from sigdem.analysis.contacts import ccdf

    plt = _pyplot()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.4, 4.0))
    styles = ["-", "--", ":", "-."]
    for n, (label, forces) in enumerate(curves.items()):
        f = np.asarray(forces, dtype=float)
        f = f[f > 0]
        if f.size == 0:
            continue
        x, frac = ccdf(f)
        ax.step(x, frac, where="post", ls=styles[n % len(styles)], label=f"{label} (max {f.max():.3g} {unit})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"normal contact force F ({unit})")
    ax.set_ylabel("fraction of contacts with force ≥ F")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    return fig or ax.figure


def property_density_figure(summaries: dict, column: str, *, ylabel: str, log: bool = False, level: float | None = None,
                            ax=None):
    """``column`` (and its ``_ci95``) of study summaries against electrode density; one line per label.

    Error bars are the 95 % CIs, cut at zero for quantities that cannot be negative."""
    plt = _pyplot()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.0, 3.8))
    for label, s in summaries.items():
        s = s.dropna(subset=[column])
        if column not in s:
            raise InputError("column", f"{column!r} is not a summary column")
        y, ci = s[column].to_numpy(float), s[f"{column}_ci95"].fillna(0.0).to_numpy(float)
        lower = np.where(y >= 0, np.minimum(ci, y), ci)  # non-negative quantities: the bar stops at 0
        ax.errorbar(s["target_density_g_cc"], y, yerr=[lower, ci], marker="o", capsize=3, label=label)
    if level is not None:
        ax.axhline(level, color="0.4", ls=":", lw=1, label=f"level {level:g}")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("electrode density (g/cc)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig or ax.figure


def write_extxyz(path: Path | str, particles: pd.DataFrame, side_x_um: float, side_y_um: float, height_um: float,
                 *, comment: str = "") -> Path:
    """Write particles (x y z radius, optional type, force_nN, sigma_c_mpa) as extended XYZ.

    Lengths in µm (``units=um`` in the header); per-atom arrays ``radius`` (µm), ``grade`` (atom
    type), ``force_mN`` (sum of normal contact forces) and ``sigma_c`` (mean compressive stress,
    MPa). Box periodic in x and y.
    """
    from ase import Atoms
    from ase.io import write

    from sigdem import units

    pos = particles[["x", "y", "z"]].to_numpy(float)
    atoms = Atoms(symbols=["C"] * len(pos), positions=pos, cell=[side_x_um, side_y_um, height_um],
                  pbc=(True, True, False))
    radius = particles["radius"] if "radius" in particles else particles["radius_um"]
    atoms.new_array("radius", radius.to_numpy(float))
    if "type" in particles:
        atoms.new_array("grade", particles["type"].to_numpy(np.int64))
    if "force_nN" in particles:
        atoms.new_array("force_mN", units.from_micro(particles["force_nN"].to_numpy(float), "mN"))
    if "sigma_c_mpa" in particles:
        atoms.new_array("sigma_c", particles["sigma_c_mpa"].to_numpy(float))
    atoms.info["units"] = "um"
    if comment:
        atoms.info["comment"] = comment
    path = Path(path)
    write(path, atoms, format="extxyz")
    return path
