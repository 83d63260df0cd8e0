"""Readers for LAMMPS dump files and data files.

Pure functions of a file. Dumps are read frame by frame and header-driven: a frame's
columns are the words of its ``ITEM: ATOMS ...`` (or ``ITEM: ENTRIES ...``) line, kept
verbatim (``c_stress[1]`` stays ``c_stress[1]``); the row count may change between
frames (pours insert, walls delete). ``.gz`` files are decompressed transparently. A
malformed file raises :class:`sigdem.errors.ParseError` naming the file and the line.
The thermo-table and log readers live in :mod:`sigdem.io.logs` and are re-exported here.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd

from sigdem.errors import ParseError
from sigdem.io.logs import (
    _count_lines,
    _err,
    _looks_numeric,
    _open_text,
    _parse_rows,
    _short,
    log_tail,  # noqa: F401  (re-exported)
    read_log_thermo,
    read_table,
)

__all__ = ["Box", "Frame", "iter_dump", "read_dump", "read_last_frame", "read_data_atoms",
           "read_data_box", "read_table", "read_log_thermo", "log_tail"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike

#: Columns that are always integers (a non-integral value there is a ParseError).
ALWAYS_INT = frozenset({"id", "type", "mol"})
#: Columns kept as int64 when every value in the frame is integral.
MAYBE_INT = frozenset("proc procp1 ix iy iz index patom1 patom2 ptype1 ptype2 batom1 batom2 "
                      "btype aatom1 aatom2 aatom3 atype datom1 datom2 datom3 datom4 dtype "
                      "iatom1 iatom2 iatom3 iatom4 itype".split())
#: Columns that hold text (``dump custom ... element``).
STRING_COLUMNS = frozenset({"element"})


@dataclass(frozen=True, slots=True)
class Box:
    """A simulation box: ``lo``/``hi`` corners, boundary flags and optional tilt.

    ``boundary`` holds the LAMMPS flags per axis, e.g. ``('pp', 'pp', 'fm')``; it is
    ``('', '', '')`` when the source does not record them (data files, very old dumps).
    ``tilt`` is ``(xy, xz, yz)`` for a triclinic box, else ``None``; ``lo``/``hi`` are
    then the box's own bounds (not the bounding box that dump headers store).
    """

    lo: tuple[float, float, float]
    hi: tuple[float, float, float]
    boundary: tuple[str, str, str]
    tilt: tuple[float, float, float] | None = None

    @property
    def lengths(self) -> tuple[float, float, float]:
        """Edge lengths ``(lx, ly, lz)``."""
        return (self.hi[0] - self.lo[0], self.hi[1] - self.lo[1], self.hi[2] - self.lo[2])

    @property
    def volume(self) -> float:
        """Box volume ``lx*ly*lz`` (tilt does not change it)."""
        lx, ly, lz = self.lengths
        return lx * ly * lz

    @property
    def triclinic(self) -> bool:
        """True when the box has tilt factors."""
        return self.tilt is not None


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One snapshot of a dump.

    ``kind`` is ``'atoms'`` for per-atom dumps and ``'local'`` for ``dump local``
    (entries such as contacts). ``data`` has one row per atom (sorted by ``id`` when
    the dump has an ``id`` column) or per entry (file order). ``time`` is the
    simulated time when the dump wrote ``ITEM: TIME`` (``dump_modify time yes``).
    Frames compare by identity (they hold a DataFrame).
    """

    timestep: int
    box: Box
    kind: str
    data: pd.DataFrame
    time: float | None = None


# ----------------------------------------------------------------------------- dumps

@dataclass(slots=True)
class _RawFrame:
    timestep: int
    time: float | None
    box: Box
    label: str  # 'ATOMS', 'ENTRIES' or a dump_modify label
    columns: list[str]
    lines: list[str]
    data_line: int  # line number of lines[0]


class _Truncated(ParseError):
    """A frame cut short by the end of the file (a killed run)."""


_FIRST_ITEMS = ("ITEM: TIMESTEP", "ITEM: TIME", "ITEM: UNITS")


