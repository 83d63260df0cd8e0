"""The workflow scripts hand the study functions the job tuples they unpack (they are not run end to end in
the suite: that is the README's main job). The study functions are the real ones; only the LAMMPS runs
behind them are replaced by stand-ins that record what reached them."""

from pathlib import Path
from types import SimpleNamespace

import pytest

WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"


@pytest.fixture()
def paper_dem(monkeypatch):
    monkeypatch.syspath_prepend(str(WORKFLOWS))
    import paper_dem as module

    return module


def test_paper_workflow_jobs_unpack_in_the_study_functions(paper_dem, monkeypatch, tmp_path):
    import sigdem.studies.calendering_run as calendering_run
    import sigdem.studies.ternary as ternary
    from sigdem.deck import Deck
    from sigdem.studies.calendering import CalenderingStudy

    seen = {"deck": [], "replicate": []}

    def fake_run(deck, root, runner=None, **kw):
        assert isinstance(deck, Deck) and Path(root) == tmp_path
        seen["deck"].append(runner)
        return SimpleNamespace(path=tmp_path / "settle-x")

    def fake_replicate(study, k, root, runner=None, progress=False):
        assert isinstance(study, CalenderingStudy) and isinstance(k, int) and Path(root) == tmp_path
        seen["replicate"].append((study.side_um, study.contact))
        return SimpleNamespace(path=tmp_path / "settle-y"), None

    monkeypatch.setattr(ternary, "run", fake_run)
    monkeypatch.setattr(calendering_run, "run_replicate", fake_replicate)
    args = paper_dem.parse_args(["--workers", "1", "--root", str(tmp_path), "--out", str(tmp_path / "out")])
    timing = paper_dem.run_all_jobs(args, paper_dem.SCALES["small"])
    assert len(seen["deck"]) == 12 and len(seen["replicate"]) == 4  # 6 blends x 2 beds; 2 blends x 2 replicates
    # the small scale's calendering is stated: a 100 µm box with elastic Hertz contacts
    assert {s for s, _ in seen["replicate"]} == {100.0} and {c for _, c in seen["replicate"]} == {None}
    assert len(timing["packing_job_s"]) == 12 and len(timing["calendering_job_s"]) == 4
