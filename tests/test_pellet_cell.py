"""Pellet in a periodic cell (``die="cell"``, mdr only): no floor, punch or die; the servo shrinks the cell.

A bed of ~50 spheres (narrow 14 µm grade, 50 µm box, 40 µm fill) settled as for the periodic box and pressed
as a cell to 10, 30 and 100 MPa (~10 s on one core). The checks: each pressure held within 2 %, the pressure
the record reports is the stress the contact table carries (Love-Weber statics, independent of LAMMPS's
stress/atom), the released cell carries no load, and the cell reuses the periodic study's settled bed.
"""

import json
import math
import re
import shutil

import numpy as np
import pandas as pd
import pytest

import sigdem.studies.pellet as pellet_module

from sigdem.analysis.periodic_images import DoubleImageContacts
from sigdem.cli import main
from sigdem.deck import PELLET_CELL_MDR, Calender, Deck, Pellet, PeriodicCell, RunRecord, Settle
from sigdem.deck.templates import template_path
from sigdem.errors import EngineError, IncompleteRunError, InputError
from sigdem.io.dumps import read_last_frame
from sigdem.io.folder import RunFolder
from sigdem.io.logs import read_table
from sigdem.model.contact import MdrContact
from sigdem.run.branches import (_truncate_records, branch_state, chain_stop, due_resume, resume_state, resumed_from,
                                  run_release_branches)
from sigdem.run.launch import lmp_argv
from sigdem.run.stops import stop_tag
from sigdem.psd import blend_from_fractions, graphite_grade
from sigdem.studies.pellet import PelletStudy, run_pellet
from sigdem.studies.pellet_analysis import (RELEASE_KE_JUMP_LIMIT, PelletResult, _press_thermo, analyse_replicate,
                                            press_end, release_ke_jump)

BLEND = blend_from_fractions((graphite_grade("narrow", 14.0, span=0.6),), narrow=1.0)
SMALL = dict(side_um=50.0, fill_height_um=40.0, replicates=1, speed_m_s=0.5, servo_gain=4.0, window_steps=500,
             relax_steps=5000)
PRESSURES = (10.0, 30.0, 100.0)


@pytest.fixture(scope="module")
def cell(tmp_path_factory):
    root = tmp_path_factory.mktemp("pellet_cell")
    study = PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="cell", **SMALL)
    result = run_pellet(study, root)
    folder = RunFolder(root / result.replicates["pellet_folder"].iloc[0])
    return {"root": root, "study": study, "result": result, "folder": folder}


@pytest.mark.lammps
def test_each_pressure_is_held_within_2_percent_and_density_rises(cell):
    t = cell["result"].pellets.sort_values("target_pressure_mpa")
    assert list(t["target_pressure_mpa"]) == pytest.approx(PRESSURES)
    assert t["held"].all()
    assert np.all(np.abs(t["pressure_error"]) <= 0.02)
    assert np.all(np.abs(t["pressure_now_mpa"] / t["target_pressure_mpa"] - 1) <= 0.02)
    assert np.all(np.diff(t["density_loaded_g_cc"]) > 0)
    assert np.all(t["density_loaded_g_cc"] > t["poured_density_g_cc"])
    # no floor, no gravity: what the punch carries is all there is
    assert np.all(t["force_transmission"] == 1.0) and np.all(t["weight_fraction"] == 0.0)


@pytest.mark.lammps
def test_each_target_counts_its_pairs_touching_through_two_periodic_images(cell):
    """The rows' double_image_pairs are what DoubleImageContacts finds in each target's particles and box (a thin
    cell's pairs whose two contacts LAMMPS gives one history at a rebuild), read from the target dumps again."""
    t = cell["result"].pellets.sort_values("target_pressure_mpa")
    for k, n in zip(t["record"], t["double_image_pairs"]):
        frame = read_last_frame(cell["folder"].fn(f"target_{int(k)}.dump"))
        assert frame.box.boundary == ("pp", "pp", "pp")
        assert n == DoubleImageContacts().compute(frame.data, frame.box).n_pairs
    summary = cell["result"].summary().set_index("target_pressure_mpa")
    assert list(summary["double_image_pairs"]) == list(t.groupby("target_pressure_mpa")["double_image_pairs"].max())


@pytest.mark.lammps
def test_the_recorded_pressure_is_the_stress_the_contacts_carry(cell):
    """P_zz = (1/V) sum over contacts of f_z b_z (Love-Weber) from the contact table, V = lx ly lz of the dump's
    box: independent of the stress/atom sum the deck servoes on. Equal to 1e-6 or better up to 30 MPa; at 100 MPa
    (solid fraction ~0.85) the table's forces, mdr's single() evaluated after the step, differ from those the pair
    tallied by -3.7e-6, +8.1e-6 and -1.25e-5 of the pressure with the approach at 0.04, 0.08 and 0.16 (5 Dec 2026;
    not missing pairs: without the table's radius cutoff the same 222 pairs carry a force), hence 3e-5."""
    folder, stage = cell["folder"], PELLET_CELL_MDR
    targets = read_table(folder.fn("targets.txt")).set_index("k")
    for k, row in targets.iterrows():
        frame = read_last_frame(folder.fn(stage.record_file("contacts", int(k))))
        c = frame.data
        b = c[["branch_x", "branch_y", "branch_z"]].to_numpy(float)
        fz = c["fn"].to_numpy(float) * b[:, 2] / np.linalg.norm(b, axis=1) + c["ft_z"].to_numpy(float)
        lx, ly, lz = (hi - lo for lo, hi in zip(frame.box.lo, frame.box.hi))
        assert frame.box.boundary == ("pp", "pp", "pp")
        assert lz == pytest.approx(row["ztop"], rel=1e-9)  # the cell height is the record's ztop
        p_contacts = float(np.sum(fz * b[:, 2])) / (lx * ly * lz)
        assert p_contacts == pytest.approx(row["pressure_top"], rel=3e-5)


