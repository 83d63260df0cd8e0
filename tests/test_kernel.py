"""The granular/hmr kernel: build and self-check, bitwise equality with pair granular, chosen by the runner.

The kernel is a fact of the machine, not of the deck: the same deck (the same job id) runs with pair granular
or with the plugin, and the results are the same bytes. A stage that continues a settle restart keeps the
kernel that wrote it (the restart names its pair style).
"""

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sigdem.deck import Bed, Calender, Deck, Numerics, Pellet, start_bed, statepoint
from sigdem.deck.placement import place_spheres
from sigdem.deck.record import RunRecord
from sigdem.deck.protocol_variables import settled_surface_um
from sigdem.errors import EnvironmentProblem, InputError
from sigdem.io.logs import read_table
from sigdem.io.folder import job_id
from sigdem.kernel import build
from sigdem.run import plugin as kcache
from sigdem.model.contact import MdrContact
from sigdem.model.materials import GRAPHITE, STEEL
from sigdem.run import runners

N = 60
SIDE_UM = 40.0
NUMERICS = Numerics(modulus_scale=0.01)
SETTLE_FILES = ("settled.dump", "settled_contacts.dump", "thermo.txt", "settle_result.txt")
CALENDER_FILES = ("targets.txt", "held.txt", "unloaded.txt", "unloaded.dump", "thermo.txt",
                  "target_1.dump", "target_1_contacts.dump", "target_2.dump")
GRANULAR, HMR = runners.InProcess(kernel="granular"), runners.InProcess(kernel="hmr")


