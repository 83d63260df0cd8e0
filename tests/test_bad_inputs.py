"""Bad inputs, table-driven: every one is refused before LAMMPS starts, by an InputError whose message names
the field, the offending value and what is allowed. CLI rows go through sigdem.cli.main (exit 2, one line
'sigdem: error: <field>: ...', no traceback); API rows call the constructors; CSV rows read small tables;
profile rows load cluster profiles. Nothing here runs LAMMPS (CLI rows use --dry-run where a run could start)."""

from __future__ import annotations

import pytest

from sigdem.cli import main
from sigdem.errors import InputError

GOOD_CSV = "size_um,cum_percent\n3,0\n8,20\n12,50\n18,80\n40,100\n"

# (id, argv; '{tmp}' is the test's folder, '{file}' a plain file, '{csv}' a good PSD table), field, value, allowed
CLI = [
    ("n-too-shallow", ["pack", "--n", "200"], "n_particles", "200", "n_particles >= "),
    ("n-tiny", ["pack", "--n", "5"], "n_particles", "5", "[20, 5000000]"),
    ("gravity-huge", ["pack", "--gravity-g", "1e8"], "numerics.gravity_g", "1e+08", "allowed range (0, "),
    ("gravity-negative", ["pack", "--gravity-g", "-1"], "numerics.gravity_g", "-1", "(0, 1e+09]"),
    ("modulus-scale", ["pack", "--modulus-scale", "2"], "numerics.modulus_scale", "2", "(0, 1]"),
    ("replicates-0", ["pack", "--replicates", "0"], "replicates", "0", "[1, 1000]"),
    ("taps-negative", ["pack", "--taps", "-1"], "settle.taps", "-1", "[0, 10000]"),
    ("tap-height-0", ["pack", "--tap-height", "0"], "settle.tap_height_d", "0", "(0, 100]"),
    ("blend-empty", ["pack", "--blend", ""], "blend", "''", "e.g. large=0.5,small=0.5"),
    ("blend-sum", ["pack", "--blend", "large=0.7,small=0.7"], "mass_fractions", "1.4", "summing to 1 within 0.001"),
    ("blend-unknown", ["pack", "--blend", "huge=1"], "fractions", "huge", "allowed: ['large', 'middle', 'small']"),
    ("blend-injection", ["pack", "--blend", "large=0.5;shell ls"], "blend", "0.5;shell ls", "number in [0, 1]"),
    ("blend-name-injection", ["pack", "--blend", "$(x)=1"], "blend", "'$(x)'", "use 1-40 letters"),
    ("blend-twice", ["pack", "--blend", "large=0.5,large=0.5"], "blend", "large", "each grade once"),
    ("blend-nan", ["pack", "--blend", "large=abc"], "blend", "abc", "number in [0, 1]"),
    ("root-file", ["pack", "--root", "{file}"], "root", "{file}", "an existing or creatable directory"),
    ("root-under-file", ["pack", "--root", "{file}/sub"], "root", "{file}", "an existing or creatable directory"),
    ("seed-negative", ["pack", "--seed", "-1"], "seed", "-1", "[0, "),
    ("csv-dir", ["pack", "--csv", "{tmp}"], "csv", "{tmp}", "a file path"),
    ("psd-missing", ["pack", "--psd", "a={tmp}/absent.csv"], "path", "absent.csv", "a readable UTF-8 CSV file"),
    ("psd-no-equals", ["pack", "--psd", "a"], "psd", "'a'", "name=value"),
    ("density-no-psd", ["pack", "--density-g-cc", "a=2"], "density_g_cc", "['a']", "only for --psd grades"),
    ("density-huge", ["pack", "--psd", "a={csv}", "--density-g-cc", "a=99"], "density_g_cc", "99", "<= 30"),
    ("density-other", ["pack", "--psd", "a={csv}", "--density-g-cc", "b=2"], "density_g_cc", "['b']", "allowed: ['a']"),
    ("ternary-workers-0", ["ternary", "--workers", "0"], "workers", "0", "[1, "),
    ("ternary-workers-neg", ["ternary", "--workers", "-1"], "workers", "-1", "[1, "),
    ("ternary-one-psd", ["ternary", "--psd", "a={csv}"], "psd", "1 grade", "exactly 3"),
    ("ternary-step", ["ternary", "--step", "0.3"], "step", "0.3", "allowed"),
    ("calender-workers-0", ["calender", "--workers", "0"], "workers", "0", "[1, "),
    ("calender-above-solid", ["calender", "--targets", "2.5"], "target_densities_g_cc", "2.5", "(0.904, 2.26) g/cc"),
    ("calender-below-loose", ["calender", "--targets", "0.5"], "target_densities_g_cc", "0.5", "(0.904, 2.26) g/cc"),
    ("calender-targets-text", ["calender", "--targets", "abc"], "targets", "abc", "e.g. 1.3,1.5"),
    ("calender-box", ["calender", "--side-um", "20"], "side_um", "20", "allowed range [52.6792, 100000]"),
    ("calender-yield-hertz", ["calender", "--contact", "hertz", "--yield-stress-gpa", "0.2"], "yield_stress_gpa", "0.2", "only with --contact mdr"),
    ("calender-psi-b-hertz", ["calender", "--contact", "hertz", "--psi-b", "0.3"], "psi_b", "0.3", "only with --contact mdr"),
    ("calender-psi-b-range", ["calender", "--psi-b", "1.5"], "contact.psi_b", "1.5", "[0, 1]"),
    ("pellet-psi-b-hertz", ["pellet", "--contact", "hertz", "--psi-b", "0.3"], "psi_b", "0.3", "only with --contact mdr"),
    ("pellet-psi-b-neg", ["pellet", "--psi-b", "-0.1"], "contact.psi_b", "-0.1", "[0, 1]"),
    ("calender-binder", ["calender", "--binder", "0.7"], "binder_mass_fraction", "0.7", "[0, 0.5)"),
    ("calender-contact", ["calender", "--contact", "foo"], "contact", "foo", "hertz, mdr"),
    ("calender-loading", ["calender", "--loading-mg-cm2", "0"], "loading_mg_cm2", "0", "(0, 1000]"),
    ("calender-speed", ["calender", "--speed-m-s", "-1"], "calender.speed_m_s", "-1", "(0, 10]"),
    ("pellet-die-unknown", ["pellet", "--die", "square"], "die", "'square'", "allowed: periodic, cylinder"),
    ("pellet-die-injection", ["pellet", "--die", "cylinder;shell ls"], "die", "cylinder;shell ls", "allowed: periodic"),
    ("pellet-die-friction-neg", ["pellet", "--die", "cylinder", "--die-friction", "-0.1"], "die_friction", "-0.1",
     "[0, 2]"),
    ("pellet-die-friction-huge", ["pellet", "--die", "cylinder", "--die-friction", "2.5"], "die_friction", "2.5",
     "[0, 2]"),
    ("pellet-die-friction-nan", ["pellet", "--die", "cylinder", "--die-friction", "nan"], "die_friction", "NaN",
     "[0, 2]"),
    ("pellet-die-friction-text", ["pellet", "--die", "cylinder", "--die-friction", "abc"], "die_friction", "'abc'",
     "[0, 2]"),
    ("pellet-die-friction-periodic", ["pellet", "--die-friction", "0.3"], "die_friction", "0.3",
     "only with die='cylinder'"),
]


