"""Log-normal PSDs: fits, basis conversions (Hatch-Choate), closed-form statistics, truncation."""

import math

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

from sigdem.errors import InputError
from sigdem.psd import (DiscretePSD, LogNormalPSD, TabulatedPSD, lognormal_from_d10_d50_d90,
                        lognormal_from_d50_gsd, lognormal_from_d50_span)

Z90 = ndtri(0.9)
CASES = [(11.0, 1.3), (14.0, 1.456), (19.0, 1.8), (3.0, 2.5)]


def closed_forms(cmd, s):
    """Number mean, D[3,2], D[4,3], delta, S of a log-normal with number median cmd, ln-sd s."""
    e = math.exp(s * s)
    delta = math.sqrt(e - 1.0)
    return (cmd * math.exp(0.5 * s * s), cmd * math.exp(2.5 * s * s), cmd * math.exp(3.5 * s * s),
            delta, (e + 2.0) * delta)


@pytest.mark.parametrize("d50, gsd", CASES)
def test_d10_d50_d90_round_trip(d50, gsd):
    s = math.log(gsd)
    d10, d90 = d50 * math.exp(-Z90 * s), d50 * math.exp(Z90 * s)
    psd = lognormal_from_d10_d50_d90(d10, d50, d90)
    got = psd.quantile([0.1, 0.5, 0.9])
    np.testing.assert_allclose(got, [d10, d50, d90], rtol=5e-3)
    assert psd.fit_rms_residual_ln < 1e-9


def test_inconsistent_d10_d50_d90_reports_least_squares_residual():
    d = np.array([7.0, 11.0, 16.0])  # D50**2 != D10 * D90: not exactly log-normal
    psd = lognormal_from_d10_d50_d90(*d)
    z = np.array([-Z90, 0.0, Z90])
    slope, icpt = np.polyfit(z, np.log(d), 1)  # independent least squares
    expected = math.sqrt(np.mean((np.log(d) - (icpt + slope * z)) ** 2))
    assert psd.fit_rms_residual_ln > 0.01
    assert psd.fit_rms_residual_ln == pytest.approx(expected, rel=1e-9)
    assert psd.median_um == pytest.approx(math.exp(icpt), rel=1e-9)
    assert math.log(psd.gsd) == pytest.approx(slope, rel=1e-9)


@pytest.mark.parametrize("span", [0.5, 1.0, 1.3, 2.5])
def test_span_constructor_reproduces_span_and_median(span):
    st = lognormal_from_d50_span(14.0, span).statistics()
    assert st.span == pytest.approx(span, rel=1e-9)
    assert st.d50_um == pytest.approx(14.0, rel=1e-12)


def test_gsd_constructor():
    psd = lognormal_from_d50_gsd(12.0, 1.6)
    ratio = psd.quantile(0.9) / psd.quantile(0.5)
    assert float(ratio) == pytest.approx(1.6**Z90, rel=1e-9)


@pytest.mark.parametrize("vmd, gsd", CASES)
def test_hatch_choate_number_volume_medians(vmd, gsd):
    s = math.log(gsd)
    psd = LogNormalPSD(vmd, gsd, "volume")
    cmd = vmd * math.exp(-3.0 * s * s)
    assert float(psd.quantile(0.5, "number")) == pytest.approx(cmd, rel=1e-9)
    as_number = psd.to_basis("number")
    assert as_number.median_um == pytest.approx(cmd, rel=1e-12)
    assert float(as_number.quantile(0.5, "volume")) == pytest.approx(vmd, rel=1e-9)
    q = np.array([0.1, 0.3, 0.7, 0.9])
    np.testing.assert_allclose(as_number.quantile(q, "volume"), psd.quantile(q, "volume"), rtol=1e-9)


def test_number_basis_input_converts_to_volume():
    s = math.log(1.5)
    psd = LogNormalPSD(5.0, 1.5, "number")
    assert float(psd.quantile(0.5)) == pytest.approx(5.0 * math.exp(3 * s * s), rel=1e-9)


def test_mass_basis_equals_volume_basis_for_one_grade():
    a, b = LogNormalPSD(12.0, 1.5, "mass"), LogNormalPSD(12.0, 1.5, "volume")
    d = np.geomspace(2, 60, 20)
    np.testing.assert_allclose(a.cdf(d, "mass"), b.cdf(d, "volume"), rtol=1e-12)
    np.testing.assert_allclose(a.cdf(d, "number"), b.cdf(d, "number"), rtol=1e-12)


@pytest.mark.parametrize("vmd, gsd", CASES)
def test_statistics_match_closed_forms(vmd, gsd):
    s = math.log(gsd)
    st = LogNormalPSD(vmd, gsd).statistics()
    mean, d32, d43, delta, skew = closed_forms(vmd * math.exp(-3 * s * s), s)
    assert st.number_mean_um == pytest.approx(mean, rel=1e-9)
    assert st.d32_um == pytest.approx(d32, rel=1e-9)
    assert st.d43_um == pytest.approx(d43, rel=1e-9)
    assert st.polydispersity_delta == pytest.approx(delta, rel=1e-7)
    assert st.skewness_s == pytest.approx(skew, rel=1e-6)
    assert st.d10_um == pytest.approx(vmd * math.exp(-Z90 * s), rel=1e-9)
    assert st.span == pytest.approx(2 * math.sinh(Z90 * s), rel=1e-9)