def make_bed(seed: int = 3) -> Bed:
    rng = np.random.default_rng(seed)
    d = rng.lognormal(np.log(10.0), 0.25, N).clip(6.0, 18.0)
    placed = place_spheres(d, SIDE_UM, SIDE_UM, seed=seed + 2)
    return Bed(d, np.zeros(N, int), placed.positions_um, ("graphite",), (2.26,), SIDE_UM, SIDE_UM, placed.fill_height_um)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A private kernel cache (XDG_CACHE_HOME) holding a freshly built and verified plugin."""
    home = tmp_path_factory.mktemp("xdg")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(home))
        assert kcache.kernel_path() is None
        path = build.build_kernel()
        yield path


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    """One root per kernel: the same deck has the same job id whichever kernel runs it."""
    return {k: tmp_path_factory.mktemp(f"kernel_{k}") for k in ("granular", "hmr")}


@pytest.fixture(scope="module")
def settled(cache, roots):
    """The same bed settled by each kernel: {kernel: folder}."""
    bed = make_bed()
    return {k: runners.run(Deck(bed, numerics=NUMERICS), roots[k], r) for k, r in (("granular", GRANULAR), ("hmr", HMR))}


def test_build_stamps_a_verified_plugin_in_the_cache(cache):
    assert kcache.kernel_path() == cache
    folder = cache.parent
    assert folder.parent == kcache.cache_root() and folder.name == f"{kcache.lammps_version()}-{kcache.source_hash()}"
    stamp = json.loads((folder / kcache.STAMP_NAME).read_text())
    libmvec = ["-DSIGDEM_LIBMVEC"] if stamp["vector_math"] else []    # (where glibc's vector math links)
    assert stamp["flags"] == list(kcache.CXXFLAGS) + libmvec and "-ffp-contract=off" in stamp["flags"]
    # the walls were checked too, a second settle with rolling resistance, the mdr kernel and the cell's servo force
    assert set(stamp["checked"]["identical_bytes"]) == {*build.COMPARED, *(f"rolling/{n}" for n in build.COMPARED),
                                                        "walls.dump", "mdr/mdr.dump", "mdr/pairs.dump",
                                                        "stress_sum/sums.txt"}
    status = kcache.kernel_status()
    assert status["verified"] and status["path"] == str(cache)
    assert build.build_kernel() == cache  # already verified: not rebuilt


def test_a_tampered_plugin_is_not_used(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = kcache.build_folder()
    folder.mkdir(parents=True)
    (folder / kcache.PLUGIN_NAME).write_bytes(cache.read_bytes() + b"\0")
    (folder / kcache.STAMP_NAME).write_text((cache.parent / kcache.STAMP_NAME).read_text())
    assert kcache.kernel_path() is None


def test_a_missing_compiler_is_an_environment_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("CXX", "/nonexistent/g++")
    with pytest.raises(EnvironmentProblem, match="g\\+\\+|compiler|CXX"):
        build.build_kernel()


def test_a_cpu_without_avx2_is_an_environment_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(build.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(build, "cpu_flags", lambda: {"fpu", "sse2", "avx"})
    with pytest.raises(EnvironmentProblem, match="AVX2"):
        build.build_kernel()
    assert kcache.kernel_path() is None


def test_cpu_flags_reads_this_machine():
    flags = build.cpu_flags()
    assert flags is None or "fpu" in flags or build.platform.machine().lower() not in ("x86_64", "amd64")


def test_a_layout_mismatch_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(build, "FIRSTFLAG_OFFSET", 680)
    with pytest.raises(EnvironmentProblem, match="layout"):
        build.build_kernel()
    assert kcache.kernel_path() is None


def test_settle_with_hmr_is_bitwise_equal_to_granular(settled):
    a, b = settled["granular"], settled["hmr"]
    assert a.path.name == b.path.name  # the same deck, the same job id...
    assert (a.status()["kernel"], b.status()["kernel"]) == ("granular", "hmr")
    assert "granular/hmr" not in b.fn("in.lmp").read_text().split("# The values below")[1].split("\n\n")[0]
    assert "pair_style      granular/hmr" in b.fn("log.lammps").read_text()
    for name in SETTLE_FILES:  # ...and the same bytes
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name


def test_the_plugin_never_enters_this_process(settled):
    """The in-process runner hands plugin runs to a child lmp: once dlopen-ed into the Python process
    the plugin stayed, and a later in-process mdr run in the same process died (found by CI)."""
    from sigdem._loader import lammps_class

    lmp = lammps_class()(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    try:
        assert lmp.has_style("pair", "granular") and not lmp.has_style("pair", "granular/hmr")
    finally:
        lmp.close()


def calender(folder) -> Deck:
    bed = start_bed(folder)
    rho0 = float(bed.masses_pg.sum()) / (bed.area_um2 * settled_surface_um(folder))
    targets = tuple(round(rho0 + x, 3) for x in (0.05, 0.12))
    protocol = Calender(target_densities_g_cc=targets, hold_steps=1000, relax_steps=2000)
    return Deck(bed, protocol=protocol, numerics=NUMERICS, start=folder)


def test_settle_hmr_then_calender_equals_the_default_chain(settled, roots):
    a = runners.run(calender(settled["granular"]), roots["granular"], GRANULAR)
    # a granular runner still loads the plugin here: the start's restart names granular/hmr
    b = runners.run(calender(settled["hmr"]), roots["hmr"], GRANULAR)
    assert b.status()["start_kernel"] == "hmr" and b.status()["kernel"] == "hmr"
    log = b.fn("log.lammps").read_text()
    assert "restoring pair style granular/hmr from restart" in log
    # the plugin's walls: the floor takes the settle restart's wall history (fix wall/gran's layout and name),
    # the moving top wall is the plugin's region-plane fix
    assert "fix             floor all wall/gran/hmr" in log and "fix top all wall/gran/region/hmr" in log
    assert "All restart file peratom fix info was re-assigned" in log
    assert a.path.name == b.path.name and len(a.fn("targets.txt").read_text().splitlines()) == 3  # header + 2
    for name in CALENDER_FILES:
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name


def test_settle_hmr_then_pellet_equals_the_default_chain(settled, roots):
    def pellet(folder):
        return Deck(start_bed(folder), protocol=Pellet(target_pressures_mpa=(0.2,), window_steps=500, relax_steps=2000),
                    numerics=NUMERICS, start=folder)

    a = runners.run(pellet(settled["granular"]), roots["granular"], HMR)  # the start was granular: stays granular
    b = runners.run(pellet(settled["hmr"]), roots["hmr"])
    assert a.status()["kernel"] == "granular"
    assert "restoring pair style granular/hmr from restart" in b.fn("log.lammps").read_text()
    assert "wall/gran/region/hmr" in b.fn("log.lammps").read_text()
    for name in ("targets.txt", "unloaded.txt", "unloaded.dump", "thermo.txt"):
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name


def test_two_ranks_hmr_settle_equals_two_ranks_granular(cache, tmp_path):
    """``lmp`` under mpirun loads the plugin on every rank from the runner's -var."""
    bed = make_bed(seed=5)
    a, b = (runners.run(Deck(bed, numerics=NUMERICS), tmp_path / k, runners.Executable(ranks=2, kernel=k))
            for k in ("granular", "hmr"))
    assert b.status()["kernel"] == "hmr"
    for name in SETTLE_FILES:
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name
    # and a calender on 2 ranks: the plugin's walls carry their per-particle contact state between ranks
    ca, cb = (runners.run(calender(f), tmp_path / k, runners.Executable(ranks=2, kernel=k))
              for f, k in ((a, "granular"), (b, "hmr")))
    assert "fix top all wall/gran/region/hmr" in cb.fn("log.lammps").read_text()
    assert "2 by 1 by 1 MPI processor grid" in cb.fn("log.lammps").read_text()
    for name in CALENDER_FILES:
        assert ca.fn(name).read_bytes() == cb.fn(name).read_bytes(), name


