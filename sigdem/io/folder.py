"""Run folders: named by a hash of their statepoint, with an atomic status life cycle.

A run folder holds ``in.lmp`` (variable header + template), the particle data file,
``params.json`` (the full statepoint), ``status.json`` and LAMMPS's outputs. Its name is
``<stage>-<job id>``, the job id being the first 16 hex digits of the SHA-256 of the
statepoint as sorted JSON (signac's idea). Status moves ``rendered`` → ``running`` →
``done`` | ``failed``; ``status.json`` is replaced atomically, and a run killed while
``running`` never reads as ``done``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sigdem.errors import IncompleteRunError
from sigdem.inputs import check_name, check_root

STATES = ("rendered", "running", "done", "failed")


def canonical_json(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=True)


def job_id(statepoint: dict) -> str:
    """16 hex digits of the SHA-256 of the statepoint's canonical JSON."""
    return hashlib.sha256(canonical_json(statepoint).encode()).hexdigest()[:16]


def derive_seed(job: str, salt: str = "") -> int:
    """A positive 31-bit seed derived from a job id (and a salt naming its use)."""
    return int(hashlib.sha256(f"{job}:{salt}".encode()).hexdigest()[:8], 16) % (2**31 - 2) + 1


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a mix."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class RunFolder:
    """A run folder on disk (``path``), its ``stage`` and ``job`` id."""

    path: Path

    @classmethod
    def for_statepoint(cls, root: Path | str, statepoint: dict) -> "RunFolder":
        return cls.for_job(root, statepoint["stage"], job_id(statepoint))

    @classmethod
    def for_job(cls, root: Path | str, stage: str, job: str) -> "RunFolder":
        """The folder ``<root>/<stage>-<job>``. The root may be any existing or creatable directory (spaces
        and non-ASCII characters too): decks never hold it (runners pass a folder by a checked relative path,
        :func:`sigdem.inputs.deck_path`, or run LAMMPS inside it)."""
        check_name("stage", stage)
        root = check_root("root", root, create=False).resolve()
        return cls(root / f"{stage}-{job}")

    @property
    def job(self) -> str:
        return self.path.name.split("-", 1)[1]

    def fn(self, name: str) -> Path:
        return self.path / name

    # -- status ----------------------------------------------------------------------------
    def status(self) -> dict:
        try:
            return json.loads(self.fn("status.json").read_text())
        except FileNotFoundError:
            return {"state": "absent"}

    @property
    def state(self) -> str:
        return self.status().get("state", "absent")

    def set_state(self, state: str, **info) -> None:
        assert state in STATES
        record = {**self.status(), **info, "state": state, f"{state}_at": _now()}
        if state != "failed":
            record.pop("reason", None)
        write_atomic(self.fn("status.json"), json.dumps(record, indent=2, sort_keys=True) + "\n")

    def require_done(self) -> "RunFolder":
        st = self.status()
        if st.get("state") != "done":
            raise IncompleteRunError(self.path, st.get("state", "absent"), st.get("reason", ""))
        return self
