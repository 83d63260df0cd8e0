"""Finite-size table of 2 Dec 2026: the calendering study's headline quantities in a box of 4 largest diameters
(volume D99) against the default 8 (4x the area), per blend, with the verdicts of benchmarks/finite_size.py
(sigdem.studies.calendering_analysis.compare_blends: difference of the replicate means with sqrt(ci_a² + ci_b²)).

    python make_table.py <root with the 4-D99 folders> <root with the 8-D99 WD-SiG folders>

Collects only (runs nothing). The 4-D99 beds are those of `sigdem reproduce` (small scale) and of
benchmarks/calender_numerics.py; WD-SiG's 8-D99 replicates are `sigdem calender --blend large=0.5,small=0.5`.
SiG's 8-D99 replicates were run earlier the same day on another machine and their folders are gone: their means and
CIs are read from the committed ../representative_2026-12-02/comparison.csv (3 replicates; the comparison only
needs each side's mean and CI).
"""
import sys
from pathlib import Path

import pandas as pd

from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import CollectOnly
from sigdem.studies.calendering import LONG_SCHEDULE, CalenderingStudy  # the phases these runs had
from sigdem.studies.calendering_analysis import compare_blends
from sigdem.studies.calendering_run import run_calendering

HERE = Path(__file__).resolve().parent
QUANTITIES = ("wall_pressure_mpa", "median_force_mN", "p99_force_mN", "mean_sigma_c_mpa", "film_at_risk_fraction")
BLENDS = {"SiG": "small=1.0", "WD-SiG": "large=0.5,small=0.5"}


class Committed:
    """The SiG 8-D99 replicate means and CIs as committed (compare_blends reads only summary())."""

    def __init__(self, path: Path):
        t = pd.read_csv(path)
        self.table = t

    def summary(self) -> pd.DataFrame:
        t = self.table[self.table["quantity"].isin(QUANTITIES)]
        wide = t.pivot(index="target_density_g_cc", columns="quantity", values="SiG")
        ci = t.pivot(index="target_density_g_cc", columns="quantity", values="SiG_ci95").add_suffix("_ci95")
        return pd.concat([wide, ci], axis=1).reset_index()


def main(root4: str, root8: str) -> None:
    rows = []
    for name, text in BLENDS.items():
        blend = blend_from_text(text, paper_grades())
        default = CalenderingStudy(blend, **LONG_SCHEDULE)
        small = CalenderingStudy(blend, side_um=float(round(4.0 * default.largest_diameter_um)), **LONG_SCHEDULE)
        four = run_calendering(small, root4, CollectOnly())
        eight = (Committed(HERE.parent / "representative_2026-12-02" / "comparison.csv") if name == "SiG"
                 else run_calendering(default, root8, CollectOnly()))
        n8 = 3 if name == "SiG" else len(eight.replicates)
        t = compare_blends(eight, four, ("side_8_dmax", "side_4_dmax"), QUANTITIES)
        rows.append(t.assign(blend=name, side_8_um=default.side_um, side_4_um=small.side_um,
                             n_8=n8, n_4=len(four.replicates)))
        if name != "SiG":
            print(name, "8-D99 replicates:", eight.replicates[["replicate", "unload", "springback"]].to_string(index=False))
    table = pd.concat(rows, ignore_index=True)
    table = table[table["verdict"] != "no replicates"]
    write_and_print(table, HERE / "finite_size.csv", "8-D99 vs 4-D99")


def write_and_print(table: pd.DataFrame, path: Path, what: str) -> None:
    """The comparison as CSV and as text, with the count of resolved differences."""
    table.to_csv(path, index=False)
    print(table.to_string(index=False, float_format="%.4g"))
    res = table[table["verdict"] == "resolved"]
    print(f"\n{len(res)} of {len(table)} {what} differences resolved at 95 %"
          + ("" if res.empty else ": " + ", ".join(f"{r.blend} {r.quantity} at {r.target_density_g_cc:g} "
                                                  f"({100 * (r.ratio - 1):+.1f} %)" for r in res.itertuples())))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
