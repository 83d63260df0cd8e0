"""Cell servo-force A/B (ab.txt): time per step of each variant over all run sections (the vector run's servo takes
other step counts once its round-off has moved the bed), the ratio stock / this per particle-step on the new deck,
and what the one-pass servo force saves the plugin (hmr_old / hmr: the previous deck, the same bits)."""
import re
from pathlib import Path

runs = {}
for line in (Path(__file__).parent / "ab.txt").read_text().splitlines():
    if m := re.match(r"(\S+) np(\d) (granular|hmr|vec|hmr_old): (.*)", line):
        pairs = re.findall(r"([\d.]+) s / (\d+) steps", m.group(4))
        runs[(m.group(1), int(m.group(2)), m.group(3))] = (sum(float(t) for t, _ in pairs), sum(int(n) for _, n in pairs))
for (bed, np_, k), (t, n) in sorted(runs.items()):
    ref_t, ref_n = runs[(bed, np_, "granular")]
    print(f"{bed} np{np_} {k:8} {t:7.1f} s / {n:6d} steps = {1e3 * t / n:.3f} ms per step; stock / this "
          f"{(ref_t / ref_n) / (t / n):.2f}x per particle-step")
for (bed, np_, k), (t, n) in sorted(runs.items()):
    if k == "hmr_old" and (bed, np_, "hmr") in runs:
        t1, n1 = runs[(bed, np_, "hmr")]
        print(f"{bed} np{np_} the plugin (libm) on the previous deck / on this one: {(t / n) / (t1 / n1):.3f}x per step")

# interleave.txt: per round, the previous deck's time over the new deck's (same kernel, same steps, same bits)
rounds = {}
for line in (Path(__file__).parent / "interleave.txt").read_text().splitlines():
    if m := re.match(r"round (\d+) (\w+) stress_sum (plugin|lammps): (.*)", line):
        pairs = re.findall(r"([\d.]+) s / (\d+) steps", m.group(4))
        rounds.setdefault(m.group(2), {}).setdefault(int(m.group(1)), {})[m.group(3)] = sum(float(t) for t, _ in pairs)
for kernel, by_round in rounds.items():
    ratios = sorted(r["lammps"] / r["plugin"] for r in by_round.values() if len(r) == 2)
    each = " ".join(f"{x:.3f}" for x in ratios)
    print(f"interleaved {kernel}: previous deck / new deck per round (sorted) {each}; median {ratios[len(ratios) // 2]:.3f}"
          f" ({len(ratios)} rounds)")