def _box(path: Path, line_no: int, words: list[str], rows: list[list[float]]) -> Box:
    """A Box from the words after ``ITEM: BOX BOUNDS`` and the three bounds lines."""
    tilt, flags = None, words
    if "abc" in words or "origin" in words:
        raise _err(path, line_no, "general triclinic boxes (BOX BOUNDS abc origin) "
                                  "are not supported")
    if words[:3] == ["xy", "xz", "yz"]:
        flags = words[3:]
        if any(len(r) != 3 for r in rows):
            raise _err(path, line_no, "triclinic BOX BOUNDS needs 3 numbers per line")
        (xlo, xhi, xy), (ylo, yhi, xz), (zlo, zhi, yz) = rows  # bounding box -> box
        lo = (xlo - min(0.0, xy, xz, xy + xz), ylo - min(0.0, yz), zlo)
        hi = (xhi - max(0.0, xy, xz, xy + xz), yhi - max(0.0, yz), zhi)
        tilt = (xy, xz, yz)
    elif any(len(r) != 2 for r in rows):
        raise _err(path, line_no, "BOX BOUNDS needs 2 numbers per line")
    else:
        lo, hi = (rows[0][0], rows[1][0], rows[2][0]), (rows[0][1], rows[1][1], rows[2][1])
    flags = flags or ["", "", ""]
    if len(flags) != 3:
        raise _err(path, line_no, f"BOX BOUNDS needs 3 boundary flags, found {flags}")
    return Box(lo=lo, hi=hi, boundary=(flags[0], flags[1], flags[2]), tilt=tilt)


def _raw_frames(fh: IO[str], path: Path, first_line: int = 1) -> Iterator[_RawFrame]:
    """Yield the frames of an open dump as unparsed blocks, checking their headers."""
    ln = first_line - 1
    start = first_line

    def take(what: str | None = None, last_ok: bool = False) -> str | None:
        nonlocal ln
        s = fh.readline()
        ln += bool(s)
        if (s and (s.endswith("\n") or last_ok)) or what is None:
            return s or None  # (a header line without newline is the file's cut-off end)
        raise _Truncated(f"{path}, line {start}: truncated frame: the file ends at line {ln} "
                         f"while reading {what}")

    def number(kind, what: str):
        s = take(what)
        try:
            return kind(s.split()[0])
        except (ValueError, IndexError):
            raise _err(path, ln, f"expected {what}, found {_short(s)}") from None

    def item(name: str, last_ok: bool = False) -> str:
        s = take(f"'ITEM: {name}'", last_ok)
        if not s.startswith(f"ITEM: {name}"):
            raise _err(path, ln, f"expected 'ITEM: {name} ...', found {_short(s)}")
        return s[len(f"ITEM: {name}"):]

    seen = 0
    while True:
        line = take()
        while line is not None and not line.strip():
            line = take()
        if line is None:
            if not seen:
                raise _err(path, None, "empty file: no dump frame found")
            return
        start, time = ln, None
        if not line.endswith("\n") and any(k.startswith(line.strip()) for k in _FIRST_ITEMS):
            take("'ITEM: TIMESTEP'")  # a cut-off first line: raises _Truncated
        while not line.startswith("ITEM: TIMESTEP"):  # ITEM: UNITS / ITEM: TIME may come first
            if line.startswith("ITEM: UNITS"):
                take("the units")
            elif line.startswith("ITEM: TIME"):
                time = number(float, "a time value")
            else:
                hint = (" (count mismatch: more data lines than the frame declared)"
                        if seen and _looks_numeric(line) else "")
                raise _err(path, ln, f"missing ITEM header: expected 'ITEM: TIMESTEP', "
                                     f"found {_short(line)}{hint}")
            line = take("'ITEM: TIMESTEP'")
        timestep = number(int, "an integer timestep")
        label = item("NUMBER OF").strip()
        count = number(int, f"the number of {label.lower()}")
        words, box_line = item("BOX BOUNDS").split(), ln
        rows = []
        for _ in range(3):
            s = take("BOX BOUNDS")
            try:
                rows.append([float(t) for t in s.split()])
            except ValueError:
                raise _err(path, ln, f"non-numeric BOX BOUNDS line {_short(s)}") from None
        box = _box(path, box_line, words, rows)
        columns = item(label, last_ok=count == 0).split()
        if not columns or count < 0:
            raise _err(path, ln, f"'ITEM: {label}' names no columns" if not columns
                       else f"negative number of {label.lower()}")
        header_line = ln
        lines = list(itertools.islice(fh, count))
        ln += len(lines)
        if len(lines) < count or (lines and not lines[-1].endswith("\n")):
            raise _Truncated(
                f"{path}, line {start}: truncated frame (timestep {timestep}): the header at line "
                f"{header_line} declares {count} {label.lower()} but the file ends at line {ln} "
                f"after {len(lines)} of them")
        seen += 1
        yield _RawFrame(timestep, time, box, label, columns, lines, header_line + 1)


