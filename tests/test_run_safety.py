"""Run safety: exclusive claim of run folders, stale-run recovery, Ctrl-C, child lmp failures, orphans.

Real processes on tiny decks (6 particles, tests/test_deck.py::tiny_deck) or a long Lennard-Jones run
standing in for a long settle.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sigdem import cli
from sigdem.errors import EngineError
from sigdem.io.dumps import read_last_frame
from sigdem.run import runners
from sigdem.run.child import pid_alive

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ is not a package: test_deck by its folder
from test_deck import tiny_deck  # noqa: E402

WT = str(Path(__file__).resolve().parent.parent)
ENV = {**os.environ, "PYTHONPATH": WT}

#: an in.lmp that runs for hours: a stand-in for a long settle
LONG_RUN = """units lj
atom_style atomic
lattice fcc 0.8442
region box block 0 5 0 5 0 5
create_box 1 box
create_atoms 1 box
mass 1 1.0
velocity all create 1.0 87287
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
fix 1 all nve
thermo 1000
run 1000000000
"""


def long_folder(root):
    folder = runners.render(tiny_deck(), root)
    folder.fn("in.lmp").write_text(LONG_RUN)
    return folder


def wait_for(cond, timeout_s=20.0, what="condition"):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def child_pid(folder):
    try:
        return folder.status().get("child_pid")
    except json.JSONDecodeError:
        return None


def processes_in(path: Path) -> list[int]:
    """pids of the processes whose working directory is ``path``."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if Path(os.readlink(d / "cwd")) == path and pid_alive(int(d.name)):
                    found.append(int(d.name))
            except OSError:
                pass
    return found


# ---- 1. exclusive claim ----------------------------------------------------------------------

CLAIM_SCRIPT = """
import logging, os, sys, time
from pathlib import Path
from sigdem.run import runners
from tests.test_deck import tiny_deck
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
root = Path(sys.argv[1])

class Counting:  # the default runner, counting its runs (slowed so that the two processes overlap)
    name, kernel = "lmp", "auto"
    def execute(self, folder, variables):
        with open(root / "runs.txt", "a") as fh:
            fh.write(f"{os.getpid()}\\n")
        time.sleep(1.0)
        runners.Executable().execute(folder, variables)

folder = runners.run(tiny_deck(), root, Counting())
print(folder.path.name, folder.state)
"""


@pytest.mark.lammps
def test_two_processes_on_one_statepoint_compute_the_folder_once(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", CLAIM_SCRIPT, str(tmp_path)], env=ENV, cwd=WT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    names = {o.split()[0] for o, _ in outs}
    assert len(names) == 1 and all(o.split()[1] == "done" for o, _ in outs)
    assert len((tmp_path / "runs.txt").read_text().split()) == 1, "LAMMPS ran more than once"
    assert sum("waiting" in err for _, err in outs) == 1, "the second process did not wait for the first"
    folder = runners.RunFolder(tmp_path / names.pop())
    assert folder.fn("log.lammps").read_text().count("LAMMPS (") == 1
    assert len(read_last_frame(folder.fn("settled.dump")).data) == 6
    assert folder.status()["state"] == "done"


@pytest.mark.lammps
def test_stale_running_folder_of_a_dead_process_is_run_again(tmp_path, caplog):
    folder = runners.render(tiny_deck(), tmp_path)
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert not pid_alive(dead.pid)
    folder.set_state("running", pid=dead.pid, host=socket.gethostname(), child_pid=None)
    folder.fn("settled.dump").write_text("half a dump")
    with caplog.at_level("WARNING"):
        again = runners.run(tiny_deck(), tmp_path)
    assert again.path == folder.path and again.state == "done"
    assert any("did not finish" in r.message and str(dead.pid) in r.message for r in caplog.records)
    assert len(read_last_frame(folder.fn("settled.dump")).data) == 6
    assert isinstance(folder.status()["child_pid"], int)  # the running record named the child lmp


def test_done_folder_is_never_rendered_again(tmp_path, monkeypatch):
    folder = runners.render(tiny_deck(), tmp_path)
    folder.set_state("done")
    before = folder.fn("in.lmp").stat().st_mtime_ns
    monkeypatch.setattr(runners, "render", lambda *a: pytest.fail("a done folder was rendered again"))
    assert runners.run(tiny_deck(), tmp_path).path == folder.path
    assert folder.fn("in.lmp").stat().st_mtime_ns == before


# ---- 2. Ctrl-C and orphans -------------------------------------------------------------------

INTERRUPT_SCRIPT = """
import signal  # start as a shell would: the test runner's signal state (an inherited ignore or mask) is not the user's
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
import sys
from pathlib import Path
from sigdem.run import runners
from tests.test_deck import tiny_deck
from tests.test_run_safety import long_folder
root = Path(sys.argv[1])
runners.run(tiny_deck(replicate=1), root)  # a finished stage before the interrupted one
folder = long_folder(root)
try:
    runners.execute(folder)
except KeyboardInterrupt:
    sys.exit(130)
"""


def start_long(tmp_path, script=INTERRUPT_SCRIPT):
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], env=ENV, cwd=WT)
    try:
        folder = runners.RunFolder.for_job(tmp_path, "settle", runners.folder_of(tiny_deck(), tmp_path).job)
        pid = wait_for(lambda: folder.fn("status.json").exists() and folder.state == "running" and child_pid(folder),
                       what="the child lmp")
        time.sleep(1.0)  # LAMMPS is deep in its run
        assert pid_alive(pid) and proc.poll() is None
    except BaseException:
        stop(proc)  # a failed start must not leave an hours-long run behind (its lmp dies with it)
        raise
    return proc, folder, pid


