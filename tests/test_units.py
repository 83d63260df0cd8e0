
import pytest

from sigdem import units
from sigdem.errors import InputError


def test_micro_units_follow_from_si_base_units():
    # force = mass * length / time^2 ; pg * um / us^2 in N
    pg, um, us = 1e-15, 1e-6, 1e-6
    assert units.from_micro(1.0, "N") == pytest.approx(pg * um / us**2)
    # pressure = force / area ; kPa
    assert units.from_micro(1.0, "Pa") == pytest.approx(pg / (um * us**2))
    # density = g/cc
    assert units.from_micro(1.0, "kg/m3") == pytest.approx(pg / um**3)
    assert units.from_micro(1.0, "J") == pytest.approx(pg * um**2 / us**2)
    assert units.from_micro(1.0, "m/s") == pytest.approx(um / us)
    assert units.from_micro(1.0, "m/s2") == pytest.approx(um / us**2)


def test_round_trip_and_cross_conversion():
    assert units.convert(1.0, "ton/cm2", "MPa") == pytest.approx(98.0665)
    assert units.convert(2.21, "mN", "nN") == pytest.approx(2.21e6)
    assert units.from_micro(units.to_micro(10.0, "GPa"), "GPa") == pytest.approx(10.0)
    assert units.convert(1.75, "g/cc", "kg/m3") == pytest.approx(1750.0)


def test_gravity_in_micro_units():
    assert units.to_micro(units.STANDARD_GRAVITY_M_S2, "m/s2") == pytest.approx(9.80665e-6)


@pytest.mark.parametrize("a,b", [("MPa", "um"), ("N", "GPa")])
def test_incompatible_units_refused(a, b):
    with pytest.raises(InputError, match="cannot convert"):
        units.convert(1.0, a, b)


def test_unknown_unit_named():
    with pytest.raises(InputError, match="unknown unit 'psi'"):
        units.to_micro(1.0, "psi")
