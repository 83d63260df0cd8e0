"""Analyses as small compute objects (freud's idea): build with parameters, ``compute(...)``
returns ``self``, results are attributes; reading a result before computing raises."""

from .packing import PackingFraction, bed_surface_height, sphere_slab_volume

__all__ = ["PackingFraction", "bed_surface_height", "sphere_slab_volume"]
