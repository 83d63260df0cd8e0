"""Per dump frame: the most flattened wall contacts (floor, top: overlap / apparent radius) and pair
contacts (mdr's one-sided overlap, sigdem.analysis.contacts.side_overlap_ratio) -- usage: analyse.py FOLDER"""
import sys
import numpy as np
from scipy.spatial import cKDTree
from sigdem.analysis.contacts import side_overlap_ratio

folder = sys.argv[1]
ztop = dict(np.loadtxt(f"{folder}/diag_ztop.txt", comments="#"))
lines = open(f"{folder}/diag.dump").read().split("ITEM: TIMESTEP\n")[1:]
print("step ztop floor_max top_max n_wall>0.9 pair_side_max pair_p99")
for block in lines[-int(sys.argv[2]) if len(sys.argv) > 2 else 0:]:
    rows = block.splitlines()
    step = int(rows[0]); n = int(rows[2])
    lx = [float(v) for v in rows[4].split()]; ly = [float(v) for v in rows[5].split()]
    a = np.array([r.split() for r in rows[8:8 + n]], float)
    r, x, y, z = a[:, 1], a[:, 3], a[:, 4], a[:, 5]
    zt = ztop.get(step, np.nan)
    df = (r - z) / r
    dt = (r - (zt - z)) / r
    side = lx[1] - lx[0]
    pts = np.c_[(x - lx[0]) % side, (y - ly[0]) % side, z]
    tree = cKDTree(pts, boxsize=[side, side, 1e5])
    pairs = np.array(sorted(tree.query_pairs(2 * r.max())))
    i, j = pairs.T
    d = pts[j] - pts[i]
    d[:, :2] -= side * np.round(d[:, :2] / side)
    dist = np.linalg.norm(d, axis=1)
    ov = r[i] + r[j] - dist
    c = ov > 0
    s = side_overlap_ratio(r[i][c], r[j][c], ov[c])
    print(step, round(zt, 3), round(df.max(), 3), round(dt.max(), 3), int((df > 0.9).sum() + (dt > 0.9).sum()),
          round(s.max(), 3), round(np.percentile(s, 99), 3))
