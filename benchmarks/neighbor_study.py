"""Neighbour and decomposition settings of the settle deck on the paper blend: same physics, what speed?

Variants of a rendered sigdem settle deck that differ only in neighbour/communication settings
(and, for 2 ranks, the processor grid):

- ``bin``       the template's ``neighbor ${skin} bin`` (skin = 0.3 x smallest diameter)
- ``bin-skinK`` the same with K x that skin
- ``multi``     ``neighbor ${skin} multi`` + ``neigh_modify collection/interval`` (4 size classes,
                geometric from the smallest to the largest diameter) + ``comm_modify mode multi``
- ``xy``        2 ranks with ``processors * * 1`` (split x-y) instead of LAMMPS's choice (z for the
                settle box, whose particles end in its lower half)

1. Equivalence: from the bed after ``--equiv-from`` steps, every variant runs ``--equiv-steps``
   steps rebuilding its lists every step (``check no``); contacts per particle must be identical
   and forces/torques must agree to round-off (bitwise equality is not expected: the lists are
   built in another order, so forces are summed in another order).
2. Timing: each variant runs the deck from the poured start for ``--steps`` steps, interleaved
   ``--repeats`` times; CPU and wall time, LAMMPS's section breakdown, list builds, ghosts.

    PYTHONPATH=. python benchmarks/neighbor_study.py [--n 2000] [--steps 40000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import sigdem  # noqa: F401
except ImportError:
    sys.path.insert(1, str(HERE.parent))

import numpy as np  # noqa: E402

import harness  # noqa: E402
from sigdem.deck import RunRecord  # noqa: E402
from sigdem.run import runners  # noqa: E402
from sigdem.io.dumps import read_last_frame  # noqa: E402

NEIGH_BLOCK = "neighbor        ${skin} bin\nneigh_modify    delay 0 every 1 check yes\n"
COMM_LINE = "comm_modify     vel yes\n"


def intervals(d_min: float, d_max: float, k: int = 4) -> list[float]:
    """Upper diameters of k geometric size classes; the last is just above d_max (µm)."""
    edges = list(np.geomspace(d_min, d_max, k + 1)[1:])
    edges[-1] = d_max * (1 + 1e-9)
    return edges


def variant_text(src: str, name: str, d_min: float, d_max: float, check: str = "yes") -> str:
    """The settle in.lmp with the neighbour/comm lines of variant ``name`` (and ``processors`` for xy)."""
    if NEIGH_BLOCK not in src or COMM_LINE not in src:
        raise SystemExit("the settle template's neighbour/comm lines are not the ones this study replaces")
    text = src.replace(COMM_LINE, "")
    if name.startswith("multi"):
        cuts = " ".join(f"{c:.10g}" for c in intervals(d_min, d_max))
        block = (f"neighbor        ${{skin}} multi\nneigh_modify    delay 0 every 1 check {check} "
                 f"collection/interval 4 {cuts}\ncomm_modify     mode multi vel yes\n")
    else:
        m = re.match(r"bin-skin([0-9.]+)$", name)
        skin = f"$({m.group(1)}*v_skin)" if m else "${skin}"
        block = f"neighbor        {skin} bin\nneigh_modify    delay 0 every 1 check {check}\n{COMM_LINE}"
    text = text.replace(NEIGH_BLOCK, block)
    if name.endswith("-xy"):
        text = text.replace("boundary        p p f\n", "boundary        p p f\nprocessors      * * 1\n")
    return text


def lmp(folder: Path, ranks: int, **var) -> harness.Timing:
    argv = runners.Executable(ranks=ranks).argv(runners.RunFolder(folder))
    for k, v in var.items():
        argv += ["-var", k, str(v)]
    return harness.run_child(argv, folder, log=folder / "log.lammps")


def breakdown(log: Path) -> dict:
    text = log.read_text()
    out = {}
    for sec in ("Pair", "Neigh", "Comm", "Modify", "Output"):
        out[sec] = sum(float(m.group(1)) for m in re.finditer(rf"^{sec}\s+\|[^|]+\|\s+([0-9.eE+-]+)", text, re.M))
    out["builds"] = sum(int(m.group(1)) for m in re.finditer(r"Neighbor list builds = (\d+)", text))
    out["dangerous"] = sum(int(m.group(1)) for m in re.finditer(r"Dangerous builds = (\d+)", text))
    ghosts = re.findall(r"Nghost:\s+([0-9.]+)", text)
    out["ghosts"] = float(ghosts[-1]) if ghosts else float("nan")
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2500)  # the smallest round size the packing study accepts for this blend
    p.add_argument("--steps", type=int, default=None, help="timed steps (default: the deck's min_steps + 10000)")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--variants", default="bin,multi,bin-skin2,bin-skin3")
    p.add_argument("--equiv-from", type=int, default=None, help="default: the deck's min_steps")
    p.add_argument("--equiv-steps", type=int, default=500)
    p.add_argument("--mpi", action="store_true", help="also 2 ranks: LAMMPS's grid vs processors * * 1")
    args = p.parse_args()

    from run import PAPER_BLEND, cli_study

    study = cli_study(["pack", "--blend", PAPER_BLEND, "--n", str(args.n), "--replicates", "1"])
    deck = study.deck(0)
    d = deck.bed.diameters_um
    work = Path(tempfile.mkdtemp(prefix="sigdem-neigh-"))
    try:
        base = runners.render(deck, work / "base")
        src = base.fn("in.lmp").read_text()
        v = RunRecord.read(base).variables
        steps = args.steps or v["min_steps"] + 10000
        names = args.variants.split(",")
        print(f"paper blend, {deck.bed.n} particles, d = {d.min():.3g}-{d.max():.3g} µm, skin {v['skin']:.4g} µm, "
              f"dt {v['dt']:.4g} µs; multi classes (upper d, µm): "
              f"{', '.join(f'{c:.3g}' for c in intervals(d.min(), d.max()))}; load {harness.loadavg()[0]:.2f}")

        # 1. equivalence, from the bed after equiv_from steps of the template deck
        start = args.equiv_from if args.equiv_from is not None else v["min_steps"]
        pre = work / "equiv-start"
        shutil.copytree(base.path, pre)
        (pre / "in.lmp").write_text(src.split("# fall, then run")[0] + f"run {start}\nwrite_data start.data nocoeff\n")
        lmp(pre, 1)
        frames = {}
        for name in names:  # the same start (positions, velocities, spins; no contact history) for all
            f = work / f"equiv-{name}"
            shutil.copytree(base.path, f)
            shutil.copy(pre / "start.data", f / "start.data")
            head = variant_text(src, name, d.min(), d.max(), check="no").split("# fall, then run")[0]
            (f / "in.lmp").write_text(head + f"run {args.equiv_steps}\nwrite_dump all custom final.dump id x y z fx fy fz "
                                      "tqx tqy tqz c_coord modify sort id format float %.17g\n")
            lmp(f, 1, datafile="start.data")
            frames[name] = read_last_frame(f / "final.dump").data
        ref = frames[names[0]]
        print(f"\n1. equivalence after {start} + {args.equiv_steps} steps, lists rebuilt every step "
              f"({int(ref['c_coord'].sum()) // 2} contacts):")
        for name in names[1:]:
            o = frames[name]
            same = bool((ref["c_coord"].to_numpy() == o["c_coord"].to_numpy()).all())
            df = np.abs(ref[["fx", "fy", "fz"]].to_numpy() - o[["fx", "fy", "fz"]].to_numpy()).max()
            dt = np.abs(ref[["tqx", "tqy", "tqz"]].to_numpy() - o[["tqx", "tqy", "tqz"]].to_numpy()).max()
            dx = np.abs(ref[["x", "y", "z"]].to_numpy() - o[["x", "y", "z"]].to_numpy()).max()
            print(f"   {name:12s} vs {names[0]}: contacts per particle identical: {same}; "
                  f"max |dF| / max |F| = {df / np.abs(ref[['fx', 'fy', 'fz']].to_numpy()).max():.1e}; "
                  f"max |dT| / max |T| = {dt / np.abs(ref[['tqx', 'tqy', 'tqz']].to_numpy()).max():.1e}; "
                  f"max |dx| = {dx:.1e} µm")

        # 2. timing from the poured start
        runs = [(name, 1) for name in names]
        if args.mpi:
            runs += [("bin", 2), ("bin-xy", 2), ("multi-xy", 2)]
        print(f"\n2. timing: {steps} steps from the poured start, {args.repeats} interleaved repeats "
              "(CPU and wall s; LAMMPS sections s; builds; ghosts on rank 0)")
        results: dict = {}
        for rep in range(args.repeats):
            for name, ranks in runs:
                f = work / f"time-{name}-{ranks}-{rep}"
                shutil.copytree(base.path, f)
                (f / "in.lmp").write_text(variant_text(src, name, d.min(), d.max()))
                lb = harness.loadavg()[0]
                t = lmp(f, ranks, min_steps=steps, max_steps=steps)
                b = breakdown(f / "log.lammps")
                results.setdefault((name, ranks), []).append((t, b))
                print(f"   {name:12s} {ranks} rank(s) rep {rep}: wall {t.wall_s:6.1f} cpu {t.cpu_s:6.1f} loop {t.loop_s:6.1f}  "
                      + " ".join(f"{k} {b[k]:.1f}" for k in ("Pair", "Neigh", "Comm", "Modify"))
                      + f"  builds {b['builds']} (dangerous {b['dangerous']}) ghosts {b['ghosts']:.0f}  load {lb:.2f}",
                      flush=True)
        base_loop = min(t.loop_s for t, _ in results[(names[0], 1)])
        print("\n   best loop time per variant, relative to", names[0])
        for (name, ranks), rs in results.items():
            best = min(t.loop_s for t, _ in rs)
            print(f"   {name:12s} {ranks} rank(s): {best:6.1f} s  x{best / base_loop:.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
