"""Slurm commands as argv lists, and pure parsers of their fixed-format output.

Why not pysqa: pysqa (pyiron) submits one command per job from a user-level ``queue.yaml`` plus a
jinja template and reads ``squeue`` into a pandas table; it has a dependency list (afterok) but no
job arrays, no ``aftercorr`` and no per-array-task states (``123_4``, ``123_[5-7]``), which are the
core of sigdem's design (one array per sweep, task k of a calender array waiting on task k of its
settle array). Its template would also be a second, unvalidated place where cluster values meet a
shell script. What sigdem needs from a queue system is three commands and their parsers, below;
adding PBS or LSF later means another small module of the same shape.

Formats: ``sbatch --parsable`` prints ``<job id>[;<cluster>]``; ``squeue`` is called with
``--noheader --array --format=%i|%T|%r`` (one line per array task, or a collapsed ``123_[5-7]`` line
for pending tasks); ``sacct --parsable2 --noheader --format=JobID,State,ExitCode``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ._core import EnvironmentProblem, InputError

log = logging.getLogger(__name__)

JOB_ID_RE = re.compile(r"\d{1,12}")
SQUEUE_FORMAT = "%i|%T|%r"
SACCT_FORMAT = "JobID,State,ExitCode"
DEPENDENCY_RE = re.compile(r"(?:after|afterok|afterany|afternotok|aftercorr):\d{1,12}(?::\d{1,12})*")


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One line of ``squeue`` / ``sacct``: ``job`` (the array's id), ``task`` (None: not an array task),
    ``state`` (PENDING, RUNNING, COMPLETED, ...), ``reason`` (squeue) or ``exit_code`` (sacct, ``0:0``)."""

    job: str
    task: int | None
    state: str
    reason: str = ""
    exit_code: str = ""


def _expand_tasks(spec: str) -> list[int]:
    """``5``, ``[5-7]``, ``[1,3,5-7%2]`` → task ids (the ``%`` throttle is dropped)."""
    spec = spec.strip("[]").split("%", 1)[0]
    out: list[int] = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def split_job_id(text: str) -> tuple[str, list[int] | None]:
    """``123`` → (``123``, None); ``123_4`` → (``123``, [4]); ``123_[5-7]`` → (``123``, [5, 6, 7])."""
    job, sep, tasks = text.strip().partition("_")
    if not JOB_ID_RE.fullmatch(job) or (sep and not re.fullmatch(r"\d+|\[[\d,%-]+\]", tasks)):
        raise InputError("job id", f"{text!r} is not a Slurm job id")
    return job, (_expand_tasks(tasks) if sep else None)


def parse_sbatch(text: str) -> str:
    """The job id printed by ``sbatch --parsable`` (``123`` or ``123;cluster``)."""
    line = text.strip().splitlines()[-1] if text.strip() else ""
    match = re.fullmatch(r"(\d{1,12})(?:;[A-Za-z0-9_.-]+)?", line.strip())
    job = match.group(1) if match else ""
    if not job:
        raise EnvironmentProblem(f"sbatch printed no job id: {text.strip()[:200]!r}")
    return job


def _entries(text: str, n_fields: int, make) -> list[QueueEntry]:
    out: list[QueueEntry] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.split("|")
        if len(parts) < n_fields:
            raise InputError("queue output", f"{line!r} does not have {n_fields} '|'-separated fields")
        job, tasks = split_job_id(parts[0].split(".", 1)[0])
        for task in tasks if tasks is not None else [None]:
            out.append(make(job, task, parts))
    return out


def parse_squeue(text: str) -> list[QueueEntry]:
    """Entries of ``squeue --noheader --array --format=%i|%T|%r``; collapsed task ranges are expanded."""
    return _entries(text, 3, lambda job, task, p: QueueEntry(job, task, p[1].strip(), reason=p[2].strip()))


