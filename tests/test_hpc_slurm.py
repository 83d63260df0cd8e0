"""Real Slurm: job arrays of tiny settle runs, a settle → calender chain, a failure, a 2-rank task, and
``sigdem reproduce --submit`` then ``--collect`` at the hidden tiny scale (4-7.5 min).

Needs a Slurm whose sbatch/squeue answer here (CI: ``.ci/slurm.sh up``). Without one these tests
skip, except under CI (``CI`` set), where a missing Slurm is a failure.
"""

import json
import os
import re

import numpy as np
import pytest

from sigdem.run import runners
from sigdem.deck import Bed, Calender, Deck, Numerics, RunRecord, Settle, start_bed
from sigdem.hpc import ClusterProfile, local_profile, slurm
from sigdem.hpc.sweep import status, submit_chain, submit_sweep, wait
from sigdem.deck.placement import place_spheres

pytestmark = pytest.mark.slurm

N, SIDE_UM = 30, 40.0
NUMERICS = Numerics(modulus_scale=0.01)
TIMEOUT_S = 90


@pytest.fixture(scope="module", autouse=True)
def slurm_here():
    ok, why = slurm.usable()
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Slurm is not usable: {why} (did .ci/slurm.sh up run?)")
        pytest.skip(f"Slurm not usable here: {why}")


def bed(seed: int) -> Bed:
    """30 spheres of ~10 µm: settles in well under a second."""
    rng = np.random.default_rng(seed)
    d = rng.lognormal(np.log(10.0), 0.2, N).clip(6.0, 16.0)
    placed = place_spheres(d, SIDE_UM, SIDE_UM, seed=seed + 2)
    return Bed(d, np.zeros(N, int), placed.positions_um, ("graphite",), (2.26,), SIDE_UM, SIDE_UM, placed.fill_height_um)


def settle_deck(seed: int) -> Deck:
    return Deck(bed(seed), numerics=NUMERICS, protocol=Settle(ke_tol=1e-4, max_time_factor=10))


def test_sweep_of_four_runs_as_one_array_and_is_not_resubmitted(tmp_path):
    folders = [runners.render(settle_deck(s), tmp_path) for s in range(4)]
    sub = submit_sweep(folders, tmp_path, local_profile())
    assert sub.job and sub.folders == tuple(f.path for f in folders)
    record = json.loads((sub.sweep_dir / "submission.json").read_text())
    assert record["job"] == sub.job and len(record["tasks"]) == 4
    assert (sub.sweep_dir / "tasks.txt").read_text().split() == [str(f.path) for f in folders]
    tasks = wait(sub.sweep_dir, timeout_s=TIMEOUT_S, poll_s=0.5)  # squeue polling
    assert [t.state for t in tasks] == ["done"] * 4, tasks
    assert all(f.state == "done" and f.fn("settled.restart").is_file() for f in folders)
    again = submit_sweep(folders, tmp_path, local_profile())
    assert again.job is None and again.skipped == sub.folders


def test_settle_then_calender_chain_waits_task_by_task(tmp_path):
    settles = [runners.render(settle_deck(s), tmp_path) for s in (10, 11)]
    decks = [Deck(start_bed(f), numerics=NUMERICS, start=f,
                  protocol=Calender(target_densities_g_cc=(1.2,), hold_steps=300, relax_steps=300, unload_speed_m_s=0.5))
             for f in settles]
    first, second = submit_chain(settles, decks, tmp_path, local_profile())
    assert second.dependency == f"aftercorr:{first.job}"  # calender k waits for settle k only
    assert [d.start.path for d in decks] == list(first.folders)
    assert [t.state for t in wait(first.sweep_dir, timeout_s=TIMEOUT_S, poll_s=0.5)] == ["done"] * 2
    tasks = wait(second.sweep_dir, timeout_s=TIMEOUT_S, poll_s=0.5)
    assert [t.state for t in tasks] == ["done"] * 2, tasks
    for folder_path, settle in zip(second.folders, settles):
        cal = runners.RunFolder(folder_path)
        assert RunRecord.read(cal).start_job == settle.job
        assert cal.fn("unloaded.txt").is_file()


def test_failing_task_is_reported_with_its_log_tail(tmp_path):
    good = runners.render(settle_deck(20), tmp_path)
    bad = runners.render(settle_deck(21), tmp_path)
    text = bad.fn("in.lmp").read_text()
    bad.fn("in.lmp").write_text("not_a_lammps_command 1 2 3\n" + text)  # broken on purpose
    sub = submit_sweep([good, bad], tmp_path, local_profile())
    tasks = wait(sub.sweep_dir, timeout_s=TIMEOUT_S, poll_s=0.5)
    assert [t.state for t in tasks] == ["done", "failed"]
    assert "EngineError" in tasks[1].reason and "not_a_lammps_command" in tasks[1].log_tail
    assert bad.state == "failed"
    assert submit_sweep([good, bad], tmp_path).job is None  # failed: skipped unless asked
    retry = submit_sweep([good, bad], tmp_path, resubmit_failed=True, pretend=True)
    assert retry.folders == (bad.path,)


