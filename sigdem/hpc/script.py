"""Batch scripts from the package's jinja template (``templates/slurm.sh.j2``).

Only validated values reach the template (:class:`~sigdem.hpc.profile.ClusterProfile`, paths
checked by :func:`~sigdem.hpc.profile.check_abs_path`, names by pattern), and the template
shell-quotes each of them again with :func:`shlex.quote`.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import jinja2

from .. import __version__
from ._core import InputError, check_int
from .profile import ClusterProfile, check_abs_path, check_pattern

TEMPLATES = Path(__file__).parent / "templates"
JOB_NAME_RE = re.compile(r"[A-Za-z0-9_.+-]{1,64}")
#: The two task kinds: run a rendered folder, or render a pickled deck then run it.
KINDS = {"folder": "--folder", "deck": "--deck"}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             autoescape=False, keep_trailing_newline=True)
    env.filters["q"] = lambda v: shlex.quote(str(v))
    return env


def render_script(profile: ClusterProfile, *, job_name: str, sweep_dir: Path | str, list_file: Path | str,
                  n_tasks: int, kind: str = "folder", root: Path | str | None = None) -> str:
    """Text of a job-array script of ``n_tasks`` tasks; task k runs the k-th line of ``list_file``.

    ``kind="folder"``: lines are rendered run folders; ``kind="deck"``: lines are pickled decks, each
    rendered under ``root`` by its task (stages that continue a settle run rendered after it finished).
    """
    if kind not in KINDS:
        raise InputError("kind", f"{kind!r} is not allowed; allowed: {', '.join(KINDS)}")
    if kind == "deck" and root is None:
        raise InputError("root", "deck tasks render under a root folder; give root")
    sweep_dir = check_abs_path("sweep_dir", str(sweep_dir))
    values = {
        "profile": profile,
        "job_name": check_pattern("job_name", job_name, JOB_NAME_RE, "letters, digits and _ . + - only"),
        "sweep_dir": sweep_dir,
        "list_file": check_abs_path("list_file", str(list_file)),
        "output": sweep_dir + "/slurm-%A_%a.out",
        "n_tasks": check_int("n_tasks", n_tasks, 1, 1_000_000),
        "kind": KINDS[kind],
        "root": check_abs_path("root", str(root)) if root is not None else None,
        "python": profile.python,
        "version": check_pattern("version", __version__, JOB_NAME_RE, "a plain version"),
    }
    return environment().get_template("slurm.sh.j2").render(**values)
