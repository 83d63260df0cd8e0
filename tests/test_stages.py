"""Calender and pellet stages: real LAMMPS runs on a tiny settled bed (issue 4).

One settled bed of 250 graphite spheres (softened modulus) is shared by the module; the
calender and pellet runs on it are checked against statics (force balance, monotonic wall
force, targets reached, no particle lost) and against each other's runners.
"""

from dataclasses import replace

import numpy as np
import pytest

from sigdem.deck import RunRecord

from sigdem.run import runners
from sigdem.deck import (Bed, Calender, Deck, Numerics, Pellet, Settle, deck_variables, header_text,
                         start_bed, statepoint)
from sigdem.deck.protocol_variables import settled_surface_um
from sigdem.io.dumps import read_last_frame, read_table
from sigdem.run.session import LammpsSession
from sigdem.errors import IncompleteRunError, InputError
from sigdem.deck.placement import place_spheres
from sigdem.deck.templates import template_path

N = 250
SIDE_UM = 60.0
NUMERICS = Numerics(modulus_scale=0.01)


def make_bed(seed: int = 1) -> Bed:
    rng = np.random.default_rng(seed)
    d = rng.lognormal(np.log(12.0), 0.25, N).clip(6.0, 24.0)
    placed = place_spheres(d, SIDE_UM, SIDE_UM, seed=seed + 2)
    return Bed(d, np.zeros(N, int), placed.positions_um, ("graphite",), (2.26,), SIDE_UM, SIDE_UM, placed.fill_height_um)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("stages")


@pytest.fixture(scope="module")
def settled(root):
    """A finished settle folder and the bed it settled."""
    bed = make_bed()
    # pair granular, also where the granular/hmr plugin is built: test_contact_history_carried_across_the_restart
    # reads the restart in-process, and the plugin never enters the Python process
    folder = runners.run(Deck(bed, numerics=NUMERICS), root, runners.Executable(kernel="granular"))
    return folder, bed


def settled_density(folder, bed) -> float:
    return float(bed.masses_pg.sum()) / (bed.area_um2 * settled_surface_um(folder))


def weight_nn(folder, bed) -> float:
    """Total weight of the bed under the run's gravity, nN."""
    return float(bed.masses_pg.sum()) * RunRecord.read(folder).variables["g"]


def calender_deck(settled, **kw) -> Deck:
    folder, bed = settled
    rho0 = settled_density(folder, bed)
    targets = tuple(round(rho0 + x, 3) for x in (0.06, 0.14, 0.22))
    protocol = Calender(target_densities_g_cc=targets, hold_steps=3000, relax_steps=8000, **kw)
    return Deck(start_bed(folder), protocol=protocol, numerics=NUMERICS, start=folder)


@pytest.fixture(scope="module")
def calendered(settled, root):
    return runners.run(calender_deck(settled), root)


@pytest.fixture(scope="module")
def pelleted(settled, root):
    folder, _ = settled
    deck = Deck(start_bed(folder), protocol=Pellet(target_pressures_mpa=(0.2, 0.8), relax_steps=5000),
                numerics=NUMERICS, start=folder)
    return runners.run(deck, root)


# ---- Python layer (LAMMPS runs only for the shared settled bed) ------------------------------

@pytest.mark.parametrize("bad", [(), (1.5, 1.4), (1.4, 1.4), (1.4, -1.0), ("1.4",), 1.4, "1.4 1.5", (1.4, float("nan"))])
def test_calender_targets_validated(bad):
    with pytest.raises(InputError, match="calender.target_densities_g_cc"):
        Calender(target_densities_g_cc=bad)


@pytest.mark.parametrize("field,value", [("speed_m_s", 0.0), ("speed_m_s", 50.0), ("unload_speed_m_s", -1.0),
                                         ("hold_steps", 1.5), ("relax_steps", -1), ("thermo_every", 1),
                                         ("release_fraction", 0.5)])
def test_calender_fields_validated(field, value):
    with pytest.raises(InputError, match=f"calender.{field}"):
        Calender(**{field: value})


