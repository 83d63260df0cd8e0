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

Press resumptions: when LAMMPS stops the press itself on one of :data:`~sigdem.run.stops.PRESS_STOPS` after it
recorded target k (k < n_targets, so ``held_<k>.restart`` exists), the press is resumed once from that restart,
``-var resume k`` with the targets after k (``lammps_inputs/pellet_press.lmp``, "A resumed press"). mdr's NaN in a
dense cell is an event of one trajectory, not of the held state: on the default SiG cell (4,285 particles, 2 ranks,
4 Dec 2026) the press stopped 8,000-9,000 steps past 143.5 MPa, and the same press resumed from ``held_4.restart`` held
348.6 MPa (``benchmarks/results/pellet_resume_2026-12-04/``). A resumed press appends its records to the press's files
and writes ``resume_<k>_start.txt``, ``resume_<k>_thermo.txt`` and ``log_resume_<k>.lammps``; sigdem writes
``resume_<k>.json`` as for a branch. It is resumed again only from a later target: a rerun from the same restart is
deterministic and would stop the same way.
"""

from __future__ import annotations

import json
import logging

from sigdem.deck import RunRecord
from sigdem.errors import EngineError, IncompleteRunError
from sigdem.io.folder import RunFolder, write_atomic
from sigdem.io.logs import log_tail, read_table
from sigdem.run.child import start_child
from sigdem.run.claim import claim
from sigdem.run.launch import lmp_argv, wait_lmp
from sigdem.run.runners import Runner, kernel_variables
from sigdem.run.stops import press_stop, stop_tag

log = logging.getLogger(__name__)

#: Files a release branch writes (``{k}``: its target), removed before it runs again.
BRANCH_FILES = ("branch_{k}_start.txt", "branch_{k}_released.txt", "branch_{k}_relaxed.txt", "branch_{k}_thermo.txt",
                "released_{k}.dump", "relaxed_{k}.dump", "log_release_{k}.lammps")


#: Files a resumed press writes of its own (``{k}``: the target it resumes from), removed before it runs again.
RESUME_FILES = ("resume_{k}_start.txt", "resume_{k}_thermo.txt", "log_resume_{k}.lammps")
#: The press's record files a resumed press appends to (rows keyed by target in their first column).
PRESS_RECORDS = ("targets.txt", "released.txt", "relaxed.txt")


def uses_branches(folder: RunFolder) -> bool:
    """Whether the folder's press releases its targets in branches (its deck had ``release_restart`` 1)."""
    return int(RunRecord.read(folder).variables.get("release_restart", 0)) == 1


def branch_targets(folder: RunFolder) -> list[int]:
    """The targets to release in branches: those the press recorded, but the last of its list when the press
    releases it itself (a deck without ``restart_last``), and but the repeats of the floor's pellet
    (:func:`floor_repeats`). A press that stopped early has fewer."""
    if not folder.fn("targets.txt").exists():
        return []
    variables = RunRecord.read(folder).variables
    n = int(variables["n_targets"])
    last = n if int(variables.get("restart_last", 0)) else n - 1
    repeats = floor_repeats(folder)
    return [int(k) for k in read_table(folder.fn("targets.txt"))["k"] if int(k) <= last and int(k) not in repeats]


def floor_repeats(folder: RunFolder) -> dict[int, int]:
    """``{k: j}``: target k was recorded not held at the very height of an earlier target j not held either. The
    press could go no lower (the cell at its lowest height, solid fraction ``phi_max``, where it stays bit for bit
    while the servo asks for more), so k's pellet is j's: it is not released again, and its row has no release of
    its own (``same_pellet_as_mpa`` in sigdem.studies.pellet_analysis). Meant for a monotonic press (release
    branches); in load-release cycles each target is a pellet pressed again."""
    path = folder.fn("targets.txt")
    if not path.exists():
        return {}
    first, out = {}, {}
    for k, held, z in read_table(path)[["k", "held", "ztop"]].itertuples(index=False):
        if held > 0.5:
            continue
        if z in first:
            out[int(k)] = first[z]
        else:
            first[z] = int(k)
    return out


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


