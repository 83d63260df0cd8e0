"""Cluster profiles, the batch script they produce, pretend submissions and exports (no Slurm needed)."""

import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from sigdem.run import runners
from sigdem.deck import Bed, Calender, Deck, Numerics, Settle, start_bed
from sigdem.errors import InputError
from sigdem.hpc import ClusterProfile, load_profile, local_profile
from sigdem.hpc.export import export_folders
from sigdem.hpc.script import render_script
from sigdem.hpc.sweep import submit_chain, submit_sweep

GOOD = """
partition = "compute"
account = "proj_42"
time = "1-02:00:00"
tasks_per_job = 4
cpus_per_task = 2
mem = "8G"
modules = ["gcc/12.2", "openmpi/4.1.5"]
venv = "/home/me/venvs/sigdem"
launcher = "srun"
extra_sbatch = ["--qos=short", "--exclusive"]
"""
INJECTIONS = ["debug; rm -rf /", "$(id)", "`id`", "debug\n#SBATCH --uid=0", "a b", "x'y", 'x"y', "a|b", "a&b"]


def write(tmp_path, text) -> Path:
    path = tmp_path / "cluster.toml"
    path.write_text(text)
    return path


def test_good_profile_loads(tmp_path):
    p = load_profile(write(tmp_path, GOOD))
    assert p == ClusterProfile("compute", "proj_42", "1-02:00:00", 4, 2, "8G", ("gcc/12.2", "openmpi/4.1.5"),
                               "/home/me/venvs/sigdem", "srun", ("--qos=short", "--exclusive"))
    assert p.python == "/home/me/venvs/sigdem/bin/python"
    assert local_profile().partition == "debug"


@pytest.mark.parametrize("text,key", [
    ('partition = "a"\npartiton = "b"\n', "partiton"),
    ('account = "a"\n', "partition"),
    ('partition = "a"\ntime = "90 minutes"\n', "time"),
    ('partition = "a"\ntasks_per_job = 0\n', "tasks_per_job"),
    ('partition = "a"\ntasks_per_job = "4"\n', "tasks_per_job"),
    ('partition = "a"\nlauncher = "ssh"\n', "launcher"),
    ('partition = "a"\nvenv = "relative/venv"\n', "venv"),
    ('partition = "a"\nextra_sbatch = ["--array=0-99"]\n', "extra_sbatch"),
    ('partition = "a"\nextra_sbatch = ["-p other"]\n', "extra_sbatch"),
    ('partition = "a"\nmodules = "gcc"\n', "modules"),
])
def test_bad_profile_names_file_and_key(tmp_path, text, key):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_profile(path)
    assert err.value.field == f"{path}: {key}"
    assert str(path) in str(err.value)


@pytest.mark.parametrize("key", ["partition", "account", "time", "mem", "modules", "venv", "extra_sbatch"])
@pytest.mark.parametrize("bad", INJECTIONS)
def test_injection_strings_are_refused(tmp_path, key, bad):
    value = [bad] if key in ("modules", "extra_sbatch") else bad
    if key == "venv":
        value = "/opt/" + bad
    if key == "extra_sbatch":
        value = ["--qos=" + bad]
    text = 'partition = "a"\n' if key != "partition" else ""
    import json  # TOML basic strings accept JSON string escapes
    text += f"{key} = {json.dumps(value)}\n"
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_profile(path)
    assert err.value.field == f"{path}: {key}"


def test_unreadable_toml_is_an_input_error(tmp_path):
    path = write(tmp_path, "partition = \n")
    with pytest.raises(InputError, match="cluster.toml"):
        load_profile(path)


# ---- scripts ------------------------------------------------------------------------------------

SCRIPT_LINE = re.compile(r"#!/bin/bash|#SBATCH --[a-z-]+(=[A-Za-z0-9_.,:+/@%-]+)?|#SBATCH --[a-z-]+|# .*|set [-+][a-z]+( -o pipefail)?.*"
                         r"|module load [A-Za-z0-9_.+/-]+|source /[A-Za-z0-9_./+-]+|mapfile -t items < /[A-Za-z0-9_./+-]+"
                         r'|item=\$\{items\[\$SLURM_ARRAY_TASK_ID\]\}|exec /[A-Za-z0-9_./+-]+ -m sigdem\.hpc\.task --(folder|deck) "\$item"'
                         r"( --root /[A-Za-z0-9_./+-]+)? --ranks \d+ --launcher (srun|mpirun)|")


