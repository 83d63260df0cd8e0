"""In-process LAMMPS: one instance, its log in a folder, its errors turned into sigdem errors.

The LAMMPS Python module raises a bare ``Exception`` on an input error; :class:`LammpsSession`
turns it into :class:`~sigdem.errors.EngineError` carrying the folder and the log tail, and
closes the instance. Anything read out of LAMMPS memory is copied before it is returned.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path


from sigdem._loader import lammps_class
from sigdem.errors import EngineError
from sigdem.inputs import format_var
from sigdem.io.logs import log_tail

log = logging.getLogger(__name__)

LOG_TAIL_LINES = 25


def tail_text(path: Path, n_lines: int = LOG_TAIL_LINES) -> str:
    """Last ``n_lines`` of a LAMMPS log ('' if it does not exist)."""
    return log_tail(path, n_lines)


def lammps_args(variables: Mapping[str, object], log_path: Path | None, screen: bool) -> list[str]:
    """Command-line arguments for a LAMMPS instance (the same as for the ``lmp`` executable)."""
    args = ["-nocite", "-log", str(log_path) if log_path else "none"]
    if not screen:
        args += ["-screen", "none"]
    for name, value in variables.items():
        args += ["-var", format_var(f"variables[{name}]", name), format_var(f"variables[{name}]", value)]
    return args


class LammpsSession:
    """A LAMMPS instance whose log goes to ``folder/log_name``.

    Use as a context manager; ``variables`` are passed like ``lmp -var name value`` and so
    override the ``variable ... index`` defaults of a deck.
    """

    def __init__(
        self,
        folder: Path | str,
        *,
        variables: Mapping[str, object] | None = None,
        log_name: str = "log.lammps",
        screen: bool = False,
        comm=None,
    ):
        self.folder = Path(folder).resolve()  # any characters: only -log gets it, and -log is not substituted
        self.log_path = self.folder / log_name
        args = lammps_args(variables or {}, self.log_path, screen)
        cls = lammps_class()
        try:
            self._lmp = cls(cmdargs=args, comm=comm) if comm is not None else cls(cmdargs=args)
        except Exception as exc:  # LAMMPS raises bare Exception
            raise EngineError(f"LAMMPS could not start: {exc}", self.folder, tail_text(self.log_path)) from exc

    # -- context management -------------------------------------------------------------
    def __enter__(self) -> "LammpsSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        lmp, self._lmp = getattr(self, "_lmp", None), None
        if lmp is not None:
            lmp.close()

    @property
    def lmp(self):
        if self._lmp is None:
            raise EngineError("the LAMMPS instance is closed", self.folder)
        return self._lmp

    # -- running --------------------------------------------------------------------------
    def _fail(self, what: str, exc: Exception) -> EngineError:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self.close()  # flushes and closes the log before its tail is read
        return EngineError(f"LAMMPS failed while running {what}: {first}", self.folder, tail_text(self.log_path))

    def file(self, path: Path | str) -> None:
        """Run a whole input script."""
        path = Path(path)
        try:
            self.lmp.file(str(path))
        except Exception as exc:
            raise self._fail(f"deck {path.name}", exc) from exc

    # -- reading --------------------------------------------------------------------------
    def variable(self, name: str) -> float:
        """Value of an equal-style variable."""
        val = self.lmp.extract_variable(name)
        if val is None:
            raise EngineError(f"LAMMPS has no equal-style variable {name!r}", self.folder)
        return float(val)

    def version(self) -> int:
        return int(self.lmp.version())
