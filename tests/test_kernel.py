"""The opt-in granular/hmr kernel: build and self-check, bitwise equality with pair granular, refusals.

The plugin is built once for the module into a temporary XDG_CACHE_HOME (g++ and the wheel's headers are
part of this project's environment, so nothing here is skipped). The settle and calender runs are tiny.
"""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sigdem import kernel, runners
from sigdem.contact import MdrContact
from sigdem.deck import Bed, Calender, Deck, Numerics, Pellet, deck_variables, start_bed, statepoint
from sigdem.errors import EnvironmentProblem, InputError
from sigdem.materials import GRAPHITE, STEEL
from sigdem.placement import place_spheres
from sigdem.protocols import settled_surface_um
from sigdem.rundir import job_id

N = 60
SIDE_UM = 40.0
NUMERICS = Numerics(modulus_scale=0.01)
HMR = replace(NUMERICS, kernel="hmr")
SETTLE_FILES = ("settled.dump", "settled_contacts.dump", "thermo.txt", "settle_result.txt")
CALENDER_FILES = ("targets.txt", "held.txt", "unloaded.txt", "unloaded.dump", "thermo.txt",
                  "target_1.dump", "target_1_contacts.dump", "target_2.dump")


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
        assert kernel.kernel_path() is None
        path = kernel.build_kernel()
        yield path


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("kernel_runs")


@pytest.fixture(scope="module")
def settled(cache, root):
    """The same bed settled by each kernel: {kernel: folder}."""
    bed = make_bed()
    return {k: runners.run(Deck(bed, numerics=replace(NUMERICS, kernel=k)), root) for k in ("granular", "hmr")}


def test_build_verifies_and_stamps_the_plugin(cache):
    assert cache.is_file() and cache.name == "granhmrplugin.so"
    assert kernel.kernel_path() == cache
    folder = cache.parent
    assert folder.parent == kernel.cache_root() and folder.name == f"{kernel.lammps_version()}-{kernel.source_hash()}"
    stamp = json.loads((folder / kernel.STAMP_NAME).read_text())
    assert stamp["flags"] == list(kernel.CXXFLAGS) and "-ffp-contract=off" in stamp["flags"]
    assert set(stamp["checked"]["identical_bytes"]) >= {"settled.dump", "settled_contacts.dump"}
    status = kernel.kernel_status()
    assert status["verified"] and status["path"] == str(cache)
    assert kernel.build_kernel() == cache  # already verified: not rebuilt


