"""Render a deck into a run folder, execute it (in-process, ``lmp``, ``mpirun``/``srun``), return the folder.

ASE's split: a deck says *what* to run, a runner says *how* it is launched here, and :func:`run` is
render → execute → done. Every runner gives the same LAMMPS the same ``in.lmp``; on one rank their
results are identical.

Machine facts are the runner's: which contact kernel computes the Hertz contacts (LAMMPS's pair
granular, or sigdem's bitwise-equal plugin ``granular/hmr`` where it is built and verified here,
:mod:`sigdem.kernel`), where ``lmp`` is, how many ranks. A deck never names them, so they are not part of
a job id; the kernel that ran is written in the folder's ``status.json``.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sigdem import __version__
from sigdem._loader import LAMMPS_VERSION_PINNED
from sigdem.deck.deck import Deck
from sigdem.deck.record import RunRecord, statepoint
from sigdem.deck.sections import data_file_text, deck_variables, header_text
from sigdem.deck.templates import template_path
from sigdem.errors import (
    EngineError,
    EnvironmentProblem,
    IncompleteRunError,
    InputError,
)
from sigdem.inputs import relative_deck_path
from sigdem.io.folder import RunFolder, job_id, write_atomic
from sigdem.run.child import start_child
from sigdem.run.claim import claim
from sigdem.run.plugin import PAIR_STYLE, kernel_path, vector_math
from sigdem.run.launch import LAUNCHERS, lmp_argv, wait_lmp
from sigdem.run.progress import ProgressWatcher
from sigdem.run.session import LammpsSession, tail_text

log = logging.getLogger(__name__)

#: Runner kernel choices: ``auto`` (the verified plugin where it exists here and the deck allows it, else
#: pair granular), ``granular`` (always LAMMPS's pair granular), ``hmr`` (the plugin; refused if unusable).
KERNEL_CHOICES = ("auto", "granular", "hmr")


# ---- render ----------------------------------------------------------------------------------

def folder_of(deck: Deck, root: Path | str) -> RunFolder:
    """The deck's run folder under ``root`` (named by its statepoint; nothing is read or written)."""
    return RunFolder.for_job(root, deck.stage.name, job_id(statepoint(deck)))


def render(deck: Deck, root: Path | str) -> RunFolder:
    """Write the deck's run folder under ``root`` (unless a finished one exists) and return it.

    Call it under the folder's :func:`~sigdem.run.claim.claim` when other processes may run the same
    deck (:func:`run` does).
    """
    folder = folder_of(deck, root)
    if folder.state == "done":
        log.info("%s is done already; not rendered again", folder.path)
        return folder
    if deck.start is not None:  # before the variables: a calender's read the start's settled surface
        check_start(deck)
    variables = deck_variables(deck)  # validates every number before anything is written
    record = RunRecord.for_deck(deck, variables, sigdem_version=__version__, lammps_version=LAMMPS_VERSION_PINNED)
    folder.path.mkdir(parents=True, exist_ok=True)
    template = template_path(deck.stage.template)
    if deck.start is None:
        write_atomic(folder.fn("particles.data"), data_file_text(deck.bed, title=f"sigdem {deck.stage.name} {folder.job}"))
    for there, here in deck.stage.start_files:  # calender, pellet: the settled bed and its contact history
        copy_atomic(deck.start.fn(there), folder.fn(here))
    write_atomic(folder.fn("in.lmp"), header_text(deck, variables, folder.job, template.name) + template.read_text())
    for name in deck.stage.includes:  # the part this template shares with another, read by "include ${dir}/..."
        write_atomic(folder.fn(name), template_path(name).read_text())
    record.write(folder)
    # the restart names the pair style that wrote it: the runner must load the same kernel
    start_kernel = {"start_kernel": deck.start.status().get("kernel", "granular")} if deck.start is not None else {}
    folder.set_state("rendered", **start_kernel)
    return folder


