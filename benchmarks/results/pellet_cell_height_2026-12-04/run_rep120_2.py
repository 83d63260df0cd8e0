"""Replicate 2 of the taller cell (fill 120 um, ~2 largest diameters in z) at mdr step 0.16, the first 3 default
targets: the third bed at that height, beside replicates 0 and 1 (benchmarks/results/pellet_cell_height_2026-12-04/fill120)."""
import logging, sys, time
import pandas as pd
from sigdem.cli.helpers import _blend
from sigdem.io.folder import RunFolder
from sigdem.model.contact import MdrContact
from sigdem.run.runners import Executable
from sigdem.studies.pellet import DEFAULT_PRESSURES_MPA, PelletStudy, run_replicate
from sigdem.studies.pellet_analysis import analyse_pellet

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
root = sys.argv[1]
study = PelletStudy(_blend("small=1.0"), replicates=3, fill_height_um=120.0, target_pressures_mpa=DEFAULT_PRESSURES_MPA[:3],
                    contact=MdrContact(timestep_fraction=0.16))
t = time.time()
settle, pellet = run_replicate(study, 2, root, Executable(ranks=2))
print("wall_s", round(time.time() - t, 1))
res = analyse_pellet(study, [(RunFolder(settle.path), RunFolder(pellet.path))])
pd.set_option("display.width", 250); pd.set_option("display.max_columns", 60)
print(res.summary().to_string())
