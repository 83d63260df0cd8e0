"""Heckel and Kawakita fits, their CIs, the ton/cm² unit and the one-parameter calibration."""

import math

import numpy as np
import pytest

from sigdem import units
from sigdem.analysis.compaction import fit_scalar_parameter, heckel_fit, kawakita_fit
from sigdem.errors import InputError

P = np.linspace(10.0, 200.0, 12)  # MPa
K, A = 1 / 300, 0.6  # Heckel: P_y = 300 MPa
KA, KB = 0.5, 0.02  # Kawakita a, b (1/MPa)


def heckel_density(p, k=K, a=A):
    return 1.0 - np.exp(-(k * np.asarray(p) + a))


def kawakita_volume(p, v0=2.0):
    return v0 * (1.0 - KA * KB * p / (1.0 + KB * p))


def test_ton_per_cm2_is_its_definition():
    tf_per_cm2_pa = 1000.0 * 9.80665 / 1e-4  # 1 tonne x standard gravity on 1 cm²
    assert units.convert(1.0, "ton/cm2", "MPa") == pytest.approx(tf_per_cm2_pa / 1e6, rel=1e-15)
    assert units.convert(1.0, "ton/cm2", "Pa") == pytest.approx(tf_per_cm2_pa, rel=1e-15)
    assert units.convert(48.0, "ton/cm2", "GPa") == pytest.approx(4.707192, rel=1e-12)


def test_heckel_recovers_exact_parameters():
    fit = heckel_fit(P, heckel_density(P))
    assert fit.k_per_mpa == pytest.approx(K, rel=1e-10) and fit.a == pytest.approx(A, rel=1e-10)
    assert fit.yield_pressure_mpa == pytest.approx(300.0, rel=1e-10) and fit.r2 == pytest.approx(1.0)
    assert fit.n == 12 and fit.k_ci95 < 1e-10
    assert fit.predict([50.0, 150.0]) == pytest.approx(heckel_density([50.0, 150.0]), rel=1e-10)


def test_heckel_window_keeps_the_linear_region():
    d = heckel_density(P)
    d[:3] = d[:3] + 0.05  # particle rearrangement at low pressure: off the line
    bent = heckel_fit(P, d)
    fit = heckel_fit(P, d, window_mpa=(60.0, 200.0))
    assert fit.n == int(((P >= 60) & (P <= 200)).sum()) and fit.window_mpa == (60.0, 200.0)
    assert fit.yield_pressure_mpa == pytest.approx(300.0, rel=1e-10)
    assert abs(bent.yield_pressure_mpa - 300.0) > 10.0


def test_kawakita_recovers_exact_parameters():
    v0 = 2.0
    fit = kawakita_fit(P, kawakita_volume(P, v0), v0)
    assert fit.a == pytest.approx(KA, rel=1e-10) and fit.b_per_mpa == pytest.approx(KB, rel=1e-10)
    assert fit.inverse_b_mpa == pytest.approx(1 / KB, rel=1e-10)
    assert fit.predict(P) == pytest.approx((v0 - kawakita_volume(P, v0)) / v0, rel=1e-10)


def test_heckel_cis_cover_the_truth_with_noisy_densities():
    rng = np.random.default_rng(20240611)
    d = heckel_density(P)
    hits_k = hits_py = 0
    for _ in range(200):
        fit = heckel_fit(P, d + rng.normal(0.0, 0.003, P.size))  # noise on the measured density
        hits_k += abs(fit.k_per_mpa - K) <= fit.k_ci95
        hits_py += abs(fit.yield_pressure_mpa - 300.0) <= fit.yield_pressure_ci95
    assert 0.90 <= hits_k / 200 <= 0.98
    assert 0.90 <= hits_py / 200 <= 0.98


def test_kawakita_cis_cover_the_truth():
    # noise on P/C, the linearised form's variable; noise on V instead gives ~93 % (heteroscedastic at low P)
    rng = np.random.default_rng(7)
    c = KA * KB * P / (1.0 + KB * P)
    hits = np.zeros(3)
    for _ in range(200):
        c_noisy = P / (P / c + rng.normal(0.0, 2.0, P.size))
        fit = kawakita_fit(P, 1.0 - c_noisy, 1.0)
        hits += [abs(fit.a - KA) <= fit.a_ci95, abs(fit.b_per_mpa - KB) <= fit.b_ci95,
                 abs(fit.inverse_b_mpa - 1 / KB) <= fit.inverse_b_ci95]
    assert np.all((hits / 200 >= 0.90) & (hits / 200 <= 0.98)), hits / 200