def test_two_rank_task_under_srun_pmi2(tmp_path):
    profile = ClusterProfile(partition=local_profile().partition, time="00:10:00", tasks_per_job=2, launcher="srun")
    folder = runners.render(settle_deck(30), tmp_path)
    sub = submit_sweep([folder], tmp_path, profile)
    assert "--ntasks=2" in sub.script and "--ranks 2 --launcher srun" in sub.script
    tasks = wait(sub.sweep_dir, timeout_s=TIMEOUT_S, poll_s=0.5)
    assert tasks[0].state == "done", tasks
    grid = re.search(r"(\d+) by (\d+) by (\d+) MPI processor grid", folder.fn("log.lammps").read_text())
    assert grid and np.prod([int(g) for g in grid.groups()]) == 2
    assert status(sub.sweep_dir)[0].state == "done"


def test_calendering_study_is_one_submit_then_collected(tmp_path, capsys):
    """`sigdem calender --submit`: the settle array, then each replicate's calender deck built by a task that
    waits for its settle task (its targets depend on the settled bed); `--collect` then writes the same
    summary a local run prints, running nothing."""
    from sigdem.cli import main
    from sigdem.hpc.sweep import status as sweep_status

    root = tmp_path / "runs"
    argv = ["calender", "--blend", "small=1.0", "--side-um", "60", "--loading-mg-cm2", "10", "--replicates", "2",
            "--targets", "1.0,1.4", "--contact", "hertz", "--root", str(root), "--quiet"]
    assert main(argv + ["--collect"]) == 2  # nothing has run yet: refused, nothing written
    assert "not 'done'" in capsys.readouterr().err and not list(root.glob("calender-*"))
    assert main(argv + ["--submit"]) == 0
    out = capsys.readouterr().out
    sweeps = sorted((root / "_slurm").iterdir())
    assert len(sweeps) == 2 and "aftercorr" in out
    for sweep in sweeps:
        wait(sweep, timeout_s=600)
    assert all(t.state == "done" for sweep in sweeps for t in sweep_status(sweep)), [sweep_status(s) for s in sweeps]
    assert len(list(root.glob("calender-*"))) == 2 and len(list((root / "_steps").iterdir())) == 2
    assert main(argv + ["--collect"]) == 0
    out = capsys.readouterr().out
    assert "wall_pressure_mpa" in out and "fracture-free" in out and "below_settled" in out


@pytest.mark.slow
def test_reproduce_tiny_submitted_then_collected(tmp_path, capsys):
    """`sigdem reproduce --submit` at the hidden tiny scale: the packing beds as one array, the calendering and
    pellet replicates as a settle array and a press array (aftercorr); once every task is done, `--collect`
    runs nothing and writes report.md and claims.csv with the claims (ids, verdicts, values) of a local run on
    the same folders. Measured on 2 cores (2 Dec 2026): 3.8 min, 7.4 min on a loaded machine (the tiny scale
    runs 3.6-5 min locally)."""
    import pandas as pd

    from sigdem.cli import main
    from sigdem.report.reproduce import reproduce
    from sigdem.studies.reproduce import plan_reproduction

    root, out = tmp_path / "runs", tmp_path / "report"
    argv = ["reproduce", "--scale", "tiny", "--root", str(root), "--out", str(out)]
    assert main(argv + ["--submit"]) == 0
    printed = capsys.readouterr().out
    sweeps = sorted((root / "_slurm").iterdir())
    plan = plan_reproduction("tiny")
    jobs = plan.jobs(root)
    beds = sum(j.stage in ("ternary", "tapped") for j in jobs)
    chains = len(jobs) - beds
    assert len(sweeps) == 3 and "aftercorr" in printed and "sigdem reproduce --collect --scale tiny" in printed
    sizes = sorted(len(json.loads((s / "submission.json").read_text())["tasks"]) for s in sweeps)
    assert sizes == sorted([beds, chains, chains])
    for sweep in sweeps:
        wait(sweep, timeout_s=1200, poll_s=2.0)
    failed = [(s.name, t) for s in sweeps for t in status(s) if t.state != "done"]
    assert not failed, failed
    assert main(argv + ["--collect"]) == 0
    printed = capsys.readouterr().out
    assert "nothing ran here" in printed and (out / "report.md").is_file() and (out / "report.html").is_file()
    collected = pd.read_csv(out / "claims.csv")
    assert json.loads((out / "provenance.json").read_text())["run"]["mode"] == "collected"
    local = reproduce(tmp_path / "local", root, "tiny", workers=1)  # every folder is done: reused, nothing runs
    assert local.timing["simulations_total"]["wall_s"] < 60
    assert list(collected["key"]) == [c.key for c in local.claims] and len(collected) == 11
    pd.testing.assert_frame_equal(collected, pd.read_csv(local.files["claims"]))
    again = main(argv + ["--submit"])  # every job finished: nothing submitted
    assert again == 0 and "nothing to submit: every job is finished" in capsys.readouterr().out
    assert len(list((root / "_slurm").iterdir())) == 3
