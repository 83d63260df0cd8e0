"""Find the first frame of the KE spike in spk/a.*.dump and what changed on the fastest particle."""
import glob, re, sys
import numpy as np

files = sorted(glob.glob("spk/a.*.dump"), key=lambda f: int(re.findall(r"\.(\d+)\.dump", f)[0]))
lo, hi = (int(x) for x in sys.argv[1:3]) if len(sys.argv) > 2 else (0, 10**12)
prev = None
for f in files:
    step = int(re.findall(r"\.(\d+)\.dump", f)[0])
    if step < lo or step > hi:
        continue
    a = np.loadtxt(f, skiprows=9)
    a = a[np.argsort(a[:, 0])]
    v2 = (a[:, 7:10] ** 2).sum(1)
    ke = 0.5 * a[:, 3] * v2
    k = int(np.argmax(ke))
    line = f"{step} KE {ke.sum():10.4g} max {ke[k]:10.4g} id {int(a[k,0])} r {a[k,2]:.6f} coord {int(a[k,13])} |f| {np.linalg.norm(a[k,10:13]):.4g}"
    if prev is not None:
        dr = a[:, 2] - prev[:, 2]
        j = int(np.argmax(np.abs(dr)))
        line += f"  max|dr| {dr[j]:.3g} (id {int(a[j,0])}, r0 {(3*a[j,3]/(4*np.pi*2.26))**(1/3):.4f})  n(dr>0) {(dr>1e-12).sum()}"
    print(line)
    prev = a
