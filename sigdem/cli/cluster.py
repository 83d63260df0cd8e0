"""``--submit`` and ``--collect`` of the study commands: the same study, run as Slurm job arrays, then its
finished folders gathered into the same tables the local run writes (sigdem.hpc does the submitting)."""

from __future__ import annotations

import importlib
import shlex
from dataclasses import dataclass
from pathlib import Path

from sigdem.errors import InputError
from sigdem.run.runners import CollectOnly, folder_of, render


def add_cluster_options(p) -> None:
    g = p.add_argument_group("cluster (Slurm)")
    g.add_argument("--submit", action="store_true",
                   help="render every run folder and submit them as Slurm job arrays instead of running here "
                        "(chained stages wait for their settle task); then `sigdem hpc status DIR`")
    g.add_argument("--collect", action="store_true",
                   help="run nothing: gather the finished folders (e.g. from --submit) into the usual tables")
    g.add_argument("--profile", type=Path, default=None,
                   help="cluster profile (TOML: partition, account, time, ...); default: this machine's Slurm")
    g.add_argument("--pretend", action="store_true", help="with --submit: print the batch script, submit nothing")


def runner_or_collect(args, runner):
    """The collecting runner with --collect, else ``runner`` (``main`` has checked the flags with
    :func:`sigdem.inputs.check_cluster_flags`)."""
    return CollectOnly() if args.collect else runner


def _profile(args):
    from sigdem.hpc import load_profile, local_profile

    return load_profile(args.profile) if args.profile else local_profile()


def _describe(sub) -> str:
    """What one submission did: the script (pretend), nothing, or the job id with its status command."""
    if sub.job is None and sub.script and sub.folders:
        return sub.script
    if sub.job is None:
        return f"nothing to submit: {len(sub.skipped)} folder(s) done (or failed: --resubmit with sigdem hpc)"
    dep = f", after {sub.dependency}" if sub.dependency else ""
    return f"job {sub.job}: {len(sub.folders)} task(s){dep}; status: sigdem hpc status {sub.sweep_dir}"


def _report(subs, root) -> int:
    for sub in subs:
        print(_describe(sub))
    print(f"when done: the same command with --collect (run folders under {root})")
    return 0


def submit_decks(args, decks) -> int:
    """Render the decks' folders and submit them as one array."""
    from sigdem.hpc.sweep import submit_sweep

    folders = [render(d, args.root) for d in decks]
    return _report([submit_sweep(folders, Path(args.root).resolve(), _profile(args), pretend=args.pretend)], args.root)


def submit_calendering(args, study) -> int:
    """Settle folders as one array; each replicate's calender deck is built by a task that waits for its
    settle task (``aftercorr``): one submit for the whole study."""
    from sigdem.studies.calendering import CalenderStep

    return _submit_presses(args, study, CalenderStep)


def submit_pellets(args, study) -> int:
    """As :func:`submit_calendering` for a pellet study: each replicate's press (and, for the mdr cell, its release
    branches) runs in a task that waits for its settle task."""
    from sigdem.studies.pellet import PelletStep

    return _submit_presses(args, study, PelletStep)


def _submit_presses(args, study, step) -> int:
    from sigdem.hpc.sweep import submit_chain

    root = Path(args.root).resolve()
    settles = [render(study.settle_deck(k), root) for k in range(study.replicates)]
    steps = [step(study, k, str(root)) for k in range(study.replicates)]
    return _report(submit_chain(settles, steps, root, _profile(args), pretend=args.pretend), args.root)


#: Parts of a reproduce plan whose jobs are single settle decks (one array); the others are settle -> press chains.
BED_STAGES = ("ternary", "tapped")


@dataclass(frozen=True, slots=True)
class ReproduceSubmission:
    """What :func:`submit_reproduction` submitted (each a :class:`~sigdem.hpc.sweep.Submission`, or None when
    that part had nothing to submit): ``beds`` the ternary and tapped beds as one array; ``settles`` and
    ``presses`` the calendering and pellet replicates' settle array and the press array whose task k waits for
    settle task k. ``chains``: (stage, label) of each submitted chain, in task order; ``finished``: jobs whose
    folders were all done already; ``held``: (stage, label, state) of chains not submitted because their settle
    folder is running or failed (without ``resubmit_failed``)."""

    beds: object
    settles: object
    presses: object
    bed_jobs: tuple[tuple[str, str], ...]
    chains: tuple[tuple[str, str], ...]
    finished: int
    held: tuple[tuple[str, str, str], ...]

    @property
    def submissions(self) -> list:
        return [s for s in (self.settles, self.presses, self.beds) if s is not None]


def _rendered(deck, root: Path):
    """The deck's run folder, rendered only when absent: a folder rendered, running (on the cluster) or failed
    is left as it is, for the sweep to submit or skip (``resubmit_failed``)."""
    folder = folder_of(deck, root)
    return render(deck, root) if folder.state == "absent" else folder


