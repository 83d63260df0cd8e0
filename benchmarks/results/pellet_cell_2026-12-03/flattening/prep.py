"""Diagnosis of mdr's NaN in the pellet press: render (not run) the 105 um SiG bed's monotonic walled press of
../../pellet_default_series_2026-12-03/timestep/run.py, to which a dump of every particle every 2,000 steps is then
added by hand, to see which contacts are most flattened just before LAMMPS stops.

usage: python prep.py FRACTION ROOT
"""
import importlib.util, logging, sys
from pathlib import Path
from sigdem.run.runners import render

spec = importlib.util.spec_from_file_location(
    "timestep_run", Path(__file__).parents[2] / "pellet_default_series_2026-12-03" / "timestep" / "run.py")
timestep_run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(timestep_run)
logging.basicConfig(level=logging.WARNING)
print(render(timestep_run.monotonic_press(float(sys.argv[1]), sys.argv[2]), sys.argv[2]).path)
