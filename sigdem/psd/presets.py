"""Preset graphite grades of the paper: large, middle, small.

Sung et al., Batteries & Supercaps 2022 blend three spherical graphite grades
with volume D50 = 19 µm (large), 14 µm (middle) and 11 µm (small). The paper
does not give D10/D90, so the widths here are ASSUMPTIONS:

* all three grades are log-normal with volume-basis span (D90-D10)/D50 = 1.0
  (s = ln gsd = 0.3755, gsd = 1.456). Battery-grade spherical natural
  graphite is commonly quoted with spans of about 1.0-1.3 and an 11 µm grade
  with D10 ~7 / D90 ~16 µm (span ~0.8); no specific datasheet was checked, so
  1.0 is a round value between those. It gives D10/D50/D90 of 11.7/19/30.7
  (large), 8.6/14/22.6 (middle) and 6.8/11/17.8 µm (small).
* each grade is truncated to [3, 50] µm (PRESET_D_MIN_UM, PRESET_D_MAX_UM):
  the paper reports that its wide blend spans about 4-50 µm; the cut removes
  0.5 % of the large grade's volume (above 50 µm) and < 0.1 % of the others,
  and moves the large grade's D50 from 19 to 18.96 µm (0.2 %).
* true density 2.26 g/cc, the theoretical (X-ray, from the lattice constants)
  density of graphite.

Replacing an assumption by a measured table is a one-liner::

    large = GRAPHITE_LARGE.with_psd(read_psd_csv("large_grade.csv"))
"""

from __future__ import annotations

from sigdem.psd.blend import Grade
from sigdem.psd.lognormal import lognormal_from_d50_span

#: Theoretical density of graphite (g/cc), from its crystal lattice (2.26 g/cm³).
GRAPHITE_DENSITY_G_CC = 2.26
#: Assumed volume-basis span of every preset grade (see module docstring).
PRESET_SPAN = 1.0
PRESET_D_MIN_UM = 3.0
PRESET_D_MAX_UM = 50.0


def graphite_grade(name: str, d50_um: float, span: float = PRESET_SPAN,
                   d_min_um: float = PRESET_D_MIN_UM, d_max_um: float = PRESET_D_MAX_UM,
                   density_g_cc: float = GRAPHITE_DENSITY_G_CC) -> Grade:
    """Log-normal graphite grade of volume median ``d50_um`` (µm) and ``span``, truncated (µm)."""
    psd = lognormal_from_d50_span(d50_um, span).truncate(d_min_um, d_max_um).psd
    return Grade(name, psd, density_g_cc)


GRAPHITE_LARGE = graphite_grade("large", 19.0)
GRAPHITE_MIDDLE = graphite_grade("middle", 14.0)
GRAPHITE_SMALL = graphite_grade("small", 11.0)


def paper_grades() -> tuple[Grade, Grade, Grade]:
    """(large, middle, small) preset grades, in the order the ternary grids use."""
    return GRAPHITE_LARGE, GRAPHITE_MIDDLE, GRAPHITE_SMALL
