"""The issue's literal finite-size check for SiG: the default box (8 largest diameters, 211 µm, 4,224 particles,
3 replicates; means and CIs as committed in ../representative_2026-12-02/comparison.csv) against twice its area
(side x sqrt 2 = 298 µm, 8,449 particles, 3 replicates), with benchmarks/finite_size.py's quantities and verdicts.

    python make_table_2x.py <root with the 2x-area SiG folders>

The 2x-area study is benchmarks/finite_size.py's "2x_area" one (replace(CalenderingStudy(SiG), side_um=side*sqrt 2));
it was run with run_calendering(study, root, Executable(), workers=2). Collects only; writes finite_size_2x.csv.
"""
import math
import sys
from dataclasses import replace
from pathlib import Path

from make_table import QUANTITIES, Committed, write_and_print

from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import CollectOnly
from sigdem.studies.calendering import LONG_SCHEDULE, CalenderingStudy  # the phases these runs had
from sigdem.studies.calendering_analysis import compare_blends
from sigdem.studies.calendering_run import run_calendering

HERE = Path(__file__).resolve().parent


def main(root: str) -> None:
    base = CalenderingStudy(blend_from_text("small=1.0", paper_grades()), **LONG_SCHEDULE)
    big = replace(base, side_um=base.side_um * math.sqrt(2.0))
    two = run_calendering(big, root, CollectOnly())
    t = compare_blends(Committed(HERE.parent / "representative_2026-12-02" / "comparison.csv"), two,
                       ("side_8_dmax", "2x_area"), QUANTITIES)
    t = t[t["verdict"] != "no replicates"].assign(blend="SiG", side_um=base.side_um, other_side_um=big.side_um,
                                                  n_default=3, n_2x=len(two.replicates))
    print(two.replicates[["replicate", "settled_density_g_cc", "unload", "springback"]].to_string(index=False))
    write_and_print(t, HERE / "finite_size_2x.csv", "default vs 2x-area")

if __name__ == "__main__":
    main(sys.argv[1])
