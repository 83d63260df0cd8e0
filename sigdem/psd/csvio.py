"""Reading a measured PSD table from CSV, as instruments and spreadsheets write them.

Delimiter: comma, semicolon, tab or whitespace (sniffed; with ';' or tab a decimal comma is read as a
point). Lines starting with '#' and blank lines are ignored. Columns are recognised by their header
(case, spaces, brackets and µ/u do not matter):

* sizes (µm; a header naming nm or mm is converted): ``d_low_um``/``d_high_um`` (class edges: low, min,
  from / high, max, to, upper), ``d_mid_um`` (mid, mean), or one size column (``d_um``, ``size_um``,
  ``diameter (µm)``, ``Size/um``, ``x``, ``d``)
* values: cumulative (``cum_percent``, ``cumulative %``, ``Q3``, ``Q3 (%)``, passing, undersize) or per
  class (``percent``, ``volume %``, ``q3``, ``vol``, ``fraction``, ``%``, ``channel``, ``density``)

Layouts: edges + per-class, one size (mid-points) + per-class, one size + cumulative. Values in percent
or as fractions 0-1 are told apart by their total (the choice is logged). Class values must total
99-101 % (normalised), a cumulative curve start at <= 1 % and end at 99-101 %. Sizes must lie in
:data:`~sigdem.psd._validate.TABLE_SIZE_RANGE_UM`. The result is a :class:`TabulatedPSD`.
"""

from __future__ import annotations

import csv
import logging
import math
import re
from pathlib import Path

import numpy as np

from sigdem.errors import InputError
from sigdem.psd._validate import TABLE_SIZE_RANGE_UM, check_basis
from sigdem.psd.discrete import TabulatedPSD

log = logging.getLogger(__name__)

_ALLOWED_HEADERS = ("d_low_um,d_high_um,percent; d_mid_um,percent; d_um,cum_percent (also size_um, "
                    "diameter (µm), Size/um, q3, Q3 (%), cumulative %, volume %)")
_UNIT = {"nm": 1e-3, "mm": 1e3, "um": 1.0}


def _key(header: str) -> str:
    h = header.strip().replace("µ", "u").replace("μ", "u").lower()
    return re.sub(r"[\s()\[\]/_\-.:]+", " ", h).strip()


def _classify(header: str) -> str | None:
    """'low', 'high', 'mid', 'size', 'cum', 'class' or None for one column header."""
    raw, k = header.strip(), _key(header)
    words = set(k.split())
    if re.match(r"^Q3\b", raw) or words & {"cum", "cumulative", "passing", "undersize"} or "cum" in k.split(" ")[0]:
        return "cum"
    if re.match(r"^q3\b", raw) or words & {"percent", "%", "vol", "volume", "fraction", "channel", "density",
                                           "frequency", "diff", "differential", "mass"} or k in {"%", "p"}:
        return "class"
    if words & {"low", "lower", "min", "from"}:
        return "low"
    if words & {"high", "upper", "max", "to"}:
        return "high"
    if words & {"mid", "mean", "centre", "center"}:
        return "mid"
    if words & {"d", "size", "diameter", "x", "um", "dp"} or k.startswith("d "):
        return "size"
    return None


