"""`sigdem pellet` and `sigdem calibrate` honour every option they accept: --dry-run runs nothing, --psd grades are
the ones pressed, --submit hands the chains to Slurm (pretend here), --collect runs nothing, and what calibrate
cannot do is refused naming the option. Nothing here runs LAMMPS."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from sigdem.cli import main
from sigdem.cli.helpers import default_blend_text, grades_of
from sigdem.psd import blend_from_text, paper_grades
from sigdem.studies.dryrun import PELLET_SERVO_FACTOR, PELLET_SERVO_FACTORS, pellet_plan, pellet_servo_factor
from sigdem.studies.pellet import CELL_SERVO_GAIN, CELL_SERVO_SPEED_M_S, WALLED_SERVO_GAIN, PelletStudy

PSD = "Size/um;Q3 (%)\n3;0\n8;20\n12;50\n18;80\n40;100\n"


@pytest.fixture
def no_lammps(monkeypatch):
    """Any LAMMPS run or Slurm submission fails the test."""
    from sigdem.hpc import slurm
    from sigdem.run import runners

    def refuse(*args, **kw):
        raise AssertionError("a run or a submission started")

    monkeypatch.setattr(runners, "execute", refuse)
    monkeypatch.setattr(slurm, "submit", refuse)


def test_dry_run_prints_the_plan_and_creates_nothing(tmp_path, capsys, no_lammps):
    root = tmp_path / "runs"
    assert main(["pellet", "--side-um", "105", "--replicates", "2", "--root", str(root), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert not root.exists()
    plan = pellet_plan(PelletStudy(blend_from_text("small=1.0", paper_grades()), side_um=105.0, replicates=2))
    assert out.splitlines() == plan.lines()
    assert "dry run: nothing was run" in out and f"{plan.n_particles} per bed x 2 bed(s)" in out


def test_the_dry_run_costs_the_default_series_near_its_measured_time(monkeypatch):
    """The default SiG series on sigdem's plugin took 15.6 min on 2 ranks (benchmarks/results/
    pellet_press_step_2026-12-05/series/start_end_utc.txt: 936 s, so <= 1,872 s of one core). Its dry run, costed for
    the plugin, must lie within 1.5x of that (the constants it had before 5 Dec said 2.3 h, 4.4x); costed for pair
    granular and LAMMPS's mdr it must cost more, as measured (1.4-1.7x on the cell)."""
    from datetime import datetime

    from sigdem.run import plugin

    folder = Path(__file__).parents[1] / "benchmarks/results/pellet_press_step_2026-12-05/series"
    start, end = (datetime.fromisoformat(t.replace("Z", "+00:00"))
                  for t in (folder / "start_end_utc.txt").read_text().split())
    measured_cpu_s = 2 * (end - start).total_seconds()
    study = PelletStudy(blend_from_text("small=1.0", paper_grades()), replicates=1)
    monkeypatch.setattr(plugin, "kernel_path", lambda: Path("/plugin.so"))
    fast = pellet_plan(study, kernel="auto")
    slow = pellet_plan(study, kernel="granular")
    assert fast.costs.kernel == "hmr" and slow.costs.kernel == "granular"
    assert measured_cpu_s / 1.5 < fast.seconds_per_bed < 1.5 * measured_cpu_s
    assert 1.3 < slow.seconds_per_bed / fast.seconds_per_bed < 2.0
    monkeypatch.setattr(plugin, "kernel_path", lambda: None)
    assert pellet_plan(study).costs.kernel == "granular"  # auto without a plugin: what runs is pair granular


def test_the_bounded_split_without_the_plugin_is_refused_before_the_settle(tmp_path, capsys, monkeypatch, no_lammps):
    """Not after the settle, at the mdr stage: the run, its dry run and the calendering study refuse it up front."""
    from sigdem.run import plugin

    monkeypatch.setattr(plugin, "kernel_path", lambda: Path("/plugin.so"))
    for argv in (["pellet", "--kernel", "granular"], ["pellet", "--kernel", "granular", "--dry-run"],
                 ["calender", "--contact", "mdr", "--kernel", "granular"]):
        assert main([*argv, "--root", str(tmp_path / "runs"), "--mdr-unload-split", "bounded", "--quiet"]) == 2, argv
        err = capsys.readouterr().err
        assert "contact.unload_split 'bounded'" in err and "kernel='granular'" in err, argv
    from sigdem.run import runners

    for module in (plugin, runners):    # runners holds its own name for it
        monkeypatch.setattr(module, "kernel_path", lambda: None)
    assert main(["pellet", "--root", str(tmp_path / "runs"), "--mdr-unload-split", "bounded", "--quiet"]) == 2
    assert "sigdem kernel build" in capsys.readouterr().err
    assert not any((tmp_path / "runs").glob("*/"))


