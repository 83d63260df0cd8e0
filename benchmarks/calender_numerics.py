"""Convergence of the calendering numerics (issue "speed", item 4): which shortcuts leave the answers unchanged.

One set of settled beds of the small grade (SiG), pressed by the mdr calender stage under a *fast* set of
numerics and, one factor at a time, under the slow setting each shortcut replaces:

    fast          Hertz release of the binder stand-in (resettle_time_factor free-fall times at the Hertz step),
                  then mdr relaxes mdr_relax_time_factor = 1 free-fall time; mdr time step 0.16 sqrt(m/(kappa R));
                  wall 0.4 m/s
    mdr_resettle  no Hertz release: mdr re-settles 10 free-fall times (the previous default)
    dt_0.08       the LAMMPS manual's mdr time step, 0.08 sqrt(m/(kappa R))
    wall_0.1      a 4x slower wall, 0.1 m/s (the previous default)

Per target density and quantity (wall pressure, median and p99 contact force, p99 force of each size class,
mean particle stress, Si-film at-risk share) and for the springback after release, the difference fast - slow is reported two ways: with the
Welch 95 % CI of the two replicate means (sigdem.studies.calendering_analysis.compare_blends: a "resolved"
difference is one the replicates can see) and as the mean paired difference over the same beds with its
95 % CI (the numerics' own effect, bed noise removed). A shortcut is accepted when no Welch difference is
resolved; the paired difference says how large its bias is next to the replicate scatter.

    python benchmarks/calender_numerics.py --root /tmp/numerics --side-dmax 4 --replicates 3 --workers 2

The beds are ``--side-dmax`` largest diameters wide (default 4: 1,056 particles; the representative default
is 8) - stated in the output. Writes ``calender_numerics.csv`` (every comparison), prints the verdicts and
the inertial numbers of each variant.
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from sigdem.model.contact import MdrContact
from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import CollectOnly, Executable
from sigdem.stats import mean_ci
from sigdem.studies.calendering import LONG_SCHEDULE, CalenderingStudy, largest_diameter_um
from sigdem.studies.calendering_run import run_calendering
from sigdem.studies.calendering_analysis import compare_blends

QUANTITIES = ("wall_pressure_mpa", "median_force_mN", "p99_force_mN", "mean_sigma_c_mpa", "film_at_risk_fraction")


def variants(side_dmax: float, replicates: int) -> dict[str, CalenderingStudy]:
    blend = blend_from_text("small=1.0", paper_grades())
    side = float(round(side_dmax * largest_diameter_um(blend)))
    # the wall lifts at the stroke's speed in every variant (as these runs were made, before the study's lift
    # default became min(speed, 0.1 m/s) for mdr): wall_0.1 tests the lift speed too
    # with the phases these results were run with (LONG_SCHEDULE; MDR_SCHEDULE is calender_shortcuts.py's check)
    fast = CalenderingStudy(blend, side_um=side, replicates=replicates, speed_m_s=0.4, unload_speed_m_s=0.4,
                            mdr_relax_time_factor=1.0, contact=MdrContact(timestep_fraction=0.16), **LONG_SCHEDULE)
    return {"fast": fast,
            "mdr_resettle": replace(fast, resettle_time_factor=0.0, mdr_relax_time_factor=10.0),
            "dt_0.08": replace(fast, contact=MdrContact(timestep_fraction=0.08)),
            "wall_0.1": replace(fast, speed_m_s=0.1, unload_speed_m_s=0.1)}


def paired(a, b, quantity: str) -> pd.DataFrame:
    """Mean paired difference a - b over the same beds (replicate k of both), per target, with its 95 % CI."""
    ta = a.targets[a.targets["status"] == "ok"].set_index(["target_density_g_cc", "replicate"])[quantity]
    tb = b.targets[b.targets["status"] == "ok"].set_index(["target_density_g_cc", "replicate"])[quantity]
    d = (ta - tb).dropna()
    rows = []
    for rho, v in d.groupby(level=0):
        est = mean_ci(v.to_numpy(float))
        rows.append({"target_density_g_cc": rho, "quantity": quantity, "paired_difference": est.mean,
                     "paired_ci95": est.ci95})
    return pd.DataFrame(rows)


def size_class_p99(result) -> pd.DataFrame:
    """p99 contact force per size class, per target and replicate (mN), as targets-like rows."""
    sc = result.size_classes
    return sc[["target_density_g_cc", "replicate", "size_class", "fn_p99_mN"]].rename(columns={"fn_p99_mN": "p99_force_mN"})


def compare_variants(a, b, names: tuple[str, str]) -> pd.DataFrame:
    """a - b for two runs of the same beds: per target and quantity the Welch difference of the replicate means
    and the paired one, the p99 force per size class (Welch) and the springback (both; replicates that report
    none, e.g. stopped while lifting, left out). Columns named after ``names``."""
    t = compare_blends(a, b, names, QUANTITIES)
    t = t.merge(pd.concat([paired(a, b, q) for q in QUANTITIES], ignore_index=True),
                on=["target_density_g_cc", "quantity"], how="left")
    rows = []
    fa, fb = size_class_p99(a), size_class_p99(b)
    for (rho, cls), ga in fa.groupby(["target_density_g_cc", "size_class"]):
        gb = fb[(fb["target_density_g_cc"] == rho) & (fb["size_class"] == cls)]
        ea, eb = mean_ci(ga["p99_force_mN"].to_numpy(float)), mean_ci(gb["p99_force_mN"].to_numpy(float))
        rows.append(_row(rho, f"p99_force_mN[{cls}]", ea, eb, names))
    sa, sb = a.replicates["springback"].to_numpy(float), b.replicates["springback"].to_numpy(float)
    both = np.isfinite(sa) & np.isfinite(sb)
    ed = mean_ci(sa[both] - sb[both])
    rows.append(_row(np.nan, "springback", mean_ci(sa[np.isfinite(sa)]), mean_ci(sb[np.isfinite(sb)]), names,
                     paired_difference=ed.mean, paired_ci95=ed.ci95))
    return pd.concat([t, pd.DataFrame(rows)], ignore_index=True)


def _row(rho, quantity: str, ea, eb, names: tuple[str, str], **extra) -> dict:
    diff, ci = ea.mean - eb.mean, float(np.hypot(ea.ci95, eb.ci95))
    verdict = "no replicates" if not np.isfinite(ci) else "resolved" if abs(diff) > ci else "not resolved"
    return {"target_density_g_cc": rho, "quantity": quantity, names[0]: ea.mean, f"{names[0]}_ci95": ea.ci95,
            names[1]: eb.mean, f"{names[1]}_ci95": eb.ci95, "difference": diff, "difference_ci95": ci,
            "ratio": ea.mean / eb.mean if eb.mean else np.nan, "verdict": verdict, **extra}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=3)
    p.add_argument("--side-dmax", type=float, default=4.0, help="box side in largest diameters (8 = representative)")
    p.add_argument("--root", default="sigdem-runs")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--only", nargs="*", help="run only these variants (the rest are collected if present)")
    p.add_argument("--collect", action="store_true", help="only gather finished folders")
    p.add_argument("--out", default="calender_numerics.csv")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runs = variants(args.side_dmax, args.replicates)
    results, seconds = {}, {}
    for name, st in runs.items():
        if args.collect or (args.only and name not in args.only):
            try:
                results[name] = run_calendering(st, args.root, CollectOnly())
            except Exception as exc:  # noqa: BLE001 - a variant not run yet is reported, not fatal
                logging.warning("%s: not collected (%s)", name, exc)
            continue
        t0 = time.perf_counter()
        results[name] = run_calendering(st, args.root, Executable(), workers=args.workers)
        seconds[name] = time.perf_counter() - t0
    fast = results["fast"]
    st = runs["fast"]
    print(f"SiG beds: side {st.side_um:g} µm = {st.side_um / st.largest_diameter_um:.2g} largest diameters, "
          f"{args.replicates} replicates; wall seconds this run: {seconds}")
    tables = []
    for name, res in results.items():
        if name == "fast":
            continue
        t = compare_variants(fast, res, ("fast", name))
        t = t.rename(columns={name: "slow", f"{name}_ci95": "slow_ci95"}).assign(variant=name)
        t = t[t["verdict"] != "no replicates"]  # targets below the settled bed: nothing pressed, nothing to compare
        tables.append(t)
        resolved = t[t["verdict"] == "resolved"]
        print(f"\n== fast vs {name}: {len(resolved)} of {len(t)} differences resolved at 95 %")
        print(t[["target_density_g_cc", "quantity", "fast", "slow", "difference", "difference_ci95",
                 "paired_difference", "paired_ci95", "verdict"]].to_string(index=False, float_format="%.4g"))
    table = pd.concat(tables, ignore_index=True)
    table.to_csv(args.out, index=False)
    print("\ninertial number (max over replicates) per target:")
    inertia = pd.DataFrame({name: r.targets.groupby("target_density_g_cc")["inertial_number"].max()
                            for name, r in results.items()})
    print(inertia.to_string(float_format="%.3g"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
