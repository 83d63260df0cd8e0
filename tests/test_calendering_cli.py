"""``sigdem calender``: options, errors, and one small live run."""

import pytest

from sigdem.cli import build_parser, main


def test_calender_defaults_are_the_papers():
    args = build_parser().parse_args(["calender"])
    # the blend default (SiG, small=1.0) is resolved when the command runs (--psd grades change it)
    assert tuple(float(x) for x in args.targets.split(",")) == (1.0, 1.3, 1.5, 1.6, 1.75) and args.blend is None
    assert args.contact == "mdr" and args.side_um is None  # representative mdr beds by default
    assert (args.modulus_scale, args.speed_m_s, args.threshold_gpa) == (0.01, None, 1.5)  # None: the study's own


def test_wall_speed_default_is_the_proven_one_per_contact_model():
    """mdr: the 0.4 m/s the convergence benchmark proved (benchmarks/calender_numerics.py); Hertz: 0.1 m/s as before."""
    from sigdem.psd import blend_from_text, paper_grades
    from sigdem.studies.calendering import CALENDER_WALL_SPEED_M_S, CalenderingStudy

    sig = blend_from_text("small=1.0", paper_grades())
    assert CalenderingStudy(sig).speed_m_s == CALENDER_WALL_SPEED_M_S == 0.4
    assert CalenderingStudy(sig, contact=None).speed_m_s == 0.1
    assert CalenderingStudy(sig, contact=None, speed_m_s=0.2).speed_m_s == 0.2


def test_calender_cli_builds_the_studys_default_mdr_contact(monkeypatch, tmp_path):
    """The command line's mdr contact is the study's default one (its converged time step), not MdrContact()."""
    import sigdem.studies.calendering_run as calendering_run
    from sigdem.studies.calendering import CALENDER_MDR_TIMESTEP_FRACTION, CalenderingStudy

    seen = {}

    def fake_run(study, *a, **k):
        seen["study"] = study
        raise SystemExit(0)

    monkeypatch.setattr(calendering_run, "run_calendering", fake_run)
    with pytest.raises(SystemExit):
        main(["calender", "--root", str(tmp_path), "--yield-stress-gpa", "0.2"])
    contact = seen["study"].contact
    default = CalenderingStudy.__dataclass_fields__["contact"].default
    assert contact.timestep_fraction == CALENDER_MDR_TIMESTEP_FRACTION == default.timestep_fraction
    assert contact.yield_stress_gpa == 0.2
    assert contact.psi_b == 0.5 == default.psi_b  # the model's own bulk-response threshold unless --psi-b

    with pytest.raises(SystemExit):
        main(["calender", "--root", str(tmp_path), "--psi-b", "0"])
    assert seen["study"].contact.psi_b == 0.0 and seen["study"].contact.timestep_fraction == default.timestep_fraction


def test_pellet_cli_passes_psi_b_to_the_contact():
    from sigdem.cli.pellet import _pellet_study

    assert _pellet_study(build_parser().parse_args(["pellet"])).contact.psi_b == 0.5
    assert _pellet_study(build_parser().parse_args(["pellet", "--psi-b", "0.25"])).contact.psi_b == 0.25


def test_the_mdr_math_option_reaches_the_contact_and_only_mdr_takes_it(capsys, tmp_path):
    """--mdr-math vector reaches MdrContact.math; refused with Hertz contacts and on the walled dies, whose mdr is
    LAMMPS's, before any folder is made."""
    from sigdem.cli.pellet import _pellet_study

    assert _pellet_study(build_parser().parse_args(["pellet"])).contact.math == "libm"
    assert _pellet_study(build_parser().parse_args(["pellet", "--mdr-math", "vector"])).contact.math == "vector"
    assert main(["calender", "--root", str(tmp_path), "--contact", "hertz", "--mdr-math", "vector"]) == 2
    assert "mdr_math" in capsys.readouterr().err
    assert main(["pellet", "--root", str(tmp_path), "--die", "cylinder", "--mdr-math", "vector"]) == 2
    assert "contact.math: 'vector'" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_the_unload_split_option_reaches_the_contact_and_only_mdr_takes_it(capsys, tmp_path):
    from sigdem.cli.pellet import _pellet_study

    assert _pellet_study(build_parser().parse_args(["pellet"])).contact.unload_split == "lammps"
    args = build_parser().parse_args(["pellet", "--mdr-unload-split", "bounded"])
    assert _pellet_study(args).contact.unload_split == "bounded"
    assert main(["pellet", "--root", str(tmp_path), "--contact", "hertz", "--mdr-unload-split", "bounded"]) == 2
    assert "mdr_unload_split" in capsys.readouterr().err
    assert main(["pellet", "--root", str(tmp_path), "--die", "cylinder", "--mdr-unload-split", "bounded"]) == 2
    assert "contact.unload_split" in capsys.readouterr().err
    assert main(["calender", "--root", str(tmp_path), "--contact", "hertz", "--mdr-unload-split", "bounded"]) == 2
    assert "mdr_unload_split" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("argv,field", [(["--targets", "1.3,abc"], "targets"), (["--targets", "1.5,1.3"], "target"),
                                        (["--blend", "huge=1.0"], "fractions"), (["--binder", "0.7"], "binder"),
                                        (["--modulus-scale", "2"], "modulus_scale"),
                                        (["--contact", "plastic"], "contact"),
                                        (["--contact", "mdr", "--yield-stress-gpa", "-1"], "yield_stress_gpa")])
def test_calender_refuses_bad_input_before_running(argv, field, capsys, tmp_path):
    assert main(["calender", "--root", str(tmp_path), *argv]) == 2
    assert field in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


@pytest.mark.lammps
def test_calender_runs_and_prints_a_summary(capsys, tmp_path):
    # a small box (2.3 largest diameters: allowed, warned, representative = False) and the elastic comparison,
    # to keep the run short; the mdr default is run by tests/test_mdr.py
    argv = ["calender", "--blend", "small=1.0", "--side-um", "60", "--loading-mg-cm2", "10", "--replicates", "1",
            "--targets", "1.0,1.4", "--root", str(tmp_path), "--quiet", "--contact", "hertz"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "below_settled" in out  # 1.0 g/cc is looser than the as-coated bed: said, not dropped
    assert "fracture-free" in out and "Si-film strain" in out and "springback" in out and "modulus_scale 0.01" in out
    assert len(list(tmp_path.glob("calender-*"))) == 1