@pytest.mark.lammps
def test_the_released_cell_carries_no_load_springs_back_and_keeps_every_particle(cell):
    t = cell["result"].pellets
    held = t["pressure_reached_mpa"]
    # released once its stress fell to 1e-4 of the held one; held at that height while relaxing, the pellet pushes
    # back with a small fraction of the held pressure: 0.01-0.28 % here, over the approach steps 0.04, 0.08 and 0.16
    # (5 Dec 2026: 0.07, 0.07, 0.01 %; 0.07, 0.03, 0.01 %; 0.28, 0.01, 0.02 % at 10, 30, 100 MPa)
    assert np.all(t["relaxed_wall_pressure_mpa"] <= 5e-3 * held)
    assert np.all(t["springback_height"] > 0) and np.all(t["elastic_recovery"] > 0)
    assert np.all(t["density_relaxed_g_cc"] < t["density_loaded_g_cc"])
    assert np.all(t["lost_particles"] == 0)
    n = int(t["n_particles"].iloc[0])
    for k in range(1, len(PRESSURES) + 1):
        for kind in ("atoms", "released", "relaxed"):
            atoms = read_last_frame(cell["folder"].fn(PELLET_CELL_MDR.record_file(kind, k))).data
            assert len(atoms) == n
    # no wall contacts: the dumps' wall-force columns are zeros
    atoms = read_last_frame(cell["folder"].fn("target_3.dump")).data
    assert (atoms[["floor_fx", "floor_fz", "top_fx", "top_fz"]].to_numpy() == 0).all()


@pytest.mark.lammps
def test_the_cell_presses_the_periodic_studys_settled_bed_with_its_own_script(cell):
    study, folder = cell["study"], cell["folder"]
    periodic = PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="periodic", **SMALL)
    assert study.bed_statepoint() == periodic.bed_statepoint()  # the same settle folders
    assert folder.path.name.startswith("pellet_cell_mdr-")
    deck = study.pellet_deck(RunFolder(cell["root"] / f"settle-{cell['result'].replicates['settle_job'].iloc[0]}"))
    assert deck.stage is PELLET_CELL_MDR
    assert deck.area_um2 == pytest.approx(50.0 * 50.0)
    assert deck.stage is not periodic.pellet_deck(deck.start).stage
    script = template_path("pellet_cell_mdr").read_text()
    assert "wall/gran" not in script and "fix             squeeze all deform 1 z variable v_zctl v_zrate remap x" in script
    assert script.rstrip().endswith("include         ${dir}/pellet_press.lmp")
    assert cell["result"].replicates["die"].iloc[0] == "cell"
    factors = cell["result"].factors()  # stated in every result: no punch or floor in a cell
    assert factors["die"].startswith("periodic cell") and "punch" not in factors["contact_model"]


def test_the_cell_is_refused_with_hertz_and_outside_the_pellet_stage_naming_the_field():
    with pytest.raises(InputError) as err:
        PelletStudy(BLEND, die="cell", contact=None, **SMALL)
    assert err.value.field == "die" and "mdr" in str(err.value)
    bed = PelletStudy(BLEND, **SMALL).settle_deck(0).bed
    with pytest.raises(InputError) as err:
        Deck(bed, protocol=Settle(), die=PeriodicCell())
    assert err.value.field == "deck.die" and "pellet_mdr" in str(err.value)
    with pytest.raises(InputError) as err:
        Deck(bed, protocol=Calender(), contact=MdrContact(), die=PeriodicCell())
    assert err.value.field == "deck.die"


def test_mdr_presses_a_cell_by_default_and_hertz_the_walled_box_in_the_api_and_the_cli():
    from sigdem.cli import build_parser
    from sigdem.cli.pellet import _pellet_study

    assert PelletStudy(BLEND).die == "cell" and PelletStudy(BLEND, contact=None).die == "periodic"
    assert PelletStudy(BLEND, die="periodic").die == "periodic"
    assert _pellet_study(build_parser().parse_args(["pellet"])).die == "cell"
    assert _pellet_study(build_parser().parse_args(["pellet", "--contact", "hertz"])).die == "periodic"
    bed = PelletStudy(BLEND, **SMALL).settle_deck(0).bed
    assert bed.fingerprint() == PelletStudy(BLEND, die="periodic", **SMALL).settle_deck(0).bed.fingerprint()  # one bed


