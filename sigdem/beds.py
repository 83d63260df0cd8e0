"""From a sampled particle list to a :class:`~sigdem.deck.Bed` ready to settle."""

from __future__ import annotations

import logging
import math

from .deck import Bed
from .placement import place_spheres
from .psd import ParticleSample
from .validate import check_range

log = logging.getLogger(__name__)

#: Solid fraction assumed when sizing the box for a settled bed (a loose random packing).
SETTLED_FRACTION_GUESS = 0.6
#: The box side is at least this many largest diameters, so the bed is not a column of a few particles.
MIN_SIDE_IN_DMAX = 4.0


def box_side_um(sample: ParticleSample, depth_to_side: float = 1.0) -> float:
    """Side of a square periodic box so the settled bed is about ``depth_to_side`` x side deep."""
    check_range("depth_to_side", depth_to_side, 0.05, 20.0)
    side = (sample.solid_volume_um3 / (SETTLED_FRACTION_GUESS * depth_to_side)) ** (1.0 / 3.0)
    d_max = float(sample.diameters_um.max())
    if side < MIN_SIDE_IN_DMAX * d_max:
        log.warning("box side %.4g µm is below %g x the largest diameter %.4g µm: widened (the bed will be shallower)",
                    side, MIN_SIDE_IN_DMAX, d_max)
        side = MIN_SIDE_IN_DMAX * d_max
    return side


def bed_from_sample(sample: ParticleSample, *, seed: int, side_um: float | None = None,
                    depth_to_side: float = 1.0, solid_fraction: float = 0.25) -> Bed:
    """Place a sample's particles without overlap in a periodic-xy box above the floor."""
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
