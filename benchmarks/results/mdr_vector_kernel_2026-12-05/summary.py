"""Ratios stock / plugin (libm: hmr; vector math: vec) per case and round, from rounds.txt (LAMMPS loop times of
every run section, as rounds.sh printed them)."""
import re
import statistics
from collections import defaultdict
from pathlib import Path

rows = defaultdict(dict)
rnd = 0
for line in (Path(__file__).parent / "rounds.txt").read_text().splitlines():
    if m := re.match(r"== round (\d+)", line):
        rnd = int(m.group(1))
    elif m := re.match(r"(\S+) np(\d) (granular|hmr|vec): (.*)", line):
        bed, np_, kernel, rest = m.groups()
        rows[(bed, int(np_))].setdefault(rnd, {})[kernel] = [float(t) for t in re.findall(r"([\d.]+) s /", rest)]
    elif not line.startswith("==") and "byte-identical" not in line and "math vector" not in line:
        print("!!", line)
print(f"{'bed':7} {'ranks':5} {'kernel':6} {'all sections, per round':26} {'median':7} {'press, per round':26} "
      f"{'median':7}")
for (bed, np_), rounds in sorted(rows.items()):
    rounds = {n: r for n, r in rounds.items() if len(r) == 3}    # (a round still running)
    for k in ("hmr", "vec"):
        whole = [sum(r["granular"]) / sum(r[k]) for _, r in sorted(rounds.items())]
        press = [r["granular"][1] / r[k][1] for _, r in sorted(rounds.items())]
        print(f"{bed:7} {np_:<5} {k:6} {' '.join(f'{x:.3f}' for x in whole):26} {statistics.median(whole):.3f}   "
              f"{' '.join(f'{x:.3f}' for x in press):26} {statistics.median(press):.3f}")
