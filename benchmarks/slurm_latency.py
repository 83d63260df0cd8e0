"""Submit-to-start latency and per-task overhead of sigdem's Slurm arrays on the local cluster.

    .ci/slurm.sh up && PYTHONPATH=. python benchmarks/slurm_latency.py [--repeats 10] [--tasks 20]

1. latency: ``sbatch --parsable`` of a one-line job that writes ``date +%s.%N``; start - submit time.
2. array overhead: an array of ``--tasks`` ``true`` tasks; (last end - submit) / tasks.
3. sigdem task overhead: an array of ``--tasks`` ``python -m sigdem.hpc.task --folder`` on folders that
   are done already (the task starts Python, imports sigdem, reads status.json, exits) via submit_sweep's
   template, minus nothing: wall time (submit → last task end) / tasks, and the in-job wall per task.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sigdem.hpc import local_profile, slurm  # noqa: E402
from sigdem.hpc.script import render_script  # noqa: E402


def gone(job: str) -> bool:
    return all(e.state not in ("PENDING", "RUNNING", "COMPLETING", "CONFIGURING") for e in slurm.squeue([job]))


def latency(tmp: Path, repeats: int, settle_s: float) -> list[float]:
    out = []
    for k in range(repeats):
        stamp = tmp / f"start{k}-{settle_s:g}.txt"
        script = tmp / f"lat{k}-{settle_s:g}.sh"
        script.write_text(f"#!/bin/bash\n#SBATCH --output=/dev/null\ndate +%s.%N > {stamp}\n")
        t0 = time.time()
        job = slurm.submit(script)
        while not stamp.exists() or not stamp.read_text().strip():
            time.sleep(0.005)
        out.append(float(stamp.read_text()) - t0)
        while not gone(job):
            time.sleep(0.05)
        time.sleep(settle_s)  # let the node go idle (slurmd epilog, controller bookkeeping)
    return out


def array_overhead(tmp: Path, n: int, body: str) -> float:
    script = tmp / "arr.sh"
    script.write_text(f"#!/bin/bash\n#SBATCH --array=0-{n - 1}\n#SBATCH --output=/dev/null\n{body}\n")
    t0 = time.time()
    job = slurm.submit(script)
    while not gone(job):
        time.sleep(0.02)
    return (time.time() - t0) / n


def sigdem_overhead(tmp: Path, n: int) -> tuple[float, float]:
    """Per task: wall (submit → all ended) / n, and the mean in-job time of the task command."""
    root = tmp / "root"
    folders = []
    for k in range(n):  # minimal done folders: the task reads status.json and returns
        f = root / f"settle-{k:016x}"
        f.mkdir(parents=True)
        (f / "status.json").write_text(json.dumps({"state": "done"}))
        folders.append(f)
    sweep = root / "_slurm" / "bench"
    sweep.mkdir(parents=True)
    (sweep / "tasks.txt").write_text("\n".join(map(str, folders)) + "\n")
    text = render_script(local_profile(), job_name="bench", sweep_dir=sweep, list_file=sweep / "tasks.txt", n_tasks=n)
    text = text.replace("exec ", "s=$(date +%s.%N); ").rstrip() + "; echo $s $(date +%s.%N) > t$SLURM_ARRAY_TASK_ID.txt\n"
    (sweep / "job.sh").write_text(text)
    t0 = time.time()
    job = slurm.submit(sweep / "job.sh")
    while not gone(job):
        time.sleep(0.02)
    wall = (time.time() - t0) / n
    inside = [float(b) - float(a) for a, b in (p.read_text().split() for p in sweep.glob("t[0-9]*.txt"))]
    return wall, statistics.mean(inside)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--tasks", type=int, default=20)
    args = ap.parse_args()
    ok, why = slurm.usable()
    if not ok:
        print(f"Slurm not usable: {why}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="slurm-bench-") as d:
        tmp = Path(d)
        for settle_s in (0.0, 2.0):
            lat = latency(tmp, args.repeats, settle_s)
            print(f"submit-to-start latency ({args.repeats} single jobs, {settle_s:g} s idle between): median "
                  f"{statistics.median(lat):.3f} s, min {min(lat):.3f} s, max {max(lat):.3f} s")
        per = array_overhead(tmp, args.tasks, "true")
        print(f"array of {args.tasks} 'true' tasks: {per:.3f} s per task (submit to last end / tasks)")
        wall, inside = sigdem_overhead(tmp, args.tasks)
        print(f"array of {args.tasks} 'python -m sigdem.hpc.task' on done folders: {wall:.3f} s per task "
              f"(submit to last end / tasks); the task command itself {inside:.3f} s (Python start + sigdem import)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
