"""The one place where :mod:`sigdem.hpc` imports the rest of sigdem (run folders, decks, runners).

When those rooms move, only these imports change.
"""

from __future__ import annotations

from sigdem.deck import STAGES, Deck, statepoint
from sigdem.errors import EngineError, EnvironmentProblem, IncompleteRunError, InputError, SigdemError
from sigdem.inputs import check_int
from sigdem.io.folder import RunFolder, write_atomic
from sigdem.run.branches import run_release_branches
from sigdem.run.launch import lmp_executable
from sigdem.run.runners import Executable, execute, render
from sigdem.run.session import tail_text

#: Stages that continue a finished settle folder.
STAGES_WITH_START = tuple(name for name, s in STAGES.items() if s.needs_start)

__all__ = ["STAGES", "STAGES_WITH_START", "Deck", "statepoint", "tail_text", "EngineError", "EnvironmentProblem",
           "IncompleteRunError", "InputError", "SigdemError", "RunFolder", "write_atomic", "Executable",
           "execute", "lmp_executable", "render", "check_int", "folder_of", "run_release_branches"]


def folder_of(deck: Deck, root) -> RunFolder:
    """The run folder a deck renders into under ``root`` (without rendering it)."""
    return RunFolder.for_statepoint(root, statepoint(deck))
