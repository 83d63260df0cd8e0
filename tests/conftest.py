import re
import shutil
import subprocess

import pytest

from sigdem.run.launch import lmp_argv
from sigdem.run.runners import kernel_variables


@pytest.fixture
def workdir(tmp_path):
    """A run folder whose path is safe for LAMMPS decks."""
    return tmp_path


@pytest.fixture
def rerun_by_hand(tmp_path):
    """Run a finished run folder's in.lmp again by hand, ``lmp -in in.lmp -var name value ...``, in a fresh folder
    holding a copy of its ``inputs`` (in.lmp writes to its own folder), on the kernel sigdem ran it with: returns
    that folder and the finished process (its exit code and output), as a user running the deck with other values
    would see them."""
    def run(folder, name, inputs, variables):
        copy = tmp_path / name
        copy.mkdir()
        for f in inputs:
            shutil.copy(folder.fn(f), copy / f)
        argv = lmp_argv(variables={**kernel_variables(folder, "auto"), **variables})
        proc = subprocess.run(argv, cwd=copy, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        return copy, proc
    return run


@pytest.fixture
def ghost_counts():
    """Reads the mean ghost-atom count per rank of each run in a LAMMPS log (its "Nghost: <ave> ave ..." lines)."""
    def read(log_path):
        return [float(n) for n in re.findall(r"^Nghost:\s+(\S+) ave", log_path.read_text(), flags=re.M)]
    return read
