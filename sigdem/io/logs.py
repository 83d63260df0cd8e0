"""Readers for LAMMPS thermo tables and log files, plus the row parser shared with dumps.

* :func:`read_table` - files written by ``fix print ... file F`` and ``fix ave/time ... file F``;
* :func:`read_log_thermo` - the thermo blocks of a LAMMPS log;
* :func:`log_tail` - the last lines of a log, read from the end.

Files whose name ends in ``.gz`` are decompressed transparently. A malformed file raises
:class:`sigdem.errors.ParseError` naming the file and the line.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import warnings
from collections import deque
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from sigdem.errors import ParseError

__all__ = ["read_table", "read_log_thermo", "log_tail"]

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike

#: Thermo columns kept as int64 when every value is integral.
THERMO_INT = frozenset({"Step", "Elapsed", "Elaplong", "Atoms", "Part", "Nbuild", "Ndanger"})


# ----------------------------------------------------------------------------- shared helpers

def _open_text(path: Path) -> IO[str]:
    """Open a text file for reading, gunzipping when the name ends in ``.gz``."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline=None)
    return open(path, encoding="utf-8", errors="replace", newline=None)


def _err(path: Path, line: int | None, msg: str) -> ParseError:
    """A ParseError whose message starts with ``<path>, line <n>:``."""
    return ParseError(f"{path}, line {line}: {msg}" if line is not None else f"{path}: {msg}")


def _short(text: str, n: int = 60) -> str:
    text = text.rstrip("\n")
    return repr(text if len(text) <= n else text[:n] + "...")


def _is_float(word: str) -> bool:
    try:
        float(word)
        return True
    except ValueError:
        return False


def _looks_numeric(line: str) -> bool:
    words = line.split()
    return bool(words) and _is_float(words[0])


def _count_lines(path: Path, upto: int) -> int:
    """Number of newlines in the first ``upto`` bytes of a file."""
    n = 0
    with open(path, "rb") as fh:
        while upto > 0 and (chunk := fh.read(min(1 << 22, upto))):
            n += chunk.count(b"\n")
            upto -= len(chunk)
    return n


def _parse_rows(lines: list[str], columns: list[str], path: Path, numbers: Sequence[int], *,
                int_always: Collection[str] = (), int_maybe: Collection[str] = (),
                strings: Collection[str] = (), what: str = "data") -> pd.DataFrame:
    """Parse whitespace-separated rows into a DataFrame named by ``columns``.

    ``lines[i]`` is line ``numbers[i]`` of ``path``. Columns are float64, except
    ``strings`` (text), ``int_always`` (int64, else ParseError) and ``int_maybe``
    (int64 when every value is integral). Fast path: pandas' C reader; when it fails
    or its result looks suspicious (row count, NaNs), each line is checked so that the
    ParseError names the offending line, and genuine ``nan``/``inf`` values survive.
    """
    ncol = len(columns)
    dtypes = {k: (object if c in strings else np.float64) for k, c in enumerate(columns)}
    df = None
    if lines:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                df = pd.read_csv(io.StringIO("".join(lines)), sep=r"\s+", header=None,
                                 names=range(ncol), index_col=False, dtype=dtypes,
                                 engine="c", skip_blank_lines=False)
            if len(df) != len(lines) or df.isna().to_numpy().any():
                df = None
        except (ValueError, pd.errors.ParserWarning):
            df = None
        if df is None:
            df = _parse_rows_slow(lines, columns, path, numbers, strings, what)
    else:
        df = pd.DataFrame({k: pd.Series(dtype=dtypes[k]) for k in range(ncol)})
    df.columns = list(columns)
    for k, name in enumerate(columns):
        if name in strings or not (name in int_always or name in int_maybe):
            continue
        values = df.iloc[:, k].to_numpy()
        ok = np.isfinite(values) & (values == np.round(values))
        if ok.all():
            df.isetitem(k, values.astype(np.int64))
        elif name in int_always:
            bad = int(np.flatnonzero(~ok)[0])
            raise _err(path, numbers[bad],
                       f"column {name!r} must hold integers, found {lines[bad].split()[k]!r}")
    return df


def _parse_rows_slow(lines, columns, path, numbers, strings, what) -> pd.DataFrame:
    ncol = len(columns)
    cols: list[list] = [[] for _ in range(ncol)]
    for i, line in enumerate(lines):
        toks = line.split()
        if len(toks) != ncol:
            if line.startswith("ITEM:"):
                raise _err(path, numbers[i], f"count mismatch: found {_short(line)} after {i} of "
                                             f"the {len(lines)} {what} lines the header declares")
            raise _err(path, numbers[i], f"expected {ncol} values ({' '.join(columns)}), "
                                         f"found {len(toks)}: {_short(line)}")
        for k, tok in enumerate(toks):
            if columns[k] in strings:
                cols[k].append(tok)
                continue
            try:
                cols[k].append(float(tok))
            except ValueError:
                raise _err(path, numbers[i],
                           f"non-numeric value {tok!r} in column {columns[k]!r}") from None
    return pd.DataFrame({k: pd.Series(cols[k], dtype=object if columns[k] in strings
                                      else np.float64) for k in range(ncol)})


# ----------------------------------------------------------------------------- tables

