"""Helpers of the benchmarks: timing of subprocesses and in-process work, machine and load, tiled beds.

Subprocess times come from ``os.wait4`` (wall by ``perf_counter``; CPU = user + system of the child
and the descendants it waited for). Their peak RSS comes from ``/usr/bin/time`` wrapped around the
command (the largest single process: for MPI runs, one rank): ``wait4``'s own figure would count the
memory of this (large) Python process, which a forked child carries until it execs. In-process
times use ``getrusage(RUSAGE_SELF)``; its peak RSS is this process's peak so far.
"""

from __future__ import annotations

import math
import os
import platform
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from liggghts import loop_lines

TIME_BIN = "/usr/bin/time"


@dataclass(frozen=True)
class Timing:
    """Wall and CPU seconds, peak resident memory (MB) and LAMMPS/LIGGGHTS loop seconds (if known)."""

    wall_s: float
    cpu_s: float
    max_rss_mb: float
    loop_s: float | None = None
    steps: int | None = None


def run_child(argv: list[str], cwd: Path, env: dict | None = None, log: Path | None = None) -> Timing:
    """Run ``argv`` in ``cwd``; raise with the output tail if it fails. ``log``: read its Loop times."""
    out = cwd / "bench_stdout.txt"
    rss_file = cwd / "bench_maxrss_kb.txt"
    rss_file.unlink(missing_ok=True)
    if Path(TIME_BIN).exists():
        argv = [TIME_BIN, "-f", "%M", "-o", str(rss_file)] + list(argv)
    with open(out, "w") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = out.read_text()[-3000:]
        if log is not None and log.exists():
            tail += "\n--- log tail ---\n" + log.read_text()[-3000:]
        raise RuntimeError(f"{' '.join(map(str, argv[:4]))} ... exited with {proc.returncode} in {cwd}\n{tail}")
    loop_s = steps = None
    if log is not None and log.exists():
        loops = loop_lines(log.read_text())
        loop_s, steps = sum(t for t, _, _ in loops), sum(s for _, _, s in loops)
    try:
        rss_mb = int(rss_file.read_text().split()[-1]) / 1024.0
    except (OSError, ValueError, IndexError):
        rss_mb = float("nan")
    return Timing(wall, ru.ru_utime + ru.ru_stime, rss_mb, loop_s, steps)


class InProcessTimer:
    """``with InProcessTimer() as t: ...`` then ``t.timing`` (wall; CPU of this process and of the children it
    waited for inside the block, e.g. the child ``lmp`` that runs a deck loading the granular/hmr plugin; peak RSS
    of this process)."""

    def __enter__(self):
        self._t0 = time.perf_counter()
        self._r0 = resource.getrusage(resource.RUSAGE_SELF)
        self._c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return self

    def __exit__(self, *exc):
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = sum(b.ru_utime - a.ru_utime + b.ru_stime - a.ru_stime for a, b in ((self._r0, r1), (self._c0, c1)))
        self.timing = Timing(time.perf_counter() - self._t0, cpu, r1.ru_maxrss / 1024.0)


def loadavg() -> tuple[float, float, float]:
    with open("/proc/loadavg") as fh:
        a, b, c = fh.read().split()[:3]
    return float(a), float(b), float(c)


def wait_for_quiet(max_load: float, timeout_s: float, poll_s: float = 20.0) -> tuple[float, float]:
    """Wait until the 1-min load average is below ``max_load`` (or ``timeout_s`` passed).

    Returns (load when the wait ended, seconds waited).
    """
    t0 = time.monotonic()
    while True:
        load = loadavg()[0]
        waited = time.monotonic() - t0
        if load < max_load or waited >= timeout_s:
            return load, waited
        print(f"  waiting for a quiet machine: 1-min load {load:.2f} >= {max_load} ({waited:.0f} s so far)", flush=True)
        time.sleep(poll_s)


def machine() -> dict:
    """nproc, CPU model, RAM, OS and the engines' versions."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = int(line.split()[1]) / 1024**2
    except OSError:
        pass
    info = {"nproc": len(os.sched_getaffinity(0)), "cpu_model": model, "ram_gb": round(ram_gb, 1),
            "os": platform.platform(), "python": platform.python_version()}
    try:
        from sigdem._loader import LAMMPS_VERSION_PINNED

        info["lammps"] = LAMMPS_VERSION_PINNED
    except ImportError:
        pass
    info["liggghts"] = liggghts_version() or "not installed"
    return info


def liggghts_version() -> str | None:
    exe = shutil.which("liggghts")
    if not exe:
        return None
    try:
        first = subprocess.run([exe, "-h"], capture_output=True, text=True, timeout=30, cwd="/tmp").stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None
    return first[0].strip() if first else None


def fit_exponent(n: list[float], t: list[float]) -> float:
    """Least-squares slope of log t against log n."""
    return float(np.polyfit(np.log(n), np.log(t), 1)[0])


def tiled_bed(settle_folder, nx: int, ny: int):
    """A settled bed repeated nx x ny times in the periodic x-y plane (same structure, nx*ny times the particles).

    Positions come from the folder's ``settled.dump``; the bed is lifted by its largest floor
    overlap (a few nm) so that every particle is above the floor, as a :class:`Bed` requires.
    """
    from sigdem.deck import Bed
    from sigdem.deck import RunRecord
    from sigdem.io.dumps import read_last_frame

    sp = RunRecord.read(settle_folder).statepoint["bed"]
    frame = read_last_frame(settle_folder.fn("settled.dump"))
    data = frame.data.sort_values("id")
    lx, ly = frame.box.hi[0] - frame.box.lo[0], frame.box.hi[1] - frame.box.lo[1]
    pos = data[["x", "y", "z"]].to_numpy(float) - np.array([frame.box.lo[0], frame.box.lo[1], 0.0])
    r = data["radius"].to_numpy(float)
    pos[:, 2] += max(0.0, float(np.max(r - pos[:, 2]))) + 1e-9 * float(r.max())
    grade = data["type"].to_numpy(int) - 1
    tiles = [pos + np.array([i * lx, j * ly, 0.0]) for i in range(nx) for j in range(ny)]
    return Bed(np.tile(2.0 * r, nx * ny), np.tile(grade, nx * ny), np.vstack(tiles), tuple(sp["grades"]),
               tuple(sp["densities_g_cc"]), nx * lx, ny * ly, max(sp["box_um"][2], float(pos[:, 2].max() + r.max())))


def lpt_makespan(times: list[float], workers: int) -> float:
    """Wall time of jobs of the given lengths on ``workers`` (longest first to the least loaded)."""
    loads = [0.0] * max(1, workers)
    for t in sorted(times, reverse=True):
        loads[loads.index(min(loads))] += t
    return max(loads)


def fmt_s(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "-"
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.3g} s" if seconds < 10 else f"{seconds:.1f} s"