def _unit(header: str) -> float:
    words = set(_key(header).split())
    for unit, factor in _UNIT.items():
        if unit in words:
            return factor
    return 1.0


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("path", f"cannot read {path}: {exc}; allowed: a readable UTF-8 CSV file") from None
    return [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _split(lines: list[str], name: str) -> list[list[str]]:
    head = lines[0]
    delim = next((d for d in (";", "\t", ",") if d in head), None)
    if delim is None:
        rows = [ln.split() for ln in lines]
        rows[0] = _whitespace_header(rows[0], len(rows[1]) if len(rows) > 1 else len(rows[0]))
        log.info("%s: columns separated by whitespace", name)
    else:
        rows = [[c.strip() for c in r] for r in csv.reader(lines, delimiter=delim)]
        if delim != ",":  # '1,5' is a decimal comma here
            rows = [rows[0]] + [[c.replace(",", ".") for c in r] for r in rows[1:]]
        log.info("%s: columns separated by %r", name, delim)
    return [[c for c in r] for r in rows if any(c.strip() for c in r)]


def _whitespace_header(tokens: list[str], k: int) -> list[str]:
    """A whitespace-separated header of ``k`` columns whose names hold spaces ('size_um cumulative %'): unit
    and bracket tokens join the name before them; two columns split after the first word."""
    out: list[str] = []
    for t in tokens:
        if out and re.match(r"^([(\[%]|(um|µm|nm|mm|%)$)", t, re.IGNORECASE):
            out[-1] += " " + t
        else:
            out.append(t)
    if len(out) != k and k == 2 and len(out) > 2:
        out = [out[0], " ".join(out[1:])]
    return out


def _numbers(name: str, header: list[str], rows: list[list[str]]) -> np.ndarray:
    if not rows:
        raise InputError("csv", f"{name} has no data rows; allowed: at least 1 (2 for mid-points/cumulative)")
    out = np.empty((len(rows), len(header)))
    for i, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise InputError("csv", f"{name} row {i} has {len(row)} fields; allowed: {len(header)}")
        for j, cell in enumerate(row):
            try:
                out[i - 2, j] = float(cell.rstrip("%"))
            except ValueError:
                raise InputError(header[j], f"{name} row {i}: {cell!r} is not a number; allowed: finite numbers") from None
    if not np.all(np.isfinite(out)):
        raise InputError("csv", f"{name} has non-finite values; allowed: finite numbers")
    return out


def _check_sizes(sizes: np.ndarray, field: str, name: str) -> None:
    if np.any(sizes <= 0.0) or np.any(np.diff(sizes) <= 0.0):
        raise InputError(field, f"{name}: sizes must be > 0 µm and strictly increasing; allowed: 0 < d_1 < d_2 < ...")
    lo, hi = TABLE_SIZE_RANGE_UM
    bad = sizes[(sizes < lo) | (sizes > hi)]
    if bad.size:
        raise InputError(field, f"{name}: size {bad[0]:g} µm is outside the plausible range; allowed: {lo:g}-{hi:g} µm "
                         "(give sizes in µm, or name the unit in the header, e.g. 'size (nm)')")


def _scale(values: np.ndarray, total: float, field: str, name: str, what: str) -> np.ndarray:
    """Values as percent: a total near 1 means fractions (x 100), near 100 percent; said in the log."""
    if 0.99 <= total <= 1.01:
        log.info("%s: column %r read as fractions 0-1 (%s %.4g)", name, field, what, total)
        return values * 100.0
    log.info("%s: column %r read as percent (%s %.4g)", name, field, what, total)
    return values


def _class_percent(pct: np.ndarray, field: str, name: str) -> np.ndarray:
    if np.any(pct < 0.0):
        raise InputError(field, f"{name}: negative value in column {field!r}; allowed: values >= 0")
    pct = _scale(pct, float(pct.sum()), field, name, "total")
    total = float(pct.sum())
    if not 99.0 <= total <= 101.0:
        raise InputError(field, f"{name}: column {field!r} sums to {total:g} %; allowed: 99..101 % (or 0.99..1.01 as "
                         "fractions; normalised to 100)")
    return pct / total


def _midpoint_edges(mid: np.ndarray) -> np.ndarray:
    inner = np.sqrt(mid[:-1] * mid[1:])
    return np.concatenate([[mid[0] ** 2 / inner[0]], inner, [mid[-1] ** 2 / inner[-1]]])


def _layout(header: list[str], name: str) -> tuple[str, dict[str, int]]:
    kinds: dict[str, int] = {}
    for j, h in enumerate(header):
        kind = _classify(h)
        if kind is not None and kind not in kinds:
            kinds[kind] = j
    if {"low", "high", "class"} <= kinds.keys():
        return "edges", kinds
    size = kinds.get("mid", kinds.get("size"))
    if size is not None and "cum" in kinds:
        return "cumulative", {"size": size, "cum": kinds["cum"]}
    if size is not None and "class" in kinds:
        return "midpoints", {"size": size, "class": kinds["class"]}
    unknown = [h for h in header if _classify(h) is None]
    raise InputError("csv", f"{name}: header {','.join(header)!r} not recognised"
                     f"{f' (unknown column(s) {unknown})' if unknown else ''}; allowed: {_ALLOWED_HEADERS}")


def read_psd_csv(path: str | Path, *, basis: str = "volume") -> TabulatedPSD:
    """Read a PSD table (layouts and header variants in the module docstring) stated on ``basis``."""
    check_basis(basis)
    path = Path(path)
    name = path.name
    lines = _lines(path)
    if not lines:
        raise InputError("csv", f"{name} is empty; allowed: a header ({_ALLOWED_HEADERS}) and data rows")
    rows = _split(lines, name)
    header = [h.strip() for h in rows[0]]
    layout, col = _layout(header, name)
    data = _numbers(name, header, rows[1:])
    if layout == "edges":
        lo_f, hi_f, v_f = header[col["low"]], header[col["high"]], header[col["class"]]
        lo, hi = data[:, col["low"]] * _unit(lo_f), data[:, col["high"]] * _unit(hi_f)
        if np.any(hi <= lo) or not np.allclose(lo[1:], hi[:-1], rtol=1e-6, atol=0.0):
            raise InputError(hi_f, f"{name}: classes must be contiguous with {hi_f} > {lo_f}; allowed: {lo_f} of each "
                             f"row == {hi_f} of the previous row")
        edges = np.concatenate([lo, hi[-1:]])
        _check_sizes(edges, lo_f, name)
        frac = _class_percent(data[:, col["class"]], v_f, name)
    elif layout == "midpoints":
        s_f, v_f = header[col["size"]], header[col["class"]]
        if data.shape[0] < 2:
            raise InputError("csv", f"{name}: 1 mid-point; allowed: at least 2 rows")
        mid = data[:, col["size"]] * _unit(s_f)
        _check_sizes(mid, s_f, name)
        edges = _midpoint_edges(mid)
        frac = _class_percent(data[:, col["class"]], v_f, name)
    else:
        s_f, v_f = header[col["size"]], header[col["cum"]]
        if data.shape[0] < 2:
            raise InputError("csv", f"{name}: 1 point; allowed: at least 2 rows")
        edges, cum = data[:, col["size"]] * _unit(s_f), data[:, col["cum"]]
        _check_sizes(edges, s_f, name)
        if np.any(np.diff(cum) < 0.0) or cum[0] < 0.0:
            raise InputError(v_f, f"{name}: cumulative column {v_f!r} decreases; allowed: non-decreasing, >= 0")
        cum = _scale(cum, float(cum[-1]), v_f, name, "ends at")
        if cum[0] > 1.0 or not 99.0 <= cum[-1] <= 101.0:
            raise InputError(v_f, f"{name}: column {v_f!r} runs {cum[0]:g}..{cum[-1]:g} %; allowed: start <= 1 %, "
                             "end 99..101 % (or 0.99..1.01 as fractions)")
        frac = np.diff(cum)
        frac[0] += cum[0]
        frac = frac / cum[-1]
    if not math.isclose(float(frac.sum()), 1.0, abs_tol=1e-9):
        frac = frac / frac.sum()
    log.info("read %s: %d classes, %.3g..%.3g µm (%s basis, %s layout)", name, frac.size, edges[0], edges[-1],
             basis, layout)
    return TabulatedPSD(tuple(edges), tuple(frac), basis)