def check_start(deck: Deck) -> None:
    """Refuse a start folder that is not a finished settle run of the deck's bed."""
    start = deck.start.require_done()  # IncompleteRunError when rendered, running or failed
    rec = RunRecord.read(start)
    if rec.stage.needs_start:
        raise InputError("deck.start", f"{start.path.name} is a {rec.stage.name} folder; {deck.stage.name} starts "
                         "from a settle folder")
    if rec.bed_fingerprint != deck.bed.fingerprint():
        raise InputError("deck.bed", f"is not the bed settled in {start.path.name}; use sigdem.deck.start_bed(start)")
    die = getattr(deck.die, "diameter_um", None)  # a periodic cell starts from a bed settled in the periodic box
    if rec.die_diameter_um != die:
        raise InputError("deck.die", f"{deck.die!r}: {start.path.name} was settled in "
                         f"{'a periodic box' if rec.die_diameter_um is None else f'a die of {rec.die_diameter_um:g} µm'}"
                         "; allowed: the die the bed was settled in")
    # pair_coeff after read_restart must keep the settle's contact-history layout (3 values per contact, 6 with
    # SDS rolling): another layout is read silently by LAMMPS (and by the plugin) as if it were this one
    rolling_then, rolling_now = rec.rolling_friction > 0, deck.material.rolling_friction > 0
    if rolling_then != rolling_now:
        raise InputError("deck.material.rolling_friction",
                         f"{deck.material.rolling_friction:g}: {start.path.name} was settled "
                         f"{'with' if rolling_then else 'without'} rolling resistance (rolling_friction "
                         f"{rec.rolling_friction:g}), whose contact history this stage reads; allowed: "
                         f"{'> 0' if rolling_then else '0'}")
    for there, _ in deck.stage.start_files:
        if not start.fn(there).is_file():
            raise IncompleteRunError(start.path, "done", f"{there} is missing")


def copy_atomic(src: Path, dst: Path) -> None:
    """Copy a (binary) file so that readers never see a partial copy."""
    tmp = dst.with_name(f".{dst.name}.part")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


# ---- the kernel: a fact of this machine ------------------------------------------------------

def kernel_variables(folder: RunFolder, choice: str) -> dict[str, object]:
    """``-var`` overrides that make a folder run with the plugin, or ``{}`` for pair granular.

    A settle folder uses the plugin when ``choice`` allows it, the plugin is verified here and the deck has
    Hertz contacts (with or without SDS rolling resistance). A folder that continues a settle restart
    keeps the kernel that wrote it (the restart names its pair style), whatever ``choice`` says. A Hertz stage
    that continues such a restart also gets the plugin's wall fixes (``wall_kernel=hmr``: the floor and the
    moving top wall). An mdr stage loads the plugin to read the restart; where its template allows it
    (``Stage.mdr_kernel``) and its contacts are not adhesive, its mdr contacts and plane walls run on the plugin
    too (``mdr_kernel=hmr``: the same bits as LAMMPS's mdr); otherwise on LAMMPS's. (The settle deck keeps
    LAMMPS's floor: its restart is read by either floor fix.) A folder whose mdr contacts split their unloading
    ``"bounded"`` (:data:`~sigdem.model.contact.MDR_UNLOAD_SPLITS`), or takes their exp and acos from ``"vector"``
    math (:data:`~sigdem.model.contact.MDR_MATHS`), runs them on the plugin whatever kernel settled its start, and
    cannot run without it.
    """
    if choice not in KERNEL_CHOICES:
        raise InputError("kernel", f"{choice!r} is not allowed; allowed: {', '.join(KERNEL_CHOICES)}")
    rec = RunRecord.read(folder)
    stage = rec.stage
    plugin = kernel_path()
    only = _plugin_only(rec)
    if only is not None:
        _refuse_without_plugin(folder.path.name, only, plugin, choice)
    if stage.needs_start:
        if folder.status().get("start_kernel", "granular") == "granular" and only is None:
            return {}
        if plugin is None:
            raise EnvironmentProblem(f"{folder.path.name} continues a bed settled with {PAIR_STYLE}, whose plugin is "
                                     "not built and verified here: run `sigdem kernel build`")
        out = {"load_plugin": 1, "kernel_plugin": plugin}
        if stage.contact == "hertz":
            out["wall_kernel"] = "hmr"
        elif stage.mdr_kernel and rec.surface_energy_j_m2 == 0.0:    # the plugin's mdr is the non-adhesive one
            out["mdr_kernel"] = "hmr"
        return out
    unusable = "mdr contacts" if stage.contact != "hertz" else None
    if choice == "auto" and plugin is None and not unusable:
        _notice_no_plugin()
    if choice == "granular" or (choice == "auto" and (plugin is None or unusable)):
        return {}
    if unusable:
        raise InputError("kernel", f"'hmr' cannot run {folder.path.name}: the plugin has no {unusable}")
    if plugin is None:
        raise EnvironmentProblem("kernel='hmr': the granular/hmr plugin is not built and verified here: run "
                                 "`sigdem kernel build`")
    return {"pair_style": PAIR_STYLE, "load_plugin": 1, "kernel_plugin": plugin}