def test_a_start_settled_with_the_plugin_needs_it(settled, tmp_path, monkeypatch):
    folder = runners.render(calender(settled["hmr"]), tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))
    with pytest.raises(EnvironmentProblem, match="sigdem kernel build"):
        runners.execute(folder, GRANULAR)
    assert folder.state == "rendered"  # refused before anything ran


# ---- refusals before LAMMPS ------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["HMR", "granular/hmr", "", None, 1])
def test_unknown_kernel_is_refused_naming_the_field(bad):
    with pytest.raises(InputError, match=r"kernel.*allowed: auto, granular, hmr"):
        runners.InProcess(kernel=bad)
    with pytest.raises(InputError, match=r"kernel.*allowed: auto, granular, hmr"):
        runners.Executable(kernel=bad)


def test_rolling_resistance_settle_and_calender_equal_pair_granular_on_two_ranks(cache, tmp_path):
    """SDS rolling resistance, as the calendering study's settle (0.3) and calender (0.1) have it: `auto` picks
    the plugin, and a settle and the calender continuing it, on 2 ranks, give pair granular's bytes."""
    bed = make_bed(seed=7)
    deck = Deck(bed, material=replace(GRAPHITE, rolling_friction=0.3), numerics=NUMERICS)
    assert runners.kernel_variables(runners.render(deck, tmp_path / "auto"), "auto")["pair_style"] == "granular/hmr"
    a, b = (runners.run(deck, tmp_path / k, runners.Executable(ranks=2, kernel=k)) for k in ("granular", "hmr"))
    assert b.status()["kernel"] == "hmr"
    for f in (a, b):  # both really ran with rolling resistance
        assert "rolling sds" in f.fn("log.lammps").read_text()
    for name in SETTLE_FILES:
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name

    def calender_rolling(folder):
        return replace(calender(folder), material=replace(GRAPHITE, rolling_friction=0.1))

    ca, cb = (runners.run(calender_rolling(f), tmp_path / k, runners.Executable(ranks=2, kernel=k))
              for f, k in ((a, "granular"), (b, "hmr")))
    log = cb.fn("log.lammps").read_text()
    assert "restoring pair style granular/hmr from restart" in log and "rolling sds" in log
    assert "fix top all wall/gran/region/hmr" in log
    for name in CALENDER_FILES:
        assert ca.fn(name).read_bytes() == cb.fn(name).read_bytes(), name
    # a stage without rolling resistance cannot continue it: LAMMPS would read its 6-value contact history as 3
    with pytest.raises(InputError, match=r"deck.material.rolling_friction.*settled with rolling.*allowed: > 0"):
        runners.render(replace(calender(a), material=GRAPHITE), tmp_path / "switch")
    assert not (tmp_path / "switch").exists()


def mdr_calender(folder) -> Deck:
    return replace(calender(folder), contact=MdrContact(), top=replace(STEEL, youngs_modulus_gpa=1e3),
                   floor=replace(STEEL, name="floor"))


