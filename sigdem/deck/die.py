"""Dies: what holds a pressed bed laterally.

The default is no die object at all: the box is periodic in x and y (a die far wider than a particle, without
side walls), and decks, job ids and scripts are those sigdem always wrote. :class:`CylinderDie` is a rigid
cylindrical die of its own wall friction, axis z, centred in a square box of side its diameter (non-periodic in
x and y); every particle centre lies inside it at least one radius from its wall. LAMMPS runs it as
``fix wall/gran/region`` on a ``region cylinder z`` (``lammps_inputs/settle_die.lmp``, ``pellet_die.lmp``,
``pellet_die_mdr.lmp``); densities and pressures then use the die area pi R² instead of the box area.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sigdem.errors import InputError
from sigdem.inputs import check_range

#: Die kinds a study may ask for: ``periodic`` (no side walls; a floor and a punch), ``cylinder``, or ``cell`` (no
#: walls at all: :class:`PeriodicCell`). A pellet study defaults to ``cell`` with mdr and ``periodic`` with Hertz.
DIE_KINDS = ("periodic", "cylinder", "cell")
#: Largest die-wall friction coefficient accepted (Coulomb; real particle-steel values are 0.1-0.6).
MAX_DIE_FRICTION = 2.0
#: A particle centre may lie this fraction of its radius beyond ``R - radius`` (rounding; a wall overlap is
#: far smaller than a radius).
INSIDE_TOLERANCE = 1e-6


def check_die_kind(field: str, value) -> str:
    """``value`` if it is one of :data:`DIE_KINDS`, else :class:`InputError` naming the field and the choices."""
    if not isinstance(value, str) or value not in DIE_KINDS:
        raise InputError(field, f"{value!r} is not a die; allowed: {', '.join(DIE_KINDS)}")
    return value


@dataclass(frozen=True, slots=True)
class CylinderDie:
    """A rigid cylindrical die, axis z, centred at (R, R) in a box of side ``diameter_um``, µm.

    ``friction``: particle-die wall sliding friction (Coulomb), in [0, :data:`MAX_DIE_FRICTION`]. Its modulus
    and restitution are those of the deck's top wall (the punch: the same steel) for Hertz; mdr walls are rigid
    flats of the particles' own mdr model, only their friction is theirs.
    """

    diameter_um: float
    friction: float

    kind = "cylinder"

    def __post_init__(self):
        object.__setattr__(self, "diameter_um", check_range("die.diameter_um", self.diameter_um, 1.0, 1e5))
        object.__setattr__(self, "friction", check_range("die.friction", self.friction, 0.0, MAX_DIE_FRICTION))

    @property
    def radius_um(self) -> float:
        return self.diameter_um / 2.0

    @property
    def area_um2(self) -> float:
        """The die's cross-section pi R², µm² (the area of densities and pressures)."""
        return math.pi * self.radius_um**2

    def radial_room_um(self, positions_um: np.ndarray, radii_um: np.ndarray) -> np.ndarray:
        """R - radius - (distance of each centre from the axis), µm: negative for a particle through the wall."""
        pos = np.asarray(positions_um, dtype=float)
        r = np.hypot(pos[:, 0] - self.radius_um, pos[:, 1] - self.radius_um)
        return self.radius_um - np.asarray(radii_um, dtype=float) - r


@dataclass(frozen=True, slots=True)
class PeriodicCell:
    """No die and no punch: the settled bed becomes a cell periodic in x, y and z whose height LAMMPS shrinks
    (``fix deform``, atoms remapped) under the same pressure servo; x and y stay fixed (uniaxial strain, as in a
    die). The pressure is the cell's -sigma_zz from the pair virial (``compute stress/atom``), the density the
    bed's mass over the cell volume. It stands for the bulk of a pellet far from its punch faces: a real pellet is
    millimetres thick, so its punch layers are a small part of it, while in a 60 µm bed the two walls hold a
    third of the particles.

    Why it exists: a walled mdr pellet stops on "F_MDR is NaN" once its wall contacts, the most flattened ones (a
    wall contact is all on the particle; LAMMPS caps a pair contact's side at 0.95 R, ``MDR_OVERLAP_LIMIT``, and
    only stiffens a wall contact), are flattened to ~0.8-0.9 R (solid fraction 0.82-0.91 depending on bed and step; the paired
    run in ``benchmarks/results/pellet_cell_2026-12-03/``). With no walls the same bed pressed the same way
    passes solid fraction 0.97. It does not remove mdr's NaN on unloading: a 105 µm cell released from 143.5 MPa
    (solid fraction 0.90) stopped on it (``benchmarks/results/pellet_cell_105_2026-12-03/``): a contact of mdr's bulk
    response that reloads as it opens (``benchmarks/results/pellet_release_2026-12-03/``). mdr only
    (``lammps_inputs/pellet_cell_mdr.lmp``); the bed settles as for the periodic box. Densities and pressures use
    the box area lx x ly.
    """

    kind = "cell"


def check_bed_in_die(field: str, die: CylinderDie, bed) -> None:
    """Refuse a bed whose box is not the die's square or with a particle not inside the die."""
    for name in ("side_x_um", "side_y_um"):
        side = float(getattr(bed, name))
        if not math.isclose(side, die.diameter_um, rel_tol=1e-12):
            raise InputError(f"{field}.{name}", f"{side!r} µm; a cylinder die's bed box has side = the die diameter "
                             f"{die.diameter_um!r} µm")
    room = die.radial_room_um(bed.positions_um, bed.diameters_um / 2.0)
    worst = int(np.argmin(room))
    if room[worst] < -INSIDE_TOLERANCE * bed.diameters_um[worst] / 2.0:
        raise InputError(f"{field}.positions_um", f"particle {worst + 1} lies {-room[worst]:.4g} µm through the die "
                         f"wall; allowed: centres at most R - radius = {die.radius_um:g} µm - radius from the axis")