def read_table(path: PathLike) -> pd.DataFrame:
    """A machine-readable thermo table: ``fix print ... file F`` or ``fix ave/time ... file F``.

    The column names are the words of the last comment line before the first data row
    (``# step ke pwall`` or ``# TimeStep v_a c_b[1]``; a title written without ``#`` is
    accepted too). Columns are float64; a ``step``/``TimeStep`` column is int64 when
    integral. Comment lines after the first data row are skipped; a file with a header
    but no rows gives an empty DataFrame. Block-style files (``fix ave/time ... mode
    vector``, ``ave/chunk``, ``ave/histo``: headers with ``Number-of-...``) are not
    supported and raise ParseError, as do an empty file and a row with the wrong number
    of values.
    """
    p = Path(path)
    comments: list[tuple[int, str]] = []
    header: list[str] | None = None
    lines: list[str] = []
    numbers: list[int] = []
    with _open_text(p) as fh:
        for no, line in enumerate(fh, start=1):
            s = line.strip()
            if not s:
                continue
            if s.startswith("#"):
                if not lines:
                    comments.append((no, s))
                    header = s.lstrip("#").split()
                continue
            if not lines and not _is_float(s.split()[0]):
                comments.append((no, s))  # a fix print title without '#'
                header = s.split()
                continue
            lines.append(line)
            numbers.append(no)
    if not comments and not lines:
        raise _err(p, None, "empty file")
    blocky = [no for no, text in comments if "Number-of-" in text]
    if blocky or (header and header[0] in ("Row", "Chunk", "Bin")):
        raise _err(p, (blocky or [comments[-1][0]])[0], "block-style file (fix ave/time mode "
                   "vector, ave/chunk or ave/histo) is not supported by read_table")
    if not header:
        raise _err(p, numbers[0], "no comment line naming the columns before the first row")
    steps = {c for c in header if c.lower() in ("step", "timestep")}
    return _parse_rows(lines, header, p, numbers, int_maybe=steps)


# ----------------------------------------------------------------------------- logs

def read_log_thermo(path: PathLike) -> list[pd.DataFrame]:
    """The thermo blocks of a LAMMPS log, one DataFrame per run, in order.

    A block starts at its header line (first word ``Step``, or any all-text line right
    after ``Per MPI rank memory allocation ...``) and ends at ``Loop time of``. Lines
    that do not parse to exactly one float per column (``WARNING: ...`` lines LAMMPS
    prints between rows) are skipped; a block cut short by the end of the file (a
    killed run) keeps the rows read so far. Columns are float64, with ``Step``,
    ``Atoms`` and other counters int64 when integral. A log without thermo output
    (including an empty one) gives ``[]``. Only the one-line thermo styles are read
    (not ``thermo_style multi``/``yaml``).
    """
    p = Path(path)
    blocks: list[pd.DataFrame] = []
    cols: list[str] | None = None
    rows: list[list[float]] = []
    prev = ""
    skipped = 0

    def close(keep_empty: bool = True) -> None:
        nonlocal cols
        if not rows and not keep_empty:
            cols = None
            return
        df = pd.DataFrame(np.array(rows, dtype=np.float64).reshape(len(rows), len(cols)),
                          columns=cols)
        for k, name in enumerate(cols):
            v = df.iloc[:, k].to_numpy()
            if name in THERMO_INT and np.all(np.isfinite(v) & (v == np.round(v))):
                df.isetitem(k, v.astype(np.int64))
        blocks.append(df)
        cols = None

    def is_header(words: list[str]) -> bool:
        return bool(words) and (words[0] == "Step" or prev.startswith("Per MPI rank memory")) \
            and not any(_is_float(w) for w in words)

    with _open_text(p) as fh:
        for line in fh:
            s = line.strip()
            words = s.split()
            if cols is not None:
                if s.startswith("Loop time of") or s.startswith("Per MPI rank memory"):
                    close()
                elif is_header(words):  # a new run started without closing this one
                    close(keep_empty=False)
                else:  # (a last line without newline is a row cut off by a kill)
                    if len(words) == len(cols) and line.endswith("\n"):
                        try:
                            rows.append([float(w) for w in words])
                            continue
                        except ValueError:
                            pass
                    if s:
                        skipped += 1
                    continue
            if cols is None and is_header(words):
                cols, rows = words, []
            if s:
                prev = s
    if cols is not None:
        logger.debug("%s: last thermo block has no 'Loop time' line (run killed?)", p)
        close()
    if skipped:
        logger.debug("%s: skipped %d non-thermo lines inside thermo blocks", p, skipped)
    return blocks


def log_tail(path: PathLike, n_lines: int = 20) -> str:
    """The last ``n_lines`` lines of a text file, joined by newlines ('' if it is missing).

    Plain files are read backwards from the end in blocks, so a huge log costs only
    its tail; ``.gz`` files are streamed.
    """
    p = Path(path)
    if n_lines <= 0:
        return ""
    try:
        if p.suffix == ".gz":
            with _open_text(p) as fh:
                return "\n".join(x.rstrip("\r\n") for x in deque(fh, maxlen=n_lines))
        with open(p, "rb") as fh:
            pos = fh.seek(0, os.SEEK_END)
            buf = b""
            while pos > 0 and buf.count(b"\n") <= n_lines:
                step = min(1 << 16, pos)
                pos -= step
                fh.seek(pos)
                buf = fh.read(step) + buf
    except FileNotFoundError:
        return ""
    parts = buf.decode("utf-8", errors="replace").split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return "\n".join(x.rstrip("\r") for x in parts[-n_lines:])
