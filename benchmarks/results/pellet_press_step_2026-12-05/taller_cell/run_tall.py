"""The taller cell (fill 120 um, ~2 largest diameters in z), replicate argv[2] (0: the bed of
benchmarks/results/pellet_cell_height_2026-12-04/fill120, pressed there all at 0.16), with the cell's default numerics
since 5 Dec 2026: the approach at 0.16, hold, record and release at 0.04; the first 3 default targets."""
import logging, sys, time
import pandas as pd
from sigdem.cli.helpers import _blend
from sigdem.io.folder import RunFolder
from sigdem.run.runners import Executable
from sigdem.studies.pellet import DEFAULT_PRESSURES_MPA, PelletStudy, run_replicate
from sigdem.studies.pellet_analysis import analyse_pellet

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
root = sys.argv[1]
study = PelletStudy(_blend("small=1.0"), replicates=2, fill_height_um=120.0, target_pressures_mpa=DEFAULT_PRESSURES_MPA[:3])
t = time.time()
settle, pellet = run_replicate(study, int(sys.argv[2]), root, Executable(ranks=2))
print("wall_s", round(time.time() - t, 1))
res = analyse_pellet(study, [(RunFolder(settle.path), RunFolder(pellet.path))])
pd.set_option("display.width", 250); pd.set_option("display.max_columns", 60)
print(res.summary().to_string())
print(res.pellets[["record", "target_pressure_mpa", "solid_fraction_loaded", "median_force_mN", "p99_force_mN",
                   "springback_height", "release_disturbed"]].to_string())