def _to_frame(raw: _RawFrame, path: Path, int_columns: Iterable[str]) -> Frame:
    kind = "atoms" if raw.label == "ATOMS" else "local"
    data = _parse_rows(raw.lines, raw.columns, path,
                       range(raw.data_line, raw.data_line + len(raw.lines)),
                       int_always=ALWAYS_INT | set(int_columns), int_maybe=MAYBE_INT,
                       strings=STRING_COLUMNS, what=raw.label.lower())
    if kind == "atoms" and "id" in data.columns and len(data) > 1:
        data = data.sort_values("id", kind="stable", ignore_index=True)
    return Frame(timestep=raw.timestep, box=raw.box, kind=kind, data=data, time=raw.time)


def iter_dump(path: PathLike, *, int_columns: Iterable[str] = ()) -> Iterator[Frame]:
    """Stream the frames of a LAMMPS text dump (``custom``/``atom``/``local``, optionally .gz).

    Handles ``ITEM: NUMBER OF ATOMS`` / ``ITEM: ATOMS ...`` frames (kind ``'atoms'``) and
    ``ITEM: NUMBER OF ENTRIES`` / ``ITEM: ENTRIES ...`` frames (kind ``'local'``; any
    ``dump_modify label`` works too). A frame with zero rows gives an empty DataFrame
    with the header's columns. Columns are float64 except ``id``/``type``/``mol``, the
    known integer fields (``ix``, ``proc``, ``patom1``, ...) when integral, ``element``
    (text), and the names given in ``int_columns`` (e.g. ``['c_pp[1]', 'c_pp[2]']`` for
    a ``compute property/local patom1 patom2``). Raises ParseError for a malformed or
    truncated file, after yielding the frames before the bad one; a data line without
    its newline at the end of the file counts as cut off (LAMMPS ends every line).
    """
    p, int_columns = Path(path), tuple(int_columns)
    with _open_text(p) as fh:
        for raw in _raw_frames(fh, p):
            yield _to_frame(raw, p, int_columns)


def read_dump(path: PathLike, *, int_columns: Iterable[str] = ()) -> list[Frame]:
    """All frames of a dump, in file order (see :func:`iter_dump`)."""
    frames = list(iter_dump(path, int_columns=int_columns))
    logger.debug("read %d frames from %s", len(frames), path)
    return frames


def read_last_frame(path: PathLike, *, allow_truncated: bool = False,
                    int_columns: Iterable[str] = ()) -> Frame:
    """The last frame of a dump, without parsing the others.

    Plain files are searched backwards from the end (earlier frames are not read, so
    not validated); gzip'd files are streamed but only the last frame is parsed. A
    truncated last frame (a killed run) raises ParseError unless ``allow_truncated`` is
    true: then the last complete frame is returned and a warning logged.
    """
    p = Path(path)
    if p.suffix == ".gz":
        last = None
        with _open_text(p) as fh:
            try:
                for last in _raw_frames(fh, p):
                    pass
            except _Truncated as exc:
                if not allow_truncated or last is None:
                    raise
                logger.warning("ignoring truncated last frame: %s", exc)
        return _to_frame(last, p, int_columns)
    size = end = p.stat().st_size
    while True:
        offset = _last_frame_offset(p, end)
        if offset is None:  # no frame start: let the full parser explain
            return read_dump(p, int_columns=int_columns)[-1]
        with open(p, "rb") as bfh:
            bfh.seek(offset)
            fh = io.TextIOWrapper(bfh, encoding="utf-8", errors="replace", newline=None)
            raws, raw = _raw_frames(fh, p, first_line=_count_lines(p, offset) + 1), None
            try:
                raw = next(raws)
                if end == size:
                    for _ in raws:  # anything after the last frame must be valid too
                        pass
            except _Truncated as exc:
                if not allow_truncated or (raw is None and offset == 0):
                    raise
                logger.warning("ignoring truncated last frame: %s", exc)
                if raw is None:
                    end = offset
                    continue
        return _to_frame(raw, p, int_columns)


def _last_frame_offset(path: Path, end: int) -> int | None:
    """Byte offset of the last frame that starts before byte ``end`` (its first ITEM line)."""
    key, pos, buf = b"ITEM: TIMESTEP", end, b""
    with open(path, "rb") as fh:
        while pos > 0:
            step = min(1 << 20, pos)
            pos -= step
            fh.seek(pos)
            buf = fh.read(step) + buf
            i = buf.rfind(key)
            while i > 0 and buf[i - 1] != 10:  # not at the start of a line
                i = buf.rfind(key, 0, i)
            if (i > 0 and (i >= 4096 or pos == 0)) or (i == 0 and pos == 0):
                while True:  # include ITEM: TIME / ITEM: UNITS written before TIMESTEP
                    prev = buf[:i].rsplit(b"\n", 3)
                    if len(prev) < 3 or not prev[-3].startswith((b"ITEM: TIME", b"ITEM: UNITS")):
                        return pos + i
                    i -= len(prev[-3]) + len(prev[-2]) + 2
    return None