def test_settle_hmr_then_mdr_calender_equals_the_default_chain_on_two_ranks(settled, tmp_path):
    """The mdr stage of a plugin chain runs on the plugin's mdr (pair granular/mdr/hmr, its fix and its plane
    walls) and gives LAMMPS's mdr bytes: every file of the calender, on 2 ranks."""
    a, b = (runners.run(mdr_calender(settled[k]), tmp_path / k, runners.Executable(ranks=2, kernel=k))
            for k in ("granular", "hmr"))
    assert runners.kernel_variables(b, "auto")["mdr_kernel"] == "hmr"
    assert "mdr_kernel" not in runners.kernel_variables(a, "auto")
    log_a, log_b = a.fn("log.lammps").read_text(), b.fn("log.lammps").read_text()
    assert "pair_style      granular/mdr/hmr" in log_b and "pair_style      granular/mdr/hmr" not in log_a
    assert "fix top all wall/gran/region/mdr/hmr" in log_b and "2 by 1 by 1 MPI processor grid" in log_b
    for name in CALENDER_FILES:
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name
    # adhesive mdr stays LAMMPS's (the plugin's mdr has no surface energy)
    sticky = replace(mdr_calender(settled["hmr"]), contact=MdrContact(surface_energy_j_m2=0.05))
    assert "mdr_kernel" not in runners.kernel_variables(runners.render(sticky, tmp_path / "sticky"), "auto")


def test_the_mdr_pellet_cell_with_its_release_branches_equals_lammps_mdr_on_two_ranks(cache, tmp_path):
    """The pellet study's default (mdr, periodic cell, each release a branch from its held restart) on a chain
    settled by the plugin runs on the plugin's mdr, the press and the branches, its servo reading the cell's force
    from the plugin's compute stress/zsum/hmr; every record equals LAMMPS's (pair granular, stress/atom + atom
    variable + reduce)."""
    from sigdem.deck import PELLET_CELL_MDR
    from sigdem.psd import blend_from_fractions, graphite_grade
    from sigdem.studies.pellet import PelletStudy, run_replicate

    blend = blend_from_fractions((graphite_grade("narrow", 14.0, span=0.6),), narrow=1.0)
    study = PelletStudy(blend, target_pressures_mpa=(10.0, 30.0, 100.0), side_um=50.0, fill_height_um=40.0,
                        replicates=1, speed_m_s=0.5, servo_gain=4.0, window_steps=500, relax_steps=5000)
    assert study.die == "cell" and study.release == "restarts"
    a, b = (run_replicate(study, 0, tmp_path / k, runners.Executable(ranks=2, kernel=k))[1]
            for k in ("granular", "hmr"))
    assert RunRecord.read(b).stage is PELLET_CELL_MDR and a.path.name == b.path.name
    assert "mdr_kernel" not in runners.kernel_variables(a, "auto")
    assert runners.kernel_variables(b, "auto")["mdr_kernel"] == "hmr"
    logs = {f: f.fn("log.lammps").read_text() for f in (a, b)}
    assert "pair_style      granular/mdr/hmr" in logs[b] and "pair_style      granular/mdr/hmr" not in logs[a]
    assert "2 by 1 by 1 MPI processor grid" in logs[b]
    by_plugin, by_lammps = (re.compile(rf"^compute +ftop all {c}$", re.M) for c in ("stress/zsum/hmr", "reduce sum v_fz_cell"))
    assert by_plugin.search(logs[b]) and not by_lammps.search(logs[b])
    assert by_lammps.search(logs[a]) and not by_plugin.search(logs[a])
    branch = b.fn("log_release_2.lammps").read_text()
    assert "restoring pair style granular/mdr/hmr from restart" in branch and "fix             MDR all granular/mdr/hmr" in branch
    assert by_plugin.search(branch)
    records = sorted(f.name for f in a.path.iterdir() if f.suffix in (".txt", ".dump"))
    assert len(records) > 20 and "branch_2_released.txt" in records and "relaxed_3.dump" in records
    for name in records:
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name


