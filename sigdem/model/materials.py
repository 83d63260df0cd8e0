"""Materials of particles and walls, as frozen dataclasses with units in field names.

A :class:`Material` describes one solid. For a particle material, ``restitution``,
``friction`` and ``rolling_friction`` are those of a contact between two particles of it;
for a wall material they are those of a particle–wall contact.

Where a number has no published source for the paper's powders it is marked as an
assumption. Change any of them with :func:`dataclasses.replace`, e.g.
``replace(GRAPHITE, youngs_modulus_gpa=10.0)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sigdem.inputs import check_name, check_range


@dataclass(frozen=True, slots=True)
class Material:
    """An elastic solid for Hertz contacts.

    Fields: ``density_g_cc`` (g/cm³ = pg/µm³), ``youngs_modulus_gpa`` (GPa; ``math.inf`` for
    a rigid wall), ``poisson_ratio`` (-), ``restitution`` (normal coefficient of restitution,
    0 < e <= 1), ``friction`` (sliding, Coulomb), ``rolling_friction`` (rolling resistance
    coefficient, dimensionless, 0 = off).
    """

    name: str
    density_g_cc: float
    youngs_modulus_gpa: float
    poisson_ratio: float
    restitution: float
    friction: float
    rolling_friction: float = 0.0

    def __post_init__(self):
        check_name("material.name", self.name)
        check_range("material.density_g_cc", self.density_g_cc, 0.0, 30.0, lo_open=True)
        if not (isinstance(self.youngs_modulus_gpa, (int, float)) and self.youngs_modulus_gpa == math.inf):
            check_range("material.youngs_modulus_gpa", self.youngs_modulus_gpa, 0.0, 1e4, lo_open=True)
        check_range("material.poisson_ratio", self.poisson_ratio, 0.0, 0.5, hi_open=True)
        check_range("material.restitution", self.restitution, 0.0, 1.0, lo_open=True)
        check_range("material.friction", self.friction, 0.0, 10.0)
        check_range("material.rolling_friction", self.rolling_friction, 0.0, 10.0)

    @property
    def rigid(self) -> bool:
        return math.isinf(self.youngs_modulus_gpa)

    @property
    def shear_modulus_gpa(self) -> float:
        return self.youngs_modulus_gpa / (2.0 * (1.0 + self.poisson_ratio))

    @property
    def plane_strain_compliance_per_gpa(self) -> float:
        """(1 - nu²) / E in 1/GPa; zero for a rigid material."""
        return 0.0 if self.rigid else (1.0 - self.poisson_ratio**2) / self.youngs_modulus_gpa


#: Spherical natural graphite (the paper's active material).
#: density: 2.26 g/cc, the theoretical (crystal) density of graphite.
#: modulus: ASSUMPTION 20 GPa, inside the range for polycrystalline graphite particles:
#:   ~32 GPa computed for delithiated polycrystalline graphite (Qi, Guo, Hector, Timmons,
#:   J. Electrochem. Soc. 157 (2010) A558) and ~10 GPa for porous spheroidised flake graphite;
#:   the paper gives no value.
#: Poisson ratio 0.3: ASSUMPTION (typical of polycrystalline graphite, 0.2-0.3).
#: restitution 0.5, friction 0.3: ASSUMPTIONS (common DEM values for graphite anode powders;
#:   the packing study shows their effect and lets users calibrate them). Rolling resistance is
#:   off (0) until calibrated against a measured tap density: set ``rolling_friction`` to use it.
GRAPHITE = Material(
    name="graphite",
    density_g_cc=2.26,
    youngs_modulus_gpa=20.0,
    poisson_ratio=0.3,
    restitution=0.5,
    friction=0.3,
    rolling_friction=0.0,
)

#: Si-coated graphite ("SiG"): a ~15 nm Si layer on graphite (paper). At > 500 mAh/g the Si
#: mass fraction is only ~4 % ((500-372)/(3579-372)), so the bulk contact properties are taken
#: as graphite's (ASSUMPTION); density 2.26 g/cc (Si 2.33 g/cc changes it by < 0.2 %).
SI_GRAPHITE = replace(GRAPHITE, name="si_graphite")

#: Copper current collector (the floor under the electrode): E = 110 GPa, nu = 0.34
#: (annealed copper, handbook values). Particle-wall restitution/friction: ASSUMPTION, as graphite.
COPPER = Material(
    name="copper",
    density_g_cc=8.96,
    youngs_modulus_gpa=110.0,
    poisson_ratio=0.34,
    restitution=0.5,
    friction=0.3,
    rolling_friction=0.0,
)

#: Hardened steel calender roll or pellet die: E = 210 GPa, nu = 0.3 (handbook values).
#: Particle-wall restitution/friction: ASSUMPTION, as graphite.
STEEL = Material(
    name="steel",
    density_g_cc=7.85,
    youngs_modulus_gpa=210.0,
    poisson_ratio=0.3,
    restitution=0.5,
    friction=0.3,
    rolling_friction=0.0,
)

#: An ideal rigid, frictionless-by-choice wall (for verification against theory).
RIGID = Material(
    name="rigid",
    density_g_cc=1.0,
    youngs_modulus_gpa=math.inf,
    poisson_ratio=0.0,
    restitution=1.0,
    friction=0.0,
    rolling_friction=0.0,
)

PRESETS: dict[str, Material] = {m.name: m for m in (GRAPHITE, SI_GRAPHITE, COPPER, STEEL, RIGID)}