def test_pellet_targets_validated():
    with pytest.raises(InputError, match="pellet.target_pressures_mpa"):
        Pellet(target_pressures_mpa=(100.0, 50.0))
    with pytest.raises(InputError, match="pellet.max_solid_fraction"):
        Pellet(target_pressures_mpa=(1.0,), max_solid_fraction=1.0)
    # real pellet pressures are accepted here (the study layer warns about them)
    assert Pellet(target_pressures_mpa=[373, 4700]).target_pressures_mpa == (373.0, 4700.0)


def test_start_required_exactly_for_compression_stages(settled):
    folder, bed = settled
    with pytest.raises(InputError, match="deck.start"):
        Deck(bed, protocol=Calender())
    with pytest.raises(InputError, match="deck.start"):
        Deck(bed, protocol=Settle(), start=folder)
    with pytest.raises(InputError, match="deck.start"):
        Deck(bed, protocol=Calender(), start=str(folder.path))


@pytest.mark.lammps
def test_start_bed_is_the_settled_deck_bed(settled):
    folder, bed = settled
    assert start_bed(folder).fingerprint() == bed.fingerprint()


@pytest.mark.lammps
def test_statepoint_carries_start_job_and_settle_ids_unchanged(settled):
    folder, bed = settled
    sp = statepoint(calender_deck(settled))
    assert sp["start"] == folder.job and sp["stage"] == "calender"
    assert "start" not in statepoint(Deck(bed, numerics=NUMERICS))
    assert folder.path.name == f"settle-{folder.job}"


