import glob
import numpy as np
from pathlib import Path
from sigdem.io.logs import read_table
from sigdem.io.dumps import read_last_frame
for frac in (0.04, 0.08, 0.16):
    folder = Path(glob.glob(f"<work>/hyb/tc/f{frac}/pellet_cell_mdr-*")[0])
    t = read_table(folder / "targets.txt").set_index("k")
    out = []
    for k, row in t.iterrows():
        c = read_last_frame(folder / f"target_{int(k)}_contacts.dump")
        d = c.data
        b = d[["branch_x", "branch_y", "branch_z"]].to_numpy(float)
        fz = d["fn"].to_numpy(float) * b[:, 2] / np.linalg.norm(b, axis=1) + d["ft_z"].to_numpy(float)
        lx, ly, lz = (hi - lo for lo, hi in zip(c.box.lo, c.box.hi))
        p = float(np.sum(fz * b[:, 2])) / (lx * ly * lz)
        out.append(f"{p / row['pressure_top'] - 1:+.2e} (ke {row['ke']:.3g})")
    print(frac, out)