def test_the_bounded_split_reaches_the_plugin_through_the_pellet_study(cache, tmp_path):
    """MdrContact(unload_split="bounded") runs the cell's press and its release branches on the plugin with
    ``split bounded`` (in the job id, in.lmp and the logs); asked to run on pair granular, it is refused."""
    from sigdem.psd import blend_from_fractions, graphite_grade
    from sigdem.studies.pellet import PelletStudy, run_replicate

    blend = blend_from_fractions((graphite_grade("narrow", 14.0, span=0.6),), narrow=1.0)
    study = PelletStudy(blend, target_pressures_mpa=(10.0, 30.0), side_um=50.0, fill_height_um=40.0, replicates=1,
                        speed_m_s=0.5, servo_gain=4.0, window_steps=500, relax_steps=5000,
                        contact=MdrContact(unload_split="bounded"))
    folder = run_replicate(study, 0, tmp_path / "runs", runners.Executable(ranks=1))[1]
    assert RunRecord.read(folder).mdr_unload_split == "bounded"
    assert "variable mdr_split    index bounded" in folder.fn("in.lmp").read_text()
    assert runners.kernel_variables(folder, "auto")["mdr_kernel"] == "hmr"
    for log_name in ("log.lammps", "log_release_2.lammps"):
        assert re.search(r"^pair_style +granular/mdr/hmr [0-9.]+ split bounded math libm$", folder.fn(log_name).read_text(),
                         re.M), log_name
    assert read_table(folder.fn("branch_2_released.txt")).shape[0] == 1
    with pytest.raises(EnvironmentProblem, match="split") as err:
        runners.kernel_variables(folder, "granular")
    assert "bounded" in str(err.value)


def test_vector_math_is_lammps_mdr_to_round_off_and_its_check_can_fail(cache, tmp_path, monkeypatch):
    """``math vector`` (glibc's libmvec exp and acos) on three spheres pressed into plastic contacts, each screened
    through the third, and drawn apart: within round-off of LAMMPS's mdr (relative to each column's largest value),
    yet not its bits (the vector functions are in use); with no tolerance the check refuses it."""
    assert kcache.vector_math() and json.loads((cache.parent / kcache.STAMP_NAME).read_text())["vector_math"]
    worst = build.verify_vector_math(cache, tmp_path / "a")
    assert 0.0 < worst <= build.VECTOR_MATH_RTOL
    assert "granular/mdr/hmr math vector" in (tmp_path / "a" / "vector_hmr" / "log.lammps").read_text()
    monkeypatch.setattr(build, "VECTOR_MATH_RTOL", 0.0)
    with pytest.raises(EnvironmentProblem, match="more than round-off"):
        build.verify_vector_math(cache, tmp_path / "b")


def test_without_libmvec_the_plugin_offers_no_vector_math(tmp_path, monkeypatch):
    """A compiler that cannot link glibc's vector math (or another CPU family) means libm only."""
    assert build._has_libmvec("g++", tmp_path)
    assert not build._has_libmvec("false", tmp_path)
    monkeypatch.setattr(build.platform, "machine", lambda: "aarch64")
    assert not build._has_libmvec("g++", tmp_path)


def test_vector_math_calender_on_two_ranks_keeps_lammps_statistics(settled, tmp_path):
    """The mdr calender with MdrContact(math="vector") runs the plugin's ``math vector`` (its own job id: its
    bits differ from LAMMPS's), and the wall forces at each target stay within 5 % of LAMMPS's mdr on the same bed:
    round-off, carried by a 60-sphere contact network, not a different law."""
    libm = runners.run(mdr_calender(settled["hmr"]), tmp_path / "libm", runners.Executable(ranks=2))
    deck = replace(mdr_calender(settled["hmr"]), contact=MdrContact(math="vector"))
    vec = runners.run(deck, tmp_path / "vector", runners.Executable(ranks=2))
    assert vec.path.name != libm.path.name and RunRecord.read(vec).mdr_math == "vector"
    assert "math" not in RunRecord.read(libm).statepoint["contact"]    # libm: job ids as they were
    assert re.search(r"^pair_style +granular/mdr/hmr [0-9.]+ split lammps math vector$",
                     vec.fn("log.lammps").read_text(), re.M)
    assert vec.fn("targets.txt").read_bytes() != libm.fn("targets.txt").read_bytes()
    a, b = read_table(libm.fn("targets.txt")), read_table(vec.fn("targets.txt"))
    assert list(a.columns) == list(b.columns) and len(a) == len(b) >= 2
    np.testing.assert_array_equal(b["density"], a["density"])
    for col in ("f_top", "f_floor"):    # (measured here: 1e-8 apart on this small bed)
        np.testing.assert_allclose(b[col], a[col], rtol=0.05)
    with pytest.raises(EnvironmentProblem, match="contact.math 'vector'"):
        runners.kernel_variables(vec, "granular")


