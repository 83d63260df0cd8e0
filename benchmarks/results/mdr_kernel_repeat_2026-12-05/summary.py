"""Ratios stock / plugin per case and round from ab_rounds.txt (LAMMPS loop times of every section)."""
import re
import statistics
from collections import defaultdict
from pathlib import Path

rows = defaultdict(dict)
for line in (Path(__file__).parent / "ab_rounds.txt").read_text().splitlines():
    m = re.match(r"round (\d+): (\S+) np(\d) (granular|hmr): (.*)", line)
    if m:
        rnd, bed, np_, kernel, rest = m.groups()
        times = [float(t) for t in re.findall(r"([\d.]+) s /", rest)]
        rows[(bed, int(np_))].setdefault(int(rnd), {})[kernel] = times
    elif "byte-identical" not in line:
        print("!!", line)
print(f"{'bed':7} {'ranks':5} {'all sections, per round':34} {'median':7} {'press per round':28} {'median':7}")
for (bed, np_), rounds in sorted(rows.items()):
    whole = [sum(r["granular"]) / sum(r["hmr"]) for _, r in sorted(rounds.items())]
    press = [r["granular"][1] / r["hmr"][1] for _, r in sorted(rounds.items())]
    print(f"{bed:7} {np_:<5} {' '.join(f'{x:.3f}' for x in whole):34} {statistics.median(whole):.3f}   "
          f"{' '.join(f'{x:.3f}' for x in press):28} {statistics.median(press):.3f}")