def test_the_cli_refuses_a_hertz_cell_before_lammps(capsys, tmp_path):
    assert main(["pellet", "--die", "cell", "--contact", "hertz", "--root", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "die" in err and "mdr" in err
    assert not any(tmp_path.iterdir())


def test_release_ke_jump_is_the_largest_rise_between_thermo_rows_inside_the_release():
    steps = np.arange(0, 11_000, 1000)
    smooth = pd.DataFrame({"step": steps, "ke": 2.0 * 1.5 ** np.arange(steps.size)})  # x1.5 per row
    assert release_ke_jump(smooth, 2000, 9000) == pytest.approx(1.5)
    spiked = smooth.copy()
    spiked.loc[spiked["step"] == 6000, "ke"] *= 400.0  # 1.5 x 400 = 600 over the row before it
    assert release_ke_jump(spiked, 2000, 9000) == pytest.approx(600.0)
    assert release_ke_jump(spiked, 6000, 9000) == pytest.approx(1.5)  # the window starts after the held record
    assert release_ke_jump(spiked, 2000, 5000) == pytest.approx(1.5)
    falling = pd.DataFrame({"step": steps, "ke": 100.0 / (1 + np.arange(steps.size))})
    assert release_ke_jump(falling, 0, 10_000) == 1.0 and release_ke_jump(smooth, 4000, 5000) == 1.0  # one row


#: The row values that come from the released and relaxed records.
RELEASE_VALUES = ("density_released_g_cc", "h_released_um", "density_relaxed_g_cc", "h_relaxed_um", "springback_height",
                  "springback_density", "elastic_recovery", "relaxed_wall_pressure_mpa", "solid_fraction_relaxed")


@pytest.mark.lammps
def test_a_clean_release_is_kept_and_one_whose_kinetic_energy_jumps_is_not_a_springback(cell, tmp_path, monkeypatch,
                                                                                        capsys):
    """The real releases rise smoothly (not flagged). A copy of the folder whose thermo.txt is given a 1000x
    jump of kinetic energy inside the second release has that record's released and relaxed values blanked
    (NaN: out of the summary and the fits) and keeps the other records as they were."""
    t = cell["result"].pellets.sort_values("record")
    assert not t["release_disturbed"].any() and np.all(t["release_ke_jump"] < RELEASE_KE_JUMP_LIMIT)
    folder = cell["folder"]
    settle = RunFolder(cell["root"] / f"settle-{cell['result'].replicates['settle_job'].iloc[0]}")
    copy = RunFolder(tmp_path / folder.path.name)
    shutil.copytree(folder.path, copy.path)
    name = "branch_2_thermo.txt"  # the second release ran from its restart: its thermo rows are its own
    thermo = read_table(folder.fn(name))
    held = int(read_table(folder.fn("targets.txt")).set_index("k").loc[2, "step"])
    extra = thermo.iloc[[0, 0]].copy()  # two rows right after the held record: the second 1000x the first
    extra["step"] = [held + 1, held + 2]
    extra["ke"] = [1.0, 1000.0]
    spiked = np.vstack([thermo[thermo["step"] <= held].to_numpy(float), extra.to_numpy(float),
                        thermo[thermo["step"] > held].to_numpy(float)])
    header = folder.fn(name).read_text().splitlines()[0]
    np.savetxt(copy.fn(name), spiked, header=header.lstrip("# "), comments="# ", fmt="%.17g")
    rows = {r["record"]: r for r in analyse_replicate(settle, copy, contact_is_mdr=True)}
    assert rows[2]["release_disturbed"] and rows[2]["release_ke_jump"] == pytest.approx(1000.0)
    assert all(np.isnan(rows[2][c]) for c in RELEASE_VALUES)
    assert rows[2]["density_loaded_g_cc"] == pytest.approx(float(t.iloc[1]["density_loaded_g_cc"]), rel=0, abs=0)
    summary = PelletResult(cell["study"], pd.DataFrame(rows.values()), cell["result"].replicates).summary()
    assert list(summary["releases_disturbed"]) == [0, 1, 0]
    assert np.isnan(summary.loc[1, "springback_height"]) and summary.loc[2, "springback_height"] > 0
    assert (cell["result"].summary()["releases_disturbed"] == 0).all()
    # the CLI says so under its table (run_pellet replaced by the spiked result: no LAMMPS here)
    spiked_result = PelletResult(cell["study"], pd.DataFrame(rows.values()), cell["result"].replicates)
    monkeypatch.setattr(pellet_module, "run_pellet", lambda *a, **k: spiked_result)
    assert main(["pellet", "--quiet", "--root", str(tmp_path / "cli")]) == 0
    out = capsys.readouterr().out
    assert "at 30 MPa 1 of 1 releases were disturbed" in out and "at 10 MPa" not in out and "at 100 MPa" not in out
    for k in (1, 3):
        assert not rows[k]["release_disturbed"]
        for c in RELEASE_VALUES:
            assert rows[k][c] == float(t.iloc[k - 1][c])


@pytest.mark.lammps
def test_the_deck_stops_a_release_whose_kinetic_energy_jumps_and_presses_on_to_the_next_target(cell, tmp_path):
    """pellet_press.lmp's kinetic-energy guard, tripped on purpose: with a limit of 1.0 a release stops at the first
    check (every 100 steps) at which the kinetic energy exceeds its mean of the previous ~1,000 steps. Each
    guarded release is recorded with guard 1 and no relaxed record, the pellet is pressed on, every target is still
    held within 2 %, the first loaded record is the unguarded run's to the last digit (the same path up to there),
    and the analysis reports the guarded releases as disturbed with no springback. Pressed in cycles (the guard's
    "press on" is the cycles' way; a release branch ends there)."""
    study = PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="cell", release_ke_jump_limit=1.0,
                        release="cycles", **SMALL)
    result = run_pellet(study, tmp_path)
    folder = RunFolder(tmp_path / result.replicates["pellet_folder"].iloc[0])
    released = read_table(folder.fn("released.txt")).set_index("k")
    relaxed = read_table(folder.fn("relaxed.txt"))
    guarded = sorted(int(k) for k in released.index[released["guard"] > 0.5])
    assert guarded, "no release tripped a guard of 1.0"
    assert not set(guarded) & set(relaxed["k"].astype(int))  # a guarded release is not relaxed
    targets = read_table(folder.fn("targets.txt")).set_index("k")
    for k in guarded:  # stopped by the guard (checked every 100 steps once 1,000 steps are past), before its end
        steps = released.loc[k, "step"] - targets.loc[k, "step"]
        assert steps > 1000 and steps % 100 == 0 and released.loc[k, "pressure_top"] > 0
    t = result.pellets.set_index("record")
    assert len(t) == len(PRESSURES) and t["held"].all() and np.all(np.abs(t["pressure_error"]) <= 0.02)
    assert (t["lost_particles"] == 0).all()
    for k in guarded:
        assert t.loc[k, "release_guarded"] and t.loc[k, "release_disturbed"]
        assert all(np.isnan(t.loc[k, c]) for c in RELEASE_VALUES)
    clean = cell["result"].pellets.set_index("record")
    assert t.loc[1, "density_loaded_g_cc"] == clean.loc[1, "density_loaded_g_cc"]
    assert not clean["release_guarded"].any()
    assert list(result.summary()["releases_disturbed"]) == [int(k in guarded) for k in (1, 2, 3)]


def test_the_release_guard_is_refused_below_one_naming_the_field():
    with pytest.raises(InputError, match="release_ke_jump_limit"):
        PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="cell", release_ke_jump_limit=0.5, **SMALL)