def supports_resume(folder: RunFolder) -> bool:
    """Whether the folder's press can be resumed: it uses release branches (held restarts) and its deck, rendered
    after press resumptions existed, has the ``resume`` hook (an older deck would press again from the start)."""
    return uses_branches(folder) and "variable resume" in folder.fn("in.lmp").read_text()


def _recorded(folder: RunFolder) -> list[int]:
    path = folder.fn("targets.txt")
    return [int(k) for k in read_table(path)["k"]] if path.exists() else []


def resume_state(folder: RunFolder, k: int) -> dict | None:
    """``resume_<k>.json`` of the folder, or None when the press has not been resumed from target ``k``."""
    path = folder.fn(f"resume_{k}.json")
    return json.loads(path.read_text()) if path.exists() else None


def resumed_from(folder: RunFolder) -> list[int]:
    """The targets the press was resumed from, in order (empty when it never was)."""
    return sorted(int(p.stem.split("_")[1]) for p in folder.path.glob("resume_*.json"))


def due_resume(folder: RunFolder) -> int | None:
    """The target the press should be resumed from next, or None: the press (or its last resumption) stopped on one
    of :data:`~sigdem.run.stops.PRESS_STOPS` after recording a target k < n_targets that it has not been resumed
    from, and ``held_<k>.restart`` exists."""
    if not supports_resume(folder) or press_stop(folder, "targets.txt") is None:
        return None
    done = resumed_from(folder)
    if done and resume_state(folder, done[-1])["state"] == "done":
        return None
    recorded = _recorded(folder)
    k = max(recorded) if recorded else 0
    n = int(RunRecord.read(folder).variables["n_targets"])
    if k < 1 or k >= n or (done and k <= done[-1]) or not folder.fn(f"held_{k}.restart").exists():
        return None
    return k


def chain_stop(folder: RunFolder) -> tuple[str, int] | None:
    """(tag, targets recorded) of the stop that ended the press with its resumptions, or None when it ended
    normally: the press's own stop (:func:`~sigdem.run.stops.press_stop`) unless a resumption ran after it, then that
    of the last resumption."""
    stop = press_stop(folder, "targets.txt")
    done = resumed_from(folder)
    if stop is None or not done:
        return stop
    last = resume_state(folder, done[-1])
    return None if last["state"] == "done" else (last["tag"], len(_recorded(folder)))


def require_resumes(folder: RunFolder) -> None:
    """IncompleteRunError when the folder's press is due to be resumed (:func:`due_resume`) and has not been."""
    k = due_resume(folder)
    if k is not None:
        raise IncompleteRunError(folder.path, folder.state, f"the press stopped after target {k} and has not been "
                                 f"resumed from held_{k}.restart: run the study again")


def run_press_resumes(folder: RunFolder, runner: Runner | None = None) -> list[int]:
    """Resume a press that LAMMPS stopped (:func:`due_resume`) until it ends normally or stops again without a new
    target; return the targets it was resumed from. ``runner`` as for :func:`run_release_branches`."""
    if getattr(runner, "collect_only", False):
        return resumed_from(folder)
    with claim(folder):
        while (k := due_resume(folder)) is not None:
            _run_resume(folder, k, runner)
    return resumed_from(folder)


def _truncate_records(folder: RunFolder, k: int) -> None:
    """Drop the rows of targets after ``k`` from the press's record files (left by a resumption that did not
    finish), and the states of later resumptions and branches, so that the resumption from ``k`` starts clean."""
    for name in PRESS_RECORDS:
        path = folder.fn(name)
        if path.exists():
            lines = path.read_text().splitlines(keepends=True)
            keep = [ln for ln in lines if ln.startswith("#") or not ln.strip() or int(float(ln.split()[0])) <= k]
            write_atomic(path, "".join(keep))
    for path in [*folder.path.glob("resume_*.json"), *folder.path.glob("branch_*.json")]:
        if int(path.stem.split("_")[1]) > k:
            path.unlink()