_NOTICED: list[bool] = []


def _notice_no_plugin() -> None:
    """Say once per process that the faster, bitwise-equal plugin is not built here."""
    if not _NOTICED:
        _NOTICED.append(True)
        log.warning("contacts by LAMMPS's pair granular: the faster granular/hmr plugin (bitwise the same results) is "
                    "not built here; `sigdem kernel build` builds it where g++ exists")


#: What each plugin-only choice of an mdr contact is (MdrContact.plugin_only), for the refusals.
_PLUGIN_ONLY_WHAT = {"unload_split": "how an unloading mdr contact is split between its particles",
                     "math": "where mdr's exp and acos come from"}


def _plugin_only(rec: RunRecord) -> tuple[str, str, str] | None:
    """A folder's plugin-only mdr choice, as MdrContact.plugin_only gives it, read from its record."""
    if rec.mdr_unload_split not in (None, "lammps"):
        return "unload_split", rec.mdr_unload_split, "lammps"
    if rec.mdr_math not in (None, "libm"):
        return "math", rec.mdr_math, "libm"
    return None


def _refuse_without_plugin(what: str, only: tuple[str, str, str], plugin: Path | None, choice: str) -> None:
    field_name, value, default = only
    why = None
    if plugin is None:
        why = "the plugin is not built and verified here: run `sigdem kernel build`"
    elif choice == "granular":
        why = "kernel='granular' was asked for"
    elif field_name == "math" and not vector_math():
        why = "the plugin here was built without glibc's libmvec (or failed its round-off check)"
    if why:
        raise EnvironmentProblem(f"{what}: contact.{field_name} {value!r} ({_PLUGIN_ONLY_WHAT[field_name]}) runs only "
                                 f"on sigdem's mdr plugin, and {why}; allowed here: {default!r}")


def require_plugin_kernel(contact_model, runner: Runner | str | None) -> None:
    """Refuse a study whose mdr contacts need sigdem's mdr plugin (the ``"bounded"`` unload split, ``"vector"``
    math: :meth:`~sigdem.model.contact.MdrContact.plugin_only`) when ``runner`` (or a ``--kernel`` choice) cannot
    run it, before anything runs: :func:`kernel_variables` would refuse it only at the mdr stage, after the settle.
    (A runner that runs nothing, :class:`CollectOnly`, is not refused.)"""
    only = contact_model.plugin_only() if contact_model is not None else None
    if only is None or getattr(runner, "collect_only", False):
        return
    choice = runner if isinstance(runner, str) else getattr(runner, "kernel", "auto")
    _refuse_without_plugin("the study", only, kernel_path(), choice)


def kernel_name(variables: dict) -> str:
    return "hmr" if variables else "granular"


# ---- runners ---------------------------------------------------------------------------------

class Runner(Protocol):
    name: str
    kernel: str

    def execute(self, folder: RunFolder, variables: dict) -> None: ...


