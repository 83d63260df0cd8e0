"""What every engine check returns: a quantity measured in LAMMPS beside its theoretical value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Comparison:
    """A quantity measured in LAMMPS beside its theoretical value."""

    name: str
    measured: float
    theory: float
    unit: str

    @property
    def rel_error(self) -> float:
        return abs(self.measured - self.theory) / abs(self.theory)