def test_a_changed_plugin_is_not_used(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = kernel.build_folder()
    folder.mkdir(parents=True)
    (folder / kernel.PLUGIN_NAME).write_bytes(cache.read_bytes() + b"\0")
    (folder / kernel.STAMP_NAME).write_text((cache.parent / kernel.STAMP_NAME).read_text())
    assert kernel.kernel_path() is None


def test_missing_compiler_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("CXX", "no-such-compiler-xyz")
    with pytest.raises(EnvironmentProblem, match="no-such-compiler-xyz"):
        kernel.build_kernel()


def test_layout_mismatch_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(kernel, "FIRSTFLAG_OFFSET", 680)
    with pytest.raises(EnvironmentProblem, match="layout differs"):
        kernel.build_kernel()
    assert kernel.kernel_path() is None


def test_settle_with_hmr_is_bitwise_equal_to_granular(settled):
    a, b = settled["granular"], settled["hmr"]
    assert a.path != b.path  # another statepoint...
    assert statepoint_numerics(b)["kernel"] == "hmr" and "kernel" not in statepoint_numerics(a)
    assert "granular/hmr" in b.fn("in.lmp").read_text().split("# The values below")[1].split("\n\n")[0]
    assert "pair_style      granular/hmr" in b.fn("log.lammps").read_text()
    for name in SETTLE_FILES:  # ...and the same bytes
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name


def test_the_plugin_never_enters_this_process(settled):
    """The in-process runner hands hmr decks to a child lmp: once dlopen-ed into the Python process
    the plugin stayed, and a later in-process mdr run in the same process died (found by CI)."""
    from sigdem._loader import lammps_class

    lmp = lammps_class()(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    try:
        assert lmp.has_style("pair", "granular") and not lmp.has_style("pair", "granular/hmr")
    finally:
        lmp.close()


def statepoint_numerics(folder):
    return folder.params()["statepoint"]["numerics"]


def calender(folder, kernel_name: str) -> Deck:
    bed = start_bed(folder)
    rho0 = float(bed.masses_pg.sum()) / (bed.area_um2 * settled_surface_um(folder))
    targets = tuple(round(rho0 + x, 3) for x in (0.05, 0.12))
    protocol = Calender(target_densities_g_cc=targets, hold_steps=1000, relax_steps=2000)
    return Deck(bed, protocol=protocol, numerics=replace(NUMERICS, kernel=kernel_name), start=folder)


def test_settle_hmr_then_calender_equals_the_default_chain(settled, root):
    a = runners.run(calender(settled["granular"], "granular"), root)
    b = runners.run(calender(settled["hmr"], "hmr"), root)
    head = b.fn("in.lmp").read_text().split("\n\n")[0]
    assert "variable load_plugin  index 1" in head and "pair_style" not in head  # the restart keeps the style
    assert "restoring pair style granular/hmr from restart" in b.fn("log.lammps").read_text()
    assert a.path != b.path and len(a.fn("targets.txt").read_text().splitlines()) == 3  # header + 2 targets
    for name in CALENDER_FILES:
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name


def test_settle_hmr_then_pellet_equals_the_default_chain(settled, root):
    def pellet(folder, kernel_name):
        return Deck(start_bed(folder), protocol=Pellet(target_pressures_mpa=(0.2,), hold_steps=1000, relax_steps=2000),
                    numerics=replace(NUMERICS, kernel=kernel_name), start=folder)

    a = runners.run(pellet(settled["granular"], "granular"), root)
    b = runners.run(pellet(settled["hmr"], "hmr"), root)
    assert "restoring pair style granular/hmr from restart" in b.fn("log.lammps").read_text()
    for name in ("targets.txt", "unloaded.txt", "unloaded.dump", "thermo.txt"):
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name


def test_two_ranks_hmr_settle_equals_two_ranks_granular(cache, tmp_path):
    """``lmp`` under mpirun loads the plugin on every rank from the deck's header."""
    bed = make_bed(seed=5)
    a, b = (runners.run(Deck(bed, numerics=replace(NUMERICS, kernel=k)), tmp_path, runners.Executable(ranks=2))
            for k in ("granular", "hmr"))
    for name in SETTLE_FILES:
        assert a.fn(name).read_bytes() == b.fn(name).read_bytes(), name


def test_calender_must_keep_the_kernel_of_its_start(settled, root):
    with pytest.raises(InputError, match="settled with kernel 'hmr'"):
        runners.render(calender(settled["hmr"], "granular"), root)
    with pytest.raises(InputError, match="settled with kernel 'granular'"):
        runners.render(calender(settled["granular"], "hmr"), root)


def test_mdr_calender_cannot_start_from_an_hmr_bed(settled, root):
    folder = settled["hmr"]
    deck = Deck(start_bed(folder), protocol=Calender(target_densities_g_cc=(1.0,)), numerics=NUMERICS, start=folder,
                contact=MdrContact(), top=replace(STEEL, youngs_modulus_gpa=1e3), floor=replace(STEEL, name="floor"))
    with pytest.raises(InputError, match="kernel"):
        runners.render(deck, root)


# ---- refusals before LAMMPS ------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["HMR", "granular/hmr", "", None, 1])
def test_unknown_kernel_is_refused_naming_the_field(bad):
    with pytest.raises(InputError, match=r"numerics\.kernel.*allowed: 'granular', 'hmr'"):
        Numerics(kernel=bad)


def test_hmr_refuses_rolling_friction():
    with pytest.raises(InputError, match="numerics.kernel.*rolling"):
        Deck(make_bed(), material=replace(GRAPHITE, rolling_friction=0.1), numerics=HMR)


def test_hmr_refuses_mdr(settled):
    folder = settled["granular"]
    with pytest.raises(InputError, match="numerics.kernel.*mdr"):
        Deck(start_bed(folder), protocol=Calender(target_densities_g_cc=(1.0,)), numerics=HMR, start=folder,
             contact=MdrContact(), top=replace(STEEL, youngs_modulus_gpa=1e3), floor=replace(STEEL, name="floor"))


def test_calendering_study_refuses_hmr_with_mdr_or_rolling_at_once():
    from sigdem.psd import monodisperse
    from sigdem.psd.blend import as_blend
    from sigdem.studies.calendering import CalenderingStudy

    blend = as_blend(monodisperse(10.0), density_g_cc=2.26, name="mono")
    default = CalenderingStudy(blend)
    numerics = replace(default.settle_numerics, kernel="hmr")
    smooth = {name: replace(getattr(default, name), rolling_friction=0.0) for name in ("material", "calender_material")}
    CalenderingStudy(blend, settle_numerics=numerics, **smooth)  # fine
    with pytest.raises(InputError, match="settle_numerics.kernel.*mdr"):
        CalenderingStudy(blend, settle_numerics=numerics, contact=MdrContact(), **smooth)
    with pytest.raises(InputError, match="settle_numerics.kernel.*rolling"):  # the study's default materials roll
        CalenderingStudy(blend, settle_numerics=numerics)


def test_hmr_without_a_verified_plugin_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))
    deck = Deck(make_bed(), numerics=HMR)
    with pytest.raises(InputError, match="sigdem kernel build"):
        deck_variables(deck)
    with pytest.raises(InputError, match="sigdem kernel build"):
        runners.render(deck, tmp_path / "runs")
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_unsafe_plugin_path_never_reaches_a_deck(cache, monkeypatch):
    monkeypatch.setattr(kernel, "kernel_path", lambda: Path("/tmp/a b;shell rm/granhmrplugin.so"))
    with pytest.raises(InputError, match="kernel_plugin"):
        deck_variables(Deck(make_bed(), numerics=HMR))


