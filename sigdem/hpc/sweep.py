"""Submit run folders (or decks) as one Slurm job array, chain stages by dependency, report status.

A sweep lives in ``<root>/_slurm/<sweep id>/``: ``tasks.txt`` (one absolute path per line: a run
folder, or a pickled deck under ``decks/``), ``job.sh`` (the batch script), ``submission.json``
(job id, dependency, time, the task → folder table) and the tasks' ``slurm-<job>_<k>.out``.

Dependencies: ``afterok:<array>`` lets a job start only once *every* task of the array finished
with exit code 0 (one failed settle holds back every calender run). ``aftercorr:<array>`` (Slurm
>= 16.05; used by :func:`submit_chain` when dependent task k continues settle task k) starts task k
as soon as task k of the other array succeeded. ``--kill-on-invalid-dep=yes`` cancels a task whose
dependency can no longer be met, so that :func:`status` reports it failed instead of pending for ever.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

from . import slurm
from ._core import Deck, InputError, RunFolder, folder_of, tail_text, write_atomic
from .profile import ClusterProfile, check_abs_path, local_profile
from .script import render_script

log = logging.getLogger(__name__)

#: Folder states a sweep submits again only with ``resubmit_failed`` (``running``: a killed task's folder).
RETRY_STATES = ("failed", "running")


@dataclass(frozen=True, slots=True)
class Submission:
    """A submitted (or pretended) job array: ``job`` is None when nothing was submitted."""

    sweep_dir: Path
    job: str | None
    folders: tuple[Path, ...]
    skipped: tuple[Path, ...]
    script: str
    dependency: str | None = None


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """One array task: ``state`` pending | running | done | failed, with the reason and log tail of failures."""

    index: int
    folder: Path
    state: str
    reason: str = ""
    log_tail: str = ""


def is_recipe(item) -> bool:
    """A deck built by its task (``item.build_deck(root) -> Deck | None``): a stage whose parameters depend on
    the outcome of the stage before it (a calender's reachable targets on its settled bed)."""
    return callable(getattr(item, "build_deck", None)) and not isinstance(item, Deck)


def recipe_folder(item, root: Path) -> RunFolder:
    """Where a recipe's task leaves its run folder: a link ``<root>/_steps/<item.step_id>`` to it, made by the task."""
    return RunFolder(root / "_steps" / item.step_id)


def plan(items, root: Path | str, *, resubmit_failed: bool = False) -> tuple[str, list[tuple[RunFolder, object]], list[Path]]:
    """(kind, [(folder, item) to run], [skipped folders]) for run folders, decks or deck recipes under ``root``."""
    items = list(items)
    kinds = {"deck" if isinstance(i, Deck) or is_recipe(i) else "folder" for i in items}
    if len(kinds) > 1:
        raise InputError("items", "give run folders or decks, not a mix (one array runs one kind of task)")
    kind = kinds.pop() if kinds else "folder"
    todo, skipped = [], []
    for item in items:
        if is_recipe(item):
            folder = recipe_folder(item, root)
        elif kind == "deck":
            folder = folder_of(item, root)
        else:
            folder = RunFolder(Path(item.path if isinstance(item, RunFolder) else item).resolve())
        state = folder.state
        if kind == "folder" and state == "absent":
            raise InputError("folders", f"{folder.path} is not a rendered run folder (no status.json)")
        if state == "done" or (state in RETRY_STATES and not resubmit_failed):
            log.info("skipping %s (%s)", folder.path.name, state)
            skipped.append(folder.path)
        elif folder.path not in [f.path for f, _ in todo]:
            todo.append((folder, item))
    return kind, todo, skipped


def _sweep_id(todo) -> str:
    stages = sorted({f.path.name.split("-", 1)[0] for f, _ in todo})
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    h = hashlib.sha256(("\n".join(str(f.path) for f, _ in todo) + str(time.time_ns())).encode()).hexdigest()[:6]
    return f"{'+'.join(stages)}-{stamp}-{h}"


def submit_sweep(items, root: Path | str, profile: ClusterProfile | None = None, *, pretend: bool = False,
                 resubmit_failed: bool = False, dependency: str | None = None) -> Submission:
    """Submit every item not done yet as ONE job array; items are rendered run folders, or decks
    (rendered by their task: stages continuing a settle run that is not finished at submit time).

    Done folders are skipped, failed ones too unless ``resubmit_failed``. ``pretend``: write nothing,
    return the script that would be submitted. ``dependency`` e.g. ``afterok:123`` (sbatch syntax).
    """
    profile = profile or local_profile()
    root = Path(check_abs_path("root", str(Path(root).resolve())))
    kind, todo, skipped = plan(items, root, resubmit_failed=resubmit_failed)
    if not todo:
        log.info("nothing to submit under %s: %d folder(s) skipped", root, len(skipped))
        return Submission(root / "_slurm", None, (), tuple(skipped), "", dependency)
    sweep_dir = root / "_slurm" / _sweep_id(todo)
    lines = [str(f.path) for f, _ in todo] if kind == "folder" else [str(sweep_dir / "decks" / f"{k}.pkl") for k in range(len(todo))]
    script = render_script(profile, job_name=f"sigdem-{sweep_dir.name.split('-', 1)[0]}", sweep_dir=sweep_dir,
                           list_file=sweep_dir / "tasks.txt", n_tasks=len(todo), kind=kind,
                           root=root if kind == "deck" else None)
    folders = tuple(f.path for f, _ in todo)
    if pretend:
        return Submission(sweep_dir, None, folders, tuple(skipped), script, dependency)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    if kind == "deck":
        (sweep_dir / "decks").mkdir()
        for k, (_, deck) in enumerate(todo):
            (sweep_dir / "decks" / f"{k}.pkl").write_bytes(pickle.dumps(deck))
    write_atomic(sweep_dir / "tasks.txt", "\n".join(lines) + "\n")
    write_atomic(sweep_dir / "job.sh", script)
    job = slurm.submit(sweep_dir / "job.sh", dependency=dependency)
    record = {"job": job, "kind": kind, "dependency": dependency, "root": str(root),
              "submitted_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"),
              "tasks": [{"index": k, "folder": str(p), "item": line} for k, (p, line) in enumerate(zip(folders, lines))],
              "skipped": [str(p) for p in skipped]}
    write_atomic(sweep_dir / "submission.json", json.dumps(record, indent=2) + "\n")
    log.info("sweep %s: job %s, %d task(s), %d skipped", sweep_dir.name, job, len(todo), len(skipped))
    return Submission(sweep_dir, job, folders, tuple(skipped), script, dependency)


