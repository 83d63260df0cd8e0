"""Property tests (hypothesis): the PSD/blend layer, deck rendering, and every sink a user string can reach."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigdem.errors import InputError
from sigdem.inputs import NAME_RE, SAFE_PATH_RE, format_var, relative_deck_path
from sigdem.psd import Blend, Grade, lognormal_from_d10_d50_d90, lognormal_from_d50_span, sample_particles

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
DANGER = ["$", "${x}", "$(x)", "&", "\n", "#", ";", "'", '"', "shell", "include", "python", "ä", "µ", " ", "`",
          "/", "..", "-", "\x00", "\t", "*"]
nasty = st.one_of(st.text(max_size=20), st.builds(lambda a, b, c: a + b + c, st.text(max_size=6),
                                                   st.sampled_from(DANGER), st.text(max_size=6)),
                  st.sampled_from(DANGER))

grade_spec = st.tuples(st.floats(3.0, 40.0), st.floats(0.4, 1.5), st.floats(1.5, 5.0))  # d50 µm, span, density


def _grades(specs):
    return tuple(Grade(f"g{i}", lognormal_from_d50_span(d50, span).truncate(0.3 * d50, 3.0 * d50).psd, rho)
                 for i, (d50, span, rho) in enumerate(specs))


@FAST
@given(st.lists(grade_spec, min_size=1, max_size=3), st.lists(st.floats(0.1, 1.0), min_size=3, max_size=3),
       st.integers(0, 2**31))
def test_sampled_particles_reproduce_grade_mass_fractions(specs, weights, seed):
    grades = _grades(specs)
    w = np.asarray(weights[: len(grades)])
    blend = Blend(grades, tuple(w / w.sum()))
    sample = sample_particles(blend, n=4000, seed=seed)
    # counts are rounded to whole particles per grade: the grade with fewest particles n_g is off by about
    # 1/n_g of itself, and what it lacks the others carry
    counts = sample.counts_by_grade()
    x = np.asarray(blend.mass_fractions)
    tol = float(np.max(np.where(x > 0, x / np.maximum(counts, 1), 0.0))) + 0.002
    assert np.all(np.abs(sample.mass_fractions_by_grade() - x) <= tol)


@FAST
@given(st.floats(0.1, 100.0), st.floats(1.05, 3.0), st.floats(1.05, 3.0))
def test_statistics_are_monotone(d10, r1, r2):
    psd = lognormal_from_d10_d50_d90(d10, d10 * r1, d10 * r1 * r2)
    s = psd.statistics()
    assert s.d10_um < s.d50_um < s.d90_um
    assert s.d32_um <= s.d43_um


@FAST
@given(st.lists(grade_spec, min_size=2, max_size=3), st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
       st.floats(-9e-4, 9e-4))
def test_blend_normalisation_is_idempotent(specs, weights, eps):
    grades = _grades(specs)
    w = np.asarray(weights[: len(grades)]) + 1e-3
    x = tuple(w / w.sum() * (1.0 + eps))  # within the 1e-3 tolerance: accepted and normalised
    once = Blend(grades, x)
    twice = Blend(grades, once.mass_fractions)
    assert math.isclose(sum(once.mass_fractions), 1.0, abs_tol=1e-12)
    assert np.allclose(once.mass_fractions, twice.mass_fractions, rtol=0, atol=1e-15)
    s = once.statistics()
    assert s.d10_um < s.d50_um < s.d90_um


# ---- deck rendering ------------------------------------------------------------------------------

def _deck(d50, span, n, e_gpa, mu, rest, scale, g, seed):
    from sigdem.deck import Deck, Numerics
    from sigdem.deck.beds import bed_from_sample
    from sigdem.model.materials import GRAPHITE

    grade = Grade("SiG-1", lognormal_from_d50_span(d50, span).truncate(0.5 * d50, 2.0 * d50).psd, 2.26)
    bed = bed_from_sample(sample_particles(Blend((grade,), (1.0,)), n=n, seed=seed), seed=seed + 1)
    mat = replace(GRAPHITE, youngs_modulus_gpa=e_gpa, friction=mu, restitution=rest)
    return Deck(bed, material=mat, numerics=Numerics(modulus_scale=scale, gravity_g=g))


@settings(max_examples=12, deadline=None)
@given(st.floats(3.0, 30.0), st.floats(0.3, 1.2), st.integers(20, 60), st.floats(1.0, 200.0), st.floats(0.0, 1.0),
       st.floats(0.1, 1.0), st.floats(1e-3, 1.0), st.floats(1.0, 1e4), st.integers(0, 10**6))
def test_rendered_header_parses_in_lammps(d50, span, n, e_gpa, mu, rest, scale, g, seed):
    from sigdem._loader import lammps_class
    from sigdem.deck.sections import data_file_text, deck_variables, header_text

    deck = _deck(d50, span, n, e_gpa, mu, rest, scale, g, seed)
    variables = deck_variables(deck)
    header = header_text(deck, variables, "0123456789abcdef", "settle.lmp")
    lines = [ln for ln in header.splitlines() if ln.startswith("variable ")]
    assert len(lines) == len(variables)
    lmp = lammps_class()(cmdargs=["-nocite", "-log", "none", "-screen", "none"])
    try:
        lmp.commands_string("\n".join(lines))
        lmp.command("variable chk_dt equal ${dt}")
        assert lmp.extract_variable("chk_dt") == pytest.approx(variables["dt"], rel=1e-12)
    finally:
        lmp.close()
    labels = data_file_text(deck.bed).split("Atom Type Labels")[1].split("Atoms")[0].split()
    assert labels == ["1", "SiG_1"]


# ---- sinks: a user string is rendered as a plain identifier / safe path, or refused --------------

def _psd():
    return lognormal_from_d50_span(10.0, 1.0).truncate(3.0, 30.0).psd


@FAST
@given(nasty)
def test_grade_names_reach_the_data_file_only_as_identifiers(name):
    from sigdem.deck.beds import bed_from_sample
    from sigdem.deck.sections import data_file_text

    try:
        grade = Grade(name, _psd(), 2.26)
    except InputError as exc:
        assert exc.field == "name"
        return
    bed = bed_from_sample(sample_particles(Blend((grade,), (1.0,)), n=20, seed=1), seed=2)
    text = data_file_text(bed)
    label = text.split("Atom Type Labels")[1].split("Atoms")[0].split()[1]
    assert NAME_RE.fullmatch(label)
    assert not re.search(r"[$&;#'\"`\s]", name)


@FAST
@given(nasty)
def test_material_names_are_identifiers_or_refused(name):
    from sigdem.model.materials import GRAPHITE

    try:
        mat = replace(GRAPHITE, name=name)
    except InputError as exc:
        assert exc.field == "material.name"
        return
    assert NAME_RE.fullmatch(mat.name)


@FAST
@given(nasty)
def test_paths_reach_lammps_only_when_safe(text):
    try:
        out = format_var("dir", text)
    except InputError as exc:
        assert exc.field == "dir"
    else:
        assert NAME_RE.fullmatch(out) or (SAFE_PATH_RE.fullmatch(out) and not out.startswith("-"))
    if "\x00" not in text and text:
        rel = relative_deck_path(text)
        assert rel is None or (SAFE_PATH_RE.fullmatch(rel) and not rel.startswith("-"))


@FAST
@given(nasty, st.one_of(nasty, st.floats(allow_nan=True, allow_infinity=True), st.integers()))
def test_variables_render_safely_or_are_refused(name, value):
    from sigdem.deck.sections import header_text

    class _Stage:
        name = "settle"

    class _Deck:
        stage = _Stage()

    try:
        text = header_text(_Deck(), {name: value}, "0" * 16, "settle.lmp")
    except InputError:
        return
    line = text.strip().splitlines()[-1]
    assert re.fullmatch(r"variable [A-Za-z_][A-Za-z0-9_]* +index [A-Za-z0-9_./+-]+", line), line


@FAST
@given(nasty)
def test_blend_text_is_parsed_or_refused(text):
    from sigdem.psd import blend_from_text, paper_grades

    try:
        blend = blend_from_text(text, paper_grades())
    except InputError:
        return
    assert set(blend.grade_names) == {"large", "middle", "small"}
