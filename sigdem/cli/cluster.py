"""``--submit`` and ``--collect`` of the study commands: the same study, run as Slurm job arrays, then its
finished folders gathered into the same tables the local run writes (sigdem.hpc does the submitting)."""

from __future__ import annotations

from pathlib import Path

from sigdem.errors import InputError
from sigdem.run.runners import CollectOnly, render


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
    """The collecting runner with --collect, else ``runner``."""
    if args.submit and args.collect:
        raise InputError("collect", "--submit and --collect together; allowed: one of them")
    return CollectOnly() if args.collect else runner


def _profile(args):
    from sigdem.hpc import load_profile, local_profile

    return load_profile(args.profile) if args.profile else local_profile()


def _report(subs, root) -> int:
    for sub in subs:
        if sub.job is None and sub.script and sub.folders:
            print(sub.script)
        elif sub.job is None:
            print(f"nothing to submit: {len(sub.skipped)} folder(s) done (or failed: --resubmit with sigdem hpc)")
        else:
            dep = f", after {sub.dependency}" if sub.dependency else ""
            print(f"job {sub.job}: {len(sub.folders)} task(s){dep}; status: sigdem hpc status {sub.sweep_dir}")
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
    from sigdem.hpc.sweep import submit_chain
    from sigdem.studies.calendering import CalenderStep

    root = Path(args.root).resolve()
    settles = [render(study.settle_deck(k), root) for k in range(study.replicates)]
    steps = [CalenderStep(study, k, str(root)) for k in range(study.replicates)]
    return _report(submit_chain(settles, steps, root, _profile(args), pretend=args.pretend), args.root)
