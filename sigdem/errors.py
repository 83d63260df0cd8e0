"""Typed errors of sigdem.

Every error sigdem raises is a :class:`SigdemError` and also the builtin that fits it,
so callers can catch either (``except ValueError`` keeps working for bad input).
"""

from __future__ import annotations

from pathlib import Path


class SigdemError(Exception):
    """Base class of every error raised by sigdem."""


class InputError(SigdemError, ValueError):
    """A user-supplied value is out of range, malformed or unsafe.

    The message names the field and the allowed range; ``field`` holds the field name.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class EnvironmentProblem(SigdemError, RuntimeError):
    """The machine lacks something sigdem needs (LAMMPS module, MPI library, a package)."""


class EngineError(SigdemError, RuntimeError):
    """LAMMPS failed. Carries the run folder and the tail of the LAMMPS log."""

    def __init__(self, message: str, run_dir: Path | str | None = None, log_tail: str = ""):
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.log_tail = log_tail
        text = message
        if self.run_dir is not None:
            text += f"\n  run folder: {self.run_dir}"
        if log_tail:
            text += "\n  LAMMPS log tail:\n" + "\n".join("    " + ln for ln in log_tail.splitlines())
        super().__init__(text)


class IncompleteRunError(SigdemError, RuntimeError):
    """A run folder exists but its run did not finish (still running, killed or failed)."""

    def __init__(self, run_dir: Path | str, state: str, reason: str = ""):
        self.run_dir = Path(run_dir)
        self.state = state
        msg = f"run folder {self.run_dir} is '{state}', not 'done'"
        if reason:
            msg += f": {reason}"
        super().__init__(msg)


class ParseError(SigdemError, ValueError):
    """A LAMMPS dump, log or data file is malformed."""


class NotComputedError(SigdemError, AttributeError):
    """An analysis result was read before its ``compute`` was called."""
