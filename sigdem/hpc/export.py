"""Export run folders for people who run LAMMPS themselves: no Python, no sigdem on the cluster.

``export_folders(folders, out_dir, ranks)`` copies each folder's ``in.lmp`` and the files it reads
(``particles.data``, or the settled bed's ``start.restart``) plus ``params.json`` into
``out_dir/<stage>-<id>/``, and writes ``run_all.sh`` (one folder after the other, ``lmp`` or
``mpirun -np N lmp``) and ``slurm_array.sh`` (``sbatch slurm_array.sh`` from ``out_dir``: one array
task per folder, ``srun --mpi=pmi2 -n N lmp``). Every folder also runs by hand: ``cd <folder> && lmp
-in in.lmp``. Both scripts take the executable from ``$LMP`` (default ``lmp``).

A calender or pellet stage continues a finished settle run (its restart): it is exported only once
that settle is done (its folder then holds ``start.restart``).
"""

from __future__ import annotations

import logging
import shlex
import shutil
from pathlib import Path

from ._core import STAGES, Deck, InputError, RunFolder, check_int, render, write_atomic
from .profile import check_abs_path

log = logging.getLogger(__name__)

#: Files of a run folder that its in.lmp reads, copied when present.
#: Files a run folder needs to run by hand (the shared pressing part is read by the template's include).
INPUT_FILES = ("in.lmp", "params.json", "particles.data", "start.restart", "start.data") + tuple(
    sorted({name for s in STAGES.values() for name in s.includes}))
#: lmp's screen goes to lmp_output.txt: an error raised on a rank other than 0 is printed only there, never in the log.
LMP_ARGS = "-in in.lmp -log log.lammps -nocite > lmp_output.txt 2>&1"


def _source_folder(item, out_dir: Path) -> RunFolder:
    if isinstance(item, Deck):
        if item.start is not None and item.start.state != "done":
            raise InputError("start", f"a {item.stage} deck continues the settle run {item.start.path.name}, which is "
                             f"{item.start.state}: it cannot be exported before its settle ran; run the settle "
                             "(or submit_chain) first, then export")
        return render(item, out_dir)
    folder = item if isinstance(item, RunFolder) else RunFolder(Path(item))
    if not folder.fn("in.lmp").is_file():
        raise InputError("folders", f"{folder.path} has no in.lmp (not a rendered run folder)")
    return folder


def export_folders(folders, out_dir: Path | str, ranks: int = 1) -> Path:
    """Copy run folders (or render decks) into ``out_dir`` with ``run_all.sh`` and ``slurm_array.sh``.

    ``ranks``: MPI ranks of each run (1: plain ``lmp``). Returns ``out_dir``.
    """
    ranks = check_int("ranks", ranks, 1, 4096)
    out_dir = Path(check_abs_path("out_dir", str(Path(out_dir).resolve())))
    out_dir.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    for item in folders:
        src = _source_folder(item, out_dir)
        if src.status().get("start_kernel", "granular") != "granular":
            raise InputError("folders", f"{src.path.name} continues a bed settled with sigdem's granular/hmr plugin, "
                             "whose restart needs the plugin; settle with kernel='granular' to export")
        dst = out_dir / src.path.name
        if dst != src.path:
            dst.mkdir(exist_ok=True)
            for name in INPUT_FILES:
                if src.fn(name).is_file():
                    shutil.copyfile(src.fn(name), dst / name)
        names.append(src.path.name)
    if not names:
        raise InputError("folders", "nothing to export")
    write_atomic(out_dir / "run_all.sh", run_all_text(names, ranks))
    write_atomic(out_dir / "slurm_array.sh", slurm_array_text(names, ranks))
    for script in ("run_all.sh", "slurm_array.sh"):
        (out_dir / script).chmod(0o755)
    log.info("exported %d folder(s) to %s", len(names), out_dir)
    return out_dir


def run_all_text(names: list[str], ranks: int) -> str:
    launch = f"mpirun -np {ranks} " if ranks > 1 else ""
    return f"""#!/bin/bash
# Runs every exported folder in turn with LAMMPS ({ranks} rank(s)); no Python needed.
#   LMP=/path/to/lmp ./run_all.sh
set -euo pipefail
cd "$(dirname "$0")"
LMP=${{LMP:-lmp}}
failed=0
for d in {' '.join(shlex.quote(n) for n in names)}; do
  echo "== $d"
  (cd "$d" && {launch}"$LMP" {LMP_ARGS}) || {{ echo "$d failed: see $d/log.lammps and $d/lmp_output.txt" >&2; failed=1; }}
done
exit $failed
"""


def slurm_array_text(names: list[str], ranks: int) -> str:
    return f"""#!/bin/bash
# One array task per exported folder: `sbatch -p <partition> -t <time> slurm_array.sh` from this folder.
#SBATCH --job-name=sigdem-export
#SBATCH --array=0-{len(names) - 1}
#SBATCH --ntasks={ranks}
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail
dirs=({' '.join(shlex.quote(n) for n in names)})
cd "$SLURM_SUBMIT_DIR/${{dirs[$SLURM_ARRAY_TASK_ID]}}"
srun --mpi=pmi2 -n {ranks} "${{LMP:-lmp}}" {LMP_ARGS}
"""
