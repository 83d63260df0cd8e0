"""Where the LAMMPS scripts of ``lammps_inputs/`` live, installed or in a source checkout."""

from __future__ import annotations

import functools
from pathlib import Path

from sigdem.errors import EnvironmentProblem, InputError
from sigdem.inputs import check_name


@functools.cache
def templates_dir() -> Path:
    """The folder holding the shipped LAMMPS scripts.

    A wheel carries them as ``sigdem/lammps_inputs``; a source checkout (editable install)
    has them beside the package, at the repository's top level.
    """
    here = Path(__file__).resolve().parent.parent  # the sigdem package
    for candidate in (here / "lammps_inputs", here.parent / "lammps_inputs"):
        if (candidate / "settle.lmp").is_file() or (candidate / "verify_impact.lmp").is_file():
            return candidate
    raise EnvironmentProblem(f"sigdem's LAMMPS scripts (lammps_inputs/) are missing next to {here}")


def template_path(name: str) -> Path:
    """Path of ``lammps_inputs/<name>`` (``name`` a plain name, with or without ``.lmp``)."""
    stem = name[:-4] if isinstance(name, str) and name.endswith(".lmp") else name
    check_name("template", stem)
    path = templates_dir() / f"{stem}.lmp"
    if not path.is_file():
        known = sorted(p.stem for p in templates_dir().glob("*.lmp"))
        raise InputError("template", f"no LAMMPS script {name!r}; known: {', '.join(known)}")
    return path