def _press_step(job, root: Path):
    """The press stage of a chain job of the plan as a deck recipe built by its Slurm task once the settle is done."""
    from sigdem.studies.calendering import CalenderStep
    from sigdem.studies.reproduce import PELLET_MODULE

    study, k = job.args[0], job.args[1]
    if job.stage == "calendering":
        return CalenderStep(study, k, str(root))
    if job.stage == "pellets":
        return importlib.import_module(PELLET_MODULE).PelletStep(study, k, str(root))
    raise InputError("stage", f"{job.stage!r} is not a chain of settle -> press; allowed: calendering, pellets")


def submit_reproduction(plan, root: Path | str, profile=None, *, pretend: bool = False,
                        resubmit_failed: bool = False) -> ReproduceSubmission:
    """Render and submit every unfinished job of a reproduce plan (:func:`sigdem.studies.reproduce.plan_reproduction`)
    under ``root``: the packing beds (ternary and tapped) as ONE job array; the calendering and pellet replicates
    as settle -> press chains, one settle array and one press array whose task k waits for settle task k
    (``aftercorr``; :func:`sigdem.hpc.sweep.submit_chain`), each press deck built by its task from the settled
    bed (:class:`~sigdem.studies.calendering.CalenderStep`, :class:`~sigdem.studies.pellet.PelletStep`).
    A job whose folders are all done is skipped; a chain whose settle is running or failed is held (its press
    task would find no settled bed), failed ones are submitted again only with ``resubmit_failed``.
    ``pretend``: render the folders, submit nothing (the scripts are in the submissions)."""
    from sigdem.hpc import local_profile
    from sigdem.hpc.sweep import submit_chain, submit_sweep
    from sigdem.studies.reproduce_collect import job_state

    root = Path(root).resolve()
    profile = profile or local_profile()
    jobs = plan.jobs(root)
    todo = [j for j in jobs if job_state(j, root) != "done"]
    beds = [j for j in todo if j.stage in BED_STAGES]
    chains, held, settles = [], [], []
    for job in (j for j in todo if j.stage not in BED_STAGES):
        settle = _rendered(job.args[0].settle_deck(job.args[1]), root)
        if settle.state == "running" or (settle.state == "failed" and not resubmit_failed):
            held.append((job.stage, job.label, f"settle {settle.state}"))
            continue
        chains.append(job)
        settles.append(settle)
    settle_sub = press_sub = None
    if chains:  # first: the chains hold the longest jobs, and a FIFO queue starts each press as soon as it may
        settle_sub, press_sub = submit_chain(settles, [_press_step(j, root) for j in chains], root, profile,
                                             pretend=pretend, resubmit_failed=resubmit_failed)
    bed_sub = (submit_sweep([_rendered(j.args[0], root) for j in beds], root, profile, pretend=pretend,
                            resubmit_failed=resubmit_failed) if beds else None)
    return ReproduceSubmission(bed_sub, settle_sub, press_sub, tuple((j.stage, j.label) for j in beds),
                               tuple((j.stage, j.label) for j in chains), len(jobs) - len(todo), tuple(held))


def cmd_reproduce(args) -> int:
    """``sigdem reproduce``: --submit here (it needs sigdem.hpc), the local run and --collect in sigdem.report."""
    from sigdem.report import cli as report_cli

    if not args.submit:
        return report_cli.run(args)
    from sigdem.studies.reproduce import plan_reproduction

    plan = plan_reproduction(args.scale)
    root = Path(args.root).resolve()
    sub = submit_reproduction(plan, root, _profile(args), pretend=args.pretend, resubmit_failed=args.resubmit_failed)
    n_jobs = len(plan.jobs(root))
    what = "pretend (nothing submitted)" if args.pretend else "submitted"
    stages = {}
    for stage, _ in sub.chains:
        stages[stage] = stages.get(stage, 0) + 1
    print(f"reproduce --submit ({plan.scale.name} scale, run folders under {root}): {n_jobs} jobs, "
          f"{sub.finished} finished already (skipped)")
    if sub.settles is not None:
        parts = ", ".join(f"{stage} {n}" for stage, n in stages.items())
        print(f"settle -> press chains ({parts}): a settle array of {len(sub.settles.folders)} task(s), {what}:")
        print(_describe(sub.settles))
        print(f"and a press array of {len(sub.presses.folders)} task(s) (task k builds its calender or pellet deck "
              f"from settled bed k once settle task k succeeded: aftercorr), {what}:")
        print(_describe(sub.presses))
    if sub.beds is not None:
        print(f"packing beds (ternary and tapped), one array of {len(sub.beds.folders)} task(s), {what}:")
        print(_describe(sub.beds))
    for stage, label, state in sub.held:
        print(f"held: {stage} {label}: {state} (--resubmit-failed submits a failed one again)")
    if not sub.submissions and not sub.held:
        print("nothing to submit: every job is finished")
    print("when the tasks are done (sigdem hpc status <sweep folder> above), write the report with:\n  "
          + " ".join(shlex.quote(a) for a in ["sigdem", "reproduce", "--collect", "--scale", args.scale, "--root",
                                               str(root), "--out", str(Path(args.out).resolve())]))
    return 0
