"""Diagnosis of mdr's NaN in the pellet press: render the 105 um SiG bed's monotonic press (as
timestep/run.py) and add a dump of every particle every 2,000 steps, to see which contacts are
most flattened just before LAMMPS stops."""
import logging, sys
from dataclasses import replace
from sigdem.psd import blend_from_text, paper_grades
from sigdem.model.contact import MdrContact
from sigdem.studies.pellet import PelletStudy
from sigdem.run.runners import run, render, Executable

logging.basicConfig(level=logging.WARNING)
frac, root = float(sys.argv[1]), sys.argv[2]
study = PelletStudy(blend_from_text("small=1.0", paper_grades()), side_um=105.0, replicates=1,
                    target_pressures_mpa=(10.0, 24.3, 59.04, 143.5, 348.6), contact=MdrContact(timestep_fraction=frac),
                    die="periodic")  # walled (written before mdr pellets defaulted to the periodic cell)
settle = run(study.settle_deck(0), root, Executable())
deck = study.pellet_deck(settle)
deck = replace(deck, protocol=replace(deck.protocol, release_each=False))
print(render(deck, root).path)