@pytest.fixture
def places(tmp_path):
    (tmp_path / "plain.txt").write_text("not a folder")
    (tmp_path / "good.csv").write_text(GOOD_CSV)
    return {"{tmp}": str(tmp_path), "{file}": str(tmp_path / "plain.txt"), "{csv}": str(tmp_path / "good.csv")}


def _fill(text: str, places: dict) -> str:
    for k, v in places.items():
        text = text.replace(k, v)
    return text


@pytest.mark.parametrize("argv, field, value, allowed", [r[1:] for r in CLI], ids=[r[0] for r in CLI])
def test_cli_refuses_with_field_value_and_range(argv, field, value, allowed, places, capsys):
    argv = [_fill(a, places) for a in argv]
    if "--root" not in argv:
        argv += ["--root", places["{tmp}"] + "/runs"]
    rc = main(argv + ["--dry-run"])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"sigdem: error: {field}: "), line
    assert _fill(value, places) in line and allowed in line, line


def _grades():
    from sigdem.psd import paper_grades

    return paper_grades()


def _blend():
    from sigdem.psd import blend_from_text

    return blend_from_text("large=0.5,small=0.5", _grades())


def _packing(**kw):
    from sigdem.studies.packing import PackingStudy

    return PackingStudy(**kw)


def _calender(**kw):
    from sigdem.studies.calendering import CalenderingStudy

    return CalenderingStudy(**kw)


