"""The rooms and their floors hold: import-linter's contracts in pyproject.toml ([tool.importlinter]).

A lower room (errors, inputs, io, deck, run, analysis, ...) never imports a higher one (studies, plots,
checks, kernel, hpc, cli), and no room's modules import each other in a circle. The second test proves the
contract can fail: a copy of the package with one upward import breaks it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def lint(workdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(workdir / "pyproject.toml"), "--no-cache"], cwd=workdir,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(workdir)}, capture_output=True, text=True)


def test_the_layers_and_acyclic_rooms_hold():
    out = lint(REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copytree(REPO / "sigdem", tmp_path / "sigdem", ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    dumps = tmp_path / "sigdem" / "io" / "dumps.py"
    dumps.write_text(dumps.read_text() + "\nfrom sigdem.studies import packing  # a reader importing a study\n")
    out = lint(tmp_path)
    assert out.returncode != 0 and "BROKEN" in out.stdout
    assert "sigdem.io.dumps -> sigdem.studies.packing" in out.stdout
