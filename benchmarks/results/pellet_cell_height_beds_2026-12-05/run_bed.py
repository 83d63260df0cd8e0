"""One bed of the pellet cell at fill argv[2] um (60: the default height; 120: twice as tall), replicate argv[3] of
that study, with the cell's default numerics since 5 Dec 2026 (approach at 0.16; hold, record and release at 0.04);
the first 3 default targets, the ones whose releases finish. Usage: python run_bed.py <root> <fill_um> <replicate>."""
import logging, sys, time
import pandas as pd
from sigdem.cli.helpers import _blend
from sigdem.io.folder import RunFolder
from sigdem.run.runners import Executable
from sigdem.studies.pellet import DEFAULT_PRESSURES_MPA, PelletStudy, run_replicate
from sigdem.studies.pellet_analysis import analyse_pellet

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
root, fill, rep = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
study = PelletStudy(_blend("small=1.0"), replicates=rep + 1, fill_height_um=fill,
                    target_pressures_mpa=DEFAULT_PRESSURES_MPA[:3])
t = time.time()
settle, pellet = run_replicate(study, rep, root, Executable(ranks=2))
print("wall_s", round(time.time() - t, 1))
res = analyse_pellet(study, [(RunFolder(settle.path), RunFolder(pellet.path))])
pd.set_option("display.width", 250); pd.set_option("display.max_columns", 60)
print(res.summary().to_string())
print(res.pellets[["record", "target_pressure_mpa", "solid_fraction_loaded", "median_force_mN", "p99_force_mN",
                   "springback_height", "release_disturbed"]].to_string())
