"""Benchmark: packing estimators on a 66-point ternary grid of the paper's grades.

Target: the whole grid (statistics, Farr-Groot and Desmond-Weeks for each of
the 66 blends) in well under 1 s. Prints the best of several repeats and its
ratio to the 1 s target (< 1 is within target). Run:

    PYTHONPATH=. python benchmarks/bench_psd.py
"""

from __future__ import annotations

import time

from sigdem.psd import blend_from_fractions, paper_grades, sample_particles, ternary_packing

TARGET_S = 1.0
REPEATS = 5


def best_time(func, repeats: int = REPEATS) -> float:
    """Shortest wall time (s) of ``repeats`` calls of ``func``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    grades = paper_grades()
    table = ternary_packing(grades, 0.1)  # warm-up, and a sanity line
    grid_s = best_time(lambda: ternary_packing(grades, 0.1))
    phis = [row.farr_groot for row in table]
    print(f"ternary grid 66 points (stats + Farr-Groot + Desmond-Weeks): {grid_s:.3f} s"
          f" = {grid_s / TARGET_S:.2f} x the {TARGET_S:g} s target"
          f" (Farr-Groot range {min(phis):.4f}..{max(phis):.4f})")
    blend = blend_from_fractions(grades, large=0.5, small=0.5)
    sample_s = best_time(lambda: sample_particles(blend, n=100_000, seed=1), repeats=3)
    print(f"sample_particles 100,000 particles: {sample_s:.3f} s (informational)")


if __name__ == "__main__":
    main()