def stop(proc) -> None:
    """Kill a test's long-running subprocess if it is still there."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


@pytest.mark.lammps
def test_ctrl_c_stops_within_seconds_marks_the_stage_interrupted_and_leaves_no_lmp(tmp_path):
    proc, folder, lmp = start_long(tmp_path)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        assert proc.wait(timeout=10) == 130
    finally:
        stop(proc)
    assert time.monotonic() - t0 < 3.0
    st = folder.status()
    assert st["state"] == "failed" and st["reason"] == "interrupted"
    assert not pid_alive(lmp) and processes_in(folder.path) == []
    done = runners.RunFolder.for_job(tmp_path, "settle", runners.folder_of(tiny_deck(replicate=1), tmp_path).job)
    assert done.state == "done" and len(read_last_frame(done.fn("settled.dump")).data) == 6
    # resumable: a rerun renders and runs the interrupted folder again
    assert runners.run(tiny_deck(), tmp_path).state == "done"


@pytest.mark.lammps
def test_child_lmp_dies_with_a_killed_parent_and_the_folder_is_recovered(tmp_path, caplog):
    proc, folder, lmp = start_long(tmp_path)
    proc.kill()
    proc.wait(timeout=5)
    wait_for(lambda: not pid_alive(lmp) and not processes_in(folder.path), timeout_s=3.0,
             what="the orphaned lmp to die")
    assert folder.state == "running"  # nobody could mark it: the next run recovers it
    with caplog.at_level("WARNING"):
        assert runners.run(tiny_deck(), tmp_path).state == "done"
    assert any("did not finish" in r.message for r in caplog.records)


def test_cli_reports_an_interrupt_and_exits_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_pack", interrupted)
    assert cli.main(["pack", "--root", "unused"]) == 130
    assert "interrupted: rerun the same command to resume" in capsys.readouterr().err


POOL_SCRIPT = """
import signal  # start as a shell would: the test runner's signal state (an inherited ignore or mask) is not the user's
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
import sys, time
from sigdem.run.child import run_pool

def job(k):
    time.sleep(600)

if __name__ == "__main__":
    try:
        run_pool(job, range(4), 2)
    except KeyboardInterrupt:
        sys.exit(130)
