"""One array task: run a rendered folder, or render a pickled deck and run it, with sigdem's life cycle.

    python -m sigdem.hpc.task --folder /abs/root/settle-0123456789abcdef --ranks 2 --launcher srun
    python -m sigdem.hpc.task --deck /abs/root/_slurm/<sweep>/decks/0.pkl --root /abs/root --ranks 1

The folder's ``status.json`` ends ``done`` or ``failed`` (with the reason; the LAMMPS log stays in
the folder), and the exit code is non-zero on failure, so that ``afterok``/``aftercorr`` dependants
do not start. ``lmp`` runs as a child process: ``srun --mpi=pmi2 -n N lmp ...`` for N > 1 ranks
inside the job's allocation, or ``mpirun -np N``. Deck pickles are written by
:func:`sigdem.hpc.sweep.submit_chain` into the sweep folder; load only pickles you wrote.
"""

from __future__ import annotations

import argparse
import logging
import pickle
import sys
from pathlib import Path

from ._core import Deck, Executable, InputError, RunFolder, SigdemError, check_int, execute, render, run_release_branches
from .profile import LAUNCHERS, check_abs_path

log = logging.getLogger(__name__)


def load_deck(path: Path | str):
    """The deck (or deck recipe, with ``build_deck(root)``) pickled at ``path`` by a sweep (a trusted file of
    the sweep folder)."""
    with open(path, "rb") as fh:
        deck = pickle.load(fh)  # noqa: S301 -- written by sigdem at submit time, beside the batch script
    if not isinstance(deck, Deck) and not callable(getattr(deck, "build_deck", None)):
        raise InputError("deck", f"{path} does not hold a sigdem Deck or deck recipe")
    return deck


def _from_recipe(recipe, root: Path) -> RunFolder | None:
    """Build a recipe's deck now that its start is done, render it, and link ``<root>/_steps/<step_id>`` to the
    folder (status reads it there); None, with a done placeholder, when the recipe has nothing to run."""
    link = root / "_steps" / recipe.step_id
    link.parent.mkdir(parents=True, exist_ok=True)
    deck = recipe.build_deck(root)
    if deck is None:  # e.g. every target below the settled density: nothing to press, said in the placeholder
        link.mkdir(exist_ok=True)
        RunFolder(link).set_state("done", reason="nothing to run: no reachable target")
        return None
    folder = render(deck, root)
    if not link.exists():
        link.symlink_to(folder.path, target_is_directory=True)
    return folder


def run_task(*, folder: Path | str | None = None, deck: Path | str | None = None, root: Path | str | None = None,
             ranks: int = 1, launcher: str = "srun") -> RunFolder:
    """Execute ``folder``, or render the pickled ``deck`` under ``root`` then execute it; return the folder."""
    if (folder is None) == (deck is None):
        raise InputError("task", "give exactly one of folder and deck")
    check_int("ranks", ranks, 1, 4096)  # before any work: a bad task fails at once
    if launcher not in LAUNCHERS:
        raise InputError("launcher", f"{launcher!r} is not allowed; allowed: {', '.join(LAUNCHERS)}")
    runner = Executable(ranks=ranks, launcher=launcher)
    if deck is not None:
        if root is None:
            raise InputError("root", "a deck task renders under a root folder; give --root")
        item, root = load_deck(check_abs_path("deck", str(deck))), Path(check_abs_path("root", str(root)))
        run_folder = render(item, root) if isinstance(item, Deck) else _from_recipe(item, root)
        if run_folder is None:
            return RunFolder(root / "_steps" / item.step_id)
    else:
        run_folder = RunFolder(Path(check_abs_path("folder", str(folder))))
    if run_folder.state == "done":
        log.info("%s is done already", run_folder.path)
        return run_folder
    log.info("running %s (%d rank(s), %s)", run_folder.path, ranks, launcher if ranks > 1 else "lmp")
    done = execute(run_folder, runner).require_done()
    run_release_branches(done, runner)  # a pellet cell released from its restarts: its releases, in this task too
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sigdem.hpc.task", description=__doc__.split("\n\n")[0])
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--folder", help="absolute path of a rendered run folder")
    what.add_argument("--deck", help="absolute path of a pickled Deck (written at submit time)")
    ap.add_argument("--root", help="root the deck renders under (with --deck)")
    ap.add_argument("--ranks", type=int, default=1, help="MPI ranks of lmp (default 1)")
    ap.add_argument("--launcher", choices=LAUNCHERS, default="srun")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        folder = run_task(folder=args.folder, deck=args.deck, root=args.root, ranks=args.ranks, launcher=args.launcher)
    except SigdemError as exc:
        log.error("%s", exc)
        return 1
    log.info("task done: %s", folder.path)  # in the job's output file (slurm-<job>_<k>.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