# ---- default identities unchanged ------------------------------------------------------------

def test_default_job_ids_are_unchanged():
    """Job ids computed before the kernel field existed (a default deck leaves kernel out of its statepoint)."""
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
    hmr = replace(study, numerics=replace(study.numerics, kernel="hmr"))
    assert hmr.job != study.job and hmr.bed_key == study.bed_key  # the same initial beds for both kernels


# ---- command line ------------------------------------------------------------------------------

def test_cli_kernel_status_and_build(cache, capsys, tmp_path, monkeypatch):
    from sigdem.cli import main

    assert main(["kernel", "status"]) == 0 and str(cache) in capsys.readouterr().out
    assert main(["kernel", "build"]) == 0 and capsys.readouterr().out.strip() == str(cache)
    assert main(["doctor"]) == 0 and f"hmr kernel     : verified, {cache}" in capsys.readouterr().out
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert main(["kernel", "status"]) == 1 and "not built" in capsys.readouterr().out
    assert main(["doctor"]) == 0 and "hmr kernel     : not built" in capsys.readouterr().out  # optional


def test_cli_kernel_option_reaches_the_study_and_is_checked(tmp_path, monkeypatch, capsys):
    from sigdem.cli import _packing_template, build_parser, main

    for command in ("pack", "ternary"):
        args = build_parser().parse_args([command, "--kernel", "hmr"])
        assert _packing_template(args).numerics.kernel == "hmr"
        assert _packing_template(build_parser().parse_args([command])).numerics.kernel == "granular"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["pack", "--kernel", "fast"])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))
    assert main(["pack", "--kernel", "hmr", "--n", "300", "--replicates", "1", "--root", str(tmp_path / "r"), "--quiet"]) == 2
    assert "sigdem kernel build" in capsys.readouterr().err
