"""Springback, loaded solid fraction and forces of the default cell (fill 60 um) against the cell twice as tall (fill
120 um), every bed with the cell's numerics since 5 Dec 2026, read from the runs' own output:
  default, replicate 0: ../pellet_press_step_2026-12-05/series/stdout.txt (`sigdem pellet`, the whole series);
  default, replicates 1, 2: fill60_rep1/, fill60_rep2/ here (run_bed.py);
  taller, replicates 0, 1: ../pellet_press_step_2026-12-05/taller_cell/ and taller_cell/rep1/ (run_tall.py).
Mean and 95 % CI over beds (sigdem.stats.mean_ci); the difference's CI adds the two in quadrature.
Usage: python summary.py > summary.txt"""
import math
from pathlib import Path
import pandas as pd
from sigdem.stats import mean_ci

HERE = Path(__file__).parent
STEP = HERE.parent / "pellet_press_step_2026-12-05"
COLS = ["target_pressure_mpa", "solid_fraction_loaded", "median_force_mN", "p99_force_mN", "springback_height"]


def record_table(path: Path) -> pd.DataFrame:
    """The last table run_bed.py / run_tall.py print (record, pressure, ..., springback, disturbed)."""
    lines = path.read_text().splitlines()
    start = max(i for i, l in enumerate(lines) if l.split()[:2] == ["record", "target_pressure_mpa"])
    head = lines[start].split()
    rows = [l.split()[1:] for l in lines[start + 1:] if l.strip()]
    t = pd.DataFrame(rows, columns=head)
    return t[COLS].astype(float)


def series_table(path: Path) -> pd.DataFrame:
    """`sigdem pellet`'s summary table (one replicate: the means are the bed's values); no forces there."""
    lines = path.read_text().splitlines()
    head = lines[0].split()
    rows = []
    for l in lines[1:]:
        f = l.split()
        if len(f) != len(head):
            break
        rows.append(f)
    t = pd.DataFrame(rows, columns=head)
    keep = ["target_pressure_mpa", "solid_fraction_loaded", "springback_height"]
    return t[keep].apply(pd.to_numeric, errors="coerce")


beds = {("default", 0): series_table(STEP / "series/stdout.txt"),
        ("default", 1): record_table(HERE / "fill60_rep1/stdout.txt"),
        ("default", 2): record_table(HERE / "fill60_rep2/stdout.txt"),
        ("taller", 0): record_table(STEP / "taller_cell/stdout.txt"),
        ("taller", 1): record_table(STEP / "taller_cell/rep1/stdout.txt")}
rows = []
for (cell, rep), t in beds.items():
    for _, r in t[t["target_pressure_mpa"] <= 60].iterrows():
        rows.append({"cell": cell, "replicate": rep, **r.to_dict()})
all_ = pd.DataFrame(rows)
pd.set_option("display.width", 200)
print(all_.to_string(index=False, float_format="%.5g"))
print()
for q in ["springback_height", "solid_fraction_loaded", "median_force_mN", "p99_force_mN"]:
    print(q)
    for mpa in sorted(all_["target_pressure_mpa"].unique()):
        t = all_[all_["target_pressure_mpa"] == mpa]
        e = {c: mean_ci(t.loc[t["cell"] == c, q].dropna().to_numpy()) for c in ("default", "taller")}
        d = e["default"].mean - e["taller"].mean
        ci = math.hypot(e["default"].ci95, e["taller"].ci95)
        rel = d / e["taller"].mean if e["taller"].mean else math.nan
        print(f"  {mpa:6.4g} MPa  default {e['default']}  taller {e['taller']}  default - taller {d:+.4g} ± {ci:.2g} "
              f"({rel:+.1%} of the taller)")
