import math
from dataclasses import FrozenInstanceError, replace

import pytest

from sigdem.errors import InputError
from sigdem.model.materials import GRAPHITE, PRESETS, RIGID


def test_presets_are_valid_and_frozen():
    assert {"graphite", "si_graphite", "copper", "steel", "rigid"} <= set(PRESETS)
    with pytest.raises(FrozenInstanceError):
        GRAPHITE.density_g_cc = 3.0
    assert RIGID.rigid and RIGID.plane_strain_compliance_per_gpa == 0.0


@pytest.mark.parametrize(
    "field,value,match",
    [
        ("density_g_cc", 0.0, r"material.density_g_cc.*range \(0, 30\]"),
        ("youngs_modulus_gpa", -1.0, r"material.youngs_modulus_gpa.*range"),
        ("poisson_ratio", 0.5, r"material.poisson_ratio.*\[0, 0.5\)"),
        ("restitution", 0.0, r"material.restitution.*\(0, 1\]"),
        ("friction", -0.1, "material.friction"),
        ("youngs_modulus_gpa", math.nan, "NaN"),
        ("friction", "0.3", "not a number"),
        ("name", "graphite; shell rm -rf /", "material.name"),
    ],
)
def test_bad_material_fields_named(field, value, match):
    with pytest.raises(InputError, match=match):
        replace(GRAPHITE, **{field: value})
