"""``sigdem reproduce`` end to end at the hidden ``tiny`` scale (real LAMMPS, a few minutes on 2 cores): every
claim row gets a value and a verdict (the pellet rows say when the study is absent), the report files exist,
a second run reuses every finished folder and ``--collect`` writes the same claims from them; ``--submit
--pretend`` renders every folder and prints one array per part; ``--collect`` refuses unfinished jobs; scales are
checked."""

import json
import logging
import math
import re
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest

from sigdem.cli import main
from sigdem.cli.cluster import submit_reproduction
from sigdem.errors import EngineError, IncompleteRunError, InputError
from sigdem.run.runners import folder_of
from sigdem.studies.calendering import CalenderingStudy
from sigdem.report.claims import UNAVAILABLE, VERDICTS
from sigdem.report.reproduce import reproduce
from sigdem.studies.reproduce import Job, get_scale, pellet_available, plan_reproduction, recorded_seconds, run_jobs
from sigdem.studies.reproduce_collect import UnfinishedJobsError


def test_scales_are_checked_and_stated():
    with pytest.raises(InputError) as err:
        get_scale("huge")
    assert err.value.field == "scale" and "small" in str(err.value) and "paper" in str(err.value)
    small = plan_reproduction("small")
    assert small.scale.ternary_step == 0.5 and len(small.ternary) == 6
    assert {s.replicates for s in small.calendering.values()} == {3}
    # the small scale's calendering: the study's defaults (mdr, converged numerics) in a box of 4 largest diameters
    for st in small.calendering.values():
        assert st.contact is not None and not st.representative
        assert abs(st.side_um / st.largest_diameter_um - 4.0) < 0.02
        assert replace(st, side_um=None) == CalenderingStudy(st.blend)
    # the ternary points of SiG and WD-SiG read their beds from the tapped jobs' poured records: each bed runs once
    shared = [s for s in small.ternary if s.poured_taps]
    assert len(shared) == 2 and {s.poured_taps for s in shared} == {small.scale.taps}
    assert all(s.replicates <= small.tapped["SiG"].replicates for s in shared)
    jobs = small.jobs("/nonexistent")
    decks = [j.args[0] for j in jobs if j.stage in BEDS]
    assert len({folder_of(d, "/r").job for d in decks}) == len(decks) == 6 * 2 - 2 * 2 + 2 * 3
    tapped_jobs = {folder_of(small.tapped[n].deck(k), "/r").job for n in ("SiG", "WD-SiG") for k in range(3)}
    assert all(folder_of(s.deck(k), "/r").job in tapped_jobs for s in shared for k in range(s.replicates))
    paper = plan_reproduction("paper")
    assert len(paper.ternary) == 15 and all(s.representative for s in paper.calendering.values())
    assert (small.pellets is None) == (not pellet_available())


BEDS = ("ternary", "tapped")


