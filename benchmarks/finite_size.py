"""Finite-size check of the representative calendering box (issue "calendering science", item 1).

Runs SiG and WD-SiG calendering with the study defaults (box = 8 x the blend's volume D99, mdr contacts) and
again in a box of twice the area (side x sqrt 2), then compares the headline quantities per density:
wall pressure, median and p99 contact force, mean particle stress and the Si-film at-risk share, each as
difference with its 95 % CI and a verdict (resolved / not resolved) from sigdem.studies.calendering_analysis.
compare_blends. The box is representative when no difference is resolved.

Cost (benchmarks/results/representative_calender.txt): ~2-5 h per replicate and box on one core today, so run
it where there are cores:

    python benchmarks/finite_size.py --replicates 3 --root /scratch/sigdem-runs --np 4
    python benchmarks/finite_size.py --replicates 3 --root /scratch/sigdem-runs --submit      # Slurm arrays
    python benchmarks/finite_size.py --replicates 3 --root /scratch/sigdem-runs --collect     # then the tables

``--other-side-dmax 4 --blends SiG`` compares the default box with one of 4 largest diameters instead (a quarter
of the area: cheap, and it bounds how fast the answers move with the box). Writes ``finite_size.csv`` (every
comparison) and prints the verdicts.
"""

from __future__ import annotations

import argparse
import logging
import math
from dataclasses import replace

import pandas as pd

from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import CollectOnly, Executable
from sigdem.studies.calendering import LONG_SCHEDULE, CalenderingStudy
from sigdem.studies.calendering_run import run_calendering
from sigdem.studies.calendering_analysis import compare_blends

BLENDS = {"SiG": "small=1.0", "WD-SiG": "large=0.5,small=0.5"}
QUANTITIES = ("wall_pressure_mpa", "median_force_mN", "p99_force_mN", "mean_sigma_c_mpa", "film_at_risk_fraction")


def studies(replicates: int, other_side_dmax: float | None = None, blends=tuple(BLENDS)) -> dict[tuple[str, str], CalenderingStudy]:
    """Each blend at its default box and at the other box: twice the area by default, or ``other_side_dmax``
    largest diameters wide (e.g. 4: a quarter of the area, the box of benchmarks/calender_numerics.py)."""
    out = {}
    for name in blends:
        # the schedule these results were run with (finite_size_2026-12-02), before MDR_SCHEDULE became the default
        base = CalenderingStudy(blend_from_text(BLENDS[name], paper_grades()), replicates=replicates, **LONG_SCHEDULE)
        out[(name, "default")] = base
        side = (base.side_um * math.sqrt(2.0) if other_side_dmax is None
                else float(round(other_side_dmax * base.largest_diameter_um)))
        out[(name, "other")] = replace(base, side_um=side)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=3)
    p.add_argument("--root", default="sigdem-runs")
    p.add_argument("--np", type=int, default=1, help="MPI ranks per LAMMPS run")
    p.add_argument("--workers", type=int, default=1, help="replicates run at once (each with --np ranks)")
    p.add_argument("--submit", action="store_true", help="submit every study as Slurm arrays (sigdem.hpc)")
    p.add_argument("--collect", action="store_true", help="only gather finished folders")
    p.add_argument("--out", default="finite_size.csv")
    p.add_argument("--other-side-dmax", type=float, default=None,
                   help="compare with a box this many largest diameters wide (default: twice the default area)")
    p.add_argument("--blends", default=",".join(BLENDS), help="which blends (default: SiG,WD-SiG)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    blends = tuple(args.blends.split(","))
    runs = studies(args.replicates, args.other_side_dmax, blends)
    other = "2x_area" if args.other_side_dmax is None else f"side_{args.other_side_dmax:g}_dmax"
    if args.submit:
        from sigdem.cli.cluster import submit_calendering

        for st in runs.values():
            submit_calendering(argparse.Namespace(root=args.root, profile=None, pretend=False), st)
        return 0
    runner = CollectOnly() if args.collect else Executable(ranks=args.np)
    results = {key: run_calendering(st, args.root, runner, workers=args.workers) for key, st in runs.items()}
    tables = []
    for name in blends:
        t = compare_blends(results[(name, "default")], results[(name, "other")], ("default", other), QUANTITIES)
        tables.append(t.assign(blend=name, side_um=runs[(name, "default")].side_um,
                               other_side_um=runs[(name, "other")].side_um))
    table = pd.concat(tables, ignore_index=True)
    table = table[table["verdict"] != "no replicates"]  # targets below the settled bed: nothing pressed
    table.to_csv(args.out, index=False)
    print(table.to_string(index=False, float_format="%.4g"))
    resolved = table[table["verdict"] == "resolved"]
    print(f"\n{len(resolved)} of {len(table)} default-vs-{other} differences resolved at 95 %"
          + ("" if resolved.empty else ": " + ", ".join(f"{r.blend} {r.quantity} at {r.target_density_g_cc:g}"
                                                    for r in resolved.itertuples())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