def test_pellet_plan_scales_with_the_stroke_and_the_servo_speed():
    """The press steps are the stroke at the servo's top speed x the servo factor: half the steps at twice the
    speed; the releases do not change with the press speed (mdr caps them at 0.1 m/s)."""
    blend = blend_from_text("small=1.0", paper_grades())
    slow, fast = (PelletStudy(blend, side_um=105.0, speed_m_s=v) for v in (0.1, 0.2))
    a, b = pellet_plan(slow), pellet_plan(fast)
    press = [int(re.search(r"press ~([\d,]+)", p.note).group(1).replace(",", "")) for p in (a, b)]
    releases = [re.search(r"releases ~([\d,]+)", p.note).group(1) for p in (a, b)]
    assert press[1] == pytest.approx(press[0] / 2, abs=1) and releases[0] == releases[1]
    h1 = slow.solid_volume_um3 / (slow.die_area_um2 * slow.max_solid_fraction)
    assert press[0] == pytest.approx(PELLET_SERVO_FACTOR * (slow.fill_height_um - h1) / (0.1 * a.dt_us * slow.press_step_factor), rel=1e-3)  # the sample's volume
    cell = PelletStudy(blend, side_um=105.0)  # the cell's own servo, 0.4 m/s at gain 1: its measured factor
    c = pellet_plan(cell)
    steps = int(re.search(r"press ~([\d,]+)", c.note).group(1).replace(",", ""))
    # it approaches each target at 4x the step (0.16 against mdr's 0.04, CELL_PRESS_TIMESTEP_FRACTION)
    assert cell.press_step_factor == 4.0 and "at 4x the step" in c.note
    assert steps == pytest.approx(PELLET_SERVO_FACTORS[1.0] * (cell.fill_height_um - h1) / (0.4 * c.dt_us * 4.0), rel=1e-3)
    assert (pellet_servo_factor(0.9), pellet_servo_factor(3.0)) == (PELLET_SERVO_FACTORS[1.0], PELLET_SERVO_FACTORS[4.0])


def test_the_cell_servo_is_the_walled_one_near_a_target_and_up_to_4x_faster_far_from_it(capsys):
    """The mdr cell's default servo (0.4 m/s at gain 1) moves the punch as the walled dies' 0.1 m/s at gain 4
    (the servo the cell's series were measured with before) once the pressure is within 25 % of the target, and up
    to 4x faster further away; a speed given alone keeps gain 4; both reach the deck; a bad gain is refused."""
    blend = blend_from_text("small=1.0", paper_grades())
    cell, walled = PelletStudy(blend), PelletStudy(blend, contact=None)
    assert (cell.die, cell.speed_m_s, cell.servo_gain) == ("cell", CELL_SERVO_SPEED_M_S, CELL_SERVO_GAIN) == ("cell", 0.4, 1.0)
    assert (walled.die, walled.speed_m_s, walled.servo_gain) == ("periodic", 0.1, WALLED_SERVO_GAIN) == ("periodic", 0.1, 4.0)

    def punch_speed(study, error):  # pellet_press.lmp's vraw
        return study.speed_m_s * max(-1.0, min(1.0, study.servo_gain * error))

    for error in (0.001, 0.01, 0.1, 0.25, -0.1):
        assert punch_speed(cell, error) == pytest.approx(punch_speed(walled, error), rel=1e-12)
    assert [punch_speed(cell, e) / punch_speed(walled, e) for e in (0.5, 1.0)] == pytest.approx([2.0, 4.0])
    assert (PelletStudy(blend, speed_m_s=0.2).servo_gain, PelletStudy(blend, speed_m_s=0.2, servo_gain=2.0).servo_gain) == (4.0, 2.0)
    proto = cell.protocol()
    assert (proto.speed_m_s, proto.servo_gain, proto.unload_speed_m_s) == (0.4, 1.0, 0.1)  # releases stay at mdr's 0.1
    assert main(["pellet", "--servo-gain", "0", "--dry-run"]) == 2
    assert "servo_gain: 0.0 is outside the allowed range [0.1, 1000]" in capsys.readouterr().err