#: File in a run folder holding what a failed child ``lmp`` (or ``mpirun``) printed (stdout and stderr), its last
#: :data:`CHILD_OUTPUT_CHARS` characters. LAMMPS's log is written by rank 0 only: an error raised on another rank
#: (e.g. mdr's "F_MDR is NaN" in a contact that rank owns) is printed there and by ``mpirun``, never in log.lammps.
CHILD_OUTPUT = "lmp_output.txt"
CHILD_OUTPUT_CHARS = 20000


def failure_tail(folder: RunFolder, out: str) -> str:
    """The tail of a failed run's log.lammps, followed by the ERROR lines of the child's output ``out`` that the
    log does not hold; the output's tail when there is no log."""
    tail = tail_text(folder.fn("log.lammps"))
    if not tail:
        return out[-4000:]
    errors = [ln for ln in out.splitlines() if "ERROR" in ln and ln.strip() not in tail]
    return tail if not errors else tail.rstrip("\n") + "\n" + "\n".join(errors[-5:])


@dataclass(frozen=True, slots=True)
class Executable:
    """The ``lmp`` executable as a child process, on ``ranks`` ranks under ``launcher`` (mpirun or srun).

    The default runner. The child runs in its own process group and dies with this process; a Ctrl-C
    stops it (SIGTERM, SIGKILL a second later). A non-zero exit, a death by signal or a run longer than
    ``timeout_s`` seconds (then the child is killed) is an :class:`~sigdem.errors.EngineError` with the
    folder and the log tail.
    """

    ranks: int = 1
    launcher: str = "mpirun"
    kernel: str = "auto"
    timeout_s: float | None = None
    name: str = "lmp"

    def __post_init__(self):
        lmp_argv(ranks=self.ranks, launcher=self.launcher)  # validates ranks and launcher now
        if self.kernel not in KERNEL_CHOICES:
            raise InputError("kernel", f"{self.kernel!r} is not allowed; allowed: {', '.join(KERNEL_CHOICES)}")
        if self.timeout_s is not None and not (isinstance(self.timeout_s, (int, float)) and self.timeout_s > 0):
            raise InputError("timeout_s", f"{self.timeout_s!r} is not a positive number of seconds (or None)")

    def argv(self, folder: RunFolder, variables: dict | None = None) -> list[str]:
        return lmp_argv(ranks=self.ranks, launcher=self.launcher, variables=variables)

    def execute(self, folder: RunFolder, variables: dict) -> None:
        argv = self.argv(folder, variables)
        proc = start_child(argv, folder.path)
        if folder.state == "running":
            folder.set_state("running", child_pid=proc.pid)
        code, out = wait_lmp(proc, folder.path, self.ranks, self.timeout_s)  # with what ranks above 0 printed
        if code == 0:
            return
        if code is None:
            what = f"did not finish within {self.timeout_s:g} s and was killed"
        elif code < 0:
            what = f"was killed by signal {signal.Signals(-code).name}"
        else:
            what = f"exited with code {code}"
        if out.strip():  # e.g. an error raised on a rank other than 0 reaches only this output, not log.lammps
            folder.fn(CHILD_OUTPUT).write_text(out[-CHILD_OUTPUT_CHARS:])
        raise EngineError(f"{' '.join(argv[:3])} ... {what}", folder.path, failure_tail(folder, out))


