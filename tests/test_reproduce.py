"""``sigdem reproduce`` end to end at the hidden ``tiny`` scale (real LAMMPS, a few minutes on 2 cores): every
claim row gets a value and a verdict (the pellet rows say when the study is absent), the report files exist,
a second run reuses every finished folder; ``--submit`` prints the plan; scales are checked."""

import json
import logging
import math
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest

from sigdem.cli import main
from sigdem.errors import EngineError, InputError
from sigdem.studies.calendering import CalenderingStudy
from sigdem.report.claims import UNAVAILABLE, VERDICTS
from sigdem.report.reproduce import reproduce
from sigdem.studies.reproduce import Job, get_scale, pellet_available, plan_reproduction, recorded_seconds, run_jobs


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
    paper = plan_reproduction("paper")
    assert len(paper.ternary) == 15 and all(s.representative for s in paper.calendering.values())
    assert (small.pellets is None) == (not pellet_available())


def test_submit_prints_the_plan_without_running(tmp_path, capsys):
    assert main(["reproduce", "--scale", "tiny", "--root", str(tmp_path), "--submit"]) == 0
    out = capsys.readouterr().out
    assert "packing beds rendered" in out and "sigdem hpc submit" in out and "not yet available" in out
    folders = [p for p in tmp_path.iterdir() if p.name.startswith("settle-")]
    assert len(folders) == 6 + 2  # 6 blends x 1 bed, 2 blends x 1 tapped bed
    assert all(json.loads((p / "status.json").read_text())["state"] == "rendered" for p in folders)


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
