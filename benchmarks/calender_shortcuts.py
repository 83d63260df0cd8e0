"""Convergence of a shorter calendering schedule (issues "speed" and "reproduce"): the default run's time.

The calendering part was half of the default ``sigdem reproduce`` (benchmarks/results/reproduce_default_2026-12-02/
timing.txt). Three of its phases were fixed lengths chosen generously, not proven needed (LONG_SCHEDULE):

    resettle_time_factor  free-fall times of the Hertz release of the binder stand-in before mdr (10)
    hold_steps            mdr steps the wall holds the last (highest) density before lifting (5,000)
    relax_steps           mdr steps the bed relaxes after the wall stopped pressing (20,000)

This runs the default scale's calendering studies (SiG and WD-SiG, mdr, 4 largest diameters, 3 replicates:
:func:`sigdem.studies.reproduce.plan_reproduction`) with all three shortened at once (the options; their
defaults are MDR_SCHEDULE: 5, 2,000, 5,000) on the same settled beds and compares them with LONG_SCHEDULE, as
``benchmarks/calender_numerics.py`` does: per blend, target density and quantity the Welch difference of the
replicate means (a "resolved" difference is one the replicates can see) and the mean paired difference over
the same beds with its CI; the springback too. The long-schedule folders are reused when ``--root`` holds them (a
``sigdem reproduce`` run root from before MDR_SCHEDULE, e.g. the one of reproduce_default_2026-12-02).

    python benchmarks/calender_shortcuts.py --root <reproduce root> --workers 2 --out calender_shortcuts.csv

The lift's end relative to the bed's weight (MDR_SCHEDULE's ``lift_release_weight_fraction`` 0.1) was checked
against the lift ending on the held force only, on the beds of that run root (calender_release_2026-12-02):

    python benchmarks/calender_shortcuts.py --root <root> --baseline mdr --lift-release-weight-fraction 0.1

calender_shortcuts_2026-12-02 and calender_shortcuts_tail_2026-12-02 were run before it: collect them with
``--lift-release-weight-fraction 0``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from calender_numerics import compare_variants  # noqa: E402

from sigdem.run.child import run_pool  # noqa: E402
from sigdem.run.runners import CollectOnly  # noqa: E402
from sigdem.studies.calendering import LONG_SCHEDULE, MDR_SCHEDULE  # noqa: E402
from sigdem.studies.calendering_run import run_calendering, run_replicate_job  # noqa: E402
from sigdem.studies.reproduce import plan_reproduction  # noqa: E402


#: What the variant is compared with: LONG_SCHEDULE (the check of MDR_SCHEDULE's phases) or MDR_SCHEDULE with the
#: lift ending on the held force only (``mdr``: the check of its lift end relative to the bed's weight,
#: calender_release_2026-12-02). Column names of the comparison, per baseline.
BASELINES = {"long": (LONG_SCHEDULE, ("short", "long")),
             "mdr": ({**MDR_SCHEDULE, "lift_release_weight_fraction": 0.0}, ("variant", "default"))}


def schedules(short: dict, baseline: str = "long") -> dict[str, dict]:
    """The default reproduce scale's calendering studies, per blend: the baseline and the variant (``short``)."""
    plan = plan_reproduction("small")
    base = BASELINES[baseline][0]
    return {name: {"long": replace(st, **base), "short": replace(st, **short)}
            for name, st in plan.calendering.items()}


def compare(a, b, blend: str, names: tuple[str, str] = ("short", "long")) -> pd.DataFrame:
    """variant - baseline: Welch and paired, per target and quantity, p99 per size class, springback."""
    t = compare_variants(a, b, names)
    return t[t["verdict"] != "no replicates"].assign(blend=blend)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default="sigdem-runs")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--resettle-time-factor", type=float, default=MDR_SCHEDULE["resettle_time_factor"])
    p.add_argument("--hold-steps", type=int, default=MDR_SCHEDULE["hold_steps"])
    p.add_argument("--relax-steps", type=int, default=MDR_SCHEDULE["relax_steps"])
    p.add_argument("--lift-tail-speed", type=float, default=MDR_SCHEDULE["lift_tail_speed_m_s"],
                   help="m/s; 0 (the default): one lift speed throughout; 0.4 was calender_shortcuts_tail_2026-12-02")
    p.add_argument("--lift-release-weight-fraction", type=float,
                   default=MDR_SCHEDULE["lift_release_weight_fraction"],
                   help="the lift also ends once the wall's force is this share of the bed's weight (0: off)")
    p.add_argument("--baseline", choices=sorted(BASELINES), default="long",
                   help="compare with LONG_SCHEDULE (the check of MDR_SCHEDULE) or with MDR_SCHEDULE")
    p.add_argument("--collect", action="store_true", help="only gather finished folders")
    p.add_argument("--out", default="calender_shortcuts.csv")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    short = {"resettle_time_factor": args.resettle_time_factor, "hold_steps": args.hold_steps,
             "relax_steps": args.relax_steps, "lift_tail_speed_m_s": args.lift_tail_speed,
             "lift_release_weight_fraction": args.lift_release_weight_fraction}
    runs = schedules(short, args.baseline)
    base, names = BASELINES[args.baseline]
    print(f"{names[0]} schedule: {short}; {names[1]}: {base}")
    if not args.collect:
        # every replicate of both blends and both schedules in one pool, the larger blend first (finished ones reused)
        jobs = [(st, k, args.root, None) for name in sorted(runs, key=lambda n: n != "WD-SiG")
                for st in (runs[name]["short"], runs[name]["long"]) for k in range(st.replicates)]
        t0 = time.perf_counter()
        run_pool(run_replicate_job, jobs, args.workers, label="calendering replicates")
        print(f"pool wall time {time.perf_counter() - t0:.0f} s ({args.workers} workers)")
    tables = []
    for name, pair in runs.items():
        a, b = (run_calendering(pair[s], args.root, CollectOnly()) for s in ("short", "long"))
        t = compare(a, b, name, names)
        tables.append(t)
        resolved = t[t["verdict"] == "resolved"]
        print(f"\n== {name}: {names[0]} vs {names[1]} schedule: {len(resolved)} of {len(t)} differences resolved at 95 %")
        print(t[["target_density_g_cc", "quantity", *names, "difference", "difference_ci95",
                 "paired_difference", "paired_ci95", "verdict"]].to_string(index=False, float_format="%.4g"))
        print(f"springback per replicate ({', '.join(names)}):",
              list(zip(a.replicates["springback"].round(4), b.replicates["springback"].round(4))))
    pd.concat(tables, ignore_index=True).to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
