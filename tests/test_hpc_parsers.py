"""Pure parsers of sbatch / squeue / sacct output, on text captured from the CI Slurm (tests/data/slurm)."""

from pathlib import Path

import pytest

from sigdem.errors import EnvironmentProblem, InputError
from sigdem.hpc.slurm import QueueEntry, parse_sacct, parse_sbatch, parse_squeue, sbatch_argv, split_job_id

DATA = Path(__file__).parent / "data" / "slurm"


def read(name: str) -> str:
    return (DATA / name).read_text()


def test_sbatch_parsable():
    assert parse_sbatch(read("sbatch_parsable.txt")) == "2"
    assert parse_sbatch("12345;cluster2\n") == "12345"
    for bad in ("", "Submitted batch job 12\n", "sbatch: error: invalid partition\n", "12; rm -rf /"):
        with pytest.raises(EnvironmentProblem):
            parse_sbatch(bad)


def test_split_job_id_handles_array_forms():
    assert split_job_id("123") == ("123", None)
    assert split_job_id("123_4") == ("123", [4])
    assert split_job_id("123_[5-7]") == ("123", [5, 6, 7])
    assert split_job_id("123_[1,3,5-6%2]") == ("123", [1, 3, 5, 6])
    for bad in ("abc", "12_x", "12_[a-b]", "$(id)"):
        with pytest.raises(InputError):
            split_job_id(bad)


def test_squeue_collapsed_pending_range_is_expanded():
    entries = parse_squeue(read("squeue_collapsed.txt"))
    assert [(e.task, e.state) for e in entries] == [(2, "PENDING"), (3, "PENDING"), (4, "PENDING"), (5, "PENDING"),
                                                      (0, "RUNNING"), (1, "RUNNING")]
    assert {e.job for e in entries} == {"2"} and entries[0].reason == "Resources"


def test_squeue_one_line_per_task_and_final_states():
    running = parse_squeue(read("squeue_array.txt"))
    assert sorted(e.task for e in running) == list(range(6))
    done = parse_squeue(read("squeue_states_all.txt"))
    by_id = {(e.job, e.task): e for e in done}
    assert by_id[("1", None)].state == "COMPLETED"
    assert all(by_id[("2", k)].state == "COMPLETED" for k in range(6))
    assert by_id[("5", None)] == QueueEntry("5", None, "FAILED", "NonZeroExitCode")
    assert by_id[("6", 0)].state == "RUNNING" and by_id[("6", 5)].state == "PENDING"


def test_squeue_dependency_reasons():
    deps = parse_squeue(read("squeue_dependency.txt"))
    assert {(e.job, e.task) for e in deps if e.reason == "Dependency"} == {("5", None)} | {("6", k) for k in range(6)}
    failed = {(e.job, e.task): e for e in parse_squeue(read("squeue_failed_dependency.txt"))}
    assert failed[("15", 0)].state == "FAILED"
    assert failed[("16", 3)] == QueueEntry("16", 3, "CANCELLED", "DependencyNeverSatisfied")  # --kill-on-invalid-dep
    assert failed[("17", 1)] == QueueEntry("17", 1, "PENDING", "DependencyNeverSatisfied")  # pending for ever


def test_sacct_skips_steps_and_keeps_exit_codes():
    entries = parse_sacct(read("sacct_parsable.txt"))
    assert [(e.job, e.task, e.state, e.exit_code) for e in entries] == [
        ("40", 0, "COMPLETED", "0:0"), ("40", 1, "FAILED", "1:0"), ("40", 2, "PENDING", "0:0"),
        ("40", 3, "PENDING", "0:0"), ("41", None, "CANCELLED", "0:0"), ("42", 0, "RUNNING", "0:0")]


def test_malformed_queue_lines_are_refused():
    with pytest.raises(InputError):
        parse_squeue("123 RUNNING\n")
    assert parse_squeue("\n\n") == []


def test_sbatch_argv_is_a_list_and_dependency_checked(tmp_path):
    script = tmp_path / "job.sh"
    assert sbatch_argv(script) == ["sbatch", "--parsable", str(script)]
    assert sbatch_argv(script, dependency="aftercorr:12")[2:4] == ["--dependency=aftercorr:12", "--kill-on-invalid-dep=yes"]
    for bad in ("afterok:12; rm -rf /", "afterok:$(id)", "singleton", "afterok:12\n#SBATCH -p x", ""):
        with pytest.raises(InputError):
            sbatch_argv(script, dependency=bad)
