"""The taller cell (fill 120 um, ~2 largest diameters in z), replicate argv[2] (0: the bed of
benchmarks/results/pellet_cell_height_2026-12-04/fill120, pressed there all at 0.16), with the cell's default numerics
since 5 Dec 2026: the approach at 0.16, hold, record and release at 0.04; the first 3 default targets.
Usage: python run_tall.py <root> <replicate>. The same study and printout as
../../pellet_cell_height_beds_2026-12-05/run_bed.py <root> 120 <replicate> (that script takes the fill too), which
this runs."""
import runpy
import sys
from pathlib import Path

sys.argv = [sys.argv[0], sys.argv[1], "120", sys.argv[2]]
runpy.run_path(str(Path(__file__).resolve().parents[2] / "pellet_cell_height_beds_2026-12-05" / "run_bed.py"),
               run_name="__main__")
