"""Cluster profiles: how a batch job is launched on one cluster (partition, time, modules, venv).

A profile is a TOML file whose keys are the fields of :class:`ClusterProfile`, e.g.::

    partition = "compute"
    account = "proj42"
    time = "0-04:00:00"
    tasks_per_job = 4          # MPI ranks of each run (srun --mpi=pmi2 -n 4 lmp)
    cpus_per_task = 1
    mem = "8G"
    modules = ["gcc/12.2", "openmpi/4.1"]
    venv = "/home/me/venvs/sigdem"
    launcher = "srun"
    extra_sbatch = ["--qos=short", "--constraint=amd"]

Every value that reaches a batch script is checked here against a strict pattern (names, times,
memory, absolute paths of safe characters, sbatch options of one fixed shape); the template
then also shell-quotes it. Anything else is an :class:`~sigdem.errors.InputError` naming the
file and the key.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from ._core import InputError

NAME_RE = re.compile(r"[A-Za-z0-9_.+/-]{1,128}")
TIME_RE = re.compile(r"(?:\d{1,3}-)?\d{1,3}:[0-5]\d:[0-5]\d")
MEM_RE = re.compile(r"\d{1,9}[KMGT]?")
PATH_RE = re.compile(r"/[A-Za-z0-9_./+-]{0,4095}")
# one long option, an optional value of plain characters: --qos=short, --exclusive, --gres=gpu:1
SBATCH_OPT_RE = re.compile(r"--[a-z][a-z0-9-]{0,40}(?:=[A-Za-z0-9_.,:+/@%-]{1,200})?")
# options sigdem sets itself: a profile may not override them
RESERVED_OPTS = ("--array", "--dependency", "--output", "--error", "--job-name", "--chdir", "--wrap",
                 "--ntasks", "--cpus-per-task", "--partition", "--account", "--time", "--mem")
LAUNCHERS = ("srun", "mpirun")


def check_pattern(field: str, value, pattern: re.Pattern, what: str) -> str:
    """``value`` if it is a string matching ``pattern`` in full, else InputError(field)."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InputError(field, f"{value!r} is not allowed: {what}")
    return value


def check_abs_path(field: str, value) -> str:
    """An absolute path of letters, digits and . _ - + / only (no spaces, quotes, $, ;, newline)."""
    text = str(value) if isinstance(value, Path) else value
    check_pattern(field, text, PATH_RE, "use an absolute path of letters, digits and . _ - + /")
    if "/../" in text + "/" or "/./" in text + "/":
        raise InputError(field, f"{text!r} is not allowed: no . or .. components")
    return text


@dataclass(frozen=True, slots=True)
class ClusterProfile:
    """How sigdem's batch jobs run on one cluster.

    ``time`` the wall-time limit of one array task (``HH:MM:SS`` or ``D-HH:MM:SS``);
    ``tasks_per_job`` the MPI ranks of each run; ``cpus_per_task`` cores per rank; ``mem`` memory per
    node (``8G``; None: the partition's default); ``modules`` loaded with ``module load``; ``venv``
    the absolute path of a virtual environment to activate (None: the submitting Python is used);
    ``launcher`` how ranks > 1 start (``srun --mpi=pmi2`` or ``mpirun``); ``extra_sbatch`` further
    ``--option=value`` lines.
    """

    partition: str
    account: str | None = None
    time: str = "01:00:00"
    tasks_per_job: int = 1
    cpus_per_task: int = 1
    mem: str | None = None
    modules: tuple[str, ...] = ()
    venv: str | None = None
    launcher: str = "srun"
    extra_sbatch: tuple[str, ...] = ()

    def __post_init__(self):
        name = "letters, digits and _ . + / - only"
        check_pattern("partition", self.partition, NAME_RE, name)
        if self.account is not None:
            check_pattern("account", self.account, NAME_RE, name)
        check_pattern("time", self.time, TIME_RE, "use HH:MM:SS or D-HH:MM:SS")
        from ._core import check_int

        check_int("tasks_per_job", self.tasks_per_job, 1, 4096)
        check_int("cpus_per_task", self.cpus_per_task, 1, 1024)
        if self.mem is not None:
            check_pattern("mem", self.mem, MEM_RE, "use a number with an optional K, M, G or T suffix")
        for key in ("modules", "extra_sbatch"):
            if not isinstance(getattr(self, key), (tuple, list)):
                raise InputError(key, f"{getattr(self, key)!r} is not a list of strings")
            object.__setattr__(self, key, tuple(getattr(self, key)))
        for m in self.modules:
            check_pattern("modules", m, NAME_RE, name)
        if self.venv is not None:
            object.__setattr__(self, "venv", check_abs_path("venv", self.venv))
        if self.launcher not in LAUNCHERS:
            raise InputError("launcher", f"{self.launcher!r} is not allowed; allowed: {', '.join(LAUNCHERS)}")
        for opt in self.extra_sbatch:
            check_pattern("extra_sbatch", opt, SBATCH_OPT_RE, "use one --option or --option=value of plain characters")
            if opt.split("=", 1)[0] in RESERVED_OPTS:
                raise InputError("extra_sbatch", f"{opt!r}: sigdem sets {opt.split('=', 1)[0]} itself; use the profile's own key")

    @property
    def python(self) -> str:
        """The Python the batch script runs: the venv's, else the one submitting (shared filesystems)."""
        if self.venv is not None:
            return f"{self.venv}/bin/python"
        return check_abs_path("python", sys.executable)


def local_profile() -> ClusterProfile:
    """The built-in profile of this machine: partition ``debug`` of a single-node Slurm (``.ci/slurm.sh``)."""
    return ClusterProfile(partition="debug", time="00:30:00")


def load_profile(path: Path | str) -> ClusterProfile:
    """Read a cluster profile from a TOML file; errors name the file and the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(path), f"cannot read the cluster profile: {exc}") from None
    known = {f.name for f in fields(ClusterProfile)}
    for key in data:
        if key not in known:
            raise InputError(f"{path}: {key}", f"unknown key; allowed: {', '.join(sorted(known))}")
    if "partition" not in data:
        raise InputError(f"{path}: partition", "missing: every profile names its partition")
    try:
        return ClusterProfile(**data)
    except InputError as exc:
        raise InputError(f"{path}: {exc.field}", str(exc).split(": ", 1)[1]) from None
    except TypeError as exc:  # defensive: keys are checked above
        raise InputError(str(path), str(exc)) from None
