"""Reading measured PSD tables from CSV (fixtures made by tests/data/psd/make_fixtures.py)."""

import math
from pathlib import Path

import numpy as np
import pytest

from sigdem.errors import InputError
from sigdem.psd import LogNormalPSD, TabulatedPSD, read_psd_csv

DATA = Path(__file__).parent / "data" / "psd"
TRUE = LogNormalPSD(15.0, 1.5)  # the distribution the volume fixtures were generated from


@pytest.mark.parametrize("name", ["lognormal_edges.csv", "lognormal_cumulative.csv", "lognormal_midpoints.csv"])
def test_tables_reproduce_generating_lognormal(name):
    """Classes are 2**(1/4) wide: log-linear interpolation inside them costs ~1 % on D10/D90."""
    psd = read_psd_csv(DATA / name)
    assert isinstance(psd, TabulatedPSD) and psd.basis == "volume"
    got, want = psd.statistics(), TRUE.statistics()
    assert got.d50_um == pytest.approx(want.d50_um, rel=2e-3)
    for field in ("d10_um", "d90_um", "d32_um", "d43_um", "number_mean_um", "polydispersity_delta"):
        assert getattr(got, field) == pytest.approx(getattr(want, field), rel=2e-2), field


def test_edges_and_cumulative_layouts_agree():
    a = read_psd_csv(DATA / "lognormal_edges.csv")
    b = read_psd_csv(DATA / "lognormal_cumulative.csv")
    np.testing.assert_allclose(a.edges_um, b.edges_um, rtol=1e-12)
    np.testing.assert_allclose(a.fractions, b.fractions, atol=2e-6)


def test_number_basis_table_converts_with_hatch_choate():
    psd = read_psd_csv(DATA / "number_edges.csv", basis="number")
    s = math.log(1.5)
    assert float(psd.quantile(0.5, "number")) == pytest.approx(5.0, rel=5e-3)
    # d**3 weighting of coarse log-uniform number classes: a few % is the expected interpolation error
    assert float(psd.quantile(0.5, "volume")) == pytest.approx(5.0 * math.exp(3 * s * s), rel=3e-2)


def _write(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize("text, field", [
    ("", "csv"),
    ("# only a comment\n\n", "csv"),
    ("d_um,cum_percent\n", "csv"),
    ("foo,bar\n1,50\n2,50\n", "csv"),
    ("d_mid_um,percent\n1,50\n2,abc\n", "percent"),
    ("d_mid_um,percent\n1,50\n2\n", "csv"),
    ("d_mid_um,percent\n1,50\n2,nan\n", "csv"),
    ("d_mid_um,percent\n1,50\n2,40\n", "percent"),
    ("d_mid_um,percent\n1,110\n2,-10\n", "percent"),
    ("d_mid_um,percent\n2,50\n1,50\n", "d_mid_um"),
    ("d_mid_um,percent\n0,50\n1,50\n", "d_mid_um"),
    ("d_mid_um,percent\n3,100\n", "csv"),
    ("d_low_um,d_high_um,percent\n1,2,50\n3,4,50\n", "d_high_um"),
    ("d_low_um,d_high_um,percent\n1,2,50\n2,1.5,50\n", "d_high_um"),
    ("d_um,cum_percent\n1,0\n2,60\n3,50\n4,100\n", "cum_percent"),
    ("d_um,cum_percent\n1,5\n2,60\n4,100\n", "cum_percent"),
    ("d_um,cum_percent\n1,0\n2,60\n4,90\n", "cum_percent"),
])
def test_malformed_csv_raises_input_error(tmp_path, text, field):
    with pytest.raises(InputError) as err:
        read_psd_csv(_write(tmp_path, text))
    assert err.value.field == field
    assert "allowed" in str(err.value)


def test_missing_file_and_unknown_basis(tmp_path):
    with pytest.raises(InputError) as err:
        read_psd_csv(tmp_path / "absent.csv")
    assert err.value.field == "path"
    with pytest.raises(InputError) as err:
        read_psd_csv(DATA / "lognormal_edges.csv", basis="intensity")
    assert err.value.field == "basis"


def test_small_rounding_is_normalised(tmp_path):
    psd = read_psd_csv(_write(tmp_path, "d_mid_um,percent\n1,25.2\n2,50\n4,25\n"))
    assert math.fsum(psd.fractions) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(psd.class_fractions("volume"), np.array([25.2, 50, 25]) / 100.2, rtol=1e-12)