@pytest.mark.lammps
def test_densities_checked_against_settled_and_solid_density(settled, tmp_path):
    folder, bed = settled
    rho0 = settled_density(folder, bed)
    for targets in ((round(rho0 - 0.05, 3), 1.6), (1.6, 2.3)):
        deck = replace(calender_deck(settled), protocol=Calender(target_densities_g_cc=targets))
        with pytest.raises(InputError, match=r"calender.target_densities_g_cc.*allowed range \("):
            runners.render(deck, tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.lammps
def test_start_folder_must_be_done(settled, tmp_path):
    _, bed = settled
    pending = runners.render(Deck(bed, numerics=NUMERICS), tmp_path)  # rendered, never run
    deck = Deck(bed, protocol=Calender(), numerics=NUMERICS, start=pending)
    with pytest.raises(IncompleteRunError, match="rendered"):
        runners.render(deck, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [pending.path.name]


@pytest.mark.lammps
def test_start_bed_must_match_start_folder(settled, tmp_path):
    folder, _ = settled
    with pytest.raises(InputError, match="deck.bed"):
        runners.render(Deck(make_bed(seed=7), protocol=Calender(), numerics=NUMERICS, start=folder), tmp_path)


@pytest.mark.lammps
def test_rendered_calender_folder(settled, tmp_path):
    folder, bed = settled
    deck = calender_deck(settled)
    out = runners.render(deck, tmp_path)
    assert out.path.name.startswith("calender-")
    assert out.fn("start.restart").read_bytes() == folder.fn("settled.restart").read_bytes()
    assert not out.fn("particles.data").exists()
    text = out.fn("in.lmp").read_text()
    v = deck_variables(deck)
    expect = " ".join(repr(h) for h in v["heights"])
    assert f"variable heights      index {expect}\n" in text
    heights = np.array(v["heights"])
    np.testing.assert_allclose(heights, bed.masses_pg.sum() / (bed.area_um2 * np.array(deck.protocol.target_densities_g_cc)))
    assert v["d_max"] == bed.diameters_um.max()
    assert "read_restart    ${dir}/start.restart" in text


def test_header_writes_multi_value_variables():
    bed = make_bed()
    text = header_text(Deck(bed), {"heights": (80.5, 72.125, 66.0), "speed": 0.1}, "job", "calender.lmp")
    assert "variable heights      index 80.5 72.125 66.0\n" in text
    assert "variable speed        index 0.1\n" in text
    with pytest.raises(InputError):
        header_text(Deck(bed), {"heights": ()}, "job", "calender.lmp")
    with pytest.raises(InputError):
        header_text(Deck(bed), {"heights": (1.0, "2; shell ls")}, "job", "calender.lmp")


def _contact_model_lines(stage: str) -> list[str]:
    """The pair_coeff and floor-fix lines of a template, without what only the restart stages add (the cutoff, the
    per-atom contact array, and the switch to the plugin's floor fix, which keeps fix wall/gran's law, history layout
    and name: tests/test_kernel.py)."""
    text = template_path(stage).read_text().replace("&\n", " ")
    lines = [" ".join(l.split()) for l in text.splitlines() if "pair_coeff * *" in l or l.startswith("fix             floor")]
    return [l.replace(" cutoff ${d_max}", "").replace(" contacts", "").replace("wall/gran${wall_suffix}", "wall/gran")
            for l in lines]


@pytest.mark.parametrize("stage", ["calender", "pellet"])
def test_contact_models_are_those_of_settle(stage):
    """Another model would read the restored contact history with another layout, silently."""
    assert _contact_model_lines(stage) == _contact_model_lines("settle")
    assert len(_contact_model_lines("settle")) == 2  # the if/else pair_coeff, the floor fix


@pytest.mark.lammps
def test_contact_history_carried_across_the_restart(settled, tmp_path):
    """Forces on the restarted bed equal those of settled.dump (to its 10 digits).

    A zero pair cutoff, a lost pair history or a floor fix with another ID each leave forces of
    thousands of nN on particles whose net force is a few tens of nN.
    """
    folder, _ = settled
    out = runners.render(calender_deck(settled), tmp_path)
    text = out.fn("in.lmp").read_text()  # with its shared pressing part in place of the include
    text = text.replace("include         ${dir}/calender_press.lmp\n", out.fn("calender_press.lmp").read_text())
    head = text[:text.index("variable        z0 equal")]
    probe = out.fn("probe.lmp")
    probe.write_text(head + "write_dump all custom ${dir}/probe.dump id fx fy fz modify sort id format float %.17g\n")
    with LammpsSession(out.path, variables={"dir": out.path}) as lmp:
        lmp.file(probe)
    before = read_last_frame(folder.fn("settled.dump")).data
    after = read_last_frame(out.fn("probe.dump")).data
    f0, f1 = before[["fx", "fy", "fz"]].to_numpy(), after[["fx", "fy", "fz"]].to_numpy()
    scale = np.abs(read_last_frame(folder.fn("settled_contacts.dump")).data["fn"]).max()
    assert np.abs(f1 - f0).max() < 1e-8 * scale


# ---- calender runs -------------------------------------------------------------------------------

@pytest.mark.lammps
def test_calender_reaches_every_target_density(calendered):
    v = RunRecord.read(calendered).variables
    targets = read_table(calendered.fn("targets.txt"))
    wanted = RunRecord.read(calendered).statepoint["protocol"]["target_densities_g_cc"]
    assert list(targets["k"]) == [1, 2, 3]
    np.testing.assert_allclose(targets["ztop"], v["heights"], rtol=0, atol=v["speed"] * v["dt"])
    np.testing.assert_allclose(targets["density"], wanted, rtol=1e-9)


@pytest.mark.lammps
def test_calender_top_force_rises_and_balances_floor_after_hold(calendered, settled):
    targets = read_table(calendered.fn("targets.txt"))
    held = read_table(calendered.fn("held.txt")).iloc[0]
    assert np.all(np.diff(targets["f_top"]) > 0)
    assert held["f_top"] > 0
    # at rest under load the floor carries the top-wall force plus the bed's weight (gravity stays on)
    assert held["f_floor"] - weight_nn(calendered, settled[1]) == pytest.approx(held["f_top"], rel=0.02)
    assert held["ztop"] == targets["ztop"].iloc[-1]


@pytest.mark.lammps
def test_calender_dumps_hold_every_particle_between_floor_and_wall(calendered, settled):
    start, _ = settled
    settled_cols = list(read_last_frame(start.fn("settled.dump")).data.columns)
    contact_cols = list(read_last_frame(start.fn("settled_contacts.dump")).data.columns)
    targets = read_table(calendered.fn("targets.txt"))
    for row in targets.itertuples():
        k = int(row.k)
        frame = read_last_frame(calendered.fn(f"target_{k}.dump"))
        atoms = frame.data
        assert frame.timestep == row.step
        assert list(atoms.columns) == settled_cols + ["floor_fx", "floor_fy", "floor_fz", "top_fx", "top_fy", "top_fz"]
        assert len(atoms) == N and list(atoms["id"]) == list(range(1, N + 1))
        z, r = atoms["z"], atoms["radius"]
        assert z.min() > 0 and z.max() < row.ztop
        # no particle pushed into a wall: overlaps stay a fraction of the radius (they reach ~10 %
        # here: at solid fraction ~0.64 a softened Hertz bed densifies by deforming contacts)
        assert ((r - z) / r).max() < 0.25 and ((z + r - row.ztop) / r).max() < 0.25
        # the record line and the per-atom wall forces agree (and show the sign convention)
        assert -atoms["top_fz"].sum() == pytest.approx(row.f_top, rel=1e-6)
        assert atoms["floor_fz"].sum() == pytest.approx(row.f_floor, rel=1e-6)
        contacts = read_last_frame(calendered.fn(f"target_{k}_contacts.dump"))
        assert list(contacts.data.columns) == contact_cols and len(contacts.data) > N


@pytest.mark.lammps
def test_calender_unloads_and_springs_back(calendered):
    targets = read_table(calendered.fn("targets.txt"))
    unloaded = read_table(calendered.fn("unloaded.txt")).iloc[0]
    atoms = read_last_frame(calendered.fn("unloaded.dump")).data
    assert len(atoms) == N
    assert unloaded["f_top"] == 0.0  # the wall was lifted clear
    assert unloaded["zsurf"] == pytest.approx((atoms["z"] + atoms["radius"]).max(), rel=1e-9)
    assert unloaded["zsurf"] >= targets["ztop"].iloc[-1]
    assert unloaded["ztop"] > unloaded["zsurf"]
    thermo = read_table(calendered.fn("thermo.txt"))
    assert list(thermo.columns) == ["step", "time", "ztop", "density", "f_top", "f_floor", "ke"]
    assert thermo["ztop"].min() >= targets["ztop"].iloc[-1]


# ---- pellet runs ---------------------------------------------------------------------------------

@pytest.mark.lammps
def test_pellet_reaches_each_target_pressure(pelleted):
    targets = read_table(pelleted.fn("targets.txt"))
    assert list(targets.columns) == ["k", "step", "time", "ztop", "density", "pressure_top", "pressure_avg",
                                     "pressure_floor", "ke", "held", "target"]
    # the servo holds each pressure: window mean and current value within 2 % (kPa)
    assert targets["held"].tolist() == [1.0, 1.0]
    np.testing.assert_allclose(targets["pressure_top"], [200.0, 800.0], rtol=0.02)
    np.testing.assert_allclose(targets["pressure_avg"], [200.0, 800.0], rtol=0.02)
    assert np.all(np.diff(targets["ztop"]) < 0)
    for k in targets["k"].astype(int):
        assert len(read_last_frame(pelleted.fn(f"target_{k}.dump")).data) == N
    unloaded = read_table(pelleted.fn("unloaded.txt")).iloc[0]
    assert unloaded["pressure_top"] == 0.0 and unloaded["zsurf"] >= targets["ztop"].iloc[-1]
    assert len(read_last_frame(pelleted.fn("unloaded.dump")).data) == N


# ---- runners --------------------------------------------------------------------------------------

@pytest.mark.lammps
def test_calender_in_lmp_runs_by_hand_like_in_process(settled, tmp_path):
    """``lmp -in in.lmp`` in the folder gives the same numbers as the in-process runner."""
    folder, bed = settled
    rho0 = settled_density(folder, bed)
    deck = Deck(start_bed(folder), numerics=NUMERICS, start=folder,
                protocol=Calender(target_densities_g_cc=(round(rho0 + 0.05, 3), round(rho0 + 0.1, 3)),
                                  hold_steps=500, relax_steps=500, unload_speed_m_s=0.5))
    a = runners.run(deck, tmp_path / "a", runners.InProcess())
    b = runners.run(deck, tmp_path / "b", runners.Executable())
    assert a.path.name == b.path.name
    for name in ("targets.txt", "held.txt", "unloaded.txt"):
        assert a.fn(name).read_text() == b.fn(name).read_text(), name
    fa, fb = read_last_frame(a.fn("target_2.dump")), read_last_frame(b.fn("target_2.dump"))
    assert np.array_equal(fa.data.to_numpy(), fb.data.to_numpy())