def _lmp_from_held(folder: RunFolder, runner: Runner | None, variables: dict, log_name: str) -> tuple[int, str]:
    """(exit code, log and output tail) of the folder's ``in.lmp`` run in a child ``lmp`` with ``variables`` (which
    name the held restart it starts from), on the runner's ranks, launcher, kernel and timeout."""
    variables = {**kernel_variables(folder, getattr(runner, "kernel", "auto")), **variables}
    argv = lmp_argv(ranks=getattr(runner, "ranks", 1), launcher=getattr(runner, "launcher", "mpirun"),
                    variables=variables, log_name=log_name)
    code, out = wait_lmp(start_child(argv, folder.path), folder.path, getattr(runner, "ranks", 1),
                         getattr(runner, "timeout_s", None))
    return code, log_tail(folder.fn(log_name), 5) + "\n" + "\n".join(out.splitlines()[-20:])


def _run_resume(folder: RunFolder, k: int, runner: Runner | None) -> None:
    _truncate_records(folder, k)
    for pattern in RESUME_FILES:
        folder.fn(pattern.format(k=k)).unlink(missing_ok=True)
    rest = tuple(RunRecord.read(folder).variables["pressures"])[k:]
    log.warning("%s: LAMMPS stopped the press after target %d; resuming it from held_%d.restart", folder.path.name,
                k, k)
    code, tail = _lmp_from_held(folder, runner, {"resume": k, "pressures": rest}, f"log_resume_{k}.lammps")
    if code == 0:
        write_atomic(folder.fn(f"resume_{k}.json"), json.dumps({"state": "done"}))
        return
    tag = stop_tag(tail)
    if tag is None or not folder.fn(f"resume_{k}_start.txt").exists():
        raise EngineError(f"the press resumed from target {k} (lmp -var resume {k}) exited with code {code}",
                          folder.path, tail)
    log.warning("%s: LAMMPS stopped the press resumed from target %d (%s) after %d targets", folder.path.name, k, tag,
                len(_recorded(folder)))
    write_atomic(folder.fn(f"resume_{k}.json"), json.dumps({"state": "stopped", "tag": tag}))


def run_release_branches(folder: RunFolder, runner: Runner | None = None) -> dict[int, dict]:
    """Resume the press if LAMMPS stopped it (:func:`run_press_resumes`), then run the release branches of a pressed
    folder that has not run them yet (none when it does not use them) and return every branch's state. ``runner``:
    its ranks, launcher, kernel choice and timeout are used (an in-process runner's branches run in a child ``lmp``,
    as every mdr run does); a collect-only runner runs nothing."""
    if not uses_branches(folder) or getattr(runner, "collect_only", False):
        return {}
    with claim(folder):
        run_press_resumes(folder, runner)
        for k in branch_targets(folder):
            if branch_state(folder, k) is None:
                _run_branch(folder, k, runner)
    return require_branches(folder)


def _run_branch(folder: RunFolder, k: int, runner: Runner | None) -> None:
    for pattern in BRANCH_FILES:
        folder.fn(pattern.format(k=k)).unlink(missing_ok=True)
    log.info("%s: releasing target %d from held_%d.restart", folder.path.name, k, k)
    code, tail = _lmp_from_held(folder, runner, {"branch": k}, f"log_release_{k}.lammps")
    released = folder.fn(f"branch_{k}_released.txt")
    if code == 0 and released.exists() and len(read_table(released)) == 1:
        write_atomic(folder.fn(f"branch_{k}.json"), json.dumps({"state": "done"}))
        return
    tag = stop_tag(tail) if code else None
    if tag is None:
        what = f"exited with code {code}" if code else f"ended without its row in {released.name}"
        raise EngineError(f"the release of target {k} (lmp -var branch {k}) {what}", folder.path, tail)
    log.warning("%s: LAMMPS stopped the release of target %d (%s); that release is lost, the other targets stand",
                folder.path.name, k, tag)
    write_atomic(folder.fn(f"branch_{k}.json"), json.dumps({"state": "stopped", "tag": tag}))
