"""Whole-run and release seconds of interleave.sh's output, and each build's ratio to the first build of its round.

    python summary.py interleave.txt [more.txt ...]
"""
import re
import sys
from statistics import median

for path in sys.argv[1:]:
    rounds, cur = [], None
    for line in open(path):
        if line.startswith("== round"):
            cur = {}
            rounds.append(cur)
        m = re.match(r"(vec|hmr) (\w+): (.*)", line)
        if m and cur is not None:
            secs = [float(x) for x in re.findall(r"([\d.]+) s /", m.group(3))]
            cur[(m.group(1), m.group(2))] = (sum(secs), secs[-1])
    print(f"# {path}: seconds whole run / release; first build / this build, per round, then the median")
    names = list(dict.fromkeys(n for r in rounds for (_, n) in r))
    for k in ("vec", "hmr"):
        for n in names[1:]:
            whole = [r[(k, names[0])][0] / r[(k, n)][0] for r in rounds]
            rel = [r[(k, names[0])][1] / r[(k, n)][1] for r in rounds]
            print(f"{k} {names[0]} / {n}: whole run " + " ".join(f"{x:.3f}" for x in whole)
                  + f" (median {median(whole):.3f}); release " + " ".join(f"{x:.3f}" for x in rel)
                  + f" (median {median(rel):.3f})")