def _pellet(**kw):
    from sigdem.studies.pellet import PelletStudy

    return PelletStudy(_blend(), side_um=100.0, **kw)


def _api_rows():
    from sigdem.deck import Numerics
    from sigdem.inputs import check_root
    from sigdem.model.materials import Material
    from sigdem.psd import Blend, Grade, LogNormalPSD, lognormal_from_d10_d50_d90, lognormal_from_d50_span

    return [
        ("packing-blend-dict", lambda t: _packing(blend={"large": 1.0}), "blend", "dict", "a sigdem.psd.Blend"),
        ("packing-material-str", lambda t: _packing(blend=_blend(), material="graphite"), "material", "'graphite'",
         "a sigdem.model.materials.Material"),
        ("packing-floor-str", lambda t: _packing(blend=_blend(), floor="copper"), "floor", "'copper'", "Material"),
        ("packing-numerics-dict", lambda t: _packing(blend=_blend(), numerics={}), "numerics", "dict", "Numerics"),
        ("packing-n-float", lambda t: _packing(blend=_blend(), n_particles=2.5), "n_particles", "2.5", "[20, "),
        ("calender-blend-str", lambda t: _calender(blend="small=1"), "blend", "'small=1'", "a sigdem.psd.Blend"),
        ("calender-material-str", lambda t: _calender(blend=_blend(), calender_material="graphite"),
         "calender_material", "'graphite'", "Material"),
        ("calender-targets", lambda t: _calender(blend=_blend(), target_densities_g_cc=(1.5, 3.0)),
         "target_densities_g_cc", "3", "(0.904, 2.26)"),
        ("calender-seed", lambda t: _calender(blend=_blend(), seed=-3), "seed", "-3", "[0, "),
        ("d50-in-metres", lambda t: lognormal_from_d50_span(1.9e-5, 1.0), "median_um", "1.9e-05", "0.05-5000 µm"),
        ("d-values-in-metres", lambda t: lognormal_from_d10_d50_d90(1e-5, 2e-5, 3e-5), "d10_um", "1e-05",
         "0.05-5000 µm"),
        ("median-in-nm", lambda t: LogNormalPSD(19000.0, 1.5), "median_um", "19000", "0.05-5000 µm"),
        ("grade-name-space", lambda t: Grade("a b", LogNormalPSD(10.0, 1.5), 2.26), "name", "'a b'", "1-40 letters"),
        ("grade-density", lambda t: Grade("a", LogNormalPSD(10.0, 1.5), 0.0), "density_g_cc", "0", "<= 30"),
        ("blend-sum", lambda t: Blend(_grades(), (0.5, 0.5, 0.5)), "mass_fractions", "1.5", "within 0.001"),
        ("material-density", lambda t: Material("x", 0.0, 10.0, 0.3, 0.5, 0.3), "material.density_g_cc", "0",
         "(0, 30]"),
        ("material-name", lambda t: Material("x;y", 2.0, 10.0, 0.3, 0.5, 0.3), "material.name", "'x;y'",
         "1-32 letters"),
        ("numerics-gravity", lambda t: Numerics(gravity_g=0.0), "numerics.gravity_g", "0", "(0, 1e+09]"),
        ("pellet-die-str", lambda t: _pellet(die="Cylinder"), "die", "'Cylinder'", "allowed: periodic, cylinder"),
        ("pellet-die-int", lambda t: _pellet(die=3), "die", "3", "allowed: periodic, cylinder, cell"),
        ("pellet-die-friction-inf", lambda t: _pellet(die="cylinder", die_friction=float("inf")), "die_friction",
         "inf", "[0, 2]"),
        ("pellet-die-friction-str", lambda t: _pellet(die="cylinder", die_friction="0.3"), "die_friction", "'0.3'",
         "[0, 2]"),
        ("root-file", lambda t: check_root("root", t / "plain.txt"), "root", "plain.txt", "creatable directory"),
        ("root-uncreatable", lambda t: check_root("root", "/proc/sigdem-no/such"), "root", "/proc/sigdem-no/such",
         "creatable directory"),
    ]


