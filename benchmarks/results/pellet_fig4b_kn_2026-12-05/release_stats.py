"""How each release went, from the run folders (not committed): per pellet folder and target, the held state
(targets.txt: step, height, kinetic energy) and the end of the release (branch_<k>_released.txt: step, height,
kinetic energy, guard), the release's length in steps and the height's growth. Usage: python release_stats.py <root>"""
import sys
from pathlib import Path
import pandas as pd


def table(path: Path) -> pd.DataFrame:
    lines = path.read_text().splitlines()
    return pd.DataFrame([l.split() for l in lines[1:] if l.strip()], columns=lines[0].lstrip("# ").split()).astype(float)


rows = []
for folder in sorted(Path(sys.argv[1]).glob("pellet_cell_mdr-*")):
    n = next(int(l.split()[0]) for l in (folder / "start.data").open() if l.strip().endswith(" atoms"))
    held = table(folder / "targets.txt").set_index("k")
    for f in sorted(folder.glob("branch_*_released.txt")):
        r = table(f)
        if not len(r):
            continue
        r = r.iloc[-1]
        h = held.loc[r["k"]]
        rows.append({"folder": folder.name, "particles": n, "target_mpa": h["target"] / 10.0,  # sim kPa = MPa x 1000 x 0.01 "held_step": int(h["step"]),
                     "release_steps": int(r["step"] - h["step"]), "ztop_held_um": h["ztop"], "ztop_released_um": r["ztop"],
                     "growth": r["ztop"] / h["ztop"] - 1.0, "ke_held": h["ke"], "ke_released": r["ke"], "guard": int(r["guard"])})
pd.set_option("display.width", 250)
print(pd.DataFrame(rows).to_string(index=False, float_format="%.5g"))