def parse_sacct(text: str) -> list[QueueEntry]:
    """Entries of ``sacct --parsable2 --noheader --format=JobID,State,ExitCode`` (job steps such as
    ``123_4.batch`` are skipped: the allocation's line carries the task's state)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and "." not in ln.split("|", 1)[0]]
    # "CANCELLED by 0" → CANCELLED
    return _entries("\n".join(lines), 3, lambda job, task, p: QueueEntry(job, task, p[1].split()[0], exit_code=p[2]))


# ---- commands ------------------------------------------------------------------------------------

def job_environment() -> dict[str, str]:
    """This process's environment for sbatch (which exports it to the job), with PYTHONPATH entries made
    absolute: the job runs in the sweep folder, where ``PYTHONPATH=.`` would name another directory."""
    env = dict(os.environ)
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep) if p)
    return env


def _run(argv: list[str], env: dict[str, str] | None = None) -> str:
    if shutil.which(argv[0]) is None:
        raise EnvironmentProblem(f"{argv[0]} is not on PATH: is this a Slurm login node?")
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env=env)
    if proc.returncode != 0:
        raise EnvironmentProblem(f"{' '.join(argv[:2])} ... failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
    return proc.stdout


def sbatch_argv(script_path: Path | str, *, dependency: str | None = None) -> list[str]:
    """``sbatch --parsable [--dependency=... --kill-on-invalid-dep=yes] SCRIPT``."""
    argv = ["sbatch", "--parsable"]
    if dependency is not None:
        if not isinstance(dependency, str) or not DEPENDENCY_RE.fullmatch(dependency):
            raise InputError("dependency", f"{dependency!r} is not allowed: use e.g. afterok:123 or aftercorr:123")
        # a dependency that can never be met (its settle failed) cancels the job instead of leaving it pending
        argv += [f"--dependency={dependency}", "--kill-on-invalid-dep=yes"]
    return argv + [str(Path(script_path).resolve())]


def submit(script_path: Path | str, *, dependency: str | None = None, pretend: bool = False) -> str:
    """Submit a batch script; return its job id (``pretend``: return the script text, submit nothing)."""
    argv = sbatch_argv(script_path, dependency=dependency)
    if pretend:
        return Path(script_path).read_text()
    job = parse_sbatch(_run(argv, env=job_environment()))
    log.info("submitted %s as job %s%s", Path(script_path).name, job, f" ({dependency})" if dependency else "")
    return job


def squeue(job_ids: list[str]) -> list[QueueEntry]:
    """The queue's entries of these jobs (one per array task; finished tasks are absent)."""
    ids = [j for j in job_ids if JOB_ID_RE.fullmatch(str(j))]
    if not ids:
        return []
    try:
        text = _run(["squeue", "--noheader", "--array", f"--jobs={','.join(ids)}", f"--format={SQUEUE_FORMAT}",
                     "--states=all"])
    except EnvironmentProblem as exc:
        if "Invalid job id" in str(exc):  # every job left the queue's memory (MinJobAge)
            return []
        raise
    return parse_squeue(text)


def sacct(job_ids: list[str]) -> list[QueueEntry]:
    """Accounting entries of these jobs (EnvironmentProblem where accounting is disabled)."""
    ids = [j for j in job_ids if JOB_ID_RE.fullmatch(str(j))]
    return parse_sacct(_run(["sacct", "--parsable2", "--noheader", "--allocations", f"--jobs={','.join(ids)}",
                             f"--format={SACCT_FORMAT}"])) if ids else []


def usable() -> tuple[bool, str]:
    """(True, '') when sbatch and squeue answer here, else (False, why)."""
    for cmd in ("sbatch", "squeue", "srun"):
        if shutil.which(cmd) is None:
            return False, f"{cmd} is not on PATH"
    try:
        subprocess.run(["squeue", "--noheader", "--me"], capture_output=True, text=True, timeout=10, check=True)
    except (subprocess.SubprocessError, OSError) as exc:
        err = getattr(exc, "stderr", "") or str(exc)
        return False, f"squeue does not answer: {err.decode(errors='replace') if isinstance(err, bytes) else err}".strip()
    return True, ""