def test_psd_grades_are_the_ones_pressed(tmp_path, capsys, no_lammps):
    """--psd was accepted and ignored before: the study pressed the paper's small grade."""
    (tmp_path / "g.csv").write_text(PSD)
    argv = ["pellet", "--psd", f"SiG-1={tmp_path / 'g.csv'}", "--root", str(tmp_path / "runs"), "--dry-run"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    grades = grades_of(argparse.Namespace(psd=[f"SiG-1={tmp_path / 'g.csv'}"], density_g_cc=None))
    study = PelletStudy(blend_from_text(default_blend_text(grades), grades))
    assert out.splitlines() == pellet_plan(study).lines()
    paper = pellet_plan(PelletStudy(blend_from_text("small=1.0", paper_grades())))
    assert paper.lines() != out.splitlines()


def test_submit_pretend_renders_the_settles_and_prints_the_chain(tmp_path, capsys, no_lammps):
    root = tmp_path / "runs"
    argv = ["pellet", "--side-um", "60", "--replicates", "2", "--root", str(root), "--submit", "--pretend"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    settles = sorted(p for p in root.iterdir() if p.name.startswith("settle-"))
    assert len(settles) == 2
    assert all(json.loads((p / "status.json").read_text())["state"] == "rendered" for p in settles)
    assert [int(n) + 1 for n in re.findall(r"#SBATCH --array=0-(\d+)", out)] == [2, 2]
    assert [m.group(1) for m in re.finditer(r"sigdem\.hpc\.task (--\w+)", out)] == ["--folder", "--deck"]
    assert not (root / "_slurm").exists()


def test_collect_runs_nothing_and_names_the_unfinished_folder(tmp_path, capsys, no_lammps):
    """--collect was accepted and ignored before: the study ran here."""
    root = tmp_path / "runs"
    assert main(["pellet", "--side-um", "60", "--root", str(root), "--collect"]) == 2
    err = capsys.readouterr().err
    assert "settle-" in err and "not 'done'" in err, err
    assert not any(root.glob("*-*"))  # nothing rendered


@pytest.mark.parametrize("argv, field, allowed", [
    (["pellet", "--workers", "0"], "workers", "[1, "),
    (["pellet", "--submit", "--collect"], "collect", "one of them"),
    (["pellet", "--dry-run", "--submit"], "dry_run", "one of them"),
    (["pellet", "--pretend"], "pretend", "only with --submit"),
    (["calender", "--collect", "--dry-run"], "dry_run", "one of them"),
    (["pack", "--submit", "--collect"], "collect", "one of them"),
    (["ternary", "--profile", "cluster.toml"], "profile", "only with --submit"),
    (["calibrate", "--measured", "{csv}", "--submit"], "submit", "without --submit or --collect"),
    (["calibrate", "--measured", "{csv}", "--collect"], "collect", "without --submit or --collect"),
    (["calibrate", "--measured", "{csv}", "--max-evaluations", "3"], "max_evaluations", "[5, 100]"),
    (["calibrate", "--measured", "{csv}", "--workers", "-1"], "workers", "[1, "),
])
def test_refusals_name_the_option(argv, field, allowed, tmp_path, capsys, no_lammps):
    (tmp_path / "m.csv").write_text("pressure_mpa,density_g_cc\n10,1.5\n50,1.8\n100,1.95\n")
    argv = [a.replace("{csv}", str(tmp_path / "m.csv")) for a in argv] + ["--root", str(tmp_path / "runs")]
    assert main(argv) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith(f"sigdem: error: {field}: ") and allowed in line, line


def test_calibrate_dry_run_counts_every_evaluation(tmp_path, capsys, no_lammps):
    (tmp_path / "m.csv").write_text("pressure_mpa,density_g_cc\n10,1.5\n50,1.8\n100,1.95\n")
    argv = ["calibrate", "--measured", str(tmp_path / "m.csv"), "--replicates", "2", "--max-evaluations", "6",
            "--root", str(tmp_path / "runs"), "--dry-run"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "x 12 bed(s)" in out and "at most 6 evaluations" in out and not (tmp_path / "runs").exists()