def test_submit_pretend_renders_every_folder_and_prints_one_array_per_part(tmp_path, capsys, monkeypatch):
    """`reproduce --submit --pretend`: every folder of the plan rendered, the batch scripts printed, no sbatch:
    one array with a task per deck job of the plan (ternary and tapped beds), and settle -> press chains, one per
    calendering and pellet replicate (a settle array, and a press array whose tasks build their decks)."""
    from sigdem.hpc import slurm

    def no_sbatch(*args, **kw):
        raise AssertionError("sbatch called under --pretend")

    monkeypatch.setattr(slurm, "submit", no_sbatch)
    root, out = tmp_path / "runs", tmp_path / "report"
    argv = ["reproduce", "--scale", "tiny", "--root", str(root), "--out", str(out), "--submit", "--pretend"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    plan = plan_reproduction("tiny")
    jobs = plan.jobs(root)
    beds = [j for j in jobs if j.stage in BEDS]
    n_chains = sum(st.replicates for st in plan.calendering.values()) + \
        sum(st.replicates for st in (plan.pellets or {}).values())
    # 6 ternary beds and 2 tapped ones, of which the tapped jobs pour the 2 ternary beds of SiG and WD-SiG
    assert len(beds) == 4 + 2 and len(jobs) == len(beds) + n_chains and n_chains == 4 + 2 * pellet_available()
    arrays = [int(n) + 1 for n in re.findall(r"#SBATCH --array=0-(\d+)", printed)]
    assert arrays == [n_chains, n_chains, len(beds)]  # settles, presses (the longest jobs first); beds
    assert [m.group(1) for m in re.finditer(r"sigdem\.hpc\.task (--\w+)", printed)] == ["--folder", "--deck", "--folder"]
    # every folder of the plan is rendered (the chains' settle folders; the presses are built by their tasks)
    folders = [p for p in root.iterdir() if p.name.startswith("settle-")]
    assert len(folders) == len(beds) + n_chains
    assert all(json.loads((p / "status.json").read_text())["state"] == "rendered" for p in folders)
    assert not (root / "_slurm").exists() and not out.exists()  # pretend: no sweep written, nothing submitted
    assert f"sigdem reproduce --collect --scale tiny --root {root.resolve()} --out {out.resolve()}" in printed
    # the same through the function: the press tasks are the calender and pellet recipes of each chain's settle
    sub = submit_reproduction(plan, root, pretend=True)
    assert len(sub.beds.folders) == len(beds) and sub.finished == 0 and not sub.held
    assert len(sub.settles.folders) == len(sub.presses.folders) == len(sub.chains) == n_chains
    steps = [p.name.split("-of-") for p in sub.presses.folders]
    assert [s for s, _ in steps].count("calender") == 4 and [s for s, _ in steps].count("pellet") == n_chains - 4
    assert [f"settle-{job}" for _, job in steps] == [p.name for p in sub.settles.folders]
    # finished beds are skipped: only the chains are left to submit
    for job in beds:
        folder_of(job.args[0], root).set_state("done")
    again = submit_reproduction(plan, root, pretend=True)
    assert again.beds is None and again.finished == len(beds) and len(again.chains) == n_chains


def test_collect_refuses_unfinished_jobs_and_submit_with_collect(tmp_path, capsys):
    root, out = tmp_path / "runs", tmp_path / "report"
    argv = ["reproduce", "--scale", "tiny", "--root", str(root), "--out", str(out)]
    assert main(argv + ["--submit", "--collect"]) == 2
    assert "collect: --submit and --collect together" in capsys.readouterr().err
    assert main(argv + ["--pretend"]) == 2
    assert "pretend: --pretend without --submit; allowed: only with --submit" in capsys.readouterr().err
    n = len(plan_reproduction("tiny").jobs(root))
    assert main(argv + ["--collect"]) == 2  # nothing ran: a sigdem error naming how many and how to look
    err = capsys.readouterr().err
    assert f"{n} of {n} reproduce jobs (tiny scale) are not finished" in err and "settle not rendered" in err
    assert "sigdem hpc status" in err and "Traceback" not in err
    assert not out.exists() and not root.exists()  # nothing read, rendered or written
    main(argv + ["--submit", "--pretend"])
    capsys.readouterr()
    with pytest.raises(UnfinishedJobsError) as exc:
        reproduce(out, root, "tiny", collect_only=True)
    assert isinstance(exc.value, IncompleteRunError) and len(exc.value.unfinished) == n == exc.value.total
    assert {s for _, _, s in exc.value.unfinished} == {"settle rendered, not run"} and not out.exists()


@pytest.mark.lammps
@pytest.mark.slow
def test_tiny_reproduce_end_to_end(tmp_path):
    root, out = tmp_path / "runs", tmp_path / "report"
    rep = reproduce(out, root, "tiny", workers=2)
    assert len(rep.claims) == 11
    for c in rep.claims:
        assert c.verdict in VERDICTS and c.reason, c
        if c.verdict == UNAVAILABLE:  # only the pellet rows, and only without the pellet study
            assert c.key in ("pellet_density", "springback") and not pellet_available()
            assert math.isnan(c.sigdem_value) and "not available" in c.detail
        else:
            assert math.isfinite(c.sigdem_value), c
    for name in ("markdown", "html", "provenance", "claims"):
        assert rep.files[name].exists() and rep.files[name].stat().st_size > 500
    assert len(list((out / "figures").glob("*.png"))) >= 4
    assert {"ternary_packing", "tapped_beds", "calendering_summary", "fracture_free"} <= \
        {p.stem for p in (out / "tables").glob("*.csv")}
    prov = json.loads(rep.files["provenance"].read_text())
    assert prov["scale"]["name"] == "tiny" and prov["lammps_build"] and prov["machine"]["usable_cores"] >= 1
    runs = pd.DataFrame(prov["statepoints"]["runs"])
    assert len(runs) == 6 + 2 + 4 and runs["sample_seed"].notna().all()
    assert {"ternary", "tapped", "calendering"} <= set(prov["wall_time_s"])
    # a second run reuses every finished folder: no LAMMPS, the same claims
    again = reproduce(out, root, "tiny", workers=1)
    assert [c.verdict for c in again.claims] == [c.verdict for c in rep.claims]
    assert again.timing["simulations_total"]["wall_s"] < 0.2 * rep.timing["simulations_total"]["wall_s"]
    # ... and still states what its simulations cost, from the folders' own stamps
    for stage in ("ternary", "tapped", "calendering"):
        assert again.timing[stage]["recorded_lammps_s"] == rep.timing[stage]["recorded_lammps_s"] > 0
    # --collect of the same folders: nothing runs, the same claims and numbers; provenance says it was collected
    collected = reproduce(tmp_path / "collected", root, "tiny", collect_only=True)
    pd.testing.assert_frame_equal(pd.read_csv(collected.files["claims"]), pd.read_csv(rep.files["claims"]))
    prov = json.loads(collected.files["provenance"].read_text())
    assert prov["run"]["mode"] == "collected" and json.loads(rep.files["provenance"].read_text())["run"]["mode"] == "local"
    for stage in ("ternary", "tapped", "calendering") + ("pellets",) * pellet_available():  # the folders' stamps
        assert prov["wall_time_s"][stage]["recorded_lammps_s"] == pytest.approx(rep.timing[stage]["recorded_lammps_s"],
                                                                                abs=0.11)
        assert rep.timing[stage]["recorded_lammps_s"] > 0
    assert prov["wall_time_s"]["calendering"] | {"recorded_lammps_s": 0} == {
        "jobs": 4, "job_seconds": "unknown (collected)", "span_on_pool_s": "unknown (collected)", "recorded_lammps_s": 0}
    assert "unknown (collected)" in collected.files["markdown"].read_text()


def test_recorded_seconds_read_the_folders_stamps(tmp_path):
    for name, st in (("a", {"running_at": "2026-12-02T14:00:00+00:00", "done_at": "2026-12-02T14:02:30+00:00"}),
                     ("b", {"running_at": "2026-12-02T14:00:00+00:00", "failed_at": "2026-12-02T14:00:10+00:00"}),
                     ("c", {"state": "rendered"})):
        (tmp_path / name).mkdir()
        (tmp_path / name / "status.json").write_text(json.dumps(st))
    assert recorded_seconds(("a", str(tmp_path / "b"), None), tmp_path) == 160.0
    assert math.isnan(recorded_seconds("c", tmp_path)) and math.isnan(recorded_seconds("missing", tmp_path))


def _ok(args):
    args.append("ran")


def _boom(args):
    raise EngineError("lmp exited with code 1", run_dir="/nowhere")


def test_a_failed_job_does_not_stop_the_others_and_is_reported(caplog):
    ran = []
    jobs = [Job("calendering", "SiG replicate 0", _boom, (), 2.0), Job("ternary", "large 100 % bed 0", _ok, ran, 1.0)]
    plan = SimpleNamespace(jobs=lambda root: jobs, scale=SimpleNamespace(name="fake"))
    with caplog.at_level(logging.INFO, logger="sigdem"), pytest.raises(EngineError) as err:
        run_jobs(plan, "/tmp", workers=1)
    assert ran == ["ran"] and "1 of 2 reproduce jobs failed" in str(err.value) and "SiG replicate 0" in str(err.value)
    assert "ternary 1/1 done" in caplog.text and "reproduce jobs: 2/2 done" in caplog.text and "ETA" in caplog.text


def _bug(args):
    raise TypeError("not a failed run")


def test_a_job_that_is_not_a_failed_run_stops_at_once():
    ran = []
    jobs = [Job("calendering", "SiG replicate 0", _bug, (), 2.0), Job("ternary", "large 100 % bed 0", _ok, ran, 1.0)]
    plan = SimpleNamespace(jobs=lambda root: jobs, scale=SimpleNamespace(name="fake"))
    with pytest.raises(TypeError, match="not a failed run"):
        run_jobs(plan, "/tmp", workers=1)
    assert ran == []