# ---- release branches (release="restarts", the cell's default): a monotonic press, each target released from its
# restart in a LAMMPS run of its own (sigdem.run.branches)

@pytest.fixture(scope="module")
def cycles(tmp_path_factory):
    """The same bed pressed in load-release cycles (release="cycles"), for comparison."""
    root = tmp_path_factory.mktemp("pellet_cycles")
    study = PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="cell", release="cycles", **SMALL)
    result = run_pellet(study, root)
    return {"root": root, "result": result, "folder": RunFolder(root / result.replicates["pellet_folder"].iloc[0])}


@pytest.mark.lammps
def test_each_release_branch_starts_at_the_state_the_press_held(cell):
    """The restart carries positions, velocities, contact history and mdr's per-particle history: the branch's first
    evaluation gives the held pressure and kinetic energy to round-off (with mdr's history lost it would not: the
    apparent radii and plastic flattening set the force). The last target too (restart_last): the press releases
    none itself."""
    folder = cell["folder"]
    assert len(read_table(folder.fn("released.txt"))) == 0 and folder.fn(f"held_{len(PRESSURES)}.restart").exists()
    targets = read_table(folder.fn("targets.txt")).set_index("k")
    for k in range(1, len(PRESSURES) + 1):
        assert branch_state(folder, k) == {"state": "done"}
        start = read_table(folder.fn(f"branch_{k}_start.txt")).set_index("k").loc[k]
        assert start["step"] == targets.loc[k, "step"] and start["ztop"] == targets.loc[k, "ztop"]
        assert start["pressure_top"] == pytest.approx(targets.loc[k, "pressure_top"], rel=1e-9)
        assert start["ke"] == pytest.approx(targets.loc[k, "ke"], rel=1e-9)


@pytest.mark.lammps
def test_released_from_restarts_agrees_with_the_cycles(cell, cycles):
    """Up to the first target both presses take the same path, so the first release from its restart is the cycles'
    first release to round-off (a restart is not bitwise: LAMMPS's first force call of a run uses full-step
    velocities). Beyond it the cycles reload a released pellet while the restarts' press never unloads: loaded
    densities within 1 % (unload-reload hysteresis) and springbacks within 10 %."""
    r = cell["result"].pellets.set_index("record")
    c = cycles["result"].pellets.set_index("record")
    assert r.loc[1, "density_loaded_g_cc"] == c.loc[1, "density_loaded_g_cc"]
    assert r.loc[1, "springback_height"] == pytest.approx(c.loc[1, "springback_height"], rel=1e-4)
    assert np.allclose(r["density_loaded_g_cc"], c["density_loaded_g_cc"], rtol=0.01)
    assert np.allclose(r["springback_height"], c["springback_height"], rtol=0.10)
    assert (r["springback_height"] > 0).all() and not r["release_disturbed"].any()
    assert not cycles["folder"].fn("held_1.restart").exists()  # cycles write no restarts
    assert "restart" in cell["result"].factors()["pellets"] and "cycles" in cycles["result"].factors()["pellets"]