API = _api_rows()


@pytest.mark.parametrize("call, field, value, allowed", [r[1:] for r in API], ids=[r[0] for r in API])
def test_api_refuses_with_field_value_and_range(call, field, value, allowed, tmp_path):
    (tmp_path / "plain.txt").write_text("x")
    with pytest.raises(InputError) as err:
        call(tmp_path)
    assert err.value.field == field
    assert value in str(err.value) and allowed in str(err.value), str(err.value)


CSV = [
    ("size-nm-as-um", "size_um,cum_percent\n0.001,0\n10,100\n", "size_um", "0.001", "0.01-10000 µm"),
    ("size-m-huge", "d_mid_um,percent\n10,50\n1e6,50\n", "d_mid_um", "1e+06", "0.01-10000 µm"),
    ("unknown-header", "foo,bar\n1,50\n2,50\n", "csv", "foo", "allowed: d_low_um"),
    ("class-sum", "size_um;volume %\n5;40\n10;50\n", "volume %", "90", "99..101 %"),
    ("cum-decreasing", "Size/um\tQ3 (%)\n1\t0\n2\t60\n3\t50\n4\t100\n", "Q3 (%)", "Q3 (%)", "non-decreasing"),
    ("cum-short", "size_um,cumulative %\n1,0\n2,60\n4,90\n", "cumulative %", "90", "end 99..101 %"),
    ("cell-text", "diameter (µm),q3\n1,50\n2,abc\n", "q3", "abc", "finite numbers"),
    ("negative", "x,q3\n1,110\n2,-10\n", "q3", "negative", "values >= 0"),
    ("edges-gap", "d_low_um,d_high_um,percent\n1,2,50\n3,4,50\n", "d_high_um", "d_high_um", "contiguous"),
]


@pytest.mark.parametrize("text, field, value, allowed", [r[1:] for r in CSV], ids=[r[0] for r in CSV])
def test_psd_tables_refused_naming_the_column(text, field, value, allowed, tmp_path):
    from sigdem.psd import read_psd_csv

    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_psd_csv(path)
    assert err.value.field == field
    assert value in str(err.value) and allowed in str(err.value), str(err.value)


PROFILE = [
    ("tasks-0", 'partition = "compute"\ntasks_per_job = 0\n', "tasks_per_job", "0", "[1, 4096]"),
    ("partition-injection", 'partition = "a;b"\n', "partition", "'a;b'", "letters, digits"),
    ("time-format", 'partition = "compute"\ntime = "25h"\n', "time", "'25h'", "HH:MM:SS"),
    ("mem-format", 'partition = "compute"\nmem = "lots"\n', "mem", "'lots'", "K, M, G or T"),
]


@pytest.mark.parametrize("text, field, value, allowed", [r[1:] for r in PROFILE], ids=[r[0] for r in PROFILE])
def test_cluster_profiles_refused(text, field, value, allowed, tmp_path):
    from sigdem.hpc import load_profile

    path = tmp_path / "cluster.toml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_profile(path)
    assert err.value.field.endswith(field)
    assert value in str(err.value) and allowed in str(err.value), str(err.value)


def test_at_least_forty_rows():
    assert len(CLI) + len(API) + len(CSV) + len(PROFILE) >= 40


def test_tolerated_inputs_are_accepted(tmp_path, capsys):
    """The other side of the table: rounded fractions, display names, odd roots and export dialects work."""
    (tmp_path / "g.csv").write_text("Size/um;Q3 (%)\n3;0\n8;20\n12;50\n18;80\n40;100\n")
    root = tmp_path / "my runs ä"
    assert main(["pack", "--blend", "large=0.33,middle=0.33,small=0.33", "--root", str(root), "--dry-run"]) == 0
    assert main(["calender", "--psd", f"SiG-1={tmp_path / 'g.csv'}", "--root", str(root), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing was run" in out and "estimated time" in out