"""


def test_pool_workers_stop_on_ctrl_c(tmp_path):
    script = tmp_path / "pool.py"
    script.write_text(POOL_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script)], env=ENV, cwd=WT)

    def workers():
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        return [int(k) for k in kids] if len(kids) >= 2 else None

    kids = wait_for(workers, what="two pool workers")
    time.sleep(1.0)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 130
    assert time.monotonic() - t0 < 3.0
    wait_for(lambda: not any(pid_alive(k) for k in kids), timeout_s=3.0, what="the workers to exit")


# ---- 3. child lmp failures -------------------------------------------------------------------

@pytest.mark.lammps
def test_child_exiting_nonzero_is_an_engine_error(tmp_path):
    folder = runners.render(tiny_deck(), tmp_path)
    folder.fn("in.lmp").write_text("units lj\nno_such_command 1\n")
    with pytest.raises(EngineError, match="exited with code") as info:
        runners.execute(folder, runners.Executable())
    assert info.value.run_dir == folder.path and "no_such_command" in info.value.log_tail
    assert folder.state == "failed"


@pytest.mark.lammps
def test_an_error_on_rank_1_reaches_the_engine_error_and_the_folder(tmp_path):
    """LAMMPS's log is rank 0's, and MPI_Abort leaves it unflushed: an error raised on another rank only (here a
    division by zero in the one atom rank 1 owns; in the default pellet series, mdr's NaN) was lost, the error
    said only "exited with code 1". The child's screen is now read: its ERROR line is in the error and the folder.
    Through mpirun's forwarding it was still lost once under CI load (hydra sent the abort ahead of the line), so
    each rank above 0 writes its screen to its own file in the folder."""
    from sigdem.run.stops import press_stop

    folder = runners.render(tiny_deck(), tmp_path)
    folder.fn("in.lmp").write_text("units lj\natom_style atomic\nregion b block 0 10 0 10 0 10\ncreate_box 1 b\n"
                                   "create_atoms 1 single 8 5 5\nmass 1 1\nvariable a atom 1/(x-x)\n"
                                   "compute s all reduce sum v_a\nthermo_style custom step c_s\nrun 0\n")
    with pytest.raises(EngineError, match="exited with code") as info:
        runners.execute(folder, runners.Executable(ranks=2))
    assert "ERROR on proc 1: Divide by 0 in variable formula" in info.value.log_tail
    assert "ERROR on proc 1: Divide by 0" in folder.fn(runners.CHILD_OUTPUT).read_text()
    # it came from the rank's own screen file, not through mpirun's forwarding (which can lose it on abort)
    assert "--- screen of rank 1 ---\nERROR on proc 1: Divide by 0" in folder.fn(runners.CHILD_OUTPUT).read_text()
    assert not list(folder.path.glob("screen_rank*"))  # read into the folder's output, then removed
    assert folder.state == "failed"
    # a press folder whose stop is known only from that output is recognised as such (sigdem.run.stops)
    folder.fn("targets.txt").write_text("# k step\n1 1000\n")
    assert press_stop(folder, "targets.txt") is None
    folder.fn(runners.CHILD_OUTPUT).write_text("ERROR on proc 1: F_MDR is NaN, non-adhesive case (x.cpp:795)\n")
    assert press_stop(folder, "targets.txt") == ("mdr_nan", 1)
    # a rerun starts without the earlier attempt's output
    with pytest.raises(EngineError):
        runners.execute(folder, runners.Executable(timeout_s=0.01))
    assert not folder.fn(runners.CHILD_OUTPUT).exists() or "F_MDR" not in folder.fn(runners.CHILD_OUTPUT).read_text()


def test_rank_screens_reads_the_run_s_ranks_and_removes_every_screen_file(tmp_path):
    from sigdem.run.launch import RANK_SCREEN_SH, lmp_argv, rank_screens

    (tmp_path / "screen_rank1.txt").write_text("ERROR on proc 1: x\n")
    (tmp_path / "screen_rank2.txt").write_text("")  # a rank that printed nothing
    (tmp_path / "screen_rank5.txt").write_text("ERROR on proc 5: stale, of an earlier run on 6 ranks\n")
    assert rank_screens(tmp_path, 3) == "--- screen of rank 1 ---\nERROR on proc 1: x\n"
    assert not list(tmp_path.glob("screen_rank*"))
    assert rank_screens(tmp_path, 1) == ""
    # the shell in front of each rank passes the argv on untouched and writes only ranks above 0 to a file
    argv = lmp_argv(ranks=2, variables={"a": "b.c"})
    assert argv[3:7] == ["/bin/sh", "-c", RANK_SCREEN_SH, "sh"] and argv[-3:] == ["-var", "a", "b.c"]
    for rank, to_file in (("0", False), ("3", True), ("", False)):
        env = {"PATH": os.environ["PATH"], "PMI_RANK": rank}
        out = subprocess.run(["/bin/sh", "-c", RANK_SCREEN_SH, "sh", "printf", "%s|", "b c", "$(id)"], cwd=tmp_path,
                             env=env, capture_output=True, text=True).stdout
        printed = (tmp_path / "screen_rank3.txt").read_text() if to_file else out
        assert printed == "b c|$(id)|" and (out == "") == to_file


@pytest.mark.lammps
def test_child_killed_by_a_signal_is_an_engine_error(tmp_path):
    folder = long_folder(tmp_path)
    errors = []

    def target():
        try:
            runners.execute(folder, runners.Executable())
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    t = threading.Thread(target=target)
    t.start()
    pid = wait_for(lambda: folder.state == "running" and child_pid(folder), what="the child lmp")
    assert processes_in(folder.path) == [pid]  # the LAMMPS binary itself, no wrapper in between
    time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)
    t.join(timeout=10)
    if t.is_alive():  # do not leave the test process hanging on a survivor
        for p in processes_in(folder.path):
            os.kill(p, signal.SIGKILL)
        pytest.fail("execute did not return after its child was killed")
    [err] = errors
    assert isinstance(err, EngineError) and "killed by signal SIGKILL" in str(err)
    assert err.run_dir == folder.path and "LAMMPS (" in err.log_tail  # the log as far as LAMMPS flushed it
    assert folder.state == "failed" and "SIGKILL" in folder.status()["reason"]


@pytest.mark.lammps
def test_hung_child_is_killed_after_its_timeout(tmp_path):
    folder = long_folder(tmp_path)
    t0 = time.monotonic()
    with pytest.raises(EngineError, match="did not finish within 2 s") as info:
        runners.execute(folder, runners.Executable(timeout_s=2))
    assert time.monotonic() - t0 < 5.0
    assert info.value.run_dir == folder.path and "LAMMPS (" in info.value.log_tail
    assert folder.state == "failed" and processes_in(folder.path) == []


def test_timeout_must_be_positive():
    with pytest.raises(ValueError, match="timeout_s"):
        runners.Executable(timeout_s=0)
