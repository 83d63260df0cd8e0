"""Analyses as small compute objects (freud's idea): build with parameters, ``compute(...)``
returns ``self``, results are attributes; reading a result before computing raises."""

from sigdem.analysis.contacts import FLOOR, TOP, ContactForces, ccdf, size_class_labels
from sigdem.analysis.fracture import (
           FractureRisk,
           fracture_free_density,
           hertz_peak_pressure_kpa,
)
from sigdem.analysis.solid_fraction import (
           PackingFraction,
           bed_surface_height,
           sphere_slab_volume,
)
from sigdem.analysis.springback import Springback, surface_height_um
from sigdem.analysis.film import FilmStrainRisk, SiFilm
from sigdem.analysis.fracture_free import FractureFree, fracture_free
from sigdem.analysis.size_stats import forces_by_size_class, statics_check
from sigdem.analysis.compaction import fit_scalar_parameter, heckel_fit, kawakita_fit

__all__ = ["PackingFraction", "bed_surface_height", "sphere_slab_volume",
           "ContactForces", "FLOOR", "TOP", "ccdf", "size_class_labels",
           "FractureRisk", "fracture_free_density", "hertz_peak_pressure_kpa",
           "Springback", "surface_height_um", "FilmStrainRisk", "SiFilm", "FractureFree", "fracture_free",
           "forces_by_size_class", "statics_check", "fit_scalar_parameter", "heckel_fit", "kawakita_fit"]
