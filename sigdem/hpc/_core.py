"""The one place where :mod:`sigdem.hpc` imports the rest of sigdem (run folders, decks, runners).

Those modules are due to move into subpackages; when they do, only these imports change.
"""

from __future__ import annotations

from ..deck import STAGES_WITH_START, Deck, statepoint
from ..engine import tail_text
from ..errors import EngineError, EnvironmentProblem, IncompleteRunError, InputError, SigdemError
from ..rundir import RunFolder, write_atomic
from ..runners import Executable, execute, lmp_executable, render
from ..validate import check_int

__all__ = ["STAGES_WITH_START", "Deck", "statepoint", "tail_text", "EngineError", "EnvironmentProblem",
           "IncompleteRunError", "InputError", "SigdemError", "RunFolder", "write_atomic", "Executable",
           "execute", "lmp_executable", "render", "check_int", "folder_of"]


def folder_of(deck: Deck, root) -> RunFolder:
    """The run folder a deck renders into under ``root`` (without rendering it)."""
    return RunFolder.for_statepoint(root, statepoint(deck))
