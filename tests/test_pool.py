"""``run_pool`` (sigdem.run.child): by default the first failed job raises at once; with ``keep_going`` every job
runs and each reports its value or error and its wall time. Jobs are synthetic (no LAMMPS), in two workers."""

import time

import pytest

from sigdem.errors import EngineError
from sigdem.run.child import PoolOutcome, run_pool


def _job(k):
    """Job ``k`` sleeps 0.2 s; job 0 fails at once, job 3 after 1 s (long after job 0 failed)."""
    if k == 0:
        raise EngineError("lmp exited with code 1")
    time.sleep(1.0 if k == 3 else 0.2)
    return k * k


@pytest.mark.parametrize("workers", [1, 2])
def test_keep_going_runs_every_job_and_reports_errors_and_times(workers):
    seen = []
    outcomes = run_pool(_job, range(4), workers, keep_going=True, on_done=seen.append)
    assert [o.index for o in outcomes] == [0, 1, 2, 3] and all(isinstance(o, PoolOutcome) for o in outcomes)
    assert sorted(o.index for o in seen) == [0, 1, 2, 3]  # each once, as it finished
    failed, *good = outcomes
    assert not failed.ok and isinstance(failed.error, EngineError) and "code 1" in str(failed.error)
    assert "EngineError" in failed.traceback and 0 <= failed.seconds < 0.5
    assert [o.value for o in good] == [1, 4, 9] and all(o.ok and o.error is None for o in good)
    assert [o.seconds for o in good] == pytest.approx([0.2, 0.2, 1.0], abs=0.15)


def test_by_default_a_failed_job_raises_at_once():
    t0 = time.monotonic()
    with pytest.raises(EngineError, match="code 1"):
        run_pool(_job, range(4), 2)
    assert time.monotonic() - t0 < 1.1  # job 3 (done after 1.2 s) is not waited for
    assert run_pool(_job, range(1, 3), 2) == [1, 4]  # values, in job order


def test_an_error_of_on_done_stops_the_pool():
    def stop(outcome):
        if outcome.error is not None:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        run_pool(_job, range(4), 1, keep_going=True, on_done=stop)