def submit_chain(settle_folders, dependent_decks, root: Path | str, profile: ClusterProfile | None = None, *,
                 pretend: bool = False, resubmit_failed: bool = False) -> tuple[Submission, Submission]:
    """Submit the settle array, then the decks continuing it (calender, pellet) as a second array that
    waits for it: ``aftercorr`` when dependent task k continues settle task k, else ``afterok`` (all)."""
    settle_paths = {RunFolder(Path(getattr(f, "path", f)).resolve()).path for f in settle_folders}
    dependent_decks = list(dependent_decks)
    for deck in dependent_decks:
        start = getattr(deck, "start", None)
        if not (isinstance(deck, Deck) or is_recipe(deck)) or start is None or (
                start.path not in settle_paths and start.state != "done"):
            raise InputError("dependent_decks", "each must be a Deck (or a deck recipe) whose start is one of "
                             "settle_folders (or done)")
    first = submit_sweep(settle_folders, root, profile, pretend=pretend, resubmit_failed=resubmit_failed)
    _, todo, _ = plan(dependent_decks, Path(root).resolve(), resubmit_failed=resubmit_failed)
    starts = [deck.start.path for _, deck in todo]
    dependency = None
    if first.job is not None:
        one_to_one = starts == list(first.folders)
        dependency = f"{'aftercorr' if one_to_one else 'afterok'}:{first.job}"
    second = submit_sweep(dependent_decks, root, profile, pretend=pretend, resubmit_failed=resubmit_failed,
                          dependency=dependency)
    return first, second


def _slurm_out(sweep_dir: Path, job: str, k: int) -> str:
    return tail_text(sweep_dir / f"slurm-{job}_{k}.out", 20)


def status(sweep_dir: Path | str) -> list[TaskStatus]:
    """Each task of a sweep from its folder's ``status.json`` and ``squeue`` (failures: reason, log tail)."""
    sweep_dir = Path(sweep_dir)
    record = json.loads((sweep_dir / "submission.json").read_text())
    job = record["job"]
    queue = {e.task: e for e in slurm.squeue([job]) if e.job == job}
    out = []
    for task in record["tasks"]:
        k, folder = task["index"], RunFolder(Path(task["folder"]))
        st, entry = folder.status(), queue.get(k)
        state, queued = st.get("state", "absent"), entry.state if entry else None
        if state == "done":
            out.append(TaskStatus(k, folder.path, "done"))
        elif queued in ("PENDING", "CONFIGURING", "REQUEUED", "RESIZING", "SUSPENDED"):  # also a resubmitted failure
            out.append(TaskStatus(k, folder.path, "pending", entry.reason))
        elif queued in ("RUNNING", "COMPLETING"):
            out.append(TaskStatus(k, folder.path, "running"))
        elif state == "failed":
            out.append(TaskStatus(k, folder.path, "failed", st.get("reason", ""),
                                  tail_text(folder.fn("log.lammps"), 20) or _slurm_out(sweep_dir, job, k)))
        else:  # left the queue (or ended) without finishing its folder: killed, cancelled, render failed
            why = f"Slurm {queued} ({entry.reason})" if entry else "the task left the queue"
            out.append(TaskStatus(k, folder.path, "failed", f"{why}; folder is {state}", _slurm_out(sweep_dir, job, k)))
    return out


def wait(sweep_dir: Path | str, *, timeout_s: float = 3600.0, poll_s: float = 1.0) -> list[TaskStatus]:
    """Poll :func:`status` (squeue, not ``sbatch --wait``) until no task is pending or running."""
    deadline = time.monotonic() + timeout_s
    while True:
        tasks = status(sweep_dir)
        if all(t.state in ("done", "failed") for t in tasks):
            return tasks
        if time.monotonic() > deadline:
            raise TimeoutError(f"{sweep_dir}: tasks still pending or running after {timeout_s:g} s")
        time.sleep(poll_s)