def test_script_lines_are_all_of_known_shapes(tmp_path):
    p = load_profile(write(tmp_path, GOOD))
    text = render_script(p, job_name="sigdem-settle", sweep_dir="/data/run/_slurm/s1", list_file="/data/run/_slurm/s1/tasks.txt",
                         n_tasks=3, kind="deck", root="/data/run")
    assert text.startswith("#!/bin/bash\n#SBATCH ")
    for line in text.splitlines():
        assert SCRIPT_LINE.fullmatch(line), line
    assert "#SBATCH --array=0-2" in text and "module load gcc/12.2" in text and "--ranks 4 --launcher srun" in text
    # bash itself reads the script: its exec line has the intended words
    exec_line = [ln for ln in text.splitlines() if ln.startswith("exec ")][0]
    assert shlex.split(exec_line)[2:6] == ["-m", "sigdem.hpc.task", "--deck", "$item"]


def test_script_refuses_unsafe_paths_and_names():
    p = local_profile()
    with pytest.raises(InputError):
        render_script(p, job_name="x", sweep_dir="/tmp/a b", list_file="/tmp/l", n_tasks=1)
    with pytest.raises(InputError):
        render_script(p, job_name="x;id", sweep_dir="/tmp/a", list_file="/tmp/l", n_tasks=1)
    with pytest.raises(InputError):
        render_script(p, job_name="x", sweep_dir="/tmp/a", list_file="/tmp/l", n_tasks=1, kind="deck")


def test_srun_launcher_builds_the_lmp_command_once(tmp_path):
    folder = runners.RunFolder(tmp_path)
    argv = runners.Executable(ranks=2, launcher="srun").argv(folder)
    assert argv[:4] == ["srun", "--mpi=pmi2", "-n", "2"] and argv[4:6] == ["/bin/sh", "-c"] and argv[9:11] == ["-in", "in.lmp"]
    assert runners.Executable(ranks=1, launcher="srun").argv(folder)[1:3] == ["-in", "in.lmp"]
    with pytest.raises(InputError):
        runners.Executable(ranks=2, launcher="ssh").argv(folder)


# ---- pretend submissions and exports (rendered folders; LAMMPS does not run) ------------------------

def tiny_bed(seed: int, n: int = 20) -> Bed:
    d = np.full(n, 10.0) + seed * 0.01
    pos = np.column_stack([np.arange(n) % 4 * 12.0 + 6.0, np.arange(n) // 4 * 12.0 + 6.0, np.full(n, 6.0)])
    return Bed(d, np.zeros(n, int), pos, ("graphite",), (2.26,), 48.0, 64.0, 40.0)


def settle_deck(seed: int) -> Deck:
    return Deck(tiny_bed(seed), numerics=Numerics(modulus_scale=0.01), protocol=Settle(ke_tol=1e-4, max_time_factor=10))


def test_pretend_writes_nothing_and_shows_the_script(tmp_path):
    folders = [runners.render(settle_deck(s), tmp_path) for s in range(3)]
    sub = submit_sweep(folders, tmp_path, pretend=True)
    assert sub.job is None and sub.folders == tuple(f.path for f in folders)
    assert "#SBATCH --array=0-2" in sub.script and not (tmp_path / "_slurm").exists()
    for line in sub.script.splitlines():
        assert SCRIPT_LINE.fullmatch(line), line
    decks = [Deck(start_bed(f), numerics=Numerics(modulus_scale=0.01), start=f,
                  protocol=Calender(target_densities_g_cc=(1.2,))) for f in folders]
    first, second = submit_chain(folders, decks, tmp_path, pretend=True)
    assert "--folder" in first.script and f"--deck \"$item\" --root {tmp_path}" in second.script
    assert not (tmp_path / "_slurm").exists()


def test_export_runs_without_python_and_refuses_unsettled_starts(tmp_path):
    folders = [runners.render(settle_deck(s), tmp_path / "runs") for s in range(2)]
    out = export_folders(folders, tmp_path / "export", ranks=2)
    for f in folders:
        assert (out / f.path.name / "in.lmp").read_bytes() == f.fn("in.lmp").read_bytes()
        assert (out / f.path.name / "particles.data").is_file()
    run_all, array = (out / "run_all.sh").read_text(), (out / "slurm_array.sh").read_text()
    assert "mpirun -np 2 \"$LMP\" -in in.lmp" in run_all and "python" not in run_all.replace("no Python needed", "")
    assert "#SBATCH --array=0-1" in array and 'srun --mpi=pmi2 -n 2 "${LMP:-lmp}" -in in.lmp' in array
    calender = Deck(start_bed(folders[0]), numerics=Numerics(modulus_scale=0.01), start=folders[0],
                    protocol=Calender(target_densities_g_cc=(1.2,)))
    with pytest.raises(InputError, match="cannot be exported before its settle ran"):
        export_folders([calender], tmp_path / "export2")
