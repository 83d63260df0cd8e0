"""Where the LAMMPS scripts of ``lammps_inputs/`` live, installed or in a source checkout."""

from __future__ import annotations

import functools
from pathlib import Path

from .errors import EnvironmentProblem, InputError
from .validate import check_name


@functools.cache
def templates_dir() -> Path:
    """The folder holding the shipped LAMMPS scripts.

    A wheel carries them as ``sigdem/lammps_inputs``; a source checkout (editable install)
    has them beside the package, at the repository's top level.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "lammps_inputs", here.parent / "lammps_inputs"):
        if (candidate / "settle.lmp").is_file() or (candidate / "verify_impact.lmp").is_file():
            return candidate
    raise EnvironmentProblem(f"sigdem's LAMMPS scripts (lammps_inputs/) are missing next to {here}")


def template_path(stage: str) -> Path:
    """Path of ``lammps_inputs/<stage>.lmp``; ``stage`` must be a plain name."""
    check_name("stage", stage)
    path = templates_dir() / f"{stage}.lmp"
    if not path.is_file():
        known = sorted(p.stem for p in templates_dir().glob("*.lmp"))
        raise InputError("stage", f"no LAMMPS script {stage!r}; known: {', '.join(known)}")
    return path