# ----------------------------------------------------------------------------- data files

def _data_header(path: Path) -> tuple[list[tuple[int, str, str]], int]:
    """Lines of a data file as (number, text without comment, comment), title skipped,
    and the index of the first section keyword line (``Atoms``, ``Velocities``, ...)."""
    with _open_text(path) as fh:
        lines = [(no, t.strip(), c.strip()) for no, (t, _, c) in
                 ((no, line.partition("#")) for no, line in enumerate(fh, start=1)) if no > 1]
    if not lines and not path.stat().st_size:
        raise _err(path, None, "empty file")
    first = next((k for k, (_, t, _) in enumerate(lines) if t and not _looks_numeric(t)),
                 len(lines))
    return lines, first


def read_data_box(path: PathLike) -> Box:
    """The box of a LAMMPS data file (``xlo xhi`` ... and optional ``xy xz yz`` lines).

    Data files do not record boundary conditions: ``boundary`` is ``('', '', '')``.
    """
    p = Path(path)
    lines, first = _data_header(p)
    found: dict[str, list[float]] = {}
    for no, text, _ in lines[:first]:
        words = text.split()
        if "avec" in words or "abc" in words:
            raise _err(p, no, "general triclinic data files are not supported")
        for key, n in (("xlo xhi", 2), ("ylo yhi", 2), ("zlo zhi", 2), ("xy xz yz", 3)):
            if " ".join(words[n:]) == key:
                try:
                    found[key] = [float(w) for w in words[:n]]
                except ValueError:
                    raise _err(p, no, f"non-numeric box line {text!r}") from None
    for key in ("xlo xhi", "ylo yhi", "zlo zhi"):
        if key not in found:
            raise _err(p, None, f"no '{key}' line in the header")
    (xlo, xhi), (ylo, yhi), (zlo, zhi) = found["xlo xhi"], found["ylo yhi"], found["zlo zhi"]
    tilt = found.get("xy xz yz")
    return Box(lo=(xlo, ylo, zlo), hi=(xhi, yhi, zhi), boundary=("", "", ""),
               tilt=(tilt[0], tilt[1], tilt[2]) if tilt else None)


def read_data_atoms(path: PathLike) -> pd.DataFrame:
    """The ``Atoms # sphere`` section of a LAMMPS data file, sorted by ``id``.

    Columns ``id type diameter density x y z`` plus ``ix iy iz`` when the file has
    image flags; ``id``/``type``/image flags are int64, the rest float64. Comments
    (``#``) and blank lines are ignored and sections may come in any order.
    """
    p = Path(path)
    lines, first = _data_header(p)
    counts = [t.split() for _, t, _ in lines[:first] if t.endswith(" atoms")]
    if not counts or not counts[0][0].isdigit():
        raise _err(p, None, "no 'N atoms' line in the header")
    natoms = int(counts[0][0])
    start = next((k for k, (_, t, _) in enumerate(lines) if t == "Atoms"), None)
    if start is None:
        raise _err(p, None, "no 'Atoms' section")
    no, _, comment = lines[start]
    if comment and comment.split()[0] != "sphere":
        raise _err(p, no, f"Atoms section is atom_style {comment.split()[0]!r}, expected 'sphere'")
    rows = []
    for no, text, _ in lines[start + 1:]:
        if text and not _looks_numeric(text):
            break
        if text:
            rows.append((no, text + "\n"))
    if len(rows) != natoms:
        raise _err(p, rows[natoms][0] if len(rows) > natoms else lines[start][0],
                   f"count mismatch: the header declares {natoms} atoms but the Atoms "
                   f"section has {len(rows)} lines")
    columns = ["id", "type", "diameter", "density", "x", "y", "z"]
    if rows and len(rows[0][1].split()) == 10:
        columns += ["ix", "iy", "iz"]
    df = _parse_rows([t for _, t in rows], columns, p, [n for n, _ in rows],
                     int_always={"id", "type"}, int_maybe={"ix", "iy", "iz"})
    return df.sort_values("id", kind="stable", ignore_index=True)