@pytest.mark.lammps
def test_a_stopped_branch_loses_its_release_only_and_a_missing_one_is_run_again(cell, tmp_path):
    """A branch LAMMPS stopped (branch_<k>.json "stopped", as written on mdr's NaN) leaves its target without
    springback and the others as they were; a branch with no state (interrupted) makes the folder incomplete
    until run_release_branches runs it again, which gives the same release (the same restart, the same steps)."""
    folder, t = cell["folder"], cell["result"].pellets.set_index("record")
    settle = RunFolder(cell["root"] / f"settle-{cell['result'].replicates['settle_job'].iloc[0]}")
    copy = RunFolder(tmp_path / folder.path.name)
    shutil.copytree(folder.path, copy.path)
    copy.fn("branch_2.json").write_text(json.dumps({"state": "stopped", "tag": "mdr_nan"}))
    rows = {r["record"]: r for r in analyse_replicate(settle, copy, contact_is_mdr=True)}
    assert rows[2]["release_stop"] == "mdr_nan" and rows[2]["release_disturbed"]
    assert all(np.isnan(rows[2][c]) for c in RELEASE_VALUES)
    assert rows[2]["density_loaded_g_cc"] == t.loc[2, "density_loaded_g_cc"] and rows[2]["held"]
    for k in (1, 3):
        assert rows[k]["release_stop"] is None
        assert all(rows[k][c] == t.loc[k, c] for c in RELEASE_VALUES)
    before = copy.fn("branch_1_released.txt").read_text()
    copy.fn("branch_1.json").unlink()
    with pytest.raises(IncompleteRunError, match="target 1"):
        analyse_replicate(settle, copy, contact_is_mdr=True)
    states = run_release_branches(copy)
    assert states[1] == {"state": "done"} and states[2]["state"] == "stopped"  # a stopped branch is not rerun
    assert copy.fn("branch_1_released.txt").read_text() == before


@pytest.mark.lammps
def test_a_branch_off_its_held_pressure_raises_unless_pairs_there_touch_through_two_images(cell, tmp_path, caplog):
    """A branch that starts 1e-3 off its held pressure stops the analysis (the restart did not carry the state),
    unless pairs of particles touch through two periodic images at that target (LAMMPS gives their two contacts one
    history at a rebuild or a restart): then a warning, and the row counts them. Here the target's dump is given a
    period in z of 12 µm, so that its particles' images crowd."""
    folder = cell["folder"]
    settle = RunFolder(cell["root"] / f"settle-{cell['result'].replicates['settle_job'].iloc[0]}")
    copy = RunFolder(tmp_path / folder.path.name)
    shutil.copytree(folder.path, copy.path)
    head, row = copy.fn("branch_2_start.txt").read_text().splitlines()
    v = row.split()
    v[3] = repr(float(v[3]) * 1.001)
    copy.fn("branch_2_start.txt").write_text(f"{head}\n{' '.join(v)}\n")
    with pytest.raises(EngineError, match="release of target 2 started"):
        analyse_replicate(settle, copy, contact_is_mdr=True)
    lines = copy.fn("target_2.dump").read_text().splitlines()
    z = next(i for i, line in enumerate(lines) if line.startswith("ITEM: BOX")) + 3
    lines[z] = "0 12"
    copy.fn("target_2.dump").write_text("\n".join(lines) + "\n")
    with caplog.at_level("WARNING"):
        rows = {r["record"]: r for r in analyse_replicate(settle, copy, contact_is_mdr=True)}
    before = cell["result"].pellets.set_index("record")["double_image_pairs"]
    assert rows[2]["double_image_pairs"] > before.loc[2]
    assert rows[1]["double_image_pairs"] == before.loc[1] and rows[3]["double_image_pairs"] == before.loc[3]
    assert "release of target 2 started" in caplog.text and "touch through two periodic images" in caplog.text


@pytest.mark.lammps
def test_a_branch_that_fails_otherwise_raises_and_writes_no_state(cell, tmp_path):
    """A branch whose restart is damaged fails for another reason than a press stop: an EngineError with the
    folder, and no branch_<k>.json, so that the next run tries it again."""
    copy = RunFolder(tmp_path / cell["folder"].path.name)
    shutil.copytree(cell["folder"].path, copy.path)
    copy.fn("branch_2.json").unlink()
    copy.fn("held_2.restart").write_bytes(copy.fn("held_2.restart").read_bytes()[:200])
    with pytest.raises(EngineError, match="target 2") as err:
        run_release_branches(copy)
    assert err.value.run_dir == copy.path and branch_state(copy, 2) is None


def _stopped_after_first_target(folder: RunFolder) -> None:
    """Make a finished cell folder look as a press LAMMPS stopped on mdr's NaN after it recorded target 1: the rows,
    dumps and branch states of the later targets removed, the folder failed, the log ending in LAMMPS's error."""
    for name in ("targets.txt", "released.txt", "relaxed.txt"):
        lines = folder.fn(name).read_text().splitlines(keepends=True)
        folder.fn(name).write_text("".join(ln for ln in lines if ln.startswith("#") or int(float(ln.split()[0])) <= 1))
    for k in (2, 3):
        for pattern in ("target_{k}.dump", "target_{k}_contacts.dump", "released_{k}.dump", "relaxed_{k}.dump",
                        "branch_{k}.json", "held_{k}.restart"):
            folder.fn(pattern.format(k=k)).unlink(missing_ok=True)
    with open(folder.fn("log.lammps"), "a") as fh:
        fh.write("ERROR on proc 0: F_MDR is NaN, non-adhesive case (src/src/GRANULAR/gran_sub_mod_normal.cpp:795)\n")
    folder.set_state("failed", reason="EngineError: lmp exited with code 1")