def test_finely_tabulated_lognormal_matches_closed_forms():
    """Volume-% classes (log-uniform inside) must give the number statistics too."""
    vmd, gsd = 15.0, 1.5
    s = math.log(gsd)
    edges = np.geomspace(vmd / gsd**7, vmd * gsd**7, 400)
    frac = np.diff(ndtr(np.log(edges / vmd) / s))
    st = TabulatedPSD(tuple(edges), tuple(frac / frac.sum())).statistics()
    mean, d32, d43, delta, skew = closed_forms(vmd * math.exp(-3 * s * s), s)
    assert st.d50_um == pytest.approx(vmd, rel=2e-3)
    assert st.number_mean_um == pytest.approx(mean, rel=5e-3)
    assert st.d32_um == pytest.approx(d32, rel=5e-3)
    assert st.d43_um == pytest.approx(d43, rel=5e-3)
    assert st.polydispersity_delta == pytest.approx(delta, rel=1e-2)
    assert st.skewness_s == pytest.approx(skew, rel=2e-2)


def test_discrete_basis_conversion():
    psd = DiscretePSD((2.0, 1.0), (0.5, 0.5), "volume")  # unsorted on purpose
    np.testing.assert_allclose(psd.class_fractions("number"), [8 / 9, 1 / 9], rtol=1e-12)
    back = psd.to_basis("number").class_fractions("volume")
    np.testing.assert_allclose(back, [0.5, 0.5], rtol=1e-12)
    assert psd.number_moment(1) == pytest.approx(8 / 9 * 1 + 1 / 9 * 2)


def test_monodisperse_statistics():
    st = DiscretePSD((10.0,), (1.0,)).statistics()
    assert (st.d10_um, st.d50_um, st.d90_um, st.span) == (10.0, 10.0, 10.0, 0.0)
    assert st.polydispersity_delta == 0.0 and st.skewness_s == 0.0


def test_lognormal_truncation_volume_error_and_renormalisation():
    vmd, gsd, lo, hi = 19.0, 1.456, 3.0, 30.0
    s = math.log(gsd)
    expected = 1 - (ndtr(math.log(hi / vmd) / s) - ndtr(math.log(lo / vmd) / s))
    t = LogNormalPSD(vmd, gsd).truncate(lo, hi)
    assert t.volume_error == pytest.approx(expected, rel=1e-9)
    np.testing.assert_allclose(t.psd.cdf([lo, hi]), [0.0, 1.0], atol=1e-12)
    inside = t.psd.quantile(np.linspace(0.01, 0.99, 50), "number")
    assert inside.min() >= lo and inside.max() <= hi
    # the truncated CDF is the parent's CDF rescaled
    d = 15.0
    parent = ndtr(math.log(d / vmd) / s) - ndtr(math.log(lo / vmd) / s)
    assert float(t.psd.cdf(d)) == pytest.approx(parent / (1 - expected), rel=1e-9)


def test_tabulated_and_discrete_truncation_errors():
    tab = TabulatedPSD((1.0, 2.0, 4.0, 8.0), (0.2, 0.5, 0.3))
    t = tab.truncate(2.0, 8.0)
    assert t.volume_error == pytest.approx(0.2, rel=1e-12)
    half = tab.truncate(1.0, math.sqrt(32.0))  # half of the last class in ln(d)
    assert half.volume_error == pytest.approx(0.15, rel=1e-12)
    disc = DiscretePSD((1.0, 5.0, 40.0), (0.1, 0.6, 0.3)).truncate(2.0, 30.0)
    assert disc.volume_error == pytest.approx(0.4, rel=1e-12)
    assert disc.psd.diameters_um == (5.0,)


@pytest.mark.parametrize("call, field", [
    (lambda: lognormal_from_d10_d50_d90(11, 11, 16), "d10_um"),
    (lambda: lognormal_from_d10_d50_d90(12, 11, 16), "d10_um"),
    (lambda: lognormal_from_d10_d50_d90(7, 11, 10), "d90_um"),
    (lambda: lognormal_from_d10_d50_d90(-1, 11, 16), "d10_um"),
    (lambda: lognormal_from_d10_d50_d90(0, 11, 16), "d10_um"),
    (lambda: lognormal_from_d50_span(0.0, 1.0), "median_um"),
    (lambda: lognormal_from_d50_span(10.0, -1.0), "span"),
    (lambda: LogNormalPSD(10.0, 1.0), "gsd"),
    (lambda: LogNormalPSD(10.0, 1.5, "surface"), "basis"),
    (lambda: LogNormalPSD(10.0, 1.5).cdf(5.0, "weight"), "basis"),
    (lambda: LogNormalPSD(10.0, 1.5).truncate(50.0, 5.0), "d_max_um"),
    (lambda: LogNormalPSD(10.0, 1.5).truncate(5.0, 5.0), "d_max_um"),
    (lambda: LogNormalPSD(10.0, 1.5).quantile(1.2), "q"),
    (lambda: DiscretePSD((1.0, -2.0), (0.5, 0.5)), "diameters_um"),
    (lambda: DiscretePSD((1.0, 2.0), (0.5, 0.6)), "fractions"),
    (lambda: DiscretePSD((1.0, 2.0), (1.5, -0.5)), "fractions"),
    (lambda: TabulatedPSD((1.0, 3.0, 2.0), (0.5, 0.5)), "edges_um"),
    (lambda: TabulatedPSD((1.0, 2.0, 3.0), (0.5, 0.5)).truncate(5.0, 9.0), "d_min_um"),
])
def test_bad_input_names_field_and_range(call, field):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field
    assert "allowed" in str(err.value)
