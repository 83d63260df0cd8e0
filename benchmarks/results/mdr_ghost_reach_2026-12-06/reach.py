"""How far mdr's apparent radii have grown in finished mdr run folders: per target dump, the largest pair's reach
2 r_max / d_max (d_max: the largest diameter as settled, the deck's d_max) and the largest r / r0 of any particle
(r0 from the particle's mass at graphite's 2.26 g/cc).
    python reach.py <run folder> [<run folder> ...]
"""
import sys
from pathlib import Path

import numpy as np

from sigdem.deck import RunRecord
from sigdem.io.dumps import read_last_frame
from sigdem.io.folder import RunFolder

for path in sys.argv[1:]:
    folder = RunFolder(Path(path))
    d_max = float(RunRecord.read(folder).variables["d_max"])
    dumps = sorted(folder.path.glob("target_*.dump"), key=lambda p: int(p.stem.split("_")[1]))
    for dump in [d for d in dumps if "contacts" not in d.name] + [folder.fn("unloaded.dump")]:
        a = read_last_frame(dump).data
        r0 = (a["mass"] / (4 / 3 * np.pi * 2.26)) ** (1 / 3)
        print(f"{folder.path.name} {dump.name:14s} particles {len(a)} d_max {d_max:.3f} "
              f"2 r_max / d_max {2 * a['radius'].max() / d_max:.4f} max r / r0 {(a['radius'] / r0).max():.3f}")
