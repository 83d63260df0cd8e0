"""Beds: the particles of a deck (sizes, grades, positions in a periodic-xy box above the floor).

:class:`Bed` is a frozen value; :func:`bed_from_sample` places a sampled PSD without overlap;
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass

import numpy as np

from sigdem.deck.placement import place_spheres
from sigdem.errors import InputError
from sigdem.inputs import check_display_name, check_range, safe_identifier
from sigdem.psd import ParticleSample

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, eq=False)
class Bed:
    """Particles in a box periodic in x and y with the floor (current collector) at z = 0.

    ``diameters_um`` (n,), ``grade_index`` (n,) 0-based into ``grade_names``,
    ``positions_um`` (n, 3); ``densities_g_cc`` per grade; ``height_um`` is the box top.
    """

    diameters_um: np.ndarray
    grade_index: np.ndarray
    positions_um: np.ndarray
    grade_names: tuple[str, ...]
    densities_g_cc: tuple[float, ...]
    side_x_um: float
    side_y_um: float
    height_um: float

    def __post_init__(self):
        d = np.asarray(self.diameters_um, dtype=float)
        n = d.size
        if n == 0 or not np.all(np.isfinite(d)) or not np.all(d > 0):
            raise InputError("bed.diameters_um", "must be a non-empty array of positive, finite diameters (µm)")
        gi = np.asarray(self.grade_index)
        pos = np.asarray(self.positions_um, dtype=float)
        if gi.shape != (n,) or pos.shape != (n, 3):
            raise InputError("bed", f"grade_index must have shape ({n},) and positions_um ({n}, 3)")
        for name in self.grade_names:
            check_display_name("bed.grade_names", name)  # data files get type_labels(), not the names
        if len(self.densities_g_cc) != len(self.grade_names):
            raise InputError("bed.densities_g_cc", "needs one density per grade")
        for rho in self.densities_g_cc:
            check_range("bed.densities_g_cc", rho, 0.0, 30.0, lo_open=True)
        if gi.min() < 0 or gi.max() >= len(self.grade_names):
            raise InputError("bed.grade_index", f"must lie in [0, {len(self.grade_names) - 1}]")
        for f in ("side_x_um", "side_y_um", "height_um"):
            check_range(f"bed.{f}", getattr(self, f), 0.0, 1e7, lo_open=True)
        if not np.all(np.isfinite(pos)) or pos[:, 2].min() - d[np.argmin(pos[:, 2])] / 2 < 0 or pos[:, 2].max() > self.height_um:
            raise InputError("bed.positions_um", "particles must lie above the floor (z - r >= 0) and below height_um")
        # freeze the arrays: the deck is a value
        for name, arr in (("diameters_um", d), ("grade_index", gi.astype(np.int64)), ("positions_um", pos)):
            arr = np.array(arr, copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def type_labels(self) -> tuple[str, ...]:
        """LAMMPS type labels of the grades: their names made plain identifiers, unique (``SiG-1`` -> ``SiG_1``)."""
        out: list[str] = []
        for name in self.grade_names:
            out.append(safe_identifier(name, set(out)))
        return tuple(out)

    @property
    def n(self) -> int:
        return int(self.diameters_um.size)

    @property
    def masses_pg(self) -> np.ndarray:
        rho = np.asarray(self.densities_g_cc)[self.grade_index]
        return rho * math.pi / 6.0 * self.diameters_um**3

    @property
    def area_um2(self) -> float:
        return self.side_x_um * self.side_y_um

    def fingerprint(self) -> str:
        """SHA-256 of every number of the bed: the bed's identity in a statepoint."""
        h = hashlib.sha256()
        for arr in (self.diameters_um, self.grade_index, self.positions_um):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(repr((self.grade_names, tuple(map(float, self.densities_g_cc)),
                       float(self.side_x_um), float(self.side_y_um), float(self.height_um))).encode())
        return h.hexdigest()


#: Solid fraction assumed when sizing the box for a settled bed (a loose random packing).
SETTLED_FRACTION_GUESS = 0.6
#: The box side is at least this many largest diameters, so the bed is not a column of a few particles.
MIN_SIDE_IN_DMAX = 4.0


def box_side_um(sample: ParticleSample, depth_to_side: float = 1.0, *, warn: bool = True) -> float:
    """Side of a square periodic box so the settled bed is about ``depth_to_side`` x side deep (at least
    :data:`MIN_SIDE_IN_DMAX` largest diameters; ``warn``: log when widened)."""
    check_range("depth_to_side", depth_to_side, 0.05, 20.0)
    side = (sample.solid_volume_um3 / (SETTLED_FRACTION_GUESS * depth_to_side)) ** (1.0 / 3.0)
    d_max = float(sample.diameters_um.max())
    if side < MIN_SIDE_IN_DMAX * d_max:
        (log.warning if warn else log.debug)("box side %.4g µm is below %g x the largest diameter %.4g µm: widened (the bed will be shallower)",
                    side, MIN_SIDE_IN_DMAX, d_max)
        side = MIN_SIDE_IN_DMAX * d_max
    return side


def bed_from_sample(sample: ParticleSample, *, seed: int, side_um: float | None = None,
                    depth_to_side: float = 1.0, solid_fraction: float = 0.25, die_diameter_um: float | None = None) -> Bed:
    """Place a sample's particles without overlap in a periodic-xy box above the floor, or, with
    ``die_diameter_um``, inside a cylindrical die of that diameter (the box is then the die's square)."""
    if die_diameter_um is not None:
        side = check_range("die_diameter_um", die_diameter_um, 1.0, 1e5)
        placed = place_spheres(sample.diameters_um, side, side, seed=seed, solid_fraction=solid_fraction,
                               die_radius_um=side / 2.0)
    else:
        side = side_um if side_um is not None else box_side_um(sample, depth_to_side)
        placed = place_spheres(sample.diameters_um, side, side, seed=seed, solid_fraction=solid_fraction)
    top = placed.fill_height_um + float(sample.diameters_um.max())
    return Bed(
        diameters_um=sample.diameters_um,
        grade_index=sample.grade_index,
        positions_um=placed.positions_um,
        grade_names=tuple(sample.grade_names),
        densities_g_cc=tuple(float(x) for x in sample.densities_g_cc),
        side_x_um=side,
        side_y_um=side,
        height_um=top,
    )


def electrode_density_g_cc(mass_pg: float, area_um2: float, height_um: float) -> float:
    """Electrode density = particle mass / (area x thickness); pg/µm³ = g/cc."""
    if height_um <= 0 or area_um2 <= 0 or not math.isfinite(height_um):
        raise ValueError("height and area must be positive")
    return mass_pg / (area_um2 * height_um)