def test_vector_math_is_refused_where_lammps_mdr_runs(tmp_path, monkeypatch):
    """Where the stage has no plugin mdr, or the plugin here has no vector math, the choice is refused naming it."""
    from sigdem.run import plugin

    with pytest.raises(InputError, match="contact.math"):
        MdrContact(math="fast")
    with pytest.raises(InputError, match="contact.math"):
        MdrContact(math="vector", surface_energy_j_m2=0.1)
    assert MdrContact(math="vector").plugin_only() == ("math", "vector", "libm")
    assert MdrContact(unload_split="bounded", math="vector").plugin_only()[0] == "unload_split"
    assert MdrContact().plugin_only() is None
    for module in (plugin, runners):
        monkeypatch.setattr(module, "kernel_path", lambda: Path("/plugin.so"))
    monkeypatch.setattr(runners, "vector_math", lambda: False)
    with pytest.raises(EnvironmentProblem, match="libmvec"):
        runners.require_plugin_kernel(MdrContact(math="vector"), "auto")
    runners.require_plugin_kernel(MdrContact(), "auto")


def test_an_mdr_stage_after_a_granular_settle_stays_on_lammps(settled, tmp_path):
    deck = mdr_calender(settled["granular"])
    assert runners.kernel_variables(runners.render(deck, tmp_path), "hmr") == {}  # the start keeps pair granular


def test_hmr_without_a_verified_plugin_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))
    folder = runners.render(Deck(make_bed(), numerics=NUMERICS), tmp_path / "runs")
    with pytest.raises(EnvironmentProblem, match="sigdem kernel build"):
        runners.execute(folder, HMR)
    assert runners.kernel_variables(folder, "auto") == {}  # auto: pair granular, no error


def test_unsafe_plugin_path_never_reaches_lammps(cache, tmp_path, monkeypatch):
    folder = runners.render(Deck(make_bed(), numerics=NUMERICS), tmp_path)
    monkeypatch.setattr(runners, "kernel_path", lambda: Path("/tmp/a b;shell rm/granhmrplugin.so"))
    with pytest.raises(InputError, match="kernel_plugin"):
        runners.Executable().argv(folder, runners.kernel_variables(folder, "hmr"))


# ---- identities ---------------------------------------------------------------------------------

