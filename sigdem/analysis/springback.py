"""Springback of a calendered bed: how much it grows back once the wall is lifted.

springback = (h_relaxed - h_compressed) / h_compressed, with both heights measured the same way:
the bed surface of :func:`sigdem.analysis.solid_fraction.bed_surface_height` (median over columns of
about one largest diameter of the highest particle top), robust to a few loose particles; never
the single highest particle. ``h_compressed`` is read from the record at the last (highest)
target density (``target_<K>.dump``; the wall then holds that height), ``h_relaxed`` from
``unloaded.dump`` (after the wall is lifted clear and the bed relaxed).

A bed of elastic Hertz spheres gives back all its contact overlap when unloaded; real graphite
keeps part of its deformation (plasticity, binder), so Hertz DEM overstates springback at high
densities. Compare blends with it; do not read it as the measured value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from sigdem.analysis.base import Compute
from sigdem.analysis.solid_fraction import bed_surface_height
from sigdem.errors import InputError


def surface_height_um(atoms: pd.DataFrame, side_x_um: float, side_y_um: float, cell_um: float | None = None) -> float:
    """Bed surface (µm): :func:`bed_surface_height` with columns of one largest diameter by default."""
    r = atoms["radius"].to_numpy(float)
    cell = 2.0 * float(r.max()) if cell_um is None else cell_um
    return bed_surface_height(atoms["x"].to_numpy(float), atoms["y"].to_numpy(float), atoms["z"].to_numpy(float), r,
                              side_x_um, side_y_um, cell_um=cell)


@dataclass
class Springback(Compute):
    """Relative height gain of a bed after unloading.

    ``compute(compressed_atoms, relaxed_atoms, side_x_um, side_y_um)`` fills ``compressed_um``,
    ``relaxed_um`` and ``springback`` (fraction; x 100 for %). ``cell_um``: column width of the
    surface estimate (default: the largest diameter).
    """

    cell_um: float | None = None
    RESULTS: ClassVar[tuple[str, ...]] = ("compressed_um", "relaxed_um", "springback")
    _res: dict = field(default_factory=dict, repr=False)

    def compute(self, compressed_atoms: pd.DataFrame, relaxed_atoms: pd.DataFrame, side_x_um: float,
                side_y_um: float) -> "Springback":
        if len(compressed_atoms) != len(relaxed_atoms):
            raise InputError("relaxed_atoms", f"{len(relaxed_atoms)} particles, the compressed bed has "
                             f"{len(compressed_atoms)}: particles were lost")
        cell = self.cell_um if self.cell_um is not None else 2.0 * float(compressed_atoms["radius"].max())
        h0 = surface_height_um(compressed_atoms, side_x_um, side_y_um, cell)
        h1 = surface_height_um(relaxed_atoms, side_x_um, side_y_um, cell)
        self._res = {"compressed_um": h0, "relaxed_um": h1, "springback": (h1 - h0) / h0}
        return self
