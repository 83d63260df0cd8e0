"""Diagnosis: does mdr's NaN near solid fraction 0.82 move with the time step? SiG bed of 4 largest diameters
(105 um), monotonic press (release after the last target only), mdr time-step fraction 0.08 (default) or 0.04.

usage: python run.py FRACTION ROOT
"""
import logging, sys
from dataclasses import replace
from sigdem.psd import blend_from_text, paper_grades
from sigdem.model.contact import MdrContact
from sigdem.studies.pellet import PelletStudy
from sigdem.run.runners import run, Executable


def monotonic_press(frac: float, root: str):
    """The settled bed's folder is run; the monotonic walled press deck is returned (not run)."""
    study = PelletStudy(blend_from_text("small=1.0", paper_grades()), side_um=105.0, replicates=1,
                        target_pressures_mpa=(10.0, 24.3, 59.04, 143.5, 348.6),
                        contact=MdrContact(timestep_fraction=frac),
                        die="periodic")  # walled (written before mdr pellets defaulted to the periodic cell)
    settle = run(study.settle_deck(0), root, Executable())
    deck = study.pellet_deck(settle)
    return replace(deck, protocol=replace(deck.protocol, release_each=False))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    print(run(monotonic_press(float(sys.argv[1]), sys.argv[2]), sys.argv[2], Executable()).path)
