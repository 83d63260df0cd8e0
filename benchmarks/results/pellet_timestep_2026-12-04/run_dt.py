"""The default pellet series (SiG, cell, 0.4 m/s x 1 servo) at another mdr time step fraction, same settled bed."""
import logging, sys, time
from sigdem.cli.helpers import _blend
from sigdem.model.contact import MdrContact
from sigdem.run.runners import Executable
from sigdem.studies.pellet import PelletStudy, run_pellet

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
frac = float(sys.argv[1]); root = sys.argv[2]
study = PelletStudy(_blend("small=1.0"), replicates=1, contact=MdrContact(timestep_fraction=frac))
t = time.time()
res = run_pellet(study, root, Executable(ranks=2))
print("wall_s", round(time.time() - t, 1))
import pandas as pd
pd.set_option("display.width", 250); pd.set_option("display.max_columns", 40)
print(res.summary().to_string() if hasattr(res, "summary") else res)