@dataclass(frozen=True, slots=True)
class InProcess:
    """The LAMMPS Python module in this process (opt-in: a run in it cannot be stopped by Ctrl-C until it
    ends, and a crash in LAMMPS kills the Python process).

    Two kinds of run go to a child ``lmp`` instead (same results: in-process and ``lmp`` runs are
    bit-identical): those that load the ``granular/hmr`` plugin (once dlopen-ed it stays in the process)
    and stages that may not run in-process (mdr: in the test suite an in-process mdr run killed the Python
    process twice, where a child's crash is an EngineError with the log tail).
    """

    kernel: str = "auto"
    name: str = "inprocess"

    def __post_init__(self):
        if self.kernel not in KERNEL_CHOICES:
            raise InputError("kernel", f"{self.kernel!r} is not allowed; allowed: {', '.join(KERNEL_CHOICES)}")

    def execute(self, folder: RunFolder, variables: dict) -> None:
        here = relative_deck_path(folder.path)  # None: spaces or non-ASCII on the way; lmp runs inside the folder
        if variables or here is None or not RunRecord.read(folder).stage.in_process:
            log.info("%s: run by a child lmp process, not in this one (plugin, mdr or a path LAMMPS variables "
                     "cannot hold)", folder.path.name)
            Executable(ranks=1, kernel=self.kernel).execute(folder, variables)
            return
        with LammpsSession(folder.path, variables={"dir": here}) as lmp:
            lmp.file(folder.fn("in.lmp"))


# ---- execute & run ---------------------------------------------------------------------------

def execute(folder: RunFolder, runner: Runner | None = None, *, progress: bool = False) -> RunFolder:
    """Run a rendered folder under its claim; mark it done only if LAMMPS finished and wrote every output.

    ``runner`` defaults to :class:`Executable` (a child ``lmp``). A Ctrl-C marks the folder failed with
    reason ``interrupted``; a rerun runs it again.
    """
    runner = runner or Executable()
    with claim(folder):
        if folder.state != "done":
            _execute_claimed(folder, runner, progress)
    return folder


def _execute_claimed(folder: RunFolder, runner: Runner, progress: bool) -> None:
    stage = RunRecord.read(folder).stage
    for name in (*stage.outputs, CHILD_OUTPUT):  # stale outputs of an earlier attempt
        folder.fn(name).unlink(missing_ok=True)
    variables = kernel_variables(folder, runner.kernel)
    folder.set_state("running", runner=runner.name, kernel=kernel_name(variables), pid=os.getpid(),
                     host=socket.gethostname(), child_pid=None)
    try:
        with ProgressWatcher(folder, stage.progress, bar=progress):
            runner.execute(folder, variables)
    except BaseException as exc:
        reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        folder.set_state("failed", reason=reason)
        raise
    missing = [n for n in stage.outputs if not folder.fn(n).exists()]
    if missing:
        folder.set_state("failed", reason=f"outputs missing: {', '.join(missing)}")
        raise EngineError(f"LAMMPS finished but did not write {', '.join(missing)}", folder.path, tail_text(folder.fn("log.lammps")))
    folder.set_state("done")


@dataclass(frozen=True, slots=True)
class CollectOnly:
    """A runner that runs nothing: a study run with it gathers the run folders that finished elsewhere (a
    cluster, another machine) into its usual tables; a folder that is not done is an IncompleteRunError
    naming it, and nothing is rendered or changed."""

    kernel: str = "granular"
    name: str = "collect"
    collect_only: bool = True

    def execute(self, folder: RunFolder, variables: dict) -> None:
        raise IncompleteRunError(folder.path, folder.state, "collect runs nothing: submit or run it first")


def run(deck: Deck, root: Path | str, runner: Runner | None = None, *, progress: bool = False) -> RunFolder:
    """Render, execute and return the finished run folder (reused when already done).

    Render and execute happen under the folder's claim: of several processes given the same deck, one
    runs it and the others wait for it and reuse it. With a :class:`CollectOnly` runner: the finished folder,
    or IncompleteRunError without rendering or changing anything.
    """
    folder = folder_of(deck, root)
    if getattr(runner, "collect_only", False):
        return folder.require_done()
    if folder.state != "done":
        with claim(folder):
            execute(render(deck, root), runner, progress=progress)
    return folder.require_done()


__all__ = ["KERNEL_CHOICES", "LAUNCHERS", "CollectOnly", "Executable", "InProcess", "Runner", "check_start", "copy_atomic", "execute",
           "folder_of", "kernel_variables", "render", "run"]
