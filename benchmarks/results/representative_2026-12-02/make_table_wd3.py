"""The README's representative table with WD-SiG's 3 replicates (collects only, runs nothing):

    python make_table_wd3.py <root with the WD-SiG 8-D99 folders>

SiG's 3 replicates were run that morning on another machine whose folders are gone: their means and 95 % CIs
(comparison.csv, 3 replicates) and size-class means (sig_summary.txt) are read from this folder's committed output
of make_table.py; compare_blends needs only each side's means and CIs, so the verdicts are those make_table.py would
give with the folders. WD-SiG: `sigdem calender --blend large=0.5,small=0.5` (replicates 0 and 1 on 1 rank each,
replicate 2 on 2 ranks). Writes comparison_wd3.csv and prints the tables (make_table_wd3_output.txt).
"""
import io
import math
import sys
from pathlib import Path

import pandas as pd

from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import CollectOnly
from sigdem.studies.calendering import LONG_SCHEDULE, CalenderingStudy  # the phases these runs had
from sigdem.studies.calendering_analysis import compare_blends
from sigdem.studies.calendering_run import run_calendering

HERE = Path(__file__).resolve().parent
Q = {"wall_pressure_mpa": ("wall pressure (MPa)", "%.3g"), "median_force_mN": ("median contact force (mN)", "%.3g"),
     "p99_force_mN": ("p99 contact force (mN)", "%.3g"), "max_force_mN": ("max contact force (mN)", "%.3g"),
     "max_force_sim_mN": ("max force as simulated, softened (mN)", "%.3g"),
     "film_at_risk_fraction": ("Si-film share at risk", "%.2f"), "mean_sigma_c_mpa": ("mean particle stress (MPa)", "%.3g")}
PAPER = {("max_force_mN", 1.75): "2.21 SiG, 1.39 WD-SiG", ("median_force_mN", 1.3): "SiG >= 3x WD-SiG"}


class CommittedSiG:
    """SiG's replicate means and CIs as committed (compare_blends reads only summary())."""

    def summary(self) -> pd.DataFrame:
        t = pd.read_csv(HERE / "comparison.csv")
        wide = t.pivot(index="target_density_g_cc", columns="quantity", values="SiG")
        ci = t.pivot(index="target_density_g_cc", columns="quantity", values="SiG_ci95").add_suffix("_ci95")
        return pd.concat([wide, ci], axis=1).reset_index()


def sig_size_classes() -> pd.DataFrame:
    lines = (HERE / "sig_summary.txt").read_text().splitlines()
    i = next(k for k, line in enumerate(lines) if line.strip().startswith("n_particles"))
    rows = [" ".join(line.split()) for line in lines[i + 2:] if line.strip() and not line.startswith(" ")][:6]
    return pd.read_csv(io.StringIO("\n".join(rows)), sep=" ", header=None,
                       names=["size_class"] + lines[i].split()).set_index("size_class")


def f(v, c, fmt):
    return (fmt % v) + ("" if not math.isfinite(c) else " ± " + (fmt % c))


def main(root: str) -> None:
    wd = run_calendering(CalenderingStudy(blend_from_text("large=0.5,small=0.5", paper_grades()), **LONG_SCHEDULE), root, CollectOnly())
    cmp = compare_blends(CommittedSiG(), wd, ("SiG", "WD-SiG"), tuple(Q))
    cmp.to_csv(HERE / "comparison_wd3.csv", index=False)
    lines = ["| density | quantity | SiG | WD-SiG | SiG − WD-SiG | paper |", "|---|---|---|---|---|---|"]
    for rho in (1.3, 1.5, 1.75):
        for key, (name, fmt) in Q.items():
            r = cmp[(cmp.target_density_g_cc == rho) & (cmp.quantity == key)]
            if r.empty:
                continue
            r = r.iloc[0]
            lines.append(f"| {rho:g} | {name} | {f(r['SiG'], r['SiG_ci95'], fmt)} | {f(r['WD-SiG'], r['WD-SiG_ci95'], fmt)}"
                         f" | {f(r['difference'], r['difference_ci95'], fmt)} ({r['verdict']}) | {PAPER.get((key, rho), '')} |")
    sb = wd.springback()
    lines.append(f"| after release | springback | 0.026 ± 0.012 (n=3, committed) | {sb.mean:.3f}"
                 + (f" ± {sb.ci95:.3f}" if math.isfinite(sb.ci95) else "") + f" (n={sb.n}) | | SiG > WD-SiG |")
    print("\n".join(lines), "\n")
    t = wd.size_classes
    b = t[t["target_density_g_cc"] == 1.75].groupby("size_class")[["n_particles", "fn_median_mN", "fn_p99_mN",
                                                                    "fn_max_mN"]].mean()
    a = sig_size_classes()
    rows = ["| size class (µm) | SiG particles | SiG median / p99 / max force (mN) | WD-SiG particles | "
            "WD-SiG median / p99 / max force (mN) |", "|---|---|---|---|---|"]
    order = ["0-8", "8-12", "12-16", "16-22", "22-30", "30-40", "40-60", "all"]
    for cls in [c for c in order if c in a.index or c in b.index] + sorted((set(a.index) | set(b.index)) - set(order)):
        cells = []
        for tab in (a, b):
            if cls not in tab.index:
                cells += ["-", "-"]
                continue
            x = tab.loc[cls]
            cells += [f"{x.n_particles:.0f}", f"{x.fn_median_mN:.2f} / {x.fn_p99_mN:.1f} / {x.fn_max_mN:.1f}"]
        rows.append(f"| {cls} | " + " | ".join(cells) + " |")
    print("\n".join(rows), "\n")
    print("WD-SiG fracture-free:", wd.fracture_free("film").describe("Si-film strain"), "| unload:",
          list(wd.replicates["unload"]))
    print(wd.replicates[["replicate", "settled_density_g_cc", "first_contact_density_g_cc", "springback"]].to_string(index=False))
    print(cmp.to_string(index=False, float_format="%.4g"))


if __name__ == "__main__":
    main(sys.argv[1])
