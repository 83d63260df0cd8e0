"""Compare two pellet-cell series on the same bed: loaded density, steps and kinetic energy at each held target
(targets.txt), and the springback of each release branch (branch_<k>_start.txt -> branch_<k>_relaxed.txt, the
cell height's relative growth, as sigdem's springback_height). Run from this folder:
    python compare.py ../pellet_branches_2026-12-03/series_105 cell105_v04_g4
    python compare.py ../pellet_default_series_2026-12-04 default_v04_g1
"""

import sys
from pathlib import Path


def rows(path):
    return [line.split() for line in Path(path).read_text().splitlines() if line.strip() and not line.startswith("#")]


def targets(folder):
    # k step time ztop density pressure_top pressure_avg pressure_floor ke held target
    return {int(r[0]): dict(step=int(r[1]), density=float(r[4]), p=float(r[6]), ke=float(r[8]), held=int(r[9]))
            for r in rows(Path(folder) / "targets.txt")}


def springback(folder, k):
    start, relaxed = Path(folder) / f"branch_{k}_start.txt", Path(folder) / f"branch_{k}_relaxed.txt"
    if not (start.exists() and relaxed.exists()) or not rows(relaxed):
        return None
    return float(rows(relaxed)[0][3]) / float(rows(start)[0][2]) - 1.0


def main(ref, new):
    a, b = targets(ref), targets(new)
    print(f"reference: {ref}\nnew      : {new}")
    print("k  p_sim_kPa  steps(ref)  steps(new)  density(ref)  density(new)  diff_%   ke(ref)   ke(new)  "
          "springback_%(ref)  springback_%(new)")
    for k in sorted(set(a) & set(b)):
        sa, sb = springback(ref, k), springback(new, k)
        fmt = lambda x: "-" if x is None else f"{100 * x:.2f}"  # noqa: E731
        print(f"{k}  {b[k]['p']:9.1f}  {a[k]['step']:10d}  {b[k]['step']:10d}  {a[k]['density']:12.4f}  "
              f"{b[k]['density']:12.4f}  {100 * (b[k]['density'] / a[k]['density'] - 1):+6.2f}  {a[k]['ke']:8.1f}  "
              f"{b[k]['ke']:8.1f}  {fmt(sa):>17}  {fmt(sb):>17}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
