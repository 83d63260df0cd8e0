"""What to run: beds, materials and numerics, stages and their protocols, rendered into LAMMPS variables.

Rooms: :mod:`~sigdem.deck.beds` (particles), :mod:`~sigdem.deck.stages` (every fact about a stage, and
the protocols), :mod:`~sigdem.deck.protocol_variables` (the numbers each protocol's script needs),
:mod:`~sigdem.deck.die` (the periodic box or a cylindrical die), :mod:`~sigdem.deck.deck`
(the frozen :class:`Deck`), :mod:`~sigdem.deck.sections` (one pure function per section),
:mod:`~sigdem.deck.record` (statepoint, job id, ``params.json``), :mod:`~sigdem.deck.templates` (the scripts
of ``lammps_inputs/``).
"""

from sigdem.deck.beds import Bed, bed_from_sample
from sigdem.deck.die import DIE_KINDS, CylinderDie, PeriodicCell
from sigdem.deck.deck import (
                                  MDR_MIN_WALL_STIFFNESS_RATIO,
                                  Deck,
                                  Numerics,
                                  Protocol,
                                  check_mdr,
                                  check_mdr_setup,
)
from sigdem.deck.record import RunRecord, numerics_statepoint, start_bed, statepoint
from sigdem.deck.sections import (
                                  contact_variables,
                                  data_file_text,
                                  deck_variables,
                                  header_text,
                                  numerics_variables,
                                  timestep_us,
                                  wall_variables,
)
from sigdem.deck.stages import (
                                  CALENDER,
                                  CALENDER_MDR,
                                  PELLET,
                                  PELLET_CELL_MDR,
                                  PELLET_MDR,
                                  SETTLE,
                                  STAGES,
                                  Calender,
                                  Pellet,
                                  Settle,
                                  Stage,
                                  stage_named,
                                  stage_of,
)

__all__ = [
    "Bed", "bed_from_sample", "start_bed", "Deck", "Numerics", "Protocol", "check_mdr", "check_mdr_setup",
    "MDR_MIN_WALL_STIFFNESS_RATIO", "RunRecord", "numerics_statepoint", "statepoint", "contact_variables",
    "data_file_text", "deck_variables", "header_text", "numerics_variables", "timestep_us", "wall_variables",
    "CALENDER", "CALENDER_MDR", "PELLET", "PELLET_CELL_MDR", "PELLET_MDR", "SETTLE", "STAGES", "Calender", "Pellet", "Settle", "Stage",
    "stage_named", "stage_of", "CylinderDie", "PeriodicCell", "DIE_KINDS",
]
