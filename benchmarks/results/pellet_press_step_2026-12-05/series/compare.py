"""The default series three ways on one bed (settle-191d499e01964d50): all at 0.04, all at 0.16, and the new
default (approach at 0.16, hold/record/release at 0.04). Rows from sigdem's own analysis of each folder."""
import glob
import sys
from pathlib import Path

import pandas as pd

from sigdem.io.folder import RunFolder
from sigdem.studies.pellet_analysis import analyse_replicate

runs = {"all 0.04": sys.argv[1], "all 0.16": sys.argv[2], "0.16 + 0.04": sys.argv[3]}
out = []
for name, root in runs.items():
    settle = RunFolder(Path(glob.glob(f"{root}/settle-*")[0]))
    pellet = RunFolder(Path(glob.glob(f"{root}/pellet_cell_mdr-*")[0]))
    for r in analyse_replicate(settle, pellet, contact_is_mdr=True):
        out.append({"run": name, "MPa": round(r["target_pressure_mpa"], 1), "held": r["held"],
                    "sf_loaded": r["solid_fraction_loaded"], "median_mN": r["median_force_mN"],
                    "p99_mN": r["p99_force_mN"], "springback_%": 100 * r.get("springback_height", float("nan")),
                    "same_as": r.get("same_pellet_as_mpa")})
t = pd.DataFrame(out)
pd.set_option("display.width", 200)
print(t.to_string(index=False, float_format="%.5g"))
base = t[t["run"] == "all 0.04"].set_index("MPa")
for name in ("all 0.16", "0.16 + 0.04"):
    o = t[t["run"] == name].set_index("MPa")
    print(f"\n{name} against all 0.04:")
    print(pd.DataFrame({"sf_loaded_rel": o["sf_loaded"] / base["sf_loaded"] - 1,
                        "median_rel": o["median_mN"] / base["median_mN"] - 1,
                        "p99_rel": o["p99_mN"] / base["p99_mN"] - 1,
                        "springback_diff_points": o["springback_%"] - base["springback_%"]}).to_string(float_format="%.4f"))
