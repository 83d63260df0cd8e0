"""Self-check of a freshly built plugin: a tiny settle deck run with pair granular and with granular/hmr.

The two runs must write byte-identical dumps (positions, velocities, forces, per-atom stress, every
contact's force and branch vector) and thermo rows; anything else means the plugin does not compute
pair granular's arithmetic on this machine, and sigdem will not use it.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import numpy as np

from . import PAIR_STYLE

log = logging.getLogger(__name__)

#: Files of a settle run compared byte for byte.
COMPARED = ("settled.dump", "settled_contacts.dump", "thermo.txt", "settle_result.txt")


def verification_deck():
    """27 spheres of two sizes (10 and 7 µm) on a 3 x 3 x 3 lattice, softened so a settle takes seconds."""
    from ..deck import Bed, Deck, Numerics
    from ..protocols import Settle

    ijk = np.array([(i, j, k) for k in range(3) for j in range(3) for i in range(3)], dtype=float)
    d = np.where(np.arange(27) % 2 == 0, 10.0, 7.0)
    # slightly off a lattice so that contacts are oblique (tangential history is exercised)
    pos = np.column_stack([8.0 + 14.0 * ijk[:, 0] + 0.7 * ijk[:, 2], 8.0 + 14.0 * ijk[:, 1] + 0.4 * ijk[:, 2],
                           6.0 + 12.0 * ijk[:, 2]])
    bed = Bed(d, (np.arange(27) % 2).astype(int), pos, ("large", "small"), (2.26, 2.26), 42.0, 42.0, 60.0)
    return Deck(bed=bed, numerics=Numerics(modulus_scale=0.01),
                protocol=Settle(ke_tol=1e-4, check_every=100, thermo_every=100))


def verify_plugin(plugin: Path, workdir: Path) -> dict:
    """Run the verification deck both ways under ``workdir``; raise EnvironmentProblem unless identical.

    Returns what was compared (file names and sizes), for the stamp.
    """
    from ..engine import tail_text
    from ..errors import EnvironmentProblem
    from ..runners import InProcess, execute, lmp_executable, render
    from ..validate import check_safe_path

    workdir = Path(workdir)
    reference = execute(render(verification_deck(), workdir / "granular"), InProcess())
    trial = workdir / "hmr"
    trial.mkdir(parents=True, exist_ok=True)
    for name in ("in.lmp", "particles.data"):
        shutil.copyfile(reference.fn(name), trial / name)
    # -var overrides the index defaults of in.lmp: the same deck, with the plugin's pair style. In a child
    # lmp, never in this process: a dlopen-ed plugin stays for the life of the process (see runners.InProcess)
    variables = {"dir": ".", "pair_style": PAIR_STYLE, "load_plugin": 1, "kernel_plugin": check_safe_path("plugin", plugin)}
    argv = [str(lmp_executable()), "-in", "in.lmp", "-log", "log.lammps", "-nocite", "-screen", "none"]
    for name, value in variables.items():
        argv += ["-var", name, str(value)]
    proc = subprocess.run(argv, cwd=trial, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise EnvironmentProblem(f"the verification run with {plugin} failed (exit {proc.returncode}); see {trial}: "
                                 + (tail_text(trial / "log.lammps") or proc.stdout[-2000:]))
    if f"pair_style      {PAIR_STYLE}" not in (trial / "log.lammps").read_text():  # the plugin really ran
        raise EnvironmentProblem(f"the verification run did not use pair_style {PAIR_STYLE}; see {trial}")
    sizes = {}
    for name in COMPARED:
        a, b = reference.fn(name).read_bytes(), (trial / name).read_bytes()
        if a != b:
            raise EnvironmentProblem(f"the granular/hmr plugin {plugin} is not bitwise equal to pair granular on "
                                     f"this machine ({name} differs; see {workdir}): not used")
        sizes[name] = len(a)
    log.info("plugin %s: %s identical to pair granular's", plugin, ", ".join(COMPARED))
    return {"deck": "sigdem.kernel.verify.verification_deck", "identical_bytes": sizes}
