"""A small pellet cell pressed through the default series' pressures (10 MPa - 5 GPa, to the floor at solid fraction
0.98) with the tests' fast settings (tests/test_pellet_cell.py's SMALL), to see how far the largest pair's apparent
radii grow at the highest densities: then python reach.py <its pellet_cell_mdr folder>.
    python reach_study.py <root> narrow|wide <side um> <fill height um>
(narrow: the tests' 14 um grade; wide: the paper's 19 / 11 um grades 50:50, as WD-SiG). The analysis may refuse a
release branch after the press (see README.txt); the press's target dumps are written before it.
"""
import sys
from pathlib import Path

from sigdem.psd import blend_from_fractions, graphite_grade
from sigdem.studies.pellet import PelletStudy, run_pellet

root, which, side, fill = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
if which == "narrow":
    blend = blend_from_fractions((graphite_grade("narrow", 14.0, span=0.6),), narrow=1.0)
else:
    blend = blend_from_fractions((graphite_grade("large", 19.0), graphite_grade("small", 11.0)), large=0.5, small=0.5)
run_pellet(PelletStudy(blend, die="cell", side_um=side, fill_height_um=fill, replicates=1, speed_m_s=0.5,
                       servo_gain=4.0, window_steps=500, relax_steps=5000), root)
