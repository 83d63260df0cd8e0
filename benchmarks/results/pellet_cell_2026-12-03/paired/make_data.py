"""The paired runs' start: the settled 105 um SiG bed as the walled press read it (start.data, written by the
pellet folder of ../flattening/prep.py 0.08), its box top set 0.5 um above the highest particle top.

usage: python make_data.py START_DATA OUT  (then: lmp -in press.lmp -var mode cell|wall, OUT named cell.data)"""
import sys
import numpy as np

lines = open(sys.argv[1]).read().splitlines()
i0 = lines.index("Atoms # sphere") + 2
n = int(lines[2].split()[0])
a = np.array([ln.split() for ln in lines[i0:i0 + n]], float)
d, z = a[:, 2], a[:, 6]
top = (z + d / 2).max()
open(sys.argv[2], "w").write("\n".join(ln if "zlo zhi" not in ln else f"0 {top + 0.5} zlo zhi" for ln in lines) + "\n")
