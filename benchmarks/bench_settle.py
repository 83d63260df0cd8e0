"""Packing benchmark (issue 5): settle 3,000 particles of the paper blend to rest on one core.

Prints the wall time of sigdem end to end (sample, place, render, in-process run, analysis)
and of the same rendered deck run by the ``lmp`` executable alone, and their ratio.
Target: the sigdem settle under 60 s; ratio close to 1. Run in the venv where sigdem is installed:

    python benchmarks/bench_settle.py [--n 3000]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.launch import lmp_argv
from sigdem.run.runners import execute, render
from sigdem.studies.packing import PackingStudy, analyse_settled


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="particles (default 3000)")
    args = ap.parse_args()
    study = PackingStudy(blend_from_text("large=0.5,small=0.5", paper_grades()), n_particles=args.n, replicates=1)
    with tempfile.TemporaryDirectory(prefix="sigdem-bench-") as tmp:
        t0 = time.perf_counter()
        folder = render(study.deck(0), Path(tmp) / "sigdem")
        execute(folder)
        row = analyse_settled(folder, study.size_edges_um)
        t_sigdem = time.perf_counter() - t0

        raw = Path(tmp) / "raw"
        raw.mkdir()
        for name in ("in.lmp", "particles.data"):
            shutil.copy(folder.fn(name), raw / name)
        t0 = time.perf_counter()
        subprocess.run(lmp_argv(),
                       cwd=raw, check=True, stdin=subprocess.DEVNULL)
        t_lmp = time.perf_counter() - t0
        same = (raw / "settle_result.txt").read_text() == folder.fn("settle_result.txt").read_text()
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"machine: {os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[0]} at the end")
    print(f"settle {args.n} particles (paper blend 50/50 large/small), solid fraction {row['solid_fraction']:.4f}, "
          f"at rest: {row['converged']}, simulated {row['settle_time_us']:.0f} µs")
    print(f"sigdem end to end : {t_sigdem:7.1f} s   (target < 60 s: {'met' if t_sigdem < 60 else 'MISSED'})  peak RSS {rss_self:.0f} MiB")
    print(f"lmp -in same deck : {t_lmp:7.1f} s   peak RSS {rss_child:.0f} MiB")
    print(f"ratio sigdem/lmp  : {t_sigdem / t_lmp:7.3f}   identical results: {same}")


if __name__ == "__main__":
    main()