@pytest.mark.lammps
def test_a_press_lammps_stopped_is_resumed_from_its_last_held_restart_and_reaches_the_rest(cell, tmp_path):
    """The cell's finished press, made to look stopped on mdr's NaN after its first target, is incomplete until it is
    resumed; run_release_branches then presses on from held_1.restart, starting at the held state, holds the two
    later targets within 2 % at loaded densities within 1 % of the uninterrupted press (the same physics, another
    round-off trajectory), releases them, and the analysis reads one press with no stop. A second call runs nothing."""
    folder, t = cell["folder"], cell["result"].pellets.set_index("record")
    settle = RunFolder(cell["root"] / f"settle-{cell['result'].replicates['settle_job'].iloc[0]}")
    copy = RunFolder(tmp_path / folder.path.name)
    shutil.copytree(folder.path, copy.path)
    _stopped_after_first_target(copy)
    assert due_resume(copy) == 1 and chain_stop(copy) == ("mdr_nan", 1) and press_end(copy) == ("mdr_nan", 1)
    with pytest.raises(IncompleteRunError, match="held_1.restart"):
        analyse_replicate(settle, copy, contact_is_mdr=True)
    states = run_release_branches(copy)
    assert resumed_from(copy) == [1] and resume_state(copy, 1) == {"state": "done"} and due_resume(copy) is None
    assert set(states) == {1, 2, 3} and all(s == {"state": "done"} for s in states.values())  # restart_last: 3 too
    assert chain_stop(copy) is None and press_end(copy) is None
    targets = read_table(copy.fn("targets.txt")).set_index("k")
    start = read_table(copy.fn("resume_1_start.txt")).set_index("k")
    assert float(start.loc[1, "pressure_top"]) == pytest.approx(float(targets.loc[1, "pressure_top"]), rel=1e-9)
    rows = {r["record"]: r for r in analyse_replicate(settle, copy, contact_is_mdr=True)}
    assert sorted(rows) == [1, 2, 3]
    for k in (2, 3):
        assert rows[k]["held"] and abs(rows[k]["pressure_error"]) <= 0.02
        assert rows[k]["density_loaded_g_cc"] == pytest.approx(t.loc[k, "density_loaded_g_cc"], rel=0.01)
        assert rows[k]["springback_height"] > 0 and not rows[k]["release_disturbed"]
    assert rows[1]["density_loaded_g_cc"] == t.loc[1, "density_loaded_g_cc"]  # the record before the stop stands
    thermo = _press_thermo(copy, targets)  # the stopped run's rows after target 1, then the resumed press's
    resumed = read_table(copy.fn("resume_1_thermo.txt"))
    cut = targets.loc[1, "step"]
    assert np.all(np.diff(thermo["step"]) >= 0) and thermo["step"].iloc[-1] > targets.loc[2, "step"]
    assert np.array_equal(thermo.loc[thermo["step"] > cut, "ke"], resumed.loc[resumed["step"] > cut, "ke"])
    stamp = copy.fn("resume_1.json").stat().st_mtime_ns
    run_release_branches(copy)
    assert copy.fn("resume_1.json").stat().st_mtime_ns == stamp


def test_a_press_is_resumed_once_per_target_and_not_from_a_deck_without_the_hook(tmp_path):
    """due_resume on synthetic folders: a stopped press whose last target has a restart is due; one resumed from
    that target and stopped again without a new one is not (a rerun would stop the same way), nor is a press whose
    deck predates resumptions, nor one stopped after its last target (no restart of it)."""
    folder = RunFolder(tmp_path / "pellet_cell_mdr-0000000000000000")
    folder.path.mkdir()
    folder.fn("params.json").write_text(json.dumps({"job": "0000000000000000", "lammps_version": "x",
                                                    "sigdem_version": "x", "statepoint": {},
                                                    "variables": {"release_restart": 1, "n_targets": 3,
                                                                  "pressures": [1.0, 2.0, 3.0]}}))
    folder.fn("in.lmp").write_text("variable resume index 0\n")
    folder.fn("targets.txt").write_text("# k step\n1 100\n2 200\n")
    folder.fn("held_2.restart").write_bytes(b"")
    folder.fn("log.lammps").write_text("ERROR on proc 1: F_MDR is NaN, non-adhesive case\n")
    folder.set_state("failed")
    assert due_resume(folder) == 2
    folder.fn("resume_2.json").write_text(json.dumps({"state": "stopped", "tag": "mdr_nan"}))
    assert due_resume(folder) is None and chain_stop(folder) == ("mdr_nan", 2)
    folder.fn("resume_2.json").unlink()
    folder.fn("in.lmp").write_text("variable branch index 0\n")
    assert due_resume(folder) is None and chain_stop(folder) == ("mdr_nan", 2)
    folder.fn("in.lmp").write_text("variable resume index 0\n")
    folder.fn("targets.txt").write_text("# k step\n1 100\n2 200\n3 300\n")
    assert due_resume(folder) is None
    # a resumption from 1 that was interrupted after recording targets 2 and 3 (and left later states) starts clean
    folder.fn("released.txt").write_text("# k step guard\n3 350 0\n")
    for name in ("resume_1.json", "resume_2.json", "branch_1.json", "branch_2.json", "branch_3.json"):
        folder.fn(name).write_text(json.dumps({"state": "done"}))
    _truncate_records(folder, 1)
    assert folder.fn("targets.txt").read_text() == "# k step\n1 100\n"
    assert folder.fn("released.txt").read_text() == "# k step guard\n"
    assert sorted(p.name for p in folder.path.glob("*.json")) == ["branch_1.json", "params.json", "resume_1.json",
                                                                         "status.json"]


