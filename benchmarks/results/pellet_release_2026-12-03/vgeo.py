import sys, numpy as np
a = np.loadtxt(sys.argv[1], skiprows=9); c = np.loadtxt(sys.argv[2], skiprows=9)
rad = {int(r[0]): r[2] for r in a}; mass = {int(r[0]): r[3] for r in a}
pid = int(sys.argv[3])
R = rad[pid]; Ro = (3 * mass[pid] / (4 * np.pi * 2.26)) ** (1 / 3)
vc = 0.0
for r in c:
    i, j = int(r[0]), int(r[1])
    if pid not in (i, j): continue
    o = j if i == pid else i
    ro = rad[o]; d = R + ro - r[2]
    den = 2 * (d - R - ro)
    mine = d * (d - 2 * ro) / den  # geometric share on pid's side
    vc += np.pi / 3 * mine**2 * (3 * R - mine)
    print(f"  {pid}-{o}: overlap {d:.4f} my side {mine:.4f} ({mine/R:.3f} R) fn {r[3]:.4g} area {r[-1]:.4g}")
V = 4 / 3 * np.pi * R**3
print(f"{pid}: R {R:.4f} Ro {Ro:.4f} V {V:.3f} Vo {4/3*np.pi*Ro**3:.3f} Vcaps {vc:.3f} Vgeo {V - vc:.3f}")
