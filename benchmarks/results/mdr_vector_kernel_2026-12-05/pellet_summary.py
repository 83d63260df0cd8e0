"""Pellet cell A/B (pellet_ab.txt): time per step of each kernel over all run sections (the servo's step counts
differ once the vector run's round-off has moved the bed), and the ratio stock / plugin per particle-step."""
import re
from pathlib import Path

runs = {}
for line in (Path(__file__).parent / "pellet_ab.txt").read_text().splitlines():
    if m := re.match(r"(\S+) np(\d) (granular|hmr|vec): (.*)", line):
        pairs = re.findall(r"([\d.]+) s / (\d+) steps", m.group(4))
        runs[(m.group(1), int(m.group(2)), m.group(3))] = (sum(float(t) for t, _ in pairs), sum(int(n) for _, n in pairs))
for (bed, np_, k), (t, n) in sorted(runs.items()):
    ref_t, ref_n = runs[(bed, np_, "granular")]
    print(f"{bed} np{np_} {k:8} {t:7.1f} s / {n:6d} steps = {1e3 * t / n:.3f} ms per step; stock / this "
          f"{(ref_t / ref_n) / (t / n):.2f}x per particle-step")
