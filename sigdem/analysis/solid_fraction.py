"""Packing of a settled bed: solid fraction in a bulk slab, bed height, coordination."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from sigdem.analysis.base import Compute
from sigdem.errors import InputError


def sphere_slab_volume(z: np.ndarray, r: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Exact volume of each sphere (centre height ``z``, radius ``r``) between planes lo < hi.

    V = π ∫ (r² − (t − z)²) dt over [max(lo, z − r), min(hi, z + r)].
    """
    z = np.asarray(z, dtype=float)
    r = np.asarray(r, dtype=float)
    a = np.clip(lo - z, -r, r)
    b = np.clip(hi - z, -r, r)
    return np.pi * ((r**2 * b - b**3 / 3.0) - (r**2 * a - a**3 / 3.0))


def volume_d90(d: np.ndarray) -> float:
    """Diameter below which 90 % of the particle volume lies."""
    d = np.sort(np.asarray(d, dtype=float))
    cum = np.cumsum(d**3)
    return float(d[np.searchsorted(cum, 0.9 * cum[-1])])


def bed_surface_height(x, y, z, r, side_x: float, side_y: float, cell_um: float) -> float:
    """Height of the bed's top surface, robust to a few loose particles.

    The box is cut into columns of about ``cell_um``; in each, the highest particle top
    (z + r) is taken; the surface is the median over columns.
    """
    nx, ny = max(1, int(side_x // cell_um)), max(1, int(side_y // cell_um))
    ix = np.clip((np.mod(x, side_x) / side_x * nx).astype(int), 0, nx - 1)
    iy = np.clip((np.mod(y, side_y) / side_y * ny).astype(int), 0, ny - 1)
    tops = np.full(nx * ny, np.nan)
    cell = ix * ny + iy
    top = z + r
    order = np.argsort(top)
    tops[cell[order]] = top[order]  # last write wins: the highest top per column
    return float(np.nanmedian(tops))


@dataclass
class PackingFraction(Compute):
    """Solid fraction of a settled bed in a bulk slab.

    The slab starts ``floor_gap_d`` x D90 above the floor and ends ``top_gap_d`` x D90 below
    the bed surface (D90 of the bed's volume-weighted sizes) (:func:`bed_surface_height`),
    leaving out the wall-ordered floor layer and the loose top. Volumes are exact
    sphere-slab intersections, not centre counts.

    After ``compute(atoms, side_x_um, side_y_um)`` (atoms: DataFrame with id, type,
    radius, x, y, z and, optionally, mass and c_coord):
    ``solid_fraction``, ``by_type`` (type → fraction of slab volume), ``by_size_class``
    ((lo, hi) µm → fraction of slab volume, for the classes of ``size_edges_um``), ``surface_um``,
    ``slab_um`` (lo, hi), ``bed_density_g_cc`` (total mass / (area x surface height)),
    ``coordination`` (mean contacts of particles centred in the slab).
    """

    floor_gap_d: float = 1.5
    top_gap_d: float = 1.5
    size_edges_um: tuple[float, ...] = ()
    RESULTS: ClassVar[tuple[str, ...]] = ("solid_fraction", "by_type", "by_size_class", "surface_um", "slab_um", "bed_density_g_cc",
                    "coordination")
    _res: dict = field(default_factory=dict, repr=False)

    def compute(self, atoms: pd.DataFrame, side_x_um: float, side_y_um: float) -> "PackingFraction":
        r = atoms["radius"].to_numpy(float)
        z = atoms["z"].to_numpy(float)
        d_max = 2.0 * float(r.max())
        surface = bed_surface_height(atoms["x"].to_numpy(float), atoms["y"].to_numpy(float), z, r,
                                     side_x_um, side_y_um, cell_um=d_max)
        d90 = volume_d90(2.0 * r)
        lo = self.floor_gap_d * d90
        hi = surface - self.top_gap_d * d90
        if hi - lo < d90:
            need = (self.floor_gap_d + 1.0 + self.top_gap_d) * d90
            raise InputError("bed", f"too shallow for a bulk slab: surface {surface:.4g} µm; allowed: a surface >= "
                                    f"{need:.4g} µm ({self.floor_gap_d:g} D90 floor gap from z = {lo:.4g} µm, one D90 of "
                                    f"slab, {self.top_gap_d:g} D90 top gap; D90 {d90:.4g} µm): use more particles or a "
                                    "narrower box")
        vol = sphere_slab_volume(z, r, lo, hi)
        slab_volume = side_x_um * side_y_um * (hi - lo)
        types = atoms["type"].to_numpy()
        res = {
            "solid_fraction": float(vol.sum() / slab_volume),
            "by_type": {int(t): float(vol[types == t].sum() / slab_volume) for t in np.unique(types)},
            "by_size_class": self._by_size_class(2.0 * r, vol, slab_volume),
            "surface_um": surface,
            "slab_um": (lo, hi),
        }
        if "mass" in atoms:
            res["bed_density_g_cc"] = float(atoms["mass"].sum() / (side_x_um * side_y_um * surface))
        if "c_coord" in atoms:
            inside = (z > lo) & (z < hi)
            res["coordination"] = float(atoms["c_coord"].to_numpy(float)[inside].mean())
        self._res = res
        return self

    def _by_size_class(self, d: np.ndarray, vol: np.ndarray, slab_volume: float) -> dict[tuple[float, float], float]:
        """Share of the slab volume filled by particles of each size class [lo, hi) of ``size_edges_um``."""
        edges = tuple(float(e) for e in self.size_edges_um)
        if any(b <= a for a, b in zip(edges, edges[1:])):
            raise InputError("size_edges_um", f"{edges} must be strictly increasing diameters (µm)")
        return {(lo, hi): float(vol[(d >= lo) & (d < hi)].sum() / slab_volume) for lo, hi in zip(edges, edges[1:])}
