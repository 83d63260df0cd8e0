"""Diagnosis: the default SiG series pressed monotonically (release only after the last target), same bed and dt."""
import logging, sys
from dataclasses import replace
from pathlib import Path
from sigdem.psd import blend_from_text, paper_grades
from sigdem.studies.pellet import PelletStudy
from sigdem.run.runners import run, Executable
from sigdem.io.folder import RunFolder

logging.basicConfig(level=logging.INFO)
study = PelletStudy(blend_from_text("small=1.0", paper_grades()), replicates=1)
settle = RunFolder(Path("/work/pellet/root/settle-191d499e01964d50"))
deck = study.pellet_deck(settle)
deck = replace(deck, protocol=replace(deck.protocol, release_each=False))
print(run(deck, "/work/pellet/exp/root", Executable(ranks=2)).path)
