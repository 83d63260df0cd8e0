"""Reading a measured PSD table from CSV.

Three layouts are recognised by their header row (names case-insensitive;
lines starting with '#' and blank lines are ignored):

* class edges   ``d_low_um,d_high_um,percent``   - % per class, contiguous classes
* mid-points    ``d_mid_um,percent``             - % per class at its (geometric) mid-point;
  edges are put half-way (geometrically) between neighbouring mid-points
* cumulative    ``d_um,cum_percent``             - % passing (finer than) each size

Percentages are on ``basis`` (laser diffraction: volume). Class percentages must
sum to 100 (99..101 accepted, then normalised); a cumulative curve must start
at <= 1 % (that remainder is put in the first class) and end at 99..101 %.
The result is a :class:`TabulatedPSD` (log-uniform inside each class).
"""

from __future__ import annotations

import csv
import logging
import math
from pathlib import Path

import numpy as np

from sigdem.errors import InputError
from sigdem.psd._validate import check_basis
from sigdem.psd.discrete import TabulatedPSD

log = logging.getLogger(__name__)

LAYOUTS: dict[tuple[str, ...], str] = {
    ("d_low_um", "d_high_um", "percent"): "edges",
    ("d_mid_um", "percent"): "midpoints",
    ("d_um", "cum_percent"): "cumulative",
}
_ALLOWED_HEADERS = "; ".join(",".join(k) for k in LAYOUTS)


def _rows(path: Path) -> tuple[tuple[str, ...], list[list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("path", f"cannot read {path}: {exc}; allowed: a readable UTF-8 CSV file") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    rows = [[c.strip() for c in r] for r in csv.reader(lines)]
    if not rows:
        raise InputError("csv", f"{path.name} is empty; allowed: a header ({_ALLOWED_HEADERS}) and data rows")
    return tuple(h.lower() for h in rows[0]), rows[1:]


def _numbers(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> np.ndarray:
    if not rows:
        raise InputError("csv", f"{path.name} has no data rows; allowed: at least 1 (2 for mid-points/cumulative)")
    out = np.empty((len(rows), len(header)))
    for i, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise InputError("csv", f"{path.name} row {i} has {len(row)} fields; allowed: {len(header)}")
        for j, cell in enumerate(row):
            try:
                out[i - 2, j] = float(cell)
            except ValueError:
                raise InputError(header[j], f"{path.name} row {i}: {cell!r} is not a number;"
                                 " allowed: finite numbers") from None
    if not np.all(np.isfinite(out)):
        raise InputError("csv", f"{path.name} has non-finite values; allowed: finite numbers")
    return out


def _check_sizes(sizes: np.ndarray, field: str, name: str) -> None:
    if np.any(sizes <= 0.0) or np.any(np.diff(sizes) <= 0.0):
        raise InputError(field, f"{name}: sizes must be > 0 µm and strictly increasing; allowed: 0 < d_1 < d_2 < ...")


def _class_percent(pct: np.ndarray, name: str) -> np.ndarray:
    if np.any(pct < 0.0):
        raise InputError("percent", f"{name}: negative percentage; allowed: percent >= 0")
    total = float(pct.sum())
    if not 99.0 <= total <= 101.0:
        raise InputError("percent", f"{name}: classes sum to {total:g} %; allowed: 99..101 % (normalised to 100)")
    return pct / total


def _midpoint_edges(mid: np.ndarray) -> np.ndarray:
    inner = np.sqrt(mid[:-1] * mid[1:])
    first = mid[0] ** 2 / inner[0]
    last = mid[-1] ** 2 / inner[-1]
    return np.concatenate([[first], inner, [last]])


def read_psd_csv(path: str | Path, *, basis: str = "volume") -> TabulatedPSD:
    """Read a PSD table (layouts in the module docstring) stated on ``basis``."""
    check_basis(basis)
    path = Path(path)
    header, rows = _rows(path)
    layout = LAYOUTS.get(header)
    if layout is None:
        raise InputError("csv", f"{path.name}: header {','.join(header)!r} not recognised; allowed: {_ALLOWED_HEADERS}")
    data = _numbers(path, header, rows)
    name = path.name
    if layout == "edges":
        lo, hi = data[:, 0], data[:, 1]
        if np.any(hi <= lo) or not np.allclose(lo[1:], hi[:-1], rtol=1e-6, atol=0.0):
            raise InputError("d_high_um", f"{name}: classes must be contiguous with d_high_um > d_low_um;"
                             " allowed: d_low_um of each row == d_high_um of the previous row")
        edges = np.concatenate([lo, hi[-1:]])
        _check_sizes(edges, "d_low_um", name)
        frac = _class_percent(data[:, 2], name)
    elif layout == "midpoints":
        if data.shape[0] < 2:
            raise InputError("csv", f"{name}: 1 mid-point; allowed: at least 2 rows")
        _check_sizes(data[:, 0], "d_mid_um", name)
        edges = _midpoint_edges(data[:, 0])
        frac = _class_percent(data[:, 1], name)
    else:
        if data.shape[0] < 2:
            raise InputError("csv", f"{name}: 1 point; allowed: at least 2 rows")
        edges, cum = data[:, 0], data[:, 1]
        _check_sizes(edges, "d_um", name)
        if np.any(np.diff(cum) < 0.0) or cum[0] < 0.0:
            raise InputError("cum_percent", f"{name}: cumulative % decreases; allowed: non-decreasing, >= 0")
        if cum[0] > 1.0 or not 99.0 <= cum[-1] <= 101.0:
            raise InputError("cum_percent", f"{name}: runs {cum[0]:g}..{cum[-1]:g} %; allowed: start <= 1 %, "
                             "end 99..101 %")
        frac = np.diff(cum)
        frac[0] += cum[0]
        frac = frac / cum[-1]
    if not math.isclose(float(frac.sum()), 1.0, abs_tol=1e-9):
        frac = frac / frac.sum()
    log.info("read %s: %d classes, %.3g..%.3g µm (%s basis, %s layout)", name, frac.size, edges[0], edges[-1],
             basis, layout)
    return TabulatedPSD(tuple(edges), tuple(frac), basis)
