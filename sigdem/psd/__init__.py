"""Particle-size distributions of battery-anode powders, for DEM set-up.

Turns laser-diffraction style descriptions (D10/D50/D90, span, measured
tables) of one or more graphite grades, blended by mass, into statistics,
packing estimates and the particle list a LAMMPS data file needs. Diameters
are in µm, volumes in µm**3, densities in g/cc (== pg/µm**3), masses in pg.
"""

from sigdem.psd.base import PSD, PSDStatistics, TruncationResult
from sigdem.psd.blend import Blend, BlendTruncation, Grade, blend_from_fractions, blend_from_text
from sigdem.psd.csvio import read_psd_csv
from sigdem.psd.discrete import DiscretePSD, TabulatedPSD, monodisperse
from sigdem.psd.estimates import (
                                  TernaryPackingPoint,
                                  calibrate_free_length,
                                  desmond_weeks_rcp,
                                  farr_groot_rcp,
                                  ternary_packing,
)
from sigdem.psd.lognormal import (
                                  LogNormalPSD,
                                  lognormal_from_d10_d50_d90,
                                  lognormal_from_d50_gsd,
                                  lognormal_from_d50_span,
)
from sigdem.psd.mixture import MixturePSD
from sigdem.psd.presets import (
                                  GRAPHITE_DENSITY_G_CC,
                                  GRAPHITE_LARGE,
                                  GRAPHITE_MIDDLE,
                                  GRAPHITE_SMALL,
                                  graphite_grade,
                                  paper_grades,
)
from sigdem.psd.sampling import ParticleSample, sample_particles
from sigdem.psd.ternary import ternary_blends, ternary_grid

__all__ = [
    "PSD", "PSDStatistics", "TruncationResult", "LogNormalPSD", "DiscretePSD", "TabulatedPSD", "MixturePSD",
    "monodisperse", "lognormal_from_d10_d50_d90", "lognormal_from_d50_span", "lognormal_from_d50_gsd",
    "read_psd_csv", "Grade", "Blend", "BlendTruncation", "blend_from_fractions", "blend_from_text", "ternary_grid",
    "ternary_blends", "ParticleSample", "sample_particles", "farr_groot_rcp", "desmond_weeks_rcp",
    "calibrate_free_length", "ternary_packing", "TernaryPackingPoint", "GRAPHITE_DENSITY_G_CC",
    "GRAPHITE_LARGE", "GRAPHITE_MIDDLE", "GRAPHITE_SMALL", "graphite_grade", "paper_grades",
]
