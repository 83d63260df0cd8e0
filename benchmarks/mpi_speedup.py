"""2-rank vs 1-rank speed of a representative mdr calender bed (issue "HPC": >= 1.7 on 2 ranks).

Copies a calender_mdr run folder (its in.lmp, start files and included scripts) to a scratch folder and runs the
first two loops of its deck, the Hertz release of the binder stand-in and the mdr relaxation, ``--steps`` steps each
(``-var release_steps N -var resettle_steps N``: command-line variables win over the deck's ``index`` ones), on 1
rank (``lmp``) and on 2 (``mpirun -np 2``, the deck's ``processors * * 1``), ``--repeats`` times alternating, and
stops each run after the second "Loop time" line. Same particles, same contact law, same steps: the ratio of
LAMMPS's loop times is the speed-up. Measure on a quiet machine (it prints the load average before each run).

    python benchmarks/mpi_speedup.py <root>/calender_mdr-<id> --steps 2000 --repeats 2
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from sigdem.run.launch import lmp_argv

LOOP = re.compile(r"Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms")


def run_once(folder: Path, ranks: int, steps: int) -> list[tuple[float, int, int]]:
    """(seconds, steps, atoms) of the first two loops of the deck in ``folder`` on ``ranks`` ranks."""
    argv = lmp_argv(ranks=ranks, variables={"release_steps": steps, "resettle_steps": steps}, log_name="bench.log")
    log = folder / "bench.log"
    log.unlink(missing_ok=True)
    proc = subprocess.Popen(argv, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # killed as a group: mpirun's ranks with it
    try:
        while proc.poll() is None:
            time.sleep(0.5)
            loops = LOOP.findall(log.read_text()) if log.exists() else []
            if len(loops) >= 2:
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    loops = LOOP.findall(log.read_text())[:2]
    if len(loops) < 2:
        raise SystemExit(f"{ranks} ranks: fewer than two loops in {log}")
    return [(float(t), int(s), int(a)) for t, _, s, a in loops]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path, help="a calender_mdr run folder (rendered or run)")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="mpi_speedup_"))
    for f in args.folder.iterdir():
        if f.suffix in (".lmp", ".restart", ".data"):
            shutil.copy(f, scratch / f.name)
    rows = {1: [], 2: []}
    for k in range(args.repeats):
        for ranks in (1, 2):
            load = os.getloadavg()[0]
            loops = run_once(scratch, ranks, args.steps)
            rows[ranks].append(loops)
            print(f"repeat {k} ranks {ranks} (load {load:.2f} before): Hertz release {loops[0][0]:.3f} s, "
                  f"mdr {loops[1][0]:.3f} s for {loops[1][1]} steps with {loops[1][2]} atoms", flush=True)
    for i, name in ((0, "Hertz release"), (1, "mdr relaxation")):
        one, two = (min(r[i][0] for r in rows[n]) for n in (1, 2))
        steps, atoms = rows[1][0][i][1], rows[1][0][i][2]
        print(f"{name}: best of {args.repeats}: 1 rank {one:.3f} s ({1e9 * one / (steps * atoms):.0f} ns/particle-step),"
              f" 2 ranks {two:.3f} s -> speed-up {one / two:.2f}x")
    shutil.rmtree(scratch)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