def test_default_job_ids_are_unchanged():
    """Job ids computed before the kernel became the runner's choice (and before this issue's restructuring)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_deck import tiny_deck

    assert job_id(statepoint(tiny_deck())) == "74243328a2946a2b"
    assert "kernel" not in statepoint(tiny_deck())["numerics"]
    from sigdem.psd import monodisperse
    from sigdem.psd.blend import as_blend
    from sigdem.studies.packing import PackingStudy

    study = PackingStudy(as_blend(monodisperse(10.0), density_g_cc=2.26, name="mono"), n_particles=100)
    assert (study.job, study.bed_key) == ("fe7a894e0d976c57", "8bd4601445f6a63d")


# ---- command line ------------------------------------------------------------------------------

def test_cli_kernel_status_and_build(cache, capsys, tmp_path, monkeypatch):
    from sigdem.cli import main

    assert main(["kernel", "status"]) == 0 and str(cache) in capsys.readouterr().out
    assert main(["kernel", "build"]) == 0 and capsys.readouterr().out.strip() == str(cache)
    assert main(["doctor"]) == 0 and str(cache) in capsys.readouterr().out
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert main(["kernel", "status"]) == 1 and "not built" in capsys.readouterr().out
    assert main(["doctor"]) == 0 and "not built" in capsys.readouterr().out  # optional


def test_cli_kernel_option_is_checked():
    from sigdem.cli import build_parser

    for command in ("pack", "ternary", "calender"):
        assert build_parser().parse_args([command]).kernel == "auto"
        assert build_parser().parse_args([command, "--kernel", "hmr"]).kernel == "hmr"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["pack", "--kernel", "fast"])


@pytest.mark.parametrize("pair,law", [
    ("granular/hmr", "hertz/material 2e5 0.5 0.3 tangential mindlin NULL 1.0 0.3 damping coeff_restitution"),
    ("granular/mdr/hmr", "mdr 2e5 0.3 1e3 0.0 0.5 0.4 damping mdr 1 tangential mindlin NULL 1.0 0.3"),
])
@pytest.mark.parametrize("rolling,message", [
    ("rolling sds 100 -1 0.1", "Illegal SDS rolling model"),
    ("rolling tdm 100 1 0.1", "supports only the sds rolling model"),
    ("rolling sds 100 1", "missing arguments for rolling sds"),
])
def test_both_plugin_pairs_check_their_rolling_keyword(cache, tmp_path, pair, law, rolling, message):
    """The plugin's two pair styles read `rolling ...` with one parser and GranSubModRollingSDS's checks."""
    import subprocess

    from sigdem.run.launch import lmp_argv

    (tmp_path / "in.lmp").write_text(
        f"units micro\natom_style sphere 1\nnewton off\ncomm_modify vel yes\nplugin load {cache}\n"
        "region box block 0 10 0 10 0 10\ncreate_box 1 box\n"
        f"pair_style {pair}\npair_coeff * * {law} {rolling}\n")
    proc = subprocess.run(lmp_argv(), cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    assert proc.returncode != 0 and message in proc.stdout


def test_the_record_reads_the_contacts_adhesion(settled, tmp_path):
    """What kernel_variables() asks before putting an mdr stage on the plugin: 0 for Hertz, the mdr value."""
    assert RunRecord.read(settled["granular"]).surface_energy_j_m2 == 0.0
    sticky = replace(mdr_calender(settled["hmr"]), contact=MdrContact(surface_energy_j_m2=0.05))
    assert RunRecord.read(runners.render(sticky, tmp_path)).surface_energy_j_m2 == 0.05


#: Two spheres (R 10 µm and R2) pressed to an overlap of 0.6 x 2 R2 by a prescribed motion and drawn apart past
#: contact; mdr by LAMMPS (pair granular) or by the plugin with either unload split; every 200 steps the overlap,
#: the force on the fixed sphere and both apparent radii to 17 digits.
TWO_SPHERES = """\
variable mdr_kernel index granular
variable mdr_split index lammps
if "${mdr_kernel} == hmr" then "variable mdr_pair string granular/mdr/hmr" "variable mdr_fix string granular/mdr/hmr" &
else "variable mdr_pair string granular" "variable mdr_fix string GRANULAR/MDR"
units           micro
atom_style      sphere 1
atom_modify     map array
boundary        f f f
newton          off
comm_modify     vel yes
plugin load     ${kernel_plugin}
region          box block -40 40 -40 40 -40 40 units box
create_box      1 box
create_atoms    1 single 0 0 0 units box
create_atoms    1 single $(10.0+v_r2+0.5) 0 0 units box
set             atom 1 diameter 20.0
set             atom 2 diameter $(2.0*v_r2)
set             group all density 2.26
fix             MDR all ${mdr_fix}
if "${mdr_split} == bounded" then "pair_style ${mdr_pair} split bounded" else "pair_style ${mdr_pair}"
pair_coeff      * * mdr 200000 0.3 1000 0.0 0.5 0.2 damping mdr 1 tangential mindlin NULL 1.0 0.3
neighbor        2.0 bin
neigh_modify    delay 0 every 1 check yes
group           mover id 2
group           fixed id 1
variable        dmax equal 1.2*v_r2+0.5
variable        d equal ternary(step<10000,v_dmax*step/10000,v_dmax-(v_dmax+2.0)*(step-10000)/10000)
variable        xm equal -v_d
fix             m1 fixed move linear 0 0 0
fix             m2 mover move variable v_xm NULL NULL NULL NULL NULL
timestep        0.001
variable        ov equal 10.0+v_r2-(x[2]-x[1])
variable        f1 equal fx[1]
variable        ra equal radius[1]
variable        rb equal radius[2]
fix             out all print 200 "$(v_ov:%.17g) $(v_f1:%.17g) $(v_ra:%.17g) $(v_rb:%.17g)" file forces.txt screen no
run             20000
"""


@pytest.mark.parametrize("r2", [10.0, 2.5])
def test_the_bounded_split_is_lammps_mdr_where_each_share_stays_in_0_1(cache, tmp_path, r2):
    """An isolated pair's shares of its unloading stay within [0, 1] (1/2 each for equal spheres): the bounded
    split (MdrContact.unload_split) gives LAMMPS's mdr to the bit through a deep plastic press (overlap 0.6 of
    the small sphere's diameter), the release and the separation, as the plugin's default split does."""
    import subprocess

    from sigdem.run.launch import lmp_argv

    (tmp_path / "two.lmp").write_text(TWO_SPHERES)
    out = {}
    for kernel, split in (("granular", "lammps"), ("hmr", "lammps"), ("hmr", "bounded")):
        folder = tmp_path / f"{kernel}_{split}"
        folder.mkdir()
        (folder / "two.lmp").write_text(TWO_SPHERES)
        argv = lmp_argv(variables={"kernel_plugin": cache, "mdr_kernel": kernel, "mdr_split": split, "r2": r2},
                        input_name="two.lmp")
        proc = subprocess.run(argv, cwd=folder, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-2000:]
        out[(kernel, split)] = (folder / "forces.txt").read_bytes()
    assert out[("granular", "lammps")] == out[("hmr", "lammps")] == out[("hmr", "bounded")]
    rows = np.loadtxt(tmp_path / "hmr_bounded" / "forces.txt")
    assert rows[:, 0].max() > 1.19 * r2 and rows[:, 1].min() < -1e4  # pressed deep, with force
    assert rows[-1, 0] < 0 and rows[-1, 1] == 0.0  # drawn apart: no force
    assert rows[-1, 3] > r2  # the small sphere's apparent radius grew (plastic flattening)



@pytest.mark.parametrize("ranks", [1, 2])
def test_the_cells_servo_force_from_the_plugin_is_lammps_sum_to_the_bit(cache, tmp_path, ranks):
    """compute stress/zsum/hmr (pellet_cell_mdr.lmp's servo force where the plugin is loaded) equals the sum it
    replaces, stress/atom (pair, zz) / lz added over the atoms by compute reduce, to the bit at every step of a
    cell squeezed under overlapping spheres, on 1 and 2 ranks (each rank's partial sum, then MPI's): the build's
    check, which the stamp records."""
    assert build.verify_stress_sum(cache, tmp_path, ranks=ranks) > 0
    rows = np.loadtxt(tmp_path / "stress_sum_hmr" / "sums.txt")
    assert rows.shape == (build.STRESS_SUM_ROWS, 2)
    assert np.count_nonzero(rows[:, 1]) > 300 and len(set(rows[:, 1])) > 300  # a force that changes, not zeros
    grid = re.search(r"(\d+) by (\d+) by (\d+) MPI processor grid", (tmp_path / "stress_sum_hmr" / "log.lammps").read_text())
    assert np.prod([int(g) for g in grid.groups()]) == ranks


def test_the_servo_force_check_refuses_a_sum_added_in_another_order(cache, tmp_path, monkeypatch):
    """The check can fail: LAMMPS's side summing stress/atom first and dividing by lz once (the same force, other
    round-off) differs from the plugin's per-atom division on most steps, and the check refuses it."""
    lammps_side = '"variable fz_cell atom c_stress[3]/lz" "compute ftop all reduce sum v_fz_cell" "variable force equal c_ftop"'
    assert lammps_side in build.STRESS_SUM_CHECK
    monkeypatch.setattr(build, "STRESS_SUM_CHECK", build.STRESS_SUM_CHECK.replace(
        lammps_side, '"compute raw all reduce sum c_stress[3]" "variable force equal c_raw/lz"'))
    with pytest.raises(EnvironmentProblem, match="stress/zsum/hmr"):
        build.verify_stress_sum(cache, tmp_path)
    a, b = (np.loadtxt(tmp_path / f"stress_sum_{k}" / "sums.txt") for k in ("granular", "hmr"))
    np.testing.assert_allclose(a, b, rtol=1e-12)  # the same force, other round-off
