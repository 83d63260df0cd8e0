"""Finite size of the mdr pellet cell in z: the default series' first targets at several fill heights (the cell's
z period), one side, one replicate each, mdr step fraction given."""
import logging, sys, time
from sigdem.cli.helpers import _blend
from sigdem.model.contact import MdrContact
from sigdem.run.runners import Executable
from sigdem.studies.pellet import PelletStudy, run_pellet, DEFAULT_PRESSURES_MPA

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
frac, side, fill, n_targets, ranks, root = (float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]),
                                            int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
study = PelletStudy(_blend("small=1.0"), replicates=1, side_um=side, fill_height_um=fill,
                    target_pressures_mpa=DEFAULT_PRESSURES_MPA[:n_targets], contact=MdrContact(timestep_fraction=frac))
t = time.time()
res = run_pellet(study, root, Executable(ranks=ranks))
print("wall_s", round(time.time() - t, 1))
import pandas as pd
pd.set_option("display.width", 250); pd.set_option("display.max_columns", 40)
print(res.summary().to_string())
