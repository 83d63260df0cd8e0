"""Unloading stiffness of mdr's yielded contacts (LAMMPS gran_sub_mod_normal.cpp, plastic branch) from the
geometry of a dump frame, and the explicit step it allows: k = 2 E_eff a / D, with
D = 1 + deltaR / deltae1Dmax (the factor mdr divides an unloading by), and dt_crit = 2 sqrt(m / sum k)."""
import sys
import numpy as np
from scipy.spatial import cKDTree

E, NU, Y = 2e5, 0.3, 1e3
EEFF = E / (1 - NU**2); G = E / (2 * (1 + NU))

def factor_D(h, R):
    """mdr's D for a side of max overlap h on apparent radius R (cA neglected)."""
    pY = Y * (1.75 * np.exp(-4.4 * h / R) + 1.0)
    a = np.sqrt(np.clip(2 * h * R - h * h, 1e-30, None))
    A = 4 * pY * a / EEFF
    Fmax = EEFF * A * 2 * a / 4 * np.pi / 2
    zR = R - (h - A / 2)
    s = np.sqrt(a * a + zR * zR)
    dR = (2 * a * a * (NU - 1) - (2 * NU - 1) * zR * (-zR + s)) * Fmax / (2 * np.pi * a * a * G * s)
    return 1 + dR / (A / 2), a

folder, dt = sys.argv[1], float(sys.argv[2])
ztop = dict(np.loadtxt(f"{folder}/diag_ztop.txt", comments="#"))
blocks = open(f"{folder}/diag.dump").read().split("ITEM: TIMESTEP\n")[1:]
print("step  D_min(pair) D_min(wall) n(D<0.05)  min dt_crit/dt")
for block in blocks[-int(sys.argv[3]):]:
    rows = block.splitlines(); step = int(rows[0]); n = int(rows[2])
    lx = [float(v) for v in rows[4].split()]
    a_ = np.array([r.split() for r in rows[8:8 + n]], float)
    r, m, x, y, z = a_[:, 1], a_[:, 2], a_[:, 3], a_[:, 4], a_[:, 5]
    side = lx[1] - lx[0]
    pts = np.c_[x % side, y % side, z]
    i, j = np.array(sorted(cKDTree(pts, boxsize=[side, side, 1e5]).query_pairs(2 * r.max()))).T
    d = pts[j] - pts[i]; d[:, :2] -= side * np.round(d[:, :2] / side)
    ov = r[i] + r[j] - np.linalg.norm(d, axis=1); c = ov > 0
    i, j, ov = i[c], j[c], ov[c]
    hi = ov * (ov - 2 * r[j]) / (2 * (ov - r[i] - r[j]))
    hi = np.where(hi / r[i] > 0.75, 0.75 * r[i], hi); hi = np.where((ov - hi) / r[j] > 0.75, ov - 0.75 * r[j], hi)
    hj = ov - hi
    Di, ai = factor_D(hi, r[i]); Dj, aj = factor_D(hj, r[j])
    kp = np.maximum(2 * EEFF * ai / np.maximum(Di, 1e-9), 2 * EEFF * aj / np.maximum(Dj, 1e-9))
    ksum = np.bincount(i, kp, n) + np.bincount(j, kp, n)
    zt = ztop[step]; Dw = []
    for h in (r - z, r - (zt - z)):
        cw = h > 0
        Dwall, aw = factor_D(h[cw], r[cw])
        ksum[cw] += 2 * EEFF * aw / np.maximum(Dwall, 1e-9); Dw.append(Dwall.min())
    dtc = 2 * np.sqrt(m / np.maximum(ksum, 1e-30))
    print(step, round(min(Di.min(), Dj.min()), 4), round(min(Dw), 4), int((Di < 0.05).sum() + (Dj < 0.05).sum()),
          round(dtc.min() / dt, 2))