def test_an_index_variable_of_several_values_becomes_one_var_option_each_checked():
    argv = lmp_argv(variables={"resume": 4, "pressures": (3486.0, 8469.0)})
    i = argv.index("pressures")
    assert argv[i - 1] == "-var" and [float(v) for v in argv[i + 1:i + 3]] == [3486.0, 8469.0]
    with pytest.raises(InputError, match="pressures"):
        lmp_argv(variables={"pressures": ()})
    with pytest.raises(InputError, match="pressures"):
        lmp_argv(variables={"pressures": (1.0, "$(shell)")})


def test_release_from_restarts_is_refused_outside_the_mdr_cell_naming_the_field():
    with pytest.raises(InputError, match="release"):
        PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="periodic", contact=MdrContact(), release="restarts",
                    **SMALL)
    with pytest.raises(InputError, match="release"):
        PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="cell", release="fresh", **SMALL)
    with pytest.raises(InputError, match="pellet.release_from_restarts"):
        Pellet(target_pressures_mpa=(1.0,), release_each=False, release_from_restarts=True)
    assert PelletStudy(BLEND, target_pressures_mpa=PRESSURES, contact=None, **SMALL).release == "cycles"
    assert PelletStudy(BLEND, target_pressures_mpa=PRESSURES, **SMALL).release == "restarts"


def test_a_branch_is_recorded_as_stopped_only_on_a_press_stop():
    """stop_tag, which decides between a lost release (state "stopped") and a failure to run again, on the error a
    release really ended with (benchmarks/results/pellet_guard_2026-12-03/series_105/error.txt) and on others."""
    from pathlib import Path

    nan = (Path(__file__).parents[1] / "benchmarks/results/pellet_guard_2026-12-03/series_105/error.txt").read_text()
    assert stop_tag(nan) == "mdr_nan"
    assert stop_tag("ERROR: Lost atoms: original 1064 current 1063") == "lost_atoms"
    # mdr's screening on rank 1, as the child's output had it when a dense WD-SiG cell stopped at 70 MPa
    missed = (Path(__file__).parents[1] / "benchmarks/results/pellet_fig4b_kn_2026-12-05/wdsig/"
              "third_bed_lmp_output_tail.txt").read_text()
    assert stop_tag(missed) == "mdr_neighbor" and stop_tag(nan + missed) == "mdr_nan"
    assert stop_tag("ERROR: Cannot open restart file held_2.restart: No such file or directory") is None


@pytest.mark.lammps
def test_the_servo_approaches_at_the_larger_step_and_holds_records_and_releases_at_the_mdr_step(cell):
    """The cell's default: the approach to each target at 0.16 sqrt(m / (kappa R)), 4x mdr's 0.04, then the target is
    held again at 0.04; every release runs at 0.04. Read off the thermo rows: time advances by dt_press or dt per
    step: a thermo row (every 1,000 steps) spans dt_press steps, or a switch to the 500-step hold at dt and back
    (between the two), never anything else; each release branch steps dt only."""
    folder = cell["folder"]
    variables = RunRecord.read(folder).variables
    dt, dt_press = float(variables["dt"]), float(variables["dt_press"])
    assert dt_press == pytest.approx(4.0 * dt, rel=1e-12) and cell["study"].press_step_factor == 4.0

    def steps_of(name):
        t = read_table(folder.fn(name)).drop_duplicates("step")  # a run's first step is printed by both runs
        return np.diff(t["time"].to_numpy()) / np.diff(t["step"].to_numpy())

    press = steps_of("thermo.txt")
    assert np.all((press >= dt * (1 - 1e-9)) & (press <= dt_press * (1 + 1e-9)))
    switched = (press > dt * (1 + 1e-6)) & (press < dt_press * (1 - 1e-6))
    assert np.any(np.isclose(press, dt_press, rtol=1e-6)) and switched.sum() >= len(PRESSURES) - 1  # the press ends at 3
    for k in range(1, len(PRESSURES) + 1):
        assert np.allclose(steps_of(f"branch_{k}_thermo.txt"), dt, rtol=1e-6)
    # the walled dies keep one step throughout (their decks have no dt_press)
    walled = PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="periodic", **SMALL)
    assert walled.press_step_factor == 1.0
    with pytest.raises(InputError, match="press_timestep_fraction"):
        PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="periodic", press_timestep_fraction=0.16, **SMALL)
    with pytest.raises(InputError, match="press_timestep_fraction"):
        PelletStudy(BLEND, target_pressures_mpa=PRESSURES, die="cell", press_timestep_fraction=0.02, **SMALL)