@pytest.mark.parametrize("p,d,field", [
    (P, np.where(P > 150, 1.0, heckel_density(P)), "relative_density"),
    (P, -heckel_density(P), "relative_density"),
    (P[:2], heckel_density(P[:2]), "relative_density"),
    (np.r_[0.0, P[1:]], heckel_density(P), "pressure_mpa"),
    (-P, heckel_density(P), "pressure_mpa"),
    (P, heckel_density(P)[:-1], "relative_density"),
])
def test_heckel_bad_inputs(p, d, field):
    with pytest.raises(InputError, match=field):
        heckel_fit(p, d)


def test_window_and_kawakita_bad_inputs():
    with pytest.raises(InputError, match="window_mpa"):
        heckel_fit(P, heckel_density(P), window_mpa=(100.0, 50.0))
    with pytest.raises(InputError, match="relative_density"):  # too few points left in the window
        heckel_fit(P, heckel_density(P), window_mpa=(10.0, 30.0))
    with pytest.raises(InputError, match="volume"):
        kawakita_fit(P, kawakita_volume(P) + 2.0, 2.0)  # V > V0
    with pytest.raises(InputError, match="initial_volume"):
        kawakita_fit(P, kawakita_volume(P), 0.0)


def heckel_model(y_gpa, a=A, c=1.0 / 3.0):
    """A Heckel-type model whose slope follows the yield stress: K = c / Y (K per MPa, Y in GPa)."""
    k = c / (y_gpa * 1000.0)
    return lambda p: heckel_density(p, k, a)


def test_calibration_recovers_yield_stress_exact():
    calls = []

    def simulate(y):
        calls.append(y)
        return heckel_model(y)

    fit = fit_scalar_parameter(simulate, P, heckel_model(0.1)(P), bounds=(0.01, 1.0))
    assert fit.value == pytest.approx(0.1, rel=1e-2) and fit.converged and not fit.at_bound
    assert len(calls) == len(fit.evaluations) <= 12 and len(set(calls)) == len(calls)  # cached, no repeat
    assert fit.rmse < 1e-4


def test_calibration_recovers_yield_stress_with_noise_and_arrays():
    rng = np.random.default_rng(11)
    measured = heckel_model(0.1)(P) + rng.normal(0.0, 0.002, P.size)
    fit = fit_scalar_parameter(lambda y: heckel_model(y)(P), P, measured, bounds=(0.01, 1.0))
    assert fit.value == pytest.approx(0.1, rel=2e-2) and len(fit.evaluations) <= 12
    assert 0 < fit.uncertainty < 0.01 and abs(fit.value - 0.1) < 3 * fit.uncertainty
    # uncertainty = sqrt(2 s² / SSE'') with s² = SSE / (n - 1): check by an independent difference
    h = 1e-3 * fit.value
    sse = [float(np.sum((heckel_model(y)(P) - measured) ** 2)) for y in (fit.value - h, fit.value, fit.value + h)]
    sigma = math.sqrt(2 * sse[1] / (P.size - 1) / ((sse[0] - 2 * sse[1] + sse[2]) / h**2))
    assert fit.uncertainty == pytest.approx(sigma, rel=0.05)


def test_calibration_flags_a_bound_and_refuses_bad_input():
    fit = fit_scalar_parameter(heckel_model, P, heckel_model(0.1)(P), bounds=(0.2, 1.0))
    assert fit.at_bound and 0.2 <= fit.value < 0.21  # the search creeps towards the bound: flagged
    with pytest.raises(InputError, match="bounds"):
        fit_scalar_parameter(heckel_model, P, heckel_model(0.1)(P), bounds=(0.0, 1.0))
    with pytest.raises(InputError, match="simulate"):
        fit_scalar_parameter(lambda y: np.ones(3), P, heckel_model(0.1)(P), bounds=(0.01, 1.0))
    with pytest.raises(InputError, match="max_evaluations"):
        fit_scalar_parameter(heckel_model, P, heckel_model(0.1)(P), bounds=(0.01, 1.0), max_evaluations=3)
