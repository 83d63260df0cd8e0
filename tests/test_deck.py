"""Decks: golden rendering, refusal of unsafe strings, run-folder life cycle, runner identity."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sigdem.run import runners
from sigdem.deck import Bed, Deck, Numerics, Settle, data_file_text
from sigdem.io.dumps import read_last_frame
from sigdem.run.session import LammpsSession
from sigdem.errors import EngineError, IncompleteRunError, InputError
from sigdem.model.materials import GRAPHITE
from sigdem.psd import Grade, monodisperse
from sigdem.io.folder import RunFolder
from sigdem.deck.templates import template_path

GOLDEN = Path(__file__).parent / "data" / "golden"
INJECTIONS = ["graphite\n", "shell rm -rf x", "python x", "$(v_a)", "${x}", "a&b", "a#b", "a;b", "a\nb", "include x", "a b", ""]


def tiny_bed(names=("large", "small")) -> Bed:
    d = np.array([12.0, 12.0, 8.0, 8.0, 8.0, 8.0])
    pos = np.array([[10, 10, 10], [30, 30, 10], [10, 30, 25], [30, 10, 25], [20, 20, 40], [10, 10, 55.0]])
    return Bed(d, np.array([0, 0, 1, 1, 1, 1]), pos, names, (2.26, 2.2), 40.0, 40.0, 70.0)


def tiny_deck(**kw) -> Deck:
    return Deck(bed=tiny_bed(), numerics=Numerics(modulus_scale=0.01), protocol=Settle(ke_tol=1e-4, check_every=100, thermo_every=100), **kw)


def test_rendered_settle_folder_matches_golden_files(tmp_path):
    """Any change to the settle template or its rendering shows here as a diff.

    The golden files are never written by a test run: regenerate them deliberately with
    ``python tests/data/golden/regenerate.py`` and review the diff in the commit.
    """
    folder = runners.render(tiny_deck(), tmp_path)
    for name, golden in (("in.lmp", "settle_in.lmp"), ("particles.data", "settle_particles.data")):
        text = folder.fn(name).read_text().replace(folder.job, "<job>")
        assert text == (GOLDEN / golden).read_text(), f"{name} differs from tests/data/golden/{golden}"


def test_folder_name_is_statepoint_hash_and_changes_with_parameters(tmp_path):
    a = runners.render(tiny_deck(), tmp_path)
    b = runners.render(tiny_deck(), tmp_path)
    c = runners.render(tiny_deck(replicate=1), tmp_path)
    d = runners.render(replace(tiny_deck(), material=replace(GRAPHITE, friction=0.5)), tmp_path)
    assert a.path == b.path
    assert len({a.path, c.path, d.path}) == 3
    assert a.path.name.startswith("settle-") and len(a.job) == 16
    assert json.loads(a.fn("params.json").read_text())["statepoint"]["replicate"] == 0


def test_data_file_types_and_numbers():
    text = data_file_text(tiny_bed())
    assert "6 atoms" in text and "2 atom types" in text
    assert "1 large" in text and "2 small" in text
    atoms = [l.split() for l in text.split("Atoms # sphere")[1].strip().splitlines()]
    assert len(atoms) == 6
    assert [float(v) for v in atoms[2]] == [3, 2, 8.0, 2.2, 10, 30, 25]


@pytest.mark.parametrize("bad", INJECTIONS)
def test_unsafe_names_refused_everywhere(bad, tmp_path):
    with pytest.raises(InputError):
        tiny_bed(names=("large", bad))
    with pytest.raises(InputError):
        replace(GRAPHITE, name=bad)
    with pytest.raises(InputError):
        Grade(bad, monodisperse(10.0), 2.26)
    with pytest.raises(InputError):
        template_path(bad)
    with pytest.raises(InputError):
        LammpsSession(tmp_path, variables={"dir": bad + "$"})
    with pytest.raises(InputError):
        LammpsSession(tmp_path, variables={bad + "$": 1})


@pytest.mark.parametrize("odd", ["runs dir", "runs$(x)", "runs;x", "a\nb", "runs#1", "runs&", "rüns"])
def test_any_run_root_renders_and_never_reaches_the_deck(odd, tmp_path):
    """A root is any writable directory; its text never enters a deck, and LAMMPS gets the folder as a
    variable only when that text is safe (else the runner runs lmp inside the folder)."""
    from sigdem.inputs import SAFE_PATH_RE, relative_deck_path

    folder = runners.render(tiny_deck(), tmp_path / odd)
    for name in ("in.lmp", "particles.data"):
        assert odd not in folder.fn(name).read_text() and str(tmp_path) not in folder.fn(name).read_text()
    here = relative_deck_path(folder.path)
    assert here is None or SAFE_PATH_RE.fullmatch(here)


def test_a_root_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="root.*is a file"):
        runners.render(tiny_deck(), tmp_path / "f")


def test_numbers_only_as_numbers():
    with pytest.raises(InputError):
        Numerics(modulus_scale="0.01; shell ls")
    with pytest.raises(InputError):
        Settle(check_every=1.5)
    with pytest.raises(InputError, match=r"numerics.modulus_scale.*\(0, 1\]"):
        Numerics(modulus_scale=2.0)


def test_timestep_override_above_limit_is_refused_before_lammps(tmp_path):
    with pytest.raises(InputError, match="timestep_us"):
        runners.render(replace(tiny_deck(), numerics=Numerics(modulus_scale=0.01, timestep_us=10.0)), tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.lammps
def test_inprocess_and_lmp_executable_give_identical_results(tmp_path):
    a = runners.run(tiny_deck(), tmp_path / "a", runners.InProcess())
    b = runners.run(tiny_deck(), tmp_path / "b")  # the default runner: a child lmp
    fa, fb = read_last_frame(a.fn("settled.dump")), read_last_frame(b.fn("settled.dump"))
    assert fa.timestep == fb.timestep
    assert np.array_equal(fa.data.to_numpy(), fb.data.to_numpy())
    assert a.fn("thermo.txt").read_text() == b.fn("thermo.txt").read_text()


@pytest.mark.lammps
def test_failed_run_is_marked_failed_with_log(tmp_path, monkeypatch):
    folder = runners.render(tiny_deck(), tmp_path)
    folder.fn("in.lmp").write_text(folder.fn("in.lmp").read_text().replace("pair_style      ${pair_style}", "pair_style      no_such_style"))
    with pytest.raises(EngineError) as info:
        runners.execute(folder)
    assert info.value.run_dir == folder.path
    assert "no_such_style" in info.value.log_tail
    assert folder.state == "failed" and "EngineError" in folder.status()["reason"]
    with pytest.raises(IncompleteRunError):
        folder.require_done()


def test_interrupted_run_never_looks_done(tmp_path, monkeypatch):
    folder = runners.render(tiny_deck(), tmp_path)

    def interrupted(self, f, variables):
        (f.fn("settled.dump")).write_text("partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(runners.Executable, "execute", interrupted)  # the default runner
    with pytest.raises(KeyboardInterrupt):
        runners.execute(folder)
    assert folder.state == "failed" and folder.status()["reason"] == "interrupted"
    with pytest.raises(IncompleteRunError):
        RunFolder(folder.path).require_done()


@pytest.mark.lammps
def test_mpirun_two_ranks_runs_the_same_deck(tmp_path):
    """mpirun -np 2 lmp: the same deck finishes, keeps every particle, and rests in the same state
    up to the round-off that a different summation order brings (a 6-particle bed has no chaos to amplify it)."""
    one = runners.run(tiny_deck(), tmp_path / "one", runners.Executable())
    two = runners.run(tiny_deck(), tmp_path / "two", runners.Executable(ranks=2))
    assert "mpirun" in runners.Executable(ranks=2).argv(two)[0]
    a, b = read_last_frame(one.fn("settled.dump")).data, read_last_frame(two.fn("settled.dump")).data
    assert len(b) == len(a) == 6
    assert np.allclose(a[["x", "y", "z"]].to_numpy(), b[["x", "y", "z"]].to_numpy(), atol=1e-3)
    import re

    grid = re.search(r"(\d+) by (\d+) by (\d+) MPI processor grid", two.fn("log.lammps").read_text())
    assert grid and np.prod([int(g) for g in grid.groups()]) == 2
    assert grid.group(3) == "1", "the decks split x-y (processors * * 1): a z split leaves a rank idle over a settled bed"


def test_every_stage_template_has_its_expected_outputs_and_progress_columns():
    """A stage missing here would run without the missing-output check that keeps a half-written
    folder from looking done (execute now refuses unknown stages outright)."""
    from pathlib import Path

    from sigdem.deck import STAGES

    stages = {p.name for p in (Path(__file__).parent.parent / "lammps_inputs").glob("*.lmp")
              if not p.stem.startswith(("verify_", "_"))}
    assert {"settle.lmp", "calender.lmp", "pellet.lmp", "calender_mdr.lmp"} <= stages
    shared = {name for s in STAGES.values() for name in s.includes}
    assert stages <= {s.template for s in STAGES.values()} | shared  # every stage script has its Stage
    for s in STAGES.values():
        assert s.outputs and s.progress and (Path(__file__).parent.parent / "lammps_inputs" / s.template).is_file()
