"""Per run folder of a root: particles, steps and LAMMPS loop time of each run section, and LAMMPS's memory.

Reads only what LAMMPS wrote (``log.lammps``: "Loop time of T on P procs for S steps with N atoms" and
"Per MPI rank memory allocation"), so it works on any finished or failed folder, and says which sections
are Hertz (before an mdr deck's ``clear``) and which mdr.

    python benchmarks/chain_report.py /path/to/root [--stage calender_mdr] [--job settle-abc ...]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

LOOP = re.compile(r"^Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms")
MEMORY = re.compile(r"^Per MPI rank memory allocation \(min/avg/max\) = [0-9.]+ \| [0-9.]+ \| ([0-9.]+) Mbytes")


def sections(log: Path) -> list[dict]:
    """Every run section of a LAMMPS log with its model ("hertz" before an mdr deck's clear, else its own)."""
    text = log.read_text(errors="replace").splitlines()
    mdr_deck = any(line.startswith("atom_style      sphere 1") for line in text)
    model, out, memory = ("hertz" if mdr_deck else "hertz"), [], 0.0
    for line in text:
        if line.startswith("clear") and mdr_deck:
            model = "mdr"
        m = MEMORY.match(line)
        if m:
            memory = max(memory, float(m.group(1)))
        m = LOOP.match(line)
        if m and int(m.group(3)) > 0:
            out.append({"model": model, "seconds": float(m.group(1)), "ranks": int(m.group(2)),
                        "steps": int(m.group(3)), "atoms": int(m.group(4)), "memory_mb": memory})
    return out


def folder_row(folder: Path) -> dict:
    status = json.loads((folder / "status.json").read_text()) if (folder / "status.json").exists() else {}
    secs = sections(folder / "log.lammps") if (folder / "log.lammps").exists() else []
    row = {"folder": folder.name, "state": status.get("state"), "kernel": status.get("kernel"),
           "atoms": secs[0]["atoms"] if secs else None, "ranks": secs[0]["ranks"] if secs else None,
           "memory_mb": max((s["memory_mb"] for s in secs), default=None)}
    for model in ("hertz", "mdr"):
        s = [x for x in secs if x["model"] == model]
        row[f"{model}_steps"] = sum(x["steps"] for x in s)
        row[f"{model}_s"] = round(sum(x["seconds"] for x in s), 1)
        n = row["atoms"] or 1
        row[f"{model}_ns_per_particle_step"] = (round(1e9 * row[f"{model}_s"] / (row[f"{model}_steps"] * n))
                                               if row[f"{model}_steps"] else None)
    return row


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("root")
    p.add_argument("--stage", default=None, help="only folders of this stage (settle, calender_mdr, ...)")
    p.add_argument("--job", nargs="*", default=None, help="only these folders")
    args = p.parse_args(argv)
    folders = sorted(f for f in Path(args.root).iterdir() if (f / "params.json").exists())
    if args.stage:
        folders = [f for f in folders if f.name.rsplit("-", 1)[0] == args.stage]
    if args.job:
        folders = [f for f in folders if f.name in args.job]
    rows = [folder_row(f) for f in folders]
    cols = ("folder", "state", "kernel", "atoms", "ranks", "hertz_steps", "hertz_s", "hertz_ns_per_particle_step",
            "mdr_steps", "mdr_s", "mdr_ns_per_particle_step", "memory_mb")
    print(" ".join(f"{c:>14s}" if c != "folder" else f"{c:<32s}" for c in cols))
    for r in rows:
        print(" ".join(f"{str(r[c]):>14s}" if c != "folder" else f"{r[c]:<32s}" for c in cols))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
