"""Scan diag_*.dump (mdr per-atom state) for the particle states that precede mdr's NaN."""
import glob, sys, math
import numpy as np

def read(path):
    with open(path) as f:
        lines = f.readlines()
    step = int(lines[1]); n = int(lines[3])
    box = [list(map(float, lines[5 + i].split())) for i in range(3)]
    cols = lines[8].split()[2:]
    a = np.loadtxt(lines[9:9 + n])
    return step, box, {c: a[:, i] for i, c in enumerate(cols)}

folder = sys.argv[1]
files = sorted(glob.glob(f"{folder}/diag_*.dump"), key=lambda p: int(p.split("_")[-1].split(".")[0]))
print("step lz minVgeo/Vo(id) maxVcaps/Vo(id) min_psi max_R/Ro(id) max|v|(id) max|f|(id) Velas/Vo_min")
for p in files:
    step, box, d = read(p)
    vo = 4 / 3 * math.pi * d["d_Ro"] ** 3
    g = d["d_Vgeo"] / vo; c = d["d_Vcaps"] / vo; rr = d["radius"] / d["d_Ro"]
    v = np.sqrt(d["vx"] ** 2 + d["vy"] ** 2 + d["vz"] ** 2); f = np.sqrt(d["fx"] ** 2 + d["fy"] ** 2 + d["fz"] ** 2)
    ids = d["id"].astype(int)
    i1, i2, i3, i4, i5 = g.argmin(), c.argmax(), rr.argmax(), v.argmax(), f.argmax()
    print(f"{step} {box[2][1]-box[2][0]:.4f} {g[i1]:.4f}({ids[i1]}) {c[i2]:.4f}({ids[i2]}) {d['d_psi'].min():.4f} "
          f"{rr[i3]:.4f}({ids[i3]}) {v[i4]:.3g}({ids[i4]}) {f[i5]:.3g}({ids[i5]}) {(d['d_Velas']/vo).min():.4f}")
