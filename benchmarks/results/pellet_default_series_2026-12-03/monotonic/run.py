"""Diagnosis: the default SiG series pressed monotonically (release only after the last target), same bed and dt.

usage: python run.py SETTLE_FOLDER ROOT   (SETTLE_FOLDER: the settle-<job> folder of `sigdem pellet --blend small=1.0
--replicates 1`; the 3 Dec run used that run's own settle-191d499e01964d50)
"""
import logging
import sys
from dataclasses import replace
from pathlib import Path

from sigdem.io.folder import RunFolder
from sigdem.psd import blend_from_text, paper_grades
from sigdem.run.runners import Executable, run
from sigdem.studies.pellet import PelletStudy

logging.basicConfig(level=logging.INFO)
settle_folder, root = Path(sys.argv[1]), Path(sys.argv[2])
study = PelletStudy(blend_from_text("small=1.0", paper_grades()), replicates=1,
                    die="periodic")  # walled (written before mdr pellets defaulted to the periodic cell)
deck = study.pellet_deck(RunFolder(settle_folder))
deck = replace(deck, protocol=replace(deck.protocol, release_each=False))
print(run(deck, root, Executable(ranks=2)).path)
