"""2-rank speed-up over the LAMMPS run sections that took the same number of steps on 1 and 2 ranks (the two
trajectories differ by round-off and part ways, so whole-run times compare different work).
    python equal_sections.py <root 1 rank> <root 2 ranks>   (roots of `sigdem calender`, see run*.sh)"""
import glob
import re
import sys

LOOP = re.compile(r"^Loop time of ([0-9.e+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms", re.M)


def sections(root):
    out = []
    for f in sorted(glob.glob(root + "/*/log.lammps")):
        stage = f.split("/")[-2].split("-")[0]
        out += [(stage, int(m[3]), float(m[1])) for m in LOOP.finditer(open(f).read()) if int(m[3]) > 0]
    return out


one, two = sections(sys.argv[1]), sections(sys.argv[2])
t1 = t2 = 0.0
for stage in ("settle", "calender_mdr"):
    for a, b in zip([x for x in one if x[0] == stage], [x for x in two if x[0] == stage]):
        if a[1] == b[1]:
            t1, t2 = t1 + a[2], t2 + b[2]
            print(f"  {stage:13s} {a[1]:7d} steps  1 rank {a[2]:8.2f} s  2 ranks {b[2]:8.2f} s  {a[2] / b[2]:.2f}x")
print(f"  sections with equal step counts: 1 rank {t1:.1f} s, 2 ranks {t2:.1f} s, speed-up {t1 / t2:.2f}x")