def test_floor_repeats_are_the_targets_recorded_again_at_the_height_of_an_earlier_unheld_one(tmp_path):
    """floor_repeats and branch_targets on a synthetic folder: targets 3 and 4 are recorded not held at target 2's
    height (the floor); 2 is released, 3 and 4 are its pellet again; a deck with restart_last releases its last
    target in a branch too, an older one in the press."""
    from sigdem.run.branches import branch_targets, floor_repeats

    folder = RunFolder(tmp_path / "pellet_cell_mdr-0000000000000000")
    folder.path.mkdir()

    def params(**extra):
        folder.fn("params.json").write_text(json.dumps({"job": "0000000000000000", "lammps_version": "x",
                                                        "sigdem_version": "x", "statepoint": {},
                                                        "variables": {"release_restart": 1, "n_targets": 5, **extra}}))
    params(restart_last=1)
    folder.fn("targets.txt").write_text("# k step time ztop held\n1 10 1.0 40.5 1\n2 20 2.0 36.7371698846643 0\n"
                                        "3 21 2.1 36.7371698846643 0\n4 22 2.2 36.7371698846643 0\n5 23 2.3 36.8 0\n")
    assert floor_repeats(folder) == {3: 2, 4: 2}
    assert branch_targets(folder) == [1, 2, 5]
    params()
    assert branch_targets(folder) == [1, 2]
    folder.fn("targets.txt").write_text("# k step time ztop held\n1 10 1.0 36.7 1\n2 20 2.0 36.7 1\n")
    assert floor_repeats(folder) == {}  # held targets are never repeats


@pytest.mark.lammps
def test_a_target_beyond_the_floor_is_the_floor_s_pellet_and_is_not_released_again(tmp_path):
    """Pressed to 10, 100 and 300 MPa with the floor at solid fraction 0.72: 100 and 300 MPa stall at the floor at once
    (recorded not held), 100 MPa's pellet is released from its restart and 300 MPa's is that pellet again: no branch,
    no release values, same_pellet_as_mpa 100, and the summary counts it."""
    study = PelletStudy(BLEND, target_pressures_mpa=(10.0, 100.0, 300.0), die="cell", max_solid_fraction=0.72, **SMALL)
    result = run_pellet(study, tmp_path)
    folder = RunFolder(tmp_path / result.replicates["pellet_folder"].iloc[0])
    rows = result.pellets.set_index("record")
    assert bool(rows.loc[1, "held"]) and not rows.loc[2, "held"] and not rows.loc[3, "held"]
    assert rows.loc[2, "at_max_solid_fraction"] and rows.loc[3, "at_max_solid_fraction"]
    assert rows.loc[2, "h_min_um"] == rows.loc[3, "h_min_um"]
    assert sorted(p.name for p in folder.path.glob("branch_*.json")) == ["branch_1.json", "branch_2.json"]
    assert rows.loc[2, "springback_height"] > 0 and math.isnan(rows.loc[2, "same_pellet_as_mpa"])
    assert math.isnan(rows.loc[3, "springback_height"]) and rows.loc[3, "same_pellet_as_mpa"] == pytest.approx(100.0)
    assert not rows.loc[3, "release_disturbed"]
    s = result.summary().set_index("target_pressure_mpa")
    assert s.loc[300.0, "same_pellet"] == 1 and s.loc[100.0, "same_pellet"] == 0


@pytest.mark.lammps
def test_the_pair_cutoff_only_reaches_ghosts_a_longer_one_gives_the_same_bytes_the_guard_stops_a_short_one(
        cell, rerun_by_hand, ghost_counts):
    """The cell's pair cutoff (1.2 d_max by default) only sets how far ghost atoms reach; its bins and atom sort are
    those of a 1.5 d_max cutoff. The press run again by hand with a 1.5 d_max cutoff writes the same bytes (thermo,
    targets, every target's particles and contacts) with more ghost atoms in each run; with 0.9 d_max, short of the
    largest pair's reach from the start, the guard stops LAMMPS at its first check (step 100), naming itself."""
    folder = cell["folder"]
    inputs = ("in.lmp", "start.restart", "pellet_press.lmp")
    wide, proc = rerun_by_hand(folder, "wide", inputs, {"cut_factor": 1.5})
    assert proc.returncode == 0, proc.stdout[-2000:]
    for name in ["thermo.txt", "targets.txt"] + [f"target_{k}{s}.dump" for k in (1, 2, 3) for s in ("", "_contacts")]:
        assert (wide / name).read_bytes() == folder.fn(name).read_bytes(), name
    ours, theirs = ghost_counts(folder.fn("log.lammps")), ghost_counts(wide / "log.lammps")
    assert len(ours) == len(theirs) > 1 and all(a < b for a, b in zip(ours, theirs)), (ours, theirs)
    short, proc = rerun_by_hand(folder, "short", inputs, {"cut_factor": 0.9})
    assert proc.returncode != 0
    assert re.search(r"ERROR: Fix halt condition for fix-id mdr_radii_outgrew_the_pair_cutoff met on step 100 ",
                     (short / "log.lammps").read_text())
