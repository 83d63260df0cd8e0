"""Release branches of a pellet press (:attr:`sigdem.deck.stages.Pellet.release_from_restarts`).

The press goes up monotonically and writes ``held_<k>.restart`` at each target but the last; afterwards each of
those targets is released in a LAMMPS run of its own, the same ``in.lmp`` with ``-var branch k`` and its own log
``log_release_<k>.lammps`` (``lammps_inputs/pellet_press.lmp``, "release branches"). A branch writes
``branch_<k>_start.txt``, ``branch_<k>_released.txt``, ``branch_<k>_relaxed.txt``, ``branch_<k>_thermo.txt`` and the
``released_<k>``/``relaxed_<k>`` dumps, and sigdem then writes ``branch_<k>.json``: ``{"state": "done"}``, or
``{"state": "stopped", "tag": ...}`` when LAMMPS stopped it on one of :data:`~sigdem.run.stops.PRESS_STOPS` (mdr's
NaN): a rerun would stop the same way, so that release is reported as lost and the others stand. Any other failure
(a timeout, a Ctrl-C, a crash without those words) writes no state: the branch runs again next time, and until it
has, the analysis refuses the folder (:func:`require_branches`).

Why separate processes rather than a flag in one: LAMMPS cannot catch its own errors, and mdr's NaN ends the process.
Why a restart and not a data file: the restart carries the contact history and mdr's per-particle history (the
branch checks that it starts at the held pressure, ``branch_<k>_start.txt``).
"""

from __future__ import annotations

import json
import logging

from sigdem.deck import RunRecord
from sigdem.errors import EngineError, IncompleteRunError
from sigdem.io.folder import RunFolder, write_atomic
from sigdem.io.logs import log_tail, read_table
from sigdem.run.child import start_child, wait_child
from sigdem.run.claim import claim
from sigdem.run.launch import lmp_argv
from sigdem.run.runners import Runner, kernel_variables
from sigdem.run.stops import stop_tag

log = logging.getLogger(__name__)

#: Files a release branch writes (``{k}``: its target), removed before it runs again.
BRANCH_FILES = ("branch_{k}_start.txt", "branch_{k}_released.txt", "branch_{k}_relaxed.txt", "branch_{k}_thermo.txt",
                "released_{k}.dump", "relaxed_{k}.dump", "log_release_{k}.lammps")


def uses_branches(folder: RunFolder) -> bool:
    """Whether the folder's press releases its targets in branches (its deck had ``release_restart`` 1)."""
    return int(RunRecord.read(folder).variables.get("release_restart", 0)) == 1


def branch_targets(folder: RunFolder) -> list[int]:
    """The targets to release in branches: those the press recorded, but the last of its list (which the press
    releases itself). A press that stopped early has fewer."""
    if not folder.fn("targets.txt").exists():
        return []
    n = int(RunRecord.read(folder).variables["n_targets"])
    return [int(k) for k in read_table(folder.fn("targets.txt"))["k"] if int(k) < n]


def branch_state(folder: RunFolder, k: int) -> dict | None:
    """``branch_<k>.json`` of the folder, or None when branch ``k`` has not finished."""
    path = folder.fn(f"branch_{k}.json")
    return json.loads(path.read_text()) if path.exists() else None


def require_branches(folder: RunFolder) -> dict[int, dict]:
    """State of every branch of a folder that uses them; IncompleteRunError naming the first that has not run."""
    states = {}
    for k in branch_targets(folder):
        state = branch_state(folder, k)
        if state is None:
            raise IncompleteRunError(folder.path, folder.state, f"the release of target {k} (from held_{k}.restart) "
                                     "has not run: run the study again")
        states[k] = state
    return states


def run_release_branches(folder: RunFolder, runner: Runner | None = None) -> dict[int, dict]:
    """Run the release branches of a pressed folder that has not run them yet (none when it does not use them) and
    return every branch's state. ``runner``: its ranks, launcher, kernel choice and timeout are used (an in-process
    runner's branches run in a child ``lmp``, as every mdr run does); a collect-only runner runs nothing."""
    if not uses_branches(folder) or getattr(runner, "collect_only", False):
        return {}
    with claim(folder):
        for k in branch_targets(folder):
            if branch_state(folder, k) is None:
                _run_branch(folder, k, runner)
    return require_branches(folder)


def _run_branch(folder: RunFolder, k: int, runner: Runner | None) -> None:
    for pattern in BRANCH_FILES:
        folder.fn(pattern.format(k=k)).unlink(missing_ok=True)
    variables = {**kernel_variables(folder, getattr(runner, "kernel", "auto")), "branch": k}
    argv = lmp_argv(ranks=getattr(runner, "ranks", 1), launcher=getattr(runner, "launcher", "mpirun"),
                    variables=variables, log_name=f"log_release_{k}.lammps")
    log.info("%s: releasing target %d from held_%d.restart", folder.path.name, k, k)
    code, out = wait_child(start_child(argv, folder.path), getattr(runner, "timeout_s", None))
    released = folder.fn(f"branch_{k}_released.txt")
    if code == 0 and released.exists() and len(read_table(released)) == 1:
        write_atomic(folder.fn(f"branch_{k}.json"), json.dumps({"state": "done"}))
        return
    tail = log_tail(folder.fn(f"log_release_{k}.lammps"), 5) + "\n" + "\n".join(out.splitlines()[-20:])
    tag = stop_tag(tail) if code else None
    if tag is None:
        what = f"exited with code {code}" if code else f"ended without its row in {released.name}"
        raise EngineError(f"the release of target {k} (lmp -var branch {k}) {what}", folder.path, tail)
    log.warning("%s: LAMMPS stopped the release of target %d (%s); that release is lost, the other targets stand",
                folder.path.name, k, tag)
    write_atomic(folder.fn(f"branch_{k}.json"), json.dumps({"state": "stopped", "tag": tag}))
