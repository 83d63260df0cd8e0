"""interleave.txt: per round and kernel, before / after, the whole run and the release section alone.
    python summary.py interleave.txt"""
import re
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)   # (kernel, old|new) -> [[seconds per section], ...] in round order
for line in open(sys.argv[1]):
    m = re.match(r"(vec|hmr) (old|new): (.*)", line)
    if m:
        runs[m.group(1), m.group(2)].append([float(s) for s in re.findall(r"([\d.]+) s /", m.group(3))])
for k in ("vec", "hmr"):
    whole = [sum(a) / sum(b) for a, b in zip(runs[k, "old"], runs[k, "new"])]
    release = [a[-1] / b[-1] for a, b in zip(runs[k, "old"], runs[k, "new"])]
    print(f"{k}: before / after, whole run {' '.join(f'{x:.3f}' for x in whole)} (median {statistics.median(whole):.3f}); "
          f"release {' '.join(f'{x:.3f}' for x in release)} (median {statistics.median(release):.3f})")
